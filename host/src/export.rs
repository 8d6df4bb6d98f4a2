//! Encoding the quantised layers as `tinytransfer-core` blobs and writing them to disk.
//!
//! Three files: the shared feature extractor and one head per task. Each head records the
//! feature blob's CRC, so it only pairs with the extractor it was trained on.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tinytransfer_core::write::{write_features, write_head, TaskInfo};

use crate::data::fetch::sha256_hex;
use crate::data::Task;
use crate::fsutil::{write_atomically, WriteError};
use crate::quantise::Quantised;

/// The feature-extractor blob's file name.
pub const FEATURES_FILE: &str = "features.ttb";

/// A head blob's file name.
pub fn head_file(task: Task) -> String {
    format!("head-{}.ttb", task.name())
}

/// Why the blobs could not be exported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The core's writer refused the layers.
    #[error("encoding the {task} head: {source}")]
    Encode {
        /// The task name.
        task: &'static str,
        /// The core's reason.
        source: tinytransfer_core::Error,
    },
    /// A file could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// The encoded blobs.
#[derive(Debug, Clone)]
pub struct Blobs {
    /// The feature extractor.
    pub features: Vec<u8>,
    /// The 0–4 head.
    pub low: Vec<u8>,
    /// The 5–9 head.
    pub high: Vec<u8>,
}

/// A blob as written: its file, size and sha256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobFile {
    /// The file name within the output directory.
    pub file: String,
    /// Its size in bytes.
    pub bytes: usize,
    /// Its sha256, hex.
    pub sha256: String,
}

/// Encodes the three blobs.
///
/// # Errors
/// [`ExportError::Encode`] if the core cannot write a head.
pub fn encode(quantised: &Quantised) -> Result<Blobs, ExportError> {
    let features = write_features(quantised.input, &quantised.conv1, &quantised.conv2);
    let head = |task: Task, [dense1, dense2]: &[_; 2]| {
        let info = TaskInfo {
            name: task.name(),
            labels: task.digits(),
        };
        write_head(&info, &features, dense1, dense2).map_err(|source| ExportError::Encode {
            task: task.name(),
            source,
        })
    };
    let low = head(Task::Low, &quantised.low)?;
    let high = head(Task::High, &quantised.high)?;
    Ok(Blobs {
        features,
        low,
        high,
    })
}

/// Writes the blobs into `dir`, each atomically.
///
/// # Errors
/// [`ExportError::Write`] naming the file that could not be written.
pub fn write(dir: &Path, blobs: &Blobs) -> Result<Vec<BlobFile>, ExportError> {
    let files = [
        (FEATURES_FILE.to_owned(), &blobs.features),
        (head_file(Task::Low), &blobs.low),
        (head_file(Task::High), &blobs.high),
    ];
    let mut written = Vec::new();
    for (file, bytes) in files {
        let path: PathBuf = dir.join(&file);
        write_atomically(&path, bytes)?;
        written.push(BlobFile {
            file,
            bytes: bytes.len(),
            sha256: sha256_hex(bytes),
        });
    }
    Ok(written)
}
