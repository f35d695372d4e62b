//! Runs `ticketrail-server` as a child through `ticketrail-launch`, passing
//! its STDOUT through: probes `/healthz`, forwards signals to it (and to
//! the other tools xtask runs), and never leaves it running behind an
//! error.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::process::ExitStatus;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::{Handle, Signals};
use ticketrail_launch::{Process, Signal, StartOptions};

/// How long a stopped server gets to shut down gracefully before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(15);

/// `host:port` of an `http://host:port[/...]` URL (the health probe
/// speaks plain HTTP only).
fn authority(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("http://")?;
    let end = rest.find('/').unwrap_or(rest.len());
    Some(&rest[..end]).filter(|authority| !authority.is_empty())
}

/// Whether an HTTP response starts with a 200 status line.
fn is_ok_response(head: &str) -> bool {
    let mut words = head.split_whitespace();
    matches!(
        (words.next(), words.next()),
        (Some("HTTP/1.1" | "HTTP/1.0"), Some("200"))
    )
}

/// A running server; dropped while running, it is stopped (SIGTERM, then
/// SIGKILL after a grace period).
#[derive(Debug)]
pub struct Server {
    process: Process,
}

impl Server {
    /// Spawns `bin args...` and waits up to `deadline` for its listening line.
    /// Its stdout lines are passed through to this process's stdout.
    pub fn start<I, S>(bin: &Path, args: I, deadline: Duration) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = ticketrail_launch::command(bin);
        cmd.args(args);
        println!("    $ {}", crate::cmd::describe(&cmd));
        let options = StartOptions {
            deadline,
            trust: false,
            echo: true,
        };
        Ok(Self {
            process: Process::start(cmd, &options)?,
        })
    }

    /// The base URL the server printed, e.g. `http://127.0.0.1:8080`.
    pub fn url(&self) -> &str {
        self.process.url()
    }

    /// Polls `GET /healthz` until it answers 200 or `deadline` passes.
    pub fn wait_healthy(&self, deadline: Duration) -> Result<()> {
        self.wait_healthy_at(self.url(), deadline)
    }

    /// Like [`Server::wait_healthy`], at another plain-HTTP base URL of the
    /// server: its `--http-listen` one when the app listener speaks HTTPS.
    pub fn wait_healthy_at(&self, url: &str, deadline: Duration) -> Result<()> {
        let authority = authority(url).ok_or_else(|| anyhow!("cannot find host:port in {url}"))?;
        let until = Instant::now() + deadline;
        loop {
            let last = match healthz(authority) {
                Ok(head) if is_ok_response(&head) => return Ok(()),
                Ok(head) => head.lines().next().unwrap_or_default().to_owned(),
                Err(err) => format!("{err:#}"),
            };
            if Instant::now() >= until {
                bail!("{url}/healthz did not answer 200 in time (last: {last})");
            }
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// Forwards SIGINT and SIGTERM sent to this process to the server until
    /// the returned handle is closed.
    pub fn forward_signals(&self) -> Result<Handle> {
        forward_signals(self.process.pid())
    }

    /// Waits for the server to exit on its own (or through forwarded signals).
    pub fn wait(&mut self) -> Result<ExitStatus> {
        self.process.wait()
    }

    /// Asks the server to shut down (SIGTERM) and waits for it; SIGKILL after
    /// [`STOP_GRACE`].
    pub fn stop(&mut self) -> Result<ExitStatus> {
        self.process.stop(Signal::Term, STOP_GRACE)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Err(err) = self.stop() {
            eprintln!("xtask: stopping the server: {err:#}");
        }
    }
}

/// One `GET /healthz` with short timeouts; returns the response text.
fn healthz(authority: &str) -> Result<String> {
    let addr = authority
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| anyhow!("{authority} resolves to nothing"))?;
    let timeout = Duration::from_secs(2);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.take(64 * 1024).read_to_string(&mut response)?;
    Ok(response)
}

/// Forwards SIGINT/SIGTERM received by this process to `pid`. Registering
/// also keeps this process alive through them, so it can report the child's
/// exit status and clean up.
pub fn forward_signals(pid: u32) -> Result<Handle> {
    let mut signals = Signals::new([SIGINT, SIGTERM]).context("installing signal handlers")?;
    let handle = signals.handle();
    thread::spawn(move || {
        for signal in signals.forever() {
            let signal = if signal == SIGINT {
                Signal::Int
            } else {
                Signal::Term
            };
            // `pid` is our own child; callers stop forwarding once it is
            // reaped, so it names no other process. One that has exited
            // already has nothing left to stop.
            let _ = ticketrail_launch::send(pid, signal);
        }
    });
    Ok(handle)
}

/// The exit code to finish with so a parent sees what the child did:
/// its code, or 128 + signal number as shells report it.
pub fn exit_code(status: ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code).unwrap_or(1),
        (None, Some(signal)) => u8::try_from(128 + signal).unwrap_or(1),
        (None, None) => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_host_and_port() {
        assert_eq!(authority("http://127.0.0.1:8080"), Some("127.0.0.1:8080"));
        assert_eq!(authority("http://[::1]:80/kiosk"), Some("[::1]:80"));
        assert_eq!(authority("http://"), None);
        assert_eq!(authority("https://a:1"), None);
    }

    #[test]
    fn only_a_200_status_line_is_healthy() {
        assert!(is_ok_response(
            "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"
        ));
        assert!(!is_ok_response("HTTP/1.1 503 Service Unavailable\r\n"));
        assert!(!is_ok_response("garbage 200"));
        assert!(!is_ok_response(""));
    }

    #[test]
    fn exit_codes_follow_shell_conventions() {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(exit_code(ExitStatus::from_raw(0)), 0);
        assert_eq!(exit_code(ExitStatus::from_raw(3 << 8)), 3);
        assert_eq!(exit_code(ExitStatus::from_raw(SIGTERM)), 143);
    }
}
