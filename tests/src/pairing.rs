//! Paired screens (`PROTOCOL.md` v2): every screen the tests open is paired
//! first, the way a restaurant pairs one, through the app's own `/pair?code=`
//! link with a code an admin asked the server for.
//!
//! A pairing is kept by the browser profile per origin (the credential is
//! in that origin's IndexedDB), so a test that reaches the server through a
//! proxy pairs there too. [`Browser::open_screen`] pairs once per origin and
//! role, then opens the page.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use serde_json::json;

use crate::{wait, Browser, Server};

/// How long the app may take to pair and reload as its role's page.
const PAIRING: Duration = Duration::from_secs(30);

/// The outlet screens serve unless the address says otherwise.
pub const DEFAULT_OUTLET: &str = "1";

/// The pairing page (an unpaired screen shows it wherever it is opened).
pub const PAIR_PAGE: &str = r#"[data-testid="pair-page"]"#;
/// The code field (on the page and on the unpaired notice).
pub const PAIR_CODE: &str = r#"[data-testid="pair-code"]"#;
/// Its button.
pub const PAIR_SUBMIT: &str = r#"[data-testid="pair-submit"]"#;
/// What became of the last attempt; `data-failed="true"` on a refusal.
pub const PAIR_STATUS: &str = r#"[data-testid="pair-status"]"#;
/// The pairing page's warning on an address that is not secure.
pub const INSECURE_ADDRESS: &str = r#"[data-testid="insecure-address"]"#;
/// The notice laid over a screen the server stopped accepting.
pub const UNPAIRED: &str = r#"[data-testid="unpaired"]"#;

/// A pairing code's answer.
#[derive(Debug, Deserialize)]
struct Code {
    code: String,
}

impl Server {
    /// A new single-use pairing code for a `role` screen of `outlet`.
    pub async fn pairing_code(&self, outlet: &str, role: &str) -> Result<String> {
        let url = self.url("/api/pairing-codes");
        let response = self
            .http()
            .post(&url)
            .json(&json!({"outlet_id": outlet, "role": role, "name": format!("e2e {role}")}))
            .send()
            .await?;
        let status = response.status();
        if !status.is_success() {
            bail!("POST {url} answered {status}: {}", response.text().await?);
        }
        Ok(response.json::<Code>().await?.code)
    }

    /// Revokes every device of `role`, as a manager unpairing screens in
    /// the device list; returns how many there were.
    pub async fn revoke_devices(&self, role: &str) -> Result<usize> {
        let url = self.url("/api/devices");
        let devices: Vec<Device> = self.get_json(&url).await?;
        let mut revoked = 0;
        for device in devices.iter().filter(|d| d.role == role && !d.revoked) {
            let url = self.url(&format!("/api/devices/{}", device.id));
            let response = self.http().delete(&url).send().await?;
            if !response.status().is_success() {
                bail!("DELETE {url} answered {}", response.status());
            }
            revoked += 1;
        }
        Ok(revoked)
    }
}

/// A device as the device list shows it (the part the tests read).
#[derive(Debug, Deserialize)]
struct Device {
    id: String,
    role: String,
    revoked: bool,
}

/// `scheme://host:port` of `url`.
fn origin(url: &str) -> Result<&str> {
    let after_scheme = url.find("://").context("a URL with a scheme")? + 3;
    let end = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |slash| after_scheme + slash);
    Ok(&url[..end])
}

/// The role a page at `url` needs, and the outlet (`?outlet=`, else
/// [`DEFAULT_OUTLET`]).
fn screen_of(url: &str) -> (&'static str, String) {
    let role = if url.contains("/kitchen") {
        "kitchen"
    } else {
        "kiosk"
    };
    let outlet = url
        .split_once("outlet=")
        .map(|(_, rest)| rest.split('&').next().unwrap_or_default().to_owned())
        .unwrap_or_else(|| DEFAULT_OUTLET.to_owned());
    (role, outlet)
}

impl Browser {
    /// Pairs this browser on `origin` (the server's, or a proxy's in front
    /// of it) as a `role` screen of `outlet`, through
    /// `/pair?code=...&next=/pair`, and waits until the app has stored the
    /// credential and reloaded as the bare `/pair` page, which starts
    /// nothing: the test's own page then opens from scratch.
    pub async fn pair(
        &self,
        server: &Server,
        origin: &str,
        outlet: &str,
        role: &str,
    ) -> Result<()> {
        let code = server.pairing_code(outlet, role).await?;
        self.goto(&format!("{origin}/pair?code={code}&next=/pair"))
            .await?;
        wait::until(
            &format!("the screen to pair as {role}"),
            PAIRING,
            || async {
                let search = self.execute("return location.search;").await?;
                let paired = self.path().await? == "/pair" && search.as_str() == Some("");
                Ok(paired.then_some(()))
            },
        )
        .await
        .with_context(|| format!("pairing on {origin} as {role} of outlet {outlet}"))?;
        self.remember_pairing(origin, &format!("{role}@{outlet}"));
        Ok(())
    }

    /// Opens `url` as the screen its path is (`/kitchen…`: a kitchen,
    /// anything else: a kiosk), pairing this browser on its origin first
    /// unless it already is paired there as that screen.
    pub async fn open_screen(&self, server: &Server, url: &str) -> Result<()> {
        let origin = origin(url)?;
        let (role, outlet) = screen_of(url);
        if !self.is_paired(origin, &format!("{role}@{outlet}")) {
            self.pair(server, origin, &outlet, role).await?;
        }
        self.goto(url).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_its_screen() {
        assert_eq!(
            origin("http://127.0.0.1:8080/kitchen?x=1").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            origin("https://outlet.test:8443").unwrap(),
            "https://outlet.test:8443"
        );
        assert_eq!(
            screen_of("http://h/kitchen?outlet=2"),
            ("kitchen", "2".to_owned())
        );
        assert_eq!(screen_of("http://h/kiosk"), ("kiosk", "1".to_owned()));
        assert_eq!(screen_of("http://h/"), ("kiosk", "1".to_owned()));
    }
}
