//! The single writer: group commit for every write of the server.
//!
//! One task, on a thread of its own, owns the only write connection. Handlers queue commands with a
//! reply channel; the writer takes the first, drains whatever else is
//! already queued (up to [`MAX_BATCH`]) and runs them all in one transaction,
//! each inside its own savepoint so a failing command (unknown product,
//! illegal move, duplicate id) rolls back only itself. One `COMMIT` — one
//! WAL fsync — covers the batch; only then are the in-memory seqs, master
//! version and menu advanced, the callers answered and the events published
//! in commit order. Under load, batches grow by themselves: the more
//! requests arrive during one fsync, the more the next one carries.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::Utc;
use sqlx::{Connection, SqliteConnection};
use ticketrail_core::{price_order, transition, PricingError};
use ticketrail_protocol::{Order, OrderEventKind, PlaceOrder, ServerMessage, StatusChange};
use tokio::sync::{mpsc, oneshot};

use super::access_ops::{self, AccessOutcome, AccessWrite};
use super::master::{self, MasterOutcome, MasterWrite};
use super::menu::Menu;
use super::outlets::Outlets;
use super::{orders, Placed, StoreError};
use crate::events::Hub;

/// Most commands in one transaction; bounds the latency one batch adds.
const MAX_BATCH: usize = 256;

/// What the writer's queue carries.
// Nearly every message is `Run`; boxing it would add an allocation per write
// and save nothing, since the queue's slots hold the large variant anyway.
#[allow(clippy::large_enum_variant)]
pub(super) enum Request {
    /// A write to execute.
    Run(Command),
    /// Finish what is queued, then close the connection and answer.
    Close(oneshot::Sender<()>),
}

/// One write and where to send its result.
pub(super) struct Command {
    pub(super) op: Op,
    pub(super) reply: oneshot::Sender<Result<Outcome, StoreError>>,
}

/// The writes the store knows.
pub(super) enum Op {
    Place(PlaceOrder),
    Status { order_id: i64, change: StatusChange },
    Master(MasterWrite),
    Access(AccessWrite),
}

/// A write's result.
#[derive(Debug)]
pub(super) enum Outcome {
    Placed(Placed),
    /// `event` is `None` for a repeated `request_id` (nothing changed).
    Status {
        order: Order,
        event: Option<OrderEventKind>,
    },
    Master(MasterOutcome),
    Access(AccessOutcome),
}

impl Outcome {
    /// Name for error messages.
    pub(super) fn name(&self) -> &'static str {
        match self {
            Self::Placed(_) => "placed",
            Self::Status { .. } => "status",
            Self::Master(_) => "master",
            Self::Access(_) => "access",
        }
    }

    /// The event this outcome announces, with the outlet it is for
    /// (`None`: every outlet).
    fn event(&self) -> Option<(Option<String>, ServerMessage)> {
        match self {
            Self::Placed(placed) if placed.created => Some((
                Some(placed.order.outlet_id.clone()),
                ServerMessage::order_event(
                    OrderEventKind::NewOrder,
                    placed.order.clone(),
                    placed.order.updated_at,
                ),
            )),
            Self::Status {
                order,
                event: Some(kind),
            } => Some((
                Some(order.outlet_id.clone()),
                ServerMessage::order_event(*kind, order.clone(), order.updated_at),
            )),
            Self::Master(outcome) => Some((None, outcome.message())),
            _ => None,
        }
    }
}

/// The writer task's state.
pub(super) struct Writer {
    conn: SqliteConnection,
    /// The menu as committed; a batch that changes it works on a copy.
    menu: Menu,
    outlets: Arc<Outlets>,
    master_version: Arc<AtomicI64>,
    hub: Hub,
}

impl Writer {
    pub(super) fn new(
        conn: SqliteConnection,
        menu: Menu,
        outlets: Arc<Outlets>,
        master_version: Arc<AtomicI64>,
        hub: Hub,
    ) -> Self {
        Self {
            conn,
            menu,
            outlets,
            master_version,
            hub,
        }
    }

    /// Runs until the queue closes or a `Close` request arrives.
    pub(super) async fn run(mut self, mut queue: mpsc::Receiver<Request>) {
        let mut closing = None;
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while closing.is_none() {
            let Some(first) = queue.recv().await else {
                break;
            };
            let mut next = Some(first);
            while let Some(request) = next {
                match request {
                    Request::Run(command) => batch.push(command),
                    Request::Close(done) => closing = Some(done),
                }
                next = if batch.len() < MAX_BATCH {
                    queue.try_recv().ok()
                } else {
                    None
                };
            }
            self.run_batch(std::mem::take(&mut batch)).await;
        }
        // Commands queued after the close request are dropped; their callers
        // see `StoreError::Closed`.
        queue.close();
        self.shut_down().await;
        if let Some(done) = closing {
            let _ = done.send(());
        }
    }

    async fn shut_down(mut self) {
        // Fold the WAL into the main file so the database is one clean file.
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut self.conn)
            .await
        {
            tracing::warn!(%error, "checkpoint at shutdown failed");
        }
        match self.conn.close().await {
            Ok(()) => tracing::info!("database closed"),
            Err(error) => tracing::error!(%error, "closing the database failed"),
        }
    }

    async fn run_batch(&mut self, batch: Vec<Command>) {
        if batch.is_empty() {
            return;
        }
        let (ops, replies): (Vec<Op>, Vec<_>) = batch.into_iter().map(|c| (c.op, c.reply)).unzip();
        let mut staged_menu = None;
        let (results, events) = match self.execute_all(ops, &mut staged_menu).await {
            Ok(results) => {
                self.advance(&results, staged_menu);
                let events: Vec<_> = results
                    .iter()
                    .flatten()
                    .filter_map(Outcome::event)
                    .collect();
                (results, events)
            }
            Err(error) => {
                tracing::error!(%error, commands = replies.len(), "write batch failed");
                let failed = replies
                    .iter()
                    .map(|_| Err(StoreError::BatchFailed))
                    .collect();
                (failed, Vec::new())
            }
        };
        // Answer before publishing: the callers' tasks are then queued ahead
        // of the socket wake-ups the events cause, so a thousand screens do
        // not delay the acknowledgements (or the next orders behind them).
        for (reply, result) in replies.into_iter().zip(results) {
            // A caller that gave up (client went away) is not an error: the
            // write stands either way.
            let _ = reply.send(result);
        }
        self.hub.publish(&events);
    }

    /// Runs `ops` in one transaction. `Err` means the transaction as a whole
    /// failed and nothing was written; otherwise each command has its own
    /// result and the successful ones are committed.
    async fn execute_all(
        &mut self,
        ops: Vec<Op>,
        staged_menu: &mut Option<Menu>,
    ) -> Result<Vec<Result<Outcome, StoreError>>, sqlx::Error> {
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut self.conn)
            .await?;
        let mut results = Vec::with_capacity(ops.len());
        for op in ops {
            match self.execute_in_savepoint(op, staged_menu).await {
                Ok(result) => results.push(result),
                Err(error) => {
                    self.roll_back().await;
                    return Err(error);
                }
            }
        }
        if let Err(error) = sqlx::query("COMMIT").execute(&mut self.conn).await {
            self.roll_back().await;
            return Err(error);
        }
        Ok(results)
    }

    async fn roll_back(&mut self) {
        if let Err(error) = sqlx::query("ROLLBACK").execute(&mut self.conn).await {
            tracing::error!(%error, "rollback failed");
        }
    }

    /// `Ok(Err(_))`: the command failed and only its savepoint was rolled
    /// back. `Err(_)`: the savepoint itself failed; the batch is lost.
    async fn execute_in_savepoint(
        &mut self,
        op: Op,
        staged_menu: &mut Option<Menu>,
    ) -> Result<Result<Outcome, StoreError>, sqlx::Error> {
        sqlx::query("SAVEPOINT command")
            .execute(&mut self.conn)
            .await?;
        let result = self.execute(op, staged_menu).await;
        if result.is_err() {
            sqlx::query("ROLLBACK TO command")
                .execute(&mut self.conn)
                .await?;
        }
        sqlx::query("RELEASE command")
            .execute(&mut self.conn)
            .await?;
        Ok(result)
    }

    async fn execute(
        &mut self,
        op: Op,
        staged_menu: &mut Option<Menu>,
    ) -> Result<Outcome, StoreError> {
        let now = Utc::now();
        match op {
            Op::Place(input) => {
                // The idempotency check comes first: a replay gets the stored
                // order even if its products have left the menu since.
                if let Some(existing) =
                    orders::find_by_client_id(&mut self.conn, &input.client_order_id).await?
                {
                    return Ok(Outcome::Placed(Placed {
                        order: existing.order,
                        created: false,
                    }));
                }
                let outlet = self
                    .outlets
                    .find(&mut self.conn, &input.outlet_id)
                    .await?
                    .ok_or_else(|| {
                        StoreError::NotFound(format!("no outlet with id \"{}\"", input.outlet_id))
                    })?;
                let menu = staged_menu.as_ref().unwrap_or(&self.menu);
                let priced = price_order(&input.items, &menu.products, &menu.promotions, now)
                    .map_err(pricing_error)?;
                let order = orders::insert(&mut self.conn, &outlet, input, priced, now).await?;
                Ok(Outcome::Placed(Placed {
                    order,
                    created: true,
                }))
            }
            Op::Status { order_id, change } => {
                let not_found = || StoreError::NotFound(format!("no order with id \"{order_id}\""));
                match orders::request_owner(&mut self.conn, &change.request_id).await? {
                    Some(owner) if owner == order_id => {
                        let current = orders::find(&mut self.conn, order_id)
                            .await?
                            .ok_or_else(not_found)?;
                        return Ok(Outcome::Status {
                            order: current.order,
                            event: None,
                        });
                    }
                    Some(_) => {
                        return Err(StoreError::Conflict(
                            "request_id was already used for a different order".into(),
                        ))
                    }
                    None => {}
                }
                let current = orders::find(&mut self.conn, order_id)
                    .await?
                    .ok_or_else(not_found)?;
                let kind = transition(current.order.status, change.status)
                    .map_err(|e| StoreError::InvalidTransition(e.to_string()))?;
                let order = orders::set_status(
                    &mut self.conn,
                    order_id,
                    current.order,
                    change.status,
                    kind,
                    &change.request_id,
                    now,
                )
                .await?;
                Ok(Outcome::Status {
                    order,
                    event: Some(kind),
                })
            }
            Op::Master(write) => {
                let outcome = master::apply(&mut self.conn, write, now).await?;
                // Copy the menu on the batch's first master write; orders
                // later in the same batch must see it, as the database does.
                staged_menu
                    .get_or_insert_with(|| self.menu.clone())
                    .apply(&outcome);
                Ok(Outcome::Master(outcome))
            }
            Op::Access(write) => Ok(Outcome::Access(
                access_ops::apply(&mut self.conn, write, now).await?,
            )),
        }
    }

    /// Advances the in-memory state to what was just committed.
    fn advance(&mut self, results: &[Result<Outcome, StoreError>], staged_menu: Option<Menu>) {
        if let Some(menu) = staged_menu {
            self.menu = menu;
        }
        for outcome in results.iter().flatten() {
            match outcome {
                Outcome::Placed(Placed { order, .. }) | Outcome::Status { order, .. } => {
                    if let Some(outlet) = self.outlets.get(&order.outlet_id) {
                        outlet.raise_seq(order.seq);
                    }
                }
                Outcome::Master(change) => {
                    self.master_version
                        .fetch_max(change.version(), Ordering::AcqRel);
                }
                Outcome::Access(AccessOutcome::OutletCreated(outlet)) => {
                    self.outlets.insert(outlet.clone());
                }
                Outcome::Access(AccessOutcome::ProfileChanged { outlet_id, profile }) => {
                    if let Some(outlet) = self.outlets.get(outlet_id) {
                        outlet.set_profile(profile.clone());
                    }
                }
                Outcome::Access(_) => {}
            }
        }
    }
}

fn pricing_error(error: PricingError) -> StoreError {
    match error {
        PricingError::UnknownProduct(_) => StoreError::UnknownProduct(error.to_string()),
        PricingError::MixedCurrency | PricingError::Overflow => {
            StoreError::Invalid(error.to_string())
        }
    }
}
