//! Full-size blobs with random (but plausible) weights, for tests that need a whole network.
//!
//! The weights are seeded by a tiny xorshift generator so every run builds the same bytes.

#![allow(dead_code)]

pub mod reference;

use tinytransfer_core::quant::{quantize_multiplier, QuantParams};
use tinytransfer_core::shapes::{CHANNELS, CLASSES, FEATURES, HIDDEN, KERNEL};
use tinytransfer_core::write::{write_features, write_head, LayerData, TaskInfo};

/// A small deterministic generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `low..=high`.
    pub fn range(&mut self, low: i32, high: i32) -> i32 {
        low + (self.next_u64() % (high - low + 1) as u64) as i32
    }
}

/// A layer whose outputs spread over much of the int8 range for inputs spread over theirs.
pub fn random_layer(
    rng: &mut Rng,
    out_channels: usize,
    kernel: usize,
    in_channels: usize,
    relu: bool,
    output: QuantParams,
) -> LayerData {
    let dot_len = kernel * kernel * in_channels;
    let weights = (0..out_channels * dot_len)
        .map(|_| rng.range(-127, 127) as i8)
        .collect();
    let bias = (0..out_channels)
        .map(|_| rng.range(-20_000, 20_000))
        .collect();
    let (mut multiplier, mut shift) = (Vec::new(), Vec::new());
    for _ in 0..out_channels {
        // About 30 output steps per standard deviation of a sum of `dot_len` products.
        let spread = f64::from(rng.range(50, 150)) / 100.0;
        let real = 30.0 * spread / ((dot_len as f64).sqrt() * 73.0 * 60.0);
        let (m, s) = quantize_multiplier(real);
        multiplier.push(m);
        shift.push(s);
    }
    LayerData {
        out_channels,
        kernel_height: kernel,
        kernel_width: kernel,
        in_channels,
        weights,
        bias,
        multiplier,
        shift,
        output,
        relu,
    }
}

/// The two convolutions of a random feature extractor.
pub fn random_convs(seed: u64) -> (LayerData, LayerData) {
    let mut rng = Rng::new(seed);
    let hidden = QuantParams {
        scale: 0.05,
        zero_point: -128,
    };
    let conv1 = random_layer(&mut rng, CHANNELS, KERNEL, 1, true, hidden);
    let conv2 = random_layer(&mut rng, CHANNELS, KERNEL, CHANNELS, true, hidden);
    (conv1, conv2)
}

/// The two dense layers of a random head.
pub fn random_denses(seed: u64) -> (LayerData, LayerData) {
    let mut rng = Rng::new(seed);
    let hidden = QuantParams {
        scale: 0.1,
        zero_point: -128,
    };
    let logits = QuantParams {
        scale: 0.2,
        zero_point: 10,
    };
    let dense1 = random_layer(&mut rng, HIDDEN, 1, FEATURES, true, hidden);
    let dense2 = random_layer(&mut rng, CLASSES, 1, HIDDEN, false, logits);
    (dense1, dense2)
}

/// A full-size, valid feature-extractor blob.
pub fn features_blob(seed: u64) -> Vec<u8> {
    let (conv1, conv2) = random_convs(seed);
    write_features(QuantParams::INPUT, &conv1, &conv2)
}

/// A full-size, valid 5–9 head blob paired with `features`.
pub fn head_blob(seed: u64, features: &[u8]) -> Vec<u8> {
    let (dense1, dense2) = random_denses(seed);
    let task = TaskInfo {
        name: "digits-5-9",
        labels: [5, 6, 7, 8, 9],
    };
    write_head(&task, features, &dense1, &dense2).expect("features blob is valid")
}

/// A random image with a blob of "ink" so that activations are not all zero.
pub fn random_image(rng: &mut Rng) -> [u8; 784] {
    core::array::from_fn(|_| {
        if rng.range(0, 3) == 0 {
            rng.range(0, 255) as u8
        } else {
            0
        }
    })
}
