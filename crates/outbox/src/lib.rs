//! The outbox in IndexedDB, shared by the page (which queues writes and
//! shows them) and the service worker (which sends them): a thin adapter
//! over `rexie` that runs the core's [`ticketrail_core::outbox`] decisions
//! inside IndexedDB transactions.
//!
//! Database [`DB_NAME`] holds three stores:
//!
//! - `entries`: one record per queued write, `{seq, json}`, keyed by an
//!   auto-increment `seq` (the queue order) with the [`Entry`] as JSON;
//! - `acks`: the server's answer to each delivered order, `{key, json, at}`
//!   keyed by its idempotency key, so the page that queued it learns the
//!   server's order number even when it was closed while it was sent;
//! - `device`: the screen's credential, which every send carries
//!   (see the `credential` module).
//!
//! Every decision that must not race (lease the head, settle a send) reads
//! and writes in one read-write transaction: IndexedDB runs overlapping
//! read-write transactions one after another, across tabs and the worker,
//! so two triggers can never both lease the same entry. A delivered entry
//! is deleted in the same transaction that stores its ack.
//!
//! [`drain`] sends the queue (from the service worker, or from a page that
//! has none).
//!
//! A record that does not read (damaged, or written by another version) is
//! never deleted or sent: it is reported in [`Contents::unreadable`] for a
//! person, and the queue stops before it when it is the head, because
//! sending what comes after it would break the order.

mod credential;
mod drain;

pub use drain::drain;

use futures_util::future::{join, try_join_all};
use rexie::{KeyRange, ObjectStore, Rexie, TransactionMode};
use serde::Serialize;
use ticketrail_core::outbox::{self, Entry, Next, Sent, Settle, State, Summary, Write};
use ticketrail_protocol::Order;
use wasm_bindgen::JsValue;

/// The outbox database.
pub const DB_NAME: &str = "ticketrail-outbox";
/// Its layout version. Not 1: a bare `indexedDB.open(name)` creates that,
/// with no stores. 3 added `device`; opening a version 2 database adds it
/// and keeps the queue.
const DB_VERSION: u32 = 3;
const ENTRIES: &str = "entries";
const ACKS: &str = "acks";
const DEVICE: &str = "device";

/// Why the outbox could not be used. The text is for restaurant staff; the
/// browser's own words follow in parentheses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboxError {
    /// IndexedDB could not be opened or used.
    #[error("This screen cannot use its order queue ({0}). Check that the browser is not in private mode and the disk has space.")]
    Unavailable(String),
    /// A read or write failed; nothing of a failed write was saved.
    #[error("The order queue on this screen could not be read or saved ({0}).")]
    Storage(String),
}

fn storage(err: impl std::fmt::Display) -> OutboxError {
    OutboxError::Storage(err.to_string())
}

/// What was read of the queue: its front ([`Outbox::front`]), all of it
/// when it is short.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contents {
    /// The readable entries, in queue order.
    pub entries: Vec<Entry>,
    /// Keys of records that do not read; they block the queue from their
    /// place on.
    pub unreadable: Vec<u64>,
    /// Records queued after those read, left unread. They all wait to be
    /// sent: the queue is sent in order, so a refusal (or a record that
    /// stops the queue) can only come before its head, which a front read
    /// always holds.
    pub unread: u32,
}

impl Contents {
    /// The counts for the screen, the unread records among the pending.
    pub fn summary(&self, now: f64) -> Summary {
        let mut summary = outbox::summary(&self.entries, now);
        summary.pending += self.unread as usize;
        summary
    }

    /// Whether anything waits to be sent.
    pub fn has_pending(&self) -> bool {
        self.unread > 0 || outbox::head(&self.entries).is_some()
    }
}

/// A stored record of `acks`.
struct AckRecord {
    key: String,
    json: String,
    at: f64,
}

/// The open outbox.
pub struct Outbox {
    db: Rexie,
}

impl Outbox {
    /// Opens (or creates) [`DB_NAME`].
    pub async fn open() -> Result<Self, OutboxError> {
        Self::open_named(DB_NAME).await
    }

    /// Opens (or creates) the outbox database `name` (tests use their own).
    pub async fn open_named(name: &str) -> Result<Self, OutboxError> {
        Rexie::builder(name)
            .version(DB_VERSION)
            .add_object_store(
                ObjectStore::new(ENTRIES)
                    .key_path("seq")
                    .auto_increment(true),
            )
            .add_object_store(ObjectStore::new(ACKS).key_path("key"))
            .add_object_store(ObjectStore::new(DEVICE).key_path("key"))
            .build()
            .await
            .map(|db| Self { db })
            .map_err(|err| OutboxError::Unavailable(err.to_string()))
    }

    /// A transaction over `stores`.
    fn transaction(
        &self,
        stores: &[&str],
        mode: TransactionMode,
    ) -> Result<rexie::Transaction, OutboxError> {
        self.db.transaction(stores, mode).map_err(storage)
    }

    /// Queues `write` at `now`; the entry is durable when this returns.
    pub async fn enqueue(&self, write: Write, now: f64) -> Result<Entry, OutboxError> {
        let transaction = self.transaction(&[ENTRIES], TransactionMode::ReadWrite)?;
        let store = transaction.store(ENTRIES).map_err(storage)?;
        let mut entry = outbox::queued(0, write, now);
        // Without `seq` the store generates it; the JSON's copy is ignored.
        let record = js_object(&[("json", JsValue::from_str(&to_json(&entry)?))])?;
        // Asking for the commit with the write lets the browser commit the
        // moment the write is done, instead of after its answer reached
        // this page and the page made no new request: one round trip less
        // between the tap and "Queued".
        let (key, committed) = join(store.add(&record, None), transaction.commit()).await;
        let key = key.map_err(storage)?;
        committed.map_err(storage)?;
        entry.seq = key_seq(&key)?;
        Ok(entry)
    }

    /// The first `window` records of the queue (more when refusals fill
    /// them, so the head is always among them) and the count of the rest
    /// ([`Contents::unread`]): what a screen shows of a long queue, read
    /// in a fraction of the time the whole queue takes, and holding off
    /// the sender's writes for as little.
    pub async fn front(&self, window: u32) -> Result<Contents, OutboxError> {
        let transaction = self.transaction(&[ENTRIES], TransactionMode::ReadOnly)?;
        let store = transaction.store(ENTRIES).map_err(storage)?;
        // Both requests go out at once: one round trip, not two.
        let (total, contents) = join(store.count(None), read_head(&store, window)).await;
        let total = total.map_err(storage)?;
        let mut contents = contents?;
        let read = contents.entries.len() + contents.unreadable.len();
        contents.unread = total.saturating_sub(u32::try_from(read).unwrap_or(u32::MAX));
        Ok(contents)
    }

    /// Leases the head for `holder` at `now` when it is due and free, and
    /// the entries after it ahead (see [`outbox::lease_after`]), in one
    /// transaction: a concurrent trigger waits for it and then sees the
    /// leases. An unreadable record at the head stops the queue.
    pub async fn lease_next(&self, holder: &str, now: f64) -> Result<Taken, OutboxError> {
        let transaction = self.transaction(&[ENTRIES], TransactionMode::ReadWrite)?;
        let store = transaction.store(ENTRIES).map_err(storage)?;
        let taken = lease_in(&store, holder, now).await?;
        transaction.done().await.map_err(storage)?;
        Ok(taken)
    }

    /// [`Outbox::settle`] each of `sent` in order, giving back the unused
    /// leases `ahead` (see [`outbox::release`]), then
    /// [`Outbox::lease_next`] for the same holder, in one transaction: the
    /// drain's step after anything but a delivery. The settles come back
    /// in the order of `sent`, which holds at least the last send (the
    /// holder is its); with none, nothing is done.
    pub async fn settle_then_lease(
        &self,
        sent: &[Settled<'_>],
        ahead: &[Entry],
        now: f64,
        jitter: f64,
    ) -> Result<(Vec<Settle>, Taken), OutboxError> {
        let Some(holder) = sent.first().map(|sent| sent.holder) else {
            let idle = Taken {
                next: Next::Idle,
                ahead: Vec::new(),
            };
            return Ok((Vec::new(), idle));
        };
        let transaction = self.transaction(&[ENTRIES, ACKS], TransactionMode::ReadWrite)?;
        let entries = transaction.store(ENTRIES).map_err(storage)?;
        // The run and the leases ahead after it, in one read.
        let seqs: Vec<u64> = sent
            .iter()
            .map(|sent| sent.seq)
            .chain(ahead.iter().map(|ahead| ahead.seq))
            .collect();
        let stored = read_run(&entries, &seqs).await?;
        let (stored_sent, stored_ahead) = stored.split_at(sent.len());
        let released = stored_ahead
            .iter()
            .flatten()
            .filter_map(|entry| outbox::release(entry, holder, now))
            .map(|released| entry_record(&released))
            .collect::<Result<Vec<_>, _>>()?;
        let (settles, releases) = join(
            settle_all(&transaction, sent, stored_sent, now, jitter),
            try_join_all(released.iter().map(|record| put(&entries, record))),
        )
        .await;
        let settles = settles?;
        releases?;
        let taken = lease_in(&entries, holder, now).await?;
        transaction.done().await.map_err(storage)?;
        Ok((settles, taken))
    }

    /// [`Outbox::settle`] the delivered sends `sent` while `sending`, the
    /// last entry leased ahead, is on its way, and lease the entries after
    /// `sending` ahead, in one transaction: the drain's step after a run of
    /// deliveries, run while the next request is out, so a drain costs one
    /// transaction per run of [`outbox::AHEAD`] entries and waits for it
    /// only when the server answers faster. The transaction makes one
    /// read, then all its writes at once: each request waited for is a
    /// round trip to the browser's database. With nothing in `sent`,
    /// nothing is done.
    pub async fn settle_then_lease_after(
        &self,
        sent: &[Settled<'_>],
        sending: u64,
        now: f64,
        jitter: f64,
    ) -> Result<(Vec<Settle>, Vec<Entry>), OutboxError> {
        let Some(holder) = sent.first().map(|sent| sent.holder) else {
            return Ok((Vec::new(), Vec::new()));
        };
        let transaction = self.transaction(&[ENTRIES, ACKS], TransactionMode::ReadWrite)?;
        let entries = transaction.store(ENTRIES).map_err(storage)?;
        let seqs: Vec<u64> = sent.iter().map(|sent| sent.seq).collect();
        // Both reads go out at once: one round trip.
        let (stored, after) = join(read_run(&entries, &seqs), read_after(&entries, sending)).await;
        let (stored, after) = (stored?, after?);
        let ahead = ahead_of(&after, holder, now, sending);
        let leases = ahead
            .iter()
            .map(entry_record)
            .collect::<Result<Vec<_>, _>>()?;
        let (settles, leased) = join(
            settle_all(&transaction, sent, &stored, now, jitter),
            try_join_all(leases.iter().map(|record| put(&entries, record))),
        )
        .await;
        let settles = settles?;
        leased?;
        transaction.done().await.map_err(storage)?;
        Ok((settles, ahead))
    }

    /// Settles a send (see [`outbox::settle`]): deletes a delivered entry
    /// and stores its ack (the server's order) in the same transaction, or
    /// stores it back pending or rejected.
    pub async fn settle(
        &self,
        sent: Settled<'_>,
        now: f64,
        jitter: f64,
    ) -> Result<Settle, OutboxError> {
        let transaction = self.transaction(&[ENTRIES, ACKS], TransactionMode::ReadWrite)?;
        let entries = transaction.store(ENTRIES).map_err(storage)?;
        let stored = read_run(&entries, &[sent.seq]).await?;
        let settles = settle_all(&transaction, &[sent], &stored, now, jitter).await?;
        transaction.done().await.map_err(storage)?;
        Ok(settles.into_iter().next().unwrap_or(Settle::Ignore))
    }

    /// Staff's "retry now" for entry `seq` (see [`outbox::retry_now`]).
    pub async fn retry_now(&self, seq: u64, now: f64) -> Result<(), OutboxError> {
        let transaction = self.transaction(&[ENTRIES], TransactionMode::ReadWrite)?;
        let store = transaction.store(ENTRIES).map_err(storage)?;
        let stored = stored_entry(&store, seq).await?;
        if let Some(next) = stored.and_then(|entry| outbox::retry_now(&entry, now)) {
            put(&store, &entry_record(&next)?).await?;
        }
        transaction.done().await.map_err(storage)?;
        Ok(())
    }

    /// Removes entry `seq` when it is rejected, after a person saw the
    /// refusal (the kitchen shows it as a message). Anything still to be
    /// sent is left alone.
    pub async fn dismiss_rejected(&self, seq: u64) -> Result<(), OutboxError> {
        let transaction = self.transaction(&[ENTRIES], TransactionMode::ReadWrite)?;
        let store = transaction.store(ENTRIES).map_err(storage)?;
        let rejected = stored_entry(&store, seq)
            .await?
            .is_some_and(|entry| matches!(entry.state, State::Rejected { .. }));
        if rejected {
            store.delete(seq_key(seq)).await.map_err(storage)?;
        }
        transaction.done().await.map_err(storage)?;
        Ok(())
    }

    /// The server's order for the write with idempotency key `key`, once
    /// delivered.
    pub async fn ack(&self, key: &str) -> Result<Option<Order>, OutboxError> {
        let transaction = self.transaction(&[ACKS], TransactionMode::ReadOnly)?;
        let store = transaction.store(ACKS).map_err(storage)?;
        let Some(value) = store.get(JsValue::from_str(key)).await.map_err(storage)? else {
            return Ok(None);
        };
        let record = read_ack(&value)?;
        serde_json::from_str(&record.json)
            .map(Some)
            .map_err(storage)
    }

    /// Deletes the acks stored before `before` (ms): the pages that wanted
    /// them have long shown them.
    pub async fn forget_acks(&self, before: f64) -> Result<(), OutboxError> {
        let transaction = self.transaction(&[ACKS], TransactionMode::ReadWrite)?;
        let store = transaction.store(ACKS).map_err(storage)?;
        for value in store.get_all(None, None).await.map_err(storage)? {
            let Ok(record) = read_ack(&value) else {
                continue;
            };
            if record.at < before {
                store
                    .delete(JsValue::from_str(&record.key))
                    .await
                    .map_err(storage)?;
            }
        }
        transaction.done().await.map_err(storage)?;
        Ok(())
    }
}

/// What a lease decision took.
#[derive(Debug, Clone, PartialEq)]
pub struct Taken {
    /// The head to send, or why not.
    pub next: Next,
    /// The entries after the head, leased too, in order, to send each the
    /// moment the one before it is delivered (see
    /// [`ticketrail_core::outbox::lease_after`]).
    pub ahead: Vec<Entry>,
}

/// A finished send, to settle.
#[derive(Debug, Clone, Copy)]
pub struct Settled<'a> {
    /// The entry sent.
    pub seq: u64,
    /// Who sent it (the lease holder).
    pub holder: &'a str,
    /// How it ended.
    pub result: &'a Sent,
    /// The server's order, from a 2xx answer.
    pub order: Option<&'a Order>,
}

/// The readable entry stored under `seq`, if any.
async fn stored_entry(store: &rexie::Store, seq: u64) -> Result<Option<Entry>, OutboxError> {
    Ok(store
        .get(seq_key(seq))
        .await
        .map_err(storage)?
        .and_then(|value| read_entry(value).ok()))
}

/// How many records are read to find the head: rejected entries ahead of
/// it are few, so the whole queue is read only when they fill this.
const HEAD_WINDOW: u32 = 16;

/// The first `window` entries of the queue, or all of them when these
/// hold no head: a lease decision reads a few records, not the whole
/// queue.
async fn read_head(store: &rexie::Store, window: u32) -> Result<Contents, OutboxError> {
    let first = store.get_all(None, Some(window)).await.map_err(storage)?;
    let full = first.len() >= window as usize;
    let contents = read_contents(first);
    if full && contents.unreadable.is_empty() && outbox::head(&contents.entries).is_none() {
        return Ok(read_contents(
            store.get_all(None, None).await.map_err(storage)?,
        ));
    }
    Ok(contents)
}

/// How many records after the entry being sent are read to find the ones
/// to lease ahead: nearly always the first [`outbox::AHEAD`].
const AHEAD_WINDOW: u32 = outbox::AHEAD as u32 + 4;

/// The entries after `seq`, enough to hold the first one not rejected:
/// the drain's step reads a few records, whatever the queue holds.
async fn read_after(store: &rexie::Store, seq: u64) -> Result<Contents, OutboxError> {
    let after = || {
        KeyRange::lower_bound(&seq_key(seq), Some(true))
            .map_err(|err| OutboxError::Storage(err.to_string()))
    };
    let window = store
        .get_all(Some(after()?), Some(AHEAD_WINDOW))
        .await
        .map_err(storage)?;
    let full = window.len() >= AHEAD_WINDOW as usize;
    let contents = read_contents(window);
    if full && contents.unreadable.is_empty() && outbox::head(&contents.entries).is_none() {
        return Ok(read_contents(
            store.get_all(Some(after()?), None).await.map_err(storage)?,
        ));
    }
    Ok(contents)
}

/// Leases the head, and the entries after it ahead, in `store` (of a
/// read-write transaction).
async fn lease_in(store: &rexie::Store, holder: &str, now: f64) -> Result<Taken, OutboxError> {
    let contents = read_head(store, HEAD_WINDOW).await?;
    let head = outbox::head(&contents.entries).map(|entry| entry.seq);
    let blocked = contents
        .unreadable
        .iter()
        .any(|bad| head.is_none_or(|head| *bad < head));
    if blocked {
        return Ok(Taken {
            next: Next::Idle,
            ahead: Vec::new(),
        });
    }
    let next = outbox::lease(&contents.entries, holder, now);
    let Next::Send(entry) = &next else {
        return Ok(Taken {
            next,
            ahead: Vec::new(),
        });
    };
    let ahead = ahead_of(&contents, holder, now, entry.seq);
    let records = std::iter::once(entry.as_ref())
        .chain(&ahead)
        .map(entry_record)
        .collect::<Result<Vec<_>, _>>()?;
    try_join_all(records.iter().map(|record| put(store, record))).await?;
    Ok(Taken { next, ahead })
}

/// The entries after `seq` in `contents` leased for `holder` (see
/// [`outbox::lease_after`]), up to the first unreadable record (the queue
/// stops there).
fn ahead_of(contents: &Contents, holder: &str, now: f64, seq: u64) -> Vec<Entry> {
    let mut ahead = outbox::lease_after(&contents.entries, holder, now, seq, outbox::AHEAD);
    ahead.retain(|ahead| !contents.unreadable.iter().any(|bad| *bad < ahead.seq));
    ahead
}

async fn put(store: &rexie::Store, record: &JsValue) -> Result<(), OutboxError> {
    store.put(record, None).await.map(drop).map_err(storage)
}

/// The entries `seqs` as stored (`None`: gone), in the order of `seqs`,
/// from one read of every record between the lowest and the highest: a
/// drain's run and its leases ahead are neighbours in the queue, with at
/// most a few refusals kept between them.
async fn read_run(store: &rexie::Store, seqs: &[u64]) -> Result<Vec<Option<Entry>>, OutboxError> {
    let (Some(first), Some(last)) = (seqs.iter().min(), seqs.iter().max()) else {
        return Ok(Vec::new());
    };
    let run = KeyRange::bound(&seq_key(*first), &seq_key(*last), Some(false), Some(false))
        .map_err(|err| OutboxError::Storage(err.to_string()))?;
    let read = read_contents(store.get_all(Some(run), None).await.map_err(storage)?);
    Ok(seqs
        .iter()
        .map(|seq| read.entries.iter().find(|entry| entry.seq == *seq).cloned())
        .collect())
}

/// Settles each of `sent` (see [`outbox::settle`]), given what the store
/// holds for it (`stored`, in the same order), in `transaction`: every
/// write goes out at once. The settles come back in the order of `sent`.
async fn settle_all(
    transaction: &rexie::Transaction,
    sent: &[Settled<'_>],
    stored: &[Option<Entry>],
    now: f64,
    jitter: f64,
) -> Result<Vec<Settle>, OutboxError> {
    let settles: Vec<Settle> = sent
        .iter()
        .zip(stored)
        .map(|(sent, stored)| {
            outbox::settle(stored.as_ref(), sent.holder, sent.result, now, jitter)
        })
        .collect();
    let writes = sent
        .iter()
        .zip(stored)
        .zip(&settles)
        .map(|((sent, stored), settle)| {
            write_settle(transaction, stored.as_ref(), settle, sent, now)
        });
    try_join_all(writes).await?;
    Ok(settles)
}

/// Writes what `settle` decided for `sent` (`stored` as read) in
/// `transaction`: a delivered entry's delete and its ack go out together.
async fn write_settle(
    transaction: &rexie::Transaction,
    stored: Option<&Entry>,
    settle: &Settle,
    sent: &Settled<'_>,
    now: f64,
) -> Result<(), OutboxError> {
    let entries = transaction.store(ENTRIES).map_err(storage)?;
    match settle {
        Settle::Delete => {
            let ack = match (stored, sent.order) {
                (Some(entry), Some(order)) => Some(js_object(&[
                    ("key", JsValue::from_str(entry.write.key())),
                    ("json", JsValue::from_str(&to_json(order)?)),
                    ("at", JsValue::from_f64(now)),
                ])?),
                _ => None,
            };
            let acks = transaction.store(ACKS).map_err(storage)?;
            let keep = async {
                match &ack {
                    Some(record) => put(&acks, record).await,
                    None => Ok(()),
                }
            };
            let (deleted, kept) = join(entries.delete(seq_key(sent.seq)), keep).await;
            deleted.map_err(storage)?;
            kept
        }
        Settle::Store(entry) => put(&entries, &entry_record(entry)?).await,
        Settle::Ignore => Ok(()),
    }
}

fn to_json(value: &impl Serialize) -> Result<String, OutboxError> {
    serde_json::to_string(value).map_err(storage)
}

/// A plain object with these fields.
fn js_object(fields: &[(&str, JsValue)]) -> Result<JsValue, OutboxError> {
    let object = js_sys::Object::new();
    for (key, value) in fields {
        js_sys::Reflect::set(&object, &JsValue::from_str(key), value)
            .map_err(|_| OutboxError::Storage("a record could not be built".into()))?;
    }
    Ok(object.into())
}

fn entry_record(entry: &Entry) -> Result<JsValue, OutboxError> {
    js_object(&[
        ("seq", seq_key(entry.seq)),
        ("json", JsValue::from_str(&to_json(entry)?)),
    ])
}

/// IndexedDB keys are numbers; queue positions stay far below 2^53.
fn seq_key(seq: u64) -> JsValue {
    JsValue::from_f64(seq as f64)
}

fn key_seq(key: &JsValue) -> Result<u64, OutboxError> {
    key.as_f64()
        .filter(|number| number.fract() == 0.0 && *number >= 0.0)
        .map(|number| number as u64)
        .ok_or_else(|| {
            OutboxError::Storage("the queue gave an entry a key that is not a number".into())
        })
}

/// Reads one record of `entries` (its `seq` is the record's key).
fn read_entry(value: JsValue) -> Result<Entry, (Option<u64>, String)> {
    let seq = js_sys::Reflect::get(&value, &JsValue::from_str("seq"))
        .ok()
        .and_then(|key| key_seq(&key).ok());
    let json = js_sys::Reflect::get(&value, &JsValue::from_str("json"))
        .ok()
        .and_then(|json| json.as_string())
        .ok_or((seq, "no entry in the record".to_owned()))?;
    let mut entry: Entry = serde_json::from_str(&json).map_err(|err| (seq, err.to_string()))?;
    entry.seq = seq.ok_or((None, "the record has no key".to_owned()))?;
    Ok(entry)
}

fn read_contents(values: Vec<JsValue>) -> Contents {
    let mut contents = Contents::default();
    for value in values {
        match read_entry(value) {
            Ok(entry) => contents.entries.push(entry),
            Err((seq, _)) => contents.unreadable.extend(seq),
        }
    }
    contents.entries.sort_by_key(|entry| entry.seq);
    contents
}

fn read_ack(value: &JsValue) -> Result<AckRecord, OutboxError> {
    let get = |field: &str| js_sys::Reflect::get(value, &JsValue::from_str(field)).ok();
    let unreadable = || OutboxError::Storage("an answer saved on this screen does not read".into());
    Ok(AckRecord {
        key: get("key")
            .and_then(|v| v.as_string())
            .ok_or_else(unreadable)?,
        json: get("json")
            .and_then(|v| v.as_string())
            .ok_or_else(unreadable)?,
        at: get("at").and_then(|v| v.as_f64()).ok_or_else(unreadable)?,
    })
}
