//! The network of the reference experiment, in burn.
//!
//! ```text
//! image 1x28x28 - conv 3x3, 32 - ReLU - conv 3x3, 32 - ReLU - max-pool 2x2   (Features)
//!   - dropout 0.25 - flatten 4608 - dense 128 - ReLU - dropout 0.5 - dense 5    (Head)
//! ```
//!
//! The split between [`Features`] and [`Head`] is the transfer-learning boundary: phase 2
//! freezes the features and trains only the head. The features' output is taken *before* the
//! first dropout, so that frozen output is a pure function of the image and can be computed once.
//! burn's tensors are NCHW, so the flattened feature vector is in CHW order; the exporter
//! permutes it to the HWC order of `tinytransfer-core`.

pub mod dropout;
pub mod init;

use burn::module::{Module, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor, TensorData};
use rand::rngs::StdRng;

use crate::data::{IMAGE_SIDE, TASK_CLASSES};

/// Filters in each convolution.
pub const CHANNELS: usize = 32;
/// Side of the convolution kernels.
pub const KERNEL: usize = 3;
/// Side of the pooled feature map: (28 − 2 − 2) / 2.
pub const POOLED_SIDE: usize = 12;
/// Width of the flattened feature vector.
pub const FEATURES: usize = POOLED_SIDE * POOLED_SIDE * CHANNELS;
/// Width of the hidden dense layer.
pub const HIDDEN: usize = 128;
/// Dropout rate after pooling.
pub const FEATURE_DROPOUT: f32 = 0.25;
/// Dropout rate after the hidden dense layer.
pub const HIDDEN_DROPOUT: f32 = 0.5;

/// The convolutional feature extractor: two convolutions and a max-pool.
#[derive(Module, Debug)]
pub struct Features {
    /// 1 → 32 channels, 3×3, valid.
    pub conv1: Conv2d,
    /// 32 → 32 channels, 3×3, valid.
    pub conv2: Conv2d,
    pool: MaxPool2d,
}

/// The dense classifier on top of the features.
#[derive(Module, Debug)]
pub struct Head {
    /// 4608 → 128 (weights `[in, out]`, inputs in CHW order).
    pub dense1: Linear,
    /// 128 → 5 logits.
    pub dense2: Linear,
}

/// The whole network.
#[derive(Module, Debug)]
pub struct Net {
    /// The part phase 2 freezes.
    pub features: Features,
    /// The part each phase trains.
    pub head: Head,
}

impl Features {
    /// Glorot-uniform weights and zero biases from `rng`.
    pub fn init(rng: &mut StdRng, device: &Device) -> Self {
        Self {
            conv1: conv(rng, 1, device),
            conv2: conv(rng, CHANNELS, device),
            pool: MaxPool2dConfig::new([2, 2]).init(),
        }
    }

    /// Images `[batch, 1, 28, 28]` with values in [0, 1] → pooled features `[batch, 4608]`
    /// (CHW order, non-negative, before dropout).
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        let conv1 = relu(self.conv1.forward(images));
        let conv2 = relu(self.conv2.forward(conv1));
        self.pool_flatten(conv2)
    }

    /// conv2's activation `[batch, 32, 24, 24]` → pooled features `[batch, 4608]` (CHW order).
    pub fn pool_flatten(&self, conv2: Tensor<4>) -> Tensor<2> {
        self.pool.forward(conv2).flatten(1, 3)
    }

    /// The activations after each ReLU, for calibration: `(conv1, conv2)` as `[batch, C, H, W]`.
    pub fn activations(&self, images: Tensor<4>) -> (Tensor<4>, Tensor<4>) {
        let conv1 = relu(self.conv1.forward(images));
        let conv2 = relu(self.conv2.forward(conv1.clone()));
        (conv1, conv2)
    }
}

impl Head {
    /// Glorot-uniform weights and zero biases from `rng`.
    pub fn init(rng: &mut StdRng, device: &Device) -> Self {
        Self {
            dense1: dense(rng, FEATURES, HIDDEN, device),
            dense2: dense(rng, HIDDEN, TASK_CLASSES, device),
        }
    }

    /// Features `[batch, 4608]` → logits `[batch, 5]`, without dropout (inference).
    pub fn forward(&self, features: Tensor<2>) -> Tensor<2> {
        let (_, logits) = self.activations(features);
        logits
    }

    /// The hidden activation after its ReLU and the logits, for calibration.
    pub fn activations(&self, features: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let hidden = relu(self.dense1.forward(features));
        let logits = self.dense2.forward(hidden.clone());
        (hidden, logits)
    }

    /// Features → logits with both dropouts applied, masks drawn from `rng` (training).
    pub fn forward_train(&self, features: Tensor<2>, rng: &mut StdRng) -> Tensor<2> {
        let features = dropout::dropout(features, FEATURE_DROPOUT, rng);
        let hidden = relu(self.dense1.forward(features));
        let hidden = dropout::dropout(hidden, HIDDEN_DROPOUT, rng);
        self.dense2.forward(hidden)
    }
}

impl Net {
    /// A freshly initialised network: features first, then head, from the same `rng`.
    pub fn init(rng: &mut StdRng, device: &Device) -> Self {
        let features = Features::init(rng, device);
        let head = Head::init(rng, device);
        Self { features, head }
    }

    /// Images → logits, without dropout (inference).
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        self.head.forward(self.features.forward(images))
    }

    /// Images → logits with dropout (training).
    pub fn forward_train(&self, images: Tensor<4>, rng: &mut StdRng) -> Tensor<2> {
        self.head.forward_train(self.features.forward(images), rng)
    }
}

/// Raw pixels of `count` consecutive images → `[count, 1, 28, 28]` scaled to [0, 1].
pub fn images_to_tensor(pixels: &[u8], device: &Device) -> Tensor<4> {
    let count = pixels.len() / (IMAGE_SIDE * IMAGE_SIDE);
    let values: Vec<f32> = pixels
        .iter()
        .map(|&pixel| f32::from(pixel) / 255.0)
        .collect();
    Tensor::from_data(
        TensorData::new(values, [count, 1, IMAGE_SIDE, IMAGE_SIDE]),
        device,
    )
}

/// Every float of a tensor, in row-major order.
///
/// # Panics
/// If the tensor is not f32, which no tensor of this crate's models is.
pub fn to_f32_vec<const D: usize>(tensor: Tensor<D>) -> Vec<f32> {
    tensor
        .into_data()
        .try_into_vec::<f32>()
        .expect("the models compute in f32")
}

fn conv(rng: &mut StdRng, in_channels: usize, device: &Device) -> Conv2d {
    let receptive_field = KERNEL * KERNEL;
    let shape = [CHANNELS, in_channels, KERNEL, KERNEL];
    let weights = init::glorot_uniform(
        rng,
        shape.iter().product(),
        in_channels * receptive_field,
        CHANNELS * receptive_field,
    );

    let mut layer = Conv2dConfig::new([in_channels, CHANNELS], [KERNEL, KERNEL])
        .with_initializer(Initializer::Zeros)
        .init(device);
    layer.weight = Param::from_tensor(Tensor::from_data(TensorData::new(weights, shape), device));
    layer.bias = Some(Param::from_tensor(Tensor::zeros([CHANNELS], device)));
    layer
}

fn dense(rng: &mut StdRng, inputs: usize, outputs: usize, device: &Device) -> Linear {
    let weights = init::glorot_uniform(rng, inputs * outputs, inputs, outputs);

    let mut layer = LinearConfig::new(inputs, outputs)
        .with_initializer(Initializer::Zeros)
        .init(device);
    layer.weight = Param::from_tensor(Tensor::from_data(
        TensorData::new(weights, [inputs, outputs]),
        device,
    ));
    layer.bias = Some(Param::from_tensor(Tensor::zeros([outputs], device)));
    layer
}
