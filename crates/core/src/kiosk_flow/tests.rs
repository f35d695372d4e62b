//! The kiosk flow under simulated time: a fake clock drives it by following
//! `next_deadline` exactly as the page's single timer does.

use super::*;

const T0: u64 = 1_700_000_000_000;

fn timers() -> Timers {
    Timers {
        idle_ms: 90_000,
        warning_ms: 10_000,
        confirmation_ms: 30_000,
    }
}

fn ordering_at(now: u64) -> KioskFlow {
    let mut flow = KioskFlow::new(timers());
    flow.start(now);
    flow
}

#[test]
fn starts_on_the_attract_screen_with_nothing_scheduled() {
    let flow = KioskFlow::new(Timers::default());
    assert_eq!(flow.screen(), Screen::Attract);
    assert_eq!(flow.next_deadline(T0), None);
    assert_eq!(flow.warning(T0), None);
}

#[test]
fn the_timers_default_to_the_issues_numbers() {
    assert_eq!(Timers::default(), timers());
}

#[test]
fn the_test_hook_json_overrides_some_timers() {
    let parsed: Timers = serde_json::from_str(r#"{"idle_ms": 3000, "warning_ms": 2000}"#).unwrap();
    assert_eq!(parsed.idle_ms, 3000);
    assert_eq!(parsed.warning_ms, 2000);
    assert_eq!(parsed.confirmation_ms, 30_000);
    let empty: Timers = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, Timers::default());
}

#[test]
fn a_warning_longer_than_the_idle_time_is_cut_to_it() {
    let flow = KioskFlow::new(Timers {
        idle_ms: 5_000,
        warning_ms: 8_000,
        confirmation_ms: 1,
    });
    assert_eq!(flow.timers().warning_ms, 5_000);
}

#[test]
fn the_warning_shows_only_in_the_last_warning_ms() {
    let flow = ordering_at(T0);
    assert_eq!(flow.next_deadline(T0), Some(T0 + 80_000));
    assert_eq!(flow.warning(T0 + 79_999), None);
    assert_eq!(flow.warning(T0 + 80_000), Some(10));
    assert_eq!(flow.warning(T0 + 80_001), Some(10));
    assert_eq!(flow.warning(T0 + 81_000), Some(9));
    assert_eq!(flow.warning(T0 + 89_999), Some(1));
    assert_eq!(flow.warning(T0 + 90_000), None);
}

#[test]
fn during_the_warning_the_deadline_is_each_second_then_the_reset() {
    let flow = ordering_at(T0);
    assert_eq!(flow.next_deadline(T0 + 80_000), Some(T0 + 81_000));
    assert_eq!(flow.next_deadline(T0 + 80_250), Some(T0 + 81_000));
    assert_eq!(flow.next_deadline(T0 + 89_500), Some(T0 + 90_000));
    // A late timer still gets a deadline that is due at once.
    assert_eq!(flow.next_deadline(T0 + 95_000), Some(T0 + 95_000));
}

#[test]
fn a_touch_restarts_the_idle_clock_and_dismisses_the_warning() {
    let mut flow = ordering_at(T0);
    assert!(flow.warning(T0 + 85_000).is_some());
    flow.touch(T0 + 85_000);
    assert_eq!(flow.warning(T0 + 85_000), None);
    assert_eq!(flow.tick(T0 + 100_000), None);
    assert_eq!(flow.next_deadline(T0 + 100_000), Some(T0 + 165_000));
    assert_eq!(flow.tick(T0 + 175_000), Some(Reset::Idle));
}

#[test]
fn a_touch_stamped_earlier_than_the_last_does_not_shorten_the_clock() {
    let mut flow = ordering_at(T0 + 10_000);
    flow.touch(T0);
    assert_eq!(flow.tick(T0 + 95_000), None);
}

#[test]
fn idle_ordering_resets_to_attract_exactly_at_idle_ms() {
    let mut flow = ordering_at(T0);
    assert_eq!(flow.tick(T0 + 89_999), None);
    assert_eq!(flow.screen(), Screen::Ordering);
    assert_eq!(flow.tick(T0 + 90_000), Some(Reset::Idle));
    assert_eq!(flow.screen(), Screen::Attract);
    assert_eq!(flow.tick(T0 + 200_000), None);
}

#[test]
fn placing_is_never_interrupted_by_the_idle_clock() {
    let mut flow = ordering_at(T0);
    assert!(flow.place(T0 + 1_000));
    assert!(!flow.place(T0 + 1_001), "a double tap sends once");
    assert_eq!(flow.next_deadline(T0 + 1_000), None);
    assert_eq!(flow.warning(T0 + 85_000), None);
    assert_eq!(flow.tick(T0 + 500_000), None);
    assert_eq!(flow.screen(), Screen::Placing);
}

#[test]
fn a_failed_placement_returns_to_the_cart_with_a_fresh_clock() {
    let mut flow = ordering_at(T0);
    flow.place(T0 + 80_000);
    flow.place_failed(T0 + 85_000);
    assert_eq!(flow.screen(), Screen::Ordering);
    assert_eq!(flow.tick(T0 + 170_000), None);
    assert_eq!(flow.tick(T0 + 175_000), Some(Reset::Idle));
}

#[test]
fn the_confirmation_returns_to_attract_after_confirmation_ms() {
    let mut flow = ordering_at(T0);
    flow.place(T0 + 5_000);
    flow.placed(T0 + 6_000);
    assert_eq!(flow.screen(), Screen::Confirmation);
    assert_eq!(flow.next_deadline(T0 + 6_000), Some(T0 + 36_000));
    flow.touch(T0 + 20_000);
    assert_eq!(flow.warning(T0 + 30_000), None);
    assert_eq!(flow.tick(T0 + 35_999), None);
    assert_eq!(flow.tick(T0 + 36_000), Some(Reset::ConfirmationDone));
    assert_eq!(flow.screen(), Screen::Attract);
}

#[test]
fn new_order_leaves_the_confirmation_at_once() {
    let mut flow = ordering_at(T0);
    flow.place(T0);
    flow.placed(T0);
    flow.finish();
    assert_eq!(flow.screen(), Screen::Attract);
    assert_eq!(flow.next_deadline(T0), None);
}

#[test]
fn finishing_while_placing_waits_for_the_answer() {
    let mut flow = ordering_at(T0);
    flow.place(T0);
    flow.finish();
    assert_eq!(flow.screen(), Screen::Placing);
}

#[test]
fn answers_out_of_turn_change_nothing() {
    let mut flow = KioskFlow::new(timers());
    flow.placed(T0);
    flow.place_failed(T0);
    assert!(!flow.place(T0));
    assert_eq!(flow.screen(), Screen::Attract);
    flow.start(T0);
    flow.start(T0 + 50_000);
    assert_eq!(
        flow.tick(T0 + 90_000),
        Some(Reset::Idle),
        "start again is not a touch"
    );
}

#[test]
fn zero_warning_means_no_warning_only_the_reset() {
    let mut flow = KioskFlow::new(Timers {
        idle_ms: 3_000,
        warning_ms: 0,
        confirmation_ms: 1_000,
    });
    flow.start(T0);
    assert_eq!(flow.next_deadline(T0), Some(T0 + 3_000));
    assert_eq!(flow.warning(T0 + 2_999), None);
    assert_eq!(flow.tick(T0 + 3_000), Some(Reset::Idle));
}

/// Follows `next_deadline` like the page's timer, recording what the
/// customer would have seen at each wake-up.
fn run_until_quiet(flow: &mut KioskFlow, mut now: u64) -> (Vec<Option<u64>>, Option<Reset>, u64) {
    let mut seen = Vec::new();
    while let Some(deadline) = flow.next_deadline(now) {
        assert!(deadline >= now, "deadlines never lie in the past");
        now = deadline;
        if let Some(reset) = flow.tick(now) {
            return (seen, Some(reset), now);
        }
        seen.push(flow.warning(now));
        assert!(seen.len() < 100, "the timer must not spin");
    }
    (seen, None, now)
}

#[test]
fn one_timer_following_the_deadlines_counts_down_and_resets() {
    let mut flow = ordering_at(T0);
    let (seen, reset, at) = run_until_quiet(&mut flow, T0);
    let expected: Vec<Option<u64>> = (1..=10).rev().map(Some).collect();
    assert_eq!(seen, expected);
    assert_eq!(reset, Some(Reset::Idle));
    assert_eq!(at, T0 + 90_000);
}

#[test]
fn one_timer_with_the_short_test_hook_timers() {
    let mut flow = KioskFlow::new(Timers {
        idle_ms: 3_000,
        warning_ms: 2_000,
        confirmation_ms: 1_500,
    });
    flow.start(T0);
    let (seen, reset, at) = run_until_quiet(&mut flow, T0);
    assert_eq!(seen, vec![Some(2), Some(1)]);
    assert_eq!((reset, at), (Some(Reset::Idle), T0 + 3_000));

    flow.start(at);
    flow.place(at);
    flow.placed(at + 200);
    let (_, reset, done) = run_until_quiet(&mut flow, at + 200);
    assert_eq!((reset, done), (Some(Reset::ConfirmationDone), at + 1_700));
}
