//! The fixed-size network: a feature extractor and a head, loaded from blobs and run on int8.

use crate::error::{BlobKind, Error, LayerName, Result};
use crate::format::{self, Contents};
use crate::kernels::{self, ConvShape};
use crate::layer::{Expected, Layer};
use crate::quant::{QuantParams, INPUT_ZERO_POINT};
use crate::shapes::*;

pub(crate) const CONV1_SHAPE: ConvShape = ConvShape {
    in_height: IMAGE_HEIGHT,
    in_width: IMAGE_WIDTH,
    in_channels: 1,
    out_channels: CHANNELS,
    kernel_height: KERNEL,
    kernel_width: KERNEL,
};

pub(crate) const CONV2_SHAPE: ConvShape = ConvShape {
    in_height: CONV1_HEIGHT,
    in_width: CONV1_WIDTH,
    in_channels: CHANNELS,
    out_channels: CHANNELS,
    kernel_height: KERNEL,
    kernel_width: KERNEL,
};

const _: () = assert!(CONV1_SHAPE.output_len() == CONV1_LEN);
const _: () =
    assert!(CONV2_SHAPE.out_height() / 2 * (CONV2_SHAPE.out_width() / 2) * CHANNELS == FEATURES);

/// Working memory for one inference, owned by the caller (a `static` on a device).
///
/// Nothing in it outlives a call to [`Model::classify`]; it holds no state between images.
#[derive(Clone)]
pub struct Scratch {
    /// The image, quantised: `p - 128`.
    pub(crate) image: [i8; IMAGE_PIXELS],
    /// conv1's output, `[26][26][32]`.
    pub(crate) conv1: [i8; CONV1_LEN],
    /// The pooled conv2 output, the feature vector, `[12][12][32]`.
    pub(crate) features: [i8; FEATURES],
    /// dense1's output.
    pub(crate) hidden: [i8; HIDDEN],
}

/// Bytes of [`Scratch`]: the RAM one inference needs beyond the stack.
pub const SCRATCH_BYTES: usize = core::mem::size_of::<Scratch>();

impl Scratch {
    /// Zeroed scratch; `const`, so it can initialise a `static`.
    pub const fn new() -> Self {
        Scratch {
            image: [0; IMAGE_PIXELS],
            conv1: [0; CONV1_LEN],
            features: [0; FEATURES],
            hidden: [0; HIDDEN],
        }
    }

    /// The feature vector left by the last [`Model::conv2_pool`].
    pub fn features(&self) -> &[i8; FEATURES] {
        &self.features
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Self::new()
    }
}

/// The frozen convolutional layers, loaded from a feature-extractor blob.
#[derive(Clone, Debug)]
pub struct FeatureExtractor<'a> {
    pub(crate) conv1: Layer<'a, CHANNELS>,
    pub(crate) conv2: Layer<'a, CHANNELS>,
    crc: u32,
}

impl<'a> FeatureExtractor<'a> {
    /// Reads and validates a feature-extractor blob; the weights stay borrowed from `bytes`.
    ///
    /// # Errors
    /// Any [`Error`] about the envelope, checksum, kind, shapes or values.
    pub fn load(bytes: &'a [u8]) -> Result<Self> {
        let (contents, crc) = format::decode(bytes)?;
        let blob = match contents {
            Contents::FeatureExtractor(blob) => blob,
            other => return Err(wrong_kind(BlobKind::FeatureExtractor, &other)),
        };

        if blob.input != QuantParams::INPUT {
            return Err(Error::BadInputQuantization);
        }
        if blob.pool != 2 {
            let found = usize::from(blob.pool);
            return Err(Error::Shape {
                layer: LayerName::Conv2,
                dimension: "pool",
                expected: 2,
                found,
            });
        }

        let conv1 = Layer::load(&blob.conv1, conv(LayerName::Conv1, 1), blob.input)?;
        let conv2 = Layer::load(&blob.conv2, conv(LayerName::Conv2, CHANNELS), conv1.output)?;
        Ok(FeatureExtractor { conv1, conv2, crc })
    }

    /// The quantisation of the feature vector it produces.
    pub fn output_quant(&self) -> QuantParams {
        self.conv2.output
    }

    /// CRC-32 of the blob it was loaded from; heads record it to name their extractor.
    pub fn crc(&self) -> u32 {
        self.crc
    }

    /// The first convolution.
    pub fn conv1_layer(&self) -> &Layer<'a, CHANNELS> {
        &self.conv1
    }

    /// The second convolution.
    pub fn conv2_layer(&self) -> &Layer<'a, CHANNELS> {
        &self.conv2
    }
}

/// A task's dense head, loaded from a head blob.
#[derive(Clone, Debug)]
pub struct Head<'a> {
    task: &'a str,
    labels: [u8; CLASSES],
    features_crc: u32,
    input: QuantParams,
    pub(crate) dense1: Layer<'a, HIDDEN>,
    pub(crate) dense2: Layer<'a, CLASSES>,
}

/// Longest task name a head may carry, in bytes.
pub const MAX_TASK_NAME: usize = 64;

impl<'a> Head<'a> {
    /// Reads and validates a head blob; the weights stay borrowed from `bytes`.
    ///
    /// # Errors
    /// Any [`Error`] about the envelope, checksum, kind, task, shapes or values.
    pub fn load(bytes: &'a [u8]) -> Result<Self> {
        let (contents, _) = format::decode(bytes)?;
        let blob = match contents {
            Contents::Head(blob) => blob,
            other => return Err(wrong_kind(BlobKind::Head, &other)),
        };

        let labels_unique = (0..CLASSES).all(|i| !blob.labels[..i].contains(&blob.labels[i]));
        if blob.task.is_empty() || blob.task.len() > MAX_TASK_NAME || !labels_unique {
            return Err(Error::BadTask);
        }
        if !blob.input.is_valid() {
            return Err(Error::BadQuantParams {
                layer: LayerName::Dense1,
            });
        }

        let dense1 = Layer::load(&blob.dense1, dense(LayerName::Dense1, FEATURES), blob.input)?;
        let dense2 = Layer::load(
            &blob.dense2,
            dense(LayerName::Dense2, HIDDEN),
            dense1.output,
        )?;
        Ok(Head {
            task: blob.task,
            labels: blob.labels,
            features_crc: blob.features_crc,
            input: blob.input,
            dense1,
            dense2,
        })
    }

    /// The task's name, such as `digits-5-9`.
    pub fn task_name(&self) -> &'a str {
        self.task
    }

    /// The label each output index stands for.
    pub fn labels(&self) -> [u8; CLASSES] {
        self.labels
    }

    /// CRC-32 of the feature-extractor blob the head was trained on.
    pub fn features_crc(&self) -> u32 {
        self.features_crc
    }

    /// Quantisation of the logits.
    pub fn output_quant(&self) -> QuantParams {
        self.dense2.output
    }

    /// The hidden dense layer.
    pub fn dense1_layer(&self) -> &Layer<'a, HIDDEN> {
        &self.dense1
    }

    /// The output dense layer.
    pub fn dense2_layer(&self) -> &Layer<'a, CLASSES> {
        &self.dense2
    }
}

/// What the network says of one image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Prediction {
    /// Output index of the largest logit (the first, on a tie).
    pub index: usize,
    /// The head's label for that index.
    pub label: u8,
    /// The quantised logits; [`Head::output_quant`] turns them into real values.
    pub logits: [i8; CLASSES],
}

/// A feature extractor and a head that fit together.
#[derive(Clone, Copy, Debug)]
pub struct Model<'m, 'a> {
    pub(crate) features: &'m FeatureExtractor<'a>,
    pub(crate) head: &'m Head<'a>,
}

impl<'m, 'a> Model<'m, 'a> {
    /// Pairs a head with the feature extractor it was trained on.
    ///
    /// # Errors
    /// [`Error::ForeignHead`] if the head records another extractor's CRC;
    /// [`Error::QuantMismatch`] if the head reads the features with another quantisation.
    pub fn new(features: &'m FeatureExtractor<'a>, head: &'m Head<'a>) -> Result<Self> {
        if head.features_crc != features.crc {
            return Err(Error::ForeignHead {
                expected: head.features_crc,
                found: features.crc,
            });
        }
        let produced = features.output_quant();
        let same_scale = produced.scale.to_bits() == head.input.scale.to_bits();
        if !same_scale || produced.zero_point != head.input.zero_point {
            return Err(Error::QuantMismatch);
        }
        Ok(Model { features, head })
    }

    /// The head.
    pub fn head(&self) -> &'m Head<'a> {
        self.head
    }

    /// The feature extractor.
    pub fn feature_extractor(&self) -> &'m FeatureExtractor<'a> {
        self.features
    }

    /// Classifies a 28×28 image of raw pixels (row-major, 0 = background, 255 = ink).
    pub fn classify(&self, image: &[u8; IMAGE_PIXELS], scratch: &mut Scratch) -> Prediction {
        self.conv1(image, scratch);
        self.conv2_pool(scratch);
        self.dense1(scratch);
        let logits = self.dense2(scratch);

        let index = kernels::argmax(&logits).unwrap_or(0);
        Prediction {
            index,
            label: self.head.labels[index],
            logits,
        }
    }

    /// Step 1: quantises the image (`q = p - 128`) and runs conv1 + ReLU into the scratch.
    pub fn conv1(&self, image: &[u8; IMAGE_PIXELS], scratch: &mut Scratch) {
        for (q, &p) in scratch.image.iter_mut().zip(image) {
            *q = (i32::from(p) + INPUT_ZERO_POINT) as i8;
        }
        let layer = &self.features.conv1;
        kernels::conv2d(
            &CONV1_SHAPE,
            &scratch.image,
            layer.weights,
            &layer.channels,
            &layer.stage,
            &mut scratch.conv1,
        );
    }

    /// Step 2: conv2 + ReLU + 2×2 max-pool, from conv1's output to the feature vector.
    pub fn conv2_pool(&self, scratch: &mut Scratch) {
        let layer = &self.features.conv2;
        kernels::conv2d_max_pool_2x2(
            &CONV2_SHAPE,
            &scratch.conv1,
            layer.weights,
            &layer.channels,
            &layer.stage,
            &mut scratch.features,
        );
    }

    /// Step 3: dense1 + ReLU, from the feature vector to the hidden units.
    pub fn dense1(&self, scratch: &mut Scratch) {
        let layer = &self.head.dense1;
        let Scratch {
            features, hidden, ..
        } = scratch;
        kernels::dense(
            features,
            layer.weights,
            &layer.channels,
            &layer.stage,
            hidden,
        );
    }

    /// Step 4: dense2, from the hidden units to the logits.
    pub fn dense2(&self, scratch: &Scratch) -> [i8; CLASSES] {
        let layer = &self.head.dense2;
        let mut logits = [0i8; CLASSES];
        kernels::dense(
            &scratch.hidden,
            layer.weights,
            &layer.channels,
            &layer.stage,
            &mut logits,
        );
        logits
    }
}

fn conv(name: LayerName, in_channels: usize) -> Expected {
    Expected {
        name,
        kernel_height: KERNEL,
        kernel_width: KERNEL,
        in_channels,
    }
}

fn dense(name: LayerName, in_features: usize) -> Expected {
    Expected {
        name,
        kernel_height: 1,
        kernel_width: 1,
        in_channels: in_features,
    }
}

fn wrong_kind(expected: BlobKind, found: &Contents<'_>) -> Error {
    Error::WrongKind {
        expected,
        found: found.kind(),
    }
}
