//! The tool's output: what is measured, a block per run, and a summary
//! table against the targets.

use ticketrail_e2e::stats::Stats;

use crate::steps::{FullSync, IncrementalSync, Keystroke, Search};
use crate::Args;

/// Everything one run measured.
pub struct Run {
    /// Starting the server, seeding included, ms (from outside).
    pub seed_ms: f64,
    /// The first, full download.
    pub full: FullSync,
    /// `menu-load` of each reload, ms.
    pub loads: Vec<f64>,
    /// The sync of each reload (nothing changed), ms.
    pub idle_syncs: Vec<f64>,
    /// The delta after the changes.
    pub incremental: IncrementalSync,
    /// The search box, key by key.
    pub search: Search,
}

/// One row of the summary: a label, how to read the samples out of the
/// runs, and the target (ms) if it sets one.
struct Row {
    label: String,
    samples: Vec<f64>,
    unit: &'static str,
    target: Option<f64>,
}

const MB: f64 = 1024.0 * 1024.0;

pub fn header(args: &Args) {
    println!(
        "masterdata-bench: /kiosk in headless Chromium, release server with {} products, {} \
         categories, {} promotions; {} runs, fresh server and profile each",
        args.products, args.categories, args.promotions, args.runs
    );
    println!("  full sync   = the app's `ticketrail:menu-sync` measure (detail.full = true) on an empty profile;");
    println!("                JS heap sampled via CDP during it (Performance.getMetrics JSHeapUsedSize), and the");
    println!(
        "                wasm app's linear memory after it (it only grows, so that is its peak)"
    );
    println!("  menu load   = `ticketrail:menu-load` on a reload (IndexedDB open + read of the whole menu)");
    println!(
        "  incremental = `ticketrail:menu-sync` (full = false) on reopening after {} price changes made",
        args.changed
    );
    println!(
        "                while the kiosk was closed; the server's counters confirm what was served"
    );
    println!(
        "  search      = `ticketrail:search` (input event -> filtered grid in the DOM), typing {:?} key by key",
        args.word
    );
    println!("                through WebDriver, then deleting it with backspace");
    println!();
}

pub fn run_line(number: u32, run: &Run) {
    let full = &run.full;
    println!(
        "run {number}: server start + seed {:.0} ms; full sync {:.0} ms ({} items, {} pages, \
         {} rows served; synced {:.0} ms after navigation); peak JS heap {:.1} MB ({} samples), \
         wasm memory {}",
        run.seed_ms,
        full.ms,
        full.items,
        full.pages.map_or("?".to_owned(), |pages| pages.to_string()),
        full.served_rows,
        full.since_navigation,
        full.peak_heap / MB,
        full.samples,
        full.wasm_memory
            .map_or("n/a".to_owned(), |bytes| format!("{:.1} MB", bytes / MB)),
    );
    println!(
        "       menu load {} ms; sync at start with nothing changed {} ms",
        list(&run.loads),
        list(&run.idle_syncs)
    );
    println!(
        "       incremental {:.1} ms ({} items; menu load of that start {:.0} ms)",
        run.incremental.ms, run.incremental.items, run.incremental.load_ms
    );
    println!("       typing:   {}", keys(&run.search.typing));
    println!("       deleting: {}", keys(&run.search.deleting));
}

pub fn summary(args: &Args, runs: &[Run]) {
    let all = |pick: fn(&Run) -> Vec<f64>| -> Vec<f64> { runs.iter().flat_map(pick).collect() };
    let rows = [
        Row {
            label: format!(
                "full sync, {} rows (app measure)",
                args.products + args.categories + args.promotions
            ),
            samples: all(|run| vec![run.full.ms]),
            unit: "ms",
            target: Some(2000.0),
        },
        Row {
            label: "full sync: navigation -> synced".to_owned(),
            samples: all(|run| vec![run.full.since_navigation]),
            unit: "ms",
            target: None,
        },
        Row {
            label: "full sync: peak JS heap (sampled)".to_owned(),
            samples: all(|run| vec![run.full.peak_heap / MB]),
            unit: "MB",
            target: None,
        },
        Row {
            label: "full sync: wasm linear memory".to_owned(),
            samples: all(|run| run.full.wasm_memory.map(|b| b / MB).into_iter().collect()),
            unit: "MB",
            target: None,
        },
        Row {
            label: format!("incremental sync, {} changed products", args.changed),
            samples: all(|run| vec![run.incremental.ms]),
            unit: "ms",
            target: Some(100.0),
        },
        Row {
            label: "menu load from IndexedDB at start".to_owned(),
            samples: all(|run| run.loads.clone()),
            unit: "ms",
            target: None,
        },
        Row {
            label: "sync at start, nothing changed".to_owned(),
            samples: all(|run| run.idle_syncs.clone()),
            unit: "ms",
            target: None,
        },
        Row {
            label: "search per keystroke, typing".to_owned(),
            samples: all(|run| run.search.typing.iter().map(|key| key.ms).collect()),
            unit: "ms",
            target: Some(16.0),
        },
        Row {
            label: "search per keystroke, deleting".to_owned(),
            samples: all(|run| run.search.deleting.iter().map(|key| key.ms).collect()),
            unit: "ms",
            target: Some(16.0),
        },
    ];
    println!();
    println!(
        "{:<46} {:>5} {:>9} {:>9} {:>9} {:>8}  verdict",
        "", "n", "median", "min", "max", "target"
    );
    for row in rows {
        let stats = Stats::of(&row.samples);
        let target = row
            .target
            .map_or("-".to_owned(), |ms| format!("<= {ms:.0}"));
        println!(
            "{:<46} {:>5} {:>9.1} {:>9.1} {:>9.1} {:>8}  {}",
            format!("{} ({})", row.label, row.unit),
            row.samples.len(),
            stats.median,
            stats.min,
            stats.max,
            target,
            verdict(row.target, stats)
        );
    }
}

/// Whether the worst and the typical sample meet the target.
fn verdict(target: Option<f64>, stats: Stats) -> &'static str {
    match target {
        None => "",
        Some(target) if stats.max <= target => "met",
        Some(target) if stats.median <= target => "median met, max over",
        Some(_) => "MISSED",
    }
}

fn list(values: &[f64]) -> String {
    values
        .iter()
        .map(|ms| format!("{ms:.0}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `"c" 12.3 ms (5432)`, one per keystroke.
fn keys(keys: &[Keystroke]) -> String {
    keys.iter()
        .map(|key| {
            let results = key
                .results
                .map_or("?".to_owned(), |results| results.to_string());
            format!("{:?} {:.1} ms ({results})", key.query, key.ms)
        })
        .collect::<Vec<_>>()
        .join(", ")
}
