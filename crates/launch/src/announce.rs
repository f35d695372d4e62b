//! The lines the server announces itself with on STDOUT (see its `main`):
//! `listening on URL` always first, `trust page on URL` next when it has a
//! `--http-listen` listener, and `setup at URL` while nobody can sign in.
//! Anything else on STDOUT is not an announcement.

/// How every announcement starts.
const PREFIX: &str = "ticketrail-server ";

/// A STDOUT line of the server that says where it can be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Announcement<'a> {
    /// `ticketrail-server listening on URL`: the app's base URL
    /// (`https://` unless `--no-tls`).
    Listening(&'a str),
    /// `ticketrail-server trust page on URL`: the plain-HTTP trust page
    /// (`http://ADDR/trust`) of the `--http-listen` listener.
    Trust(&'a str),
    /// `ticketrail-server setup at URL`: the one-time first-run setup
    /// address (`…/setup?code=…`).
    Setup(&'a str),
}

impl<'a> Announcement<'a> {
    /// The announcement `line` makes (a trailing newline is fine), if it is
    /// one and its URL is http(s) with a port.
    pub fn parse(line: &'a str) -> Option<Self> {
        let rest = line.trim_end().strip_prefix(PREFIX)?;
        let announcement = if let Some(url) = rest.strip_prefix("listening on ") {
            Self::Listening(url)
        } else if let Some(url) = rest.strip_prefix("trust page on ") {
            Self::Trust(url)
        } else {
            Self::Setup(rest.strip_prefix("setup at ")?)
        };
        scheme_and_port(announcement.url()).map(|_| announcement)
    }

    /// The URL it announces.
    pub fn url(self) -> &'a str {
        match self {
            Self::Listening(url) | Self::Trust(url) | Self::Setup(url) => url,
        }
    }
}

/// `("https", 8443)` of `https://0.0.0.0:8443[/path]`; `None` unless the
/// scheme is http or https and the authority ends in a port.
pub fn scheme_and_port(url: &str) -> Option<(&str, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?']).next()?;
    let port = authority.rsplit_once(':')?.1.parse().ok()?;
    ["http", "https"]
        .contains(&scheme)
        .then_some((scheme, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_three_announcements() {
        assert_eq!(
            Announcement::parse("ticketrail-server listening on http://127.0.0.1:39123\n"),
            Some(Announcement::Listening("http://127.0.0.1:39123"))
        );
        assert_eq!(
            Announcement::parse("ticketrail-server listening on https://0.0.0.0:8443"),
            Some(Announcement::Listening("https://0.0.0.0:8443"))
        );
        assert_eq!(
            Announcement::parse("ticketrail-server trust page on http://127.0.0.1:8080/trust"),
            Some(Announcement::Trust("http://127.0.0.1:8080/trust"))
        );
        assert_eq!(
            Announcement::parse(
                "ticketrail-server setup at https://localhost:8443/setup?code=ab12"
            ),
            Some(Announcement::Setup(
                "https://localhost:8443/setup?code=ab12"
            ))
        );
    }

    #[test]
    fn other_lines_announce_nothing() {
        for line in [
            "listening on http://127.0.0.1:1",
            "ticketrail-server listening on ftp://x:1",
            "ticketrail-server listening on http://127.0.0.1",
            "ticketrail-server serving on http://127.0.0.1:1",
            "ticketrail-server listening on ",
            "",
        ] {
            assert_eq!(Announcement::parse(line), None, "{line:?}");
        }
    }

    #[test]
    fn finds_scheme_and_port() {
        assert_eq!(
            scheme_and_port("https://0.0.0.0:8443"),
            Some(("https", 8443))
        );
        assert_eq!(scheme_and_port("http://[::1]:80/kiosk"), Some(("http", 80)));
        assert_eq!(
            scheme_and_port("http://localhost:8080?code=1"),
            Some(("http", 8080))
        );
        assert_eq!(scheme_and_port("http://127.0.0.1"), None);
        assert_eq!(scheme_and_port("http://127.0.0.1:x/"), None);
        assert_eq!(scheme_and_port("ws://127.0.0.1:1"), None);
        assert_eq!(scheme_and_port("127.0.0.1:1"), None);
    }
}
