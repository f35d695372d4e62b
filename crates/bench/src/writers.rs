//! The writers: each loops placing orders over HTTP, as a kiosk does, until
//! the run's end. The POST start of each order goes into the book before the
//! request leaves, so fan-out latency covers the whole path from kiosk to
//! every screen.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use ticketrail_protocol::{OrderItemRequest, PlaceOrder};
use uuid::Uuid;

use crate::book::OrderBook;
use crate::catalog::Catalog;

/// What every writer needs to know; shared by all of them.
pub struct Plan {
    /// `POST` target: `{base}/api/orders/`.
    pub orders_url: String,
    /// Outlet the orders are for.
    pub outlet: String,
    /// What may be ordered.
    pub catalog: Catalog,
    /// Orders started from here on are measured (the warm-up is over).
    pub measure_from: Instant,
    /// When to stop starting new orders.
    pub stop_at: Instant,
}

/// What one writer saw besides acknowledged orders (those are in the book).
#[derive(Debug, Default)]
pub struct Tally {
    /// Failed POSTs by kind (`HTTP 500`, `timeout`, ...).
    pub errors: BTreeMap<String, u64>,
    /// POST start to 201 of each measured order: the server's durable write
    /// path alone, to tell it apart from the fan-out.
    pub ack_latencies: Vec<Duration>,
    /// The writer stopped early because the book had no room left.
    pub book_full: bool,
}

/// Places orders until `plan.stop_at`; returns the errors it met.
pub async fn run(client: reqwest::Client, plan: Arc<Plan>, book: Arc<OrderBook>) -> Tally {
    let mut rng = fastrand::Rng::new();
    let mut tally = Tally::default();
    while Instant::now() < plan.stop_at {
        let id = Uuid::new_v4();
        let order = make_order(&mut rng, id, &plan.outlet, &plan.catalog);
        let request = client
            .post(&plan.orders_url)
            .header("Idempotency-Key", order.client_order_id.as_str())
            .json(&order);
        let started = Instant::now();
        let Some(slot) = book.register(id, started) else {
            tally.book_full = true;
            break;
        };
        match post(request).await {
            Ok(()) => {
                book.ack(slot);
                if started >= plan.measure_from {
                    tally.ack_latencies.push(started.elapsed());
                }
            }
            Err(kind) => *tally.errors.entry(kind).or_default() += 1,
        }
    }
    tally
}

/// Sends one POST; `Ok` only for a 201 whose body arrived in full.
async fn post(request: reqwest::RequestBuilder) -> Result<(), String> {
    let response = request.send().await.map_err(|e| transport_error(&e))?;
    let status = response.status();
    // Reading the body to its end lets the connection go back to the pool.
    let body = response.bytes().await.map_err(|e| transport_error(&e));
    match (status, body) {
        (StatusCode::CREATED, Ok(_)) => Ok(()),
        (StatusCode::CREATED, Err(kind)) => Err(kind),
        (status, _) => Err(format!("HTTP {}", status.as_u16())),
    }
}

/// A short name for a failed request, to count alike failures together.
fn transport_error(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connect"
    } else if error.is_body() || error.is_decode() {
        "body"
    } else {
        "request"
    };
    kind.to_string()
}

/// A kiosk-like order: 1–3 distinct random products, 1–3 of each.
fn make_order(rng: &mut fastrand::Rng, id: Uuid, outlet: &str, catalog: &Catalog) -> PlaceOrder {
    let products = &catalog.product_ids;
    let lines = rng.usize(1..=3).min(products.len());
    let mut picked: Vec<&String> = Vec::with_capacity(lines);
    while picked.len() < lines {
        if let Some(product) = products.get(rng.usize(..products.len())) {
            if !picked.contains(&product) {
                picked.push(product);
            }
        }
    }
    PlaceOrder {
        client_order_id: id.to_string(),
        outlet_id: outlet.to_string(),
        items: picked
            .into_iter()
            .map(|product_id| OrderItemRequest {
                product_id: product_id.clone(),
                quantity: rng.i64(1..=3),
                notes: None,
            })
            .collect(),
        master_version: Some(catalog.master_version),
        placed_at: std::time::SystemTime::now().into(),
    }
}

#[cfg(test)]
mod tests {
    use ticketrail_protocol::validate::validate_place_order;

    use super::*;

    fn catalog(n: usize) -> Catalog {
        Catalog {
            product_ids: (1..=n).map(|i| format!("p-{i}")).collect(),
            master_version: 42,
        }
    }

    #[test]
    fn orders_are_small_distinct_and_valid() {
        let catalog = catalog(40);
        let mut rng = fastrand::Rng::with_seed(7);
        let mut sizes = [0; 4];
        for _ in 0..500 {
            let id = Uuid::new_v4();
            let order = make_order(&mut rng, id, "1", &catalog);
            assert_eq!(order.client_order_id, id.to_string());
            assert_eq!(order.outlet_id, "1");
            assert_eq!(order.master_version, Some(42));
            sizes[order.items.len()] += 1;
            for (i, item) in order.items.iter().enumerate() {
                assert!((1..=3).contains(&item.quantity));
                assert!(catalog.product_ids.contains(&item.product_id));
                assert!(order.items[..i]
                    .iter()
                    .all(|other| other.product_id != item.product_id));
            }
            validate_place_order(&order, Some(&order.client_order_id)).unwrap();
        }
        assert_eq!(sizes[0], 0);
        assert!(sizes[1..].iter().all(|&n| n > 0), "{sizes:?}");
    }

    #[test]
    fn a_one_product_menu_still_makes_orders() {
        let mut rng = fastrand::Rng::with_seed(1);
        for _ in 0..20 {
            let order = make_order(&mut rng, Uuid::new_v4(), "2", &catalog(1));
            assert_eq!(order.items.len(), 1);
            assert_eq!(order.items[0].product_id, "p-1");
        }
    }
}
