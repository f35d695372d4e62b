//! The real `ticketrail-server` process: a free port, a fresh SQLite file
//! with the demo menu (or a synthetic one of any size), and the built PWA,
//! over plain HTTP or HTTPS with the outlet's own CA; stopped and restarted
//! on the same database and port, and asked what it has served.
//!
//! `ticketrail-launch` starts and stops the process; its waits block, so
//! they run on tokio's blocking pool while the test's other tasks (a proxy
//! in front of the server, say) keep running.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tempfile::TempDir;
use ticketrail_launch::{provision, scheme_and_port, Process, StartOptions};
use ticketrail_protocol::{Order, Page, Product};

use crate::Env;

/// How long a start may take (migrations and the demo seed included).
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// The folder beside its database where the server keeps its CA and
/// certificate (`DIR_NAME` in `crates/server/src/tls/ca.rs`).
const TLS_DIR: &str = "ticketrail-tls";

/// The CA certificate in [`TLS_DIR`] (`CA_CERT` there).
const CA_CERT: &str = "ca.pem";

/// How to start a [`Server`].
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// Seed a synthetic menu of this size (`--seed-menu`, e.g.
    /// `products=20000,categories=200,promotions=50`) instead of the demo
    /// menu. Default none: the demo menu.
    pub seed_menu: Option<String>,
    /// Start on an empty database, with no menu, no outlet and nobody to
    /// sign in: the server prints its first-run setup address
    /// ([`Server::setup_url`]). Default false: the demo.
    pub empty: bool,
    /// Serve HTTPS with the outlet's own CA ([`Server::ca_pem`]), plus the
    /// plain-HTTP trust listener on a free port ([`Server::trust_url`]).
    /// Default false: plain HTTP (`--no-tls`); 127.0.0.1 is a secure
    /// context, so the browsers under test need no certificate.
    pub tls: bool,
    /// More names for the server certificate (`--hostname`, each), with
    /// [`ServerOptions::tls`]; it names every address of the machine
    /// already, 127.0.0.1 included. Default none.
    pub tls_hostnames: Vec<String>,
}

/// A running server; dropping it kills the process and deletes its data.
pub struct Server {
    /// Declared before `data`: dropped first, so the process is gone before
    /// its database is removed.
    process: Option<Process>,
    base_url: String,
    port: u16,
    /// `http://127.0.0.1:PORT` of the trust listener, with TLS.
    trust_url: Option<String>,
    /// Sends the admin token made at the first start (and trusts the
    /// server's CA, with TLS).
    http: reqwest::Client,
    admin_token: String,
    /// The first-run setup address, on an empty database.
    setup_url: Option<String>,
    env: Env,
    name: String,
    options: ServerOptions,
    // Holds the database until the test ends.
    data: TempDir,
}

impl Server {
    /// Starts `ticketrail-server --demo` on `127.0.0.1:0` and waits for its
    /// "listening" line. Its log goes to `target/e2e-logs/<name>.server.log`.
    pub async fn start(env: &Env, name: &str) -> Result<Server> {
        Self::start_with(env, name, ServerOptions::default()).await
    }

    /// Like [`Server::start`], with `options`.
    pub async fn start_with(env: &Env, name: &str, options: ServerOptions) -> Result<Server> {
        let mut server = Server {
            process: None,
            base_url: String::new(),
            port: 0,
            trust_url: None,
            http: reqwest::Client::new(),
            admin_token: String::new(),
            setup_url: None,
            env: env.clone(),
            name: name.to_owned(),
            options,
            data: tempfile::tempdir()?,
        };
        server.spawn("127.0.0.1:0", "server").await?;
        // Made as an operator would, with the server running.
        server.admin_token = server.token("admin", None).await?;
        server.http = server.client(&server.admin_token)?;
        server.set_staff_pins().await?;
        Ok(server)
    }

    /// A new token from `ticketrail-server token` on this server's file.
    pub async fn token(&self, role: &str, outlet: Option<&str>) -> Result<String> {
        let mut args = vec![
            "--role".to_owned(),
            role.to_owned(),
            "--name".to_owned(),
            "e2e tests".to_owned(),
        ];
        if let Some(outlet) = outlet {
            args.extend(["--outlet".to_owned(), outlet.to_owned()]);
        }
        let (bin, db) = (self.env.server_bin.clone(), self.db_path());
        tokio::task::spawn_blocking(move || provision(&bin, "token", &db, &args)).await?
    }

    /// Gives every outlet [`crate::menu::TEST_STAFF_PIN`], as a manager
    /// would before the kiosks' staff areas can be opened.
    async fn set_staff_pins(&self) -> Result<()> {
        if self.options.empty {
            return Ok(());
        }
        for outlet in ["1", "2"] {
            let url = self.url(&format!("/api/outlets/{outlet}/staff-pin"));
            let response = self
                .http
                .put(&url)
                .json(&serde_json::json!({"pin": crate::menu::TEST_STAFF_PIN}))
                .send()
                .await?;
            if !response.status().is_success() {
                bail!("PUT {url} answered {}", response.status());
            }
        }
        Ok(())
    }

    /// The admin token [`Server::http`] sends.
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    fn db_path(&self) -> PathBuf {
        self.data.path().join("ticketrail.db")
    }

    /// The CA certificate the server made beside its database, with
    /// [`ServerOptions::tls`]: what a screen trusts.
    pub fn ca_pem(&self) -> PathBuf {
        self.data.path().join(TLS_DIR).join(CA_CERT)
    }

    /// `http://127.0.0.1:PORT` of the plain-HTTP trust listener (its page
    /// is `/trust`), with [`ServerOptions::tls`]; a restart may move it to
    /// another port.
    pub fn trust_url(&self) -> Option<&str> {
        self.trust_url.as_deref()
    }

    /// The port the app listens on; it stays the same across restarts. The
    /// base URL is `http://127.0.0.1:PORT` ([`Server::url`]), or with TLS
    /// any name the certificate holds, such as `https://outlet.test:PORT`
    /// for a browser that maps `outlet.test` to 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// An HTTP client that sends `token` as its bearer credential and, with
    /// TLS, trusts the server's CA (and nothing else).
    fn client(&self, token: &str) -> Result<reqwest::Client> {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))?,
        );
        let mut builder = reqwest::Client::builder().default_headers(headers);
        if self.options.tls {
            let path = self.ca_pem();
            let pem =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            builder = builder
                .tls_built_in_root_certs(false)
                .add_root_certificate(reqwest::Certificate::from_pem(&pem)?);
        }
        Ok(builder.build()?)
    }

    /// Starts the server again after [`Server::stop`], on the same database
    /// and the same port, so pages keep their origin (and with it their
    /// service worker and IndexedDB). Its log goes to
    /// `target/e2e-logs/<name>.restart.server.log`.
    pub async fn restart(&mut self) -> Result<()> {
        if self.process.is_some() {
            bail!("restart: the server is still running; stop it first");
        }
        let before = self.base_url.clone();
        self.spawn(&format!("127.0.0.1:{}", self.port), "restart.server")
            .await?;
        if self.base_url != before {
            bail!("restarted on {} instead of {before}", self.base_url);
        }
        Ok(())
    }

    async fn spawn(&mut self, listen: &str, log_name: &str) -> Result<()> {
        let log = Env::log_file(&format!("{}.{log_name}.log", self.name))?;
        let mut command = ticketrail_launch::command(&self.env.server_bin);
        command
            .arg("--listen")
            .arg(listen)
            .arg("--db")
            .arg(self.db_path())
            .arg("--dist")
            .arg(&self.env.dist)
            .stderr(log);
        if self.options.tls {
            for name in &self.options.tls_hostnames {
                command.arg("--hostname").arg(name);
            }
            command.args(["--http-listen", "127.0.0.1:0"]);
        } else {
            command.arg("--no-tls");
        }
        match &self.options.seed_menu {
            Some(size) => {
                command.arg("--seed-menu").arg(size);
            }
            None if self.options.empty => {}
            None => {
                command.arg("--demo");
            }
        }
        let options = StartOptions {
            deadline: START_TIMEOUT,
            trust: self.options.tls,
            echo: false,
        };
        let empty = self.options.empty;
        let (process, setup_url) = tokio::task::spawn_blocking(move || -> Result<_> {
            let mut process = Process::start(command, &options)?;
            let setup_url = if empty {
                Some(process.wait_setup_url(START_TIMEOUT)?)
            } else {
                None
            };
            Ok((process, setup_url))
        })
        .await??;
        let url = process.url().trim_end_matches('/');
        let (_, port) =
            scheme_and_port(url).ok_or_else(|| anyhow!("no port in the server's URL {url}"))?;
        self.base_url = url.to_owned();
        self.port = port;
        self.trust_url = process
            .trust_url()
            .and_then(scheme_and_port)
            .map(|(_, port)| format!("http://127.0.0.1:{port}"));
        self.setup_url = setup_url;
        self.process = Some(process);
        Ok(())
    }

    /// The first-run setup address the server printed (on an empty
    /// database, see [`ServerOptions::empty`]).
    pub fn setup_url(&self) -> Option<&str> {
        self.setup_url.as_deref()
    }

    /// Absolute URL of `path` (which starts with `/`) on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The server's process id while it runs (`None` once stopped), for
    /// reading its CPU time from `/proc` in the benchmarks.
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(Process::pid)
    }

    /// Every product on the server (active or not), asked directly rather
    /// than through the browser, following pages to the end.
    pub async fn products(&self) -> Result<Vec<Product>> {
        let mut since = 0;
        let mut products = Vec::new();
        loop {
            let url = self.url(&format!("/api/products/?since_version={since}"));
            let page: Page<Product> = self.get_json(&url).await?;
            let last = page.items.last().map(|product| product.version);
            products.extend(page.items);
            match last {
                Some(last) if page.has_more => since = last,
                _ if page.has_more => bail!("has_more on an empty product page"),
                _ => return Ok(products),
            }
        }
    }

    /// The number of active products.
    pub async fn active_product_count(&self) -> Result<usize> {
        Ok(self.active_products().await?.len())
    }

    /// The products on sale, in the server's order; an error when there is
    /// none (nothing could be ordered).
    pub async fn active_products(&self) -> Result<Vec<Product>> {
        let products: Vec<Product> = self
            .products()
            .await?
            .into_iter()
            .filter(|product| product.is_active)
            .collect();
        if products.is_empty() {
            bail!("the server's menu has no active product");
        }
        Ok(products)
    }

    /// The orders of `outlet_id` the server holds (its feed from the start:
    /// everything open today), as it stored them.
    pub async fn orders(&self, outlet_id: &str) -> Result<Vec<Order>> {
        let url = self.url(&format!("/api/orders?outlet_id={outlet_id}&since_id=0"));
        self.get_json(&url).await
    }

    /// What the server has served since it (re)started: `"requests"` of
    /// `/healthz`.
    pub async fn request_counts(&self) -> Result<RequestCounts> {
        let health: Health = self.get_json(&self.url("/healthz")).await?;
        Ok(health.requests)
    }

    /// The shared HTTP client (an admin's), for the management writes in
    /// [`crate::backoffice`] and pairing screens ([`crate::pairing`]).
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub(crate) async fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T> {
        let response = self.http.get(url).send().await?.error_for_status()?;
        response
            .json()
            .await
            .with_context(|| format!("decoding the answer of GET {url}"))
    }

    /// Kills the server and waits until it is gone, so the next request to
    /// its port is refused (the app's "server unreachable" case).
    pub async fn stop(&mut self) -> Result<()> {
        if let Some(mut process) = self.process.take() {
            tokio::task::spawn_blocking(move || process.kill()).await??;
        }
        Ok(())
    }
}

/// The part of `/healthz` the tests read.
#[derive(Debug, Deserialize)]
struct Health {
    requests: RequestCounts,
}

/// `"requests"` of `/healthz`: what the server has served since it started
/// (`crates/server/src/counters.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct RequestCounts {
    /// `GET /api/products/`.
    pub products: SyncCount,
    /// `GET /api/categories/`.
    pub categories: SyncCount,
    /// `GET /api/promotions/`.
    pub promotions: SyncCount,
    /// `GET /api/orders`.
    pub feed: FeedCount,
}

impl RequestCounts {
    /// The three kinds' counts.
    pub fn kinds(&self) -> [(&'static str, SyncCount); 3] {
        [
            ("products", self.products),
            ("categories", self.categories),
            ("promotions", self.promotions),
        ]
    }
}

/// Sync pages of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct SyncCount {
    /// Asked with `since_version=0`.
    pub full: PageCount,
    /// Asked with `since_version` > 0.
    pub incremental: PageCount,
}

/// Answered pages and what they held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct PageCount {
    /// Pages answered.
    pub requests: u64,
    /// Rows in them.
    pub rows: u64,
    /// Deleted ids in them.
    pub tombstones: u64,
}

impl PageCount {
    /// What was added since `earlier` (counters only grow within one
    /// process).
    pub fn since(self, earlier: PageCount) -> PageCount {
        PageCount {
            requests: self.requests.saturating_sub(earlier.requests),
            rows: self.rows.saturating_sub(earlier.rows),
            tombstones: self.tombstones.saturating_sub(earlier.tombstones),
        }
    }
}

impl std::ops::Add for PageCount {
    type Output = PageCount;

    fn add(self, other: PageCount) -> PageCount {
        PageCount {
            requests: self.requests + other.requests,
            rows: self.rows + other.rows,
            tombstones: self.tombstones + other.tombstones,
        }
    }
}

/// Order-feed polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct FeedCount {
    /// Polls answered.
    pub polls: u64,
    /// Of those, empty ones.
    pub empty: u64,
}
