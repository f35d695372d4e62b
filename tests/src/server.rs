//! The real `ticketrail-server` process: a free port, a fresh SQLite file
//! with the demo menu, and the built PWA.

use std::process::Stdio;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use tempfile::TempDir;
use ticketrail_protocol::{Page, Product};
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

    /// The number of active products, asked of the server directly (not
    /// through the browser), following pages to the end.
    pub async fn active_product_count(&self) -> Result<usize> {
        let mut since = 0;
        let mut count = 0;
        loop {
            let url = self.url(&format!("/api/products/?since_version={since}"));
            let page: Page<Product> = self
                .http
                .get(&url)
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            count += page
                .items
                .iter()
                .filter(|product| product.is_active)
                .count();
            match page.items.last() {
                Some(last) if page.has_more => since = last.version,
                _ if page.has_more => bail!("has_more on an empty product page"),
                _ => return Ok(count),
            }
        }
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
