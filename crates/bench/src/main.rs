//! `ticketrail-bench`: the load generator behind `cargo xtask bench`.
//!
//! `ticketrail-bench server --base-url http://127.0.0.1:PORT` measures a
//! running outlet server: durable orders per second and the latency from an
//! order's POST to its event on every connected kitchen screen. It prints a
//! report and exits non-zero only when something broke (lost events, failed
//! connects or writes), never merely for missing a target.

mod book;
mod catalog;
mod event;
mod frames;
mod report;
mod scenario;
mod sockets;
mod stats;
mod writers;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Command line of `ticketrail-bench`.
#[derive(Debug, Parser)]
#[command(name = "ticketrail-bench", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// 1,000 WebSocket clients on one outlet, 8 writers posting orders:
    /// orders/s acknowledged and fan-out latency to all sockets.
    Server(scenario::Options),
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    match Cli::parse().command {
        Command::Server(options) => {
            let report = scenario::run(&options).await?;
            print!("{report}");
            Ok(if report.problems().is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}
