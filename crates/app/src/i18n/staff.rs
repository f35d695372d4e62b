//! The kiosk's staff area's strings: the menu's age and health, the
//! staleness limit and "Re-download menu".
//!
//! Staff read English on these screens (the kiosk's languages are for
//! customers), so, like [`super::kitchen`], these are plain constants and
//! functions kept in one place for review and later translation.

use ticketrail_core::menu_sync::Staleness;

/// The discreet button that opens the staff area.
pub const OPEN: &str = "Staff";
/// Its longer description.
pub const OPEN_HINT: &str = "Staff area: menu status and re-download";
/// The staff area's heading.
pub const TITLE: &str = "Staff area";
/// Closes the staff area.
pub const CLOSE: &str = "Close";
/// The PIN prompt's heading.
pub const PIN_TITLE: &str = "Staff PIN";
/// Label of the PIN field.
pub const PIN_LABEL: &str = "Enter the outlet's staff PIN";
/// The button that checks it.
pub const PIN_OPEN: &str = "Open staff area";
/// While the PIN is checked.
pub const PIN_CHECKING: &str = "Checking…";
/// The outlet has no PIN yet.
pub const PIN_NOT_SET: &str = "No staff PIN is set for this outlet yet. A manager sets one in \
                                the back office (PUT /api/outlets/{id}/staff-pin).";
/// The browser could not check the PIN.
pub const PIN_FAILED: &str = "This screen could not check the PIN";

/// A wrong PIN, and how many tries are left before the lockout.
pub fn pin_wrong(left: u32) -> String {
    let tries = if left == 1 { "try" } else { "tries" };
    format!("Wrong PIN. {left} {tries} left before the staff area locks for a minute.")
}

/// Locked after too many wrong PINs.
pub fn pin_locked(seconds: u64) -> String {
    format!("Too many wrong PINs. The staff area is locked; try again in {seconds} s.")
}

/// Heading over the menu's state.
pub const MENU_HEADING: &str = "Menu on this screen";

/// "Menu updated N min ago", or that it never was.
pub fn menu_age(staleness: Staleness) -> String {
    match staleness {
        Staleness::Never => "The menu has never been fully downloaded on this screen".to_owned(),
        Staleness::Synced { minutes, .. } => format!("Menu updated {minutes} min ago"),
    }
}

/// The warning when the menu is older than the limit (or was never
/// downloaded).
pub fn stale_warning(staleness: Staleness, limit_hours: f64) -> String {
    match staleness {
        Staleness::Never => "No complete menu yet. Check that this screen can reach the outlet \
                             server, then re-download the menu."
            .to_owned(),
        Staleness::Synced { .. } => format!(
            "The menu has not been updated for more than {} h. Prices may be out of date: check \
             that this screen can reach the outlet server, then re-download the menu.",
            hours(limit_hours)
        ),
    }
}

/// Label of the staleness limit field.
pub const STALE_LIMIT_LABEL: &str = "Warn when the menu is older than (hours)";
/// Under the field: what an unusable value does.
pub const STALE_LIMIT_HINT: &str = "0 or more; saved on this screen.";

/// The re-download button.
pub const REDOWNLOAD: &str = "Re-download menu";
/// What re-downloading does.
pub const REDOWNLOAD_HINT: &str =
    "Clears the menu saved on this screen and downloads it again. Settings kept on this screen stay.";

/// The sync line while a run is going.
pub fn sync_running(full: bool, items: u64, percent: u8) -> String {
    let what = if full {
        "Downloading the whole menu"
    } else {
        "Updating the menu"
    };
    format!("{what}: {items} items, {percent}%")
}

/// The sync line after a successful run (`full`: a whole download).
pub fn sync_done(full: bool, items: u64) -> String {
    match (full, items) {
        (true, n) => format!("Last update: downloaded the whole menu ({n} items)"),
        (false, 0) => "Last check: already up to date".to_owned(),
        (false, 1) => "Last update: 1 change".to_owned(),
        (false, n) => format!("Last update: {n} changes"),
    }
}

/// The sync line after a failed run; `reason` is the error's own text.
pub fn sync_failed(reason: &str) -> String {
    format!("Last update failed: {reason}")
}

/// The sync line before any run.
pub const SYNC_IDLE: &str = "Reading the saved menu…";

/// What the menu holds.
pub fn contents(products: usize, on_sale: usize, categories: usize, promotions: usize) -> String {
    format!(
        "{products} products ({on_sale} on sale), {categories} categories, {promotions} promotions"
    )
}

/// The version the menu is complete through.
pub fn version(version: i64) -> String {
    format!("Master version {version}")
}

/// Where the menu is kept.
pub fn storage(saved: bool) -> &'static str {
    if saved {
        "Saved on this screen: it shows without the network."
    } else {
        "Not saved on this screen (the browser refuses storage): it needs the network at every start."
    }
}

/// `hours` without a needless `.0`.
fn hours(hours: f64) -> String {
    let text = format!("{hours:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_age_names_the_minutes() {
        let synced = Staleness::Synced {
            minutes: 5,
            too_old: false,
        };
        assert_eq!(menu_age(synced), "Menu updated 5 min ago");
        assert!(menu_age(Staleness::Never).contains("never"));
    }

    #[test]
    fn the_warning_names_the_limit() {
        let old = Staleness::Synced {
            minutes: 2_000,
            too_old: true,
        };
        assert!(stale_warning(old, 24.0).contains("more than 24 h"));
        assert!(stale_warning(old, 0.5).contains("more than 0.5 h"));
        assert!(stale_warning(Staleness::Never, 24.0).contains("re-download"));
    }

    #[test]
    fn sync_lines_read_naturally() {
        assert_eq!(
            sync_running(true, 1_200, 42),
            "Downloading the whole menu: 1200 items, 42%"
        );
        assert_eq!(sync_done(false, 1), "Last update: 1 change");
        assert_eq!(sync_done(false, 0), "Last check: already up to date");
        assert_eq!(
            sync_done(true, 57),
            "Last update: downloaded the whole menu (57 items)"
        );
    }
}
