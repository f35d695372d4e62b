//! Part (a): kiosk POST to kitchen ticket painted, in two headless Chromium
//! browsers (separate processes and profiles, like two devices) on one
//! release server.
//!
//! The kitchen is kept busy the way a real one is: before measuring, the
//! board is filled with `--open-tickets` orders (default 30) spread over the
//! workflow (a sixth ready, a third preparing, the rest pending). After each
//! order the bench turns the conveyor through the API: the oldest ready
//! ticket is completed (it leaves the board), the oldest preparing one
//! becomes ready and the oldest pending one starts preparing. So every
//! order lands on a board of the same size with the same mix, and the
//! kitchen also renders three status changes between orders, as it would
//! during a rush. `--open-tickets 0` turns this off: the board then grows
//! by one ticket per order.
//!
//! Orders go one at a time: the next is sent only after the previous
//! ticket and the conveyor's moves are painted and the kitchen has been
//! quiet for 30 ms (longer than the server's 20 ms per-socket coalescing
//! hold), so each sample is one order alone on an otherwise idle page.

use std::collections::VecDeque;
use std::path::PathBuf;

use anyhow::{ensure, Context, Result};
use serde_json::json;
use ticketrail_e2e::kiosk::Kiosk;
use ticketrail_e2e::ui::{connection, MOUNT};
use ticketrail_e2e::{Browser, Env, Server};
use ticketrail_protocol::{OrderItemRequest, OrderStatus, Product};

use crate::pages::{self, Stamps};
use crate::{cpu, Args, OUTLET};

/// How often to say how far the run is.
const PROGRESS_EVERY: usize = 50;

/// One measured order, ms after the kiosk's POST started.
pub struct Sample {
    /// The POST's answer arrived at the kiosk.
    pub answered: f64,
    /// The ticket was in the kitchen's DOM.
    pub inserted: f64,
    /// The next frame on the kitchen began.
    pub frame: f64,
    /// That frame was rendered: the ticket is on screen.
    pub painted: f64,
}

/// What part (a) measured.
pub struct PaintRun {
    /// One per measured order, in order.
    pub samples: Vec<Sample>,
    /// Open tickets on the kitchen board when each measured order was sent.
    pub open_when_sent: Vec<usize>,
    /// Each page's epoch clock minus its `Date.now()`: (kiosk, kitchen), ms.
    pub clock_offsets: (f64, f64),
    /// Load averages before and after.
    pub load: (String, String),
    /// The kitchen at the end of the run.
    pub screenshot: PathBuf,
}

/// The kitchen board as the bench drives it: open tickets by status,
/// oldest first.
#[derive(Default)]
struct Board {
    pending: VecDeque<String>,
    preparing: VecDeque<String>,
    ready: VecDeque<String>,
}

/// One status change the bench asks for.
struct Move {
    order_id: String,
    to: OrderStatus,
}

impl Board {
    fn open(&self) -> usize {
        self.pending.len() + self.preparing.len() + self.ready.len()
    }

    /// One turn of the conveyor: each move in the order the API must see
    /// it (a ticket moved twice is moved in workflow order).
    fn turn(&mut self) -> Vec<Move> {
        let mut moves = Vec::new();
        if let Some(order_id) = self.ready.pop_front() {
            moves.push(Move {
                order_id,
                to: OrderStatus::Completed,
            });
        }
        if let Some(order_id) = self.preparing.pop_front() {
            moves.push(Move {
                order_id: order_id.clone(),
                to: OrderStatus::Ready,
            });
            self.ready.push_back(order_id);
        }
        if let Some(order_id) = self.pending.pop_front() {
            moves.push(Move {
                order_id: order_id.clone(),
                to: OrderStatus::Preparing,
            });
            self.preparing.push_back(order_id);
        }
        moves
    }

    /// Moves the oldest pending tickets on until a sixth of the board is
    /// ready and a third preparing; the moves in API order.
    fn stage(&mut self) -> Vec<Move> {
        let open = self.open();
        let mut moves = Vec::new();
        while self.ready.len() < open / 6 {
            let Some(order_id) = self.pending.pop_front() else {
                break;
            };
            for to in [OrderStatus::Preparing, OrderStatus::Ready] {
                moves.push(Move {
                    order_id: order_id.clone(),
                    to,
                });
            }
            self.ready.push_back(order_id);
        }
        while self.preparing.len() < open / 3 {
            let Some(order_id) = self.pending.pop_front() else {
                break;
            };
            moves.push(Move {
                order_id: order_id.clone(),
                to: OrderStatus::Preparing,
            });
            self.preparing.push_back(order_id);
        }
        moves
    }
}

/// Runs part (a) on `server`; both browsers are closed when it returns.
pub async fn run(env: &Env, server: &Server, args: &Args) -> Result<PaintRun> {
    let load_before = cpu::load_average()?;
    let menu = server.active_products().await?;
    let kitchen = Browser::open(env, "feed-bench-kitchen").await?;
    kitchen
        .open_screen(server, &server.url(&format!("/kitchen?outlet={OUTLET}")))
        .await?;
    kitchen.wait_visible(&connection("live"), MOUNT).await?;
    pages::install_probe(&kitchen).await?;

    let kiosk_browser = Browser::open(env, "feed-bench-kiosk").await?;
    Kiosk::new(&kiosk_browser).open(server).await?;
    kiosk_browser
        .wait_visible(&connection("live"), MOUNT)
        .await?;
    let clock_offsets = (
        pages::clock_offset(&kiosk_browser).await?,
        pages::clock_offset(&kitchen).await?,
    );

    // The kiosk's own credential, as the app sends it with each order.
    let token = server.token("kiosk", Some(OUTLET)).await?;
    let api = Api::new(server);
    let mut board = Board::default();
    let mut placed = 0;
    for _ in 0..args.open_tickets {
        let (order_id, _) = one_order(&kiosk_browser, &token, &kitchen, &menu, placed).await?;
        placed += 1;
        board.pending.push_back(order_id);
        pages::settle(&kitchen, &[]).await?;
    }
    let staging = board.stage();
    api.apply(&kitchen, &staging).await?;

    let mut samples = Vec::new();
    let mut open_when_sent = Vec::new();
    for number in 0..args.warmup + args.orders {
        let open = board.open();
        let (order_id, sample) = one_order(&kiosk_browser, &token, &kitchen, &menu, placed).await?;
        placed += 1;
        if number >= args.warmup {
            samples.push(sample);
            open_when_sent.push(open);
            if samples.len() % PROGRESS_EVERY == 0 {
                println!("    {} of {} orders measured", samples.len(), args.orders);
            }
        }
        board.pending.push_back(order_id);
        let moves = match args.open_tickets {
            0 => Vec::new(),
            _ => board.turn(),
        };
        api.apply(&kitchen, &moves).await?;
    }
    // For a look at the board the orders landed on.
    let screenshot = kitchen.screenshot("feed-bench-kitchen").await?;
    kiosk_browser.close().await?;
    kitchen.close().await?;
    Ok(PaintRun {
        samples,
        open_when_sent,
        clock_offsets,
        load: (load_before, cpu::load_average()?),
        screenshot,
    })
}

/// Sends order number `number` (from 0) from the kiosk with its `token`
/// and waits until
/// the kitchen painted its ticket, the `number`-th new one there.
async fn one_order(
    kiosk: &Browser,
    token: &str,
    kitchen: &Browser,
    menu: &[Product],
    number: usize,
) -> Result<(String, Sample)> {
    let lines = lines_of(menu, number);
    let (placed, stamps) = tokio::join!(
        pages::place(kiosk, token, OUTLET, &lines),
        pages::painted(kitchen, number)
    );
    let (placed, stamps) = (placed?, stamps?);
    let Stamps {
        id,
        inserted,
        frame,
        painted,
    } = stamps;
    ensure!(
        id == placed.order.id,
        "the kitchen painted a ticket for order {id}; order {} was sent",
        placed.order.id
    );
    let since_start = |stamp: f64| stamp - placed.start;
    let sample = Sample {
        answered: since_start(placed.answered),
        inserted: since_start(inserted),
        frame: since_start(frame),
        painted: since_start(painted),
    };
    Ok((placed.order.id, sample))
}

/// A varied but reproducible cart for order `number`: one to three lines
/// of different products (so both stations show up), quantity one or two.
fn lines_of(menu: &[Product], number: usize) -> Vec<OrderItemRequest> {
    (0..1 + number % 3)
        .map(|line| OrderItemRequest {
            product_id: menu[(number * 7 + line * 13) % menu.len()].id.clone(),
            quantity: 1 + ((number + line) % 2) as i64,
            notes: None,
        })
        .collect()
}

/// The status endpoint, as the kitchen's buttons would call it.
struct Api<'a> {
    server: &'a Server,
    http: reqwest::Client,
}

impl<'a> Api<'a> {
    fn new(server: &'a Server) -> Api<'a> {
        Api {
            server,
            http: reqwest::Client::new(),
        }
    }

    /// Sends `moves` one by one, then waits until the kitchen shows every
    /// moved ticket in its last status (completed ones gone) and has been
    /// quiet for a moment (see [`pages::settle`]); with no moves, only the
    /// latter.
    async fn apply(&self, kitchen: &Browser, moves: &[Move]) -> Result<()> {
        for change in moves {
            let url = self
                .server
                .url(&format!("/api/orders/{}/status", change.order_id));
            let status = change.to.as_str();
            self.http
                .post(&url)
                .bearer_auth(self.server.admin_token())
                .json(&json!({
                    "status": status,
                    "request_id": format!("feed-bench-{}-{status}", change.order_id),
                }))
                .send()
                .await?
                .error_for_status()
                .with_context(|| format!("moving order {} to {status}", change.order_id))?;
        }
        let mut expected: Vec<(String, Option<&str>)> = Vec::new();
        for change in moves {
            let shown = (change.to != OrderStatus::Completed).then(|| change.to.as_str());
            expected.retain(|(id, _)| *id != change.order_id);
            expected.push((change.order_id.clone(), shown));
        }
        pages::settle(kitchen, &expected).await
    }
}

#[cfg(test)]
mod tests {
    use super::Board;

    fn board(pending: usize) -> Board {
        Board {
            pending: (0..pending).map(|n| n.to_string()).collect(),
            ..Board::default()
        }
    }

    #[test]
    fn staging_spreads_the_board_over_the_workflow() {
        let mut board = board(30);
        let moves = board.stage();
        assert_eq!(
            (
                board.pending.len(),
                board.preparing.len(),
                board.ready.len()
            ),
            (15, 10, 5)
        );
        assert_eq!(moves.len(), 5 * 2 + 10);
        assert_eq!(board.ready.front().map(String::as_str), Some("0"));
    }

    #[test]
    fn a_turn_keeps_the_board_size_once_a_new_order_arrived() {
        let mut board = board(30);
        board.stage();
        board.pending.push_back("new".to_owned());
        let moves = board.turn();
        assert_eq!(moves.len(), 3);
        assert_eq!(board.open(), 30);
        assert_eq!(
            (
                board.pending.len(),
                board.preparing.len(),
                board.ready.len()
            ),
            (15, 10, 5)
        );
    }
}
