//! `ticketrail-server`: reads its command line; serves (sets up TLS, opens
//! the database, binds the listeners, announces their addresses on STDOUT
//! and serves until SIGINT or SIGTERM) or runs a provisioning subcommand.
//! Everything else is in the library.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::SystemTime;

use anyhow::Context;
use clap::Parser;
use ticketrail_server::cli::{self, Cli};
use ticketrail_server::{serve, tls, AppState, Config, Listeners};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Logs go to STDERR; STDOUT carries only the "listening" line that
    // scripts and tests wait for.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let outcome = match cli.command {
        Some(command) => cli::run(command)
            .await
            .map(|printed| announce(&printed))
            .map_err(anyhow::Error::from),
        None => run(cli.serve).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> anyhow::Result<()> {
    let tls = tls::prepare(&config, SystemTime::now()).context("setting up TLS")?;
    let mut state = AppState::open(&config).await?.with_ca(tls.ca);
    let setup_code = match state.prepare_setup().await {
        Ok(code) => code,
        Err(error) => {
            state.close().await;
            return Err(error.into());
        }
    };
    let bound = async {
        let app = bind(config.listen).await?;
        let plain = match config.http_listen {
            Some(addr) => Some(bind(addr).await?),
            None => None,
        };
        anyhow::Ok((app, plain))
    }
    .await;
    let (app, plain) = match bound {
        Ok(bound) => bound,
        Err(error) => {
            state.close().await;
            return Err(error);
        }
    };
    let addr = app.local_addr().context("reading the bound address")?;
    let scheme = if tls.server.is_some() {
        "https"
    } else {
        "http"
    };
    announce(&format!("ticketrail-server listening on {scheme}://{addr}"));
    if let Some(plain) = &plain {
        let plain = plain.local_addr().context("reading the bound address")?;
        announce(&format!(
            "ticketrail-server trust page on http://{plain}/trust"
        ));
    }
    if let Some(code) = setup_code {
        // The code is a secret: STDOUT only, never the log.
        let host = if addr.ip().is_unspecified() {
            "localhost".to_owned()
        } else {
            addr.to_string()
                .rsplit_once(':')
                .map_or(String::new(), |(host, _)| host.to_owned())
        };
        announce(&format!(
            "ticketrail-server setup at {scheme}://{host}:{}/setup?code={code}",
            addr.port()
        ));
        tracing::warn!("nobody can sign in yet: open the setup address printed on STDOUT");
    }
    tracing::info!(%addr, db = %config.db.display(), dist = %config.dist.display(), "serving");
    let listeners = Listeners {
        app,
        tls: tls.server,
        plain,
    };
    serve(listeners, state, shutdown_signal())
        .await
        .context("serving HTTP")?;
    tracing::info!("stopped");
    Ok(())
}

async fn bind(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))
}

/// Prints the one STDOUT line and flushes it; a closed STDOUT is not a
/// reason to stop serving.
fn announce(line: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(error) = writeln!(out, "{line}").and_then(|()| out.flush()) {
        tracing::warn!(%error, "could not write the listening line to STDOUT");
    }
}

/// Resolves on the first SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT received"),
        () = terminate => tracing::info!("SIGTERM received"),
    }
}
