//! The bench's answer: the numbers of one run, how they compare with the
//! issue's targets, and what (if anything) broke. Missing a target is a
//! result to report; a broken run (lost events, failed connects, failed
//! writes) is what makes the process exit non-zero.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crate::stats::Summary;

/// Target throughput: durable (201) orders per second.
pub const TARGET_ORDERS_PER_SECOND: f64 = 1_000.0;

/// Target p99 of POST start to event received on every socket.
pub const TARGET_P99_FAN_OUT: Duration = Duration::from_millis(50);

/// Everything one run measured.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Server under test.
    pub base_url: String,
    /// Outlet the sockets and orders belong to.
    pub outlet: String,
    /// Sockets asked for.
    pub clients: usize,
    /// Sockets that got their `connected` message.
    pub connected: usize,
    /// Sockets that did not, by reason.
    pub connect_failures: BTreeMap<String, usize>,
    /// How long the connect phase took.
    pub connect_time: Duration,
    /// Concurrent writers.
    pub writers: usize,
    /// Warm-up before measuring (orders placed, not measured).
    pub warmup: Duration,
    /// Measured window.
    pub measured: Duration,
    /// Orders acknowledged with 201, warm-up included.
    pub acked_total: u64,
    /// Orders acknowledged with 201 whose POST started in the measured window.
    pub acked_measured: u64,
    /// Failed POSTs by kind.
    pub errors: BTreeMap<String, u64>,
    /// POST start to 201 of measured orders.
    pub ack: Option<Summary>,
    /// Fan-out latency to all sockets of measured orders.
    pub fan_out: Option<Summary>,
    /// Latency of each single delivery of measured orders.
    pub per_delivery: Option<Summary>,
    /// Frames received on all sockets, of any kind.
    pub messages: u64,
    /// `new_order` events for orders the bench did not post.
    pub unknown_orders: u64,
    /// Acknowledged orders whose event did not reach every socket.
    pub missing: u64,
    /// Some of their `client_order_id`s.
    pub missing_examples: Vec<String>,
    /// Events received twice on one socket.
    pub duplicates: u64,
    /// Sockets that ended before the run did, by reason.
    pub lost_sockets: BTreeMap<String, usize>,
    /// Writers stopped early because the order ledger was full.
    pub book_full: bool,
}

impl Report {
    /// Acknowledged orders per second of the measured window.
    pub fn orders_per_second(&self) -> f64 {
        let seconds = self.measured.as_secs_f64();
        if seconds > 0.0 {
            self.acked_measured as f64 / seconds
        } else {
            0.0
        }
    }

    /// Whether the throughput target is met.
    pub fn meets_throughput(&self) -> bool {
        self.orders_per_second() >= TARGET_ORDERS_PER_SECOND
    }

    /// Whether the fan-out latency target is met (not met without samples).
    pub fn meets_latency(&self) -> bool {
        self.fan_out.is_some_and(|s| s.p99 <= TARGET_P99_FAN_OUT)
    }

    /// What broke during the run; empty for a sound run, however slow.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let failed: usize = self.connect_failures.values().sum();
        if failed > 0 {
            problems.push(format!(
                "{failed} of {} sockets did not connect ({})",
                self.clients,
                reasons(&self.connect_failures)
            ));
        }
        let lost: usize = self.lost_sockets.values().sum();
        if lost > 0 {
            problems.push(format!(
                "{lost} sockets ended during the run ({})",
                reasons(&self.lost_sockets)
            ));
        }
        if self.missing > 0 {
            problems.push(format!(
                "{} acknowledged orders did not reach every socket (e.g. {})",
                self.missing,
                self.missing_examples.join(", ")
            ));
        }
        if self.duplicates > 0 {
            problems.push(format!(
                "{} events arrived twice on one socket",
                self.duplicates
            ));
        }
        let errors: u64 = self.errors.values().sum();
        if errors > 0 {
            problems.push(format!(
                "{errors} order POSTs failed ({})",
                reasons(&self.errors)
            ));
        }
        if self.acked_total == 0 {
            problems.push("no order was acknowledged".to_string());
        }
        problems
    }
}

/// `reason ×count` pairs, for one line.
fn reasons<N: fmt::Display>(counts: &BTreeMap<String, N>) -> String {
    let parts: Vec<String> = counts.iter().map(|(r, n)| format!("{r} ×{n}")).collect();
    parts.join("; ")
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1_000.0)
}

fn latency_line(summary: &Option<Summary>, unit: &str) -> String {
    match summary {
        Some(s) => format!(
            "p50 {}  p99 {}  max {}  ({} {unit})",
            ms(s.p50),
            ms(s.p99),
            ms(s.max),
            s.count
        ),
        None => "no samples".to_string(),
    }
}

fn verdict(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "FAIL"
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors: u64 = self.errors.values().sum();
        writeln!(
            f,
            "ticketrail-bench server: {} outlet {}",
            self.base_url, self.outlet
        )?;
        writeln!(
            f,
            "  clients connected        {} / {} (in {:.2} s)",
            self.connected,
            self.clients,
            self.connect_time.as_secs_f64()
        )?;
        writeln!(f, "  writers                  {}", self.writers)?;
        writeln!(
            f,
            "  duration                 {:.1} s measured after {:.1} s warm-up",
            self.measured.as_secs_f64(),
            self.warmup.as_secs_f64()
        )?;
        writeln!(
            f,
            "  orders acked (201)       {} ({} with warm-up)",
            self.acked_measured, self.acked_total
        )?;
        writeln!(
            f,
            "  orders/s acked           {:.1}",
            self.orders_per_second()
        )?;
        if errors > 0 {
            writeln!(
                f,
                "  errors                   {errors} ({})",
                reasons(&self.errors)
            )?;
        } else {
            writeln!(f, "  errors                   0")?;
        }
        writeln!(
            f,
            "  POST to 201 (ack)        {}",
            latency_line(&self.ack, "orders")
        )?;
        writeln!(
            f,
            "  fan-out to all sockets   {}",
            latency_line(&self.fan_out, "orders")
        )?;
        writeln!(
            f,
            "  per delivery (±1 %)      {}",
            latency_line(&self.per_delivery, "deliveries")
        )?;
        writeln!(f, "  messages received        {}", self.messages)?;
        writeln!(f, "  missing events           {}", self.missing)?;
        if self.unknown_orders > 0 {
            writeln!(f, "  foreign new_order events {}", self.unknown_orders)?;
        }
        if self.book_full {
            writeln!(
                f,
                "  note: writers stopped early, the order ledger was full"
            )?;
        }
        writeln!(
            f,
            "target >= {TARGET_ORDERS_PER_SECOND:.0} orders/s acked   {} ({:.1})",
            verdict(self.meets_throughput()),
            self.orders_per_second()
        )?;
        let p99 = self.fan_out.map_or("no samples".to_string(), |s| ms(s.p99));
        writeln!(
            f,
            "target p99 fan-out <= {}   {} ({p99})",
            ms(TARGET_P99_FAN_OUT),
            verdict(self.meets_latency())
        )?;
        let problems = self.problems();
        if problems.is_empty() {
            writeln!(f, "result: sound run (nothing lost, nothing failed)")
        } else {
            writeln!(f, "result: BROKEN")?;
            problems.iter().try_for_each(|p| writeln!(f, "  - {p}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(p50: u64, p99: u64, max: u64) -> Summary {
        Summary {
            count: 100,
            p50: Duration::from_millis(p50),
            p99: Duration::from_millis(p99),
            max: Duration::from_millis(max),
        }
    }

    fn sound() -> Report {
        Report {
            base_url: "http://127.0.0.1:4000".into(),
            outlet: "1".into(),
            clients: 1000,
            connected: 1000,
            connect_time: Duration::from_millis(840),
            writers: 8,
            warmup: Duration::from_secs(2),
            measured: Duration::from_secs(10),
            acked_total: 14_000,
            acked_measured: 12_000,
            ack: Some(summary(1, 3, 9)),
            fan_out: Some(summary(4, 20, 31)),
            per_delivery: Some(summary(2, 15, 31)),
            messages: 14_001_000,
            ..Report::default()
        }
    }

    #[test]
    fn a_sound_fast_run_passes_both_targets() {
        let report = sound();
        assert_eq!(report.orders_per_second(), 1_200.0);
        assert!(report.meets_throughput());
        assert!(report.meets_latency());
        assert!(report.problems().is_empty());
        let text = report.to_string();
        for line in [
            "clients connected        1000 / 1000 (in 0.84 s)",
            "orders acked (201)       12000 (14000 with warm-up)",
            "orders/s acked           1200.0",
            "POST to 201 (ack)        p50 1.00 ms  p99 3.00 ms  max 9.00 ms  (100 orders)",
            "fan-out to all sockets   p50 4.00 ms  p99 20.00 ms  max 31.00 ms  (100 orders)",
            "messages received        14001000",
            "missing events           0",
            "target >= 1000 orders/s acked   PASS (1200.0)",
            "target p99 fan-out <= 50.00 ms   PASS (20.00 ms)",
            "result: sound run",
        ] {
            assert!(text.contains(line), "missing {line:?} in\n{text}");
        }
    }

    #[test]
    fn a_slow_run_fails_targets_but_is_not_broken() {
        let report = Report {
            acked_measured: 5_000,
            fan_out: Some(summary(30, 80, 120)),
            ..sound()
        };
        assert!(!report.meets_throughput());
        assert!(!report.meets_latency());
        assert!(report.problems().is_empty());
        let text = report.to_string();
        assert!(text.contains("orders/s acked   FAIL (500.0)"), "{text}");
        assert!(!text.contains("PASS"), "{text}");
    }

    #[test]
    fn lost_events_failed_connects_and_errors_are_problems() {
        let report = Report {
            connected: 998,
            connect_failures: BTreeMap::from([("HTTP error: 503".to_string(), 2)]),
            missing: 3,
            missing_examples: vec!["a".into(), "b".into()],
            errors: BTreeMap::from([("HTTP 500".to_string(), 4), ("timeout".to_string(), 1)]),
            ..sound()
        };
        let problems = report.problems();
        assert_eq!(
            problems,
            vec![
                "2 of 1000 sockets did not connect (HTTP error: 503 ×2)".to_string(),
                "3 acknowledged orders did not reach every socket (e.g. a, b)".to_string(),
                "5 order POSTs failed (HTTP 500 ×4; timeout ×1)".to_string(),
            ]
        );
        let text = report.to_string();
        assert!(text.contains("result: BROKEN"), "{text}");
        assert!(text.contains("errors                   5 (HTTP 500 ×4; timeout ×1)"));
    }

    #[test]
    fn an_empty_run_is_broken_and_has_no_latency() {
        let report = Report {
            acked_total: 0,
            acked_measured: 0,
            fan_out: None,
            per_delivery: None,
            ..sound()
        };
        assert!(!report.meets_latency());
        assert_eq!(
            report.problems(),
            vec!["no order was acknowledged".to_string()]
        );
        let text = report.to_string();
        assert!(
            text.contains("fan-out to all sockets   no samples"),
            "{text}"
        );
        assert!(text.contains("FAIL (no samples)"), "{text}");
    }

    #[test]
    fn zero_length_window_reports_zero_throughput() {
        let report = Report {
            measured: Duration::ZERO,
            ..sound()
        };
        assert_eq!(report.orders_per_second(), 0.0);
    }
}
