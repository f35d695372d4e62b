//! Part 2: tap to "Queued" on the kiosk with the server down (see the
//! tool's module docs).

use anyhow::{ensure, Result};
use ticketrail_e2e::kiosk::Kiosk;
use ticketrail_e2e::outbox::ORDER_QUEUED;
use ticketrail_e2e::ui::REACT;
use ticketrail_e2e::{wait, Browser, Server};

/// Stops the server and places `warmup + taps` orders on the kiosk page,
/// a different dish each time; returns the app's measure of each counted
/// tap (ms).
pub async fn run(
    browser: &Browser,
    server: &mut Server,
    warmup: u32,
    taps: u32,
) -> Result<Vec<f64>> {
    server.stop().await?;
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
    Ok(samples)
}
