//! Outlets: the in-memory [`Outlet`] every order and socket refers to, and
//! its rows in SQL.
//!
//! An outlet's feed `seq` moves with every commit, so it lives in an atomic
//! the writer raises; what people edit (name, time zone, currency, staff
//! PIN) is an immutable [`OutletProfile`] swapped whole on each change, so a
//! reader never sees half an edit. Outlets can be added while the server
//! runs (the API, or `ticketrail-server outlet add` from another process):
//! a lookup that misses the map reads the database once.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use chrono::{Offset, TimeZone};
use sqlx::SqliteConnection;
use ticketrail_protocol::{OutletInfo, OutletInput, PinHash, Timestamp};

use super::codec::{json_from_db, json_to_db};
use super::StoreError;

/// Where an outlet's clock stands, which decides its business day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// An IANA zone, with its daylight-saving rules.
    Named(chrono_tz::Tz),
    /// A fixed offset in minutes east of UTC: outlets made before protocol
    /// v2, whose time zone nobody has named yet.
    Fixed(i32),
}

impl Zone {
    /// Parses an IANA zone name (`Asia/Jakarta`).
    pub fn parse(name: &str) -> Option<Zone> {
        name.parse::<chrono_tz::Tz>().ok().map(Zone::Named)
    }

    /// The offset from UTC at `now`, in minutes.
    pub fn offset_minutes_at(self, now: Timestamp) -> i32 {
        match self {
            Zone::Named(tz) => {
                tz.offset_from_utc_datetime(&now.naive_utc())
                    .fix()
                    .local_minus_utc()
                    / 60
            }
            Zone::Fixed(minutes) => minutes,
        }
    }

    /// The zone's name for the API: the IANA name, or for a fixed offset
    /// the `Etc/GMT±N` zone that has it (a whole hour), else `UTC±HH:MM`.
    pub fn name(self) -> String {
        match self {
            Zone::Named(tz) => tz.name().to_owned(),
            Zone::Fixed(minutes) if minutes % 60 == 0 && minutes != 0 => {
                // POSIX-style: Etc/GMT-7 is seven hours *east* of UTC.
                format!("Etc/GMT{:+}", -minutes / 60)
            }
            Zone::Fixed(0) => "UTC".to_owned(),
            Zone::Fixed(minutes) => format!(
                "UTC{}{:02}:{:02}",
                if minutes < 0 { '-' } else { '+' },
                minutes.abs() / 60,
                minutes.abs() % 60
            ),
        }
    }
}

/// What people set about an outlet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutletProfile {
    /// Display name.
    pub name: String,
    /// Its clock.
    pub zone: Zone,
    /// ISO 4217 code.
    pub currency: String,
    /// The staff PIN as kiosks check it, once set.
    pub staff_pin: Option<PinHash>,
}

/// An outlet: a shop with its own order feed and kitchen screens.
#[derive(Debug)]
pub struct Outlet {
    /// Stable id, e.g. `"1"`.
    pub id: String,
    /// Highest committed feed seq; raised by the writer after each commit.
    seq: AtomicI64,
    profile: RwLock<Arc<OutletProfile>>,
}

impl Outlet {
    pub(super) fn new(id: String, seq: i64, profile: OutletProfile) -> Outlet {
        Outlet {
            id,
            seq: seq.into(),
            profile: RwLock::new(Arc::new(profile)),
        }
    }

    /// The outlet's current feed seq (0 before its first order).
    pub fn seq(&self) -> i64 {
        self.seq.load(Ordering::Acquire)
    }

    pub(super) fn raise_seq(&self, seq: i64) {
        self.seq.fetch_max(seq, Ordering::AcqRel);
    }

    /// Its name, zone, currency and PIN as of now.
    pub fn profile(&self) -> Arc<OutletProfile> {
        self.profile
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(super) fn set_profile(&self, profile: OutletProfile) {
        *self.profile.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(profile);
    }

    /// The outlet as the API shows it.
    pub fn info(&self) -> OutletInfo {
        let profile = self.profile();
        OutletInfo {
            id: self.id.clone(),
            name: profile.name.clone(),
            timezone: profile.zone.name(),
            currency: profile.currency.clone(),
            staff_pin: profile.staff_pin.clone(),
        }
    }
}

/// Outlets by id, shared by the store's readers and its writer.
#[derive(Debug, Default)]
pub(super) struct Outlets(RwLock<BTreeMap<String, Arc<Outlet>>>);

impl Outlets {
    pub(super) fn new(outlets: Vec<Outlet>) -> Outlets {
        Outlets(RwLock::new(
            outlets
                .into_iter()
                .map(|outlet| (outlet.id.clone(), Arc::new(outlet)))
                .collect(),
        ))
    }

    pub(super) fn get(&self, id: &str) -> Option<Arc<Outlet>> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .cloned()
    }

    pub(super) fn all(&self) -> Vec<Arc<Outlet>> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }

    /// Adds `outlet` unless one with its id is already known (then the
    /// known one wins: it may hold a newer seq). Returns the one kept.
    pub(super) fn insert(&self, outlet: Arc<Outlet>) -> Arc<Outlet> {
        self.0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(outlet.id.clone())
            .or_insert(outlet)
            .clone()
    }

    /// Every outlet, also those another process added since this one
    /// started: the database is read and any it holds that memory lacks
    /// are kept from then on.
    pub(super) async fn all_current(
        &self,
        conn: &mut SqliteConnection,
    ) -> Result<Vec<Arc<Outlet>>, StoreError> {
        for outlet in load_all(conn).await? {
            self.insert(Arc::new(outlet));
        }
        Ok(self.all())
    }

    /// The outlet with `id`: from memory, else from the database (added by
    /// another process since this one started).
    pub(super) async fn find(
        &self,
        conn: &mut SqliteConnection,
        id: &str,
    ) -> Result<Option<Arc<Outlet>>, StoreError> {
        if let Some(outlet) = self.get(id) {
            return Ok(Some(outlet));
        }
        Ok(load_one(conn, id)
            .await?
            .map(|outlet| self.insert(Arc::new(outlet))))
    }
}

const COLUMNS: &str = "id, name, utc_offset_minutes, timezone, currency, staff_pin, last_seq";

type OutletRow = (
    String,
    String,
    i32,
    Option<String>,
    String,
    Option<String>,
    i64,
);

fn decode(row: OutletRow) -> Result<Outlet, StoreError> {
    let (id, name, offset, timezone, currency, staff_pin, seq) = row;
    let zone = match timezone {
        None => Zone::Fixed(offset),
        Some(name) => Zone::parse(&name)
            .ok_or_else(|| StoreError::Corrupt(format!("outlet {id}: time zone {name:?}")))?,
    };
    let staff_pin = staff_pin.as_deref().map(json_from_db).transpose()?;
    Ok(Outlet::new(
        id,
        seq,
        OutletProfile {
            name,
            zone,
            currency,
            staff_pin,
        },
    ))
}

/// Every outlet. One that cannot be read is logged and left out, so a bad
/// row never keeps the server from starting.
pub(super) async fn load_all(conn: &mut SqliteConnection) -> Result<Vec<Outlet>, StoreError> {
    let rows: Vec<OutletRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM outlets ORDER BY id"))
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let id = row.0.clone();
            decode(row)
                .inspect_err(|error| tracing::error!(outlet = %id, %error, "outlet left out"))
                .ok()
        })
        .collect())
}

async fn load_one(conn: &mut SqliteConnection, id: &str) -> Result<Option<Outlet>, StoreError> {
    let row: Option<OutletRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM outlets WHERE id = ?"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    row.map(decode).transpose()
}

/// A checked outlet to create or replace.
#[derive(Debug, Clone)]
pub struct NewOutlet {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its clock.
    pub zone: Zone,
    /// ISO 4217 code.
    pub currency: String,
}

impl NewOutlet {
    /// Checks the time zone of an already validated `input`.
    pub fn from_input(input: OutletInput) -> Result<NewOutlet, StoreError> {
        let zone = Zone::parse(&input.timezone).ok_or_else(|| {
            StoreError::Invalid(format!(
                "timezone {:?} is not an IANA time zone name such as Asia/Jakarta",
                input.timezone
            ))
        })?;
        Ok(NewOutlet {
            id: input.id,
            name: input.name,
            zone,
            currency: input.currency,
        })
    }

    fn columns(&self) -> (i32, Option<String>) {
        match self.zone {
            Zone::Named(tz) => (0, Some(tz.name().to_owned())),
            Zone::Fixed(minutes) => (minutes, None),
        }
    }
}

/// Creates an outlet; an existing id is a conflict.
pub(crate) async fn insert(
    conn: &mut SqliteConnection,
    outlet: &NewOutlet,
) -> Result<Outlet, StoreError> {
    let (offset, timezone) = outlet.columns();
    let done = sqlx::query(
        "INSERT INTO outlets (id, name, utc_offset_minutes, timezone, currency) \
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&outlet.id)
    .bind(&outlet.name)
    .bind(offset)
    .bind(timezone)
    .bind(&outlet.currency)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!(
            "an outlet with id \"{}\" already exists",
            outlet.id
        )));
    }
    load_one(conn, &outlet.id)
        .await?
        .ok_or_else(|| StoreError::Corrupt("a new outlet could not be read back".into()))
}

/// Replaces an outlet's name, zone and currency; returns its new profile.
pub(super) async fn update(
    conn: &mut SqliteConnection,
    outlet: &NewOutlet,
) -> Result<OutletProfile, StoreError> {
    let (offset, timezone) = outlet.columns();
    let done = sqlx::query(
        "UPDATE outlets SET name = ?, utc_offset_minutes = ?, timezone = ?, currency = ? \
         WHERE id = ?",
    )
    .bind(&outlet.name)
    .bind(offset)
    .bind(timezone)
    .bind(&outlet.currency)
    .bind(&outlet.id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!(
            "no outlet with id \"{}\"",
            outlet.id
        )));
    }
    Ok(load_one(conn, &outlet.id)
        .await?
        .ok_or_else(|| StoreError::Corrupt("an updated outlet could not be read back".into()))?
        .profile()
        .as_ref()
        .clone())
}

/// Stores the outlet's staff PIN hash; returns its new profile.
pub(super) async fn set_staff_pin(
    conn: &mut SqliteConnection,
    outlet_id: &str,
    pin: &PinHash,
) -> Result<OutletProfile, StoreError> {
    let done = sqlx::query("UPDATE outlets SET staff_pin = ? WHERE id = ?")
        .bind(json_to_db(pin)?)
        .bind(outlet_id)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!(
            "no outlet with id \"{outlet_id}\""
        )));
    }
    Ok(load_one(conn, outlet_id)
        .await?
        .ok_or_else(|| StoreError::Corrupt("an outlet could not be read back".into()))?
        .profile()
        .as_ref()
        .clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_give_the_offset_of_the_day_and_a_name() {
        let summer: Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
        let winter: Timestamp = "2026-01-01T12:00:00Z".parse().unwrap();
        let london = Zone::parse("Europe/London").unwrap();
        assert_eq!(london.offset_minutes_at(summer), 60);
        assert_eq!(london.offset_minutes_at(winter), 0);
        assert_eq!(
            Zone::parse("Asia/Jakarta")
                .unwrap()
                .offset_minutes_at(winter),
            420
        );
        assert_eq!(Zone::parse("Mars/Olympus"), None);
        assert_eq!(Zone::Fixed(420).name(), "Etc/GMT-7");
        assert_eq!(
            Zone::parse(&Zone::Fixed(420).name())
                .unwrap()
                .offset_minutes_at(winter),
            420
        );
        assert_eq!(Zone::Fixed(330).name(), "UTC+05:30");
        assert_eq!(Zone::Fixed(0).name(), "UTC");
    }
}
