//! The blob format: what a feature-extractor or head file holds, byte for byte.
//!
//! A blob is postcard all the way down, with a CRC-32 at the end:
//!
//! ```text
//! magic    4 bytes   b"TTNN"
//! version  varint    FORMAT_VERSION
//! body     varint length, then that many bytes: postcard of `Contents`
//! crc      4 bytes   CRC-32 (little-endian) of every byte before it
//! ```
//!
//! The body's length comes before the body, so a cut-short blob is refused before its checksum
//! is computed. Inside the body, arrays are postcard byte strings borrowed from the blob (flash,
//! on a device) without copying:
//!
//! | array | type | layout |
//! | --- | --- | --- |
//! | `weights` | i8 | conv `[out][kernel_height][kernel_width][in]`; dense `[out][in]` |
//! | `bias` | i32 LE | `[out]`, in units of input scale × weight scale |
//! | `multiplier` | i32 LE | `[out]`, Q0.31 in `[2^30, 2^31)` |
//! | `shift` | i8 | `[out]`, power-of-two exponent, positive is left |
//!
//! A dense layer is written as a 1×1 convolution whose `in_channels` is its input length. The
//! feature vector between the two halves is channels-last (see [`crate::shapes`]).
//!
//! Decoding here checks the envelope and the checksum; [`crate::model`] then checks shapes and
//! ranges against the fixed network.

use serde::{Deserialize, Serialize};

use crate::crc::crc32;
use crate::error::{BlobKind, Error, Result};
use crate::quant::QuantParams;

/// The first four bytes of every blob.
pub const MAGIC: [u8; 4] = *b"TTNN";

/// The format version this build writes and reads.
pub const FORMAT_VERSION: u16 = 1;

/// Bytes of the trailing CRC-32.
const CRC_LEN: usize = 4;

/// What a blob holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Contents<'a> {
    /// The frozen convolutional layers shared by every task.
    #[serde(borrow)]
    FeatureExtractor(FeatureBlob<'a>),
    /// One task's dense head.
    #[serde(borrow)]
    Head(HeadBlob<'a>),
}

impl Contents<'_> {
    /// Which kind of blob this is.
    pub fn kind(&self) -> BlobKind {
        match self {
            Contents::FeatureExtractor(_) => BlobKind::FeatureExtractor,
            Contents::Head(_) => BlobKind::Head,
        }
    }
}

/// The feature extractor: conv1 → ReLU → conv2 → ReLU → 2×2 max-pool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureBlob<'a> {
    /// Quantisation of the input image (must be scale 1/255, zero point -128).
    pub input: QuantParams,
    /// The first convolution.
    #[serde(borrow)]
    pub conv1: LayerBlob<'a>,
    /// The second convolution; its output quantisation is the feature vector's.
    #[serde(borrow)]
    pub conv2: LayerBlob<'a>,
    /// Side of the square max-pool window and stride after conv2 (2 here).
    pub pool: u8,
}

/// A task's head: dense → ReLU → dense, giving one logit per class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeadBlob<'a> {
    /// A short name for the task, such as `digits-5-9`.
    pub task: &'a str,
    /// The label that each output index stands for, such as `[5, 6, 7, 8, 9]`.
    pub labels: [u8; 5],
    /// CRC-32 of the feature extractor blob this head was trained on.
    pub features_crc: u32,
    /// Quantisation of the feature vector it reads (the feature extractor's output).
    pub input: QuantParams,
    /// The hidden layer.
    #[serde(borrow)]
    pub dense1: LayerBlob<'a>,
    /// The output layer; its output quantisation is the logits'.
    #[serde(borrow)]
    pub dense2: LayerBlob<'a>,
}

/// One quantised layer's shape, parameters and output quantisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerBlob<'a> {
    /// Output channels (dense: output units).
    pub out_channels: u32,
    /// Kernel height (dense: 1).
    pub kernel_height: u32,
    /// Kernel width (dense: 1).
    pub kernel_width: u32,
    /// Input channels (dense: input length).
    pub in_channels: u32,
    /// int8 weights as two's-complement bytes.
    pub weights: &'a [u8],
    /// int32 biases, little-endian.
    pub bias: &'a [u8],
    /// int32 requantisation multipliers, little-endian.
    pub multiplier: &'a [u8],
    /// int8 requantisation shifts.
    pub shift: &'a [u8],
    /// Quantisation of the layer's output.
    pub output: QuantParams,
    /// Whether a ReLU follows (folded into the output clamp).
    pub relu: bool,
}

/// A blob whose envelope has been read but whose checksum is not yet judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Envelope<'a> {
    /// Format version.
    pub version: u16,
    /// The postcard-encoded [`Contents`].
    pub body: &'a [u8],
    /// CRC-32 stored at the end.
    pub stored_crc: u32,
    /// CRC-32 of the bytes as they are.
    pub computed_crc: u32,
}

impl<'a> Envelope<'a> {
    /// Reads the magic, version and length framing of `bytes` and computes the checksum,
    /// without judging it (for tools that show a damaged blob's state).
    ///
    /// # Errors
    /// [`Error::BadMagic`], [`Error::UnsupportedVersion`], [`Error::Truncated`],
    /// [`Error::TrailingBytes`].
    pub fn read(bytes: &'a [u8]) -> Result<Self> {
        let len = bytes.len();
        if len < MAGIC.len() {
            return Err(if MAGIC.starts_with(bytes) {
                Error::Truncated { len }
            } else {
                Error::BadMagic
            });
        }
        if bytes[..MAGIC.len()] != MAGIC {
            return Err(Error::BadMagic);
        }

        let (version, rest) = postcard::take_from_bytes::<u16>(&bytes[MAGIC.len()..])
            .map_err(|_| Error::Truncated { len })?;
        if version != FORMAT_VERSION {
            return Err(Error::UnsupportedVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let (body, rest) = postcard::take_from_bytes::<&[u8]>(rest).map_err(|e| match e {
            postcard::Error::DeserializeUnexpectedEnd => Error::Truncated { len },
            _ => Error::Malformed,
        })?;

        match rest.len() {
            CRC_LEN => {}
            short if short < CRC_LEN => return Err(Error::Truncated { len }),
            long => {
                return Err(Error::TrailingBytes {
                    extra: long - CRC_LEN,
                })
            }
        }
        let stored_crc = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
        let computed_crc = crc32(&bytes[..len - CRC_LEN]);

        Ok(Envelope {
            version,
            body,
            stored_crc,
            computed_crc,
        })
    }

    /// Whether the stored checksum matches the contents.
    pub fn checksum_ok(&self) -> bool {
        self.stored_crc == self.computed_crc
    }

    /// Decodes the body, whatever the checksum says.
    ///
    /// # Errors
    /// [`Error::Malformed`] when the body is not a postcard [`Contents`] filling it exactly.
    pub fn contents(&self) -> Result<Contents<'a>> {
        match postcard::take_from_bytes::<Contents<'a>>(self.body) {
            Ok((contents, [])) => Ok(contents),
            _ => Err(Error::Malformed),
        }
    }
}

/// Reads a blob: its envelope, its checksum, then its contents.
///
/// The returned [`Contents`] borrows its arrays from `bytes`. Shapes and value ranges are
/// checked by [`crate::model`] when the contents become a runnable layer.
///
/// # Errors
/// Those of [`Envelope::read`], then [`Error::ChecksumMismatch`] and [`Error::Malformed`].
pub fn decode(bytes: &[u8]) -> Result<(Contents<'_>, u32)> {
    let envelope = Envelope::read(bytes)?;
    if !envelope.checksum_ok() {
        return Err(Error::ChecksumMismatch {
            stored: envelope.stored_crc,
            computed: envelope.computed_crc,
        });
    }
    Ok((envelope.contents()?, envelope.stored_crc))
}

/// Frames an encoded body as a blob: magic, version, length-prefixed body and checksum, into
/// `out`, returning the used part.
///
/// # Errors
/// [`Error::BufferTooSmall`] with the size needed.
pub fn frame_into<'o>(body: &[u8], out: &'o mut [u8]) -> Result<&'o mut [u8]> {
    let mut header = [0u8; MAGIC.len() + 3 + 10];
    header[..MAGIC.len()].copy_from_slice(&MAGIC);
    let version_len = postcard::to_slice(&FORMAT_VERSION, &mut header[MAGIC.len()..])
        .map_err(|_| Error::Malformed)?
        .len();
    let length_at = MAGIC.len() + version_len;
    let length_len = postcard::to_slice(&(body.len() as u64), &mut header[length_at..])
        .map_err(|_| Error::Malformed)?
        .len();
    let header = &header[..length_at + length_len];

    let needed = header.len() + body.len() + CRC_LEN;
    if out.len() < needed {
        return Err(Error::BufferTooSmall { needed });
    }
    out[..header.len()].copy_from_slice(header);
    out[header.len()..needed - CRC_LEN].copy_from_slice(body);
    let crc = crc32(&out[..needed - CRC_LEN]);
    out[needed - CRC_LEN..needed].copy_from_slice(&crc.to_le_bytes());
    Ok(&mut out[..needed])
}
