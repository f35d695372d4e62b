//! The trust page: one server-rendered HTML page with no script and no
//! style of its own, so it works under the strict Content-Security-Policy
//! every answer carries, on any browser a new screen might have.
//!
//! It says what to download, which fingerprint to compare, how to trust a
//! CA on the four platforms outlets use, and where to go next. The download
//! link saves the file as `.crt`, the extension Windows and Android
//! recognise as a certificate (the content stays PEM, which both read).

use crate::tls::CaCert;

/// The file name a device saves `/ca.pem` under.
const DOWNLOAD_NAME: &str = "ticketrail-ca.crt";

const HEAD: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>Set up this screen for Ticketrail</title></head><body>\n\
<h1>Set up this screen for Ticketrail</h1>\n";

const STEPS: &str = "<h2>Android</h2>\n<ol>\
<li>Tap <em>Download the CA certificate</em> above.</li>\
<li>Open Settings and search for <em>CA certificate</em> (usually Security &amp; privacy \
&rarr; More security settings &rarr; Encryption &amp; credentials &rarr; Install a \
certificate &rarr; CA certificate). Android may ask you to set a screen lock first.</li>\
<li>Tap <em>Install anyway</em> and pick <code>ticketrail-ca.crt</code> from Downloads.</li>\
</ol>\n<h2>iPad (iPadOS)</h2>\n<ol>\
<li>Open this page in Safari, tap <em>Download the CA certificate</em> and allow the \
download (if it lands in Files &rarr; Downloads instead, tap it there).</li>\
<li>Settings &rarr; General &rarr; VPN &amp; Device Management: tap the Ticketrail local \
CA profile and install it.</li>\
<li>Settings &rarr; General &rarr; About &rarr; Certificate Trust Settings: turn on full \
trust for the Ticketrail local CA.</li>\
</ol>\n<h2>Windows</h2>\n<ol>\
<li>Download the CA certificate and open <code>ticketrail-ca.crt</code>.</li>\
<li>Choose <em>Install Certificate</em>, then <em>Current User</em>, then <em>Place all \
certificates in the following store</em> &rarr; Browse &rarr; <em>Trusted Root \
Certification Authorities</em>, and finish; confirm the security warning.</li>\
<li>Restart the browser (Chrome or Edge).</li>\
</ol>\n<h2>ChromeOS</h2>\n<ol>\
<li>Download the CA certificate.</li>\
<li>Settings &rarr; Privacy and security &rarr; Security &rarr; Manage certificates: \
under <em>Authorities</em> (in newer versions <em>Local certificates</em> &rarr; \
<em>Installed by you</em>), choose <em>Import</em> and pick \
<code>ticketrail-ca.crt</code>.</li>\
<li>Tick <em>Trust this certificate for identifying websites</em> when asked.</li>\
</ol>\n";

/// The page for a server whose HTTPS address, as this screen reaches it,
/// is `https_base` (`https://host:port`; `None` when the request did not
/// say which host it asked for), with the local CA `ca` (`None`: the
/// operator's certificate, nothing to install).
pub fn render(ca: Option<&CaCert>, https_base: Option<&str>) -> String {
    let mut html = String::from(HEAD);
    let next = match https_base {
        Some(base) => {
            let base = escape(base);
            format!(
                "<a href=\"{base}/kiosk\">{base}/kiosk</a> (or <code>/kitchen</code>, \
                 <code>/pair</code>)"
            )
        }
        None => "this server's HTTPS address".to_owned(),
    };
    match ca {
        Some(ca) => {
            html.push_str(&format!(
                "<p>This outlet's server uses HTTPS with a certificate from its own \
                 certificate authority (CA). Install that CA on this device once, as below; \
                 then open {next}.</p>\n\
                 <p><a href=\"/ca.pem\" download=\"{DOWNLOAD_NAME}\">Download the CA \
                 certificate</a></p>\n\
                 <p>Before you trust it, check that the device shows this SHA-256 \
                 fingerprint for it:<br><code>{}</code></p>\n",
                escape(ca.fingerprint())
            ));
            html.push_str(STEPS);
            html.push_str(
                "<p>Install a CA only from an outlet you run: whoever holds its key \
                 could pose as any website to this device.</p>\n",
            );
        }
        None => html.push_str(&format!(
            "<p>This outlet's server uses a certificate that browsers already trust; \
             there is nothing to install. Open {next}.</p>\n"
        )),
    }
    html.push_str("</body></html>\n");
    html
}

/// `text` safe inside HTML text and double-quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_markup() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn the_page_has_no_script_and_no_style_of_its_own() {
        let page = render(None, Some("https://outlet.test:8443"));
        for banned in ["<script", "<style", "style=", "onclick", "javascript:"] {
            assert!(!page.contains(banned), "{banned}");
        }
        assert!(page.contains("href=\"https://outlet.test:8443/kiosk\""));
        assert!(page.contains("nothing to install"));
        assert!(!page.contains("/ca.pem"));
    }

    #[test]
    fn without_a_host_the_page_still_says_where_to_go() {
        assert!(render(None, None).contains("this server's HTTPS address"));
    }
}
