//! Examples of the merge rules, and the convergence property: whatever order
//! pages and events arrive in (dropped, duplicated, late, pages in flight
//! while events land), a device that finally syncs holds exactly what a full
//! download gives.

use super::*;
use proptest::prelude::*;

fn at() -> Timestamp {
    "2026-11-22T08:00:00Z".parse().unwrap()
}

fn product(id: &str, version: i64, price: i64) -> Product {
    Product {
        id: id.into(),
        name: format!("Dish {id}"),
        translations: Default::default(),
        description: String::new(),
        category_id: "c-1".into(),
        price,
        currency: "IDR".into(),
        image_url: None,
        is_active: true,
        station: "kitchen".into(),
        version,
        updated_at: at(),
    }
}

fn category(id: &str, version: i64, sort_order: i32) -> Category {
    Category {
        id: id.into(),
        name: format!("Category {id}"),
        translations: Default::default(),
        sort_order,
        version,
        updated_at: at(),
    }
}

fn page<T>(version: i64, items: Vec<T>, deleted: &[&str], has_more: bool) -> Page<T> {
    Page {
        version,
        items,
        deleted: deleted.iter().map(|id| (*id).to_owned()).collect(),
        has_more,
    }
}

#[test]
fn a_full_download_follows_pages_to_the_servers_version() {
    let mut table = KindTable::<Product>::default();
    let first = table
        .apply_page(
            0,
            page(
                9,
                vec![product("p-1", 2, 100), product("p-2", 4, 200)],
                &[],
                true,
            ),
        )
        .unwrap();
    assert_eq!(first.next, Some(4));
    assert_eq!(first.delta.cursor, 4);
    assert_eq!(first.delta.upserts.len(), 2);
    let last = table
        .apply_page(4, page(9, vec![product("p-3", 7, 300)], &[], false))
        .unwrap();
    assert_eq!(last.next, None);
    assert_eq!(
        table.cursor, 9,
        "the last page moves the cursor to the server's version"
    );
    assert_eq!(table.rows.len(), 3);
}

#[test]
fn an_incremental_page_updates_and_deletes() {
    let mut table = KindTable::<Product>::default();
    table
        .apply_page(
            0,
            page(
                5,
                vec![product("p-1", 2, 100), product("p-2", 4, 200)],
                &[],
                false,
            ),
        )
        .unwrap();
    let step = table
        .apply_page(5, page(8, vec![product("p-1", 7, 150)], &["p-2"], false))
        .unwrap();
    assert_eq!(step.delta.upserts, vec![product("p-1", 7, 150)]);
    assert_eq!(step.delta.deletes, vec!["p-2".to_owned()]);
    assert_eq!(table.rows.keys().collect::<Vec<_>>(), ["p-1"]);
    assert_eq!(table.rows["p-1"].price, 150);
}

#[test]
fn a_page_that_does_not_advance_is_refused() {
    let mut table = KindTable::<Product>::default();
    let stuck = table.apply_page(3, page(9, vec![product("p-1", 3, 100)], &[], true));
    assert_eq!(stuck, Err(PageError::Stuck("product")));
    let empty = table.apply_page(3, page::<Product>(9, vec![], &[], true));
    assert_eq!(empty, Err(PageError::Stuck("product")));
    assert_eq!(
        table,
        KindTable::default(),
        "a refused page changes nothing"
    );
}

#[test]
fn the_next_event_applies_and_moves_every_cursor() {
    let mut tables = synced_at(10);
    let outcome = tables.apply_event(Change::Upsert(product("p-1", 11, 500)));
    assert_eq!(
        outcome,
        EventOutcome::Applied(Delta {
            upserts: vec![product("p-1", 11, 500)],
            deletes: vec![],
            cursor: 11,
        })
    );
    assert_eq!(tables.complete_through(), 11);
    let deleted = tables.apply_event::<Category>(Change::Delete {
        id: "c-1".into(),
        version: 12,
    });
    assert!(matches!(deleted, EventOutcome::Applied(delta) if delta.deletes == ["c-1"]));
    assert!(tables.categories.rows.is_empty());
}

#[test]
fn an_old_event_is_ignored_and_a_gap_is_reported() {
    let mut tables = synced_at(10);
    assert_eq!(
        tables.apply_event(Change::Upsert(product("p-1", 9, 1))),
        EventOutcome::Stale
    );
    assert_eq!(
        tables.apply_event(Change::Upsert(product("p-1", 12, 1))),
        EventOutcome::Gap,
        "version 11 was never seen"
    );
    assert_eq!(tables, synced_at(10), "neither changes the tables");
}

#[test]
fn a_page_read_before_newer_events_is_not_applied() {
    let mut tables = synced_at(10);
    // A page read at version 11 (p-1 deleted) arrives after events 11
    // (the delete) and 12 (p-1 created again under the same id).
    assert!(matches!(
        tables.apply_event::<Product>(Change::Delete {
            id: "p-1".into(),
            version: 11
        }),
        EventOutcome::Applied(_)
    ));
    assert!(matches!(
        tables.apply_event(Change::Upsert(product("p-1", 12, 900))),
        EventOutcome::Applied(_)
    ));
    let step = tables
        .products
        .apply_page(10, page(11, vec![], &["p-1"], false))
        .unwrap();
    assert!(step.delta.deletes.is_empty() && step.delta.upserts.is_empty());
    assert_eq!(tables.products.rows["p-1"].price, 900);
    assert_eq!(
        tables.products.cursor, 12,
        "a late page never moves the cursor back"
    );
}

#[test]
fn staleness_counts_whole_minutes_and_warns_past_the_limit() {
    let stamp = Some(SyncStamp {
        cursor: 3,
        at: at(),
    });
    let later = |minutes| at() + chrono::TimeDelta::minutes(minutes);
    let hour = chrono::TimeDelta::hours(1);
    assert_eq!(staleness(None, at(), hour), Staleness::Never);
    assert_eq!(
        staleness(stamp, later(5), hour),
        Staleness::Synced {
            minutes: 5,
            too_old: false
        }
    );
    assert_eq!(
        staleness(stamp, later(60), hour),
        Staleness::Synced {
            minutes: 60,
            too_old: false
        },
        "exactly the limit is not past it"
    );
    assert_eq!(
        staleness(stamp, later(61), hour),
        Staleness::Synced {
            minutes: 61,
            too_old: true
        }
    );
    assert_eq!(
        staleness(stamp, later(-3), hour),
        Staleness::Synced {
            minutes: 0,
            too_old: false
        },
        "a clock set back reads as just synced"
    );
    let a_second_later = at() + chrono::TimeDelta::seconds(1);
    assert_eq!(
        staleness(stamp, a_second_later, chrono::TimeDelta::zero()),
        Staleness::Synced {
            minutes: 0,
            too_old: true
        },
        "a zero limit warns as soon as time has passed"
    );
}

#[test]
fn follows_and_page_fits_say_when_a_change_builds_on_a_store() {
    assert!(follows(10, 11), "the next version follows");
    assert!(follows(12, 11), "an older one is no gap (it is stale)");
    assert!(!follows(9, 11), "version 10 is missing");
    assert!(follows(i64::MIN, i64::MIN), "no overflow on odd versions");
    assert!(page_fits(10, 10) && page_fits(12, 10));
    assert!(!page_fits(9, 10), "the store lacks changes before the page");
}

#[test]
fn a_device_is_behind_when_the_server_has_a_newer_version() {
    let tables = synced_at(10);
    assert!(!tables.is_behind(10));
    assert!(tables.is_behind(11));
    assert!(MenuTables::default().is_behind(1));
}

#[test]
fn the_menu_is_as_fresh_as_its_stalest_kind() {
    let stamp = |minutes| SyncStamp {
        cursor: minutes,
        at: at() + chrono::TimeDelta::minutes(minutes),
    };
    let mut stamps = KindStamps::default();
    stamps.set(MasterKind::Products, Some(stamp(5)));
    stamps.set(MasterKind::Categories, Some(stamp(2)));
    assert_eq!(stamps.menu_stamp(), None, "promotions never synced");
    stamps.set(MasterKind::Promotions, Some(stamp(9)));
    assert_eq!(stamps.menu_stamp(), Some(stamp(2)));
    assert_eq!(stamps.get(MasterKind::Promotions), Some(stamp(9)));
}

fn synced_at(version: i64) -> MenuTables {
    let mut tables = MenuTables::default();
    tables
        .products
        .apply_page(0, page(version, vec![product("p-1", 1, 100)], &[], false))
        .unwrap();
    tables
        .categories
        .apply_page(0, page(version, vec![category("c-1", 2, 1)], &[], false))
        .unwrap();
    tables
        .promotions
        .apply_page(0, page::<Promotion>(version, vec![], &[], false))
        .unwrap();
    tables
}

/// The outlet server as a model: one master version over products and
/// categories, with the contract's paging.
#[derive(Debug, Clone, Default)]
struct Server {
    version: i64,
    /// Per id: the version of its last change and the row, `None` once deleted.
    products: BTreeMap<String, (i64, Option<Product>)>,
    categories: BTreeMap<String, (i64, Option<Category>)>,
    /// Every change, in version order, as the socket would send it.
    events: Vec<Event>,
}

#[derive(Debug, Clone)]
enum Event {
    Product(Change<Product>),
    Category(Change<Category>),
}

impl Event {
    fn deliver(self, device: &mut MenuTables) {
        match self {
            Event::Product(change) => drop(device.apply_event(change)),
            Event::Category(change) => drop(device.apply_event(change)),
        }
    }
}

/// One write the generated history makes.
#[derive(Debug, Clone)]
struct Write {
    product: bool,
    id: u8,
    delete: bool,
    value: i64,
}

impl Server {
    fn write(&mut self, write: &Write) {
        let id = format!("x-{}", write.id);
        let live = if write.product {
            matches!(self.products.get(&id), Some((_, Some(_))))
        } else {
            matches!(self.categories.get(&id), Some((_, Some(_))))
        };
        if write.delete && !live {
            return;
        }
        self.version += 1;
        let version = self.version;
        let event = match (write.product, write.delete) {
            (true, false) => {
                let row = product(&id, version, write.value);
                self.products.insert(id, (version, Some(row.clone())));
                Event::Product(Change::Upsert(row))
            }
            (true, true) => {
                self.products.insert(id.clone(), (version, None));
                Event::Product(Change::Delete { id, version })
            }
            (false, false) => {
                let row = category(&id, version, write.value as i32);
                self.categories.insert(id, (version, Some(row.clone())));
                Event::Category(Change::Upsert(row))
            }
            (false, true) => {
                self.categories.insert(id.clone(), (version, None));
                Event::Category(Change::Delete { id, version })
            }
        };
        self.events.push(event);
    }

    fn page<T: Clone>(
        &self,
        rows: &BTreeMap<String, (i64, Option<T>)>,
        since: i64,
        limit: usize,
    ) -> Page<T> {
        let mut live: Vec<(i64, T)> = rows
            .values()
            .filter(|(version, _)| *version > since)
            .filter_map(|(version, row)| row.clone().map(|row| (*version, row)))
            .collect();
        live.sort_by_key(|(version, _)| *version);
        let has_more = live.len() > limit;
        live.truncate(limit);
        let window_end = match live.last() {
            Some((last, _)) if has_more => *last,
            _ => self.version,
        };
        let deleted = rows
            .iter()
            .filter(|(_, (version, row))| {
                row.is_none() && *version > since && *version <= window_end
            })
            .map(|(id, _)| id.clone())
            .collect();
        Page {
            version: self.version,
            items: live.into_iter().map(|(_, row)| row).collect(),
            deleted,
            has_more,
        }
    }

    fn live<T: Clone>(rows: &BTreeMap<String, (i64, Option<T>)>) -> BTreeMap<String, T> {
        rows.iter()
            .filter_map(|(id, (_, row))| row.clone().map(|row| (id.clone(), row)))
            .collect()
    }
}

/// What happens next in a generated run.
#[derive(Debug, Clone)]
enum Step {
    /// The back office writes.
    Write(Write),
    /// The socket delivers the next event in order.
    Next,
    /// The socket loses the next event.
    Lose,
    /// The socket delivers the event with this index (modulo the events so
    /// far) again: duplicates, replays and out-of-order delivery.
    Replay(usize),
    /// The device asks for one page of products (0), categories (1) or
    /// promotions (2, never written here); the answer is applied after
    /// `delay` more steps (a slow network).
    Fetch {
        kind: u8,
        limit: usize,
        delay: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (any::<bool>(), 0u8..5, prop::bool::weighted(0.3), 0i64..10_000)
            .prop_map(|(product, id, delete, value)| Step::Write(Write { product, id, delete, value })),
        4 => Just(Step::Next),
        1 => Just(Step::Lose),
        1 => any::<usize>().prop_map(Step::Replay),
        2 => (0u8..3, 1usize..4, 0usize..8)
            .prop_map(|(kind, limit, delay)| Step::Fetch { kind, limit, delay }),
    ]
}

/// A page in flight, and the `since` it was asked with.
enum InFlight {
    Products(i64, Page<Product>),
    Categories(i64, Page<Category>),
    Promotions(i64, Page<Promotion>),
}

impl InFlight {
    fn land(self, device: &mut MenuTables) {
        match self {
            InFlight::Products(since, page) => device.products.apply_page(since, page).map(drop),
            InFlight::Categories(since, page) => {
                device.categories.apply_page(since, page).map(drop)
            }
            InFlight::Promotions(since, page) => {
                device.promotions.apply_page(since, page).map(drop)
            }
        }
        .expect("the model server's pages always advance");
    }
}

impl Server {
    /// Nothing writes promotions in these runs: every page is empty.
    fn promotions_page(&self) -> Page<Promotion> {
        Page {
            version: self.version,
            items: vec![],
            deleted: vec![],
            has_more: false,
        }
    }
}

/// The device's sync loop for one kind: from its cursor to the end.
fn sync_kind<T: MasterRow>(
    table: &mut KindTable<T>,
    fetch: impl Fn(i64, usize) -> Page<T>,
) -> Result<(), PageError> {
    let mut since = table.cursor;
    loop {
        match table.apply_page(since, fetch(since, 2))?.next {
            Some(next) => since = next,
            None => return Ok(()),
        }
    }
}

proptest! {
    #[test]
    fn any_interleaving_converges_to_a_full_download(steps in prop::collection::vec(step(), 0..60)) {
        let mut server = Server::default();
        let mut device = MenuTables::default();
        let mut in_flight: Vec<(usize, InFlight)> = Vec::new();
        let mut delivered = 0;
        for (now, step) in steps.iter().enumerate() {
            match step {
                Step::Write(write) => server.write(write),
                Step::Next if delivered < server.events.len() => {
                    server.events[delivered].clone().deliver(&mut device);
                    delivered += 1;
                }
                Step::Lose if delivered < server.events.len() => delivered += 1,
                Step::Replay(index) if !server.events.is_empty() => {
                    server.events[index % server.events.len()].clone().deliver(&mut device);
                }
                Step::Next | Step::Lose | Step::Replay(_) => {}
                Step::Fetch { kind, limit, delay } => {
                    let flight = match kind {
                        0 => {
                            let since = device.products.cursor;
                            InFlight::Products(since, server.page(&server.products, since, *limit))
                        }
                        1 => {
                            let since = device.categories.cursor;
                            InFlight::Categories(since, server.page(&server.categories, since, *limit))
                        }
                        _ => InFlight::Promotions(device.promotions.cursor, server.promotions_page()),
                    };
                    in_flight.push((now + delay, flight));
                }
            }
            let (due, later): (Vec<_>, Vec<_>) = in_flight.into_iter().partition(|(at, _)| *at <= now);
            in_flight = later;
            for (_, flight) in due {
                flight.land(&mut device);
            }
        }
        // Answers still in flight land, then the device syncs to the end.
        for (_, flight) in in_flight {
            flight.land(&mut device);
        }
        sync_kind(&mut device.products, |since, limit| server.page(&server.products, since, limit)).unwrap();
        sync_kind(&mut device.categories, |since, limit| server.page(&server.categories, since, limit)).unwrap();
        sync_kind(&mut device.promotions, |_, _| server.promotions_page()).unwrap();

        prop_assert_eq!(&device.products.rows, &Server::live(&server.products));
        prop_assert_eq!(&device.categories.rows, &Server::live(&server.categories));
        prop_assert_eq!(device.products.cursor, server.version);
        prop_assert_eq!(device.categories.cursor, server.version);
        prop_assert_eq!(device.complete_through(), server.version);
    }
}
