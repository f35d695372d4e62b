//! `cargo xtask demo`: bootstrap, build the PWA and the server in release,
//! then serve the demo outlet until interrupted.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::cmd::{self, say};
use crate::paths;
use crate::server::{exit_code, Server};
use crate::steps::Steps;
use crate::toolchain::{Needs, Toolchain};

/// Where and with what the demo server runs.
#[derive(Debug)]
pub struct DemoOptions {
    /// Address to bind (default `127.0.0.1:8080`).
    pub listen: String,
    /// SQLite file (default `target/demo/ticketrail.db`, kept between runs).
    pub db: Option<PathBuf>,
}

/// Runs the demo; returns the server's exit status as this process's.
pub fn run(root: &Path, options: DemoOptions) -> Result<ExitCode> {
    let target = paths::target_dir(root);
    let db = options
        .db
        .unwrap_or_else(|| target.join("demo").join("ticketrail.db"));
    let dist = root.join("dist");
    let mut steps = Steps::new();

    let toolchain = steps.run("bootstrap tools", || {
        Toolchain::bootstrap(root, Needs { browser: false })
    })?;
    steps.run("build the PWA into dist/ (trunk build --release)", || {
        toolchain.build_pwa(&dist)
    })?;
    steps.run("build ticketrail-server (release)", || {
        cmd::run(cmd::cargo(root).args(["build", "--release", "-p", "ticketrail-server"]))
    })?;
    let mut server = steps.run("start ticketrail-server --demo", || {
        if let Some(dir) = db.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let bin = target.join("release").join("ticketrail-server");
        let args = [
            "--demo".as_ref(),
            "--dist".as_ref(),
            dist.as_os_str(),
            "--db".as_ref(),
            db.as_os_str(),
            "--listen".as_ref(),
            options.listen.as_ref(),
        ];
        let server = Server::start(&bin, args, Duration::from_secs(60))?;
        server.wait_healthy(Duration::from_secs(10))?;
        Ok(server)
    })?;

    let url = server.url().trim_end_matches('/').to_owned();
    say("Ticketrail demo is running (Ctrl-C stops it)");
    println!("    kiosk:    {url}/kiosk");
    println!("    kitchen:  {url}/kitchen");
    println!("    database: {}", db.display());

    let signals = server.forward_signals()?;
    let status = server.wait()?;
    signals.close();
    say(&format!("ticketrail-server exited ({status})"));
    Ok(ExitCode::from(exit_code(status)))
}
