//! How long browsers may keep the app's files, and how they revalidate.
//!
//! Trunk puts a hash of the content into the names of the app's script,
//! wasm and stylesheets, so such a file never changes: browsers keep it for
//! a year without asking. Every other file (the shell: `index.html`,
//! `sw.js`, the manifest, `boot.js`; the worker's glue, icons) is
//! `no-cache`: stored, but revalidated on every use, which the ETag makes a
//! bodiless 304. A stale shell would pin a device to an old build, and the
//! service worker already serves all of it offline, so a max-age would save
//! nothing worth that risk.
//!
//! The ETag is weak (one tag for the plain and the compressed bytes) and
//! comes from the file's size and modification time, taken before the file
//! is read: a file replaced meanwhile is sent with its old tag and so is
//! fetched again next time, never the reverse.

use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use axum::http::HeaderValue;

/// For files whose name carries their content hash.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// For everything else: keep, but ask first.
pub const NO_CACHE: &str = "no-cache";

/// The `Cache-Control` value for the file at URL path `path`.
pub fn cache_control(path: &str) -> HeaderValue {
    HeaderValue::from_static(if is_hashed(path) { IMMUTABLE } else { NO_CACHE })
}

/// True when the file name carries Trunk's content hash:
/// `<name>-<hash>.<ext>` or wasm-bindgen's `<name>-<hash>_bg.wasm`, where
/// `<hash>` is 8 to 16 lowercase hex digits.
///
/// Trunk prints a 64-bit hash with `{:x}`, without leading zeros, so one
/// build in 16 has a 15-digit hash; the floor of 8 keeps names such as
/// `icon-192.png` out (a real hash that short comes once in 2^32 builds,
/// and that file is then merely revalidated).
pub fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let Some((stem, _extension)) = file.split_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((name, hash)) => {
            !name.is_empty()
                && (8..=16).contains(&hash.len())
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        }
        None => false,
    }
}

/// The file below `root` that URL path `path` names (`index.html` for a
/// directory path), when every segment is plain: ASCII letters, digits,
/// `.`, `_` and `-`, not starting with a dot. Every file Trunk writes is
/// named so; any other path (percent-escapes, `..`) gets no ETag and is
/// left to `ServeDir`'s own checks.
pub fn file_below(root: &Path, path: &str) -> Option<PathBuf> {
    let mut file = root.to_path_buf();
    let segments: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.into_iter().enumerate() {
        if segment.is_empty() && i == last {
            file.push("index.html");
        } else if is_plain(segment) {
            file.push(segment);
        } else {
            return None;
        }
    }
    Some(file)
}

fn is_plain(segment: &str) -> bool {
    !segment.is_empty()
        && !segment.starts_with('.')
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// A weak ETag from a file's size and modification time (to the
/// nanosecond where the file system keeps it).
pub fn etag(metadata: &Metadata) -> Option<HeaderValue> {
    let modified = metadata.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    let tag = format!("W/\"{:x}-{:x}\"", metadata.len(), modified.as_nanos());
    HeaderValue::from_str(&tag).ok()
}

/// Whether an `If-None-Match` header value names `etag` (`*`, or one of
/// its comma-separated tags under the weak comparison of RFC 9110).
pub fn none_match(if_none_match: &HeaderValue, etag: &HeaderValue) -> bool {
    let Ok(list) = if_none_match.to_str() else {
        return false;
    };
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let wanted = etag.to_str().map(opaque).unwrap_or_default();
    list.trim() == "*" || list.split(',').any(|tag| opaque(tag) == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_names_are_hashed() {
        for path in [
            "/ticketrail-app-5f0e1d2c3b4a5968.js",
            "/ticketrail-app-5f0e1d2c3b4a5968_bg.wasm",
            "/style-9a1c0e5b22f4d6e7.css",
            "/kiosk-cart-f0e1d2c3b4a5968.css",
            "/snippets/x/y-0123abcd.js",
        ] {
            assert!(is_hashed(path), "{path}");
            assert_eq!(cache_control(path), IMMUTABLE);
        }
    }

    #[test]
    fn other_names_are_not() {
        for path in [
            "/",
            "/index.html",
            "/sw.js",
            "/boot.js",
            "/manifest.webmanifest",
            "/icons/icon-192.png",
            "/icons/icon-512.png",
            "/ticketrail-worker.js",
            "/ticketrail-worker_bg.wasm",
            "/ticketrail-app.js",
            "/-5f0e1d2c3b4a5968.js",
            "/x-notahexvalue.js",
            "/x-5F0E1D2C3B4A5968.js",
            "/x-5f0e1d2c3b4a59681.js",
            "/x-5f0e1d2.js",
            "/x-5f0e1d2c3b4a5968",
        ] {
            assert!(!is_hashed(path), "{path}");
            assert_eq!(cache_control(path), NO_CACHE);
        }
    }

    #[test]
    fn plain_paths_map_below_the_root() {
        let root = Path::new("/dist");
        assert_eq!(file_below(root, "/"), Some(root.join("index.html")));
        assert_eq!(file_below(root, "/sw.js"), Some(root.join("sw.js")));
        assert_eq!(
            file_below(root, "/icons/icon-192.png"),
            Some(root.join("icons/icon-192.png"))
        );
        assert_eq!(
            file_below(root, "/icons/"),
            Some(root.join("icons/index.html"))
        );
        for path in [
            "",
            "/../etc/passwd",
            "/a/../b",
            "/.env",
            "//x",
            "/a%20b",
            "/a b",
        ] {
            assert_eq!(file_below(root, path), None, "{path:?}");
        }
    }

    #[test]
    fn if_none_match_uses_weak_comparison() {
        let etag = HeaderValue::from_static("W/\"10-abc\"");
        let header = |value: &'static str| HeaderValue::from_static(value);
        assert!(none_match(&header("W/\"10-abc\""), &etag));
        assert!(none_match(&header("\"10-abc\""), &etag));
        assert!(none_match(&header("\"x\", W/\"10-abc\""), &etag));
        assert!(none_match(&header("*"), &etag));
        assert!(!none_match(&header("W/\"10-abd\""), &etag));
        assert!(!none_match(&header(""), &etag));
    }
}
