//! The float weight file embedded in flash: its format, its validation, and its conversion
//! into burn tensors.
//!
//! Format (little-endian): the 8-byte header [`HEADER`] (magic `TTF32\0`, format version 1 as a
//! `u16`), then the f32 arrays of [`ARRAYS`] concatenated in that order, each in burn's own
//! layout: convolution weights `[out_channels, in_channels, kernel_height, kernel_width]`,
//! dense weights `[inputs, outputs]` (burn's `Linear`; for dense1 the input index is the CHW
//! flatten index of the pooled features), biases `[outputs]`.

use alloc::vec::Vec;

use burn::tensor::{Device, Tensor, TensorData};

use crate::network::{CHANNELS, CLASSES, FEATURES, HIDDEN, KERNEL};

/// Magic and format version that open every weight file.
pub const HEADER: [u8; 8] = *b"TTF32\x00\x01\x00";

/// The arrays of the file, in file order: name and shape.
pub const ARRAYS: [(&str, &[usize]); 8] = [
    ("conv1.weight", &[CHANNELS, 1, KERNEL, KERNEL]),
    ("conv1.bias", &[CHANNELS]),
    ("conv2.weight", &[CHANNELS, CHANNELS, KERNEL, KERNEL]),
    ("conv2.bias", &[CHANNELS]),
    ("dense1.weight", &[FEATURES, HIDDEN]),
    ("dense1.bias", &[HIDDEN]),
    ("dense2.weight", &[HIDDEN, CLASSES]),
    ("dense2.bias", &[CLASSES]),
];

/// Floats in the file after the header: 600 165.
pub const FLOATS: usize = float_count();

/// Bytes of a valid file: the header and the floats.
pub const FILE_BYTES: usize = HEADER.len() + 4 * FLOATS;

/// The weight file that `build.rs` found (`TINYTRANSFER_PEER_WEIGHTS`, or the default path).
pub static EMBEDDED: &[u8] = include_bytes!(env!("TINYTRANSFER_PEER_WEIGHTS_PATH"));

/// Why a weight file was refused.
pub enum WeightsError {
    /// The file does not start with `TTF32\0`.
    BadMagic,
    /// The magic is right but the version is not 1.
    UnsupportedVersion(u16),
    /// The file is not [`FILE_BYTES`] long.
    WrongLength(usize),
}

/// A weight file that passed [`validate`]: its floats, still in flash.
pub struct Weights {
    floats: &'static [u8],
}

/// The network's parameters as burn tensors, in the order of [`ARRAYS`].
#[allow(missing_docs)] // each field is the array of [`ARRAYS`] with the same name
pub struct Parameters {
    pub conv1_weight: Tensor<4>,
    pub conv1_bias: Tensor<1>,
    pub conv2_weight: Tensor<4>,
    pub conv2_bias: Tensor<1>,
    pub dense1_weight: Tensor<2>,
    pub dense1_bias: Tensor<1>,
    pub dense2_weight: Tensor<2>,
    pub dense2_bias: Tensor<1>,
}

/// Checks the header and the length of `bytes`.
///
/// # Errors
/// [`WeightsError`] names the first thing that is wrong.
pub fn validate(bytes: &'static [u8]) -> Result<Weights, WeightsError> {
    let magic = &HEADER[..6];
    if bytes.len() < HEADER.len() || &bytes[..6] != magic {
        return Err(WeightsError::BadMagic);
    }
    let version = u16::from_le_bytes([bytes[6], bytes[7]]);
    if bytes[6..8] != HEADER[6..8] {
        return Err(WeightsError::UnsupportedVersion(version));
    }
    if bytes.len() != FILE_BYTES {
        return Err(WeightsError::WrongLength(bytes.len()));
    }

    Ok(Weights {
        floats: &bytes[HEADER.len()..],
    })
}

impl Weights {
    /// Copies every array out of flash into a burn tensor on `device` (the heap).
    pub fn to_parameters(&self, device: &Device) -> Parameters {
        let mut rest = self.floats;
        let mut next = |shape: &[usize]| {
            let count: usize = shape.iter().product();
            let (array, after) = rest.split_at(4 * count);
            rest = after;
            let values: Vec<f32> = array
                .chunks_exact(4)
                .map(|bytes| f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
                .collect();
            TensorData::new(values, shape)
        };

        Parameters {
            conv1_weight: Tensor::from_data(next(ARRAYS[0].1), device),
            conv1_bias: Tensor::from_data(next(ARRAYS[1].1), device),
            conv2_weight: Tensor::from_data(next(ARRAYS[2].1), device),
            conv2_bias: Tensor::from_data(next(ARRAYS[3].1), device),
            dense1_weight: Tensor::from_data(next(ARRAYS[4].1), device),
            dense1_bias: Tensor::from_data(next(ARRAYS[5].1), device),
            dense2_weight: Tensor::from_data(next(ARRAYS[6].1), device),
            dense2_bias: Tensor::from_data(next(ARRAYS[7].1), device),
        }
    }
}

const fn float_count() -> usize {
    let mut total = 0;
    let mut n = 0;
    while n < ARRAYS.len() {
        let shape = ARRAYS[n].1;
        let mut count = 1;
        let mut d = 0;
        while d < shape.len() {
            count *= shape[d];
            d += 1;
        }
        total += count;
        n += 1;
    }
    total
}

const _: () = assert!(FLOATS == 600_165, "the network has 600 165 parameters");
