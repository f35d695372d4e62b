//! Where things live: the repository, the shared target dir, cargo's install
//! root and the per-user cache for tools that do not come from cargo.

use std::env;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The repository root (the parent of `xtask/`), fixed at compile time so the
/// tool works from any current directory.
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.parent().unwrap_or(manifest);
    root.canonicalize().unwrap_or_else(|_| root.to_path_buf())
}

/// The cargo target dir: `CARGO_TARGET_DIR` if set, else `<root>/target`.
pub fn target_dir(root: &Path) -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// Scratch space for xtask's own outputs (test dist, bench databases).
pub fn xtask_dir(root: &Path) -> PathBuf {
    target_dir(root).join("xtask")
}

fn home() -> Result<PathBuf> {
    env::var_os("HOME")
        .map(PathBuf::from)
        .context("HOME is not set; cannot locate ~/.cargo or ~/.cache")
}

/// Cargo's home (`CARGO_HOME`, else `~/.cargo`); `cargo install --root` points
/// here so the installed tools are always found at `<cargo home>/bin`.
pub fn cargo_home() -> Result<PathBuf> {
    match env::var_os("CARGO_HOME") {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => Ok(home()?.join(".cargo")),
    }
}

/// Per-user folder for tools installed from npm (`~/.cache/ticketrail/tools`).
pub fn tools_dir() -> Result<PathBuf> {
    let cache = match env::var_os("XDG_CACHE_HOME") {
        Some(dir) => PathBuf::from(dir),
        None => home()?.join(".cache"),
    };
    Ok(cache.join("ticketrail").join("tools"))
}
