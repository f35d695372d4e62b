//! `cargo xtask`: the project's build tool. It bootstraps the wasm toolchain
//! (see `toolchain`), builds the PWA with Trunk, runs the whole test suite,
//! serves the demo and drives benchmarks, so a fresh clone needs only cargo.

mod apt;
mod bench;
mod cmd;
mod demo;
mod lockfile;
mod paths;
mod server;
mod sizes;
mod steps;
mod suite;
mod tally;
mod toolchain;
mod tools;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::steps::Steps;
use crate::toolchain::{Needs, Toolchain};

/// Build, test, demo and benchmark Ticketrail.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Bootstrap tools, build the PWA and server (release) and serve the demo.
    Demo {
        /// Address of the HTTPS app, for tablets on the network.
        #[arg(long, default_value = "0.0.0.0:8443")]
        listen: SocketAddr,
        /// Address of plain HTTP: the trust page for tablets, and the app
        /// for this machine at http://127.0.0.1.
        #[arg(long, default_value = "0.0.0.0:8080")]
        http_listen: SocketAddr,
        /// SQLite database file [default: target/demo/ticketrail.db].
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// Run every check CI runs: fmt, clippy, native, wasm and browser tests.
    Test,
    /// Build the PWA into dist/ (release, wasm-opt) without serving it.
    Build {
        /// Where to put the built PWA [default: dist].
        #[arg(long)]
        dist: Option<PathBuf>,
    },
    /// Run a benchmark suite against a fresh release server.
    Bench {
        /// The suite to run.
        suite: bench::Suite,
        /// Passed through to `ticketrail-bench <suite>`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Print raw and gzip sizes of the .wasm files of a build.
    Sizes {
        /// The built PWA [default: dist].
        #[arg(long)]
        dist: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("xtask: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let root = paths::repo_root();
    match cli.task {
        Task::Demo {
            listen,
            http_listen,
            db,
        } => demo::run(
            &root,
            demo::DemoOptions {
                listen,
                http_listen,
                db,
            },
        ),
        Task::Test => suite::run(&root).map(|()| ExitCode::SUCCESS),
        Task::Build { dist } => {
            let dist = dist.unwrap_or_else(|| root.join("dist"));
            let mut steps = Steps::new();
            let toolchain = steps.run("bootstrap tools", || {
                Toolchain::bootstrap(&root, Needs { browser: false })
            })?;
            steps.run(
                &format!(
                    "build the PWA into {} (trunk build --release)",
                    dist.display()
                ),
                || toolchain.build_pwa(&dist),
            )?;
            steps.run("wasm sizes", || sizes::report(&dist))?;
            Ok(ExitCode::SUCCESS)
        }
        Task::Bench { suite, args } => bench::run(&root, suite, &args),
        Task::Sizes { dist } => {
            sizes::report(&dist.unwrap_or_else(|| root.join("dist")))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
