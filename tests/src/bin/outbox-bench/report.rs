//! The tool's output: what is measured, a line per run, and a summary
//! against the targets.

use crate::drain::Drain;
use crate::tap::Taps;
use crate::Args;

/// The targets (ms).
const DRAIN_TARGET_MS: f64 = 5_000.0;
const TAP_TARGET_MS: f64 = 16.0;

/// What one run measured.
pub struct Run {
    /// Part 1.
    pub drain: Drain,
    /// Part 2.
    pub taps: Taps,
}

/// Median, p95 (nearest rank), min and max of some samples.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Summary {
    median: f64,
    p95: f64,
    min: f64,
    max: f64,
}

impl Summary {
    fn of(samples: &[f64]) -> Option<Summary> {
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(Summary {
            median: percentile(&sorted, 50.0)?,
            p95: percentile(&sorted, 95.0)?,
            min: *sorted.first()?,
            max: *sorted.last()?,
        })
    }
}

/// Nearest-rank percentile of ascending `sorted`.
fn percentile(sorted: &[f64], percent: f64) -> Option<f64> {
    let rank = (percent / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len().max(1)) - 1).copied()
}

pub fn header(args: &Args) {
    println!(
        "outbox-bench: /kiosk in headless Chromium against a release server (demo menu); {} runs, \
         fresh server and profile each",
        args.runs
    );
    let page = if args.bare {
        "a /healthz page (no app running)"
    } else {
        "the kiosk page"
    };
    println!(
        "  drain = {} orders written into the IndexedDB outbox from {page} while the server is stopped,",
        args.orders
    );
    println!(
        "          server started, {{type: \"drain\"}} posted to the service worker; time to the"
    );
    println!("          server's created_at of the last order (and to the outbox seen empty)");
    println!(
        "  tap   = the app's `ticketrail:order-queued` measure with the server down: Place-order click"
    );
    println!(
        "          to the confirmation saying queued in the DOM; {} taps per run after {} warm-up",
        args.taps, args.warmup
    );
    println!(
        "  first task = the same click to a setTimeout(0) it set: Chromium defers every task after a tap"
    );
    println!(
        "          until it produced the next frame, IndexedDB's answers too: the floor under tap"
    );
    println!();
}

pub fn run_line(number: u32, run: &Run) {
    let drain = &run.drain;
    println!(
        "run {number}: drained {} orders: first created {:.0} ms, last {:.0} ms ({:.0} orders/s), \
         outbox empty {:.0} ms after the drain message; {:.1} ms per order over the first tenth, \
         {:.1} over the last; injecting took {:.0} ms; {} entries were in backoff and made due",
        drain.orders,
        drain.first_ms,
        drain.last_ms,
        drain.orders as f64 / (drain.last_ms / 1000.0),
        drain.empty_ms,
        drain.per_order_ms.0,
        drain.per_order_ms.1,
        drain.inject_ms,
        drain.made_due
    );
    samples_line("tap to queued", &run.taps.queued);
    samples_line("tap to first task", &run.taps.first_task);
}

fn samples_line(label: &str, samples: &[f64]) {
    let samples: Vec<String> = samples.iter().map(|ms| format!("{ms:.1}")).collect();
    println!("       {label} (ms): {}", samples.join(", "));
}

pub fn summary(args: &Args, runs: &[Run]) {
    let drains: Vec<f64> = runs.iter().map(|run| run.drain.last_ms).collect();
    let empties: Vec<f64> = runs.iter().map(|run| run.drain.empty_ms).collect();
    let taps: Vec<f64> = runs
        .iter()
        .flat_map(|run| run.taps.queued.iter().copied())
        .collect();
    let first_tasks: Vec<f64> = runs
        .iter()
        .flat_map(|run| run.taps.first_task.iter().copied())
        .collect();
    println!();
    println!(
        "{:<44} {:>5} {:>9} {:>9} {:>9} {:>9} {:>9}  verdict",
        "", "n", "median", "p95", "min", "max", "target"
    );
    row(
        &format!("drain {} orders, to the last created (ms)", args.orders),
        &drains,
        Some(DRAIN_TARGET_MS),
    );
    row("drain, to the outbox seen empty (ms)", &empties, None);
    row(
        "tap to queued, server down (ms)",
        &taps,
        Some(TAP_TARGET_MS),
    );
    row(
        "tap to the page's first task after it (ms)",
        &first_tasks,
        None,
    );
}

fn row(label: &str, samples: &[f64], target: Option<f64>) {
    let Some(stats) = Summary::of(samples) else {
        println!("{label:<44} no samples");
        return;
    };
    let (target_text, verdict) = match target {
        None => ("-".to_owned(), ""),
        Some(target) if stats.max <= target => (format!("<= {target:.0}"), "met"),
        Some(target) if stats.median <= target => {
            (format!("<= {target:.0}"), "median met, max over")
        }
        Some(target) => (format!("<= {target:.0}"), "MISSED"),
    };
    println!(
        "{label:<44} {:>5} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9}  {verdict}",
        samples.len(),
        stats.median,
        stats.p95,
        stats.min,
        stats.max,
        target_text
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<f64> = (1..=20).map(f64::from).collect();
        let stats = Summary::of(&samples).unwrap();
        assert_eq!(
            (stats.median, stats.p95, stats.min, stats.max),
            (10.0, 19.0, 1.0, 20.0)
        );
        assert!(Summary::of(&[]).is_none());
    }
}
