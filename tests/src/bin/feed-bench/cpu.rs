//! CPU time of a process and the machine's load, read from `/proc`: the
//! polling step's "server CPU % of one core" is the growth of the server's
//! `utime + stime` over the measured window divided by the window's length.

use std::time::Duration;

use anyhow::{bail, Context, Result};

/// The unit of `utime`/`stime` in `/proc/<pid>/stat`. The kernel reports
/// them in `USER_HZ` ticks, which is fixed at 100 per second on every
/// architecture Linux exports to user space (it is part of the `/proc` ABI,
/// independent of the kernel's internal `HZ`).
const TICKS_PER_SECOND: f64 = 100.0;

/// User plus system CPU time `pid` (all its threads) has used so far; `pid`
/// `None` means this process.
pub fn cpu_time(pid: Option<u32>) -> Result<Duration> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/stat"),
        None => "/proc/self/stat".to_owned(),
    };
    let stat = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    let ticks = parse_cpu_ticks(&stat).with_context(|| format!("parsing {path}: {stat:?}"))?;
    Ok(Duration::from_secs_f64(ticks as f64 / TICKS_PER_SECOND))
}

/// `utime + stime` (fields 14 and 15) of one `/proc/<pid>/stat` line. The
/// command name (field 2) is in parentheses and may itself hold spaces and
/// parentheses, so the fields are counted from the last `)`.
fn parse_cpu_ticks(stat: &str) -> Result<u64> {
    let Some((_, rest)) = stat.rsplit_once(')') else {
        bail!("no `)` after the command name");
    };
    // After the `)`: field 3 (state) is index 0, so field N is index N - 3.
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |number: usize| -> Result<u64> {
        let text = fields
            .get(number - 3)
            .with_context(|| format!("no field {number}"))?;
        text.parse()
            .with_context(|| format!("field {number} is not a number: {text:?}"))
    };
    Ok(field(14)? + field(15)?)
}

/// The 1-, 5- and 15-minute load averages (`/proc/loadavg`), as `uptime`
/// shows them, for the report: the machine is shared.
pub fn load_average() -> Result<String> {
    let loadavg = std::fs::read_to_string("/proc/loadavg").context("reading /proc/loadavg")?;
    let averages: Vec<&str> = loadavg.split_whitespace().take(3).collect();
    Ok(averages.join(", "))
}

#[cfg(test)]
mod tests {
    use super::parse_cpu_ticks;

    #[test]
    fn reads_utime_and_stime_past_a_name_with_spaces() {
        let stat = "4242 (tokio (rt) w) S 1 4242 4242 0 -1 4194560 100 0 0 0 \
                    250 31 0 0 20 0 5 0 1000 2000000 300 18446744073709551615";
        assert_eq!(parse_cpu_ticks(stat).ok(), Some(281));
    }

    #[test]
    fn rejects_a_truncated_line() {
        assert!(parse_cpu_ticks("4242 (x) S 1 2").is_err());
        assert!(parse_cpu_ticks("no parenthesis").is_err());
    }
}
