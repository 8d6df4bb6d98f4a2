//! Reading IDX files, the container format of the MNIST distribution.
//!
//! An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of dimensions),
//! one big-endian `u32` per dimension, then the elements in row-major order. MNIST uses only the
//! unsigned-byte type (code `0x08`). Files may be raw or gzip-compressed; [`read_idx`] tells the
//! two apart by the gzip magic, not by the file name.

use std::io::Read;
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;

/// The IDX type code for unsigned bytes, the only element type MNIST uses.
const TYPE_UNSIGNED_BYTE: u8 = 0x08;

/// The two bytes every gzip stream starts with.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Largest decompressed file accepted: MNIST's biggest file is 47 MB, so a gzip file that expands
/// beyond this is not MNIST and is refused before it can exhaust memory.
const MAX_DECOMPRESSED_BYTES: u64 = 256 << 20;

/// Largest number of elements a header may promise, for the same reason.
const MAX_ELEMENTS: usize = 256 << 20;

/// Why an IDX file could not be read. Every variant names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdxError {
    /// The file does not exist, cannot be opened, or its gzip stream is corrupt.
    #[error("{path}: {source}", path = path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system or the gzip decoder reported.
        source: std::io::Error,
    },
    /// The gzip stream expands beyond [`MAX_DECOMPRESSED_BYTES`].
    #[error(
        "{path}: decompresses to more than {limit} bytes, too large for an MNIST file",
        path = path.display()
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
    /// The first four bytes are not the magic number expected for this file.
    #[error(
        "{path}: not an IDX file of unsigned bytes with {expected_dims} dimension(s) \
         (magic {found:02x?}, expected [00, 00, 08, {expected_dims:02x}])",
        path = path.display()
    )]
    BadMagic {
        /// The file.
        path: PathBuf,
        /// The first four bytes found (fewer if the file is shorter).
        found: Vec<u8>,
        /// The number of dimensions this file should have.
        expected_dims: u8,
    },
    /// The header's dimensions cannot describe the data this file should hold.
    #[error("{path}: impossible dimensions {dims:?}: {reason}", path = path.display())]
    BadDimensions {
        /// The file.
        path: PathBuf,
        /// The dimensions read from the header.
        dims: Vec<u32>,
        /// What is wrong with them.
        reason: &'static str,
    },
    /// The file ends before the header or the data it promises.
    #[error("{path}: truncated: expected {expected} bytes, found {found}", path = path.display())]
    Truncated {
        /// The file.
        path: PathBuf,
        /// The bytes the header promises (header included).
        expected: usize,
        /// The bytes present.
        found: usize,
    },
    /// The file holds more bytes than its header accounts for.
    #[error(
        "{path}: {extra} unexpected byte(s) after the {expected} the header accounts for",
        path = path.display()
    )]
    TrailingBytes {
        /// The file.
        path: PathBuf,
        /// The bytes the header accounts for.
        expected: usize,
        /// The bytes beyond them.
        extra: usize,
    },
}

/// An IDX array of unsigned bytes: its dimensions and its elements in row-major order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxArray {
    /// The size of each dimension, outermost first.
    pub dims: Vec<usize>,
    /// `dims.iter().product()` elements, row-major.
    pub data: Vec<u8>,
}

/// Reads a whole file, decompressing it first if it is gzip.
///
/// # Errors
/// [`IdxError::Io`] if the file cannot be read or its gzip stream is corrupt;
/// [`IdxError::TooLarge`] if it decompresses beyond [`MAX_DECOMPRESSED_BYTES`].
pub fn read_maybe_gzip(path: &Path) -> Result<Vec<u8>, IdxError> {
    let io_error = |source| IdxError::Io {
        path: path.to_owned(),
        source,
    };
    let bytes = std::fs::read(path).map_err(io_error)?;
    if !bytes.starts_with(&GZIP_MAGIC) {
        return Ok(bytes);
    }

    // Read one byte past the limit so that reaching it is distinguishable from filling it.
    let mut decoded = Vec::new();
    GzDecoder::new(bytes.as_slice())
        .take(MAX_DECOMPRESSED_BYTES + 1)
        .read_to_end(&mut decoded)
        .map_err(io_error)?;
    if decoded.len() as u64 > MAX_DECOMPRESSED_BYTES {
        return Err(IdxError::TooLarge {
            path: path.to_owned(),
            limit: MAX_DECOMPRESSED_BYTES,
        });
    }
    Ok(decoded)
}

/// Reads an IDX file of unsigned bytes with exactly `expected_dims` dimensions, raw or gzip.
///
/// # Errors
/// Any [`IdxError`]: the file is missing or unreadable, has the wrong magic number, a zero or
/// oversized dimension, is truncated, or has bytes after its data.
pub fn read_idx(path: &Path, expected_dims: u8) -> Result<IdxArray, IdxError> {
    let bytes = read_maybe_gzip(path)?;
    parse_idx(path, &bytes, expected_dims)
}

/// Parses the bytes of an IDX file; `path` only names the file in errors.
///
/// # Errors
/// As [`read_idx`], except for I/O.
pub fn parse_idx(path: &Path, bytes: &[u8], expected_dims: u8) -> Result<IdxArray, IdxError> {
    let magic = [0, 0, TYPE_UNSIGNED_BYTE, expected_dims];
    if bytes.len() < magic.len() || bytes[..magic.len()] != magic {
        let found = bytes[..bytes.len().min(magic.len())].to_vec();
        return Err(IdxError::BadMagic {
            path: path.to_owned(),
            found,
            expected_dims,
        });
    }

    let header_len = magic.len() + 4 * usize::from(expected_dims);
    if bytes.len() < header_len {
        return Err(IdxError::Truncated {
            path: path.to_owned(),
            expected: header_len,
            found: bytes.len(),
        });
    }
    let raw_dims: Vec<u32> = bytes[magic.len()..header_len]
        .chunks_exact(4)
        .map(|word| u32::from_be_bytes([word[0], word[1], word[2], word[3]]))
        .collect();

    let bad_dims = |reason| IdxError::BadDimensions {
        path: path.to_owned(),
        dims: raw_dims.clone(),
        reason,
    };
    if raw_dims.contains(&0) {
        return Err(bad_dims("a dimension is zero"));
    }
    let dims: Vec<usize> = raw_dims.iter().map(|&dim| dim as usize).collect();
    let elements = dims
        .iter()
        .try_fold(1usize, |product, &dim| product.checked_mul(dim))
        .filter(|&elements| elements <= MAX_ELEMENTS)
        .ok_or_else(|| bad_dims("more elements than any MNIST file holds"))?;

    let expected = header_len + elements;
    if bytes.len() < expected {
        return Err(IdxError::Truncated {
            path: path.to_owned(),
            expected,
            found: bytes.len(),
        });
    }
    if bytes.len() > expected {
        return Err(IdxError::TrailingBytes {
            path: path.to_owned(),
            expected,
            extra: bytes.len() - expected,
        });
    }

    Ok(IdxArray {
        dims,
        data: bytes[header_len..].to_vec(),
    })
}
