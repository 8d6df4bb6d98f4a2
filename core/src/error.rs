//! The one error type of this crate: everything that can be wrong with a blob or a pairing.

use core::fmt;

/// A layer of the reference network, named in errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum LayerName {
    /// The first 3×3 convolution (1 → 32 channels).
    Conv1,
    /// The second 3×3 convolution (32 → 32 channels), pooled 2×2.
    Conv2,
    /// The hidden dense layer (4608 → 128).
    Dense1,
    /// The output dense layer (128 → 5).
    Dense2,
}

impl fmt::Display for LayerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LayerName::Conv1 => "conv1",
            LayerName::Conv2 => "conv2",
            LayerName::Dense1 => "dense1",
            LayerName::Dense2 => "dense2",
        })
    }
}

/// What a blob holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BlobKind {
    /// The frozen convolutional feature extractor.
    FeatureExtractor,
    /// A dense classification head for one task.
    Head,
}

impl fmt::Display for BlobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BlobKind::FeatureExtractor => "feature extractor",
            BlobKind::Head => "head",
        })
    }
}

/// Why a blob was refused, or a head and a feature extractor do not fit together.
///
/// Loading checks everything once, so the kernels that run afterwards cannot fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error {
    /// The bytes do not start with the tinytransfer magic: not a blob of ours at all.
    BadMagic,
    /// The blob was written by a format version this build does not read.
    UnsupportedVersion {
        /// The version in the blob.
        found: u16,
        /// The one version this build reads.
        supported: u16,
    },
    /// The blob ends before the length its header declares: it was cut short.
    Truncated {
        /// Bytes present.
        len: usize,
    },
    /// Bytes follow the end of the blob.
    TrailingBytes {
        /// How many extra bytes.
        extra: usize,
    },
    /// The stored CRC-32 does not match the contents: the blob is damaged.
    ChecksumMismatch {
        /// CRC stored in the blob.
        stored: u32,
        /// CRC of the bytes as they are.
        computed: u32,
    },
    /// The checksum holds but the contents do not decode: written by a faulty writer.
    Malformed,
    /// The blob holds something other than what was asked for.
    WrongKind {
        /// What the caller asked for.
        expected: BlobKind,
        /// What the blob holds.
        found: BlobKind,
    },
    /// A layer's dimension differs from the fixed network's.
    Shape {
        /// The layer.
        layer: LayerName,
        /// Which dimension: "out_channels", "kernel_height", "kernel_width", "in_channels".
        dimension: &'static str,
        /// The network's value.
        expected: usize,
        /// The blob's value.
        found: usize,
    },
    /// A layer's array has the wrong number of bytes for its shape.
    ArrayLength {
        /// The layer.
        layer: LayerName,
        /// Which array: "weights", "bias", "multiplier" or "shift".
        array: &'static str,
        /// Bytes the shape calls for.
        expected: usize,
        /// Bytes in the blob.
        found: usize,
    },
    /// A weight is -128, outside the symmetric range `-127..=127`.
    WeightOutOfRange {
        /// The layer.
        layer: LayerName,
        /// Index of the weight in the layer's array.
        index: usize,
    },
    /// A channel's multiplier or shift is outside `[2^30, 2^31)` (or 0) and `-31..=30`.
    BadRequantization {
        /// The layer.
        layer: LayerName,
        /// The output channel.
        channel: usize,
    },
    /// A bias so large that the layer's accumulator could overflow `i32`.
    BiasTooLarge {
        /// The layer.
        layer: LayerName,
        /// The output channel.
        channel: usize,
    },
    /// An activation's scale is not positive and finite, or its zero point is not int8.
    BadQuantParams {
        /// The layer whose output (or, for a head's input, input) it is.
        layer: LayerName,
    },
    /// The feature extractor's input quantisation is not the fixed `p / 255`, zero point -128.
    BadInputQuantization,
    /// A head's task name is empty, too long or not UTF-8, or its labels repeat.
    BadTask,
    /// The head was trained on a different feature extractor (its recorded CRC differs).
    ForeignHead {
        /// The feature extractor CRC that the head records.
        expected: u32,
        /// The CRC of the feature extractor it was paired with.
        found: u32,
    },
    /// The head's input quantisation differs from the feature extractor's output.
    QuantMismatch,
    /// The DSP kernels cannot run this layer exactly: a multiplier above 1, or a bias so large
    /// that an accumulator could leave ±2^30. The portable kernels still can.
    DspUnsupported {
        /// The layer.
        layer: LayerName,
    },
    /// The output buffer is too small for the encoded blob.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
}

/// Shorthand for results of this crate.
pub type Result<T> = core::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::BadMagic => f.write_str("not a tinytransfer blob (bad magic)"),
            Error::UnsupportedVersion { found, supported } => {
                write!(
                    f,
                    "blob format version {found} is not supported (this build reads {supported})"
                )
            }
            Error::Truncated { len } => write!(f, "blob truncated: only {len} bytes present"),
            Error::TrailingBytes { extra } => write!(f, "{extra} unexpected bytes after the blob"),
            Error::ChecksumMismatch { stored, computed } => write!(
                f,
                "blob damaged: stored CRC-32 {stored:#010x}, contents give {computed:#010x}"
            ),
            Error::Malformed => f.write_str("blob contents do not decode (checksum is intact)"),
            Error::WrongKind { expected, found } => {
                write!(f, "expected a {expected} blob, found a {found} blob")
            }
            Error::Shape {
                layer,
                dimension,
                expected,
                found,
            } => {
                write!(
                    f,
                    "{layer}: {dimension} is {found}, the network needs {expected}"
                )
            }
            Error::ArrayLength {
                layer,
                array,
                expected,
                found,
            } => {
                write!(
                    f,
                    "{layer}: {array} holds {found} bytes, its shape needs {expected}"
                )
            }
            Error::WeightOutOfRange { layer, index } => {
                write!(
                    f,
                    "{layer}: weight {index} is -128, outside the symmetric int8 range"
                )
            }
            Error::BadRequantization { layer, channel } => {
                write!(
                    f,
                    "{layer}: channel {channel} has an invalid multiplier or shift"
                )
            }
            Error::BiasTooLarge { layer, channel } => {
                write!(
                    f,
                    "{layer}: channel {channel}'s bias could overflow the accumulator"
                )
            }
            Error::BadQuantParams { layer } => {
                write!(f, "{layer}: invalid activation scale or zero point")
            }
            Error::BadInputQuantization => {
                f.write_str("input quantisation must be scale 1/255, zero point -128")
            }
            Error::BadTask => f.write_str("head task name or class labels are invalid"),
            Error::ForeignHead { expected, found } => write!(
                f,
                "head was trained on feature extractor {expected:#010x}, paired with {found:#010x}"
            ),
            Error::QuantMismatch => {
                f.write_str("head input quantisation differs from the feature extractor output")
            }
            Error::DspUnsupported { layer } => {
                write!(f, "{layer}: outside what the DSP kernels compute exactly")
            }
            Error::BufferTooSmall { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
        }
    }
}

impl core::error::Error for Error {}
