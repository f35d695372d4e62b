//! The server's configuration: command-line flags, each also readable from
//! an environment variable, parsed once at start and carried in the state.
//! Handlers never read the environment.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::synthetic::MenuSize;

/// `ticketrail-server [--listen ADDR] [--db PATH] [--dist DIR] [--demo]`.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "ticketrail-server",
    version,
    about = "The Ticketrail outlet server: menu sync, orders, kitchen feed and WebSocket over SQLite."
)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    /// Default `127.0.0.1:8080`.
    #[arg(
        long,
        env = "TICKETRAIL_LISTEN",
        value_name = "ADDR",
        default_value = "127.0.0.1:8080",
        hide_default_value = true
    )]
    pub listen: SocketAddr,

    /// Serve plain HTTP on `--listen` instead of HTTPS, for a deployment
    /// behind a TLS-terminating proxy. Default off: HTTPS.
    #[arg(
        long,
        env = "TICKETRAIL_NO_TLS",
        conflicts_with_all = ["tls_cert", "hostnames", "http_listen"]
    )]
    pub no_tls: bool,

    /// The server's certificate chain (PEM), instead of one from the
    /// outlet's own CA. Default none.
    #[arg(
        long,
        env = "TICKETRAIL_TLS_CERT",
        value_name = "PATH",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,

    /// The private key of `--tls-cert` (PEM). Default none.
    #[arg(
        long,
        env = "TICKETRAIL_TLS_KEY",
        value_name = "PATH",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,

    /// Another name (or address) screens reach this machine by, for the
    /// certificate of the outlet's CA; repeatable. Default none: only
    /// `localhost`, the host name and the machine's addresses.
    #[arg(
        long = "hostname",
        env = "TICKETRAIL_HOSTNAMES",
        value_name = "NAME",
        value_delimiter = ',',
        value_parser = crate::tls::names::parse_hostname,
        conflicts_with = "tls_cert"
    )]
    pub hostnames: Vec<String>,

    /// Also serve plain HTTP here: the CA certificate (`/ca.pem`), the
    /// trust page (`/trust`, `/`) and `/healthz`; every other path
    /// redirects to HTTPS. Default none.
    #[arg(long, env = "TICKETRAIL_HTTP_LISTEN", value_name = "ADDR")]
    pub http_listen: Option<SocketAddr>,

    /// SQLite database file; created if missing.
    /// Default `./ticketrail.db`.
    #[arg(
        long,
        env = "TICKETRAIL_DB",
        value_name = "PATH",
        default_value = "ticketrail.db",
        hide_default_value = true
    )]
    pub db: PathBuf,

    /// Directory of the built PWA to serve (`cargo xtask build` makes it).
    /// Default `dist`.
    #[arg(
        long,
        env = "TICKETRAIL_DIST",
        value_name = "DIR",
        default_value = "dist",
        hide_default_value = true
    )]
    pub dist: PathBuf,

    /// Seed a demo menu and outlets "1" and "2" into an empty database.
    /// Default off.
    #[arg(long, env = "TICKETRAIL_DEMO")]
    pub demo: bool,

    /// Benchmarks only: seed a synthetic menu of this size (e.g.
    /// `products=20000,categories=200,promotions=50`) and the demo outlets
    /// into an empty database, instead of the demo menu. Default none.
    #[arg(long, env = "TICKETRAIL_SEED_MENU", value_name = "SIZE", hide = true)]
    pub seed_menu: Option<MenuSize>,

    /// Seconds between WebSocket ping frames. Default 20.
    #[arg(
        long,
        env = "TICKETRAIL_WS_PING_SECS",
        default_value_t = 20,
        value_parser = clap::value_parser!(u64).range(1..),
        hide = true
    )]
    pub ws_ping_secs: u64,

    /// Seconds of silence after which a WebSocket is closed. Default 60.
    #[arg(
        long,
        env = "TICKETRAIL_WS_IDLE_SECS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(1..),
        hide = true
    )]
    pub ws_idle_secs: u64,
}

impl Config {
    /// Timing of the outlet sockets.
    pub fn socket_timing(&self) -> SocketTiming {
        SocketTiming {
            ping_every: Duration::from_secs(self.ws_ping_secs),
            idle_timeout: Duration::from_secs(self.ws_idle_secs),
        }
    }
}

/// Heartbeat timing of the outlet sockets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketTiming {
    /// Interval of server ping frames. Default 20 s.
    pub ping_every: Duration,
    /// A socket that sends no frame at all for this long is closed.
    /// Default 60 s.
    pub idle_timeout: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Config::command().debug_assert();
    }

    #[test]
    fn flags_override_defaults_and_bad_addresses_are_refused() {
        let config = Config::try_parse_from([
            "ticketrail-server",
            "--listen",
            "127.0.0.1:0",
            "--db",
            "x.db",
            "--demo",
        ])
        .unwrap();
        assert_eq!(config.listen.port(), 0);
        assert!(config.demo);
        assert!(Config::try_parse_from(["ticketrail-server", "--listen", "nowhere"]).is_err());
        assert!(Config::try_parse_from(["ticketrail-server", "--ws-idle-secs", "0"]).is_err());
        let seeded = Config::try_parse_from([
            "ticketrail-server",
            "--seed-menu",
            "products=20,categories=2,promotions=1",
        ])
        .unwrap();
        assert_eq!(seeded.seed_menu.map(|size| size.products), Some(20));
        assert!(
            Config::try_parse_from(["ticketrail-server", "--seed-menu", "products=1"]).is_err()
        );
    }

    #[test]
    fn tls_flags_go_together_or_not_at_all() {
        let config = Config::try_parse_from([
            "ticketrail-server",
            "--hostname",
            "Outlet.Test",
            "--hostname",
            "192.168.1.20",
            "--http-listen",
            "0.0.0.0:8080",
        ])
        .unwrap();
        assert!(!config.no_tls);
        assert_eq!(config.hostnames, ["outlet.test", "192.168.1.20"]);
        let parse =
            |args: &[&str]| Config::try_parse_from(["ticketrail-server"].iter().chain(args));
        assert!(parse(&["--hostname", "not a name"]).is_err());
        assert!(parse(&["--tls-cert", "c.pem"]).is_err());
        assert!(parse(&["--tls-key", "k.pem"]).is_err());
        assert!(parse(&["--tls-cert", "c.pem", "--tls-key", "k.pem"]).is_ok());
        for with_tls in [
            &["--tls-cert", "c.pem", "--tls-key", "k.pem"][..],
            &["--hostname", "outlet.test"],
            &["--http-listen", "0.0.0.0:8080"],
        ] {
            let mut args = vec!["--no-tls"];
            args.extend_from_slice(with_tls);
            assert!(parse(&args).is_err(), "{args:?}");
        }
    }
}
