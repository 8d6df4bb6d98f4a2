//! 2-D convolution, valid padding, stride 1, per-output-channel requantisation.

use crate::quant::{ChannelQuant, OutputStage};

/// The dimensions of a valid, stride-1 convolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvShape {
    /// Input rows.
    pub in_height: usize,
    /// Input columns.
    pub in_width: usize,
    /// Input channels.
    pub in_channels: usize,
    /// Output channels (filters).
    pub out_channels: usize,
    /// Kernel rows, at most `in_height`.
    pub kernel_height: usize,
    /// Kernel columns, at most `in_width`.
    pub kernel_width: usize,
}

impl ConvShape {
    /// Output rows: `in_height - kernel_height + 1`.
    pub const fn out_height(&self) -> usize {
        self.in_height - self.kernel_height + 1
    }

    /// Output columns: `in_width - kernel_width + 1`.
    pub const fn out_width(&self) -> usize {
        self.in_width - self.kernel_width + 1
    }

    /// Values in the input tensor.
    pub const fn input_len(&self) -> usize {
        self.in_height * self.in_width * self.in_channels
    }

    /// Values in the weight tensor.
    pub const fn weights_len(&self) -> usize {
        self.out_channels * self.kernel_height * self.kernel_width * self.in_channels
    }

    /// Values in the output tensor.
    pub const fn output_len(&self) -> usize {
        self.out_height() * self.out_width() * self.out_channels
    }

    /// Products summed into one accumulator.
    pub const fn dot_len(&self) -> usize {
        self.kernel_height * self.kernel_width * self.in_channels
    }

    /// Panics unless the slices match this shape: a caller's bug, never a property of data.
    pub(crate) fn check(&self, input: &[i8], weights: &[i8], channels: &[ChannelQuant]) {
        assert!(self.kernel_height >= 1 && self.kernel_height <= self.in_height);
        assert!(self.kernel_width >= 1 && self.kernel_width <= self.in_width);
        assert_eq!(input.len(), self.input_len(), "input length");
        assert_eq!(weights.len(), self.weights_len(), "weights length");
        assert_eq!(channels.len(), self.out_channels, "per-channel parameters");
    }

    /// The accumulator of output channel `oc` at output position `(oy, ox)`, bias included.
    #[inline(always)]
    pub(crate) fn accumulate(
        &self,
        input: &[i8],
        filter: &[i8],
        bias: i32,
        input_zero_point: i32,
        oy: usize,
        ox: usize,
    ) -> i32 {
        let row_len = self.kernel_width * self.in_channels;
        let mut acc = bias;
        for ky in 0..self.kernel_height {
            let start = ((oy + ky) * self.in_width + ox) * self.in_channels;
            let pixels = &input[start..start + row_len];
            let taps = &filter[ky * row_len..(ky + 1) * row_len];
            for (&w, &x) in taps.iter().zip(pixels) {
                acc += i32::from(w) * (i32::from(x) - input_zero_point);
            }
        }
        acc
    }
}

/// Valid 2-D convolution with stride 1, requantised per output channel.
///
/// - `input`: `[in_height][in_width][in_channels]`, int8, zero point `stage.input_zero_point`.
/// - `weights`: `[out_channels][kernel_height][kernel_width][in_channels]`, int8 in
///   `-127..=127`, zero point 0.
/// - `channels`: `[out_channels]` bias, multiplier and shift.
/// - `output`: `[out_height][out_width][out_channels]`, int8, clamped to
///   `stage.act_min..=stage.act_max` (a ReLU when `act_min` is the output zero point).
///
/// # Panics
/// If a slice's length does not match `shape`. The caller must also keep every accumulator
/// inside `i32` ([`crate::model`] checks the biases for this when it loads a blob).
pub fn conv2d(
    shape: &ConvShape,
    input: &[i8],
    weights: &[i8],
    channels: &[ChannelQuant],
    stage: &OutputStage,
    output: &mut [i8],
) {
    shape.check(input, weights, channels);
    assert_eq!(output.len(), shape.output_len(), "output length");

    let filter_len = shape.dot_len();
    let mut outputs = output.iter_mut();
    for oy in 0..shape.out_height() {
        for ox in 0..shape.out_width() {
            for (filter, quant) in weights.chunks_exact(filter_len).zip(channels) {
                let acc =
                    shape.accumulate(input, filter, quant.bias, stage.input_zero_point, oy, ox);
                if let Some(out) = outputs.next() {
                    *out = stage.requantize(acc, quant);
                }
            }
        }
    }
}
