//! The network of the reference experiment in f32, as the host's float model computes it at
//! inference, with burn's functional ops on the ndarray backend.
//!
//! ```text
//! pixels / 255 [1, 1, 28, 28] - conv 3x3 1->32 + bias - ReLU - conv 3x3 32->32 + bias - ReLU
//!   - max-pool 2x2 - flatten CHW [1, 4608] - dense 128 + bias - ReLU - dense 5 + bias
//! ```
//!
//! No dropout: it is the identity at inference.

use alloc::vec::Vec;

use burn::tensor::activation::relu;
use burn::tensor::module::{conv2d, linear, max_pool2d};
use burn::tensor::ops::{ConvOptions, MaxPoolOptions};
use burn::tensor::{Device, Tensor, TensorData};

use crate::stopwatch::{self, Stopwatch};
use crate::weights::Parameters;

/// Side of an input image.
pub const IMAGE_SIDE: usize = 28;
/// Pixels of an input image.
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;
/// Filters of each convolution.
pub const CHANNELS: usize = 32;
/// Side of the convolution kernels.
pub const KERNEL: usize = 3;
/// Side of the pooled feature map: (28 − 2 − 2) / 2.
pub const POOLED_SIDE: usize = 12;
/// Width of the flattened feature vector.
pub const FEATURES: usize = POOLED_SIDE * POOLED_SIDE * CHANNELS;
/// Width of the hidden dense layer.
pub const HIDDEN: usize = 128;
/// Logits: the digits 5–9.
pub const CLASSES: usize = 5;
/// The digit of class index 0.
pub const FIRST_LABEL: u8 = 5;

/// The steps of one inference whose cost is counted apart: each layer with its ReLU, and the
/// input's scaling into a tensor; dense2 includes reading the logits back out of burn.
pub const STAGES: [&str; 6] = ["input", "conv1", "conv2", "max-pool", "dense1", "dense2"];

/// What the network said of one image.
pub struct Prediction {
    /// The dense2 outputs, before any softmax.
    pub logits: [f32; CLASSES],
    /// Index of the largest logit (the first one on a tie).
    pub index: usize,
    /// Instructions of each of [`STAGES`] (to within a SysTick tick each).
    pub instructions: [u64; STAGES.len()],
}

impl Prediction {
    /// The digit of the chosen class.
    pub fn label(&self) -> u8 {
        FIRST_LABEL + self.index as u8
    }
}

/// The network with its parameters on the heap.
pub struct Network {
    parameters: Parameters,
    device: Device,
}

impl Network {
    /// Takes the parameters that [`crate::weights::Weights::to_parameters`] made on `device`.
    pub fn new(parameters: Parameters, device: Device) -> Self {
        Self { parameters, device }
    }

    /// Classifies one image of raw pixels (0..=255, row-major), counting the instructions of
    /// each stage on `stopwatch`.
    pub fn classify(&self, pixels: &[u8; IMAGE_PIXELS], stopwatch: &Stopwatch) -> Prediction {
        let mut instructions = [0; STAGES.len()];
        let mut stage = 0;
        let mut last = stopwatch.now();
        let mut lap = || {
            let now = stopwatch.now();
            instructions[stage] = stopwatch::instructions_between(last, now);
            (stage, last) = (stage + 1, now);
        };

        let logits = self.forward(pixels, &mut lap);
        let index = argmax(&logits);
        Prediction {
            logits,
            index,
            instructions,
        }
    }

    /// The logits of one image; `lap` is called at the end of each of [`STAGES`]. burn's
    /// ndarray backend computes each op when it is called, so the laps split the work.
    fn forward(&self, pixels: &[u8; IMAGE_PIXELS], lap: &mut impl FnMut()) -> [f32; CLASSES] {
        let p = &self.parameters;
        let valid = ConvOptions::new([1, 1], [0, 0], [1, 1], 1);

        let scaled: Vec<f32> = pixels
            .iter()
            .map(|&pixel| f32::from(pixel) / 255.0)
            .collect();
        let image = Tensor::<4>::from_data(
            TensorData::new(scaled, [1, 1, IMAGE_SIDE, IMAGE_SIDE]),
            &self.device,
        );
        lap();

        let conv1 = relu(conv2d(
            image,
            p.conv1_weight.clone(),
            Some(p.conv1_bias.clone()),
            valid.clone(),
        ));
        lap();
        let conv2 = relu(conv2d(
            conv1,
            p.conv2_weight.clone(),
            Some(p.conv2_bias.clone()),
            valid,
        ));
        lap();
        let pooled = max_pool2d(conv2, MaxPoolOptions::new([2, 2]));
        let features: Tensor<2> = pooled.reshape([1, FEATURES]);
        lap();

        let hidden = relu(linear(
            features,
            p.dense1_weight.clone(),
            Some(p.dense1_bias.clone()),
        ));
        lap();
        let logits = linear(hidden, p.dense2_weight.clone(), Some(p.dense2_bias.clone()));

        let values = logits
            .into_data()
            .try_into_vec::<f32>()
            .expect("the ndarray backend computes in f32");
        let mut out = [0.0; CLASSES];
        out.copy_from_slice(&values);
        lap();
        out
    }
}

/// Index of the largest value; the first one wins a tie.
fn argmax(values: &[f32; CLASSES]) -> usize {
    let mut best = 0;
    for (index, &value) in values.iter().enumerate() {
        if value > values[best] {
            best = index;
        }
    }
    best
}
