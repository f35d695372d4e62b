//! The four inputs `cargo xtask test` hands the browser tests, read once.

use std::fs::File;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};

/// Paths to the things under test and the browser that tests them.
#[derive(Debug, Clone)]
pub struct Env {
    /// The built `ticketrail-server` binary (`TICKETRAIL_SERVER_BIN`).
    pub server_bin: PathBuf,
    /// The Trunk release build of the PWA (`TICKETRAIL_DIST`).
    pub dist: PathBuf,
    /// chromedriver (`CHROMEDRIVER`).
    pub chromedriver: PathBuf,
    /// The Chromium binary chromedriver starts (`CHROMIUM`).
    pub chromium: PathBuf,
}

impl Env {
    /// Reads the environment; when anything is missing, the error says to
    /// run the tests the way that prepares it.
    pub fn from_env() -> Result<Env> {
        let mut missing = Vec::new();
        let mut path = |name: &'static str| match std::env::var_os(name) {
            Some(value) if !value.is_empty() => PathBuf::from(value),
            _ => {
                missing.push(name);
                PathBuf::new()
            }
        };
        let env = Env {
            server_bin: path("TICKETRAIL_SERVER_BIN"),
            dist: path("TICKETRAIL_DIST"),
            chromedriver: path("CHROMEDRIVER"),
            chromium: path("CHROMIUM"),
        };
        if !missing.is_empty() {
            bail!(
                "{} not set: the browser tests need a built server, a built PWA and \
                 Chromium; run them with `cargo xtask test`, which prepares all of it",
                missing.join(", ")
            );
        }
        for (what, file) in [
            ("TICKETRAIL_SERVER_BIN", &env.server_bin),
            ("TICKETRAIL_DIST/index.html", &env.dist.join("index.html")),
            ("CHROMEDRIVER", &env.chromedriver),
            ("CHROMIUM", &env.chromium),
        ] {
            if !file.is_file() {
                bail!(
                    "{what} ({}) does not exist; run `cargo xtask test`",
                    file.display()
                );
            }
        }
        Ok(env)
    }

    /// Where screenshots go: `target/e2e-screenshots/` of this workspace.
    pub fn screenshot_dir() -> PathBuf {
        target_dir().join("e2e-screenshots")
    }

    /// A fresh log file `target/e2e-logs/<name>` for a process a test
    /// starts, kept after the run so a failure can be read afterwards.
    pub fn log_file(name: &str) -> Result<File> {
        let dir = target_dir().join("e2e-logs");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(name);
        File::create(&path).with_context(|| format!("creating {}", path.display()))
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
}
