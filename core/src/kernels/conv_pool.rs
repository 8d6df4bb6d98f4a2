//! Convolution fused with a 2×2, stride-2 max-pool.
//!
//! Requantisation is monotonic (non-decreasing in the accumulator for the non-negative
//! multipliers a valid blob holds) and so is the clamp, so the largest of four requantised
//! values is the requantised largest accumulator: the fused kernel requantises once per pooled
//! output, and never stores the unpooled tensor.

use super::conv::ConvShape;
use crate::quant::{ChannelQuant, OutputStage};

/// [`conv2d`](super::conv2d) followed by a 2×2 max-pool with stride 2, in one pass.
///
/// Layouts and ranges are those of [`conv2d`](super::conv2d); `output` is
/// `[out_height / 2][out_width / 2][out_channels]` (an odd last row or column is dropped, as
/// Keras's `MaxPooling2D` drops it).
///
/// # Panics
/// If a slice's length does not match `shape`.
pub fn conv2d_max_pool_2x2(
    shape: &ConvShape,
    input: &[i8],
    weights: &[i8],
    channels: &[ChannelQuant],
    stage: &OutputStage,
    output: &mut [i8],
) {
    shape.check(input, weights, channels);
    let (pooled_height, pooled_width) = (shape.out_height() / 2, shape.out_width() / 2);
    assert_eq!(
        output.len(),
        pooled_height * pooled_width * shape.out_channels,
        "output length"
    );

    let filter_len = shape.dot_len();
    let zero_point = stage.input_zero_point;
    let mut outputs = output.iter_mut();
    for py in 0..pooled_height {
        for px in 0..pooled_width {
            for (filter, quant) in weights.chunks_exact(filter_len).zip(channels) {
                let (oy, ox) = (2 * py, 2 * px);
                let acc = [(0, 0), (0, 1), (1, 0), (1, 1)]
                    .iter()
                    .map(|&(dy, dx)| {
                        shape.accumulate(input, filter, quant.bias, zero_point, oy + dy, ox + dx)
                    })
                    .fold(i32::MIN, i32::max);
                if let Some(out) = outputs.next() {
                    *out = stage.requantize(acc, quant);
                }
            }
        }
    }
}
