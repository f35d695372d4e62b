//! The harness's HTTPS server, before any browser test relies on it: the
//! server starts with the outlet's own CA, the harness's admin client
//! trusts that CA and reaches the server at the `https://127.0.0.1` address
//! it announced, the plain-HTTP trust listener answers, and a restart comes
//! back on the same port.

use anyhow::{ensure, Context, Result};
use ticketrail_e2e::{Env, Server, ServerOptions};

#[tokio::test(flavor = "multi_thread")]
async fn a_tls_server_answers_its_admin_client_over_https_across_a_restart() -> Result<()> {
    let env = Env::from_env()?;
    let options = ServerOptions {
        tls: true,
        tls_hostnames: vec!["outlet.test".to_owned()],
        ..ServerOptions::default()
    };
    // Starting already sets the staff PINs with the admin client, over HTTPS.
    let mut server = Server::start_with(&env, "tls-harness", options).await?;
    let base = format!("https://127.0.0.1:{}", server.port());
    ensure!(server.url("") == base, "{} is not {base}", server.url(""));
    ensure!(
        server.ca_pem().is_file(),
        "no CA at {}",
        server.ca_pem().display()
    );
    server
        .request_counts()
        .await
        .context("GET /healthz over HTTPS with the admin client")?;
    check_trust_listener(&server).await?;

    server.stop().await?;
    server.restart().await?;
    ensure!(server.url("") == base, "restarted on {}", server.url(""));
    server
        .request_counts()
        .await
        .context("GET /healthz over HTTPS after the restart")?;
    check_trust_listener(&server).await
}

/// The trust listener serves `/healthz` in plain HTTP.
async fn check_trust_listener(server: &Server) -> Result<()> {
    let trust = server.trust_url().context("no trust listener")?;
    ensure!(trust.starts_with("http://127.0.0.1:"), "{trust}");
    let status = reqwest::get(format!("{trust}/healthz")).await?.status();
    ensure!(status.is_success(), "{trust}/healthz answered {status}");
    Ok(())
}
