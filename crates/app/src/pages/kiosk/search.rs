//! Search as you type: the field above the dishes and the results that
//! replace the grid while it holds a query.
//!
//! Matching is the core's [`SearchIndex`] over the dish names in the
//! customer's language (the names the cards show), built once per menu and
//! language ahead of the first keystroke, so a keystroke costs one scan of
//! the index plus painting at most [`SHOWN`] cards. Each keystroke is
//! measured from its `input` event to its results in the DOM
//! ([`perf::SEARCH`]).

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;
use ticketrail_core::search::SearchIndex;

use super::catalog::Catalog;
use super::menu::dish_card;
use super::{perf, use_kiosk, Kiosk};
use crate::i18n::{localized, Key, Lang};

/// Most cards a search shows; past that the customer is asked to type more.
/// Twelve fill the screen twice over on a landscape kiosk; each card costs
/// about half a millisecond to build, and 24 pushed the keystrokes that
/// replace every card over a 16 ms frame with 20,000 dishes.
pub const SHOWN: usize = 12;

/// A query scanned once when the index is built (see [`MenuSearch::new`]).
const WARM_UP: &str = "an";

/// The orderable dishes of one catalog, indexed by their names in one
/// language.
pub struct MenuSearch {
    index: SearchIndex,
    /// Product id of each indexed name, in menu order.
    ids: Vec<String>,
}

impl MenuSearch {
    /// Indexes `catalog`'s orderable dishes under their `lang` names.
    pub fn new(catalog: &Catalog, lang: Lang) -> Self {
        let dishes: Vec<_> = catalog.orderable().collect();
        let index = SearchIndex::new(
            dishes
                .iter()
                .map(|product| localized(lang, &product.name, &product.translations)),
        );
        let ids = dishes
            .into_iter()
            .map(|product| product.id.clone())
            .collect();
        // The browser runs wasm code in a quick baseline compilation until
        // it is hot and only then optimises it, which made the first
        // scanning keystroke several times slower than the rest. One scan
        // here, while the menu loads, means the customer's first one runs
        // optimised code.
        let _ = index.top(WARM_UP, SHOWN);
        Self { index, ids }
    }

    /// Ids of the first [`SHOWN`] matches, best first, and how many
    /// matched in all.
    pub fn find(&self, query: &str) -> (Vec<String>, usize) {
        let (top, total) = self.index.top(query, SHOWN);
        let shown = top
            .into_iter()
            .filter_map(|hit| self.ids.get(hit).cloned())
            .collect();
        (shown, total)
    }
}

/// The search index for the current catalog and language, rebuilt when
/// either changes, and built right away rather than on the first keystroke.
pub fn use_menu_search(
    catalog: RwSignal<Option<Arc<Catalog>>>,
    lang: RwSignal<Lang>,
) -> Memo<Option<Arc<MenuSearch>>> {
    let search = Memo::new_with_compare(
        move |_| {
            let catalog = catalog.get()?;
            Some(Arc::new(MenuSearch::new(&catalog, lang.get())))
        },
        // A rebuilt index is a new one; comparing 20,000 names to find out
        // would cost more than the rebuild saved.
        |old, new| match (old, new) {
            (Some(old), Some(new)) => !same(old, new),
            _ => true,
        },
    );
    // A memo is built when read, not when tracked: read it as soon as a
    // menu is there, so the first keystroke does not pay for it.
    Effect::new(move |_| search.with(|_| ()));
    search
}

fn same(old: &Option<Arc<MenuSearch>>, new: &Option<Arc<MenuSearch>>) -> bool {
    match (old, new) {
        (Some(old), Some(new)) => Arc::ptr_eq(old, new),
        (None, None) => true,
        _ => false,
    }
}

/// The search field.
#[component]
pub fn SearchBox() -> impl IntoView {
    let kiosk = use_kiosk();
    let label = move || kiosk.lang.get().text(Key::SearchMenu);
    let has_query = move || kiosk.query.with(|query| !query.is_empty());
    view! {
        <div class="search" role="search">
            <svg class="search__icon" viewBox="0 0 24 24" aria-hidden="true">
                <circle cx="11" cy="11" r="6.5" />
                <path d="m16 16 4.5 4.5" />
            </svg>
            <input
                class="search__input"
                data-testid="search"
                type="search"
                inputmode="search"
                autocomplete="off"
                spellcheck="false"
                maxlength="80"
                placeholder=label
                aria-label=label
                prop:value=move || kiosk.query.get()
                on:input=move |event| {
                    let started = perf::now();
                    let query = event_target_value(&event);
                    kiosk.query.set(query.clone());
                    if !query.trim().is_empty() {
                        spawn_local(measure_when_shown(kiosk, query, started));
                    }
                }
            />
            <Show when=has_query>
                <button
                    type="button"
                    class="icon-button search__clear"
                    data-testid="search-clear"
                    aria-label=move || kiosk.lang.get().text(Key::ClearSearch)
                    on:click=move |_| kiosk.query.set(String::new())
                >
                    <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6 6 18" /></svg>
                </button>
            </Show>
        </div>
    }
}

/// The matches for the query, in place of the category grid.
#[component]
pub fn SearchResults() -> impl IntoView {
    let kiosk = use_kiosk();
    let found = Memo::new(move |_| {
        let query = kiosk.query.get();
        let (ids, total) = kiosk
            .search
            .with(|search| search.as_ref().map(|search| search.find(&query)))
            .unwrap_or_default();
        (query, ids, total)
    });
    let heading = move || {
        let lang = kiosk.lang.get();
        found.with(|(query, ..)| lang.fill(Key::ResultsFor, query.trim()))
    };
    let footer = move || {
        let lang = kiosk.lang.get();
        found.with(|(query, ids, total)| {
            if *total == 0 {
                Some(view! { <p class="menu__empty">{lang.fill(Key::NoResults, query.trim())}</p> })
            } else if *total > ids.len() {
                let more = (total - ids.len()).to_string();
                Some(view! { <p class="search__more">{lang.fill(Key::MoreResults, &more)}</p> })
            } else {
                None
            }
        })
    };
    // Recreated when the menu or the language changes, so every card shows
    // the current name and price; while the customer types, cards that stay
    // are kept (keyed by id) and only the rest are painted.
    let cards = move || {
        let catalog = kiosk.catalog.get()?;
        let lang = kiosk.lang.get();
        Some(view! {
            <div class="grid">
                <For
                    each=move || found.with(|(_, ids, _)| ids.clone())
                    key=|id| id.clone()
                    children=move |id| {
                        catalog.products.get(&id).map(|product| dish_card(kiosk, &catalog, product, lang))
                    }
                />
            </div>
        })
    };
    view! {
        <div
            class="search-results"
            data-testid="search-results"
            data-query=move || found.with(|(query, ..)| query.clone())
            data-count=move || found.with(|(.., total)| total.to_string())
        >
            <h1 class="menu__title" id="menu-title">{heading}</h1>
            {cards}
            {footer}
        </div>
    }
}

/// Records [`perf::SEARCH`] once the results for `query` are in the DOM.
/// Leptos renders in microtasks after the input handler, so this first
/// checks microtask by microtask; should rendering ever be deferred past
/// them, it goes on checking frame by frame for a while, so a keystroke is
/// still measured (to the frame that showed it). It gives up once the field
/// holds another query: that keystroke gets its own measure.
async fn measure_when_shown(kiosk: Kiosk, query: String, started: f64) {
    for attempt in 0..perf::MICROTASKS + perf::FRAMES {
        let waited = if attempt < perf::MICROTASKS {
            perf::next_microtask().await
        } else {
            perf::next_frame().await
        };
        if waited.is_err() || kiosk.query.with_untracked(|now| *now != query) {
            return;
        }
        if let Some(results) = shown_results(&query) {
            perf::measure(
                perf::SEARCH,
                started,
                &json!({"query": query, "results": results}),
            );
            return;
        }
    }
}

/// How many results the DOM shows for `query`, once it shows them.
fn shown_results(query: &str) -> Option<u64> {
    let shown = document()
        .query_selector(r#"[data-testid="search-results"]"#)
        .ok()
        .flatten()?;
    (shown.get_attribute("data-query")? == query).then(|| {
        shown
            .get_attribute("data-count")
            .and_then(|count| count.parse().ok())
            .unwrap_or(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ticketrail_core::menu_sync::{KindTable, MenuTables};
    use ticketrail_protocol::{Category, Product};

    fn catalog(names: &[(&str, &str)]) -> Catalog {
        let at = "2026-11-21T10:30:00Z".parse().unwrap();
        let products = names.iter().enumerate().map(|(n, (en, ar))| Product {
            id: format!("p-{n}"),
            name: (*en).into(),
            translations: [("ar".to_owned(), (*ar).to_owned())].into(),
            description: String::new(),
            category_id: "c-1".into(),
            price: 100,
            currency: "IDR".into(),
            image_url: None,
            is_active: true,
            station: "kitchen".into(),
            version: 1,
            updated_at: at,
        });
        let category = Category {
            id: "c-1".into(),
            name: "Mains".into(),
            translations: Default::default(),
            sort_order: 1,
            version: 1,
            updated_at: at,
        };
        Catalog::new(&MenuTables {
            products: KindTable {
                cursor: 1,
                rows: products.map(|p| (p.id.clone(), p)).collect(),
            },
            categories: KindTable {
                cursor: 1,
                rows: [(category.id.clone(), category)].into(),
            },
            promotions: KindTable::default(),
        })
    }

    #[test]
    fn names_are_searched_in_the_customers_language() {
        let menu = catalog(&[("Iced Tea", "شاي مثلج"), ("Fried Rice", "أرز مقلي")]);
        let english = MenuSearch::new(&menu, Lang::En);
        assert_eq!(english.find("rice"), (vec!["p-1".to_owned()], 1));
        assert_eq!(english.find("ارز").1, 0, "not the Arabic names");
        let arabic = MenuSearch::new(&menu, Lang::Ar);
        assert_eq!(arabic.find("ارز"), (vec!["p-1".to_owned()], 1));
        assert_eq!(
            MenuSearch::new(&menu, Lang::Id).find("tea").1,
            1,
            "no Indonesian name: the English one shows, and is searched"
        );
    }

    #[test]
    fn at_most_a_screenful_of_matches_is_shown_but_all_are_counted() {
        let names: Vec<(String, &str)> = (0..30).map(|n| (format!("Soto {n}"), "-")).collect();
        let borrowed: Vec<(&str, &str)> = names.iter().map(|(en, ar)| (en.as_str(), *ar)).collect();
        let (shown, total) = MenuSearch::new(&catalog(&borrowed), Lang::En).find("soto");
        assert_eq!((shown.len(), total), (SHOWN, 30));
    }
}
