//! The reference network's fixed shapes, and the worst-case accumulator bounds they imply.
//!
//! Every tensor is stored channels-last (`[height][width][channels]`, "HWC"); the flattened
//! feature vector is that same order: index `(y * POOLED_WIDTH + x) * CHANNELS + c`.

/// Height of an input image, in pixels.
pub const IMAGE_HEIGHT: usize = 28;
/// Width of an input image, in pixels.
pub const IMAGE_WIDTH: usize = 28;
/// Pixels in one input image (one channel).
pub const IMAGE_PIXELS: usize = IMAGE_HEIGHT * IMAGE_WIDTH;

/// Side of the square convolution kernels.
pub const KERNEL: usize = 3;
/// Filters in each convolution.
pub const CHANNELS: usize = 32;

/// Height of conv1's output (3×3 valid convolution of the image).
pub const CONV1_HEIGHT: usize = IMAGE_HEIGHT - KERNEL + 1;
/// Width of conv1's output.
pub const CONV1_WIDTH: usize = IMAGE_WIDTH - KERNEL + 1;
/// Values in conv1's output.
pub const CONV1_LEN: usize = CONV1_HEIGHT * CONV1_WIDTH * CHANNELS;

/// Height of conv2's output, before pooling.
pub const CONV2_HEIGHT: usize = CONV1_HEIGHT - KERNEL + 1;
/// Width of conv2's output, before pooling.
pub const CONV2_WIDTH: usize = CONV1_WIDTH - KERNEL + 1;

/// Height after the 2×2 max-pool.
pub const POOLED_HEIGHT: usize = CONV2_HEIGHT / 2;
/// Width after the 2×2 max-pool.
pub const POOLED_WIDTH: usize = CONV2_WIDTH / 2;
/// Length of the flattened feature vector that the feature extractor hands to a head.
pub const FEATURES: usize = POOLED_HEIGHT * POOLED_WIDTH * CHANNELS;

/// Units in the head's hidden dense layer.
pub const HIDDEN: usize = 128;
/// Classes a head tells apart.
pub const CLASSES: usize = 5;

/// Multiply-accumulates of conv1 for one image.
pub const CONV1_MACS: usize = CONV1_HEIGHT * CONV1_WIDTH * CHANNELS * KERNEL * KERNEL;
/// Multiply-accumulates of conv2 for one image.
pub const CONV2_MACS: usize = CONV2_HEIGHT * CONV2_WIDTH * CHANNELS * KERNEL * KERNEL * CHANNELS;
/// Multiply-accumulates of the hidden dense layer.
pub const DENSE1_MACS: usize = FEATURES * HIDDEN;
/// Multiply-accumulates of the output dense layer.
pub const DENSE2_MACS: usize = HIDDEN * CLASSES;
/// Multiply-accumulates of the whole network for one image.
pub const TOTAL_MACS: usize = CONV1_MACS + CONV2_MACS + DENSE1_MACS + DENSE2_MACS;

/// Largest `|Σ w·(x - input_zp)|` a layer with `terms` products can reach: weights lie in
/// `-127..=127` and `x - input_zp` in `-255..=255` (both int8).
pub const fn max_abs_sum(terms: usize) -> i64 {
    terms as i64 * 127 * 255
}

/// The largest dot product of any layer: dense1's, over all features.
pub const LARGEST_DOT: usize = FEATURES;

// Every layer's worst-case sum fits an i32 with room for a bias. Loading a model checks that
// each bias leaves that room (see `model`), so no accumulator can overflow at inference.
const _: () = assert!(max_abs_sum(KERNEL * KERNEL) < i32::MAX as i64);
const _: () = assert!(max_abs_sum(KERNEL * KERNEL * CHANNELS) < i32::MAX as i64);
const _: () = assert!(max_abs_sum(LARGEST_DOT) < i32::MAX as i64);
const _: () = assert!(max_abs_sum(HIDDEN) < i32::MAX as i64);
const _: () = assert!(TOTAL_MACS == 6_093_568);
