//! The three signals the harnesses send a server (or forward to a tool):
//! SIGTERM and SIGINT, which it answers with a graceful shutdown, and
//! SIGKILL, which gives it no chance to flush anything.

use std::fmt;
use std::str::FromStr;

use anyhow::{anyhow, Context, Result};

/// A signal to send a child process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGTERM: shut down gracefully (what a service manager sends).
    Term,
    /// SIGINT: shut down gracefully (Ctrl-C).
    Int,
    /// SIGKILL: die at once.
    Kill,
}

impl Signal {
    /// The platform's number for it.
    fn number(self) -> libc::c_int {
        match self {
            Self::Term => libc::SIGTERM,
            Self::Int => libc::SIGINT,
            Self::Kill => libc::SIGKILL,
        }
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Term => "SIGTERM",
            Self::Int => "SIGINT",
            Self::Kill => "SIGKILL",
        })
    }
}

/// Reads the name `kill -NAME` takes: `TERM`, `INT` or `KILL`, with or
/// without `SIG` in front.
impl FromStr for Signal {
    type Err = anyhow::Error;

    fn from_str(name: &str) -> Result<Self> {
        match name.strip_prefix("SIG").unwrap_or(name) {
            "TERM" => Ok(Self::Term),
            "INT" => Ok(Self::Int),
            "KILL" => Ok(Self::Kill),
            _ => Err(anyhow!("unknown signal {name:?}: TERM, INT or KILL")),
        }
    }
}

/// Sends `signal` to the process `pid` without waiting for it. The caller
/// makes sure `pid` is its own child that has not been reaped yet, so the
/// number names no other process.
pub fn send(pid: u32, signal: Signal) -> Result<()> {
    // 0 and negative numbers would name process groups, or every process.
    let target = libc::pid_t::try_from(pid)
        .ok()
        .filter(|target| *target > 0)
        .ok_or_else(|| anyhow!("{pid} is not a process id"))?;
    // SAFETY: kill has no memory-safety preconditions; which process it
    // reaches is the caller's promise above.
    if unsafe { libc::kill(target, signal.number()) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error()).with_context(|| format!("sending {signal} to {pid}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_names_kill_takes() {
        assert_eq!("TERM".parse::<Signal>().unwrap(), Signal::Term);
        assert_eq!("SIGINT".parse::<Signal>().unwrap(), Signal::Int);
        assert_eq!("KILL".parse::<Signal>().unwrap(), Signal::Kill);
        assert!("HUP".parse::<Signal>().is_err());
        assert!("term".parse::<Signal>().is_err());
        assert_eq!(Signal::Kill.to_string(), "SIGKILL");
    }

    #[test]
    fn never_signals_a_process_group() {
        assert!(send(0, Signal::Term).is_err());
        assert!(send(u32::MAX, Signal::Term).is_err());
    }
}
