//! The ledger of every order the bench posts: when its POST started, whether
//! it was acknowledged, how many sockets have seen its `new_order` event and
//! when the last one did.
//!
//! Writers register an order (taking its start time) before sending it;
//! socket readers find it by `client_order_id` and count deliveries. All
//! times are nanoseconds since one `Instant` of this process, so every
//! latency is measured on the same monotonic clock. Records live in a slab
//! allocated up front and only touched through atomics, so the hot path of
//! a reader is one read-locked hash lookup and a few atomic operations.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use tokio::sync::Notify;
use uuid::Uuid;

/// One posted order.
#[derive(Default)]
struct Record {
    /// When the POST started.
    sent_ns: AtomicU64,
    /// The server answered 201, so the order is durable.
    acked: AtomicBool,
    /// Sockets that received the order's `new_order` event.
    deliveries: AtomicU32,
    /// When the latest of those sockets received it.
    last_ns: AtomicU64,
}

/// A slot in the book, handed to the writer that registered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot(u32);

/// What a socket reader learns from one `new_order` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Not an order this bench posted (or an id that does not parse).
    Unknown,
    /// Counted; `latency` is set when the order belongs to the measured window.
    Counted {
        /// Receipt time minus POST start, for measured orders only.
        latency: Option<Duration>,
    },
}

/// What the book says about all acknowledged orders once the run is over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Orders acknowledged with 201, warm-up included.
    pub acked: u64,
    /// Acknowledged orders whose POST started inside the measured window.
    pub acked_measured: u64,
    /// Fan-out latency (last socket's receipt minus POST start) of every
    /// measured acknowledged order that reached all sockets.
    pub fan_out: Vec<Duration>,
    /// Acknowledged orders that did not reach every socket.
    pub missing: u64,
    /// A few of their `client_order_id`s, to look for in the server's log.
    pub missing_examples: Vec<String>,
    /// Deliveries beyond one per socket (an order seen twice on one socket).
    pub duplicates: u64,
}

/// How many missing orders the outcome names.
const MISSING_EXAMPLES: usize = 5;

/// The shared ledger; see the module docs.
pub struct OrderBook {
    epoch: Instant,
    measure_from_ns: u64,
    records: Box<[Record]>,
    ids: RwLock<HashMap<Uuid, u32>>,
    next: AtomicUsize,
    sockets: AtomicU32,
    progress: Notify,
}

impl OrderBook {
    /// A book for at most `capacity` orders whose measured window starts
    /// `warmup` after `epoch`.
    pub fn new(epoch: Instant, warmup: Duration, capacity: usize) -> Self {
        Self {
            epoch,
            measure_from_ns: nanos(warmup),
            records: (0..capacity).map(|_| Record::default()).collect(),
            ids: RwLock::new(HashMap::with_capacity(capacity)),
            next: AtomicUsize::new(0),
            sockets: AtomicU32::new(u32::MAX),
            progress: Notify::new(),
        }
    }

    /// Sets how many sockets must see an order for it to count as fanned
    /// out to all; called once the connect phase is over, before any order.
    pub fn set_sockets(&self, sockets: u32) {
        self.sockets.store(sockets, Ordering::Release);
    }

    /// Takes a slot for `id` and stamps its POST start with `now`. `None`
    /// when the book is full.
    pub fn register(&self, id: Uuid, now: Instant) -> Option<Slot> {
        let index = self.next.fetch_add(1, Ordering::Relaxed);
        let record = self.records.get(index)?;
        let slot = u32::try_from(index).ok()?;
        record
            .sent_ns
            .store(self.since_epoch(now), Ordering::Relaxed);
        // Publishing through the lock orders the store above before any
        // reader that finds the id.
        self.ids
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, slot);
        Some(Slot(slot))
    }

    /// Marks the order as acknowledged (201: durable).
    pub fn ack(&self, slot: Slot) {
        if let Some(record) = self.records.get(slot.0 as usize) {
            record.acked.store(true, Ordering::Release);
        }
    }

    /// Counts one socket's receipt, at `now`, of the `new_order` event for
    /// `client_order_id`.
    pub fn deliver(&self, client_order_id: &str, now: Instant) -> Delivery {
        let Ok(id) = Uuid::try_parse(client_order_id) else {
            return Delivery::Unknown;
        };
        let found = self
            .ids
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
            .copied();
        let Some(record) = found.and_then(|slot| self.records.get(slot as usize)) else {
            return Delivery::Unknown;
        };
        let received_ns = self.since_epoch(now);
        record.last_ns.fetch_max(received_ns, Ordering::Relaxed);
        let seen = record.deliveries.fetch_add(1, Ordering::AcqRel) + 1;
        if seen == self.sockets.load(Ordering::Acquire) {
            self.progress.notify_one();
        }
        let sent_ns = record.sent_ns.load(Ordering::Relaxed);
        let latency = (sent_ns >= self.measure_from_ns)
            .then(|| Duration::from_nanos(received_ns.saturating_sub(sent_ns)));
        Delivery::Counted { latency }
    }

    /// Waits until every acknowledged order has reached every socket, or
    /// until `deadline`. True when nothing is left in flight.
    pub async fn drained(&self, deadline: tokio::time::Instant) -> bool {
        loop {
            // `notify_one` keeps a permit when nobody waits, so progress made
            // between this check and the wait below is not lost.
            if self.in_flight() == 0 {
                return true;
            }
            let progress = self.progress.notified();
            if tokio::time::timeout_at(deadline, progress).await.is_err() {
                return self.in_flight() == 0;
            }
        }
    }

    /// Tallies every acknowledged order once writers and readers are done.
    pub fn outcome(&self) -> Outcome {
        let sockets = self.sockets.load(Ordering::Acquire);
        let mut outcome = Outcome::default();
        let ids = self.ids.read().unwrap_or_else(|e| e.into_inner());
        let mut missing_slots = Vec::new();
        for (slot, record) in self.used().iter().enumerate() {
            let deliveries = record.deliveries.load(Ordering::Acquire);
            outcome.duplicates += u64::from(deliveries.saturating_sub(sockets));
            if !record.acked.load(Ordering::Acquire) {
                continue;
            }
            outcome.acked += 1;
            let sent_ns = record.sent_ns.load(Ordering::Relaxed);
            let measured = sent_ns >= self.measure_from_ns;
            outcome.acked_measured += u64::from(measured);
            if deliveries < sockets {
                outcome.missing += 1;
                if missing_slots.len() < MISSING_EXAMPLES {
                    missing_slots.push(slot as u32);
                }
            } else if measured {
                let last_ns = record.last_ns.load(Ordering::Relaxed);
                outcome
                    .fan_out
                    .push(Duration::from_nanos(last_ns.saturating_sub(sent_ns)));
            }
        }
        outcome.missing_examples = ids
            .iter()
            .filter(|(_, slot)| missing_slots.contains(slot))
            .map(|(id, _)| id.to_string())
            .collect();
        outcome
    }

    /// Acknowledged orders that some socket has not seen yet.
    fn in_flight(&self) -> usize {
        let sockets = self.sockets.load(Ordering::Acquire);
        self.used()
            .iter()
            .filter(|r| {
                r.acked.load(Ordering::Acquire) && r.deliveries.load(Ordering::Acquire) < sockets
            })
            .count()
    }

    /// The records handed out so far.
    fn used(&self) -> &[Record] {
        let used = self.next.load(Ordering::Acquire).min(self.records.len());
        &self.records[..used]
    }

    fn since_epoch(&self, now: Instant) -> u64 {
        nanos(now.saturating_duration_since(self.epoch))
    }
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WARMUP: Duration = Duration::from_secs(2);

    fn book(sockets: u32) -> (OrderBook, Instant) {
        let epoch = Instant::now();
        let book = OrderBook::new(epoch, WARMUP, 4);
        book.set_sockets(sockets);
        (book, epoch)
    }

    #[test]
    fn fan_out_is_the_last_receipt_minus_the_start() {
        let (book, epoch) = book(2);
        let id = Uuid::new_v4();
        let sent = epoch + WARMUP + Duration::from_millis(1);
        let slot = book.register(id, sent).unwrap();
        book.ack(slot);
        let first = book.deliver(&id.to_string(), sent + Duration::from_millis(3));
        let second = book.deliver(&id.to_string(), sent + Duration::from_millis(7));
        assert_eq!(
            first,
            Delivery::Counted {
                latency: Some(Duration::from_millis(3))
            }
        );
        assert_eq!(
            second,
            Delivery::Counted {
                latency: Some(Duration::from_millis(7))
            }
        );
        let outcome = book.outcome();
        assert_eq!(outcome.acked, 1);
        assert_eq!(outcome.acked_measured, 1);
        assert_eq!(outcome.fan_out, vec![Duration::from_millis(7)]);
        assert_eq!(outcome.missing, 0);
    }

    #[test]
    fn warm_up_orders_are_checked_but_not_measured() {
        let (book, epoch) = book(1);
        let id = Uuid::new_v4();
        let slot = book.register(id, epoch).unwrap();
        book.ack(slot);
        let delivery = book.deliver(&id.to_string(), epoch + Duration::from_millis(5));
        assert_eq!(delivery, Delivery::Counted { latency: None });
        let outcome = book.outcome();
        assert_eq!((outcome.acked, outcome.acked_measured), (1, 0));
        assert!(outcome.fan_out.is_empty());
    }

    #[test]
    fn an_acked_order_short_of_a_socket_is_missing() {
        let (book, epoch) = book(3);
        let id = Uuid::new_v4();
        let slot = book.register(id, epoch + WARMUP).unwrap();
        book.ack(slot);
        book.deliver(&id.to_string(), epoch + WARMUP);
        let outcome = book.outcome();
        assert_eq!(outcome.missing, 1);
        assert_eq!(outcome.missing_examples, vec![id.to_string()]);
        assert!(outcome.fan_out.is_empty());
    }

    #[test]
    fn unacknowledged_orders_are_not_missing_and_strangers_are_unknown() {
        let (book, epoch) = book(1);
        book.register(Uuid::new_v4(), epoch).unwrap();
        assert_eq!(
            book.deliver(&Uuid::new_v4().to_string(), epoch),
            Delivery::Unknown
        );
        assert_eq!(book.deliver("not-a-uuid", epoch), Delivery::Unknown);
        let outcome = book.outcome();
        assert_eq!((outcome.acked, outcome.missing), (0, 0));
    }

    #[test]
    fn counts_duplicates_and_refuses_past_capacity() {
        let (book, epoch) = book(1);
        let id = Uuid::new_v4();
        book.ack(book.register(id, epoch).unwrap());
        book.deliver(&id.to_string(), epoch);
        book.deliver(&id.to_string(), epoch);
        for _ in 0..3 {
            assert!(book.register(Uuid::new_v4(), epoch).is_some());
        }
        assert_eq!(book.register(Uuid::new_v4(), epoch), None);
        assert_eq!(book.outcome().duplicates, 1);
    }

    #[tokio::test]
    async fn drained_waits_for_the_last_delivery() {
        let (book, epoch) = book(1);
        let book = std::sync::Arc::new(book);
        let id = Uuid::new_v4();
        book.ack(book.register(id, epoch).unwrap());
        let soon = tokio::time::Instant::now() + Duration::from_millis(50);
        assert!(!book.drained(soon).await);
        let reader = {
            let book = book.clone();
            tokio::spawn(async move { book.deliver(&id.to_string(), Instant::now()) })
        };
        let later = tokio::time::Instant::now() + Duration::from_secs(10);
        assert!(book.drained(later).await);
        assert!(matches!(reader.await.unwrap(), Delivery::Counted { .. }));
    }
}
