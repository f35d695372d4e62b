//! `cargo xtask bench pwa`: kiosk load times in headless Chromium, measured
//! by the `pwa-timing` binary of the browser-test crate against a release
//! PWA and a release server.
//!
//! Unlike the server suite, this one does not start the server itself:
//! every run needs a fresh server it can stop half-way (to time the app
//! starting from the service-worker cache), so `pwa-timing` starts and
//! stops `ticketrail-server` through the test harness, the same way the
//! browser tests do, and xtask only builds and hands over the paths.

use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::{Context, Result};

use crate::cmd::{self, say};
use crate::paths;
use crate::server::{exit_code, forward_signals};
use crate::steps::Steps;
use crate::toolchain::{Needs, Toolchain};
use crate::tools::{CHROMEDRIVER, CHROMIUM};

/// Builds everything in release and runs `pwa-timing` with `args`; returns
/// its exit status as this process's.
pub fn run(root: &Path, args: &[String]) -> Result<ExitCode> {
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
    steps.run("build ticketrail-server and pwa-timing (release)", || {
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
            "pwa-timing",
        ]))
    })?;

    let status = steps.run("run pwa-timing", || {
        let mut timing = Command::new(release.join("pwa-timing"));
        timing
            .env("TICKETRAIL_SERVER_BIN", release.join("ticketrail-server"))
            .env("TICKETRAIL_DIST", &dist)
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("CHROMIUM", CHROMIUM)
            .args(args);
        println!("    $ {}", cmd::describe(&timing));
        let mut child = timing.spawn().context("could not start pwa-timing")?;
        // pwa-timing stops its servers and browsers on SIGINT/SIGTERM.
        let signals = forward_signals(child.id())?;
        let status = child.wait().context("waiting for pwa-timing");
        signals.close();
        status
    })?;
    say(&format!("pwa-timing exited ({status})"));
    Ok(ExitCode::from(exit_code(status)))
}
