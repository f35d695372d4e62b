//! What checking a screen's token costs on every request: `Access::verify`
//! (hash the token, find the cached credential, check expiry and note when
//! it was seen) and the role check, as the `Caller` extractor and each
//! handler run them, against a real SQLite file holding the credential.
//!
//! Run with `cargo xtask bench access`. It prints the median nanoseconds per
//! check over several batches; compared with the server's CPU per order
//! (`cargo xtask bench server`), that is the share of throughput the check
//! costs. Sockets check the token once, when they open, so fan-out never
//! pays it.

use std::hint::black_box;
use std::time::Instant;

use chrono::Utc;
use ticketrail_protocol::Role;
use ticketrail_server::access::policy::Action;
use ticketrail_server::access::Access;
use ticketrail_server::cli::{self, Command, Database, OutletAddArgs, OutletCommand, TokenArgs};
use ticketrail_server::events::Hub;
use ticketrail_server::store::Store;

/// Checks per batch.
const BATCH: u32 = 200_000;
/// Batches; the median is reported.
const BATCHES: usize = 9;

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(measure())
}

async fn measure() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("bench.db");
    cli::run(Command::Outlet {
        command: OutletCommand::Add(OutletAddArgs {
            db: Database { path: db.clone() },
            id: "1".to_owned(),
            name: "Bench outlet".to_owned(),
            timezone: "Asia/Jakarta".to_owned(),
            currency: "IDR".to_owned(),
        }),
    })
    .await?;
    let token = cli::run(Command::Token(TokenArgs {
        db: Database { path: db.clone() },
        role: Role::Kiosk,
        outlet: Some("1".to_owned()),
        name: "token bench".to_owned(),
    }))
    .await?;
    let store = Store::open(&db, None, Hub::new()).await?;
    let access = Access::default();
    // The first check reads the credential from the file; every later one
    // finds it cached, as on a running server.
    let first = Instant::now();
    access.verify(&store, &token, Utc::now()).await?;
    let uncached = first.elapsed();

    let mut per_check = Vec::with_capacity(BATCHES);
    for _ in 0..BATCHES {
        let now = Utc::now();
        let start = Instant::now();
        for _ in 0..BATCH {
            let principal = access.verify(&store, black_box(&token), now).await?;
            black_box(principal.allows(Action::PlaceOrder, Some("1")));
        }
        per_check.push(start.elapsed().as_nanos() as f64 / f64::from(BATCH));
    }
    per_check.sort_by(f64::total_cmp);
    let median = per_check[BATCHES / 2];
    println!("token check, first use (reads the file)  {uncached:?}");
    println!(
        "token check, cached (median of {BATCHES} x {BATCH})   {median:.0} ns  (range {:.0}-{:.0} ns)",
        per_check[0],
        per_check[BATCHES - 1]
    );
    store.close().await;
    Ok(())
}
