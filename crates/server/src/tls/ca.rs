//! The outlet's own certificate authority, in a folder beside the database
//! (`<db dir>/ticketrail-tls/`):
//!
//! - `ca.pem`: the CA certificate that screens install and trust;
//! - `ca-key.pem`: its private key, readable by its owner only (0600);
//! - `server.pem`: the server certificate, the CA certificate after it, and
//!   the server's private key, in one file (0600) so that a crash while it
//!   is replaced never pairs a certificate with another certificate's key.
//!
//! The CA is made once and kept for as long as the folder lives: every
//! screen that trusts it would have to be set up again. The server
//! certificate is cheap: it is issued again whenever [`names::reissue`]
//! says so. Keys are ECDSA P-256, which every browser supports. Every file
//! is written to a temporary name and renamed into place.

use std::fs;
use std::io::{self, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rcgen::string::Ia5String;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber, PKCS_ECDSA_P256_SHA256,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;

use super::names::{self, CertNames, Issued, Reissue};
use super::TlsError;

/// The folder's name, beside the database file.
pub const DIR_NAME: &str = "ticketrail-tls";
/// The CA certificate.
pub const CA_CERT: &str = "ca.pem";
/// The CA's private key.
pub const CA_KEY: &str = "ca-key.pem";
/// The server certificate, the CA certificate and the server's key.
pub const SERVER: &str = "server.pem";

const DAY: Duration = Duration::from_secs(24 * 60 * 60);
/// How long the CA is valid: long enough never to matter for an outlet.
const CA_LIFETIME: Duration = Duration::from_secs(20 * 365 * 24 * 60 * 60);
/// How long a server certificate is valid. Apple devices refuse any TLS
/// certificate valid for more than 825 days; 397 is what public CAs may
/// issue, which no browser will ever object to.
const SERVER_LIFETIME: Duration = Duration::from_secs(397 * 24 * 60 * 60);
/// Certificates start a day in the past, so a screen whose clock is a few
/// hours behind still accepts a new one.
const BACKDATE: Duration = DAY;

/// The CA certificate as screens download it, with its SHA-256
/// fingerprint, which the trust page shows so a person can compare it with
/// what the device displays before trusting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaCert {
    pem: String,
    fingerprint: String,
}

impl CaCert {
    fn new(pem: String, der: &CertificateDer<'_>) -> CaCert {
        let fingerprint = Sha256::digest(der)
            .iter()
            .map(|byte| format!("{byte:02X}"))
            .collect::<Vec<_>>()
            .join(":");
        CaCert { pem, fingerprint }
    }

    /// The certificate, PEM.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// SHA-256 of the certificate, as `AB:CD:…` (upper case, the way
    /// Android, iPadOS and Windows show it, give or take the separators).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

/// The CA certificate in `dir`, if there is one; never creates anything.
pub fn read_ca_cert(dir: &Path) -> Result<Option<CaCert>, TlsError> {
    let path = dir.join(CA_CERT);
    match fs::read_to_string(&path) {
        Ok(pem) => {
            let der = parse_cert(&path, pem.as_bytes())?;
            Ok(Some(CaCert::new(pem, &der)))
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(TlsError::Io { path, source }),
    }
}

/// The certificate and key the HTTPS listener presents.
#[derive(Debug)]
pub struct ServerCert {
    /// The server certificate, then the CA's.
    pub chain: Vec<CertificateDer<'static>>,
    /// The server's private key.
    pub key: PrivateKeyDer<'static>,
}

/// The local CA: its certificate and signing key.
pub struct LocalCa {
    dir: PathBuf,
    der: CertificateDer<'static>,
    cert: CaCert,
    key: KeyPair,
}

impl LocalCa {
    /// Opens the CA in `dir`, or makes one there (and the folder) when
    /// `dir` has no CA certificate. `label` goes into the CA's name, so
    /// people can tell the CAs of several outlets apart in a device's list.
    ///
    /// A CA certificate without its key is an error: making a new CA would
    /// silently break every screen that trusts the old one.
    pub fn open_or_create(dir: &Path, label: &str, now: SystemTime) -> Result<LocalCa, TlsError> {
        let cert_path = dir.join(CA_CERT);
        let key_path = dir.join(CA_KEY);
        let pem = match fs::read_to_string(&cert_path) {
            Ok(pem) => pem,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Self::create(dir, label, now)
            }
            Err(source) => {
                return Err(TlsError::Io {
                    path: cert_path,
                    source,
                })
            }
        };
        let der = parse_cert(&cert_path, pem.as_bytes())?;
        let key_pem = fs::read_to_string(&key_path).map_err(|source| TlsError::Io {
            path: key_path.clone(),
            source,
        })?;
        let key = KeyPair::from_pem(&key_pem).map_err(|error| TlsError::Invalid {
            path: key_path,
            reason: format!("not a private key: {error}"),
        })?;
        Ok(LocalCa {
            dir: dir.to_path_buf(),
            cert: CaCert::new(pem, &der),
            der,
            key,
        })
    }

    fn create(dir: &Path, label: &str, now: SystemTime) -> Result<LocalCa, TlsError> {
        create_dir(dir)?;
        let mut params = CertificateParams::default();
        let mut name = DistinguishedName::new();
        let tag = hex::encode(random_bytes::<3>(dir)?);
        name.push(
            DnType::CommonName,
            format!("Ticketrail local CA {label} {tag}"),
        );
        name.push(DnType::OrganizationName, "Ticketrail");
        params.distinguished_name = name;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.not_before = datetime(now - BACKDATE);
        params.not_after = datetime(now + CA_LIFETIME);
        params.serial_number = Some(serial(dir)?);
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
        let cert = params.self_signed(&key)?;
        // The key first: a crash between the two writes leaves no CA
        // certificate, so the next start makes the CA again.
        write_file(
            &dir.join(CA_KEY),
            key.serialize_pem().as_bytes(),
            Mode::Private,
        )?;
        let der = cert.der().clone();
        let cert = CaCert::new(cert.pem(), &der);
        write_file(&dir.join(CA_CERT), cert.pem.as_bytes(), Mode::Public)?;
        let fingerprint = &cert.fingerprint;
        tracing::info!(dir = %dir.display(), %fingerprint, "made a local certificate authority");
        Ok(LocalCa {
            dir: dir.to_path_buf(),
            der,
            cert,
            key,
        })
    }

    /// The CA certificate.
    pub fn cert(&self) -> &CaCert {
        &self.cert
    }

    /// The server certificate for `wanted`: the one on disk, or a new one
    /// when [`names::reissue`] says so at `now`.
    pub fn server_cert(&self, wanted: &CertNames, now: SystemTime) -> Result<ServerCert, TlsError> {
        let path = self.dir.join(SERVER);
        let current = match fs::read(&path) {
            Ok(pem) => self
                .read_server(&pem)
                .inspect_err(|reason| {
                    let path = path.display();
                    tracing::warn!(%path, reason, "cannot use the server certificate");
                })
                .ok(),
            Err(error) if error.kind() == io::ErrorKind::NotFound => None,
            Err(source) => return Err(TlsError::Io { path, source }),
        };
        let reason = names::reissue(current.as_ref().map(|(issued, _)| issued), wanted, now);
        match (reason, current) {
            (None, Some((_, cert))) => Ok(cert),
            (reason, _) => {
                let reason = reason.unwrap_or(Reissue::Missing);
                let (dns, ips) = (&wanted.dns, &wanted.ips);
                tracing::info!(%reason, ?dns, ?ips, "issuing the server certificate");
                self.issue(&path, wanted, now)
            }
        }
    }

    /// What a server certificate file holds, when it is whole, signed by
    /// this CA and has its key; otherwise why not (it is issued again then).
    fn read_server(&self, pem: &[u8]) -> Result<(Issued, ServerCert), String> {
        let chain = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| error.to_string())?;
        let key = PrivateKeyDer::from_pem_slice(pem).map_err(|error| error.to_string())?;
        let leaf = chain.first().ok_or("no certificate")?;
        let (_, leaf) = x509_parser::parse_x509_certificate(leaf).map_err(|e| e.to_string())?;
        let (_, ca) = x509_parser::parse_x509_certificate(&self.der).map_err(|e| e.to_string())?;
        leaf.verify_signature(Some(ca.public_key()))
            .map_err(|_| "not signed by this CA".to_owned())?;
        Ok((issued(&leaf)?, ServerCert { chain, key }))
    }

    fn issue(
        &self,
        path: &Path,
        wanted: &CertNames,
        now: SystemTime,
    ) -> Result<ServerCert, TlsError> {
        let mut params = CertificateParams::default();
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, "Ticketrail outlet server");
        params.distinguished_name = name;
        params.subject_alt_names = wanted
            .dns
            .iter()
            .map(|name| Ia5String::try_from(name.as_str()).map(SanType::DnsName))
            .chain(wanted.ips.iter().map(|ip| Ok(SanType::IpAddress(*ip))))
            .collect::<Result<_, _>>()?;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        params.not_before = datetime(now - BACKDATE);
        params.not_after = datetime(now + SERVER_LIFETIME);
        params.serial_number = Some(serial(&self.dir)?);
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
        let issuer = Issuer::from_ca_cert_der(&self.der, &self.key)?;
        let cert = params.signed_by(&key, &issuer)?;
        let file = format!("{}{}{}", cert.pem(), self.cert.pem, key.serialize_pem());
        write_file(path, file.as_bytes(), Mode::Private)?;
        let key =
            PrivateKeyDer::from_pem_slice(key.serialize_pem().as_bytes()).map_err(|error| {
                TlsError::Invalid {
                    path: path.to_path_buf(),
                    reason: error.to_string(),
                }
            })?;
        Ok(ServerCert {
            chain: vec![cert.der().clone(), self.der.clone()],
            key,
        })
    }
}

/// The names and expiry of a parsed certificate.
fn issued(cert: &X509Certificate<'_>) -> Result<Issued, String> {
    let mut names = CertNames::default();
    let sans = cert
        .subject_alternative_name()
        .map_err(|error| error.to_string())?
        .ok_or("no subject alternative names")?;
    for name in &sans.value.general_names {
        match name {
            GeneralName::DNSName(dns) => {
                names.dns.insert((*dns).to_owned());
            }
            GeneralName::IPAddress(bytes) => {
                let ip = match bytes.len() {
                    4 => IpAddr::from(<[u8; 4]>::try_from(*bytes).expect("4 bytes")),
                    16 => IpAddr::from(<[u8; 16]>::try_from(*bytes).expect("16 bytes")),
                    _ => return Err("an IP address that is neither v4 nor v6".into()),
                };
                names.ips.insert(ip);
            }
            other => return Err(format!("an unexpected name {other:?}")),
        }
    }
    let not_after = u64::try_from(cert.validity().not_after.timestamp())
        .map(|secs| SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
        .unwrap_or(SystemTime::UNIX_EPOCH);
    Ok(Issued { names, not_after })
}

/// The first certificate of the PEM file at `path`.
fn parse_cert(path: &Path, pem: &[u8]) -> Result<CertificateDer<'static>, TlsError> {
    CertificateDer::from_pem_slice(pem).map_err(|error| TlsError::Invalid {
        path: path.to_path_buf(),
        reason: format!("not a PEM certificate: {error}"),
    })
}

fn datetime(time: SystemTime) -> OffsetDateTime {
    let secs = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    OffsetDateTime::from_unix_timestamp(i64::try_from(secs).unwrap_or(i64::MAX))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn random_bytes<const N: usize>(dir: &Path) -> Result<[u8; N], TlsError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|error| TlsError::Io {
        path: dir.to_path_buf(),
        source: io::Error::other(format!("no randomness from the OS: {error}")),
    })?;
    Ok(bytes)
}

/// A random positive 127-bit serial number: browsers refuse two different
/// certificates with the same issuer and serial.
fn serial(dir: &Path) -> Result<SerialNumber, TlsError> {
    let mut bytes = random_bytes::<16>(dir)?;
    bytes[0] &= 0x7f;
    Ok(SerialNumber::from_slice(&bytes))
}

#[derive(Clone, Copy)]
enum Mode {
    /// Anyone may read it (a certificate).
    Public,
    /// Only the owner may (a private key).
    Private,
}

fn create_dir(dir: &Path) -> Result<(), TlsError> {
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(dir) {
        Err(error) if error.kind() != io::ErrorKind::AlreadyExists => Err(TlsError::Io {
            path: dir.to_path_buf(),
            source: error,
        }),
        _ => Ok(()),
    }
}

/// Writes `contents` to `path` through a temporary file in the same
/// folder, so `path` always holds either the old or the new contents.
fn write_file(path: &Path, contents: &[u8], mode: Mode) -> Result<(), TlsError> {
    let tmp = path.with_extension("pem.tmp");
    let io_error = |source| TlsError::Io {
        path: path.to_path_buf(),
        source,
    };
    // A leftover from a crash may have other permissions: start afresh.
    match fs::remove_file(&tmp) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(io_error(error)),
        _ => {}
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(
        &mut options,
        match mode {
            Mode::Public => 0o644,
            Mode::Private => 0o600,
        },
    );
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(&tmp).map_err(io_error)?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(io_error)?;
    fs::rename(&tmp, path).map_err(io_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dns: &[&str]) -> CertNames {
        CertNames {
            dns: dns.iter().map(|name| (*name).to_owned()).collect(),
            ips: [IpAddr::from([127, 0, 0, 1])].into(),
        }
    }

    #[test]
    fn a_server_certificate_from_another_ca_is_issued_again() {
        let now = SystemTime::now();
        let (old, new) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let old_ca = LocalCa::open_or_create(old.path(), "old", now).unwrap();
        let wanted = names(&["localhost"]);
        let old_cert = old_ca.server_cert(&wanted, now).unwrap();
        let new_ca = LocalCa::open_or_create(new.path(), "new", now).unwrap();
        fs::copy(old.path().join(SERVER), new.path().join(SERVER)).unwrap();
        let new_cert = new_ca.server_cert(&wanted, now).unwrap();
        assert_ne!(new_cert.chain[0], old_cert.chain[0]);
        assert_eq!(new_cert.chain[1], new_ca.der);
        let again = new_ca.server_cert(&wanted, now).unwrap();
        assert_eq!(again.chain, new_cert.chain, "the new one is kept");
    }

    #[test]
    fn a_ca_certificate_without_its_key_is_an_error_not_a_new_ca() {
        let dir = tempfile::tempdir().unwrap();
        LocalCa::open_or_create(dir.path(), "outlet", SystemTime::now()).unwrap();
        let before = fs::read(dir.path().join(CA_CERT)).unwrap();
        fs::remove_file(dir.path().join(CA_KEY)).unwrap();
        let error = LocalCa::open_or_create(dir.path(), "outlet", SystemTime::now())
            .err()
            .expect("no key, no CA");
        assert!(error.to_string().contains(CA_KEY), "{error}");
        assert_eq!(fs::read(dir.path().join(CA_CERT)).unwrap(), before);
    }

    #[test]
    fn a_certificate_near_its_end_is_issued_again_at_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let issued_at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let ca = LocalCa::open_or_create(dir.path(), "outlet", issued_at).unwrap();
        let wanted = names(&["localhost"]);
        let first = ca.server_cert(&wanted, issued_at).unwrap();
        let before_renewal = issued_at + SERVER_LIFETIME - names::RENEW_BEFORE - DAY;
        assert_eq!(
            ca.server_cert(&wanted, before_renewal).unwrap().chain,
            first.chain
        );
        let renewal = issued_at + SERVER_LIFETIME - names::RENEW_BEFORE + DAY;
        assert_ne!(ca.server_cert(&wanted, renewal).unwrap().chain, first.chain);
    }
}
