//! `cargo xtask sizes`: raw and gzip sizes of the built `.wasm` files, the
//! numbers that decide how fast a kiosk cold-starts.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use flate2::write::GzEncoder;
use flate2::Compression;

/// Length of `bytes` gzipped at the default level, as `gzip -c` would send it.
pub fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}

/// Prints one line per `.wasm` file in `dist` (sorted by name) and a total.
pub fn report(dist: &Path) -> Result<()> {
    let entries = std::fs::read_dir(dist).with_context(|| format!("reading {}", dist.display()))?;
    let mut wasm: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "wasm"))
        .collect();
    if wasm.is_empty() {
        bail!(
            "no .wasm files in {}; run `cargo xtask build` first",
            dist.display()
        );
    }
    wasm.sort();
    println!("    {:<48} {:>10} {:>10}", "file", "raw", "gzip");
    let (mut raw_total, mut gzip_total) = (0, 0);
    for path in &wasm {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let gzip = gzip_len(&bytes)?;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        println!("    {name:<48} {:>10} {:>10}", kib(bytes.len()), kib(gzip));
        raw_total += bytes.len();
        gzip_total += gzip;
    }
    println!(
        "    {:<48} {:>10} {:>10}",
        "total",
        kib(raw_total),
        kib(gzip_total)
    );
    Ok(())
}

fn kib(bytes: usize) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_real_gzip_output() {
        let zeros = vec![0u8; 100_000];
        assert!(gzip_len(&zeros).expect("gzip") < 1_000);
        // xorshift noise: gzip cannot shrink it, only add its header.
        let mut state = 0x9e37_79b9_u32;
        let noise: Vec<u8> = (0..10_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state.to_le_bytes()[0]
            })
            .collect();
        assert!(gzip_len(&noise).expect("gzip") > noise.len());
    }

    #[test]
    fn kib_has_one_decimal() {
        assert_eq!(kib(1536), "1.5 KiB");
    }
}
