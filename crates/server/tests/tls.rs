//! Black-box tests of HTTPS on the LAN: the outlet's own CA and the server
//! certificate it issues, clients that do and do not trust it, re-issuing
//! only when the names change, the plain-HTTP trust listener, the
//! operator's own certificate, `--no-tls`, and a WebSocket over TLS.
//!
//! Every request goes to 127.0.0.1; names such as `outlet.test` are
//! resolved there by the client, the way a tablet's DNS would resolve the
//! outlet's name to its address.

mod util;

use std::net::{IpAddr, SocketAddr};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use reqwest::header::{CONTENT_TYPE, LOCATION, STRICT_TRANSPORT_SECURITY};
use reqwest::redirect::Policy;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio_tungstenite::tungstenite::Message;
use util::{Server, ServerOptions, INDEX_HTML};
use x509_parser::extensions::GeneralName;

/// A TLS server whose certificate also names `outlet.test`.
fn tls_options(hostnames: &[&str]) -> ServerOptions {
    let mut args = Vec::new();
    for name in hostnames {
        args.extend(["--hostname".to_owned(), (*name).to_owned()]);
    }
    ServerOptions {
        tls: true,
        demo: false,
        args,
        ..ServerOptions::default()
    }
}

fn tls_dir(server: &Server) -> PathBuf {
    server.dir().join("ticketrail-tls")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The port of a `scheme://127.0.0.1:PORT` base.
fn port(base: &str) -> u16 {
    base.rsplit_once(':').unwrap().1.parse().unwrap()
}

/// A client that trusts only `ca_pem` and finds `names` at 127.0.0.1.
fn client_trusting(ca_pem: &[u8], names: &[&str], port: u16) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem).unwrap());
    for name in names {
        builder = builder.resolve(name, SocketAddr::from(([127, 0, 0, 1], port)));
    }
    builder
        .timeout(Duration::from_secs(30))
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The DNS names and addresses of the server certificate in `server.pem`.
fn sans(server_pem: &[u8]) -> (Vec<String>, Vec<IpAddr>) {
    let der = CertificateDer::from_pem_slice(server_pem).unwrap();
    let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
    let mut dns = Vec::new();
    let mut ips = Vec::new();
    for name in &cert
        .subject_alternative_name()
        .unwrap()
        .unwrap()
        .value
        .general_names
    {
        match name {
            GeneralName::DNSName(name) => dns.push((*name).to_owned()),
            GeneralName::IPAddress(bytes) if bytes.len() == 4 => {
                ips.push(IpAddr::from(<[u8; 4]>::try_from(*bytes).unwrap()))
            }
            GeneralName::IPAddress(bytes) => {
                ips.push(IpAddr::from(<[u8; 16]>::try_from(*bytes).unwrap()))
            }
            other => panic!("unexpected name {other:?}"),
        }
    }
    (dns, ips)
}

#[tokio::test]
async fn the_first_start_makes_a_ca_and_a_certificate_for_every_name_it_is_reached_by() {
    let server = Server::start_with(tls_options(&["outlet.test"])).await;
    assert!(server.base().starts_with("https://"), "{}", server.base());
    let dir = tls_dir(&server);
    assert_eq!(
        mode(&dir.join("ca-key.pem")),
        0o600,
        "the CA key is its owner's only"
    );
    assert_eq!(mode(&dir.join("server.pem")), 0o600, "so is the server key");
    let ca_pem = read(&dir.join("ca.pem"));
    let ca_der = CertificateDer::from_pem_slice(&ca_pem).unwrap();
    let (_, ca) = x509_parser::parse_x509_certificate(&ca_der).unwrap();
    assert!(ca.is_ca(), "ca.pem is a CA");
    assert_eq!(
        ca.public_key().algorithm.algorithm,
        x509_parser::oid_registry::OID_KEY_TYPE_EC_PUBLIC_KEY
    );
    let (dns, ips) = sans(&read(&dir.join("server.pem")));
    for name in ["localhost", "outlet.test"] {
        assert!(dns.iter().any(|dns| dns == name), "{name} in {dns:?}");
    }
    assert!(
        ips.contains(&IpAddr::from([127, 0, 0, 1])),
        "127.0.0.1 in {ips:?}"
    );

    let port = port(server.base());
    let trusting = client_trusting(&ca_pem, &["outlet.test"], port);
    let health = trusting
        .get(format!("https://outlet.test:{port}/healthz"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e:?}\n--- log ---\n{}", server.log()));
    assert_eq!(health.status(), 200);
    assert_eq!(
        health.headers()[STRICT_TRANSPORT_SECURITY],
        "max-age=31536000",
        "HTTPS answers carry HSTS"
    );
    let by_address = trusting
        .get(format!("{}/healthz", server.base()))
        .send()
        .await;
    assert_eq!(
        by_address.unwrap().status(),
        200,
        "https://127.0.0.1 is in the certificate too"
    );
    let ca_file = trusting
        .get(format!("https://outlet.test:{port}/ca.pem"))
        .send()
        .await
        .unwrap();
    assert_eq!(ca_file.headers()[CONTENT_TYPE], "application/x-pem-file");
    assert_eq!(
        ca_file.bytes().await.unwrap(),
        ca_pem,
        "/ca.pem on the app listener"
    );

    let distrusting = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .resolve("outlet.test", SocketAddr::from(([127, 0, 0, 1], port)))
        .build()
        .unwrap();
    let refused = distrusting
        .get(format!("https://outlet.test:{port}/healthz"))
        .send()
        .await
        .expect_err("a client that does not trust the CA must not connect");
    assert!(
        format!("{refused:?}").contains("UnknownIssuer"),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_restart_keeps_the_certificate_until_the_names_change() {
    let mut server = Server::start_with(tls_options(&["outlet.test"])).await;
    let dir = tls_dir(&server);
    let ca = read(&dir.join("ca.pem"));
    let ca_key = read(&dir.join("ca-key.pem"));
    let first = read(&dir.join("server.pem"));
    server.kill().await;

    server.restart().await;
    assert_eq!(
        read(&dir.join("server.pem")),
        first,
        "same names: same certificate"
    );
    server.kill().await;

    server
        .restart_with(tls_options(&["outlet.test", "till.test"]))
        .await;
    let second = read(&dir.join("server.pem"));
    assert_ne!(second, first, "a new name: a new certificate");
    assert!(sans(&second).0.contains(&"till.test".to_owned()));
    assert_eq!(read(&dir.join("ca.pem")), ca, "the CA is never made again");
    assert_eq!(read(&dir.join("ca-key.pem")), ca_key);
    let port = port(server.base());
    let answer = client_trusting(&ca, &["till.test"], port)
        .get(format!("https://till.test:{port}/healthz"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e:?}\n--- log ---\n{}", server.log()));
    assert_eq!(
        answer.status(),
        200,
        "the new certificate chains to the old CA"
    );
}

#[tokio::test]
async fn the_plain_listener_serves_the_ca_and_the_trust_page_and_redirects_the_rest() {
    let mut options = tls_options(&[]);
    options.demo = true;
    options
        .args
        .extend(["--http-listen".to_owned(), "127.0.0.1:0".to_owned()]);
    let server = Server::start_with(options).await;
    let https_port = port(server.base());
    let trust = server.trust_base().expect("a trust listener").to_owned();
    let plain_port = port(&trust);
    let ca_pem = read(&tls_dir(&server).join("ca.pem"));
    // A tablet asks for the outlet by name (or LAN address), never for
    // 127.0.0.1: it gets the trust page, not the app.
    let tablet = client_trusting(&ca_pem, &["outlet.test"], plain_port);
    let plain = |path: &str| format!("http://outlet.test:{plain_port}{path}");

    let ca = tablet.get(plain("/ca.pem")).send().await.unwrap();
    assert_eq!(ca.status(), 200);
    assert_eq!(ca.headers()[CONTENT_TYPE], "application/x-pem-file");
    assert!(
        !ca.headers().contains_key(STRICT_TRANSPORT_SECURITY),
        "no HSTS over HTTP"
    );
    assert_eq!(ca.bytes().await.unwrap(), ca_pem);

    let der = CertificateDer::from_pem_slice(&ca_pem).unwrap();
    let fingerprint: Vec<String> = Sha256::digest(&der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    for path in ["/trust", "/"] {
        let page = tablet.get(plain(path)).send().await.unwrap();
        assert_eq!(page.status(), 200, "{path}");
        assert!(page.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let html = page.text().await.unwrap();
        assert!(
            html.contains(&fingerprint.join(":")),
            "{path} shows the fingerprint: {html}"
        );
        assert!(
            html.contains(&format!("https://outlet.test:{https_port}/kiosk")),
            "{path} says where to go next: {html}"
        );
        for platform in ["Android", "iPadOS", "Windows", "ChromeOS"] {
            assert!(html.contains(platform), "{path}: {platform}");
        }
        assert!(
            !html.contains("<script") && !html.contains("<style"),
            "{html}"
        );
    }
    let health = tablet.get(plain("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);

    for (method, path) in [
        (reqwest::Method::GET, "/kiosk?lang=en"),
        (reqwest::Method::GET, "/api/products/"),
        (reqwest::Method::POST, "/api/orders"),
    ] {
        let answer = tablet
            .request(method.clone(), plain(path))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 308, "{method} {path}");
        assert_eq!(
            answer.headers()[LOCATION],
            format!("https://outlet.test:{https_port}{path}").as_str(),
            "{method} {path}"
        );
    }

    // A browser on the outlet machine itself, at http://127.0.0.1, is in a
    // secure context already: it gets the app.
    let local = util::server::client(None);
    let app = local.get(format!("{trust}/kiosk")).send().await.unwrap();
    assert_eq!(app.status(), 200);
    assert_eq!(app.text().await.unwrap(), INDEX_HTML);
    let asset = local
        .get(format!("{trust}/assets/app.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(asset.status(), 200, "and its files");
}

#[tokio::test]
async fn the_operators_certificate_and_key_are_used_when_given() {
    let files = tempfile::tempdir().unwrap();
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["operator.test".to_owned()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    let cert_path = files.path().join("cert.pem");
    let key_path = files.path().join("key.pem");
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();

    let mut options = tls_options(&[]);
    options.args = [
        "--tls-cert",
        cert_path.to_str().unwrap(),
        "--tls-key",
        key_path.to_str().unwrap(),
    ]
    .map(str::to_owned)
    .to_vec();
    let server = Server::start_with(options).await;
    let port = port(server.base());
    let client = client_trusting(ca.pem().as_bytes(), &["operator.test"], port);
    let answer = client
        .get(format!("https://operator.test:{port}/healthz"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e:?}\n--- log ---\n{}", server.log()));
    assert_eq!(answer.status(), 200);
    assert!(!tls_dir(&server).exists(), "no local CA is made");
    let no_ca = client
        .get(format!("https://operator.test:{port}/ca.pem"))
        .send()
        .await
        .unwrap();
    assert_eq!(no_ca.status(), 404, "and none is served");
}

/// The warning `--no-tls` logs where other machines can reach the server.
const NO_TLS_WARNING: &str = "--no-tls: serving plain HTTP where other machines can reach it";

#[tokio::test]
async fn no_tls_warns_off_loopback_and_still_serves_an_existing_ca() {
    let mut server = Server::start_with(ServerOptions {
        listen: "0.0.0.0:0".to_owned(),
        demo: false,
        ..ServerOptions::default()
    })
    .await;
    assert!(server.base().starts_with("http://"), "{}", server.base());
    assert!(server.log().contains(NO_TLS_WARNING), "{}", server.log());
    let no_ca = server.http.get(server.url("/ca.pem")).send().await.unwrap();
    assert_eq!(no_ca.status(), 404, "no CA was ever made");
    server.kill().await;

    server.restart_with(tls_options(&[])).await;
    let ca_pem = read(&tls_dir(&server).join("ca.pem"));
    server.kill().await;
    std::fs::write(server.dir().join("server.log"), "").unwrap();
    server
        .restart_with(ServerOptions {
            demo: false,
            ..ServerOptions::default()
        })
        .await;
    assert!(
        !server.log().contains(NO_TLS_WARNING),
        "loopback: {}",
        server.log()
    );
    let ca = server.http.get(server.url("/ca.pem")).send().await.unwrap();
    assert_eq!(ca.status(), 200);
    assert_eq!(ca.bytes().await.unwrap(), ca_pem);
}

#[tokio::test]
async fn an_outlet_socket_works_over_tls() {
    let server = Server::start_with(ServerOptions {
        tls: true,
        ..ServerOptions::default()
    })
    .await;
    let ca_pem = read(&tls_dir(&server).join("ca.pem"));
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(&ca_pem).unwrap())
        .unwrap();
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .unwrap();
    let url = server.ws_url("/ws/outlet/1/");
    assert!(url.starts_with("wss://"), "{url}");
    let (mut socket, _) = tokio_tungstenite::client_async(url, tls).await.unwrap();
    let auth = serde_json::json!({"type": "auth", "token": server.admin_token()});
    socket.send(Message::text(auth.to_string())).await.unwrap();
    let first = tokio::time::timeout(util::STEP, socket.next())
        .await
        .expect("a message in time")
        .expect("the socket is open")
        .unwrap();
    let first: Value = serde_json::from_str(first.to_text().unwrap()).unwrap();
    assert_eq!(first["type"], "connected", "{first}");
}
