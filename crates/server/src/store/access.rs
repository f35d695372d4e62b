//! Credentials, people and pairing codes in SQL (protocol v2 "access").
//!
//! Only hashes of secrets reach this module: the access layer hashes a
//! token or code before it asks anything, so no query, row or log line here
//! can leak one. A pairing code is redeemed by one `UPDATE … WHERE used_at
//! IS NULL AND expires_at > now`, so two screens racing for the same code
//! cannot both get it.

use sqlx::SqliteConnection;
use ticketrail_protocol::{Role, Timestamp};

use super::codec::{time_from_db, time_to_db};
use super::StoreError;

/// What a credential stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    /// A paired screen, or a token made with `ticketrail-server token`.
    Device,
    /// A person's login, until it expires.
    Session,
}

impl CredentialKind {
    fn as_str(self) -> &'static str {
        match self {
            CredentialKind::Device => "device",
            CredentialKind::Session => "session",
        }
    }
}

/// One stored credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// Its id (a device's id in the device list).
    pub id: String,
    /// Screen or login.
    pub kind: CredentialKind,
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// A screen's name, or the person's username.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Its outlet; `None` for `admin`.
    pub outlet_id: Option<String>,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it stops working, if ever.
    pub expires_at: Option<Timestamp>,
    /// The last request or socket seen with it, as last written.
    pub last_seen_at: Option<Timestamp>,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// A pairing code to store.
#[derive(Debug, Clone)]
pub struct NewPairingCode {
    /// SHA-256 of the normalised code, hex.
    pub code_hash: String,
    /// The outlet the screen will serve.
    pub outlet_id: String,
    /// The role it will have.
    pub role: Role,
    /// Its name.
    pub name: String,
    /// When the code stops pairing.
    pub expires_at: Timestamp,
}

/// A person who can log in.
#[derive(Debug, Clone)]
pub struct User {
    /// Stable id.
    pub id: String,
    /// Unique login name.
    pub username: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Their role.
    pub role: Role,
    /// Their outlet; `None` for `admin`.
    pub outlet_id: Option<String>,
}

const CREDENTIAL_COLUMNS: &str = "id, kind, token_hash, name, role, outlet_id, created_at, \
                                  expires_at, last_seen_at, revoked_at";

#[derive(sqlx::FromRow)]
struct CredentialRow {
    id: String,
    kind: String,
    token_hash: String,
    name: String,
    role: String,
    outlet_id: Option<String>,
    created_at: String,
    expires_at: Option<String>,
    last_seen_at: Option<String>,
    revoked_at: Option<String>,
}

fn role_from_db(text: &str) -> Result<Role, StoreError> {
    Role::parse(text).ok_or_else(|| StoreError::Corrupt(format!("role {text:?}")))
}

impl CredentialRow {
    fn decode(self) -> Result<Credential, StoreError> {
        let kind = match self.kind.as_str() {
            "device" => CredentialKind::Device,
            "session" => CredentialKind::Session,
            other => return Err(StoreError::Corrupt(format!("credential kind {other:?}"))),
        };
        Ok(Credential {
            id: self.id,
            kind,
            token_hash: self.token_hash,
            name: self.name,
            role: role_from_db(&self.role)?,
            outlet_id: self.outlet_id,
            created_at: time_from_db(&self.created_at)?,
            expires_at: self.expires_at.as_deref().map(time_from_db).transpose()?,
            last_seen_at: self.last_seen_at.as_deref().map(time_from_db).transpose()?,
            revoked: self.revoked_at.is_some(),
        })
    }
}

/// Stores a new credential.
pub(crate) async fn insert_credential(
    conn: &mut SqliteConnection,
    credential: &Credential,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO credentials (id, kind, token_hash, name, role, outlet_id, created_at, \
         expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&credential.id)
    .bind(credential.kind.as_str())
    .bind(&credential.token_hash)
    .bind(&credential.name)
    .bind(credential.role.as_str())
    .bind(&credential.outlet_id)
    .bind(time_to_db(&credential.created_at)?)
    .bind(credential.expires_at.as_ref().map(time_to_db).transpose()?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The credential whose token hashes to `token_hash`, revoked or not.
pub(super) async fn credential_by_hash(
    conn: &mut SqliteConnection,
    token_hash: &str,
) -> Result<Option<Credential>, StoreError> {
    sqlx::query_as::<_, CredentialRow>(&format!(
        "SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE token_hash = ?"
    ))
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?
    .map(CredentialRow::decode)
    .transpose()
}

/// The credential with `id`.
pub(super) async fn credential_by_id(
    conn: &mut SqliteConnection,
    id: &str,
) -> Result<Option<Credential>, StoreError> {
    sqlx::query_as::<_, CredentialRow>(&format!(
        "SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE id = ?"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .map(CredentialRow::decode)
    .transpose()
}

/// Every device credential, of one outlet or of all, oldest first.
pub(super) async fn devices(
    conn: &mut SqliteConnection,
    outlet_id: Option<&str>,
) -> Result<Vec<Credential>, StoreError> {
    let rows = sqlx::query_as::<_, CredentialRow>(&format!(
        "SELECT {CREDENTIAL_COLUMNS} FROM credentials \
         WHERE kind = 'device' AND (?1 IS NULL OR outlet_id = ?1) ORDER BY created_at, id"
    ))
    .bind(outlet_id)
    .fetch_all(&mut *conn)
    .await?;
    // One unreadable row must not hide every other device from the
    // manager who is trying to revoke one.
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let id = row.id.clone();
            row.decode()
                .inspect_err(|error| tracing::error!(credential = %id, %error, "left out"))
                .ok()
        })
        .collect())
}

/// Marks a credential revoked; false when there is none with `id`.
pub(super) async fn revoke(
    conn: &mut SqliteConnection,
    id: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE credentials SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?")
            .bind(time_to_db(&now)?)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// Records that a credential was used at `at`.
pub(super) async fn touch(
    conn: &mut SqliteConnection,
    id: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE credentials SET last_seen_at = ? WHERE id = ?")
        .bind(time_to_db(&at)?)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Stores a pairing code.
pub(crate) async fn insert_pairing_code(
    conn: &mut SqliteConnection,
    code: &NewPairingCode,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO pairing_codes (code_hash, outlet_id, role, name, created_at, expires_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&code.code_hash)
    .bind(&code.outlet_id)
    .bind(code.role.as_str())
    .bind(&code.name)
    .bind(time_to_db(&now)?)
    .bind(time_to_db(&code.expires_at)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Uses up the code hashing to `code_hash` if it is unused and unexpired:
/// its outlet, role and name; `None` when it pairs nothing.
pub(super) async fn redeem_pairing_code(
    conn: &mut SqliteConnection,
    code_hash: &str,
    now: Timestamp,
) -> Result<Option<(String, Role, String)>, StoreError> {
    let now = time_to_db(&now)?;
    let row: Option<(String, String, String)> = sqlx::query_as(
        "UPDATE pairing_codes SET used_at = ?1 \
         WHERE code_hash = ?2 AND used_at IS NULL AND expires_at > ?1 \
         RETURNING outlet_id, role, name",
    )
    .bind(&now)
    .bind(code_hash)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|(outlet, role, name)| Ok((outlet, role_from_db(&role)?, name)))
        .transpose()
}

/// Stores a person; a taken username is a conflict.
pub(crate) async fn insert_user(
    conn: &mut SqliteConnection,
    user: &User,
    now: Timestamp,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "INSERT INTO users (id, username, password_hash, role, outlet_id, created_at) \
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING",
    )
    .bind(&user.id)
    .bind(&user.username)
    .bind(&user.password_hash)
    .bind(user.role.as_str())
    .bind(&user.outlet_id)
    .bind(time_to_db(&now)?)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!(
            "the username \"{}\" is taken",
            user.username
        )));
    }
    Ok(())
}

/// The person with `username`.
pub(super) async fn user_by_name(
    conn: &mut SqliteConnection,
    username: &str,
) -> Result<Option<User>, StoreError> {
    let row: Option<(String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, username, password_hash, role, outlet_id FROM users WHERE username = ?",
    )
    .bind(username)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|(id, username, password_hash, role, outlet_id)| {
        Ok(User {
            id,
            username,
            password_hash,
            role: role_from_db(&role)?,
            outlet_id,
        })
    })
    .transpose()
}

/// How many people can log in.
pub(super) async fn user_count(conn: &mut SqliteConnection) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&mut *conn)
        .await?)
}
