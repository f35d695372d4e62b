//! HTTPS for the outlet. Browsers run service workers (the kiosk's offline
//! shell and its outbox) only in a secure context, and a tablet opening
//! `http://192.168.1.20:8080/kiosk` is not one: the server speaks TLS by
//! default.
//!
//! [`prepare`] decides at start what the HTTPS listener presents:
//!
//! - the operator's certificate and key (`--tls-cert`, `--tls-key`);
//! - otherwise a certificate from the outlet's own [`LocalCa`], made on the
//!   first start beside the database and trusted once per screen (the trust
//!   page of [`crate::trust`] walks people through it). The certificate
//!   names `localhost`, the machine's host name, every `--hostname` and
//!   every address of the machine, and is issued again at start when those
//!   change or it nears its end ([`names`] holds those decisions);
//! - nothing with `--no-tls`, for a deployment behind a TLS-terminating
//!   proxy. An existing CA is still read, so `/ca.pem` stays available.
//!
//! [`TlsListener`] then runs the handshakes for `axum::serve`. The crypto is
//! rustls with the `ring` provider, named explicitly so that no other crate
//! enabling another provider can make the choice ambiguous.

mod ca;
mod listener;
pub mod names;

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use thiserror::Error;

pub use ca::CaCert;
pub use listener::TlsListener;

use ca::{LocalCa, DIR_NAME};

use crate::Config;

/// Why TLS could not be set up.
#[derive(Debug, Error)]
pub enum TlsError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// A file does not hold what it should.
    #[error("{path}: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A certificate could not be made.
    #[error("cannot make a certificate: {0}")]
    Issue(#[from] rcgen::Error),
    /// rustls refused the certificate and key (say, they do not match).
    #[error("the certificate and key cannot be used: {0}")]
    Unusable(#[from] rustls::Error),
}

/// What [`prepare`] found or made.
#[derive(Debug, Clone)]
pub struct Tls {
    /// The HTTPS listener's configuration; `None` with `--no-tls`.
    pub server: Option<Arc<ServerConfig>>,
    /// The local CA's certificate, served as `/ca.pem` and shown on the
    /// trust page; `None` with the operator's certificate, or under
    /// `--no-tls` when no CA was ever made.
    pub ca: Option<CaCert>,
}

/// The local CA's folder for the database file `db`: beside it, so a
/// backup of that folder keeps the CA the screens trust.
pub fn local_dir(db: &Path) -> PathBuf {
    db.parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join(DIR_NAME)
}

/// Sets up TLS for `config` at `now` (see the module docs). With
/// `--no-tls` on an address other machines can reach, logs a warning.
pub fn prepare(config: &Config, now: SystemTime) -> Result<Tls, TlsError> {
    let dir = local_dir(&config.db);
    if config.no_tls {
        if !config.listen.ip().is_loopback() {
            tracing::warn!(
                listen = %config.listen,
                "--no-tls: serving plain HTTP where other machines can reach it; browsers \
                 there run no service worker and anyone on the network can read the traffic, \
                 unless a TLS-terminating proxy is in front"
            );
        }
        return Ok(Tls {
            server: None,
            ca: ca::read_ca_cert(&dir)?,
        });
    }
    if let (Some(cert), Some(key)) = (&config.tls_cert, &config.tls_key) {
        let chain = CertificateDer::pem_file_iter(cert)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|error| invalid(cert, error))?;
        if chain.is_empty() {
            return Err(invalid(cert, "no certificate in the file"));
        }
        let key_der = PrivateKeyDer::from_pem_file(key).map_err(|error| invalid(key, error))?;
        return Ok(Tls {
            server: Some(server_config(chain, key_der)?),
            ca: None,
        });
    }
    let machine = machine_name();
    let local = LocalCa::open_or_create(&dir, machine.as_deref().unwrap_or("outlet"), now)?;
    let wanted = names::wanted_names(&config.hostnames, machine.as_deref(), &machine_addresses());
    let cert = local.server_cert(&wanted, now)?;
    Ok(Tls {
        server: Some(server_config(cert.chain, cert.key)?),
        ca: Some(local.cert().clone()),
    })
}

fn invalid(path: &Path, reason: impl std::fmt::Display) -> TlsError {
    TlsError::Invalid {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// The HTTPS listener's rustls configuration: TLS 1.2 and 1.3, HTTP/1.1
/// (the app's socket is an HTTP/1.1 upgrade, and axum serves no HTTP/2
/// here).
fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, rustls::Error> {
    // rustls deprecates `ring` for lacking post-quantum key exchange; its
    // other provider, aws-lc-rs, is a large C build (minutes on CI's two
    // cores) to protect LAN order traffic against decryption decades from
    // now. Browsers fall back to X25519. Switching is this one line and the
    // `ring` features in the workspace manifest.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The machine's host name, if it has one that is text.
fn machine_name() -> Option<String> {
    gethostname::gethostname()
        .into_string()
        .ok()
        .filter(|name| !name.is_empty())
}

/// Every address of the machine's interfaces; none (logged) when they
/// cannot be listed, which leaves the certificate to its names.
fn machine_addresses() -> Vec<IpAddr> {
    match if_addrs::get_if_addrs() {
        Ok(interfaces) => interfaces.iter().map(if_addrs::Interface::ip).collect(),
        Err(error) => {
            tracing::warn!(%error, "cannot list the machine's addresses for the certificate");
            Vec::new()
        }
    }
}
