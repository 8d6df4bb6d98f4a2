//! Writing files so that a crash never leaves a half-written one behind.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A file could not be written.
#[derive(Debug, thiserror::Error)]
#[error("writing {path}: {source}", path = path.display())]
pub struct WriteError {
    /// The file being written.
    pub path: PathBuf,
    /// What the operating system reported.
    pub source: std::io::Error,
}

/// Writes `bytes` to `path` atomically: to a temporary file in the same directory, flushed to
/// disk, then renamed over `path`. Readers see the old file or the new one, never a mix.
///
/// # Errors
/// [`WriteError`] naming `path` if the directory is not writable or the disk is full.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let error = |source| WriteError {
        path: path.to_owned(),
        source,
    };

    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{file_name}.{}.part", std::process::id()));

    let written = std::fs::File::create(&temp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    if let Err(source) = written.and_then(|()| std::fs::rename(&temp, path)) {
        let _ = std::fs::remove_file(&temp);
        return Err(error(source));
    }
    Ok(())
}
