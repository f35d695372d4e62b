//! The real `ticketrail-server` process: a free port, a fresh SQLite file
//! with the demo menu, and the built PWA.

use std::process::Stdio;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde::de::DeserializeOwned;
use tempfile::TempDir;
use ticketrail_protocol::{Order, Page, Product};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::Env;

/// What the server prints on stdout once it listens; the URL follows.
const LISTENING: &str = "ticketrail-server listening on ";

/// How long a start may take (migrations and the demo seed included).
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running server; dropping it kills the process and deletes its data.
pub struct Server {
    child: Option<Child>,
    base_url: String,
    http: reqwest::Client,
    // Holds the database until the test ends.
    _data: TempDir,
}

impl Server {
    /// Starts `ticketrail-server --demo` on `127.0.0.1:0` and waits for its
    /// "listening" line. Its log goes to `target/e2e-logs/<name>.server.log`.
    pub async fn start(env: &Env, name: &str) -> Result<Server> {
        let dir = tempfile::tempdir()?;
        let log = Env::log_file(&format!("{name}.server.log"))?;
        let mut child = Command::new(&env.server_bin)
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--db")
            .arg(dir.path().join("ticketrail.db"))
            .arg("--dist")
            .arg(&env.dist)
            .arg("--demo")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", env.server_bin.display()))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow!("no stdout pipe"))?;
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(START_TIMEOUT, lines.next_line())
            .await
            .context("the server did not say it was listening in time")??
            .ok_or_else(|| anyhow!("the server exited before listening"))?;
        let base_url = line
            .strip_prefix(LISTENING)
            .ok_or_else(|| anyhow!("unexpected first line from the server: {line:?}"))?
            .trim_end_matches('/')
            .to_owned();
        Ok(Server {
            child: Some(child),
            base_url,
            http: reqwest::Client::new(),
            _data: dir,
        })
    }

    /// Absolute URL of `path` (which starts with `/`) on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
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
        let products = self.products().await?;
        Ok(products.iter().filter(|product| product.is_active).count())
    }

    /// The orders of `outlet_id` the server holds (its feed from the start:
    /// everything open today), as it stored them.
    pub async fn orders(&self, outlet_id: &str) -> Result<Vec<Order>> {
        let url = self.url(&format!("/api/orders?outlet_id={outlet_id}&since_id=0"));
        self.get_json(&url).await
    }

    async fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T> {
        let response = self.http.get(url).send().await?.error_for_status()?;
        response
            .json()
            .await
            .with_context(|| format!("decoding the answer of GET {url}"))
    }

    /// Kills the server and waits until it is gone, so the next request to
    /// its port is refused (the app's "server unreachable" case).
    pub async fn stop(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill().await?;
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            // kill_on_drop would do it as well; this just does it first.
            let _ = child.start_kill();
        }
    }
}
