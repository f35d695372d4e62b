//! Who hears the socket's master-data messages: the menu's sync engine
//! (the kiosk) subscribes, the socket glue in [`super`] delivers.
//!
//! Orders go into the shared [`LiveFeed::orders`](super::LiveFeed) signal,
//! where only the latest snapshot of each order matters. Menu changes are
//! different: each event must be applied once and in order (a skipped one
//! is a gap, so the engine must see every one), and a signal would coalesce
//! a burst into its last value. So they are handed to listeners, one call
//! per message, in arrival order.

use std::rc::Rc;

use leptos::prelude::*;
use ticketrail_protocol::ServerMessage;

/// The registry of listeners, cheap to copy into the socket glue and into
/// components.
#[derive(Clone, Copy)]
pub struct MasterDataListeners(StoredValue<Registry, LocalStorage>);

impl std::fmt::Debug for MasterDataListeners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.0.try_with_value(|registry| registry.listeners.len());
        f.debug_struct("MasterDataListeners")
            .field("listeners", &count)
            .finish()
    }
}

type Listener = Rc<dyn Fn(&ServerMessage)>;

#[derive(Default)]
struct Registry {
    next_id: u64,
    listeners: Vec<(u64, Listener)>,
}

impl Default for MasterDataListeners {
    /// An empty registry, owned by the current reactive owner (the app).
    fn default() -> Self {
        Self(StoredValue::new_local(Registry::default()))
    }
}

impl MasterDataListeners {
    /// Adds `listener` until the calling component's owner is cleaned up.
    pub fn subscribe(&self, listener: impl Fn(&ServerMessage) + 'static) {
        let registry = self.0;
        let id = registry
            .try_update_value(|registry| {
                let id = registry.next_id;
                registry.next_id += 1;
                registry.listeners.push((id, Rc::new(listener)));
                id
            })
            // The app's owner is gone: there is no socket left to listen to.
            .unwrap_or_default();
        on_cleanup(move || {
            registry.try_update_value(|registry| {
                registry.listeners.retain(|(held, _)| *held != id);
            });
        });
    }

    /// Hands `message` to every listener, in the order they subscribed.
    pub fn emit(&self, message: &ServerMessage) {
        // Called on a copy of the list: a listener may subscribe or leave
        // while it runs without re-entering the registry's borrow.
        let listeners: Vec<Listener> = self
            .0
            .try_with_value(|registry| {
                registry
                    .listeners
                    .iter()
                    .map(|(_, listener)| Rc::clone(listener))
                    .collect()
            })
            .unwrap_or_default();
        for listener in listeners {
            listener(message);
        }
    }
}
