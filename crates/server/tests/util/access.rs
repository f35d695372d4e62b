//! Access helpers (`PROTOCOL.md` v2 "access"): a cast of callers with one
//! token each, requests sent with any `Authorization` header (or none), the
//! checks for the contract's 401 and 403 answers, the pairing and login
//! endpoints, and what a test must do behind the server's back: people and
//! an expired login written into the db file (there is no endpoint for
//! people yet), pairing codes aged there, the provisioning subcommands run
//! by hand, and socket upgrades with an `Origin` header.

use std::process::Output;
use std::time::Duration;

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use futures_util::future::join_all;
use reqwest::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, SqliteConnection};
use ticketrail_protocol::{Device, PairingCode};
use tokio::process::Command;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Error as WsError;

use super::http::{assert_error, Resp};
use super::server::{client, Server};
use super::ws::STEP;

/// Everyone the access tests call as: the admin, and a kiosk, a kitchen and
/// a manager of each demo outlet, named `role@outlet`.
pub const CAST: [&str; 7] = [
    "admin",
    "kiosk@1",
    "kitchen@1",
    "manager@1",
    "kiosk@2",
    "kitchen@2",
    "manager@2",
];

/// A token for each of [`CAST`].
pub struct Cast(Vec<(&'static str, String)>);

impl Cast {
    /// The server's admin token plus one new token per outlet-bound member,
    /// made with `ticketrail-server token` while the server runs (each is
    /// named after its member, so the device list shows who is who).
    pub async fn provision(server: &Server) -> Cast {
        let bound = join_all(CAST[1..].iter().map(|who| async move {
            let (role, outlet) = who.split_once('@').expect("role@outlet");
            (*who, server.token(role, Some(outlet), who).await)
        }))
        .await;
        let mut tokens = vec![("admin", server.admin_token().to_owned())];
        tokens.extend(bound);
        Cast(tokens)
    }

    /// The token of `who` (one of [`CAST`]).
    pub fn token(&self, who: &str) -> &str {
        self.0
            .iter()
            .find(|(name, _)| *name == who)
            .map(|(_, token)| token.as_str())
            .unwrap_or_else(|| panic!("{who} is not in the cast"))
    }
}

/// `Bearer <token>`.
pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// A token of the right shape that the server never made.
pub fn unknown_token() -> String {
    let half = uuid::Uuid::new_v4().simple().to_string();
    format!("{half}{half}")
}

impl Server {
    /// Sends `method path` (with a JSON `body`) carrying `authorization` as
    /// the raw `Authorization` header, or no such header at all.
    pub async fn send_with(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        authorization: Option<&str>,
    ) -> Resp {
        let mut request = client(None).request(method, self.url(path));
        if let Some(value) = authorization {
            request = request.header(AUTHORIZATION, value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        self.send(request).await
    }

    /// Sends `method path` as the holder of `token`.
    pub async fn send_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Resp {
        self.send_with(method, path, body, Some(&bearer(token)))
            .await
    }

    /// `POST /api/pairing-codes` as `token`, which must answer 201.
    pub async fn pairing_code(
        &self,
        token: &str,
        outlet: &str,
        role: &str,
        name: &str,
    ) -> PairingCode {
        let body = json!({"outlet_id": outlet, "role": role, "name": name});
        self.send_as(token, Method::POST, "/api/pairing-codes", Some(&body))
            .await
            .expect(201)
            .json()
    }

    /// `POST /api/devices/pair` without credentials, as a new screen does.
    pub async fn pair(&self, code: &str) -> Resp {
        let body = json!({"code": code});
        self.send_with(Method::POST, "/api/devices/pair", Some(&body), None)
            .await
    }

    /// `POST /api/auth/login` without credentials.
    pub async fn login(&self, username: &str, password: &str) -> Resp {
        let body = json!({"username": username, "password": password});
        self.send_with(Method::POST, "/api/auth/login", Some(&body), None)
            .await
    }

    /// The device list as `token` sees it; must answer 200.
    pub async fn devices_as(&self, token: &str, outlet: Option<&str>) -> Vec<Device> {
        let path = match outlet {
            Some(outlet) => format!("/api/devices?outlet_id={outlet}"),
            None => "/api/devices".to_owned(),
        };
        self.send_as(token, Method::GET, &path, None)
            .await
            .expect(200)
            .json()
    }

    /// The id of the device named `name`, from the admin's device list.
    pub async fn device_id(&self, name: &str) -> String {
        self.devices_as(self.admin_token(), None)
            .await
            .into_iter()
            .find(|device| device.name == name)
            .unwrap_or_else(|| panic!("no device named {name:?}"))
            .id
    }

    /// A connection to the server's SQLite file, for what a test does
    /// behind the server's back. It waits for the server's writer like the
    /// provisioning subcommands do.
    pub async fn db(&self) -> SqliteConnection {
        SqliteConnectOptions::new()
            .filename(self.db_path())
            .busy_timeout(STEP)
            .connect()
            .await
            .expect("open the server's db file")
    }

    /// Writes a person who can log in straight into the db file (there is
    /// no endpoint for people yet). `outlet`: `None` for an admin.
    pub async fn add_user(&self, username: &str, password: &str, role: &str, outlet: Option<&str>) {
        let hash = password_hash(password);
        sqlx::query(
            "INSERT INTO users (id, username, password_hash, role, outlet_id, created_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(format!("u-{}", uuid::Uuid::new_v4().simple()))
        .bind(username)
        .bind(hash)
        .bind(role)
        .bind(outlet)
        .bind(super::now().to_rfc3339())
        .execute(&mut self.db().await)
        .await
        .expect("insert a user");
    }

    /// A kiosk token of `outlet`, made with the `token` subcommand and
    /// revoked by the admin through the API.
    pub async fn revoked_token(&self, outlet: &str) -> String {
        let name = format!("revoked kiosk {}", uuid::Uuid::new_v4().simple());
        let token = self.token("kiosk", Some(outlet), &name).await;
        let id = self.device_id(&name).await;
        self.delete(&format!("/api/devices/{id}")).await.expect(200);
        token
    }

    /// The token of an admin's login that expired an hour ago, written into
    /// the db file as the server stores one (only its SHA-256).
    pub async fn expired_token(&self) -> String {
        let token = unknown_token();
        let hour_ago = (super::now() - chrono::Duration::hours(1)).to_rfc3339();
        sqlx::query(
            "INSERT INTO credentials (id, kind, token_hash, name, role, created_at, expires_at) \
             VALUES (?, 'session', ?, 'owner', 'admin', ?, ?)",
        )
        .bind(format!("s-{}", uuid::Uuid::new_v4().simple()))
        .bind(hex::encode(Sha256::digest(token.as_bytes())))
        .bind(&hour_ago)
        .bind(&hour_ago)
        .execute(&mut self.db().await)
        .await
        .expect("insert an expired session");
        token
    }

    /// Moves the expiry of every pairing code named `name` into the past,
    /// in the db file the server reads codes from.
    pub async fn expire_pairing_codes(&self, name: &str) {
        let done = sqlx::query("UPDATE pairing_codes SET expires_at = ? WHERE name = ?")
            .bind("2000-01-01T00:00:00.000000000Z")
            .bind(name)
            .execute(&mut self.db().await)
            .await
            .expect("age a pairing code");
        assert!(done.rows_affected() > 0, "no pairing code named {name:?}");
    }

    /// Runs `ticketrail-server <subcommand> --db <this server's file>
    /// <flags>` to the end.
    pub async fn run_cli(&self, subcommand: &[&str], flags: &[&str]) -> Output {
        let output = Command::new(env!("CARGO_BIN_EXE_ticketrail-server"))
            .args(subcommand)
            .arg("--db")
            .arg(self.db_path())
            .args(flags)
            .env_remove("TICKETRAIL_DB")
            .output();
        tokio::time::timeout(STEP, output)
            .await
            .expect("the subcommand finishes")
            .expect("run ticketrail-server")
    }
}

/// An argon2id PHC string of `password`. The cost is the smallest argon2
/// allows: the server reads the cost from the string it verifies against,
/// and the test binaries are unoptimised, where the default cost takes
/// seconds.
fn password_hash(password: &str) -> String {
    let params = Params::new(Params::MIN_M_COST, 1, 1, None).expect("argon2 params");
    let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes()).expect("salt");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .expect("hash a password")
        .to_string()
}

/// Panics unless `resp` is the contract's 401: `unauthorized`, with
/// `WWW-Authenticate: Bearer`. `what` names the request in the message.
pub fn assert_unauthorized(resp: &Resp, server: &Server, what: &str) {
    assert_eq!(resp.status, 401, "{what}: {}", resp.text);
    assert_error(resp, server, 401, "unauthorized");
    let challenge = resp
        .headers
        .get(WWW_AUTHENTICATE)
        .and_then(|value| value.to_str().ok());
    assert_eq!(challenge, Some("Bearer"), "{what}: WWW-Authenticate");
}

/// Panics unless `resp` is the contract's 403 `forbidden`.
pub fn assert_forbidden(resp: &Resp, server: &Server, what: &str) {
    assert_eq!(resp.status, 403, "{what}: {}", resp.text);
    assert_error(resp, server, 403, "forbidden");
}

/// Asks for a socket upgrade of `path` with `Origin: origin`: the status
/// the server answered (101 once upgraded) and the body of a refusal
/// (`Null` when there is none or it is not JSON).
pub async fn upgrade_with_origin(server: &Server, path: &str, origin: &str) -> (u16, Value) {
    let mut request = server
        .ws_url(path)
        .into_client_request()
        .expect("a socket request");
    request.headers_mut().insert(
        "Origin",
        HeaderValue::from_str(origin).expect("an Origin value"),
    );
    let connecting = tokio_tungstenite::connect_async(request);
    match tokio::time::timeout(STEP, connecting).await {
        Ok(Ok((_, response))) => (response.status().as_u16(), Value::Null),
        Ok(Err(WsError::Http(response))) => {
            let body = response
                .body()
                .as_deref()
                .and_then(|bytes| serde_json::from_slice(bytes).ok())
                .unwrap_or(Value::Null);
            (response.status().as_u16(), body)
        }
        Ok(Err(error)) => panic!("upgrade of {path} failed: {error}"),
        Err(_) => panic!("no answer to the upgrade of {path} within {STEP:?}"),
    }
}

/// How long a test waits to be sure nothing arrives on a socket.
pub const QUIET: Duration = Duration::from_millis(300);
