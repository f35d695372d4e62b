//! Percentiles of the samples and the tool's summary lines, each against
//! the target where it sets one.

/// p50, p99, minimum and maximum of some samples (ms).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// How many samples.
    pub count: usize,
    /// Median (nearest rank).
    pub p50: f64,
    /// 99th percentile (nearest rank).
    pub p99: f64,
    /// Smallest sample.
    pub min: f64,
    /// Largest sample.
    pub max: f64,
}

impl Summary {
    /// Of `samples`; `None` when there are none.
    pub fn of(samples: &[f64]) -> Option<Summary> {
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(Summary {
            count: sorted.len(),
            p50: percentile(&sorted, 50.0)?,
            p99: percentile(&sorted, 99.0)?,
            min: *sorted.first()?,
            max: *sorted.last()?,
        })
    }
}

/// Nearest-rank percentile of ascending `sorted`: the smallest sample that
/// at least `percent` % of the samples are less than or equal to.
fn percentile(sorted: &[f64], percent: f64) -> Option<f64> {
    let rank = (percent / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len().max(1)) - 1).copied()
}

/// The header of a latency table.
pub fn latency_header() {
    println!(
        "  {:<46} {:>5} {:>8} {:>8} {:>8} {:>8} {:>9}  verdict",
        "", "n", "p50", "p99", "min", "max", "target"
    );
}

/// One line of a latency table (ms); `target` applies to the p99.
pub fn latency_line(label: &str, samples: &[f64], target: Option<f64>) {
    let Some(summary) = Summary::of(samples) else {
        println!("  {label:<46} no samples");
        return;
    };
    let (target_text, verdict) = match target {
        Some(target) => (
            format!("p99<={target:.0}"),
            if summary.p99 <= target {
                "met"
            } else {
                "MISSED"
            },
        ),
        None => ("-".to_owned(), ""),
    };
    println!(
        "  {label:<46} {:>5} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>9}  {verdict}",
        summary.count, summary.p50, summary.p99, summary.min, summary.max, target_text
    );
}

#[cfg(test)]
mod tests {
    use super::Summary;

    #[test]
    fn nearest_rank_percentiles() {
        let hundred: Vec<f64> = (1..=100).map(f64::from).collect();
        let summary = Summary::of(&hundred).map(|s| (s.p50, s.p99, s.min, s.max));
        assert_eq!(summary, Some((50.0, 99.0, 1.0, 100.0)));
        let two_hundred: Vec<f64> = (1..=200).rev().map(f64::from).collect();
        let summary = Summary::of(&two_hundred).map(|s| (s.p50, s.p99));
        assert_eq!(summary, Some((100.0, 198.0)));
        assert_eq!(Summary::of(&[7.0]).map(|s| s.p99), Some(7.0));
        assert_eq!(Summary::of(&[]), None);
    }
}
