//! Where the benchmarks write and read build output.

use std::path::PathBuf;

use tinytransfer_tests::paths::repo_root;

/// Cargo's target directory: `$CARGO_TARGET_DIR`, or `target/` in the repository.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo_root().join("target"), PathBuf::from)
}
