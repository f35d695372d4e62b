//! `cargo xtask bench <suite>`: for `server`, a release server with a fresh
//! database on a free port and the `ticketrail-bench` load generator pointed
//! at it; for `pwa`, `masterdata`, `feed` and `outbox`, measurements in
//! Chromium by a tool of the browser-test crate (see [`browser`]); for
//! `access`, the server's in-process token-check bench.

mod browser;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use anyhow::{Context, Result};
use clap::ValueEnum;
use ticketrail_launch::provision;

use crate::cmd::{self, say};
use crate::paths;
use crate::server::{exit_code, forward_signals, Server};
use crate::steps::Steps;

/// The benchmark suites `ticketrail-bench` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Suite {
    /// Durable orders/s and WebSocket fan-out latency of one outlet server.
    Server,
    /// Time from navigation to an interactive kiosk menu in Chromium, from
    /// the network, with the shell from the service-worker cache, and with
    /// the server stopped (shell from the cache, menu from IndexedDB);
    /// median of 5.
    Pwa,
    /// The offline menu with 20,000 products in Chromium: full sync (wall
    /// time, peak memory), incremental sync of 100 changes, loading the
    /// menu from IndexedDB at start, and search per keystroke.
    Masterdata,
    /// The live order feed: kiosk POST to kitchen ticket painted in two
    /// Chromium browsers (p50/p99 over 200 orders), and the server's CPU
    /// and response times with 300 screens polling every 3 s.
    Feed,
    /// The service-worker outbox in Chromium: time to drain 1,000 queued
    /// orders once the server is back, and tap to "Queued" on the kiosk
    /// with the server down (median, p95, max).
    Outbox,
    /// What checking a screen's token costs per request, in-process
    /// against a real SQLite file (median ns over 9 batches).
    Access,
}

/// Runs `suite` with `args` passed through to its tool (`ticketrail-bench`,
/// `pwa-timing`, `masterdata-bench`, `feed-bench` or `outbox-bench`);
/// returns the tool's exit status as this process's.
pub fn run(root: &Path, suite: Suite, args: &[String]) -> Result<ExitCode> {
    match suite {
        Suite::Server => server(root, args),
        Suite::Pwa => browser::run(root, "pwa-timing", args),
        Suite::Masterdata => browser::run(root, "masterdata-bench", args),
        Suite::Feed => browser::run(root, "feed-bench", args),
        Suite::Outbox => browser::run(root, "outbox-bench", args),
        Suite::Access => access(root, args),
    }
}

/// `cargo bench` of the server's `token_check` (built with the release
/// settings); it takes no options.
fn access(root: &Path, args: &[String]) -> Result<ExitCode> {
    if !args.is_empty() {
        anyhow::bail!("`bench access` takes no options (got {})", args.join(" "));
    }
    let mut steps = Steps::new();
    let status = steps.run("measure the token check (cargo bench)", || {
        let mut bench = cmd::cargo(root);
        bench
            .args([
                "bench",
                "-p",
                "ticketrail-server",
                "--bench",
                "token_check",
                "--",
            ])
            .args(args);
        println!("    $ {}", cmd::describe(&bench));
        bench.status().context("could not run cargo bench")
    })?;
    Ok(ExitCode::from(exit_code(status)))
}

/// A directory removed when dropped, for the bench's throwaway database.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        // Best effort: a leftover directory under target/ harms nothing.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn server(root: &Path, args: &[String]) -> Result<ExitCode> {
    let release = paths::target_dir(root).join("release");
    let mut steps = Steps::new();
    steps.run(
        "build ticketrail-server and ticketrail-bench (release)",
        || {
            cmd::run(cmd::cargo(root).args([
                "build",
                "--release",
                "-p",
                "ticketrail-server",
                "-p",
                "ticketrail-bench",
            ]))
        },
    )?;

    // Declared before the server so it is dropped (removed) after the server stops.
    let scratch = Scratch(paths::xtask_dir(root).join(format!("bench-{}", std::process::id())));
    let mut server = steps.run("start ticketrail-server --demo on a free port", || {
        let dist = scratch.0.join("dist");
        std::fs::create_dir_all(&dist).with_context(|| format!("creating {}", dist.display()))?;
        let db = scratch.0.join("ticketrail.db");
        let args = [
            "--demo".as_ref(),
            "--listen".as_ref(),
            "127.0.0.1:0".as_ref(),
            // The load generator speaks plain HTTP and WebSocket.
            "--no-tls".as_ref(),
            "--db".as_ref(),
            db.as_os_str(),
            "--dist".as_ref(),
            dist.as_os_str(),
        ];
        let server = Server::start(
            &release.join("ticketrail-server"),
            args,
            Duration::from_secs(60),
        )?;
        server.wait_healthy(Duration::from_secs(10))?;
        Ok(server)
    })?;
    let token = steps.run("make an admin token (ticketrail-server token)", || {
        provision(
            &release.join("ticketrail-server"),
            "token",
            &scratch.0.join("ticketrail.db"),
            &["--role", "admin", "--name", "bench"],
        )
    })?;

    let status = steps.run("run the server suite", || {
        let mut bench = Command::new(release.join("ticketrail-bench"));
        bench
            .args(["server", "--base-url", server.url()])
            .args(args)
            .env("TICKETRAIL_BENCH_TOKEN", &token);
        println!("    $ {}", cmd::describe(&bench));
        let mut child = bench.spawn().context("could not start ticketrail-bench")?;
        let signals = forward_signals(child.id())?;
        let status = child.wait().context("waiting for ticketrail-bench");
        signals.close();
        status
    })?;

    let stopped = steps.run("stop the server (SIGTERM)", || server.stop())?;
    if !stopped.success() {
        say(&format!(
            "warning: the server exited with {stopped} after SIGTERM"
        ));
    }
    say(&format!("ticketrail-bench exited ({status})"));
    Ok(ExitCode::from(exit_code(status)))
}
