//! Harness for Ticketrail's browser end-to-end tests: the real
//! `ticketrail-server` on a free port with a temporary database and the demo
//! menu, serving the built PWA, driven by headless Chromium over WebDriver.
//!
//! [`Browser`] starts and ends a window, on [`lan`] one on the outlet's
//! network; [`dom`] reads and drives it by
//! selector; [`cdp`] reaches what only the DevTools protocol can; [`kiosk`],
//! [`menu`] and [`kitchen`] speak the UI contract's selectors; [`timing`]
//! measures page loads inside the page for the `pwa-timing` tool and
//! [`perf`] reads the app's own measures and memory; [`backoffice`] changes
//! the menu through the management API; [`outbox`] reads and fills the
//! page's order queue and checks what reached the server; [`pairing`]
//! pairs every screen a test opens; [`tool`] is the
//! `main` of the benchmark tools.
//!
//! Every process it starts is stopped when its handle drops, including when
//! a test fails half-way. Waiting is always "poll a condition until a
//! deadline" ([`wait::until`]), never a fixed sleep.

pub mod backoffice;
pub mod browser;
pub mod cdp;
pub mod dom;
pub mod env;
pub mod kiosk;
pub mod kitchen;
pub mod lan;
pub mod menu;
pub mod outbox;
pub mod pairing;
pub mod perf;
pub mod proxy;
pub mod rng;
pub mod serial;
pub mod server;
pub mod service_worker;
pub mod stats;
pub mod timing;
pub mod tool;
pub mod ui;
pub mod wait;

pub use browser::{Browser, Profile};
pub use env::Env;
pub use server::{Server, ServerOptions};
