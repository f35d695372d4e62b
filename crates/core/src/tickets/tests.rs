//! Tests of the kitchen board: snapshot ordering, visibility, recall,
//! station grouping and filtering, ageing.

use super::*;
use chrono::{TimeDelta, TimeZone, Utc};
use proptest::prelude::*;

fn at(secs: i64) -> Timestamp {
    Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
}

fn item(name: &str, station: &str, quantity: i64) -> OrderItem {
    OrderItem {
        product_id: format!("p-{name}"),
        name: name.to_owned(),
        quantity,
        notes: None,
        unit_price: 1_000,
        line_total: 1_000 * quantity,
        station: station.to_owned(),
    }
}

/// An order placed at `created` (seconds), last changed at `updated`.
fn order(id: &str, seq: i64, status: OrderStatus, created: i64, updated: i64) -> Order {
    Order {
        id: id.to_owned(),
        client_order_id: format!("c-{id}"),
        order_number: id.to_uppercase(),
        outlet_id: "1".to_owned(),
        status,
        items: vec![item("nasi", "kitchen", 1), item("teh", "bar", 2)],
        total_amount: 3_000,
        currency: "IDR".to_owned(),
        seq,
        placed_at: at(created),
        created_at: at(created),
        updated_at: at(updated),
    }
}

fn ids(tickets: &[Ticket]) -> Vec<&str> {
    tickets.iter().map(|t| t.order_id.as_str()).collect()
}

fn shown(board: &Board, now: i64) -> Vec<Ticket> {
    board.tickets(at(now), &StationFilter::All, &AgeThresholds::default())
}

#[test]
fn newer_seq_replaces_and_older_or_equal_is_ignored() {
    let mut board = Board::new();
    let watching = at(0);
    assert_eq!(
        board.apply(&order("a", 5, OrderStatus::Preparing, 10, 20), watching),
        Applied::Arrived
    );
    assert_eq!(
        board.apply(&order("a", 3, OrderStatus::Pending, 10, 10), watching),
        Applied::Stale
    );
    assert_eq!(
        board.apply(&order("a", 5, OrderStatus::Pending, 10, 10), watching),
        Applied::Stale
    );
    assert_eq!(
        board.apply(&order("a", 9, OrderStatus::Ready, 10, 30), watching),
        Applied::Changed
    );
    assert_eq!(board.order("a").unwrap().status, OrderStatus::Ready);
}

#[test]
fn only_orders_placed_while_watching_are_news() {
    let mut board = Board::new();
    let watching = at(100);
    let before = order("old", 1, OrderStatus::Pending, 50, 50);
    let after = order("new", 2, OrderStatus::Pending, 100, 100);
    let closed = order("gone", 3, OrderStatus::Cancelled, 120, 130);
    assert_eq!(board.apply(&before, watching), Applied::Changed);
    assert_eq!(board.apply(&after, watching), Applied::Arrived);
    assert_eq!(board.apply(&closed, watching), Applied::Changed);
}

#[test]
fn open_tickets_show_oldest_first_and_completed_ones_hide() {
    let mut board = Board::new();
    for o in [
        order("late", 4, OrderStatus::Ready, 30, 40),
        order("early", 2, OrderStatus::Pending, 10, 10),
        order("mid", 3, OrderStatus::Preparing, 20, 25),
        order("done", 5, OrderStatus::Completed, 5, 50),
    ] {
        board.apply(&o, at(0));
    }
    assert_eq!(ids(&shown(&board, 60)), ["early", "mid", "late"]);
}

#[test]
fn cancelled_tickets_stay_thirty_seconds_after_cancellation() {
    let mut board = Board::new();
    board.apply(&order("x", 7, OrderStatus::Cancelled, 0, 100), at(0));
    assert_eq!(ids(&shown(&board, 100)), ["x"]);
    assert_eq!(ids(&shown(&board, 129)), ["x"]);
    assert!(shown(&board, 130).is_empty());
}

#[test]
fn recall_steps_back_through_completed_tickets_and_dismiss_hides_it() {
    let mut board = Board::new();
    assert!(board.recall().is_none(), "nothing completed yet");
    board.apply(&order("first", 3, OrderStatus::Completed, 0, 30), at(0));
    board.apply(&order("second", 8, OrderStatus::Completed, 10, 60), at(0));
    board.apply(&order("open", 9, OrderStatus::Pending, 5, 5), at(0));

    assert_eq!(board.recall().map(|o| o.id.as_str()), Some("second"));
    let tickets = shown(&board, 100);
    assert_eq!(ids(&tickets), ["second", "open"]);
    assert!(tickets[0].recalled);
    assert_eq!(tickets[0].age_secs, 50, "a closed ticket's clock stopped");

    assert_eq!(board.recall().map(|o| o.id.as_str()), Some("first"));
    assert!(board.recall().is_none(), "nothing older to bring back");
    assert_eq!(board.recalled(), Some("first"));

    board.dismiss("open");
    assert_eq!(board.recalled(), Some("first"));
    board.dismiss("first");
    assert_eq!(ids(&shown(&board, 100)), ["open"]);
}

#[test]
fn lines_group_by_station_in_order_of_appearance() {
    let items = [
        item("teh", "bar", 1),
        item("nasi", "kitchen", 2),
        item("kopi", "bar", 1),
    ];
    let groups = group_by_station(&items);
    let names: Vec<(&str, Vec<&str>)> = groups
        .iter()
        .map(|g| {
            (
                g.station.as_str(),
                g.items.iter().map(|i| i.name.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [("bar", vec!["teh", "kopi"]), ("kitchen", vec!["nasi"])]
    );
}

#[test]
fn station_filter_keeps_matching_lines_and_drops_empty_tickets() {
    let mut board = Board::new();
    let mut food_only = order("food", 1, OrderStatus::Pending, 0, 0);
    food_only.items = vec![item("nasi", "kitchen", 1)];
    board.apply(&food_only, at(0));
    board.apply(&order("both", 2, OrderStatus::Pending, 5, 5), at(0));
    assert_eq!(board.stations(), ["bar", "kitchen"]);

    let bar = StationFilter::Station("bar".to_owned());
    let tickets = board.tickets(at(10), &bar, &AgeThresholds::default());
    assert_eq!(ids(&tickets), ["both"]);
    assert_eq!(tickets[0].stations.len(), 1);
    assert_eq!(tickets[0].stations[0].station, "bar");
    assert_eq!(bar.key(), "bar");
    assert_eq!(StationFilter::All.key(), "all");
}

#[test]
fn a_recalled_ticket_shows_even_when_the_filter_has_nothing_for_it() {
    let mut board = Board::new();
    let mut food_only = order("food", 1, OrderStatus::Completed, 0, 20);
    food_only.items = vec![item("nasi", "kitchen", 1)];
    board.apply(&food_only, at(0));
    board.recall();
    let bar = StationFilter::Station("bar".to_owned());
    let tickets = board.tickets(at(30), &bar, &AgeThresholds::default());
    assert_eq!(ids(&tickets), ["food"]);
    assert_eq!(tickets[0].stations[0].station, "kitchen");
}

#[test]
fn age_classes_follow_the_thresholds() {
    let default = AgeThresholds::default();
    assert_eq!(default.classify(0), AgeClass::Normal);
    assert_eq!(default.classify(299), AgeClass::Normal);
    assert_eq!(default.classify(300), AgeClass::Warn);
    assert_eq!(default.classify(479), AgeClass::Warn);
    assert_eq!(default.classify(480), AgeClass::Late);

    let custom = AgeThresholds::from_minutes(2, 3).unwrap();
    assert_eq!(custom.classify(119), AgeClass::Normal);
    assert_eq!(custom.classify(120), AgeClass::Warn);
    assert_eq!(custom.classify(180), AgeClass::Late);
    assert_eq!(AgeClass::Late.as_str(), "late");
}

#[test]
fn thresholds_must_make_sense_and_round_trip_through_storage() {
    assert_eq!(AgeThresholds::from_minutes(0, 8), Err(ThresholdError::Zero));
    assert_eq!(
        AgeThresholds::from_minutes(8, 8),
        Err(ThresholdError::LateNotAfterWarn)
    );
    assert_eq!(
        AgeThresholds::from_minutes(5, 241),
        Err(ThresholdError::TooLong)
    );
    let stored = serde_json::to_string(&AgeThresholds::from_minutes(4, 9).unwrap()).unwrap();
    assert_eq!(stored, r#"{"warn_minutes":4,"late_minutes":9}"#);
    let back: AgeThresholds = serde_json::from_str(&stored).unwrap();
    assert_eq!((back.warn_minutes(), back.late_minutes()), (4, 9));
    assert!(
        serde_json::from_str::<AgeThresholds>(r#"{"warn_minutes":9,"late_minutes":4}"#).is_err()
    );
}

#[test]
fn ages_format_as_minutes_and_seconds() {
    assert_eq!(format_age(0), "00:00");
    assert_eq!(format_age(65), "01:05");
    assert_eq!(format_age(599), "09:59");
    assert_eq!(format_age(7507), "125:07");
    assert_eq!(format_age(-4), "00:00");
}

#[test]
fn open_ages_tick_and_the_summary_counts_work_to_do() {
    let mut board = Board::new();
    board.apply(&order("a", 1, OrderStatus::Pending, 0, 0), at(0));
    board.apply(&order("b", 2, OrderStatus::Ready, 400, 410), at(0));
    board.apply(&order("c", 3, OrderStatus::Cancelled, 0, 590), at(0));
    let tickets = shown(&board, 600);
    assert_eq!(tickets[0].age_secs, 600);
    assert_eq!(tickets[0].age_class, AgeClass::Late);
    assert_eq!(
        summarize(&tickets),
        Summary {
            pending: 1,
            preparing: 0,
            ready: 1,
            late: 1
        }
    );
    let skewed = shown(&board, -30);
    assert_eq!(
        skewed[0].age_secs, 0,
        "a clock behind the server never shows negative ages"
    );
}

/// Every snapshot of a few orders' lives: each order is placed, then moves
/// forward some steps, possibly ending cancelled; seqs are unique across
/// the outlet and grow with each change, as the server assigns them.
fn histories() -> impl Strategy<Value = Vec<Order>> {
    prop::collection::vec((0..4usize, any::<bool>(), 0..600i64), 1..8).prop_map(|lives| {
        let mut seq = 0;
        let mut snapshots = Vec::new();
        for (index, (steps, cancel, created)) in lives.into_iter().enumerate() {
            let id = format!("o{index}");
            let path = [
                OrderStatus::Pending,
                OrderStatus::Preparing,
                OrderStatus::Ready,
                OrderStatus::Completed,
            ];
            let mut statuses: Vec<OrderStatus> = path[..=steps].to_vec();
            if cancel && steps < 3 {
                statuses.push(OrderStatus::Cancelled);
            }
            for (step, status) in statuses.into_iter().enumerate() {
                seq += 1;
                let updated = created + 10 * i64::try_from(step).unwrap();
                snapshots.push(order(&id, seq, status, created, updated));
            }
        }
        snapshots
    })
}

proptest! {
    #[test]
    fn any_arrival_order_gives_the_board_of_the_sorted_feed(
        (snapshots, arrival) in histories().prop_flat_map(|snapshots| {
            let len = snapshots.len();
            // Each arrival picks a snapshot index: repeats are duplicates,
            // the shuffle makes them out of order; every snapshot also
            // arrives at least once (appended below).
            (Just(snapshots), prop::collection::vec(0..len, 0..3 * len).prop_shuffle())
        }),
        now in 0..700i64,
        recall in any::<bool>(),
    ) {
        let watching = at(0);
        let mut sorted = Board::new();
        let mut by_seq = snapshots.clone();
        by_seq.sort_by_key(|o| o.seq);
        for o in &by_seq {
            sorted.apply(o, watching);
        }

        let mut shuffled = Board::new();
        let mut order_of_arrival: Vec<usize> = arrival;
        order_of_arrival.extend(0..snapshots.len());
        for index in order_of_arrival.iter().rev() {
            shuffled.apply(&snapshots[*index], watching);
        }

        if recall {
            sorted.recall();
            shuffled.recall();
        }
        prop_assert_eq!(&sorted, &shuffled);
        let filter = StationFilter::All;
        let thresholds = AgeThresholds::default();
        prop_assert_eq!(
            sorted.tickets(at(now), &filter, &thresholds),
            shuffled.tickets(at(now), &filter, &thresholds)
        );
        prop_assert_eq!(sorted.stations(), shuffled.stations());
        // The kept snapshot of each order is its latest one.
        for (id, kept) in sorted.orders() {
            let latest = snapshots.iter().filter(|o| &o.id == id).map(|o| o.seq).max();
            prop_assert_eq!(Some(kept.seq), latest);
        }
        // Ages never go backwards as time passes.
        let later = sorted.tickets(at(now) + TimeDelta::seconds(5), &filter, &thresholds);
        for ticket in &later {
            if let Some(before) = sorted
                .tickets(at(now), &filter, &thresholds)
                .iter()
                .find(|t| t.order_id == ticket.order_id)
            {
                prop_assert!(ticket.age_secs >= before.age_secs);
            }
        }
    }
}

#[test]
fn open_orders_are_kept_and_closed_ones_for_an_hour() {
    let open = order("a", 1, OrderStatus::Ready, 0, 10);
    let done = order("b", 2, OrderStatus::Completed, 0, 100);
    let cancelled = order("c", 3, OrderStatus::Cancelled, 0, 100);
    assert!(worth_keeping(&open, at(100_000)));
    assert!(worth_keeping(&done, at(100 + KEEP_CLOSED_SECS - 1)));
    assert!(!worth_keeping(&done, at(100 + KEEP_CLOSED_SECS)));
    assert!(!worth_keeping(&cancelled, at(100 + KEEP_CLOSED_SECS)));

    let mut board = Board::new();
    for order in [&open, &done, &cancelled] {
        board.apply(order, at(0));
    }
    assert_eq!(board.recall().map(|o| o.id.as_str()), Some("b"));
    board.forget_old(at(100 + KEEP_CLOSED_SECS));
    assert_eq!(board.orders().keys().collect::<Vec<_>>(), ["a"]);
    assert_eq!(board.recalled(), None, "a forgotten ticket is not recalled");
}
