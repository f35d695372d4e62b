//! The wasm build toolchain, chosen once per run as `../shared/TOOLCHAIN.md`
//! prescribes: the rustup target when it is (or can quickly be) installed,
//! otherwise Debian's rustc-web with std built from source. The choice only
//! ever reaches wasm builds, through the environment of the commands made
//! here; native builds keep the normal toolchain and `.cargo/config.toml`
//! stays free of it.

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::cmd::{self, probe, say};
use crate::{apt, paths, tools};

/// The only wasm target this project builds for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Set to `debian` to force the fallback (to exercise it where rustup works),
/// `rustup` to forbid it, `auto` or unset to decide by probing.
const OVERRIDE_VAR: &str = "TICKETRAIL_WASM_TOOLCHAIN";

/// Name under which Debian's `/usr` toolchain is linked into rustup.
const DEBIAN_TOOLCHAIN: &str = "debian-web";

/// rustc/cargo 1.96, std sources, the LLVM 22 wasm linker and clippy.
const DEBIAN_PACKAGES: &[&str] = &[
    "rustc-web",
    "cargo-web",
    "rust-web-src",
    "lld-22",
    "rust-web-clippy",
];

/// Which Rust compiles the wasm crates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WasmRust {
    /// The active rustup toolchain with its `wasm32-unknown-unknown` target.
    Rustup,
    /// Debian's rustc-web 1.96, building std from source (cached in target/).
    Debian,
}

impl WasmRust {
    /// The variables every wasm cargo/trunk command needs on this path.
    pub fn env(self) -> &'static [(&'static str, &'static str)] {
        match self {
            WasmRust::Rustup => &[],
            WasmRust::Debian => &[
                ("RUSTUP_TOOLCHAIN", DEBIAN_TOOLCHAIN),
                // build-std is unstable; Debian's stable rustc allows it only so.
                ("RUSTC_BOOTSTRAP", "1"),
                ("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort"),
                // rustc 1.96 emits LLVM 22 objects and ships no rust-lld.
                ("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", "wasm-ld-22"),
            ],
        }
    }
}

/// What the user asked for through [`OVERRIDE_VAR`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    Auto,
    Rustup,
    Debian,
}

fn parse_choice(value: Option<&str>) -> Result<Choice> {
    match value.map(str::trim) {
        None | Some("") | Some("auto") => Ok(Choice::Auto),
        Some("rustup") => Ok(Choice::Rustup),
        Some("debian") => Ok(Choice::Debian),
        Some(other) => bail!("{OVERRIDE_VAR}={other:?} is not one of: auto, rustup, debian"),
    }
}

/// Picks the wasm toolchain, installing what that path needs.
fn select_wasm_rust() -> Result<WasmRust> {
    let requested = env::var(OVERRIDE_VAR).ok();
    match parse_choice(requested.as_deref())? {
        Choice::Debian => {
            say(&format!(
                "wasm toolchain: Debian rustc-web + build-std (forced by {OVERRIDE_VAR}=debian)"
            ));
            ensure_debian()?;
            Ok(WasmRust::Debian)
        }
        Choice::Rustup => {
            if rustup_has_target() || rustup_add_target() {
                say(&format!("wasm toolchain: rustup target {WASM_TARGET}"));
                return Ok(WasmRust::Rustup);
            }
            bail!("{OVERRIDE_VAR}=rustup, but rustup could not install {WASM_TARGET}")
        }
        Choice::Auto => {
            if rustup_has_target() {
                say(&format!(
                    "wasm toolchain: rustup target {WASM_TARGET} (installed)"
                ));
                return Ok(WasmRust::Rustup);
            }
            if rustup_add_target() {
                say(&format!(
                    "wasm toolchain: rustup target {WASM_TARGET} (just added)"
                ));
                return Ok(WasmRust::Rustup);
            }
            say("wasm toolchain: rustup cannot fetch the target here; using Debian rustc-web + build-std");
            ensure_debian()?;
            Ok(WasmRust::Debian)
        }
    }
}

fn rustup_has_target() -> bool {
    probe(Command::new("rustup").args(["target", "list", "--installed"]))
        .is_some_and(|targets| targets.lines().any(|line| line.trim() == WASM_TARGET))
}

/// `rustup target add` with a 30 s limit: on an air-gapped machine it hangs
/// instead of failing, so the limit is what lets the fallback happen.
fn rustup_add_target() -> bool {
    say(&format!("adding {WASM_TARGET} with rustup (30 s limit)"));
    let added =
        cmd::run(Command::new("timeout").args(["30", "rustup", "target", "add", WASM_TARGET]));
    if let Err(err) = &added {
        println!("    rustup could not add the target: {err:#}");
    }
    added.is_ok() && rustup_has_target()
}

/// Debian packages plus the rustup link, each skipped when already there.
fn ensure_debian() -> Result<()> {
    let missing = apt::missing(DEBIAN_PACKAGES);
    if missing.is_empty() {
        say("reusing Debian rustc-web, rust-web-src, lld-22, rust-web-clippy");
    } else {
        apt::install(&missing)?;
    }
    let linked = probe(Command::new("rustup").args(["toolchain", "list"]))
        .is_some_and(|list| list.lines().any(|line| line.starts_with(DEBIAN_TOOLCHAIN)));
    if linked {
        say(&format!(
            "reusing rustup toolchain link {DEBIAN_TOOLCHAIN} -> /usr"
        ));
        return Ok(());
    }
    cmd::run(Command::new("rustup").args(["toolchain", "link", DEBIAN_TOOLCHAIN, "/usr"]))
}

/// What a command needs beyond the wasm toolchain and Trunk.
#[derive(Debug, Clone, Copy)]
pub struct Needs {
    /// Chromium and chromedriver for browser tests (default: not needed).
    pub browser: bool,
}

/// Everything a wasm build or browser test needs, bootstrapped.
#[derive(Debug)]
pub struct Toolchain {
    root: PathBuf,
    wasm_rust: WasmRust,
    cargo_bin: PathBuf,
    /// PATH with wasm-opt 132 first, then cargo's bin (wasm-bindgen, trunk
    /// and the rustup proxies), then the inherited PATH.
    search_path: OsString,
}

impl Toolchain {
    /// Finds or installs every tool; a warm run only runs version probes.
    pub fn bootstrap(root: &Path, needs: Needs) -> Result<Self> {
        let wasm_rust = select_wasm_rust()?;
        let cargo_home = paths::cargo_home()?;
        tools::ensure_wasm_bindgen(root, &cargo_home)?;
        tools::ensure_trunk(&cargo_home)?;
        let binaryen_bin = tools::ensure_binaryen()?;
        if needs.browser {
            tools::ensure_browser()?;
        }
        let cargo_bin = cargo_home.join("bin");
        let inherited = env::var_os("PATH").unwrap_or_default();
        let search_path = env::join_paths(
            [binaryen_bin, cargo_bin.clone()]
                .into_iter()
                .chain(env::split_paths(&inherited)),
        )
        .context("a tool directory contains a path separator")?;
        Ok(Self {
            root: root.to_path_buf(),
            wasm_rust,
            cargo_bin,
            search_path,
        })
    }

    /// `cargo` set up for wasm32 builds on the chosen toolchain.
    pub fn wasm_cargo(&self) -> Command {
        self.command("cargo")
    }

    /// Trunk, offline, with the matching wasm-bindgen and wasm-opt on PATH.
    pub fn trunk(&self) -> Command {
        let mut cmd = self.command(self.cargo_bin.join("trunk"));
        cmd.env("TRUNK_OFFLINE", "true");
        cmd
    }

    /// The wasm-bindgen test runner at the lock file's version.
    pub fn test_runner(&self) -> PathBuf {
        self.cargo_bin.join("wasm-bindgen-test-runner")
    }

    /// `trunk build --release` of `www/index.html` into `dist`.
    pub fn build_pwa(&self, dist: &Path) -> Result<()> {
        cmd::run(
            self.trunk()
                .args(["build", "--release", "--dist"])
                .arg(dist),
        )
    }

    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(&self.root)
            .env("PATH", &self.search_path)
            .envs(self.wasm_rust.env().iter().copied());
        cmd
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_override_accepts_the_documented_values_only() {
        assert_eq!(parse_choice(None).ok(), Some(Choice::Auto));
        assert_eq!(parse_choice(Some("")).ok(), Some(Choice::Auto));
        assert_eq!(parse_choice(Some("debian")).ok(), Some(Choice::Debian));
        assert_eq!(parse_choice(Some(" rustup ")).ok(), Some(Choice::Rustup));
        assert!(parse_choice(Some("nightly")).is_err());
    }

    #[test]
    fn only_the_debian_path_changes_the_environment() {
        assert!(WasmRust::Rustup.env().is_empty());
        let debian = WasmRust::Debian.env();
        assert!(debian.contains(&("RUSTUP_TOOLCHAIN", "debian-web")));
        assert!(debian.contains(&("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", "wasm-ld-22")));
    }
}
