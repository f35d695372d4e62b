//! `cargo xtask demo`: bootstrap, build the PWA and the server in release,
//! then serve the demo outlet until interrupted.
//!
//! Tablets need HTTPS for the app's service worker, so the demo serves it
//! on the network (`--listen`, default `0.0.0.0:8443`) with the outlet's own
//! CA, plus plain HTTP (`--http-listen`, default `0.0.0.0:8080`) for the
//! trust page that gets a tablet to trust that CA. On this machine,
//! `http://127.0.0.1:8080` is a secure context already: the server gives
//! it the whole app, so the demo works in a local browser with no setup.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use ticketrail_launch::provision;

use crate::cmd::{self, say};
use crate::paths;
use crate::server::{exit_code, Server};
use crate::steps::Steps;
use crate::toolchain::{Needs, Toolchain};

/// Where and with what the demo server runs.
#[derive(Debug)]
pub struct DemoOptions {
    /// The HTTPS app's address (default `0.0.0.0:8443`).
    pub listen: SocketAddr,
    /// Plain HTTP: the trust page, and the app for this machine (default
    /// `0.0.0.0:8080`).
    pub http_listen: SocketAddr,
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
        let (listen, http_listen) = (options.listen.to_string(), options.http_listen.to_string());
        let args = [
            "--demo".as_ref(),
            "--dist".as_ref(),
            dist.as_os_str(),
            "--db".as_ref(),
            db.as_os_str(),
            "--listen".as_ref(),
            listen.as_ref(),
            "--http-listen".as_ref(),
            http_listen.as_ref(),
        ];
        let server = Server::start(&bin, args, Duration::from_secs(60))?;
        server.wait_healthy_at(&plain_base(options.http_listen), Duration::from_secs(10))?;
        Ok(server)
    })?;

    let bin = target.join("release").join("ticketrail-server");
    let codes = steps.run("make pairing codes for one kiosk and one kitchen", || {
        Ok((
            pairing_code(&bin, &db, "kiosk")?,
            pairing_code(&bin, &db, "kitchen")?,
        ))
    })?;

    say("Ticketrail demo is running (Ctrl-C stops it)");
    println!(
        "    each link below pairs one screen, once, within 10 minutes; later screens pair with codes from POST /api/pairing-codes"
    );
    if let Some(local) = local_base(options.http_listen) {
        println!("    on this machine:");
        println!("    kiosk:    {local}/pair?code={}&next=/kiosk", codes.0);
        println!("    kitchen:  {local}/pair?code={}&next=/kitchen", codes.1);
    }
    let hosts = tablet_hosts(options.listen.ip(), &machine_addresses());
    if hosts.is_empty() {
        println!(
            "    tablets:  no network address found for {}",
            options.listen
        );
    }
    for host in hosts {
        let app = base("https", host, options.listen.port());
        let trust_host = match options.http_listen.ip() {
            ip if ip.is_unspecified() => host,
            ip => ip,
        };
        let trust = base("http", trust_host, options.http_listen.port());
        println!("    on tablets at {host} (trust the outlet's CA once: {trust}/trust):");
        println!("    kiosk:    {app}/pair?code={}&next=/kiosk", codes.0);
        println!("    kitchen:  {app}/pair?code={}&next=/kitchen", codes.1);
    }
    println!("    database: {}", db.display());

    let signals = server.forward_signals()?;
    let status = server.wait()?;
    signals.close();
    say(&format!("ticketrail-server exited ({status})"));
    Ok(ExitCode::from(exit_code(status)))
}

/// `scheme://ip:port`, with brackets around an IPv6 address.
/// A pairing code for a `role` screen of demo outlet 1, from
/// `ticketrail-server pairing-code` on the demo's database.
fn pairing_code(bin: &Path, db: &Path, role: &str) -> Result<String> {
    let name = format!("Demo {role}");
    provision(
        bin,
        "pairing-code",
        db,
        &["--outlet", "1", "--role", role, "--name", &name],
    )
}

fn base(scheme: &str, ip: IpAddr, port: u16) -> String {
    format!("{scheme}://{}", SocketAddr::new(ip, port))
}

/// Where this machine reaches the plain listener at `addr`.
fn plain_base(addr: SocketAddr) -> String {
    local_base(addr).unwrap_or_else(|| base("http", addr.ip(), addr.port()))
}

/// `http://127.0.0.1:PORT` when the plain listener at `addr` can be reached
/// over loopback, where the server serves a local browser the whole app.
fn local_base(addr: SocketAddr) -> Option<String> {
    let ip = addr.ip();
    (ip.is_unspecified() || ip.is_loopback())
        .then(|| base("http", IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port()))
}

/// The addresses tablets reach an app listening on `listen` at: that
/// address, or for an unspecified one every IPv4 network address of the
/// machine (`machine`); none for loopback.
fn tablet_hosts(listen: IpAddr, machine: &[IpAddr]) -> Vec<IpAddr> {
    if listen.is_loopback() {
        return Vec::new();
    }
    if !listen.is_unspecified() {
        return vec![listen];
    }
    machine
        .iter()
        .copied()
        .filter(|ip| matches!(ip, IpAddr::V4(v4) if !v4.is_loopback() && !v4.is_link_local()))
        .collect()
}

/// The machine's interface addresses; none when they cannot be listed.
fn machine_addresses() -> Vec<IpAddr> {
    if_addrs::get_if_addrs()
        .map(|interfaces| interfaces.iter().map(if_addrs::Interface::ip).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn this_machine_uses_loopback_when_the_plain_listener_is_there() {
        assert_eq!(
            local_base("0.0.0.0:8080".parse().unwrap()).as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            local_base("127.0.0.1:9000".parse().unwrap()).as_deref(),
            Some("http://127.0.0.1:9000")
        );
        assert_eq!(local_base("192.168.1.20:8080".parse().unwrap()), None);
        assert_eq!(
            plain_base("192.168.1.20:8080".parse().unwrap()),
            "http://192.168.1.20:8080"
        );
    }

    #[test]
    fn tablets_use_the_network_addresses() {
        let machine = [
            ip("127.0.0.1"),
            ip("192.168.1.20"),
            ip("169.254.3.4"),
            ip("fd00::2"),
            ip("10.0.0.5"),
        ];
        assert_eq!(
            tablet_hosts(ip("0.0.0.0"), &machine),
            [ip("192.168.1.20"), ip("10.0.0.5")]
        );
        assert_eq!(
            tablet_hosts(ip("192.168.1.20"), &machine),
            [ip("192.168.1.20")]
        );
        assert!(tablet_hosts(ip("127.0.0.1"), &machine).is_empty());
        assert_eq!(base("https", ip("fd00::2"), 8443), "https://[fd00::2]:8443");
    }
}
