//! Companion tools for the wasm build and the browser tests: each is reused
//! when its `--version` already matches (a sub-second probe), else installed
//! the way `../shared/TOOLCHAIN.md` verified on these machines.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::cmd::{self, probe, say};
use crate::{apt, lockfile, paths};

/// Trunk release known to build with rustc 1.95/1.96 from the registry mirror.
pub const TRUNK_VERSION: &str = "0.21.14";

/// binaryen from npm; Debian's 108 miscompiles rustc 1.96 output.
pub const BINARYEN_VERSION: &str = "132";

/// Debian's Chromium, driven through chromedriver by the browser tests.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Debian's chromedriver, matching [`CHROMIUM`].
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Debian's package with NSS's `certutil`.
const NSS_TOOLS: &str = "libnss3-tools";

/// Whether a tool's `--version` output names exactly version `want`, as a
/// whole word (`trunk 0.21.14`, `wasm-opt version 132 (version_132)`), so
/// `0.2.13` never passes for `0.2.130`.
pub fn reports_version(output: &str, want: &str) -> bool {
    output
        .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ','))
        .map(|word| word.strip_prefix('v').unwrap_or(word))
        .any(|word| word == want)
}

fn binary_reports(binary: &Path, want: &str) -> bool {
    probe(Command::new(binary).arg("--version")).is_some_and(|out| reports_version(&out, want))
}

/// `cargo install` into `cargo_home`, so the result is where the probes look.
fn cargo_install(cargo_home: &Path, args: &[&str]) -> Result<()> {
    cmd::run(
        Command::new("cargo")
            .arg("install")
            .arg("--root")
            .arg(cargo_home)
            .args(args),
    )
}

/// wasm-bindgen CLI and test runner at the version in `Cargo.lock`.
pub fn ensure_wasm_bindgen(root: &Path, cargo_home: &Path) -> Result<()> {
    let want = lockfile::wasm_bindgen_version(root)?;
    let bin = cargo_home.join("bin");
    let ready = || {
        binary_reports(&bin.join("wasm-bindgen"), &want)
            && binary_reports(&bin.join("wasm-bindgen-test-runner"), &want)
    };
    if ready() {
        say(&format!("reusing wasm-bindgen-cli {want}"));
        return Ok(());
    }
    say(&format!(
        "installing wasm-bindgen-cli {want} (first run only, ~4 min)"
    ));
    // No --locked: the registry mirror lacks one of its locked dependencies.
    cargo_install(cargo_home, &["wasm-bindgen-cli", "--version", &want])?;
    if !ready() {
        bail!("wasm-bindgen-cli {want} was installed but `wasm-bindgen --version` disagrees");
    }
    Ok(())
}

/// Trunk at [`TRUNK_VERSION`].
pub fn ensure_trunk(cargo_home: &Path) -> Result<()> {
    let trunk = cargo_home.join("bin").join("trunk");
    if binary_reports(&trunk, TRUNK_VERSION) {
        say(&format!("reusing trunk {TRUNK_VERSION}"));
        return Ok(());
    }
    say(&format!(
        "installing trunk {TRUNK_VERSION} (first run only, ~11 min)"
    ));
    // --locked is required: an unlocked cssparser breaks trunk's build.
    cargo_install(
        cargo_home,
        &["trunk", "--version", TRUNK_VERSION, "--locked"],
    )?;
    if !binary_reports(&trunk, TRUNK_VERSION) {
        bail!("trunk {TRUNK_VERSION} was installed but `trunk --version` disagrees");
    }
    Ok(())
}

/// wasm-opt from npm's binaryen, in a per-user tools folder; returns the
/// folder to put first on PATH.
pub fn ensure_binaryen() -> Result<PathBuf> {
    let prefix = paths::tools_dir()?.join(format!("binaryen-{BINARYEN_VERSION}"));
    let bin = prefix.join("node_modules").join(".bin");
    let wasm_opt = bin.join("wasm-opt");
    if binary_reports(&wasm_opt, BINARYEN_VERSION) {
        say(&format!(
            "reusing wasm-opt {BINARYEN_VERSION} (npm binaryen)"
        ));
        return Ok(bin);
    }
    if probe(Command::new("npm").arg("--version")).is_none() {
        apt::install(&["nodejs", "npm"])?;
    }
    say(&format!(
        "installing binaryen@{BINARYEN_VERSION} (wasm-opt) from npm into {} (first run only, ~1 min)",
        prefix.display()
    ));
    std::fs::create_dir_all(&prefix).with_context(|| format!("creating {}", prefix.display()))?;
    cmd::run(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&prefix)
            .arg(format!("binaryen@{BINARYEN_VERSION}")),
    )?;
    if !binary_reports(&wasm_opt, BINARYEN_VERSION) {
        bail!(
            "binaryen@{BINARYEN_VERSION} was installed but `{} --version` disagrees",
            wasm_opt.display()
        );
    }
    Ok(bin)
}

/// Chromium and chromedriver from Debian, for the browser tests, and
/// `certutil` (`libnss3-tools`), which makes a test browser trust the
/// outlet's CA for real.
pub fn ensure_browser() -> Result<()> {
    let present = || Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    let missing_tools = apt::missing(&[NSS_TOOLS]);
    if present() && missing_tools.is_empty() {
        say(&format!("reusing {CHROMIUM}, {CHROMEDRIVER} and certutil"));
        return Ok(());
    }
    say("installing Chromium, chromedriver and certutil with apt (first run only, ~1 min)");
    apt::install(&["chromium", "chromium-driver", NSS_TOOLS])?;
    if !present() {
        bail!("apt installed chromium and chromium-driver, yet {CHROMIUM} or {CHROMEDRIVER} is missing");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_version_words_tools_print() {
        assert!(reports_version("trunk 0.21.14\n", "0.21.14"));
        assert!(reports_version("wasm-bindgen 0.2.130", "0.2.130"));
        assert!(reports_version("wasm-opt version 132 (version_132)", "132"));
        assert!(reports_version("tool v1.2.3", "1.2.3"));
    }

    #[test]
    fn rejects_prefixes_and_neighbours() {
        assert!(!reports_version("wasm-bindgen 0.2.130", "0.2.13"));
        assert!(!reports_version("wasm-bindgen 0.2.13", "0.2.130"));
        assert!(!reports_version("trunk 0.21.1", "0.21.14"));
        assert!(!reports_version("wasm-opt version 108", "132"));
        assert!(!reports_version("", "132"));
    }
}
