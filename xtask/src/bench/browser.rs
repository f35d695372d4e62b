//! The suites measured in headless Chromium by a tool of the browser-test
//! crate against a release PWA and a release server: `cargo xtask bench
//! pwa` (`pwa-timing`, kiosk load times), `cargo xtask bench masterdata`
//! (`masterdata-bench`, the offline menu's sync, load and search) and
//! `cargo xtask bench feed` (`feed-bench`, order to kitchen paint, and the
//! cost of idle polling) and `cargo xtask bench outbox` (`outbox-bench`,
//! draining 1,000 queued orders, and tap to "Queued").
//!
//! Unlike the server suite, these do not start the server themselves: each
//! run needs fresh servers it can stop, restart or seed differently, so the
//! tool starts `ticketrail-server` through the test harness, the same way
//! the browser tests do, and xtask only builds and hands over the paths.

use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::{Context, Result};

use crate::cmd::{self, say};
use crate::paths;
use crate::server::{exit_code, forward_signals};
use crate::steps::Steps;
use crate::toolchain::{Needs, Toolchain};
use crate::tools::{CHROMEDRIVER, CHROMIUM};

/// Builds everything in release and runs `tool` (a binary of the
/// browser-test crate) with `args`; returns its exit status as this
/// process's.
pub fn run(root: &Path, tool: &str, args: &[String]) -> Result<ExitCode> {
    let release = paths::target_dir(root).join("release");
    let dist = paths::xtask_dir(root).join("bench-dist");
    let mut steps = Steps::new();
    let toolchain = steps.run("bootstrap tools (wasm toolchain, Chromium)", || {
        Toolchain::bootstrap(root, Needs { browser: true })
    })?;
    steps.run(
        &format!(
            "build the PWA into {} (trunk build --release)",
            dist.display()
        ),
        || toolchain.build_pwa(&dist),
    )?;
    steps.run(
        &format!("build ticketrail-server and {tool} (release)"),
        || {
            cmd::run(cmd::cargo(root).args([
                "build",
                "--release",
                "-p",
                "ticketrail-server",
                "-p",
                "ticketrail-e2e",
                "--bin",
                "ticketrail-server",
                "--bin",
                tool,
            ]))
        },
    )?;

    let status = steps.run(&format!("run {tool}"), || {
        let mut bench = Command::new(release.join(tool));
        bench
            .env("TICKETRAIL_SERVER_BIN", release.join("ticketrail-server"))
            .env("TICKETRAIL_DIST", &dist)
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("CHROMIUM", CHROMIUM)
            .args(args);
        println!("    $ {}", cmd::describe(&bench));
        let mut child = bench
            .spawn()
            .with_context(|| format!("could not start {tool}"))?;
        // The tools stop their servers and browsers on SIGINT/SIGTERM.
        let signals = forward_signals(child.id())?;
        let status = child.wait().with_context(|| format!("waiting for {tool}"));
        signals.close();
        status
    })?;
    say(&format!("{tool} exited ({status})"));
    Ok(ExitCode::from(exit_code(status)))
}
