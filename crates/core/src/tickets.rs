//! The kitchen board: which tickets a kitchen display shows, in which order,
//! how old each one is and what colour its age is.
//!
//! The board holds the latest snapshot of every order the screen has seen
//! (a snapshot replaces the held one only when its `seq` is higher, so
//! duplicates and stragglers from a reconnect change nothing) and answers
//! "what is on the screen at `now`" as plain [`Ticket`] values the UI renders.
//!
//! Rules, in one place so every kitchen screen agrees:
//! - Open orders (pending, preparing, ready) are shown, oldest first.
//! - Cancelled orders stay for [`CANCELLED_VISIBLE_SECS`] after their
//!   cancellation (`updated_at`, server clock), struck through, then leave.
//! - Completed orders are hidden, except the one the cook *recalled*.
//!   Completed is terminal in the contract (no move back to ready exists), so
//!   recall is local to this screen: it re-displays the most recently
//!   completed ticket, marked as recalled, until the cook dismisses it.
//!   Recalling again steps further back through the completed tickets.
//! - Age is `now - created_at` (server clock) while the order is open and
//!   freezes at the moment it closed; its colour comes from
//!   [`AgeThresholds`] (yellow from 5 min, red from 8 min by default).
//!
//! `now` is always a parameter: the screen passes its clock corrected to the
//! server's, the tests pass whatever they like.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ticketrail_protocol::{Order, OrderItem, OrderStatus, Timestamp};

/// How long a cancelled ticket stays on the board after it was cancelled.
pub const CANCELLED_VISIBLE_SECS: i64 = 30;

/// How long a screen keeps a closed (completed or cancelled) order after it
/// closed: long enough to recall it, as long as the server's own feed
/// (`since_id=0`) offers closed orders.
pub const KEEP_CLOSED_SECS: i64 = 3_600;

/// Whether a screen still needs `order` at `now` (server clock): every open
/// order, and closed ones for [`KEEP_CLOSED_SECS`]. Screens that run for
/// days drop the rest, from memory and from storage.
pub fn worth_keeping(order: &Order, now: Timestamp) -> bool {
    !order.status.is_closed()
        || now.signed_duration_since(order.updated_at).num_seconds() < KEEP_CLOSED_SECS
}

/// Keeps `incoming` in `orders` when it is newer (higher `seq`) than the
/// snapshot held for the same order id; returns whether it was kept.
///
/// Every source of snapshots (socket catch-up, live events, the server's
/// answer to a status change) goes through this one rule, so their arrival
/// order does not matter.
pub fn merge_snapshot(orders: &mut BTreeMap<String, Order>, incoming: &Order) -> bool {
    match orders.get(&incoming.id) {
        Some(held) if held.seq >= incoming.seq => false,
        _ => {
            orders.insert(incoming.id.clone(), incoming.clone());
            true
        }
    }
}

/// How urgent a ticket looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgeClass {
    /// Younger than the warning threshold.
    Normal,
    /// At or past the warning threshold (yellow).
    Warn,
    /// At or past the late threshold (red).
    Late,
}

impl AgeClass {
    /// The value of the ticket's `data-age` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Warn => "warn",
            Self::Late => "late",
        }
    }
}

/// Why a pair of age thresholds was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ThresholdError {
    /// A threshold of zero minutes would colour every ticket at once.
    #[error("thresholds must be at least 1 minute")]
    Zero,
    /// Red must come after yellow, or yellow would never show.
    #[error("the late threshold must be later than the warning threshold")]
    LateNotAfterWarn,
    /// Longer than a kitchen shift's worth of minutes: surely a typo.
    #[error("thresholds must be at most {} minutes", AgeThresholds::MAX_MINUTES)]
    TooLong,
}

/// When a ticket turns yellow and when red, in whole minutes; always
/// `1 <= warn < late <= MAX_MINUTES`.
///
/// Stored on the screen as `{"warn_minutes": 5, "late_minutes": 8}`; a stored
/// value breaking the rule fails to deserialize, so the screen falls back to
/// the defaults instead of showing nonsense colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ThresholdMinutes", into = "ThresholdMinutes")]
pub struct AgeThresholds {
    warn_minutes: u32,
    late_minutes: u32,
}

/// The stored shape of [`AgeThresholds`], before its rule is checked.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct ThresholdMinutes {
    warn_minutes: u32,
    late_minutes: u32,
}

impl TryFrom<ThresholdMinutes> for AgeThresholds {
    type Error = ThresholdError;

    fn try_from(raw: ThresholdMinutes) -> Result<Self, Self::Error> {
        Self::from_minutes(raw.warn_minutes, raw.late_minutes)
    }
}

impl From<AgeThresholds> for ThresholdMinutes {
    fn from(thresholds: AgeThresholds) -> Self {
        Self {
            warn_minutes: thresholds.warn_minutes,
            late_minutes: thresholds.late_minutes,
        }
    }
}

impl Default for AgeThresholds {
    /// Yellow from 5 minutes, red from 8.
    fn default() -> Self {
        Self {
            warn_minutes: 5,
            late_minutes: 8,
        }
    }
}

impl AgeThresholds {
    /// The largest threshold accepted: four hours.
    pub const MAX_MINUTES: u32 = 240;

    /// Thresholds of `warn` and `late` minutes, if they make sense together.
    pub fn from_minutes(warn: u32, late: u32) -> Result<Self, ThresholdError> {
        if warn == 0 || late == 0 {
            Err(ThresholdError::Zero)
        } else if warn > Self::MAX_MINUTES || late > Self::MAX_MINUTES {
            Err(ThresholdError::TooLong)
        } else if late <= warn {
            Err(ThresholdError::LateNotAfterWarn)
        } else {
            Ok(Self {
                warn_minutes: warn,
                late_minutes: late,
            })
        }
    }

    /// Minutes after which a ticket turns yellow.
    pub fn warn_minutes(&self) -> u32 {
        self.warn_minutes
    }

    /// Minutes after which a ticket turns red.
    pub fn late_minutes(&self) -> u32 {
        self.late_minutes
    }

    /// The colour of a ticket that is `age_secs` old.
    pub fn classify(&self, age_secs: i64) -> AgeClass {
        if age_secs >= i64::from(self.late_minutes) * 60 {
            AgeClass::Late
        } else if age_secs >= i64::from(self.warn_minutes) * 60 {
            AgeClass::Warn
        } else {
            AgeClass::Normal
        }
    }
}

/// An age as the timer shows it: `mm:ss`, minutes growing past 99 rather
/// than wrapping (`125:07`); a negative age (clock skew) shows `00:00`.
pub fn format_age(age_secs: i64) -> String {
    let secs = age_secs.max(0);
    format!("{:02}:{:02}", secs / 60, secs % 60)
}

/// Which station's items a screen shows: a bar screen hides the kitchen's
/// lines, and tickets with nothing for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StationFilter {
    /// Every station (the default).
    #[default]
    All,
    /// Only this station.
    Station(String),
}

impl StationFilter {
    /// The value of the filter button's `data-station`: `all` or the
    /// station's name.
    pub fn key(&self) -> &str {
        match self {
            Self::All => "all",
            Self::Station(name) => name,
        }
    }

    /// Whether lines of `station` are shown.
    pub fn admits(&self, station: &str) -> bool {
        match self {
            Self::All => true,
            Self::Station(name) => name == station,
        }
    }
}

/// One station's lines on a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationGroup {
    /// Station name as the menu gives it (`kitchen`, `bar`).
    pub station: String,
    /// Its lines, in the order the customer added them.
    pub items: Vec<OrderItem>,
}

/// Splits an order's lines by station, stations in order of their first
/// line, so the cook reads the ticket the way it was ordered.
pub fn group_by_station(items: &[OrderItem]) -> Vec<StationGroup> {
    let mut groups: Vec<StationGroup> = Vec::new();
    for item in items {
        match groups
            .iter_mut()
            .find(|group| group.station == item.station)
        {
            Some(group) => group.items.push(item.clone()),
            None => groups.push(StationGroup {
                station: item.station.clone(),
                items: vec![item.clone()],
            }),
        }
    }
    groups
}

/// One card on the kitchen display, ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// Server id of the order.
    pub order_id: String,
    /// The number the customer holds (`042`).
    pub order_number: String,
    /// Where the order is.
    pub status: OrderStatus,
    /// Seconds since the order was placed (frozen once it closed).
    pub age_secs: i64,
    /// The colour of that age.
    pub age_class: AgeClass,
    /// Lines for the stations the screen shows.
    pub stations: Vec<StationGroup>,
    /// Order total, minor units.
    pub total_amount: i64,
    /// Currency of the total.
    pub currency: String,
    /// A completed ticket brought back by recall.
    pub recalled: bool,
}

/// Counts of what is on the board, for a summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Not started yet.
    pub pending: usize,
    /// Being made.
    pub preparing: usize,
    /// Waiting for pick-up.
    pub ready: usize,
    /// Open tickets past the late threshold.
    pub late: usize,
}

/// Counts open tickets by status (cancelled and recalled cards are not
/// work to do, so they are not counted).
pub fn summarize(tickets: &[Ticket]) -> Summary {
    let mut summary = Summary::default();
    for ticket in tickets {
        match ticket.status {
            OrderStatus::Pending => summary.pending += 1,
            OrderStatus::Preparing => summary.preparing += 1,
            OrderStatus::Ready => summary.ready += 1,
            OrderStatus::Completed | OrderStatus::Cancelled => continue,
        }
        if ticket.age_class == AgeClass::Late {
            summary.late += 1;
        }
    }
    summary
}

/// What applying a snapshot did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// A new open order placed since the screen started watching: worth a
    /// beep and a flash.
    Arrived,
    /// Replaced an older snapshot (or added an order that is not news).
    Changed,
    /// A duplicate or older snapshot; nothing changed.
    Stale,
}

/// The kitchen display's state: latest snapshots plus the recalled ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Board {
    orders: BTreeMap<String, Order>,
    recalled: Option<String>,
}

impl Board {
    /// An empty board.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one snapshot. An order seen for the first time, open, and
    /// placed at or after `watching_since` (when the screen opened, server
    /// clock) is [`Applied::Arrived`]; the catch-up of orders placed before
    /// the screen opened is not news.
    pub fn apply(&mut self, order: &Order, watching_since: Timestamp) -> Applied {
        let first_sight = !self.orders.contains_key(&order.id);
        if !merge_snapshot(&mut self.orders, order) {
            Applied::Stale
        } else if first_sight && !order.status.is_closed() && order.created_at >= watching_since {
            Applied::Arrived
        } else {
            Applied::Changed
        }
    }

    /// Latest snapshot of every order seen, by id.
    pub fn orders(&self) -> &BTreeMap<String, Order> {
        &self.orders
    }

    /// The latest snapshot of one order.
    pub fn order(&self, order_id: &str) -> Option<&Order> {
        self.orders.get(order_id)
    }

    /// Id of the recalled ticket, if one is shown.
    pub fn recalled(&self) -> Option<&str> {
        self.recalled.as_deref()
    }

    /// Brings back the most recently completed ticket or, when one is
    /// already recalled, the one completed before it. `None` (and no
    /// change) when there is nothing (further) to bring back.
    ///
    /// "Most recently completed" is the highest `seq`: completion is an
    /// order's last change and seq grows with every change in the outlet.
    pub fn recall(&mut self) -> Option<&Order> {
        let below = self
            .recalled
            .as_deref()
            .and_then(|id| self.orders.get(id))
            .map_or(i64::MAX, |order| order.seq);
        let pick = self
            .orders
            .values()
            .filter(|order| order.status == OrderStatus::Completed && order.seq < below)
            .max_by_key(|order| order.seq)?;
        self.recalled = Some(pick.id.clone());
        Some(pick)
    }

    /// Forgets the orders not [`worth_keeping`] at `now`.
    pub fn forget_old(&mut self, now: Timestamp) {
        self.orders.retain(|_, order| worth_keeping(order, now));
        if let Some(id) = &self.recalled {
            if !self.orders.contains_key(id) {
                self.recalled = None;
            }
        }
    }

    /// Hides a recalled ticket again; other ids are ignored.
    pub fn dismiss(&mut self, order_id: &str) {
        if self.recalled.as_deref() == Some(order_id) {
            self.recalled = None;
        }
    }

    /// Every station named by any order's lines, sorted, for the filter.
    pub fn stations(&self) -> Vec<String> {
        let mut stations: Vec<String> = self
            .orders
            .values()
            .flat_map(|order| order.items.iter().map(|item| item.station.clone()))
            .collect();
        stations.sort_unstable();
        stations.dedup();
        stations
    }

    /// The cards on the screen at `now`: the recalled ticket first, then
    /// the rest oldest first (ties by order number, then id, so the layout
    /// never jitters). Tickets with no line for `filter` are left out,
    /// except a recalled one, which the cook asked for explicitly and which
    /// then shows all its lines.
    pub fn tickets(
        &self,
        now: Timestamp,
        filter: &StationFilter,
        thresholds: &AgeThresholds,
    ) -> Vec<Ticket> {
        let mut shown: Vec<(&Order, bool)> = self
            .orders
            .values()
            .filter_map(|order| {
                let recalled = self.recalled.as_deref() == Some(order.id.as_str())
                    && order.status == OrderStatus::Completed;
                is_visible(order, now, recalled).then_some((order, recalled))
            })
            .collect();
        shown.sort_by(|(a, a_recalled), (b, b_recalled)| {
            b_recalled
                .cmp(a_recalled)
                .then(a.created_at.cmp(&b.created_at))
                .then(a.order_number.cmp(&b.order_number))
                .then(a.id.cmp(&b.id))
        });
        shown
            .into_iter()
            .filter_map(|(order, recalled)| {
                let all = group_by_station(&order.items);
                let mut stations: Vec<StationGroup> = all
                    .iter()
                    .filter(|group| filter.admits(&group.station))
                    .cloned()
                    .collect();
                if stations.is_empty() {
                    if !recalled {
                        return None;
                    }
                    stations = all;
                }
                let age_secs = age_secs(order, now);
                Some(Ticket {
                    order_id: order.id.clone(),
                    order_number: order.order_number.clone(),
                    status: order.status,
                    age_secs,
                    age_class: thresholds.classify(age_secs),
                    stations,
                    total_amount: order.total_amount,
                    currency: order.currency.clone(),
                    recalled,
                })
            })
            .collect()
    }
}

/// Whether an order has a card at `now` (see the module rules).
fn is_visible(order: &Order, now: Timestamp, recalled: bool) -> bool {
    match order.status {
        OrderStatus::Pending | OrderStatus::Preparing | OrderStatus::Ready => true,
        OrderStatus::Cancelled => {
            now.signed_duration_since(order.updated_at).num_seconds() < CANCELLED_VISIBLE_SECS
        }
        OrderStatus::Completed => recalled,
    }
}

/// Seconds since the order was placed; a closed order's clock stopped when
/// it closed, so a recalled ticket shows how long it took.
fn age_secs(order: &Order, now: Timestamp) -> i64 {
    let until = if order.status.is_closed() {
        order.updated_at
    } else {
        now
    };
    until
        .signed_duration_since(order.created_at)
        .num_seconds()
        .max(0)
}

#[cfg(test)]
mod tests;
