//! An order's round trip between two devices: a customer orders on the
//! kiosk and the kitchen sees it at once with the right lines; the cook
//! moves it to ready and the kiosk's confirmation follows.
//!
//! The kiosk and the kitchen are separate browsers (separate profiles), so
//! the ticket can only reach the kitchen through the server.

use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use ticketrail_core::money::format_money;
use ticketrail_e2e::kiosk::{self, Kiosk};
use ticketrail_e2e::kitchen::{self, Ticket};
use ticketrail_e2e::serial::one_at_a_time;
use ticketrail_e2e::ui::{connection, MOUNT, REACT};
use ticketrail_e2e::{wait, Browser, Env, Server};
use ticketrail_protocol::Order;
use tokio::time::Instant;

/// The promise: a placed order is on the kitchen screen within 2 s.
const TO_KITCHEN: Duration = Duration::from_secs(2);

/// The note the customer types on the first line.
const NOTE: &str = "no chili, extra ice";

/// Both screens open and live on a fresh server.
struct Floor {
    server: Server,
    kiosk: Browser,
    kitchen: Browser,
}

impl Floor {
    async fn open(name: &str) -> Result<Floor> {
        let env = Env::from_env()?;
        let server = Server::start(&env, name).await?;
        let kitchen = Browser::open(&env, &format!("{name}-kitchen")).await?;
        kitchen
            .open_screen(&server, &server.url("/kitchen"))
            .await?;
        kitchen.wait_visible(&connection("live"), MOUNT).await?;
        let kiosk = Browser::open(&env, &format!("{name}-kiosk")).await?;
        Kiosk::new(&kiosk).open(&server).await?;
        kiosk.wait_visible(&connection("live"), MOUNT).await?;
        Ok(Floor {
            server,
            kiosk,
            kitchen,
        })
    }

    async fn close(self) -> Result<()> {
        self.kiosk.close().await?;
        self.kitchen.close().await
    }

    /// The one order the server holds for outlet 1, checked against the
    /// number the kiosk showed.
    async fn stored_order(&self, number: &str) -> Result<Order> {
        let orders = self.server.orders("1").await?;
        match orders.as_slice() {
            [order] if order.order_number == number => Ok(order.clone()),
            _ => bail!(
                "expected one order numbered {number} on the server, found {:?}",
                orders
                    .iter()
                    .map(|order| &order.order_number)
                    .collect::<Vec<_>>()
            ),
        }
    }

    /// Waits until the kitchen shows exactly one ticket, until `deadline`.
    async fn wait_one_ticket(&self, deadline: Instant) -> Result<Ticket> {
        let left = deadline.saturating_duration_since(Instant::now());
        wait::until("a ticket on the kitchen screen", left, || async {
            let tickets = kitchen::tickets(&self.kitchen).await?;
            match tickets.as_slice() {
                [] => Ok(None),
                [ticket] => Ok(Some(ticket.clone())),
                _ => bail!("{} tickets for one order", tickets.len()),
            }
        })
        .await
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_order_from_the_kiosk_reaches_the_kitchen_within_2s() -> Result<()> {
    let _turn = one_at_a_time().await;
    let floor = Floor::open("ordering").await?;
    floor
        .kitchen
        .wait_visible(kitchen::NO_TICKETS, REACT)
        .await?;
    floor.kitchen.screenshot("ordering-kitchen-empty").await?;
    floor.kiosk.screenshot("ordering-kiosk-attract").await?;

    let kiosk = Kiosk::new(&floor.kiosk);
    let shown = kiosk.start_order().await?;
    floor.kiosk.screenshot("ordering-kiosk-menu").await?;
    let first = shown.first().context("no product on screen")?.clone();
    // The second dish from another station, so the ticket has two groups.
    let products = floor.server.products().await?;
    let first_station = products
        .iter()
        .find(|product| product.id == first)
        .map(|product| product.station.as_str())
        .context("the first card is not a server product")?;
    let other = products
        .iter()
        .find(|product| product.is_active && product.station != first_station)
        .context("the demo menu has a single station")?;
    let second = other.id.clone();
    kiosk.add(&first).await?;
    kiosk.show_category(&other.category_id).await?;
    floor
        .kiosk
        .wait_visible(&kiosk::product(&second), REACT)
        .await?;
    kiosk.add(&second).await?;
    kiosk.increment(&first).await?;
    kiosk.note(&first, NOTE).await?;
    ensure!(
        floor.kiosk.count(kiosk::CART_LINE).await? == 2,
        "the cart should have two lines"
    );
    ensure!(
        kiosk.quantity(&second).await? == Some(1),
        "second line quantity"
    );
    let cart_total = kiosk.cart_total().await?;
    floor.kiosk.screenshot("ordering-kiosk-cart").await?;

    let tapped = Instant::now();
    kiosk.place_order().await?;
    let (number, ticket) = tokio::join!(kiosk.wait_confirmation(), async {
        let ticket = floor.wait_one_ticket(tapped + TO_KITCHEN).await?;
        println!(
            "the ticket was on the kitchen {:?} after the tap",
            tapped.elapsed()
        );
        Ok::<_, anyhow::Error>(ticket)
    });
    floor.kitchen.screenshot("ordering-kitchen-ticket").await?;
    floor
        .kiosk
        .screenshot("ordering-kiosk-confirmation")
        .await?;
    let number = number?;
    let ticket = ticket.context("the order did not reach the kitchen within 2 s of the tap")?;

    let order = floor.stored_order(&number).await?;
    let mut stored: Vec<_> = order
        .items
        .iter()
        .map(|item| {
            (
                item.product_id.as_str(),
                item.quantity,
                item.notes.as_deref(),
            )
        })
        .collect();
    stored.sort();
    let mut ordered = vec![(first.as_str(), 2, Some(NOTE)), (second.as_str(), 1, None)];
    ordered.sort();
    ensure!(
        stored == ordered,
        "the server stored {stored:?}, the customer ordered {ordered:?}"
    );
    // The server's total, written the one way both screens write money.
    let server_total = format_money(order.total_amount, &order.currency);
    ensure!(
        cart_total == server_total,
        "the kiosk's cart total reads {cart_total:?}, the server's total is {server_total:?} ({} {} minor units)",
        order.total_amount,
        order.currency
    );
    check_ticket(&ticket, &order, &cart_total)?;
    floor.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_kiosk_confirmation_follows_the_kitchen_to_ready() -> Result<()> {
    let _turn = one_at_a_time().await;
    let floor = Floor::open("ready").await?;
    let kiosk = Kiosk::new(&floor.kiosk);
    let shown = kiosk.start_order().await?;
    let product = shown.first().context("no product on screen")?;
    kiosk.add(product).await?;
    kiosk.place_order().await?;
    let number = kiosk.wait_confirmation().await?;
    floor
        .kiosk
        .wait_attr(kiosk::ORDER_STATUS, "data-status", "pending", REACT)
        .await?;
    let order = floor.stored_order(&number).await?;
    let ticket = kitchen::ticket(&order.id);
    floor.kitchen.wait_visible(&ticket, REACT).await?;

    for status in ["preparing", "ready"] {
        floor.kitchen.click(&kitchen::advance(&order.id)).await?;
        floor
            .kitchen
            .wait_attr(&ticket, "data-status", status, REACT)
            .await?;
        floor
            .kiosk
            .wait_attr(kiosk::ORDER_STATUS, "data-status", status, REACT)
            .await
            .with_context(|| format!("the kitchen moved the order to {status}"))?;
    }
    floor.kitchen.screenshot("ready-kitchen").await?;
    floor.kiosk.screenshot("ready-kiosk").await?;
    let stored = floor.stored_order(&number).await?;
    ensure!(
        stored.status.as_str() == "ready",
        "the server has the order {}, the screens say ready",
        stored.status.as_str()
    );
    floor.close().await
}

/// The kitchen's ticket shows the stored order: its id and number, every
/// line once under its station with quantity, name and note, and the same
/// total text as the kiosk's cart.
fn check_ticket(ticket: &Ticket, order: &Order, cart_total: &str) -> Result<()> {
    ensure!(
        ticket.order_id.as_deref() == Some(order.id.as_str()),
        "ticket data-order-id {:?}, order id {}",
        ticket.order_id,
        order.id
    );
    ensure!(
        ticket.number.as_deref() == Some(order.order_number.as_str()),
        "ticket-number {:?}, order number {}",
        ticket.number,
        order.order_number
    );
    ensure!(
        ticket.status.as_deref() == Some("pending"),
        "a new ticket has data-status {:?}",
        ticket.status
    );
    ensure!(
        ticket.total.as_deref() == Some(cart_total),
        "ticket-total {:?}, the kiosk's cart total {cart_total:?}",
        ticket.total
    );
    ensure!(
        ticket.items.len() == order.items.len(),
        "{} ticket-items for {} order lines: {:?}",
        ticket.items.len(),
        order.items.len(),
        ticket.items
    );
    for item in &order.items {
        let quantity = item.quantity.to_string();
        let found = ticket.items.iter().any(|shown| {
            shown.station.as_deref() == Some(item.station.as_str())
                && shown.qty.as_deref() == Some(quantity.as_str())
                && shown.name.as_deref() == Some(item.name.as_str())
                && shown.note.as_deref() == item.notes.as_deref()
        });
        ensure!(
            found,
            "no ticket-item {}x {:?} (note {:?}) under station {:?}; the ticket shows {:?}",
            item.quantity,
            item.name,
            item.notes,
            item.station,
            ticket.items
        );
    }
    Ok(())
}
