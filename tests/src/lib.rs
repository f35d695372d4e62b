//! Harness for Ticketrail's browser end-to-end tests: the real
//! `ticketrail-server` on a free port with a temporary database and the demo
//! menu, serving the built PWA, driven by headless Chromium over WebDriver.
//!
//! Every process it starts is stopped when its handle drops, including when
//! a test fails half-way. Waiting is always "poll a condition until a
//! deadline" ([`wait::until`]), never a fixed sleep.

pub mod browser;
pub mod env;
pub mod server;
pub mod wait;

pub use browser::Browser;
pub use env::Env;
pub use server::Server;
