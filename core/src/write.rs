//! Writing blobs, for the host (feature `write`, which needs `alloc`).
//!
//! The host holds each layer as owned arrays ([`LayerData`]); these functions lay them out as
//! [`crate::format`] describes and frame them with magic, version and checksum.

use alloc::vec;
use alloc::vec::Vec;

use crate::error::{Error, Result};
use crate::format::{self, Contents, FeatureBlob, HeadBlob, LayerBlob};
use crate::quant::QuantParams;

/// One quantised layer, owned; see [`crate::format`] for the meaning and layout of each array.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerData {
    /// Output channels (dense: output units).
    pub out_channels: usize,
    /// Kernel height (dense: 1).
    pub kernel_height: usize,
    /// Kernel width (dense: 1).
    pub kernel_width: usize,
    /// Input channels (dense: input length).
    pub in_channels: usize,
    /// Weights, conv `[out][kh][kw][in]`, dense `[out][in]`, each in `-127..=127`.
    pub weights: Vec<i8>,
    /// One bias per output channel.
    pub bias: Vec<i32>,
    /// One Q0.31 multiplier per output channel (see [`crate::quant::quantize_multiplier`]).
    pub multiplier: Vec<i32>,
    /// One shift per output channel, in `-31..=30`.
    pub shift: Vec<i32>,
    /// Quantisation of the layer's output.
    pub output: QuantParams,
    /// Whether a ReLU follows.
    pub relu: bool,
}

/// The bytes of a layer's arrays, as the blob stores them.
struct LayerBytes {
    weights: Vec<u8>,
    bias: Vec<u8>,
    multiplier: Vec<u8>,
    shift: Vec<u8>,
}

impl LayerData {
    fn to_bytes(&self) -> LayerBytes {
        LayerBytes {
            weights: self.weights.iter().map(|&w| w as u8).collect(),
            bias: self.bias.iter().flat_map(|b| b.to_le_bytes()).collect(),
            multiplier: self
                .multiplier
                .iter()
                .flat_map(|m| m.to_le_bytes())
                .collect(),
            // Shifts outside i8 are invalid anyway; saturate so the loader reports them.
            shift: self
                .shift
                .iter()
                .map(|&s| s.clamp(-128, 127) as i8 as u8)
                .collect(),
        }
    }

    fn blob<'a>(&self, bytes: &'a LayerBytes) -> LayerBlob<'a> {
        LayerBlob {
            out_channels: self.out_channels as u32,
            kernel_height: self.kernel_height as u32,
            kernel_width: self.kernel_width as u32,
            in_channels: self.in_channels as u32,
            weights: &bytes.weights,
            bias: &bytes.bias,
            multiplier: &bytes.multiplier,
            shift: &bytes.shift,
            output: self.output,
            relu: self.relu,
        }
    }
}

/// What a head is for: a short task name and the label of each of its five outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskInfo<'a> {
    /// A short name, such as `digits-5-9` (1 to 64 bytes).
    pub name: &'a str,
    /// The label each output index stands for, such as `[5, 6, 7, 8, 9]`.
    pub labels: [u8; 5],
}

/// Encodes any [`Contents`] as a framed blob.
pub fn encode(contents: &Contents<'_>) -> Vec<u8> {
    let body = postcard::to_allocvec(contents).expect("serialising to a Vec cannot fail");
    let mut out = vec![0u8; body.len() + 32];
    let used = format::frame_into(&body, &mut out)
        .expect("the buffer has room for any header")
        .len();
    out.truncate(used);
    out
}

/// Writes a feature-extractor blob.
///
/// The result is not validated here; loading it with
/// [`crate::model::FeatureExtractor::load`] checks it against the fixed network.
pub fn write_features(input: QuantParams, conv1: &LayerData, conv2: &LayerData) -> Vec<u8> {
    let (conv1_bytes, conv2_bytes) = (conv1.to_bytes(), conv2.to_bytes());
    encode(&Contents::FeatureExtractor(FeatureBlob {
        input,
        conv1: conv1.blob(&conv1_bytes),
        conv2: conv2.blob(&conv2_bytes),
        pool: 2,
    }))
}

/// Writes a head blob for `task`, tied to the feature extractor blob `features` it was
/// trained on: the head records that blob's CRC and reads its output quantisation.
///
/// # Errors
/// Any error of decoding `features`, or [`Error::WrongKind`] if it is not a feature extractor.
pub fn write_head(
    task: &TaskInfo<'_>,
    features: &[u8],
    dense1: &LayerData,
    dense2: &LayerData,
) -> Result<Vec<u8>> {
    let (contents, features_crc) = format::decode(features)?;
    let Contents::FeatureExtractor(extractor) = contents else {
        return Err(Error::WrongKind {
            expected: crate::error::BlobKind::FeatureExtractor,
            found: contents.kind(),
        });
    };

    let (dense1_bytes, dense2_bytes) = (dense1.to_bytes(), dense2.to_bytes());
    Ok(encode(&Contents::Head(HeadBlob {
        task: task.name,
        labels: task.labels,
        features_crc,
        input: extractor.conv2.output,
        dense1: dense1.blob(&dense1_bytes),
        dense2: dense2.blob(&dense2_bytes),
    })))
}
