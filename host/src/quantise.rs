//! Post-training quantisation to the int8 scheme of `tinytransfer-core` (TensorFlow Lite's).
//!
//! - Weights: int8, symmetric, one scale per output channel, `scale = max|w| / 127`.
//! - Biases: int32 with scale `input_scale × weight_scale[c]`, zero point 0.
//! - Activations: int8, one scale and zero point per tensor, from the range observed on
//!   calibration images.
//!
//! Calibration takes the plain minimum and maximum of each activation over a few thousand
//! training images: it is what TensorFlow Lite's converter does with a representative dataset, so
//! results compare with the field, and it never clips. Clipping methods (percentiles, KL) pay off
//! when rare outliers stretch a range; here the activations are ReLU outputs of a small network
//! on images in [0, 1], whose ranges are compact, and the 5-way argmax is robust to the slightly
//! coarser step. The int8/float agreement in the report is the check that this holds.
//!
//! burn computes in NCHW and flattens the pooled features in CHW order; the core is HWC
//! throughout. Convolution weights are reordered from `[out][in][kh][kw]` to `[out][kh][kw][in]`,
//! and the columns of dense1 are permuted from CHW to HWC order.

use burn::module::Module;
use burn::nn::conv::Conv2d;
use burn::nn::Linear;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};
use tinytransfer_core::quant::{quantize_multiplier, QuantParams};
use tinytransfer_core::write::LayerData;

use crate::data::{TaskData, IMAGE_PIXELS};
use crate::model::{images_to_tensor, to_f32_vec, Head, Net, CHANNELS, POOLED_SIDE};
use crate::train::EVAL_BATCH_SIZE;

/// Largest magnitude of an int8 weight (symmetric: -128 is never used).
const WEIGHT_MAX: f32 = 127.0;

/// The range of an activation tensor seen during calibration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// Smallest value seen.
    pub min: f32,
    /// Largest value seen.
    pub max: f32,
}

impl Default for Range {
    fn default() -> Self {
        Self {
            min: f32::INFINITY,
            max: f32::NEG_INFINITY,
        }
    }
}

impl Range {
    /// Widens the range to cover `values`.
    pub fn include(&mut self, values: &[f32]) {
        for &value in values {
            self.min = self.min.min(value);
            self.max = self.max.max(value);
        }
    }

    /// Asymmetric int8 parameters covering the range, which is first widened to include 0 so
    /// that real 0 (padding, ReLU's floor) is exactly representable.
    pub fn quant_params(self) -> QuantParams {
        let min = self.min.min(0.0);
        let max = self.max.max(0.0);
        if max <= min {
            return QuantParams {
                scale: 1.0,
                zero_point: 0,
            };
        }

        let scale = (max - min) / 255.0;
        // real = scale × (q − zero_point); real `min` maps to q = −128.
        let zero_point = (-128.0 - f64::from(min) / f64::from(scale))
            .round()
            .clamp(-128.0, 127.0);
        QuantParams {
            scale,
            zero_point: zero_point as i32,
        }
    }
}

/// The activation ranges of the network over the calibration images.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Calibration {
    /// conv1 after ReLU (images of both tasks: the features are shared).
    pub conv1: Range,
    /// conv2 after ReLU, which max-pooling keeps (images of both tasks).
    pub conv2: Range,
    /// The 0–4 head's hidden layer after ReLU (0–4 images).
    pub low_hidden: Range,
    /// The 0–4 head's logits.
    pub low_logits: Range,
    /// The 5–9 head's hidden layer after ReLU (5–9 images).
    pub high_hidden: Range,
    /// The 5–9 head's logits.
    pub high_logits: Range,
}

/// Observes activation ranges: the features on both sets of images, each head on its own.
pub fn calibrate(
    phase1: &Net,
    phase2: &Net,
    low: &TaskData,
    high: &TaskData,
    device: &Device,
) -> Calibration {
    let features = phase1.features.valid();
    let mut calibration = Calibration::default();
    for (set, head) in [(low, &phase1.head), (high, &phase2.head)] {
        let head = head.valid();
        let (hidden_range, logits_range) = if set.task == low.task {
            (&mut calibration.low_hidden, &mut calibration.low_logits)
        } else {
            (&mut calibration.high_hidden, &mut calibration.high_logits)
        };
        for start in (0..set.len()).step_by(EVAL_BATCH_SIZE) {
            let end = set.len().min(start + EVAL_BATCH_SIZE);
            let images = images_to_tensor(
                &set.images[start * IMAGE_PIXELS..end * IMAGE_PIXELS],
                device,
            );

            let (conv1, conv2) = features.activations(images);
            calibration.conv1.include(&to_f32_vec(conv1));
            let pooled = features.pool_flatten(conv2.clone());
            calibration.conv2.include(&to_f32_vec(conv2));

            let (hidden, logits) = head.activations(pooled);
            hidden_range.include(&to_f32_vec(hidden));
            logits_range.include(&to_f32_vec(logits));
        }
    }
    calibration
}

/// The quantised layers of both tasks.
#[derive(Debug, Clone)]
pub struct Quantised {
    /// The parameters of the raw-pixel input.
    pub input: QuantParams,
    /// conv1, with its ReLU.
    pub conv1: LayerData,
    /// conv2, with its ReLU (pooling keeps its quantisation).
    pub conv2: LayerData,
    /// The 0–4 head: dense1 (ReLU) and dense2.
    pub low: [LayerData; 2],
    /// The 5–9 head: dense1 (ReLU) and dense2.
    pub high: [LayerData; 2],
}

/// Quantises the shared features and both heads with the observed ranges.
pub fn quantise(phase1: &Net, phase2: &Net, calibration: &Calibration) -> Quantised {
    let input = QuantParams::INPUT;
    let conv1_out = calibration.conv1.quant_params();
    let conv2_out = calibration.conv2.quant_params();

    let head = |head: &Head, hidden: Range, logits: Range| {
        let hidden_out = hidden.quant_params();
        [
            quantise_dense(&head.dense1, conv2_out, hidden_out, true, chw_to_hwc),
            quantise_dense(
                &head.dense2,
                hidden_out,
                logits.quant_params(),
                false,
                |i| i,
            ),
        ]
    };

    Quantised {
        input,
        conv1: quantise_conv(&phase1.features.conv1, input, conv1_out),
        conv2: quantise_conv(&phase1.features.conv2, conv1_out, conv2_out),
        low: head(&phase1.head, calibration.low_hidden, calibration.low_logits),
        high: head(
            &phase2.head,
            calibration.high_hidden,
            calibration.high_logits,
        ),
    }
}

/// The position in burn's CHW flattening of the feature at HWC position `hwc`.
fn chw_to_hwc(hwc: usize) -> usize {
    let channel = hwc % CHANNELS;
    let pixel = hwc / CHANNELS;
    channel * POOLED_SIDE * POOLED_SIDE + pixel
}

/// A convolution with ReLU: weights `[out][in][kh][kw]` → `[out][kh][kw][in]`.
fn quantise_conv(conv: &Conv2d, input: QuantParams, output: QuantParams) -> LayerData {
    let [out_channels, in_channels, kernel_height, kernel_width] = conv.weight.dims();
    let burn_weights = to_f32_vec(conv.weight.val());
    let bias = bias_values(conv.bias.as_ref().map(|bias| bias.val()), out_channels);

    let per_filter = kernel_height * kernel_width * in_channels;
    let mut weights = Vec::with_capacity(out_channels * per_filter);
    for o in 0..out_channels {
        for ky in 0..kernel_height {
            for kx in 0..kernel_width {
                for c in 0..in_channels {
                    let index = ((o * in_channels + c) * kernel_height + ky) * kernel_width + kx;
                    weights.push(burn_weights[index]);
                }
            }
        }
    }

    let shape = Shape {
        out_channels,
        kernel_height,
        kernel_width,
        in_channels,
    };
    quantise_layer(shape, &weights, &bias, input, output, true)
}

/// A dense layer: burn's weights `[in][out]` → `[out][in]`, input columns reordered so that
/// column `i` of the result is burn's input `source_column(i)`.
fn quantise_dense(
    dense: &Linear,
    input: QuantParams,
    output: QuantParams,
    relu: bool,
    source_column: impl Fn(usize) -> usize,
) -> LayerData {
    let [in_features, out_features] = dense.weight.dims();
    let burn_weights = to_f32_vec(dense.weight.val());
    let bias = bias_values(dense.bias.as_ref().map(|bias| bias.val()), out_features);

    let mut weights = Vec::with_capacity(out_features * in_features);
    for o in 0..out_features {
        for i in 0..in_features {
            weights.push(burn_weights[source_column(i) * out_features + o]);
        }
    }

    let shape = Shape {
        out_channels: out_features,
        kernel_height: 1,
        kernel_width: 1,
        in_channels: in_features,
    };
    quantise_layer(shape, &weights, &bias, input, output, relu)
}

fn bias_values(bias: Option<Tensor<1>>, out_channels: usize) -> Vec<f32> {
    bias.map_or_else(|| vec![0.0; out_channels], to_f32_vec)
}

/// A layer's dimensions, as the core stores them.
#[derive(Debug, Clone, Copy)]
struct Shape {
    out_channels: usize,
    kernel_height: usize,
    kernel_width: usize,
    in_channels: usize,
}

/// Quantises weights `[out][…]` per output channel, biases to int32, and computes each channel's
/// requantisation multiplier and shift.
fn quantise_layer(
    shape: Shape,
    weights: &[f32],
    bias: &[f32],
    input: QuantParams,
    output: QuantParams,
    relu: bool,
) -> LayerData {
    let per_channel = weights.len() / shape.out_channels;
    let mut quantised_weights = Vec::with_capacity(weights.len());
    let mut quantised_bias = Vec::with_capacity(shape.out_channels);
    let mut multiplier = Vec::with_capacity(shape.out_channels);
    let mut shift = Vec::with_capacity(shape.out_channels);

    for (channel, filter) in weights.chunks_exact(per_channel).enumerate() {
        let largest = filter
            .iter()
            .fold(0.0f32, |largest, w| largest.max(w.abs()));
        // An all-zero filter quantises to zeros under any scale; 1 keeps the maths finite.
        let weight_scale = if largest > 0.0 {
            largest / WEIGHT_MAX
        } else {
            1.0
        };
        quantised_weights.extend(
            filter
                .iter()
                .map(|&w| (w / weight_scale).round().clamp(-WEIGHT_MAX, WEIGHT_MAX) as i8),
        );

        let accumulator_scale = f64::from(input.scale) * f64::from(weight_scale);
        let bias_q = (f64::from(bias[channel]) / accumulator_scale).round();
        quantised_bias.push(bias_q.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32);

        let (m, s) = quantize_multiplier(accumulator_scale / f64::from(output.scale));
        multiplier.push(m);
        shift.push(s);
    }

    LayerData {
        out_channels: shape.out_channels,
        kernel_height: shape.kernel_height,
        kernel_width: shape.kernel_width,
        in_channels: shape.in_channels,
        weights: quantised_weights,
        bias: quantised_bias,
        multiplier,
        shift,
        output,
        relu,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relu_range_puts_real_zero_at_minus_128() {
        let params = Range {
            min: 0.0,
            max: 2.55,
        }
        .quant_params();
        assert!((params.scale - 0.01).abs() < 1e-9);
        assert_eq!(params.zero_point, -128);
    }

    #[test]
    fn a_range_is_widened_to_include_zero() {
        let params = Range {
            min: 0.5,
            max: 2.55,
        }
        .quant_params();
        assert_eq!(params.zero_point, -128, "0.5..2.55 is stored as 0..2.55");

        // -1..1: real 0 sits half a step below q = 0, and rounds away from zero.
        let params = Range {
            min: -1.0,
            max: 1.0,
        }
        .quant_params();
        assert_eq!(params.zero_point, -1);
        assert!((params.scale - 2.0 / 255.0).abs() < 1e-9);
    }

    #[test]
    fn hwc_columns_come_from_burns_chw_flattening() {
        let side = POOLED_SIDE;
        let (y, x, c) = (3, 7, 11);
        assert_eq!(
            chw_to_hwc((y * side + x) * CHANNELS + c),
            c * side * side + y * side + x
        );

        let mut seen = vec![false; side * side * CHANNELS];
        for hwc in 0..seen.len() {
            seen[chw_to_hwc(hwc)] = true;
        }
        assert!(
            seen.iter().all(|&s| s),
            "every CHW column is used exactly once"
        );
    }

    #[test]
    fn weights_are_quantised_per_output_channel() {
        let shape = Shape {
            out_channels: 2,
            kernel_height: 1,
            kernel_width: 1,
            in_channels: 2,
        };
        let input = QuantParams {
            scale: 0.5,
            zero_point: -128,
        };
        let output = QuantParams {
            scale: 0.25,
            zero_point: -128,
        };
        let layer = quantise_layer(
            shape,
            &[0.5, -1.0, 0.0, 0.0],
            &[0.1, 0.0],
            input,
            output,
            true,
        );

        // Channel 0: scale 1/127, so 0.5 → 63.5 → 64 and -1 → -127; channel 1 is all zero.
        assert_eq!(layer.weights, [64, -127, 0, 0]);
        // Bias 0.1 in units of 0.5 × (1/127): 25.4 → 25.
        assert_eq!(layer.bias, [25, 0]);
        // input scale × weight scale / output scale, from the f32 scales as stored.
        let weight_scale = 1.0f32 / 127.0;
        let real = f64::from(input.scale) * f64::from(weight_scale) / f64::from(output.scale);
        let (multiplier, shift) = quantize_multiplier(real);
        assert_eq!((layer.multiplier[0], layer.shift[0]), (multiplier, shift));
    }
}
