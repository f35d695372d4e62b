//! `cargo xtask test`: every check CI runs, in order of cost, stopping at the
//! first failure and ending with a timed summary.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cmd::{self, cargo};
use crate::steps::Steps;
use crate::tally::{run_counting, Tally};
use crate::toolchain::{Needs, Toolchain, WASM_TARGET};
use crate::tools::{CHROMEDRIVER, CHROMIUM};
use crate::{paths, sizes};

/// The crates that run in the browser, as cargo's `-p` arguments.
const WASM_PACKAGES: [&str; 6] = [
    "-p",
    "ticketrail-app",
    "-p",
    "ticketrail-worker",
    "-p",
    "ticketrail-outbox",
];
const E2E: &str = "ticketrail-e2e";

/// Runs the whole suite and prints the summary whether or not it passed.
pub fn run(root: &Path) -> Result<()> {
    let mut steps = Steps::new();
    let mut tally = Tally::default();
    let result = all_steps(root, &mut steps, &mut tally);
    println!("{}", steps.summary());
    if result.is_ok() {
        println!("All checks passed.");
    }
    // Last, alone on its line: how many tests ran across every runner.
    println!("{}", tally.line());
    result
}

fn all_steps(root: &Path, steps: &mut Steps, tally: &mut Tally) -> Result<()> {
    let toolchain = steps.run(
        "bootstrap tools (wasm toolchain, wasm-bindgen, trunk, wasm-opt, Chromium)",
        || Toolchain::bootstrap(root, Needs { browser: true }),
    )?;
    steps.run("cargo fmt --all --check", || {
        cmd::run(cargo(root).args(["fmt", "--all", "--check"]))
    })?;
    steps.run("clippy, native workspace (-D warnings)", || {
        cmd::run(cargo(root).args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    steps.run(
        "clippy, app + worker + outbox on wasm32 (-D warnings)",
        || {
            cmd::run(
                toolchain
                    .wasm_cargo()
                    .arg("clippy")
                    .args(WASM_PACKAGES)
                    .args([
                        "--all-targets",
                        "--target",
                        WASM_TARGET,
                        "--",
                        "-D",
                        "warnings",
                    ]),
            )
        },
    )?;
    steps.run(
        "native tests (cargo test --workspace --exclude ticketrail-e2e)",
        || {
            run_counting(
                cargo(root).args(["test", "--workspace", "--exclude", E2E]),
                tally,
            )
        },
    )?;

    let dist = paths::xtask_dir(root).join("test-dist");
    steps.run("wasm build of app + worker (trunk build --release)", || {
        toolchain.build_pwa(&dist)
    })?;
    steps.run("wasm sizes", || sizes::report(&dist))?;
    steps.run("wasm-bindgen tests of app, worker and outbox", || {
        let capabilities = paths::xtask_dir(root).join("webdriver.json");
        write_webdriver_capabilities(&capabilities)?;
        let scratch = BrowserScratch::new(&paths::xtask_dir(root).join("browser-tmp"))?;
        // `--tests`: doctests stay native (run above); on wasm they would be
        // plain binaries the wasm-bindgen runner cannot drive.
        run_counting(
            toolchain
                .wasm_cargo()
                .env(
                    "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                    toolchain.test_runner(),
                )
                .env("CHROMEDRIVER", CHROMEDRIVER)
                .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &capabilities)
                .env("TMPDIR", scratch.path())
                .args(["test", "--target", WASM_TARGET])
                .args(WASM_PACKAGES)
                .arg("--tests"),
            tally,
        )
    })?;
    steps.run("build ticketrail-server (debug)", || {
        cmd::run(cargo(root).args(["build", "-p", "ticketrail-server"]))
    })?;
    let server_bin = paths::target_dir(root)
        .join("debug")
        .join("ticketrail-server");
    steps.run("browser end-to-end tests (ticketrail-e2e)", || {
        run_counting(
            cargo(root)
                .args(["test", "-p", E2E])
                .env("TICKETRAIL_SERVER_BIN", &server_bin)
                .env("TICKETRAIL_DIST", &dist)
                .env("CHROMEDRIVER", CHROMEDRIVER)
                .env("CHROMIUM", CHROMIUM),
            tally,
        )
    })?;
    Ok(())
}

/// An emptied folder given to the wasm-bindgen runner as `TMPDIR`, and
/// removed again on drop. The runner ends chromedriver without closing its
/// session, so the Chromium profile chromedriver made (tens of MB per test
/// binary) would otherwise stay in `/tmp` after every run until the disk fills.
struct BrowserScratch(PathBuf);

impl BrowserScratch {
    fn new(dir: &Path) -> Result<Self> {
        remove_if_present(dir)?;
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Self(dir.to_path_buf()))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for BrowserScratch {
    fn drop(&mut self) {
        if let Err(e) = remove_if_present(&self.0) {
            eprintln!("xtask: warning: {e:#}");
        }
    }
}

fn remove_if_present(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("removing {}", dir.display()))
        }
        _ => Ok(()),
    }
}

/// Chrome options for the wasm-bindgen runner: Debian's Chromium, kept from
/// dialing hosts this network refuses (the runner adds headless/no-sandbox).
fn write_webdriver_capabilities(path: &Path) -> Result<()> {
    let json = format!(
        r#"{{"goog:chromeOptions":{{"binary":"{CHROMIUM}","args":["disable-gpu","disable-quic","no-first-run","disable-background-networking","disable-component-update","disable-sync"]}}}}"#
    );
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, json).with_context(|| format!("writing {}", path.display()))
}
