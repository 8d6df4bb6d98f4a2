//! Where the benchmarks find the model: the committed pretrained blobs, or another directory.

use std::path::PathBuf;

use anyhow::{Context, Result};

/// Environment variable naming a directory of blobs to use instead of `pretrained/`.
pub const BLOBS_ENV: &str = "TINYTRANSFER_BLOBS";

/// The repository's root (the benches crate's parent directory).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the benches crate lives inside the repository")
        .to_path_buf()
}

/// The blob directory: `$TINYTRANSFER_BLOBS`, or `pretrained/` in the repository.
pub fn blob_dir() -> PathBuf {
    std::env::var_os(BLOBS_ENV).map_or_else(|| repo_root().join("pretrained"), PathBuf::from)
}

/// The bytes of the feature extractor and the 5–9 head.
pub fn read_blobs() -> Result<(Vec<u8>, Vec<u8>)> {
    let dir = blob_dir();
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).with_context(|| format!("reading blob {}", path.display()))
    };
    Ok((read("features.ttb")?, read("head-digits-5-9.ttb")?))
}
