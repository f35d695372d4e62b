//! The app shell: which cache a build uses and which files it holds. Pure
//! string work, unit-tested natively.
//!
//! The list of files comes from the built `index.html` itself (Trunk writes
//! the hashed app script, wasm and stylesheet into it), so the worker never
//! needs a separately generated manifest that could drift from the build.

/// Prefix of every cache this worker owns; caches with this prefix and a
/// different build are deleted on activation.
pub const CACHE_PREFIX: &str = "ticketrail-shell-";

/// The page every navigation falls back to when the network is down; the
/// app's router then shows the right face for the URL.
pub const INDEX_URL: &str = "/index.html";

/// File types the shell needs to start offline.
const SHELL_EXTENSIONS: [&str; 9] = [
    ".js",
    ".wasm",
    ".css",
    ".webmanifest",
    ".png",
    ".svg",
    ".ico",
    ".woff2",
    ".json",
];

/// Name of the cache holding one build's shell.
pub fn cache_name(build_version: &str) -> String {
    format!("{CACHE_PREFIX}{build_version}")
}

/// True for a cache of this worker that belongs to another build.
pub fn is_stale_cache(name: &str, current: &str) -> bool {
    name.starts_with(CACHE_PREFIX) && name != current
}

/// Same-origin asset URLs `index.html` refers to, in order of appearance,
/// without duplicates.
///
/// Any quoted root-relative path with a shell file type counts: that covers
/// `href`/`src` attributes and the wasm path inside Trunk's inline loader
/// script alike, without parsing HTML.
pub fn shell_assets(index_html: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for candidate in quoted_strings(index_html) {
        if is_shell_asset(candidate) && !found.iter().any(|seen| seen == candidate) {
            found.push(candidate.to_owned());
        }
    }
    found
}

/// The contents of every `"..."` and `'...'` in `text` that fits on one line.
fn quoted_strings(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || loop {
        let start = rest.find(['"', '\''])?;
        let quote = rest[start..].chars().next()?;
        let body = &rest[start + 1..];
        match body.find([quote, '\n']) {
            Some(end) if body[end..].starts_with(quote) => {
                rest = &body[end + 1..];
                return Some(&body[..end]);
            }
            // Unbalanced quote (an apostrophe in prose): skip past it.
            Some(_) | None => rest = body,
        }
    })
}

fn is_shell_asset(candidate: &str) -> bool {
    let is_root_relative = candidate.starts_with('/') && !candidate.starts_with("//");
    let path = candidate.split(['?', '#']).next().unwrap_or_default();
    is_root_relative
        && !candidate.contains(char::is_whitespace)
        && SHELL_EXTENSIONS.iter().any(|ext| path.ends_with(ext))
}

/// True when the file name carries a content hash (Trunk's `name-<hex>.ext`,
/// wasm-bindgen's `name-<hex>_bg.wasm`), so its bytes can never change and a
/// cached copy is always right.
pub fn is_fingerprinted(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let stem = file.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((name, hash)) => {
            !name.is_empty()
                && (8..=16).contains(&hash.len())
                && hash.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUNK_INDEX: &str = r#"<!DOCTYPE html><html lang="en"><head>
<link rel="manifest" href="/manifest.webmanifest">
<link rel="stylesheet" href="/style-9a1c0e5b22f4d6e7.css" integrity="sha384-x"/>
<link rel="modulepreload" href="/ticketrail-app-5f0e1d2c3b4a5968.js" crossorigin=anonymous>
<link rel="preload" href="/ticketrail-app-5f0e1d2c3b4a5968_bg.wasm" as="fetch" type="application/wasm">
<link rel="icon" href="/icons/icon-192.png"></head><body>
<p>Don't worry, it's fine</p>
<script type="module">
import init from '/ticketrail-app-5f0e1d2c3b4a5968.js';
const wasm = await init({ module_or_path: '/ticketrail-app-5f0e1d2c3b4a5968_bg.wasm' });
</script><a href="https://example.com/x.js">x</a><a href="/kiosk">k</a></body></html>"#;

    #[test]
    fn shell_assets_finds_every_file_trunk_links_once() {
        assert_eq!(
            shell_assets(TRUNK_INDEX),
            [
                "/manifest.webmanifest",
                "/style-9a1c0e5b22f4d6e7.css",
                "/ticketrail-app-5f0e1d2c3b4a5968.js",
                "/ticketrail-app-5f0e1d2c3b4a5968_bg.wasm",
                "/icons/icon-192.png",
            ]
        );
    }

    #[test]
    fn shell_assets_skips_pages_other_origins_and_protocol_relative_urls() {
        let html =
            r#"<a href="/kitchen"></a><img src="//cdn.example/a.png"><img src="http://x/a.png">"#;
        assert!(shell_assets(html).is_empty());
    }

    #[test]
    fn shell_assets_survives_unbalanced_quotes() {
        assert_eq!(shell_assets("it's \"/a.css"), Vec::<String>::new());
        assert_eq!(shell_assets("'\n\"/a.css\""), ["/a.css"]);
    }

    #[test]
    fn cache_names_are_per_build() {
        let current = cache_name("abc");
        assert_eq!(current, "ticketrail-shell-abc");
        assert!(is_stale_cache("ticketrail-shell-old", &current));
        assert!(!is_stale_cache(&current, &current));
        assert!(!is_stale_cache("someone-elses-cache", &current));
    }

    #[test]
    fn fingerprinted_names_are_recognised() {
        assert!(is_fingerprinted("/ticketrail-app-5f0e1d2c3b4a5968.js"));
        assert!(is_fingerprinted("/ticketrail-app-5f0e1d2c3b4a5968_bg.wasm"));
        assert!(is_fingerprinted("/style-9a1c0e5b.css"));
        assert!(!is_fingerprinted("/ticketrail-worker_bg.wasm"));
        assert!(!is_fingerprinted("/ticketrail-app.js"));
        assert!(!is_fingerprinted("/manifest.webmanifest"));
        assert!(!is_fingerprinted("/icons/icon-192.png"));
        assert!(!is_fingerprinted("/-5f0e1d2c3b4a5968.js"));
        assert!(!is_fingerprinted("/x-notahexvalue.js"));
    }
}
