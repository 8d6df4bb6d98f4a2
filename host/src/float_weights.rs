//! The float network's weights as one flat file, for `peer/`: the same network in f32 on
//! burn's `no_std` ndarray backend on a Cortex-M, the yardstick for our int8 firmware.
//!
//! Format (version 1), little-endian: the 8 bytes `b"TTF32\0"` + version `1u16`, then these
//! f32 arrays in burn's own layouts, concatenated: conv1.weight `[32, 1, 3, 3]`, conv1.bias
//! `[32]`, conv2.weight `[32, 32, 3, 3]`, conv2.bias `[32]`, dense1.weight `[4608, 128]` (burn's
//! `Linear` is `[in, out]`; `in` is the CHW flatten index), dense1.bias `[128]`, dense2.weight
//! `[128, 5]`, dense2.bias `[5]`: 600 165 floats.

use burn::nn::conv::Conv2d;
use burn::nn::Linear;

use crate::model::{to_f32_vec, Net};

/// The file's name beside the blobs.
pub const FLOAT_WEIGHTS_FILE: &str = "float-weights.bin";

/// Magic and format version.
const HEADER: [u8; 8] = *b"TTF32\x00\x01\x00";

/// Floats in the file after the header.
pub const FLOATS: usize = 288 + 32 + 9_216 + 32 + 589_824 + 128 + 640 + 5;

/// The file's bytes for `net`.
pub fn encode(net: &Net) -> Vec<u8> {
    let mut floats = Vec::with_capacity(FLOATS);
    for conv in [&net.features.conv1, &net.features.conv2] {
        append_conv(&mut floats, conv);
    }
    for dense in [&net.head.dense1, &net.head.dense2] {
        append_dense(&mut floats, dense);
    }

    let mut bytes = Vec::with_capacity(HEADER.len() + 4 * floats.len());
    bytes.extend_from_slice(&HEADER);
    bytes.extend(floats.iter().flat_map(|value| value.to_le_bytes()));
    bytes
}

fn append_conv(floats: &mut Vec<f32>, conv: &Conv2d) {
    let out_channels = conv.weight.dims()[0];
    floats.extend(to_f32_vec(conv.weight.val()));
    match &conv.bias {
        Some(bias) => floats.extend(to_f32_vec(bias.val())),
        None => floats.extend(std::iter::repeat_n(0.0, out_channels)),
    }
}

fn append_dense(floats: &mut Vec<f32>, dense: &Linear) {
    let out_features = dense.weight.dims()[1];
    floats.extend(to_f32_vec(dense.weight.val()));
    match &dense.bias {
        Some(bias) => floats.extend(to_f32_vec(bias.val())),
        None => floats.extend(std::iter::repeat_n(0.0, out_features)),
    }
}
