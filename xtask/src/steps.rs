//! Announced, timed steps with a closing summary, so a long run shows where it
//! is and where the time went.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::cmd::say;

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Passed,
    Failed,
}

/// A step that has run.
#[derive(Debug)]
struct Record {
    name: String,
    took: Duration,
    outcome: Outcome,
}

/// Runs steps in order, stopping at the first failure.
#[derive(Debug)]
pub struct Steps {
    started: Instant,
    records: Vec<Record>,
}

impl Steps {
    /// Starts the clock for the whole run.
    pub fn new() -> Self {
        Self {
            started: Instant::now(),
            records: Vec::new(),
        }
    }

    /// Announces `name`, runs `body`, and records its wall time. A failure
    /// carries the step name so the error says which step broke.
    pub fn run<T>(&mut self, name: &str, body: impl FnOnce() -> Result<T>) -> Result<T> {
        say(name);
        let start = Instant::now();
        let result = body();
        let took = start.elapsed();
        let outcome = match result {
            Ok(_) => Outcome::Passed,
            Err(_) => Outcome::Failed,
        };
        println!(
            "    {} in {}",
            if outcome == Outcome::Passed {
                "done"
            } else {
                "FAILED"
            },
            format_duration(took)
        );
        self.records.push(Record {
            name: name.to_owned(),
            took,
            outcome,
        });
        result.map_err(|err| err.context(format!("step failed: {name}")))
    }

    /// A table of every step run so far with its wall time, and the total.
    pub fn summary(&self) -> String {
        let width = self
            .records
            .iter()
            .map(|record| record.name.chars().count())
            .max()
            .unwrap_or(0);
        let mut out = String::from("\nSummary\n");
        for record in &self.records {
            let mark = match record.outcome {
                Outcome::Passed => "ok  ",
                Outcome::Failed => "FAIL",
            };
            let _ = writeln!(
                out,
                "  {mark}  {:<width$}  {:>9}",
                record.name,
                format_duration(record.took)
            );
        }
        let _ = writeln!(
            out,
            "  total {:>w$}",
            format_duration(self.started.elapsed()),
            w = width + 11
        );
        out
    }
}

/// `4.2s` under a minute, `3m 07s` above: readable at a glance in a summary.
pub fn format_duration(took: Duration) -> String {
    let secs = took.as_secs();
    if secs < 60 {
        format!("{:.1}s", took.as_secs_f64())
    } else {
        format!("{}m {:02}s", secs / 60, secs % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(Duration::from_millis(4_250)), "4.2s");
        assert_eq!(format_duration(Duration::from_secs(187)), "3m 07s");
    }

    #[test]
    fn a_failed_step_is_named_in_the_error_and_the_summary() {
        let mut steps = Steps::new();
        steps.run("first", || Ok(())).expect("first step passes");
        let err = steps
            .run("second", || -> Result<()> { anyhow::bail!("boom") })
            .expect_err("second step fails");
        assert!(format!("{err:#}").contains("step failed: second"));
        let summary = steps.summary();
        assert!(summary.contains("ok    first"), "{summary}");
        assert!(summary.contains("FAIL  second"), "{summary}");
    }
}
