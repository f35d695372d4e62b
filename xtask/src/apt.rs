//! Debian packages: which are missing, and a non-interactive install of them
//! (through `sudo -n` when not root, so CI never waits on a prompt).

use std::process::Command;

use anyhow::Result;

use crate::cmd::{self, probe, say};

/// Whether dpkg reports `package` as installed.
pub fn is_installed(package: &str) -> bool {
    probe(Command::new("dpkg-query").args(["-W", "-f=${Status}", package]))
        .is_some_and(|status| status.trim() == "install ok installed")
}

/// The subset of `packages` that dpkg does not report as installed.
pub fn missing<'a>(packages: &[&'a str]) -> Vec<&'a str> {
    packages
        .iter()
        .copied()
        .filter(|package| !is_installed(package))
        .collect()
}

/// Refreshes the package index and installs `packages`.
pub fn install(packages: &[&str]) -> Result<()> {
    say(&format!(
        "installing Debian packages: {}",
        packages.join(" ")
    ));
    cmd::run(apt_get().arg("update"))?;
    cmd::run(apt_get().args(["install", "-y"]).args(packages))
}

fn apt_get() -> Command {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        let mut cmd = Command::new("apt-get");
        cmd.env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    } else {
        // `env` inside sudo: sudo resets the environment it was given.
        let mut cmd = Command::new("sudo");
        cmd.args(["-n", "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
        cmd
    }
}
