//! Where things are in the repository, and scratch directories that clean up after themselves.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::{env, fs, io, process};

/// The repository's root directory.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives inside the repository")
        .to_path_buf()
}

/// The firmware's own workspace.
pub fn firmware_dir() -> PathBuf {
    repo_root().join("firmware")
}

/// The blobs the firmware embeds by default: `pretrained/`, unless `TINYTRANSFER_BLOB_DIR` says
/// otherwise (the same rule as the firmware's build script).
pub fn default_blob_dir() -> PathBuf {
    env::var_os("TINYTRANSFER_BLOB_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("pretrained"))
}

/// The MNIST IDX files: `TINYTRANSFER_MNIST_DIR`, else `data/mnist` as `scripts/fetch-mnist.sh`
/// leaves them.
pub fn mnist_dir() -> PathBuf {
    env::var_os("TINYTRANSFER_MNIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("data").join("mnist"))
}

/// A fresh directory under the system's temporary directory, removed again on drop.
#[derive(Debug)]
pub struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    /// Creates `$TMPDIR/tinytransfer-<pid>-<n>-<label>`.
    pub fn new(label: &str) -> io::Result<Self> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = env::temp_dir().join(format!("tinytransfer-{}-{n}-{label}", process::id()));
        if path.exists() {
            fs::remove_dir_all(&path)?;
        }
        fs::create_dir_all(&path)?;
        Ok(Self { path })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        // Best effort: a leftover directory in the temporary directory harms nothing.
        let _ = fs::remove_dir_all(&self.path);
    }
}
