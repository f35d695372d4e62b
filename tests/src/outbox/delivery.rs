//! What reached the server: the outlet's orders collected from its feed a
//! page at a time ([`OrderLog`]), the rule every outbox test ends on
//! ([`check_delivered`]: each queued order exactly once, no other, and each
//! device's orders created in the order it placed them), and a kitchen
//! screen that must show them all.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use anyhow::{anyhow, bail, Result};
use ticketrail_protocol::Order;

use crate::{kitchen, wait, Browser, Server};

/// The orders of one outlet as the server's feed reported them, newest
/// state of each. Each [`OrderLog::refresh`] asks only for what changed
/// since the last (`since_id`), so polling it while a thousand orders
/// arrive costs the server little.
#[derive(Debug, Clone)]
pub struct OrderLog {
    outlet: String,
    since: i64,
    orders: BTreeMap<String, Order>,
}

impl OrderLog {
    /// An empty log of `outlet`'s orders.
    pub fn new(outlet: &str) -> OrderLog {
        OrderLog {
            outlet: outlet.to_owned(),
            since: 0,
            orders: BTreeMap::new(),
        }
    }

    /// Adds what the server's feed has beyond the last refresh.
    pub async fn refresh(&mut self, server: &Server) -> Result<()> {
        let url = server.url(&format!(
            "/api/orders?outlet_id={}&since_id={}",
            self.outlet, self.since
        ));
        let page: Vec<Order> = server.get_json(&url).await?;
        for order in page {
            self.since = self.since.max(order.seq);
            self.orders.insert(order.id.clone(), order);
        }
        Ok(())
    }

    /// How many orders the log holds.
    pub fn len(&self) -> usize {
        self.orders.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.orders.is_empty()
    }

    /// Every order, in the order the server created them.
    pub fn orders(&self) -> Vec<Order> {
        let mut orders: Vec<Order> = self.orders.values().cloned().collect();
        orders.sort_by_key(creation);
        orders
    }

    /// Refreshes until the log holds at least `count` orders (the server
    /// may be unreachable meanwhile).
    pub async fn wait_for(
        &mut self,
        server: &Server,
        count: usize,
        timeout: Duration,
    ) -> Result<()> {
        // The probe is called again and again; the lock lends it the log.
        let log = tokio::sync::Mutex::new(self);
        wait::until(
            &format!("{count} orders on the server"),
            timeout,
            || async {
                let mut log = log.lock().await;
                log.refresh(server).await?;
                if log.len() >= count {
                    Ok(Some(()))
                } else {
                    Err(anyhow!("the server has {} of them", log.len()))
                }
            },
        )
        .await
    }
}

/// The order in which the server created orders: its clock, then the feed
/// cursor (which is the creation order as long as an order was not changed
/// since, and the outbox tests change none).
fn creation(order: &Order) -> (i64, i64) {
    (order.created_at.timestamp_micros(), order.seq)
}

/// Checks the server's `orders` against what each device queued
/// (`devices[d]`: client order ids in the order device `d` placed them):
/// every id on the server exactly once, nothing else there, and each
/// device's orders created in the order it placed them. The error lists
/// every problem.
pub fn check_delivered(devices: &[Vec<String>], orders: &[Order]) -> Result<()> {
    let mut problems = Vec::new();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for order in orders {
        *count.entry(order.client_order_id.as_str()).or_default() += 1;
    }
    for (id, times) in &count {
        if *times > 1 {
            problems.push(format!(
                "client_order_id {id} is on the server {times} times"
            ));
        }
    }
    let queued: BTreeSet<&str> = devices.iter().flatten().map(String::as_str).collect();
    let missing: Vec<&str> = queued
        .iter()
        .copied()
        .filter(|id| !count.contains_key(id))
        .collect();
    if !missing.is_empty() {
        problems.push(format!(
            "{} queued orders never reached the server: {missing:?}",
            missing.len()
        ));
    }
    for order in orders {
        if !queued.contains(order.client_order_id.as_str()) {
            problems.push(format!(
                "order {} ({}) was never queued",
                order.order_number, order.client_order_id
            ));
        }
    }
    let mut created: Vec<&Order> = orders.iter().collect();
    created.sort_by_key(|order| creation(order));
    for (device, placed) in devices.iter().enumerate() {
        let mine: BTreeSet<&str> = placed.iter().map(String::as_str).collect();
        let arrived: Vec<&str> = created
            .iter()
            .map(|order| order.client_order_id.as_str())
            .filter(|id| mine.contains(id))
            .collect();
        let expected: Vec<&str> = placed
            .iter()
            .map(String::as_str)
            .filter(|id| count.contains_key(id))
            .collect();
        if let Some(at) = first_difference(&expected, &arrived) {
            problems.push(format!(
                "device {device}: its order #{at} placed was {:?}, the server created {:?} in that place",
                expected.get(at),
                arrived.get(at)
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        bail!("{}", problems.join("; "))
    }
}

fn first_difference(a: &[&str], b: &[&str]) -> Option<usize> {
    (0..a.len().max(b.len())).find(|&at| a.get(at) != b.get(at))
}

/// Waits until the kitchen screen in `kitchen` shows exactly the server's
/// orders of `outlet` (see [`kitchen::check_board`]); returns how many.
pub async fn wait_kitchen(
    kitchen: &Browser,
    server: &Server,
    outlet: &str,
    timeout: Duration,
) -> Result<usize> {
    wait::until(
        "the kitchen to show every order the server holds",
        timeout,
        || async {
            let orders = server.orders(outlet).await?;
            let tickets = kitchen::tickets(kitchen).await?;
            kitchen::check_board(&tickets, &orders, SystemTime::now().into())?;
            Ok(Some(orders.len()))
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use ticketrail_protocol::{OrderStatus, Timestamp};

    fn order(client_order_id: &str, created_ms: i64, seq: i64) -> Order {
        let at = Timestamp::from_timestamp_millis(created_ms).unwrap_or_default();
        Order {
            id: format!("o-{seq}"),
            client_order_id: client_order_id.to_owned(),
            order_number: format!("{seq:03}"),
            outlet_id: "1".to_owned(),
            status: OrderStatus::Pending,
            items: Vec::new(),
            total_amount: 0,
            currency: "IDR".to_owned(),
            seq,
            placed_at: at,
            created_at: at,
            updated_at: at,
        }
    }

    fn ids(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|id| id.to_string()).collect()
    }

    #[test]
    fn interleaved_devices_in_their_own_order_pass() {
        let devices = [ids(&["a1", "a2"]), ids(&["b1", "b2"])];
        let orders = [
            order("b1", 10, 1),
            order("a1", 11, 2),
            order("b2", 11, 3),
            order("a2", 12, 4),
        ];
        check_delivered(&devices, &orders).unwrap();
    }

    #[test]
    fn a_missing_a_doubled_an_unknown_and_a_swapped_order_are_all_named() {
        let devices = [ids(&["a1", "a2", "a3"]), ids(&["b1"])];
        let orders = [
            order("a2", 10, 1),
            order("a1", 11, 2),
            order("b1", 12, 3),
            order("b1", 13, 4),
            order("zz", 14, 5),
        ];
        let err = check_delivered(&devices, &orders).unwrap_err().to_string();
        for needle in [
            "b1 is on the server 2 times",
            "[\"a3\"]",
            "(zz) was never queued",
            "device 0: its order #0",
        ] {
            assert!(err.contains(needle), "{needle:?} not in {err}");
        }
    }

    #[test]
    fn the_same_millisecond_falls_back_to_the_feed_cursor() {
        let devices = [ids(&["a1", "a2"])];
        check_delivered(&devices, &[order("a2", 10, 2), order("a1", 10, 1)]).unwrap();
        assert!(check_delivered(&devices, &[order("a2", 10, 1), order("a1", 10, 2)]).is_err());
    }
}
