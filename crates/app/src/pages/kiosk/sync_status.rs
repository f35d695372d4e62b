//! How the menu's sync and storage show on the kiosk.
//!
//! One element carries `data-testid="menu-sync"` with `data-state`
//! `syncing`, `done` or `error`, in one of two forms:
//!
//! - [`SyncPanel`], while there is no menu on screen yet: the download's
//!   progress bar with items and percent, or, when it failed, the "menu
//!   unavailable" notice with its retry;
//! - [`SyncPill`], once a menu is on screen: a small status in the top bar
//!   ("Updating the menu 40%", "Menu up to date", "Saved menu ·
//!   reconnecting", "Showing the saved menu").
//!
//! [`StorageNoticeToast`] says when the stored menu had to be rebuilt or
//! cannot be stored at all (`data-testid="storage-notice"`).

use std::time::Duration;

use leptos::prelude::*;

use super::menu::MenuUnavailable;
use super::menu_state::{StorageNotice, SyncStatus};
use super::use_kiosk;
use crate::i18n::{Key, Lang};
use crate::live::LiveFeed;

/// How long the "store rebuilt" notice stays after the menu is back.
const REBUILT_NOTICE_FOR: Duration = Duration::from_secs(20);

/// The contract's `data-state` of a sync status.
fn state_slug(status: &SyncStatus) -> &'static str {
    match status {
        SyncStatus::Idle | SyncStatus::Running { .. } => "syncing",
        SyncStatus::Done { .. } => "done",
        SyncStatus::Failed(_) => "error",
    }
}

/// Items and percent, as the progress bar's caption.
fn progress_caption(lang: Lang, items: u64, percent: u8) -> String {
    format!(
        "{} · {percent}%",
        lang.fill(Key::ItemsDownloaded, &items.to_string())
    )
}

/// The first download's progress, or the notice when it failed.
#[component]
pub fn SyncPanel() -> impl IntoView {
    let kiosk = use_kiosk();
    move || {
        let lang = kiosk.lang.get();
        let status = kiosk.menu.sync.get();
        let state = state_slug(&status);
        match status {
            SyncStatus::Failed(_) => view! {
                <div class="sync-panel sync-panel--error" data-testid="menu-sync" data-state=state>
                    <MenuUnavailable />
                </div>
            }
            .into_any(),
            SyncStatus::Running { items, percent, .. } => view! {
                <div class="sync-panel" data-testid="menu-sync" data-state=state role="status">
                    <span class="spinner" aria-hidden="true"></span>
                    <h2 class="sync-panel__title">{lang.text(Key::MenuDownloading)}</h2>
                    <p class="sync-panel__hint">{lang.text(Key::MenuDownloadingHint)}</p>
                    <ProgressBar percent=percent label=lang.text(Key::MenuDownloading) />
                    <p class="sync-panel__caption" data-testid="menu-sync-progress" data-items=items.to_string() data-percent=percent.to_string()>
                        {progress_caption(lang, items, percent)}
                    </p>
                </div>
            }
            .into_any(),
            SyncStatus::Idle | SyncStatus::Done { .. } => ().into_any(),
        }
    }
}

/// A determinate progress bar.
#[component]
pub fn ProgressBar(percent: u8, label: &'static str) -> impl IntoView {
    view! {
        <div
            class="progress-bar"
            role="progressbar"
            aria-label=label
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=percent.to_string()
        >
            <span class="progress-bar__fill" style=format!("inline-size: {percent}%")></span>
        </div>
    }
}

/// What the pill says: "up to date" only when the last sync reached the
/// server and the live feed is hearing its changes; with the feed away the
/// saved menu may miss a change, so it says that instead.
fn pill_label(lang: Lang, status: &SyncStatus, live: bool) -> Option<String> {
    Some(match status {
        SyncStatus::Idle => return None,
        SyncStatus::Running { percent, .. } => {
            format!("{} {percent}%", lang.text(Key::MenuUpdating))
        }
        SyncStatus::Done { .. } if live => lang.text(Key::MenuUpToDate).to_owned(),
        SyncStatus::Done { .. } => lang.text(Key::MenuSavedReconnecting).to_owned(),
        SyncStatus::Failed(_) => lang.text(Key::MenuSaved).to_owned(),
    })
}

/// The sync's state in the top bar, once a menu is on screen.
#[component]
pub fn SyncPill() -> impl IntoView {
    let kiosk = use_kiosk();
    let feed = expect_context::<LiveFeed>();
    move || {
        if kiosk.catalog.with(Option::is_none) {
            return None;
        }
        let lang = kiosk.lang.get();
        let status = kiosk.menu.sync.get();
        let live = feed.connection.get().in_contact();
        let label = pill_label(lang, &status, live)?;
        let percent = match status {
            SyncStatus::Running { percent, .. } => Some(percent),
            _ => None,
        };
        // The reason is for staff (English, technical): a tooltip.
        let detail = match &status {
            SyncStatus::Failed(err) => Some(err.to_string()),
            _ => None,
        };
        let unheard = matches!(status, SyncStatus::Done { .. }) && !live;
        Some(view! {
            <span
                class="sync-pill"
                class:sync-pill--unheard=unheard
                data-testid="menu-sync"
                data-state=state_slug(&status)
                role="status"
                title=detail
            >
                <span class="sync-pill__dot" aria-hidden="true"></span>
                <span class="sync-pill__label">{label}</span>
                {percent.map(|percent| view! {
                    <span class="sync-pill__bar" aria-hidden="true">
                        <span class="sync-pill__fill" style=format!("inline-size: {percent}%")></span>
                    </span>
                })}
            </span>
        })
    }
}

/// The storage notice: "rebuilt" goes away by itself once the menu is
/// back; "unavailable" stays until dismissed, since it lasts.
#[component]
pub fn StorageNoticeToast() -> impl IntoView {
    let kiosk = use_kiosk();
    let notice = kiosk.menu.notice;
    Effect::new(move |_| {
        let rebuilt = notice.with(|notice| matches!(notice, Some(StorageNotice::Rebuilt(_))));
        let back = kiosk
            .menu
            .sync
            .with(|status| matches!(status, SyncStatus::Done { .. }));
        if rebuilt && back {
            set_timeout(
                move || {
                    notice.try_update(|notice| {
                        if matches!(notice, Some(StorageNotice::Rebuilt(_))) {
                            *notice = None;
                        }
                    });
                },
                REBUILT_NOTICE_FOR,
            );
        }
    });
    move || {
        let shown = notice.get()?;
        let lang = kiosk.lang.get();
        let (kind, text) = match &shown {
            StorageNotice::Rebuilt(_) => ("rebuilt", lang.text(Key::StorageRebuilt)),
            StorageNotice::Unavailable(_) => ("unavailable", lang.text(Key::StorageUnavailable)),
        };
        let detail = match shown {
            StorageNotice::Rebuilt(reason) => reason.to_string(),
            StorageNotice::Unavailable(err) => err.to_string(),
        };
        Some(view! {
            <div class="storage-notice" data-testid="storage-notice" data-kind=kind role="status" title=detail>
                <svg class="storage-notice__icon" viewBox="0 0 24 24" aria-hidden="true">
                    <path d="M12 8v5M12 16.5v.5M10.3 3.9 2.4 17.5A2 2 0 0 0 4.1 20.5h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z" />
                </svg>
                <p class="storage-notice__text">{text}</p>
                <button
                    type="button"
                    class="icon-button storage-notice__close"
                    aria-label=lang.text(Key::Dismiss)
                    on:click=move |_| notice.set(None)
                >
                    <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6 6 18" /></svg>
                </button>
            </div>
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ApiError;

    #[test]
    fn every_status_maps_to_a_contract_state() {
        assert_eq!(state_slug(&SyncStatus::Idle), "syncing");
        let running = SyncStatus::Running {
            full: true,
            items: 3,
            percent: 40,
        };
        assert_eq!(state_slug(&running), "syncing");
        assert_eq!(
            state_slug(&SyncStatus::Done {
                full: false,
                items: 0
            }),
            "done"
        );
        let failed = SyncStatus::Failed(ApiError::Unreachable.into());
        assert_eq!(state_slug(&failed), "error");
    }

    #[test]
    fn up_to_date_only_when_synced_and_live() {
        let done = SyncStatus::Done {
            full: false,
            items: 0,
        };
        let up_to_date = Lang::En.text(Key::MenuUpToDate);
        assert_eq!(
            pill_label(Lang::En, &done, true).as_deref(),
            Some(up_to_date)
        );
        let unheard = pill_label(Lang::En, &done, false);
        assert_eq!(
            unheard.as_deref(),
            Some(Lang::En.text(Key::MenuSavedReconnecting))
        );
        let failed = SyncStatus::Failed(ApiError::Unreachable.into());
        for live in [true, false] {
            assert_ne!(
                pill_label(Lang::En, &failed, live).as_deref(),
                Some(up_to_date)
            );
        }
        let running = SyncStatus::Running {
            full: false,
            items: 1,
            percent: 40,
        };
        assert_eq!(
            pill_label(Lang::En, &running, false).as_deref(),
            Some("Updating the menu 40%")
        );
        assert_eq!(pill_label(Lang::En, &SyncStatus::Idle, true), None);
    }

    #[test]
    fn the_caption_has_items_and_percent() {
        assert_eq!(progress_caption(Lang::En, 1_200, 42), "1200 items · 42%");
        assert_eq!(progress_caption(Lang::Id, 3, 100), "3 item · 100%");
    }
}
