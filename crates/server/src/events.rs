//! The broadcast hub between the writer and the sockets.
//!
//! Each outlet has one broadcast channel. The writer publishes every
//! committed batch once, in commit order: order events to their outlet's
//! channel, master-data events to every channel. An event is serialized to
//! JSON exactly once when published and shared by reference count, so a
//! thousand sockets on one outlet cost one serialization, not a thousand.
//!
//! A commit's events travel as one [`Batch`]: each socket wakes once per
//! commit and writes the whole batch with one flush (one syscall), instead
//! of waking and flushing per order. With a thousand sockets that wake-up
//! and syscall count is what the fan-out costs.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use axum::extract::ws::Utf8Bytes;
use ticketrail_protocol::ServerMessage;
use tokio::sync::broadcast;

/// Batches a socket may fall behind by before it must catch up from the
/// database instead (see the `ws` module).
const CHANNEL_CAPACITY: usize = 1024;

/// One published event: the JSON text to send plus the cursors a socket
/// uses to skip what it already sent.
#[derive(Debug, Clone)]
pub struct Event {
    /// Feed seq of an order event.
    pub order_seq: Option<i64>,
    /// Master version of a master-data event.
    pub master_version: Option<i64>,
    /// The message, serialized once and shared.
    pub text: Utf8Bytes,
}

impl Event {
    /// Serializes `message` into an event.
    pub fn new(message: &ServerMessage) -> Result<Event, serde_json::Error> {
        Ok(Event {
            order_seq: message.as_order_event().map(|(_, event)| event.seq),
            master_version: message.master_version(),
            text: serde_json::to_string(message)?.into(),
        })
    }
}

/// The events of one commit for one outlet, in commit order.
pub type Batch = Arc<[Event]>;

/// The per-outlet channels; cheap to clone.
#[derive(Clone)]
pub struct Hub {
    channels: Arc<RwLock<HashMap<String, broadcast::Sender<Batch>>>>,
    capacity: usize,
}

impl Default for Hub {
    fn default() -> Self {
        Self::with_capacity(CHANNEL_CAPACITY)
    }
}

impl Hub {
    /// An empty hub; channels appear when first subscribed to.
    pub fn new() -> Self {
        Self::default()
    }

    /// A hub whose channels hold `capacity` batches (tests use tiny ones to
    /// make sockets fall behind).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            channels: Arc::default(),
            capacity: capacity.max(1),
        }
    }

    /// Starts receiving the events of `outlet_id` published from now on.
    pub fn subscribe(&self, outlet_id: &str) -> broadcast::Receiver<Batch> {
        if let Some(sender) = self
            .channels
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(outlet_id)
        {
            return sender.subscribe();
        }
        self.channels
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(outlet_id.to_owned())
            .or_insert_with(|| broadcast::channel(self.capacity).0)
            .subscribe()
    }

    /// Publishes one commit's messages, each addressed to one outlet or
    /// (`None`) to every outlet, as one batch per outlet.
    pub fn publish(&self, messages: &[(Option<String>, ServerMessage)]) {
        let events: Vec<(Option<&str>, Event)> = messages
            .iter()
            .filter_map(|(outlet_id, message)| match Event::new(message) {
                Ok(event) => Some((outlet_id.as_deref(), event)),
                Err(error) => {
                    tracing::error!(%error, "event could not be serialized; not sent");
                    None
                }
            })
            .collect();
        if events.is_empty() {
            return;
        }
        let channels = self.channels.read().unwrap_or_else(PoisonError::into_inner);
        for (outlet_id, sender) in channels.iter() {
            let batch: Batch = events
                .iter()
                .filter(|(to, _)| to.is_none_or(|to| to == outlet_id))
                .map(|(_, event)| event.clone())
                .collect();
            if !batch.is_empty() {
                // An error only means nobody is listening right now.
                let _ = sender.send(batch);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[tokio::test]
    async fn a_commit_is_one_batch_per_outlet_with_shared_events_for_all() {
        let hub = Hub::new();
        let mut one = hub.subscribe("1");
        let mut two = hub.subscribe("2");
        let pong = ServerMessage::Pong {
            timestamp: Utc::now(),
        };
        hub.publish(&[(Some("1".into()), pong.clone()), (None, pong.clone())]);
        assert_eq!(one.try_recv().unwrap().len(), 2);
        assert_eq!(two.try_recv().unwrap().len(), 1);
        hub.publish(&[(Some("2".into()), pong)]);
        assert!(one.try_recv().is_err());
        assert_eq!(two.try_recv().unwrap().len(), 1);
    }
}
