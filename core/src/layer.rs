//! A validated, runnable layer: a [`LayerBlob`] checked against the shape the network needs.

use crate::error::{Error, LayerName, Result};
use crate::format::LayerBlob;
use crate::quant::{ChannelQuant, OutputStage, QuantParams};
use crate::shapes::max_abs_sum;

/// The shape a layer must have, `[out][kernel_height][kernel_width][in]`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Expected {
    pub name: LayerName,
    pub kernel_height: usize,
    pub kernel_width: usize,
    pub in_channels: usize,
}

/// A layer with `OUT` output channels, ready to run: weights borrowed from the blob, the small
/// per-channel parameters decoded once, the output stage fixed.
#[derive(Clone, Debug)]
pub struct Layer<'a, const OUT: usize> {
    pub(crate) weights: &'a [i8],
    pub(crate) channels: [ChannelQuant; OUT],
    /// `bias - input_zero_point * Σ w` per channel: the accumulator's start when the inputs are
    /// summed without their zero point (what the DSP kernels do).
    pub(crate) folded_bias: [i32; OUT],
    pub(crate) stage: OutputStage,
    pub(crate) output: QuantParams,
}

impl<'a, const OUT: usize> Layer<'a, OUT> {
    /// Checks `blob` against `expected` and the quantisation of its input, then builds it.
    pub(crate) fn load(
        blob: &LayerBlob<'a>,
        expected: Expected,
        input: QuantParams,
    ) -> Result<Self> {
        let layer = expected.name;

        check_dimension(layer, "out_channels", OUT, blob.out_channels)?;
        check_dimension(
            layer,
            "kernel_height",
            expected.kernel_height,
            blob.kernel_height,
        )?;
        check_dimension(
            layer,
            "kernel_width",
            expected.kernel_width,
            blob.kernel_width,
        )?;
        check_dimension(layer, "in_channels", expected.in_channels, blob.in_channels)?;
        let dot_len = expected.kernel_height * expected.kernel_width * expected.in_channels;

        check_length(layer, "weights", OUT * dot_len, blob.weights)?;
        check_length(layer, "bias", OUT * 4, blob.bias)?;
        check_length(layer, "multiplier", OUT * 4, blob.multiplier)?;
        check_length(layer, "shift", OUT, blob.shift)?;
        if !blob.output.is_valid() {
            return Err(Error::BadQuantParams { layer });
        }

        // Two's-complement bytes reinterpreted as i8: same size and alignment, no copy.
        let weights: &[i8] = bytemuck::cast_slice(blob.weights);
        if let Some(index) = weights.iter().position(|&w| w == i8::MIN) {
            return Err(Error::WeightOutOfRange { layer, index });
        }

        let mut channels = [ChannelQuant::default(); OUT];
        let mut folded_bias = [0i32; OUT];
        let filters = weights.chunks_exact(dot_len);
        for (channel, (quant, filter)) in channels.iter_mut().zip(filters).enumerate() {
            *quant = read_channel(blob, channel);
            check_channel(layer, channel, quant, dot_len)?;

            // Cannot overflow: |bias| + 255·127·dot_len fits (checked above), and
            // |zero_point · Σ w| ≤ 128·127·dot_len.
            let weight_sum: i32 = filter.iter().map(|&w| i32::from(w)).sum();
            folded_bias[channel] = quant.bias - input.zero_point * weight_sum;
        }

        let stage = OutputStage::new(input.zero_point, blob.output.zero_point, blob.relu);
        Ok(Layer {
            weights,
            channels,
            folded_bias,
            stage,
            output: blob.output,
        })
    }

    /// The quantisation of this layer's output.
    pub fn output_quant(&self) -> QuantParams {
        self.output
    }

    /// Each channel's accumulator start when inputs are summed without their zero point:
    /// `bias - input_zero_point · Σ w`.
    pub fn folded_bias(&self) -> &[i32; OUT] {
        &self.folded_bias
    }

    /// The layer's int8 weights, as laid out in the blob.
    pub fn weights(&self) -> &'a [i8] {
        self.weights
    }
}

fn check_dimension(
    layer: LayerName,
    dimension: &'static str,
    expected: usize,
    found: u32,
) -> Result<()> {
    if found as usize == expected {
        Ok(())
    } else {
        Err(Error::Shape {
            layer,
            dimension,
            expected,
            found: found as usize,
        })
    }
}

fn check_length(
    layer: LayerName,
    array: &'static str,
    expected: usize,
    bytes: &[u8],
) -> Result<()> {
    if bytes.len() == expected {
        Ok(())
    } else {
        Err(Error::ArrayLength {
            layer,
            array,
            expected,
            found: bytes.len(),
        })
    }
}

fn read_channel(blob: &LayerBlob<'_>, channel: usize) -> ChannelQuant {
    let word = |bytes: &[u8]| {
        let at = channel * 4;
        i32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
    };
    ChannelQuant {
        bias: word(blob.bias),
        multiplier: word(blob.multiplier),
        shift: i32::from(blob.shift[channel] as i8),
    }
}

/// A multiplier is 0 (the channel outputs its zero point) or Q0.31 in `[2^30, 2^31)`; the bias
/// leaves room for the worst-case sum of `dot_len` products.
fn check_channel(
    layer: LayerName,
    channel: usize,
    quant: &ChannelQuant,
    dot_len: usize,
) -> Result<()> {
    let multiplier_ok = quant.multiplier == 0 || quant.multiplier >= 1 << 30;
    if !multiplier_ok || !(-31..=30).contains(&quant.shift) {
        return Err(Error::BadRequantization { layer, channel });
    }
    if i64::from(quant.bias).abs() + max_abs_sum(dot_len) > i64::from(i32::MAX) {
        return Err(Error::BiasTooLarge { layer, channel });
    }
    Ok(())
}
