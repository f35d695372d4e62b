//! The server process under test: the real `ticketrail-server` binary on
//! port 0, started through `ticketrail-launch` with its own temp dir (and a
//! new SQLite file, or a copy of a given one) and the tiny test dist, and
//! stopped hard (SIGKILL), gently (SIGTERM) or restarted on the same db.
//!
//! The launcher's waits block, so they run on tokio's blocking pool: a test
//! on the current-thread runtime keeps its other tasks going meanwhile. The
//! child is killed on drop, so a failing test never leaks a process.

use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::time::Duration;

use tempfile::TempDir;
use ticketrail_launch::{provision, scheme_and_port, Process, Signal, StartOptions};

/// How long the binary may take to print its listening line (generous: tests
/// run in parallel on two cores, some while cargo is still linking others).
pub const STARTUP: Duration = Duration::from_secs(30);

/// The SQLite file's name in the server's temp dir.
const DB_FILE: &str = "t.db";

/// The binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_ticketrail-server");

/// The tiny PWA the tests serve; deep links must return exactly this.
pub const INDEX_HTML: &str =
    "<!doctype html><html><head><title>ticketrail test dist</title></head><body>tr-index</body></html>";

/// A file of the test dist named like Trunk's content-hashed output.
pub const HASHED_ASSET: &str = "/style-9a1c0e5b22f4d6e7.css";

/// How to start a server.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Pass `--demo` (seed the demo menu and outlets "1" and "2"). Default true.
    pub demo: bool,
    /// Extra environment variables for the child. Default none.
    pub env: Vec<(String, String)>,
    /// Serve HTTPS, as the server does by default. Default false: pass
    /// `--no-tls`, since every test but the TLS ones speaks plain HTTP.
    pub tls: bool,
    /// `--listen`. Default `127.0.0.1:0`; the tests connect to 127.0.0.1
    /// whatever the address.
    pub listen: String,
    /// More flags (`--hostname`, `--tls-cert`, `--http-listen`, ...).
    /// Default none.
    pub args: Vec<String>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            demo: true,
            env: Vec::new(),
            tls: false,
            listen: "127.0.0.1:0".to_owned(),
            args: Vec::new(),
        }
    }
}

/// A running (or stopped) server process and its private temp dir.
pub struct Server {
    /// Declared before `dir`: dropped first, so the process is gone before
    /// its files are removed.
    process: Option<Process>,
    dir: TempDir,
    options: ServerOptions,
    base: String,
    trust_base: Option<String>,
    admin_token: String,
    /// Shared HTTP client; plain http to 127.0.0.1, sending the admin token
    /// (`Authorization: Bearer`) unless a request sets its own.
    pub http: reqwest::Client,
}

impl Server {
    /// Starts a demo server in a fresh temp dir.
    pub async fn start() -> Server {
        Self::start_with(ServerOptions::default()).await
    }

    /// Starts a server with `options` in a fresh temp dir.
    pub async fn start_with(options: ServerOptions) -> Server {
        Self::start_in_new_dir(options, None).await
    }

    /// Starts a server with `options` in a fresh temp dir, on a copy of the
    /// SQLite file `db` (say, one an older release wrote).
    pub async fn start_on_copy_of(db: &Path, options: ServerOptions) -> Server {
        Self::start_in_new_dir(options, Some(db)).await
    }

    async fn start_in_new_dir(options: ServerOptions, db: Option<&Path>) -> Server {
        let dir = tempfile::Builder::new()
            .prefix("ticketrail-it-")
            .tempdir()
            .expect("create temp dir");
        let dist = dir.path().join("dist");
        std::fs::create_dir_all(dist.join("assets")).expect("create dist");
        std::fs::write(dist.join("index.html"), INDEX_HTML).expect("write index.html");
        std::fs::write(dist.join("assets/app.js"), "console.log('tr');").expect("write app.js");
        std::fs::write(dist.join(&HASHED_ASSET[1..]), "body { margin: 0 }").expect("write css");
        if let Some(db) = db {
            std::fs::copy(db, dir.path().join(DB_FILE))
                .unwrap_or_else(|e| panic!("copy {}: {e}", db.display()));
        }
        let mut server = Server {
            process: None,
            dir,
            options,
            base: String::new(),
            trust_base: None,
            admin_token: String::new(),
            http: reqwest::Client::new(),
        };
        server.spawn().await;
        // Made while the server runs, as an operator would: the server reads
        // a token it has not seen from the file.
        server.admin_token = server.token("admin", None, "black-box tests").await;
        server.http = client(Some(&server.admin_token));
        server
    }

    /// A new token from `ticketrail-server token` on this server's file.
    pub async fn token(&self, role: &str, outlet: Option<&str>, name: &str) -> String {
        let mut args = vec![
            "--role".to_owned(),
            role.to_owned(),
            "--name".to_owned(),
            name.to_owned(),
        ];
        if let Some(outlet) = outlet {
            args.extend(["--outlet".to_owned(), outlet.to_owned()]);
        }
        let db = self.db_path();
        let made =
            tokio::task::spawn_blocking(move || provision(Path::new(BIN), "token", &db, &args))
                .await
                .expect("the token task ran");
        made.unwrap_or_else(|e| panic!("token --role {role}: {e:#}"))
    }

    /// The admin token the shared client sends.
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// The SQLite file the server writes.
    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join(DB_FILE)
    }

    /// The temp dir; error messages must never mention it.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `http://127.0.0.1:PORT` (`https://` with TLS) of the current process.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The first-run setup address (`…/setup?code=…`) the server printed
    /// because nobody could sign in; panics if none comes.
    pub async fn setup_url(&self) -> String {
        super::wait_until("the setup address on STDOUT", STARTUP, || async {
            self.process.as_ref().and_then(Process::setup_url)
        })
        .await
    }

    /// `http://127.0.0.1:PORT` of the `--http-listen` listener, when the
    /// options ask for one.
    pub fn trust_base(&self) -> Option<&str> {
        self.trust_base.as_deref()
    }

    /// Absolute http URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Absolute ws URL of `path` (wss with TLS).
    pub fn ws_url(&self, path: &str) -> String {
        let scheme = if self.options.tls { "wss" } else { "ws" };
        format!("{scheme}://{}{path}", self.addr())
    }

    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> &str {
        self.base
            .trim_start_matches("https://")
            .trim_start_matches("http://")
    }

    /// Everything the server logged to STDERR so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Process id of the running child.
    pub fn pid(&self) -> u32 {
        self.running().pid()
    }

    fn running(&self) -> &Process {
        self.process.as_ref().expect("server is running")
    }

    async fn spawn(&mut self) {
        assert!(self.process.is_none(), "a server is already running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("server.log"))
            .expect("open server log");
        let mut command = ticketrail_launch::command(BIN);
        command
            .arg("--listen")
            .arg(&self.options.listen)
            .arg("--db")
            .arg(self.db_path())
            .arg("--dist")
            .arg(self.dir.path().join("dist"));
        if self.options.demo {
            command.arg("--demo");
        }
        if !self.options.tls {
            command.arg("--no-tls");
        }
        command
            .args(&self.options.args)
            .envs(self.options.env.iter().map(|(k, v)| (k, v)))
            .current_dir(self.dir.path())
            .stderr(log);
        let options = StartOptions {
            deadline: STARTUP,
            trust: self.options.args.iter().any(|arg| arg == "--http-listen"),
            echo: false,
        };
        let started = tokio::task::spawn_blocking(move || Process::start(command, &options))
            .await
            .expect("the start task ran");
        let process = started.unwrap_or_else(|e| panic!("{e:#}\n--- log ---\n{}", self.log()));
        let (scheme, port) = scheme_and_port(process.url()).expect("an announced URL has a port");
        assert_ne!(port, 0, "server reported port 0");
        self.base = format!("{scheme}://127.0.0.1:{port}");
        self.trust_base = process
            .trust_url()
            .and_then(scheme_and_port)
            .map(|(_, port)| format!("http://127.0.0.1:{port}"));
        self.process = Some(process);
    }

    /// Sends `signal` ("KILL", "TERM", "INT") to the running child without
    /// waiting for it; usable while other tasks still talk to the server.
    pub fn signal(&self, signal: &str) {
        let signal: Signal = signal.parse().unwrap_or_else(|e| panic!("{e}"));
        self.running()
            .signal(signal)
            .unwrap_or_else(|e| panic!("{e:#}"));
    }

    /// SIGKILL (if not sent already) and reap: the process gets no chance to
    /// flush anything.
    pub async fn kill(&mut self) {
        let mut process = self.process.take().expect("server is running");
        tokio::task::spawn_blocking(move || process.kill())
            .await
            .expect("the kill task ran")
            .expect("kill and reap the server");
    }

    /// Starts the binary again on the same db and dist (new port).
    pub async fn restart(&mut self) {
        self.spawn().await;
    }

    /// Like [`Server::restart`], with other `options`.
    pub async fn restart_with(&mut self, options: ServerOptions) {
        self.options = options;
        self.spawn().await;
    }

    /// Sends `signal` (e.g. "TERM", "INT") and waits up to `within` for the
    /// process to exit; panics (after a SIGKILL) if it does not.
    pub async fn stop_with_signal(&mut self, signal: &str, within: Duration) -> ExitStatus {
        let signal: Signal = signal.parse().unwrap_or_else(|e| panic!("{e}"));
        let mut process = self.process.take().expect("server is running");
        let stopped = tokio::task::spawn_blocking(move || process.stop(signal, within))
            .await
            .expect("the stop task ran");
        stopped.unwrap_or_else(|e| panic!("{e:#}\n--- log ---\n{}", self.log()))
    }

    /// Whether the child has exited on its own (a crash).
    pub fn has_exited(&mut self) -> bool {
        self.process.as_mut().is_none_or(Process::has_exited)
    }
}

/// An HTTP client for the tests, sending `token` as its bearer credential
/// (`None`: no credential at all).
pub fn client(token: Option<&str>) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(token) = token {
        let value = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
            .expect("a token is a header value");
        headers.insert(reqwest::header::AUTHORIZATION, value);
    }
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .default_headers(headers)
        .build()
        .expect("http client")
}
