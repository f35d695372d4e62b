//! Reads package versions out of `Cargo.lock`, so companion tools (the
//! wasm-bindgen CLI) are installed at exactly the version the build links.

use std::path::Path;

use anyhow::{bail, Context, Result};

/// Every version of package `name` listed in the lock file's `[[package]]`
/// tables, in file order.
pub fn package_versions(lock: &str, name: &str) -> Vec<String> {
    let mut versions = Vec::new();
    let mut current_name: Option<&str> = None;
    let mut current_version: Option<&str> = None;
    let mut flush = |n: Option<&str>, v: Option<&str>| {
        if let (Some(n), Some(v)) = (n, v) {
            if n == name {
                versions.push(v.to_owned());
            }
        }
    };
    for line in lock.lines().map(str::trim) {
        if line.starts_with('[') {
            flush(current_name.take(), current_version.take());
        } else if let Some(value) = string_value(line, "name") {
            current_name = Some(value);
        } else if let Some(value) = string_value(line, "version") {
            current_version = Some(value);
        }
    }
    flush(current_name, current_version);
    versions
}

/// The value of a `key = "value"` line, if the line is that key.
fn string_value<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(key)?.trim_start().strip_prefix('=')?;
    rest.trim().strip_prefix('"')?.strip_suffix('"')
}

/// The single `wasm-bindgen` version in `<root>/Cargo.lock`.
pub fn wasm_bindgen_version(root: &Path) -> Result<String> {
    let path = root.join("Cargo.lock");
    let lock =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut versions = package_versions(&lock, "wasm-bindgen");
    match versions.len() {
        1 => Ok(versions.remove(0)),
        0 => bail!(
            "{} lists no wasm-bindgen package; the wasm crates must depend on it",
            path.display()
        ),
        _ => bail!(
            "{} lists several wasm-bindgen versions ({}); the CLI can match only one",
            path.display(),
            versions.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "wasm-bindgen-backend"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "cfg-if",
 "wasm-bindgen-macro",
]

[[package]]
name = "xtask"
version = "0.1.0"
"#;

    #[test]
    fn finds_the_exact_package_not_its_prefix_siblings() {
        assert_eq!(package_versions(LOCK, "wasm-bindgen"), vec!["0.2.130"]);
        assert_eq!(package_versions(LOCK, "xtask"), vec!["0.1.0"]);
    }

    #[test]
    fn the_lock_format_version_is_not_a_package() {
        assert!(package_versions(LOCK, "").is_empty());
        assert!(package_versions(LOCK, "cfg-if").is_empty());
    }

    #[test]
    fn lists_every_version_of_a_duplicated_package() {
        let lock = "[[package]]\nname = \"syn\"\nversion = \"1.0.109\"\n\n[[package]]\nname = \"syn\"\nversion = \"2.0.100\"\n";
        assert_eq!(package_versions(lock, "syn"), vec!["1.0.109", "2.0.100"]);
    }

    #[test]
    fn reads_the_workspace_lock() {
        let version = wasm_bindgen_version(&crate::paths::repo_root())
            .expect("the workspace lock pins wasm-bindgen");
        assert!(version.starts_with("0.2."), "{version}");
    }
}
