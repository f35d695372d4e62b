//! The pure decisions behind the local certificate authority: which names
//! and addresses the server certificate must carry, and whether the one on
//! disk is still good enough at start. No I/O and no clock: the machine's
//! name, its addresses and *now* come in as parameters, so every rule here
//! is a unit test away.

use std::collections::BTreeSet;
use std::fmt;
use std::net::IpAddr;
use std::time::{Duration, SystemTime};

/// A certificate expiring sooner than this is re-issued at start.
pub const RENEW_BEFORE: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// The longest DNS name (RFC 1035, without the trailing dot).
const MAX_NAME: usize = 253;
/// The longest label of a DNS name.
const MAX_LABEL: usize = 63;

/// What a server certificate is for: DNS names and IP addresses, each
/// normalised (lower case, no trailing dot) and sorted, so two sets compare
/// equal exactly when a browser would accept the same hosts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertNames {
    /// DNS names, e.g. `localhost`, `outlet.local`.
    pub dns: BTreeSet<String>,
    /// IP addresses, e.g. `127.0.0.1`, `192.168.1.20`.
    pub ips: BTreeSet<IpAddr>,
}

/// A certificate that was issued earlier, as read back from disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The names it carries.
    pub names: CertNames,
    /// When it stops being valid.
    pub not_after: SystemTime,
}

/// Why the server certificate is issued (again) at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reissue {
    /// There is none yet, or the one on disk is unreadable or not from this CA.
    Missing,
    /// The machine's names or addresses, or `--hostname`, changed.
    NamesChanged,
    /// It expires within [`RENEW_BEFORE`] (or already has).
    Expiring,
}

impl fmt::Display for Reissue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reissue::Missing => "there is no usable server certificate yet",
            Reissue::NamesChanged => "the machine's names or addresses changed",
            Reissue::Expiring => "the server certificate expires within 30 days",
        })
    }
}

/// `name` as a certificate carries it (lower case, no trailing dot), or
/// `None` when it is no DNS name a browser could ask for: labels of ASCII
/// letters, digits and inner hyphens, up to 63 characters each and 253 in
/// all. Underscores are refused as well (public CAs may not issue for them,
/// and some browsers reject them).
pub fn normalize_dns_name(name: &str) -> Option<String> {
    let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
    let valid = !name.is_empty()
        && name.len() <= MAX_NAME
        && name.parse::<IpAddr>().is_err()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= MAX_LABEL
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
        });
    valid.then_some(name)
}

/// Parses one `--hostname`: a DNS name or an IP address.
pub fn parse_hostname(text: &str) -> Result<String, String> {
    if let Ok(address) = text.trim().parse::<IpAddr>() {
        return Ok(address.to_string());
    }
    normalize_dns_name(text).ok_or_else(|| {
        format!("{text:?} is neither a DNS name (like outlet.local) nor an IP address")
    })
}

/// Whether `address` is worth a place in the certificate: a browser can
/// put it in a URL. IPv6 link-local addresses need a zone id there, which
/// browsers do not accept; unspecified and multicast ones name no host.
fn addressable(address: &IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => !v4.is_unspecified() && !v4.is_multicast() && !v4.is_broadcast(),
        IpAddr::V6(v6) => {
            let link_local = (v6.segments()[0] & 0xffc0) == 0xfe80;
            !v6.is_unspecified() && !v6.is_multicast() && !link_local
        }
    }
}

/// The names the server certificate must carry: `localhost`, the machine's
/// host name (when it is a valid DNS name), every `--hostname` (names or
/// addresses, already checked by [`parse_hostname`]) and every address of
/// the machine's interfaces that a browser can use.
pub fn wanted_names(
    hostnames: &[String],
    machine_name: Option<&str>,
    addresses: &[IpAddr],
) -> CertNames {
    let mut names = CertNames::default();
    names.dns.insert("localhost".to_owned());
    for name in machine_name
        .into_iter()
        .chain(hostnames.iter().map(String::as_str))
    {
        if let Ok(address) = name.parse::<IpAddr>() {
            names.ips.insert(address);
        } else if let Some(name) = normalize_dns_name(name) {
            names.dns.insert(name);
        }
    }
    names
        .ips
        .extend(addresses.iter().copied().filter(addressable));
    names
}

/// Whether the server certificate on disk must be replaced at start, and
/// why: when there is none, when it carries other names than `wanted`, or
/// when it expires within [`RENEW_BEFORE`] of `now`.
pub fn reissue(current: Option<&Issued>, wanted: &CertNames, now: SystemTime) -> Option<Reissue> {
    let Some(current) = current else {
        return Some(Reissue::Missing);
    };
    if current.names != *wanted {
        return Some(Reissue::NamesChanged);
    }
    let renew_from = current
        .not_after
        .checked_sub(RENEW_BEFORE)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    (now >= renew_from).then_some(Reissue::Expiring)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(24 * 60 * 60);

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn names(dns: &[&str], ips: &[&str]) -> CertNames {
        CertNames {
            dns: dns.iter().map(|name| (*name).to_owned()).collect(),
            ips: ips.iter().map(|text| ip(text)).collect(),
        }
    }

    #[test]
    fn the_certificate_names_localhost_the_machine_the_flags_and_every_usable_address() {
        let wanted = wanted_names(
            &["Outlet.Test.".to_owned(), "203.0.113.7".to_owned()],
            Some("till-1"),
            &[
                ip("127.0.0.1"),
                ip("::1"),
                ip("192.168.1.20"),
                ip("fd00::2"),
                ip("fe80::fc:ff:fe00:1"),
                ip("0.0.0.0"),
            ],
        );
        assert_eq!(
            wanted,
            names(
                &["localhost", "outlet.test", "till-1"],
                &["127.0.0.1", "::1", "192.168.1.20", "fd00::2", "203.0.113.7"],
            )
        );
    }

    #[test]
    fn a_machine_name_that_is_no_dns_name_is_left_out() {
        let wanted = wanted_names(&[], Some("Till 1 (bar)"), &[]);
        assert_eq!(wanted, names(&["localhost"], &[]));
        assert_eq!(wanted_names(&[], None, &[]), names(&["localhost"], &[]));
    }

    #[test]
    fn the_same_names_in_another_order_or_case_are_the_same_set() {
        let a = wanted_names(
            &["B.test".into(), "a.test".into()],
            Some("M"),
            &[ip("10.0.0.2")],
        );
        let b = wanted_names(
            &["a.test".into(), "m".into()],
            Some("b.test"),
            &[ip("10.0.0.2")],
        );
        assert_eq!(a, b);
    }

    #[test]
    fn hostnames_are_dns_names_or_addresses() {
        assert_eq!(parse_hostname("Outlet.Local").unwrap(), "outlet.local");
        assert_eq!(parse_hostname("192.168.1.20").unwrap(), "192.168.1.20");
        assert_eq!(parse_hostname("fd00::2").unwrap(), "fd00::2");
        assert_eq!(
            parse_hostname("xn--bcher-kva.test").unwrap(),
            "xn--bcher-kva.test"
        );
        for bad in [
            "",
            ".",
            "a..b",
            "-a.test",
            "a-.test",
            "under_score.test",
            "space d.test",
            "*.wild.test",
            "https://outlet.test",
            "outlet.test:8443",
            &"a".repeat(64),
            &format!("{}.test", ["a"; 127].join(".")),
        ] {
            assert!(parse_hostname(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_missing_certificate_is_issued() {
        let now = SystemTime::UNIX_EPOCH + 10_000 * DAY;
        assert_eq!(
            reissue(None, &names(&["localhost"], &[]), now),
            Some(Reissue::Missing)
        );
    }

    #[test]
    fn a_current_certificate_with_the_same_names_is_kept() {
        let now = SystemTime::UNIX_EPOCH + 10_000 * DAY;
        let wanted = names(&["localhost", "outlet.test"], &["127.0.0.1"]);
        let current = Issued {
            names: wanted.clone(),
            not_after: now + 31 * DAY,
        };
        assert_eq!(reissue(Some(&current), &wanted, now), None);
    }

    #[test]
    fn other_names_or_addresses_are_issued_again() {
        let now = SystemTime::UNIX_EPOCH + 10_000 * DAY;
        let current = Issued {
            names: names(&["localhost"], &["127.0.0.1", "192.168.1.20"]),
            not_after: now + 300 * DAY,
        };
        for wanted in [
            names(&["localhost"], &["127.0.0.1", "192.168.1.21"]),
            names(&["localhost"], &["127.0.0.1"]),
            names(
                &["localhost", "outlet.test"],
                &["127.0.0.1", "192.168.1.20"],
            ),
        ] {
            assert_eq!(
                reissue(Some(&current), &wanted, now),
                Some(Reissue::NamesChanged),
                "{wanted:?}"
            );
        }
    }

    #[test]
    fn a_certificate_is_issued_again_from_thirty_days_before_it_expires() {
        let now = SystemTime::UNIX_EPOCH + 10_000 * DAY;
        let wanted = names(&["localhost"], &[]);
        let expiring = |not_after| Issued {
            names: wanted.clone(),
            not_after,
        };
        let just_in_time = expiring(now + RENEW_BEFORE + Duration::from_secs(1));
        assert_eq!(reissue(Some(&just_in_time), &wanted, now), None);
        for not_after in [
            now + RENEW_BEFORE,
            now + DAY,
            now - DAY,
            SystemTime::UNIX_EPOCH,
        ] {
            assert_eq!(
                reissue(Some(&expiring(not_after)), &wanted, now),
                Some(Reissue::Expiring),
                "{not_after:?}"
            );
        }
    }
}
