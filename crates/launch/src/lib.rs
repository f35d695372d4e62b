//! One harness for running `ticketrail-server` as a child process, shared
//! by the server's black-box tests, the browser end-to-end tests and
//! `cargo xtask demo|bench`.
//!
//! [`command`] builds the command with a clean environment; [`Process::start`]
//! spawns it and waits, with a deadline, for the lines the server announces
//! itself with on STDOUT ([`Announcement`]), then keeps draining STDOUT so
//! the child never blocks on a full pipe; [`Process`] signals, stops and
//! kills it, and kills it when dropped. [`provision`] runs the one-line
//! subcommands (`token`, `pairing-code`) on a server's database.
//!
//! Everything here blocks (std threads and processes, no async runtime):
//! callers on a runtime wrap the waits in `spawn_blocking`. Errors are
//! `anyhow`'s, for tools and tests that only report them.
#![deny(missing_docs)]

mod announce;
mod command;
mod process;
mod signal;
mod stdout;

pub use announce::{scheme_and_port, Announcement};
pub use command::{command, provision};
pub use process::{Process, StartOptions};
pub use signal::{send, Signal};
