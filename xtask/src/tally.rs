//! Totals of every `cargo test` run in a suite, read from the runners' own
//! `test result:` lines, so the suite can close on one line that says how
//! many tests ran: `tests: N passed, N failed`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::cmd::describe;

/// Passed and failed counts summed over the runs seen so far.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Tests that passed.
    pub passed: u64,
    /// Tests that failed.
    pub failed: u64,
}

impl Tally {
    /// Adds the counts of a libtest summary line such as
    /// `test result: ok. 12 passed; 0 failed; 1 ignored; ...`; other lines are
    /// ignored.
    pub fn observe(&mut self, line: &str) {
        let Some(rest) = line.trim_start().strip_prefix("test result: ") else {
            return;
        };
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(label), Some(count)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(count) = count.parse::<u64>() else {
                continue;
            };
            match label {
                "passed" => self.passed += count,
                "failed" => self.failed += count,
                _ => {}
            }
        }
    }

    /// The closing line: `tests: N passed, N failed`.
    pub fn line(&self) -> String {
        format!("tests: {} passed, {} failed", self.passed, self.failed)
    }
}

/// Runs a test command, echoing its stdout line by line as it comes and
/// adding its `test result:` lines to `tally`; stderr is inherited.
pub fn run_counting(cmd: &mut Command, tally: &mut Tally) -> Result<()> {
    let line = describe(cmd);
    println!("    $ {line}");
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start `{line}`"))?;
    if let Some(stdout) = child.stdout.take() {
        for text in BufReader::new(stdout).lines() {
            let text = text.with_context(|| format!("reading the output of `{line}`"))?;
            println!("{text}");
            tally.observe(&text);
        }
    }
    let status = child
        .wait()
        .with_context(|| format!("waiting for `{line}`"))?;
    if !status.success() {
        bail!("`{line}` failed ({status})");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_libtest_summaries_and_ignores_other_lines() {
        let mut tally = Tally::default();
        for line in [
            "running 3 tests",
            "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.05s",
            "test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out",
            "   test result: ok. 0 passed; 0 failed; 0 ignored",
            "test something ... ok",
        ] {
            tally.observe(line);
        }
        assert_eq!(
            tally,
            Tally {
                passed: 15,
                failed: 2
            }
        );
        assert_eq!(tally.line(), "tests: 15 passed, 2 failed");
    }
}
