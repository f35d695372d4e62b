//! Request counters: how much of the menu and the order feed this process
//! has served since it started, read-only in `GET /healthz` under
//! `"requests"`.
//!
//! They exist so a test (or an operator) can see from outside what a client
//! downloaded: that a kiosk reopening after a change asked only for the
//! delta and not the whole menu, or that a kitchen screen stopped polling
//! once its socket was back. Each is a relaxed atomic add on the request
//! path, far below the cost of the request itself; they reset when the
//! process restarts and are never persisted.
//!
//! A master-data request is *full* when it asks `since_version=0` (or
//! leaves it out), *incremental* otherwise. A full download of more than one
//! page continues with `since_version=<last version>`, so its later pages
//! count as incremental; the count of full requests is therefore "how many
//! times a client started from nothing".

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use ticketrail_protocol::MasterKind;

/// Every counter of the process; shared through the app state.
#[derive(Debug, Default)]
pub struct Counters {
    products: SyncCounters,
    categories: SyncCounters,
    promotions: SyncCounters,
    feed_polls: AtomicU64,
    feed_polls_empty: AtomicU64,
}

/// The counters of one master-data kind.
#[derive(Debug, Default)]
struct SyncCounters {
    full: PageCounters,
    incremental: PageCounters,
}

/// Requests answered and what their pages held.
#[derive(Debug, Default)]
struct PageCounters {
    requests: AtomicU64,
    rows: AtomicU64,
    tombstones: AtomicU64,
}

impl PageCounters {
    fn add(&self, rows: usize, tombstones: usize) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.rows.fetch_add(as_u64(rows), Ordering::Relaxed);
        self.tombstones
            .fetch_add(as_u64(tombstones), Ordering::Relaxed);
    }

    fn snapshot(&self) -> PageCount {
        PageCount {
            requests: self.requests.load(Ordering::Relaxed),
            rows: self.rows.load(Ordering::Relaxed),
            tombstones: self.tombstones.load(Ordering::Relaxed),
        }
    }
}

impl Counters {
    /// Counts one answered sync page of `kind`, asked with `since_version=0`
    /// when `full`, holding `rows` rows and `tombstones` deleted ids.
    pub fn master_page(&self, kind: MasterKind, full: bool, rows: usize, tombstones: usize) {
        let counters = match kind {
            MasterKind::Products => &self.products,
            MasterKind::Categories => &self.categories,
            MasterKind::Promotions => &self.promotions,
        };
        let window = if full {
            &counters.full
        } else {
            &counters.incremental
        };
        window.add(rows, tombstones);
    }

    /// Counts one answered `GET /api/orders` poll; `empty` when it returned
    /// `[]`.
    pub fn feed_poll(&self, empty: bool) {
        self.feed_polls.fetch_add(1, Ordering::Relaxed);
        if empty {
            self.feed_polls_empty.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The counters as they are now (each read on its own; they are
    /// statistics, not a consistent snapshot).
    pub fn snapshot(&self) -> RequestCounts {
        let sync = |counters: &SyncCounters| SyncCount {
            full: counters.full.snapshot(),
            incremental: counters.incremental.snapshot(),
        };
        RequestCounts {
            products: sync(&self.products),
            categories: sync(&self.categories),
            promotions: sync(&self.promotions),
            feed: FeedCount {
                polls: self.feed_polls.load(Ordering::Relaxed),
                empty: self.feed_polls_empty.load(Ordering::Relaxed),
            },
        }
    }
}

/// `"requests"` in `/healthz`: the counters since the process started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RequestCounts {
    /// `GET /api/products/`.
    pub products: SyncCount,
    /// `GET /api/categories/`.
    pub categories: SyncCount,
    /// `GET /api/promotions/`.
    pub promotions: SyncCount,
    /// `GET /api/orders` (the polling feed).
    pub feed: FeedCount,
}

/// Sync requests of one kind, by window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SyncCount {
    /// Asked with `since_version=0`.
    pub full: PageCount,
    /// Asked with `since_version` > 0.
    pub incremental: PageCount,
}

/// Answered sync pages and what they held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PageCount {
    /// Pages answered with 200.
    pub requests: u64,
    /// Rows (`items`) in those pages.
    pub rows: u64,
    /// Deleted ids (`deleted`) in those pages.
    pub tombstones: u64,
}

/// Order-feed polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FeedCount {
    /// Polls answered with 200.
    pub polls: u64,
    /// Of those, the ones that returned `[]`.
    pub empty: u64,
}

fn as_u64(count: usize) -> u64 {
    u64::try_from(count).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_counted_by_kind_and_window() {
        let counters = Counters::default();
        counters.master_page(MasterKind::Products, true, 47, 0);
        counters.master_page(MasterKind::Products, false, 2, 1);
        counters.master_page(MasterKind::Promotions, true, 2, 0);
        counters.feed_poll(true);
        counters.feed_poll(false);
        let counts = counters.snapshot();
        let page = |requests, rows, tombstones| PageCount {
            requests,
            rows,
            tombstones,
        };
        assert_eq!(counts.products.full, page(1, 47, 0));
        assert_eq!(counts.products.incremental, page(1, 2, 1));
        assert_eq!(counts.promotions.full, page(1, 2, 0));
        assert_eq!(counts.categories.full, page(0, 0, 0));
        assert_eq!(counts.feed, FeedCount { polls: 2, empty: 1 });
    }
}
