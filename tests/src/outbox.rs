//! The outbox (issue 6) as the tests see it: the kiosk's pending indicator
//! and staff list, the page's IndexedDB queue read and written from
//! outside, the service worker asked to drain it, and a record of every
//! order the page queued, in the order it queued them.
//!
//! The record ([`Browser::watch_queue`]) exists because an order can be
//! delivered and deleted from the queue before a test gets to look at it:
//! to know which idempotency key a device used for its n-th order, the
//! test has to see the entry as it is written. It only observes; the page
//! writes exactly what it would write without it.
//!
//! [`delivery`] checks what reached the server; [`gate`] takes the network
//! away from a browser while the server stays up for the test.

pub mod delivery;
pub mod gate;

use std::time::{Duration, SystemTime};

use anyhow::{anyhow, bail, ensure, Context, Result};
use serde::Deserialize;
use serde_json::{json, Value};
use ticketrail_core::outbox::{queued, Entry, State, Write};
use ticketrail_protocol::{OrderItemRequest, PlaceOrder, Product};

use crate::kiosk::{Kiosk, ATTRACT};
use crate::ui::{connection, MOUNT, REACT};
use crate::{wait, Browser, Env, Server};

/// The outbox database (`ticketrail_outbox::DB_NAME`).
pub const DB_NAME: &str = "ticketrail-outbox";
/// The kiosk's pending indicator (`data-pending` = entries waiting).
pub const PENDING: &str = r#"[data-testid="outbox"]"#;
/// Any entry in the staff area's list.
pub const ENTRY: &str = r#"[data-testid="staff-area"] [data-testid="outbox-entry"]"#;
/// Below the staff area's list of a long queue: how many more wait.
pub const MORE: &str = r#"[data-testid="staff-area"] [data-testid="outbox-more"]"#;
/// The app's measure from the Place-order click to the confirmation saying
/// queued or sent.
pub const ORDER_QUEUED: &str = "ticketrail:order-queued";

/// The staff list's entry for queue position `seq`.
pub fn entry(seq: u64) -> String {
    format!(r#"{ENTRY}[data-seq="{seq}"]"#)
}

/// The server's error (or the last failure) shown on entry `seq`.
pub fn entry_detail(seq: u64) -> String {
    format!(r#"{} [data-testid="outbox-detail"]"#, entry(seq))
}

/// The "retry now" button of entry `seq`.
pub fn entry_retry(seq: u64) -> String {
    format!(r#"{} [data-testid="outbox-retry"]"#, entry(seq))
}

/// Patches `IDBObjectStore` so that every order entry the page commits to
/// the outbox is appended to `window.__ticketrailQueued` once its
/// transaction completes (so in commit order, which is queue order). Runs
/// before the page's own scripts.
const WATCH_QUEUE_JS: &str = r#"
(() => {
  if (window.__ticketrailQueued) return;
  const queued = [];
  const seen = new Set();
  window.__ticketrailQueued = queued;
  const note = (store, value) => {
    let write;
    try {
      if (store.name !== 'entries' || store.transaction.db.name !== 'ticketrail-outbox') return;
      write = JSON.parse(value.json).write;
    } catch (_) {
      return;
    }
    if (!write || write.kind !== 'place_order') return;
    store.transaction.addEventListener('complete', () => {
      const id = write.order.client_order_id;
      if (seen.has(id)) return;
      seen.add(id);
      queued.push({ client_order_id: id, local_number: write.local_number, at: Date.now() });
    });
  };
  for (const method of ['add', 'put']) {
    const original = IDBObjectStore.prototype[method];
    IDBObjectStore.prototype[method] = function (value, ...rest) {
      note(this, value);
      return original.call(this, value, ...rest);
    };
  }
})();
"#;

/// Opens the outbox database as it is (never creating it: an open that
/// would create it is aborted) and calls `use_db(db)`; `fail(text)` ends
/// the script with an error. Shared head of the page scripts below.
const OPEN_JS: &str = r#"
const done = arguments[arguments.length - 1];
const fail = (text) => done({ error: String(text) });
const withOutbox = (use_db) => {
  const request = indexedDB.open(arguments[0]);
  request.onupgradeneeded = () => request.transaction.abort();
  request.onerror = () => fail('the page has no outbox database yet (' + request.error + ')');
  request.onsuccess = () => {
    const db = request.result;
    if (!db.objectStoreNames.contains('entries')) {
      db.close();
      fail('the outbox database has no entries store');
      return;
    }
    use_db(db);
  };
};
"#;

/// Every record of `entries`: `{records: [{seq, json}]}`.
const READ_JS: &str = r#"
withOutbox((db) => {
  const all = db.transaction('entries').objectStore('entries').getAll();
  all.onsuccess = () => {
    db.close();
    done({ records: all.result.map((record) => ({ seq: record.seq, json: record.json })) });
  };
  all.onerror = () => { db.close(); fail(all.error); };
});
"#;

/// One read-only request, `arguments[2]` (`count`, `getAllKeys`), on the
/// store `arguments[1]`: `{result}`.
const ASK_STORE_JS: &str = r#"
const [, storeName, method] = arguments;
withOutbox((db) => {
  const request = db.transaction(storeName).objectStore(storeName)[method]();
  request.onsuccess = () => { db.close(); done({ result: request.result }); };
  request.onerror = () => { db.close(); fail(request.error); };
});
"#;

/// Adds `arguments[1]` (entry JSON strings) as new records, in order, in
/// one transaction: `{count}` added.
const INJECT_JS: &str = r#"
const records = arguments[1];
withOutbox((db) => {
  const transaction = db.transaction('entries', 'readwrite');
  const store = transaction.objectStore('entries');
  for (const json of records) store.add({ json });
  transaction.oncomplete = () => { db.close(); done({ count: records.length }); };
  transaction.onabort = () => { db.close(); fail(transaction.error); };
});
"#;

/// Makes every pending entry that waits out a backoff due now, in one
/// transaction (what staff's "retry now" does to one entry): `{count}`
/// changed and `{waited}`, the longest wait it cut short (ms).
const MAKE_DUE_JS: &str = r#"
withOutbox((db) => {
  const transaction = db.transaction('entries', 'readwrite');
  const now = Date.now();
  let count = 0;
  let waited = 0;
  const cursor = transaction.objectStore('entries').openCursor();
  cursor.onsuccess = () => {
    const at = cursor.result;
    if (!at) return;
    try {
      const entry = JSON.parse(at.value.json);
      if (entry.state.state === 'pending' && entry.state.not_before > now) {
        waited = Math.max(waited, entry.state.not_before - now);
        entry.state.not_before = now;
        at.update({ seq: at.value.seq, json: JSON.stringify(entry) });
        count += 1;
      }
    } catch (_) {
      // An entry that does not read is the app's to report, not ours.
    }
    at.continue();
  };
  transaction.oncomplete = () => { db.close(); done({ count, waited }); };
  transaction.onabort = () => { db.close(); fail(transaction.error); };
});
"#;

/// An order the page committed to its outbox.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct QueuedOrder {
    /// Its idempotency key.
    pub client_order_id: String,
    /// The number the kiosk showed until the server's was known.
    pub local_number: String,
    /// When the commit completed (`Date.now()` in the page).
    pub at: f64,
}

/// What [`Browser::make_due`] did.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct MadeDue {
    /// Entries it made due.
    pub count: u64,
    /// The longest backoff it cut short, ms.
    pub waited: f64,
}

#[derive(Debug, Deserialize)]
struct Record {
    seq: Value,
    json: String,
}

impl Browser {
    /// Records every order the pages of this tab queue from now on (see
    /// the module docs); call before the navigation, read with
    /// [`Browser::queued_orders`]. A reload starts a new record.
    pub async fn watch_queue(&self) -> Result<()> {
        self.run_on_every_document(WATCH_QUEUE_JS).await
    }

    /// The orders the current page queued, in queue order.
    pub async fn queued_orders(&self) -> Result<Vec<QueuedOrder>> {
        let value = self
            .execute("return window.__ticketrailQueued || null;")
            .await?;
        if value.is_null() {
            bail!("watch_queue was not called before this page loaded");
        }
        serde_json::from_value(value).context("reading the recorded queued orders")
    }

    /// Runs one of the outbox scripts above with `args` after the database
    /// name; its `{error}` becomes an `Err`.
    async fn outbox_script(&self, body: &str, args: Vec<Value>) -> Result<Value> {
        let script = format!("{OPEN_JS}{body}");
        let mut all = vec![json!(DB_NAME)];
        all.extend(args);
        let answer = self.execute_async_with(&script, all).await?;
        match answer.get("error").and_then(Value::as_str) {
            Some(error) => bail!("{error}"),
            None => Ok(answer),
        }
    }

    /// Every entry of the page's outbox, in queue order, as the core reads
    /// them; a record that does not read is an error.
    pub async fn outbox_entries(&self) -> Result<Vec<Entry>> {
        let answer = self.outbox_script(READ_JS, Vec::new()).await?;
        let records: Vec<Record> = serde_json::from_value(answer["records"].clone())
            .context("reading the outbox records")?;
        let mut entries = records
            .into_iter()
            .map(|record| {
                let seq = record
                    .seq
                    .as_u64()
                    .ok_or_else(|| anyhow!("an outbox record has the key {}", record.seq))?;
                let mut entry: Entry = serde_json::from_str(&record.json)
                    .with_context(|| format!("outbox record {seq} does not read"))?;
                entry.seq = seq;
                Ok(entry)
            })
            .collect::<Result<Vec<Entry>>>()?;
        entries.sort_by_key(|entry| entry.seq);
        Ok(entries)
    }

    /// How many entries the page's outbox holds (pending, being sent or
    /// rejected).
    pub async fn outbox_len(&self) -> Result<u64> {
        let answer = self
            .outbox_script(ASK_STORE_JS, vec![json!("entries"), json!("count")])
            .await?;
        answer["result"]
            .as_u64()
            .ok_or_else(|| anyhow!("counting the outbox answered {answer}"))
    }

    /// The idempotency keys of the server answers the page's outbox keeps
    /// for delivered orders.
    pub async fn outbox_ack_keys(&self) -> Result<Vec<String>> {
        let answer = self
            .outbox_script(ASK_STORE_JS, vec![json!("acks"), json!("getAllKeys")])
            .await?;
        serde_json::from_value(answer["result"].clone()).context("reading the ack keys")
    }

    /// Adds `entries` (each the JSON of a core [`Entry`]; the store gives
    /// the `seq`) to the page's outbox in one transaction, behind whatever
    /// it holds; the database must exist (the app creates it).
    pub async fn inject_entries(&self, entries: &[String]) -> Result<()> {
        let answer = self.outbox_script(INJECT_JS, vec![json!(entries)]).await?;
        match answer["count"].as_u64() {
            Some(count) if count == entries.len() as u64 => Ok(()),
            _ => bail!("injecting {} entries answered {answer}", entries.len()),
        }
    }

    /// Makes every entry waiting out a backoff due now (see
    /// [`MAKE_DUE_JS`]), so a measurement starts from a queue the worker
    /// will send at once.
    pub async fn make_due(&self) -> Result<MadeDue> {
        let answer = self.outbox_script(MAKE_DUE_JS, Vec::new()).await?;
        serde_json::from_value(answer).context("reading what make_due did")
    }

    /// Posts `{type: "drain"}` to the service worker controlling the page.
    pub async fn post_drain(&self) -> Result<()> {
        let posted = self
            .execute(
                "const worker = navigator.serviceWorker.controller; \
                 if (!worker) return false; \
                 worker.postMessage({ type: 'drain' }); return true;",
            )
            .await?;
        if posted != Value::Bool(true) {
            bail!("no service worker controls the page to post a drain to");
        }
        Ok(())
    }

    /// Waits until the page's outbox holds nothing but rejected entries.
    pub async fn wait_outbox_settled(&self, timeout: Duration) -> Result<Vec<Entry>> {
        wait::until("the outbox to hold nothing to send", timeout, || async {
            let entries = self.outbox_entries().await?;
            let waiting = entries
                .iter()
                .filter(|entry| !matches!(entry.state, State::Rejected { .. }))
                .count();
            if waiting == 0 {
                Ok(Some(entries))
            } else {
                Err(anyhow!("{waiting} entries still to send"))
            }
        })
        .await
    }
}

/// Places the product at `index` of the first menu screen with the server
/// out of reach: the confirmation must show a local number and "queued".
/// Saves a screenshot of the confirmation as `shot`, if given, and returns
/// to the attract screen.
pub async fn place_queued(
    browser: &Browser,
    index: usize,
    shot: Option<&str>,
) -> Result<(String, String)> {
    let kiosk = Kiosk::new(browser);
    let (product, shown) = kiosk.order_nth(index).await?;
    ensure!(
        shown.delivery.as_deref() == Some("queued") && shown.is_local(),
        "with the server out of reach the confirmation shows {shown:?}, not a local number and queued"
    );
    ensure!(
        shown.label.to_lowercase().contains("queued"),
        "the delivery line reads {:?}; it should say the order is queued",
        shown.label
    );
    report_tap(browser, &shown.number).await?;
    if let Some(name) = shot {
        browser.screenshot(name).await?;
    }
    kiosk.new_order().await?;
    Ok((product, shown.number))
}

/// Prints the app's measure of the last tap on "Place order".
pub async fn report_tap(browser: &Browser, number: &str) -> Result<()> {
    let took = wait::until("the order-queued measure", REACT, || async {
        Ok(browser.measures(ORDER_QUEUED).await?.pop())
    })
    .await?;
    println!(
        "order {number} on the confirmation {:.0} ms after the tap (app measure)",
        took.duration
    );
    Ok(())
}

/// Opens the kiosk at `url` in a fresh browser for `server`
/// ([`Browser::open_for`]) that records what it queues ([`Browser::watch_queue`]), ready as [`prepare_kiosk`] leaves it.
pub async fn open_kiosk(env: &Env, name: &str, server: &Server, url: &str) -> Result<Browser> {
    let browser = Browser::open_for(env, name, server).await?;
    browser.watch_queue().await?;
    prepare_kiosk(&browser, server, url).await?;
    Ok(browser)
}

/// Opens the kiosk at `url` in `browser` and waits until it is live, its
/// service worker controls it and its menu is saved (so it can take orders
/// with the server gone); leaves it on the attract screen of a fresh page.
pub async fn prepare_kiosk(browser: &Browser, server: &Server, url: &str) -> Result<()> {
    browser.open_screen(server, url).await?;
    browser.wait_visible(&connection("live"), MOUNT).await?;
    browser.wait_service_worker(MOUNT).await?;
    Kiosk::new(browser).start_order().await?;
    browser.wait_menu_synced(MOUNT).await?;
    browser.reload().await?;
    browser.wait_visible(ATTRACT, MOUNT).await
}

/// The client ids of `queued`, in order.
pub fn client_ids(queued: &[QueuedOrder]) -> Vec<String> {
    queued
        .iter()
        .map(|order| order.client_order_id.clone())
        .collect()
}

/// The outbox entries of `count` one-line orders for `outlet` as the kiosk
/// queues them, queued at `queued_at` (ms since the epoch), as JSON for
/// [`Browser::inject_entries`], and their idempotency keys (`{prefix}-NNNNN`)
/// in queue order. Each orders a product of `products` in turn.
pub fn queued_orders_json(
    products: &[Product],
    outlet: &str,
    count: usize,
    prefix: &str,
    queued_at: f64,
) -> Result<(Vec<String>, Vec<String>)> {
    let mut json = Vec::new();
    let mut keys = Vec::new();
    for index in 0..count {
        let product = products
            .get(index % products.len().max(1))
            .ok_or_else(|| anyhow!("no product to order"))?;
        let quantity = i64::try_from(index % 3 + 1)?;
        let order = PlaceOrder {
            client_order_id: format!("{prefix}-{index:05}"),
            outlet_id: outlet.to_owned(),
            items: vec![OrderItemRequest {
                product_id: product.id.clone(),
                quantity,
                notes: None,
            }],
            master_version: None,
            placed_at: SystemTime::now().into(),
        };
        keys.push(order.client_order_id.clone());
        let write = Write::PlaceOrder {
            order,
            shown_total: product.price * quantity,
            local_number: format!("B-{index:04}"),
        };
        json.push(serde_json::to_string(&queued(0, write, queued_at))?);
    }
    Ok((json, keys))
}
