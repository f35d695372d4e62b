//! Latency summaries: exact percentiles over a list of samples (fan-out, one
//! sample per order) and HDR histograms for per-delivery latency (one sample
//! per order per socket, too many to keep one by one).

use std::time::Duration;

use hdrhistogram::Histogram;

/// Largest latency a histogram tells apart, in microseconds (60 s); slower
/// deliveries are counted at this value.
const HISTOGRAM_MAX_MICROS: u64 = 60_000_000;

/// Significant decimal digits a histogram keeps: 2 (1 % resolution) keeps a
/// per-socket histogram near 20 KiB, which matters with 1,000 sockets.
const HISTOGRAM_SIGNIFICANT_DIGITS: u8 = 2;

/// p50, p99 and max of a set of latencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// How many samples the summary is over.
    pub count: u64,
    /// Median.
    pub p50: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// Slowest sample.
    pub max: Duration,
}

impl Summary {
    /// Summary of exact samples; sorts them in place. `None` when empty.
    pub fn of_samples(samples: &mut [Duration]) -> Option<Self> {
        samples.sort_unstable();
        Some(Self {
            count: samples.len() as u64,
            p50: percentile(samples, 50.0)?,
            p99: percentile(samples, 99.0)?,
            max: *samples.last()?,
        })
    }

    /// Summary of a histogram of microseconds. `None` when empty.
    pub fn of_histogram(histogram: &Histogram<u64>) -> Option<Self> {
        if histogram.is_empty() {
            return None;
        }
        let micros = Duration::from_micros;
        Some(Self {
            count: histogram.len(),
            p50: micros(histogram.value_at_quantile(0.50)),
            p99: micros(histogram.value_at_quantile(0.99)),
            max: micros(histogram.max()),
        })
    }
}

/// Nearest-rank percentile of ascending `sorted` samples: the smallest sample
/// such that at least `percent` % of the samples are at or below it. `None`
/// when empty.
pub fn percentile(sorted: &[Duration], percent: f64) -> Option<Duration> {
    let n = sorted.len();
    let rank = (percent / 100.0 * n as f64).ceil() as usize;
    sorted.get(rank.clamp(1, n.max(1)) - 1).copied()
}

/// An empty histogram of microsecond latencies, sized for [`record_micros`].
pub fn new_histogram() -> Histogram<u64> {
    // The bounds are constants that satisfy the crate's preconditions
    // (low >= 1, high >= 2 * low, digits <= 5), so this cannot fail.
    Histogram::new_with_bounds(1, HISTOGRAM_MAX_MICROS, HISTOGRAM_SIGNIFICANT_DIGITS)
        .expect("constant histogram bounds are valid")
}

/// Records `latency` in whole microseconds, clamped into the histogram's range.
pub fn record_micros(histogram: &mut Histogram<u64>, latency: Duration) {
    let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
    histogram.saturating_record(micros.clamp(1, HISTOGRAM_MAX_MICROS));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&v| Duration::from_millis(v)).collect()
    }

    #[test]
    fn nearest_rank_percentiles() {
        let sorted = ms(&(1..=100).collect::<Vec<_>>());
        assert_eq!(percentile(&sorted, 50.0), Some(Duration::from_millis(50)));
        assert_eq!(percentile(&sorted, 99.0), Some(Duration::from_millis(99)));
        assert_eq!(percentile(&sorted, 100.0), Some(Duration::from_millis(100)));
        assert_eq!(percentile(&sorted, 0.0), Some(Duration::from_millis(1)));
        let four = ms(&[1, 2, 3, 4]);
        assert_eq!(percentile(&four, 50.0), Some(Duration::from_millis(2)));
        assert_eq!(percentile(&four, 99.0), Some(Duration::from_millis(4)));
    }

    #[test]
    fn percentile_of_one_and_of_none() {
        assert_eq!(percentile(&ms(&[7]), 99.0), Some(Duration::from_millis(7)));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn summary_sorts_its_samples() {
        let mut samples = ms(&[9, 1, 5, 3, 7]);
        let summary = Summary::of_samples(&mut samples).unwrap();
        assert_eq!(summary.count, 5);
        assert_eq!(summary.p50, Duration::from_millis(5));
        assert_eq!(summary.p99, Duration::from_millis(9));
        assert_eq!(summary.max, Duration::from_millis(9));
        assert_eq!(Summary::of_samples(&mut []), None);
    }

    #[test]
    fn histogram_summary_is_within_one_percent() {
        let mut histogram = new_histogram();
        assert_eq!(Summary::of_histogram(&histogram), None);
        for v in 1..=1000 {
            record_micros(&mut histogram, Duration::from_micros(v * 100));
        }
        let summary = Summary::of_histogram(&histogram).unwrap();
        let close = |got: Duration, want_micros: f64| {
            let got = got.as_micros() as f64;
            assert!(
                (got - want_micros).abs() <= want_micros * 0.01,
                "{got} vs {want_micros}"
            );
        };
        assert_eq!(summary.count, 1000);
        close(summary.p50, 50_000.0);
        close(summary.p99, 99_000.0);
        close(summary.max, 100_000.0);
    }

    #[test]
    fn histogram_clamps_out_of_range_latencies() {
        let mut histogram = new_histogram();
        record_micros(&mut histogram, Duration::ZERO);
        record_micros(&mut histogram, Duration::from_secs(3600));
        assert_eq!(histogram.len(), 2);
        assert_eq!(histogram.min(), 1);
        assert!(histogram.max() >= HISTOGRAM_MAX_MICROS);
    }
}
