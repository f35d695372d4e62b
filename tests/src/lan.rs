//! A browser on the restaurant's network: it reaches the outlet server by a
//! name that is not `localhost` (`outlet.test`, resolved to 127.0.0.1 by
//! Chromium's `--host-resolver-rules`, as a tablet's DNS would resolve the
//! outlet's name to its address), and it trusts the outlet's own CA for
//! real, the way a tablet does once its owner installed the CA.
//!
//! Chromium on Linux reads the certificates a user trusts from
//! `$HOME/.pki/nssdb`, so such a browser runs with a HOME of its own whose
//! NSS database holds the CA, made with Debian's `certutil`
//! (`libnss3-tools`). Certificate errors are never ignored: a page whose
//! certificate the CA did not sign does not load.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{bail, Context, Result};
use tokio::process::Command;

use crate::{Browser, Env, Server, ServerOptions};

/// The outlet's name on the tests' network.
pub const OUTLET_HOST: &str = "outlet.test";

/// The name the CA goes by in the browser's certificate store.
const CA_NICKNAME: &str = "Ticketrail test outlet CA";

/// Where a browser on the LAN finds the outlet, and which CA it trusts.
#[derive(Debug, Clone, Default)]
pub struct Lan {
    /// The outlet's CA certificate (PEM), trusted to identify websites;
    /// none: the browser trusts no local CA (an outlet on plain HTTP).
    ca_pem: Option<PathBuf>,
}

impl Lan {
    /// A browser that trusts the outlet CA `ca_pem`.
    pub fn trusting(ca_pem: PathBuf) -> Lan {
        Lan {
            ca_pem: Some(ca_pem),
        }
    }

    /// The Chromium switch that resolves [`OUTLET_HOST`] to 127.0.0.1
    /// (every other name keeps failing, as on an air-gapped machine).
    pub fn resolver_rule() -> String {
        format!("--host-resolver-rules=MAP {OUTLET_HOST} 127.0.0.1")
    }

    /// Makes `home/.pki/nssdb` trust the CA for websites, unless there is
    /// none or an earlier browser on the same profile did.
    pub async fn install_trust(&self, home: &Path) -> Result<()> {
        let nssdb = home.join(".pki/nssdb");
        let Some(ca_pem) = &self.ca_pem else {
            return Ok(());
        };
        if nssdb.join("cert9.db").is_file() {
            return Ok(());
        }
        std::fs::create_dir_all(&nssdb).with_context(|| format!("creating {}", nssdb.display()))?;
        let db = format!("sql:{}", nssdb.display());
        certutil(&["-N", "-d", &db, "--empty-password"]).await?;
        let ca = ca_pem.to_string_lossy();
        // "C,,": a CA trusted to issue server certificates, nothing else.
        certutil(&["-A", "-d", &db, "-n", CA_NICKNAME, "-t", "C,,", "-i", &ca]).await
    }
}

impl ServerOptions {
    /// A server on the LAN: HTTPS with its own CA, whose certificate also
    /// names [`OUTLET_HOST`].
    pub fn lan() -> ServerOptions {
        ServerOptions {
            tls: true,
            tls_hostnames: vec![OUTLET_HOST.to_owned()],
            ..ServerOptions::default()
        }
    }
}

impl Server {
    /// What a browser on the LAN needs to reach this server (started with
    /// [`ServerOptions::lan`]): its CA.
    pub fn lan(&self) -> Lan {
        Lan::trusting(self.ca_pem())
    }

    /// `https://outlet.test:PORT{path}`: the address of `path` on this
    /// server for a browser on the LAN.
    pub fn lan_url(&self, path: &str) -> String {
        format!("https://{OUTLET_HOST}:{}{path}", self.port())
    }
}

impl Browser {
    /// A browser for `server`'s screens: on the LAN when the server speaks
    /// HTTPS ([`ServerOptions::lan`]), else on this machine.
    pub async fn open_for(env: &Env, name: &str, server: &Server) -> Result<Browser> {
        if server.url("").starts_with("https://") {
            Browser::open_on_lan(env, name, server.lan()).await
        } else {
            Browser::open(env, name).await
        }
    }
}

async fn certutil(args: &[&str]) -> Result<()> {
    let output = Command::new("certutil")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .context(
            "running certutil: install Debian's libnss3-tools \
             (`cargo xtask test` installs it)",
        )?;
    if !output.status.success() {
        bail!(
            "certutil {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}
