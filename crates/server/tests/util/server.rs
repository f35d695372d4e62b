//! The server process under test: spawn the real `ticketrail-server` binary on
//! port 0 with its own temp dir (and a new SQLite file, or a copy of a given
//! one), learn its address from the one STDOUT line, and stop it hard
//! (SIGKILL), gently (SIGTERM) or restart it on the same db.
//!
//! The child is killed on drop, so a failing test never leaks a process.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long the binary may take to print its listening line (generous: tests
/// run in parallel on two cores, some while cargo is still linking others).
pub const STARTUP: Duration = Duration::from_secs(30);

/// The SQLite file's name in the server's temp dir.
const DB_FILE: &str = "t.db";

/// The line the server prints once bound, before the URL.
const LISTENING_PREFIX: &str = "ticketrail-server listening on ";

/// The line it prints next with `--http-listen`, before the URL.
const TRUST_PREFIX: &str = "ticketrail-server trust page on ";

/// The line it prints when nobody can sign in yet, before the URL.
const SETUP_PREFIX: &str = "ticketrail-server setup at ";

/// The tiny PWA the tests serve; deep links must return exactly this.
pub const INDEX_HTML: &str =
    "<!doctype html><html><head><title>ticketrail test dist</title></head><body>tr-index</body></html>";

/// A file of the test dist named like Trunk's content-hashed output.
pub const HASHED_ASSET: &str = "/style-9a1c0e5b22f4d6e7.css";

/// The server's environment variables; removed so a developer's shell
/// cannot change what the tests exercise (tests set what they need).
const SERVER_ENV: [&str; 12] = [
    "TICKETRAIL_LISTEN",
    "TICKETRAIL_NO_TLS",
    "TICKETRAIL_TLS_CERT",
    "TICKETRAIL_TLS_KEY",
    "TICKETRAIL_HOSTNAMES",
    "TICKETRAIL_HTTP_LISTEN",
    "TICKETRAIL_DB",
    "TICKETRAIL_DIST",
    "TICKETRAIL_DEMO",
    "TICKETRAIL_SEED_MENU",
    "TICKETRAIL_WS_PING_SECS",
    "TICKETRAIL_WS_IDLE_SECS",
];

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
    child: Option<Child>,
    dir: TempDir,
    options: ServerOptions,
    base: String,
    trust_base: Option<String>,
    /// The first-run setup address the server printed, once it has.
    setup_url: std::sync::Arc<std::sync::Mutex<Option<String>>>,
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
            child: None,
            dir,
            options,
            base: String::new(),
            trust_base: None,
            setup_url: std::sync::Arc::default(),
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
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ticketrail-server"));
        cmd.arg("token")
            .arg("--db")
            .arg(self.db_path())
            .args(["--role", role, "--name", name]);
        if let Some(outlet) = outlet {
            cmd.args(["--outlet", outlet]);
        }
        for key in SERVER_ENV {
            cmd.env_remove(key);
        }
        let output = cmd.output().await.expect("run ticketrail-server token");
        assert!(
            output.status.success(),
            "token --role {role}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout)
            .expect("token is text")
            .trim()
            .to_owned()
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
        let slot = self.setup_url.clone();
        super::wait_until("the setup address on STDOUT", STARTUP, || {
            let url = slot.lock().unwrap_or_else(|e| e.into_inner()).clone();
            async move { url }
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
        self.child
            .as_ref()
            .and_then(Child::id)
            .expect("server is running")
    }

    async fn spawn(&mut self) {
        assert!(self.child.is_none(), "a server is already running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("server.log"))
            .expect("open server log");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ticketrail-server"));
        cmd.arg("--listen")
            .arg(&self.options.listen)
            .arg("--db")
            .arg(self.db_path())
            .arg("--dist")
            .arg(self.dir.path().join("dist"));
        if self.options.demo {
            cmd.arg("--demo");
        }
        if !self.options.tls {
            cmd.arg("--no-tls");
        }
        cmd.args(&self.options.args);
        for key in SERVER_ENV {
            cmd.env_remove(key);
        }
        cmd.envs(self.options.env.iter().map(|(k, v)| (k, v)))
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .kill_on_drop(true);
        let mut child = cmd.spawn().expect("spawn ticketrail-server");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(STARTUP, lines.next_line()).await;
        self.child = Some(child);
        let line = match first {
            Ok(Ok(Some(line))) => line,
            other => panic!(
                "server did not print its listening line within {STARTUP:?}: {other:?}\n--- log ---\n{}",
                self.log()
            ),
        };
        let url = line
            .strip_prefix(LISTENING_PREFIX)
            .unwrap_or_else(|| panic!("unexpected first STDOUT line: {line:?}"));
        let (scheme, port) = scheme_and_port(url)
            .unwrap_or_else(|| panic!("listening line has no http(s) URL with a port: {line:?}"));
        assert_ne!(port, 0, "server reported port 0");
        self.base = format!("{scheme}://127.0.0.1:{port}");
        self.trust_base = None;
        if self.options.args.iter().any(|arg| arg == "--http-listen") {
            let second = tokio::time::timeout(STARTUP, lines.next_line()).await;
            let url = match &second {
                Ok(Ok(Some(line))) => line.strip_prefix(TRUST_PREFIX),
                _ => None,
            };
            let port = url
                .and_then(scheme_and_port)
                .unwrap_or_else(|| {
                    panic!("no trust page line after the listening line: {second:?}")
                })
                .1;
            self.trust_base = Some(format!("http://127.0.0.1:{port}"));
        }
        // Keep draining STDOUT so a chatty server never blocks on a full pipe
        // (and never sees EPIPE, which would turn a println into a panic),
        // keeping the first-run setup address when it comes.
        let setup_url = self.setup_url.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.strip_prefix(SETUP_PREFIX) {
                    *setup_url.lock().unwrap_or_else(|e| e.into_inner()) = Some(url.to_owned());
                }
            }
        });
    }

    /// Sends `signal` ("KILL", "TERM", "INT") to the running child without
    /// waiting for it; usable while other tasks still talk to the server.
    pub fn signal(&self, signal: &str) {
        let pid = self.pid();
        let sent = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(pid.to_string())
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -{signal} {pid} failed");
    }

    /// SIGKILL (if not sent already) and reap: the process gets no chance to
    /// flush anything.
    pub async fn kill(&mut self) {
        let mut child = self.child.take().expect("server is running");
        // An error here means the process is already dead (e.g. after
        // `signal("KILL")`); the wait below still reaps it.
        let _ = child.start_kill();
        tokio::time::timeout(Duration::from_secs(10), child.wait())
            .await
            .expect("killed server is reaped within 10 s")
            .expect("wait for killed server");
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
        self.signal(signal);
        let mut child = self.child.take().expect("server is running");
        match tokio::time::timeout(within, child.wait()).await {
            Ok(status) => status.expect("wait for server"),
            Err(_) => {
                let _ = child.start_kill();
                panic!(
                    "server did not exit within {within:?} of SIG{signal}\n--- log ---\n{}",
                    self.log()
                );
            }
        }
    }

    /// Whether the child has exited on its own (a crash).
    pub fn has_exited(&mut self) -> bool {
        match self.child.as_mut() {
            Some(child) => !matches!(child.try_wait(), Ok(None)),
            None => true,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            // kill_on_drop would do this too; being explicit keeps the intent
            // visible and does not depend on the runtime still running.
            let _ = child.start_kill();
        }
    }
}

/// `("https", 8443)` of `https://0.0.0.0:8443[/path]`.
fn scheme_and_port(url: &str) -> Option<(&str, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split('/').next()?;
    let port = authority.rsplit_once(':')?.1.parse().ok()?;
    ["http", "https"]
        .contains(&scheme)
        .then_some((scheme, port))
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
