//! How far one sync run has come, for the progress bar: items received and a
//! percentage.
//!
//! The protocol gives no item counts, only versions: every page carries the
//! server's current master version, and each kind's cursor moves from where
//! the run started towards it. The percentage is the share of the three
//! kinds' version spans covered so far, so it needs no count and reads the
//! same for a first full download and for an incremental catch-up.

use ticketrail_protocol::MasterKind;

use super::MenuTables;

/// Progress of one sync run over the three kinds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncProgress {
    /// Per kind, indexed by [`slot`].
    spans: [Span; 3],
    /// The highest server version any page has shown; `None` before the
    /// first page, when there is nothing to measure against.
    target: Option<i64>,
    items: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    /// The kind's cursor when the run started.
    start: i64,
    /// The cursor its last page reached.
    reached: i64,
    /// Its last page (no `has_more`) has been applied.
    finished: bool,
}

fn slot(kind: MasterKind) -> usize {
    match kind {
        MasterKind::Products => 0,
        MasterKind::Categories => 1,
        MasterKind::Promotions => 2,
    }
}

impl SyncProgress {
    /// A run starting from the tables' current cursors.
    pub fn start(tables: &MenuTables) -> Self {
        let span = |cursor| Span {
            start: cursor,
            reached: cursor,
            finished: false,
        };
        Self {
            spans: [
                span(tables.products.cursor),
                span(tables.categories.cursor),
                span(tables.promotions.cursor),
            ],
            target: None,
            items: 0,
        }
    }

    /// Records one applied page of `kind`: the server version it carried,
    /// the kind's cursor after it, how many items and tombstones it held,
    /// and whether it was the kind's last page.
    pub fn record(
        &mut self,
        kind: MasterKind,
        page_version: i64,
        cursor: i64,
        items: usize,
        last: bool,
    ) {
        let span = &mut self.spans[slot(kind)];
        span.reached = span.reached.max(cursor);
        span.finished |= last;
        self.target = Some(self.target.map_or(page_version, |t| t.max(page_version)));
        self.items = self
            .items
            .saturating_add(u64::try_from(items).unwrap_or(u64::MAX));
    }

    /// Items and tombstones received so far.
    pub fn items_done(&self) -> u64 {
        self.items
    }

    /// Share of the run done, 0 to 100. A finished kind counts whole even if
    /// a later page showed the server moving on (a write during the run).
    pub fn percent(&self) -> u8 {
        let Some(target) = self.target else {
            return 0;
        };
        let (mut done, mut total) = (0_i128, 0_i128);
        for span in &self.spans {
            // i128: the difference of two arbitrary i64 cannot overflow it.
            let width = (i128::from(target) - i128::from(span.start)).max(0);
            let covered = if span.finished {
                width
            } else {
                (i128::from(span.reached) - i128::from(span.start)).clamp(0, width)
            };
            done += covered;
            total += width;
        }
        if total == 0 {
            return 100;
        }
        u8::try_from(done * 100 / total).unwrap_or(100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(products: i64, categories: i64, promotions: i64) -> MenuTables {
        let mut tables = MenuTables::default();
        tables.products.cursor = products;
        tables.categories.cursor = categories;
        tables.promotions.cursor = promotions;
        tables
    }

    #[test]
    fn a_full_download_moves_from_zero_to_a_hundred() {
        let mut progress = SyncProgress::start(&at(0, 0, 0));
        assert_eq!(progress.percent(), 0, "nothing to measure before a page");
        progress.record(MasterKind::Categories, 300, 300, 20, true);
        assert_eq!(progress.percent(), 33);
        progress.record(MasterKind::Products, 300, 150, 100, false);
        assert_eq!(progress.percent(), 50);
        progress.record(MasterKind::Products, 300, 300, 100, true);
        progress.record(MasterKind::Promotions, 300, 300, 3, true);
        assert_eq!(progress.percent(), 100);
        assert_eq!(progress.items_done(), 223);
    }

    #[test]
    fn an_incremental_run_measures_only_what_is_missing() {
        let mut progress = SyncProgress::start(&at(90, 90, 100));
        progress.record(MasterKind::Categories, 100, 100, 1, true);
        // Products: 10 of 10 versions; categories: 10 of 10; promotions: 0 of 0.
        assert_eq!(progress.percent(), 50);
        progress.record(MasterKind::Products, 100, 100, 4, true);
        assert_eq!(progress.percent(), 100);
    }

    #[test]
    fn nothing_to_do_is_complete() {
        let mut progress = SyncProgress::start(&at(7, 7, 7));
        progress.record(MasterKind::Products, 7, 7, 0, true);
        assert_eq!(progress.percent(), 100);
        assert_eq!(progress.items_done(), 0);
    }

    #[test]
    fn a_finished_kind_stays_whole_when_the_server_moves_on() {
        let mut progress = SyncProgress::start(&at(0, 0, 0));
        progress.record(MasterKind::Categories, 100, 100, 5, true);
        progress.record(MasterKind::Products, 120, 120, 5, true);
        progress.record(MasterKind::Promotions, 120, 120, 5, true);
        assert_eq!(progress.percent(), 100);
    }

    #[test]
    fn odd_versions_never_overflow_or_leave_the_range() {
        let mut progress = SyncProgress::start(&at(i64::MIN, i64::MAX, 0));
        progress.record(MasterKind::Products, i64::MAX, i64::MAX, usize::MAX, false);
        progress.record(MasterKind::Categories, i64::MIN, i64::MIN, 1, false);
        assert!(progress.percent() <= 100);
        assert_eq!(progress.items_done(), u64::MAX);
    }
}
