//! Part 2: tap to "Queued" on the kiosk with the server down (see the
//! tool's module docs).

use anyhow::{ensure, Context, Result};
use ticketrail_e2e::kiosk::{Kiosk, PLACE_ORDER};
use ticketrail_e2e::outbox::ORDER_QUEUED;
use ticketrail_e2e::ui::REACT;
use ticketrail_e2e::{wait, Browser, Server};

/// What the counted taps measured (ms).
pub struct Taps {
    /// The app's measure: the tap to "Queued" in the DOM.
    pub queued: Vec<f64>,
    /// The tap to the first task the page could run after it (a
    /// `setTimeout(0)` set by the click): Chromium defers every task after
    /// a tap until it has produced the next frame, to paint the tap's
    /// effect first, so no answer from IndexedDB can reach the page
    /// sooner. The floor under `queued`.
    pub first_task: Vec<f64>,
}

/// Records, for every "Place order" click, the time from the click to the
/// first task the page runs after it, in `window.__benchFirstTasks`; a
/// capture listener on the document runs before the app's handlers.
const WATCH_FIRST_TASKS: &str = r#"
const selector = arguments[0];
window.__benchFirstTasks = [];
document.addEventListener("click", (event) => {
  if (!(event.target instanceof Element) || !event.target.closest(selector)) return;
  const at = performance.now();
  setTimeout(() => window.__benchFirstTasks.push(performance.now() - at), 0);
}, true);
"#;

/// Stops the server and places `warmup + taps` orders on the kiosk page,
/// a different dish each time; returns what each counted tap measured.
pub async fn run(browser: &Browser, server: &mut Server, warmup: u32, taps: u32) -> Result<Taps> {
    server.stop().await?;
    browser
        .execute_with(WATCH_FIRST_TASKS, vec![PLACE_ORDER.into()])
        .await?;
    let kiosk = Kiosk::new(browser);
    let mut samples = Vec::new();
    for tap in 0..(warmup + taps) as usize {
        let before = browser.measures(ORDER_QUEUED).await?.len();
        let (_, shown) = kiosk.order_nth(tap).await?;
        ensure!(
            shown.delivery.as_deref() == Some("queued"),
            "with the server down the confirmation says {shown:?}"
        );
        let measure = wait::until(
            &format!("a new `{ORDER_QUEUED}` measure"),
            REACT,
            || async {
                Ok(browser
                    .measures(ORDER_QUEUED)
                    .await?
                    .into_iter()
                    .nth(before))
            },
        )
        .await?;
        if tap >= warmup as usize {
            samples.push(measure.duration);
        }
        kiosk.new_order().await?;
    }
    let first_tasks: Vec<f64> =
        serde_json::from_value(browser.execute("return window.__benchFirstTasks;").await?)
            .context("reading the first tasks after the taps")?;
    ensure!(
        first_tasks.len() == (warmup + taps) as usize,
        "{} taps but {} first tasks recorded",
        warmup + taps,
        first_tasks.len()
    );
    Ok(Taps {
        queued: samples,
        first_task: first_tasks[warmup as usize..].to_vec(),
    })
}
