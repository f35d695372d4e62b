//! The `main` of the browser benchmark tools: run the measurement until it
//! ends or SIGINT/SIGTERM arrives, and turn the outcome into an exit code.

use std::future::Future;
use std::process::ExitCode;

use anyhow::{anyhow, Result};
use tokio::signal::unix::{signal, SignalKind};

/// Runs `measurement`; an error or a signal prints `name: error: ...` and
/// exits with failure. Interrupted, the measurement is dropped, and with it
/// the server and browser of the current run, which their handles stop on
/// drop.
pub async fn run(name: &str, measurement: impl Future<Output = Result<()>>) -> ExitCode {
    let result = tokio::select! {
        result = measurement => result,
        signal = interrupted() => signal.and_then(|signal| Err(anyhow!("interrupted by {signal}"))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{name}: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves with the signal's name on SIGINT or SIGTERM.
async fn interrupted() -> Result<&'static str> {
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.map(|()| "SIGINT").map_err(Into::into),
        _ = terminate.recv() => Ok("SIGTERM"),
    }
}
