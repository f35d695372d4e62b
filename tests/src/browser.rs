//! Headless Chromium driven through its own chromedriver over WebDriver.
//!
//! Each [`Browser`] has a private chromedriver on a free port and a fresh
//! profile directory, so two of them (kiosk and kitchen) share nothing, the
//! way two devices would not.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use anyhow::{Context, Result};
use fantoccini::{error::CmdError, Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use tempfile::TempDir;
use tokio::process::{Child, Command};

use crate::lan::Lan;
use crate::{wait, Env};

/// Chromium switches for a sandboxed, air-gapped CI machine: without the
/// networking ones it keeps calling hosts this network refuses.
const CHROMIUM_ARGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,800",
];

/// Chromium's own directory in a profile.
const USER_DATA: &str = "chromium";

/// The HOME of a browser on the LAN, in its profile (see [`crate::lan`]).
const HOME: &str = "home";

/// How long chromedriver may take to come up.
const DRIVER_START: Duration = Duration::from_secs(20);

/// A browser profile directory (deleted when dropped) between two browsers,
/// with the pairings it holds and, for a browser on the LAN, the network it
/// is on.
pub struct Profile(TempDir, HashMap<String, String>, Option<Lan>);

/// One browser window; dropping it ends the session (which quits Chromium)
/// and stops chromedriver.
pub struct Browser {
    client: Option<Client>,
    session_id: Option<String>,
    driver: Child,
    driver_port: u16,
    profile: TempDir,
    /// The network a browser on the LAN is on (see [`crate::lan`]).
    lan: Option<Lan>,
    /// `origin -> role@outlet` this browser was paired as (see
    /// [`crate::pairing`]).
    paired: Mutex<HashMap<String, String>>,
}

impl Browser {
    /// Starts chromedriver and a Chromium session. chromedriver's log goes to
    /// `target/e2e-logs/<name>.chromedriver.log`.
    pub async fn open(env: &Env, name: &str) -> Result<Browser> {
        let profile = Profile(tempfile::tempdir()?, HashMap::new(), None);
        Self::open_with_profile(env, name, profile).await
    }

    /// Like [`Browser::open`], for a browser on the restaurant's network:
    /// it finds the outlet as [`crate::lan::OUTLET_HOST`] and trusts the
    /// outlet's CA ([`crate::lan`]).
    pub async fn open_on_lan(env: &Env, name: &str, lan: Lan) -> Result<Browser> {
        let profile = Profile(tempfile::tempdir()?, HashMap::new(), Some(lan));
        Self::open_with_profile(env, name, profile).await
    }

    /// Like [`Browser::open`], on a profile a closed browser left (see
    /// [`Browser::close_keeping_profile`]).
    pub async fn open_with_profile(env: &Env, name: &str, profile: Profile) -> Result<Browser> {
        let Profile(profile, paired, lan) = profile;
        let driver_port = free_port()?;
        let log = Env::log_file(&format!("{name}.chromedriver.log"))?;
        let mut driver = Command::new(&env.chromedriver);
        if let Some(lan) = &lan {
            // chromedriver passes its environment on to Chromium.
            let home = profile.path().join(HOME);
            std::fs::create_dir_all(&home)?;
            lan.install_trust(&home).await?;
            driver.env("HOME", home);
        }
        let driver = driver
            .arg(format!("--port={driver_port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", env.chromedriver.display()))?;
        // Owned from here on, so an error below still stops chromedriver.
        let mut browser = Browser {
            client: None,
            session_id: None,
            driver,
            driver_port,
            profile,
            lan,
            paired: Mutex::new(paired),
        };
        let webdriver = format!("http://127.0.0.1:{driver_port}");
        wait_until_ready(&webdriver).await?;
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities(
                env,
                &browser.profile.path().join(USER_DATA),
                browser.lan.is_some(),
            ))
            .connect(&webdriver)
            .await
            .context("opening a Chromium session")?;
        browser.session_id = client.session_id().await?;
        browser.client = Some(client);
        Ok(browser)
    }

    pub(crate) fn remember_pairing(&self, origin: &str, screen: &str) {
        self.paired
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(origin.to_owned(), screen.to_owned());
    }

    pub(crate) fn is_paired(&self, origin: &str, screen: &str) -> bool {
        self.paired
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(origin)
            .is_some_and(|paired| paired == screen)
    }

    pub(crate) fn client(&self) -> Result<&Client> {
        self.client
            .as_ref()
            .context("the browser session is already closed")
    }

    /// Navigates to `url` and waits for the document to load.
    pub async fn goto(&self, url: &str) -> Result<()> {
        Ok(self.client()?.goto(url).await?)
    }

    /// Reloads the current page and waits for it to load.
    pub async fn reload(&self) -> Result<()> {
        Ok(self.client()?.refresh().await?)
    }

    /// The path of the current page, e.g. `/kiosk`.
    pub async fn path(&self) -> Result<String> {
        Ok(self.client()?.current_url().await?.path().to_owned())
    }

    /// Text of the first element matching `css`, or `None` while there is
    /// no such element (or it was just re-rendered).
    pub async fn text(&self, css: &str) -> Result<Option<String>> {
        match self.client()?.find(Locator::Css(css)).await {
            Ok(element) => match element.text().await {
                Ok(text) => Ok(Some(text)),
                Err(err) if is_gone(&err) => Ok(None),
                Err(err) => Err(err.into()),
            },
            Err(err) if is_gone(&err) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// Waits until an element matching `css` shows non-empty text, and
    /// returns that text.
    pub async fn wait_text(&self, css: &str, timeout: Duration) -> Result<String> {
        wait::until(&format!("text in `{css}`"), timeout, || async {
            Ok(self.text(css).await?.filter(|text| !text.trim().is_empty()))
        })
        .await
    }

    /// Runs `script` as a function body and returns its result.
    pub async fn execute(&self, script: &str) -> Result<Value> {
        self.execute_with(script, Vec::new()).await
    }

    /// Runs `script` as a function body with `args` as `arguments[..]`.
    pub async fn execute_with(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        Ok(self.client()?.execute(script, args).await?)
    }

    /// Runs `script` as an async function body (WebDriver's "execute async
    /// script": the last argument is the callback) and returns what it
    /// passes to the callback.
    pub async fn execute_async(&self, script: &str) -> Result<Value> {
        self.execute_async_with(script, Vec::new()).await
    }

    /// Like [`Browser::execute_async`], with `args` before the callback.
    pub async fn execute_async_with(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        Ok(self.client()?.execute_async(script, args).await?)
    }

    /// Saves a PNG of the window as `target/e2e-screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let png = self.client()?.screenshot().await?;
        let dir = Env::screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// chromedriver's URL for this session, for the vendor commands
    /// fantoccini has no method for (see `cdp`).
    pub(crate) fn session_url(&self) -> Result<String> {
        let session_id = self
            .session_id
            .as_deref()
            .context("the browser session is already closed")?;
        Ok(format!(
            "http://127.0.0.1:{}/session/{session_id}",
            self.driver_port
        ))
    }

    /// Ends the session (Chromium quits) and stops chromedriver.
    pub async fn close(mut self) -> Result<()> {
        self.quit().await
    }

    /// Ends the session (Chromium quits, as when a kiosk is switched off)
    /// but keeps its profile, so a browser opened on it finds the service
    /// worker, IndexedDB and localStorage this one left.
    pub async fn close_keeping_profile(mut self) -> Result<Profile> {
        self.quit().await?;
        let empty = tempfile::tempdir()?;
        let paired = std::mem::take(
            self.paired
                .get_mut()
                .unwrap_or_else(PoisonError::into_inner),
        );
        Ok(Profile(
            std::mem::replace(&mut self.profile, empty),
            paired,
            self.lan.take(),
        ))
    }

    async fn quit(&mut self) -> Result<()> {
        if let Some(client) = self.client.take() {
            client.close().await?;
            self.session_id = None;
        }
        self.driver.kill().await?;
        Ok(())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // A test that failed half-way never reached `close`. Drop cannot
        // await, so end the session with a blocking request: chromedriver
        // then quits Chromium, which killing chromedriver alone would not.
        self.client = None;
        if let Some(session_id) = self.session_id.take() {
            let _ = delete_session(self.driver_port, &session_id);
        }
        let _ = self.driver.start_kill();
    }
}

fn capabilities(env: &Env, user_data: &Path, on_lan: bool) -> serde_json::Map<String, Value> {
    let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|arg| arg.to_string()).collect();
    args.push(format!("--user-data-dir={}", user_data.display()));
    if on_lan {
        args.push(Lan::resolver_rule());
    }
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": env.chromium,
            "args": args,
        },
        "timeouts": { "script": 15_000, "pageLoad": 30_000 },
    });
    match capabilities {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

/// A port nobody listens on right now. chromedriver needs a number up front;
/// the tiny window before it binds is acceptable on a test machine.
fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

async fn wait_until_ready(webdriver: &str) -> Result<()> {
    let http = reqwest::Client::new();
    let status = format!("{webdriver}/status");
    wait::until("chromedriver to listen", DRIVER_START, || async {
        let answer: Value = http.get(&status).send().await?.json().await?;
        Ok(answer["value"]["ready"]
            .as_bool()
            .and_then(|ready| ready.then_some(())))
    })
    .await
}

/// True for errors that mean "the element is not (or no longer) there".
fn is_gone(err: &CmdError) -> bool {
    err.is_no_such_element() || err.is_stale_element_reference()
}

/// `DELETE /session/{id}` over a plain blocking socket, for use in `Drop`.
fn delete_session(port: u16, session_id: &str) -> std::io::Result<()> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(15)))?;
    write!(
        stream,
        "DELETE /session/{session_id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    // chromedriver answers once Chromium has quit; the first bytes of the
    // answer are all we wait for (it may keep the socket open regardless).
    let mut reply = [0_u8; 512];
    match stream.read(&mut reply)? {
        0 => Err(std::io::ErrorKind::UnexpectedEof.into()),
        _ => Ok(()),
    }
}
