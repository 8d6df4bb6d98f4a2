//! Integer requantisation with TensorFlow Lite's int8 semantics.
//!
//! A layer's int32 accumulator is brought back to int8 by a real multiplier
//! `input_scale * weight_scale / output_scale`, held as a Q0.31 fixed-point value `multiplier`
//! in `[2^30, 2^31)` and a power-of-two exponent `shift` (positive shifts left):
//!
//! ```text
//! real ≈ multiplier / 2^31 * 2^shift
//! out  = clamp(round(acc * real) + output_zero_point, act_min, act_max)
//! ```
//!
//! The rounding is TensorFlow Lite's reference ("double rounding"):
//! 1. a left shift of `max(shift, 0)`, saturating at the `i32` range;
//! 2. [`rounding_doubling_high_mul`]: the high 32 bits of `2 * a * b`, rounded to nearest with
//!    ties upward (gemmlowp's nudge), saturating the single overflow `i32::MIN * i32::MIN`;
//! 3. [`rounding_divide_by_pot`] by `max(-shift, 0)`: a right shift rounded half away from zero.
//!
//! Only integers are used here at inference; [`quantize_multiplier`] is the one place a float is
//! read, and it runs when a model is exported, never when it is run.

use serde::{Deserialize, Serialize};

/// Scale of the network's input: a raw pixel `p` in `0..=255` stands for `p / 255`.
pub const INPUT_SCALE: f32 = 1.0 / 255.0;

/// Zero point of the network's input: `q = p - 128`, so `p / 255 = (q + 128) / 255` exactly.
pub const INPUT_ZERO_POINT: i32 = -128;

/// Largest magnitude of a symmetric int8 weight (the value -128 is never used).
pub const WEIGHT_MAX: i32 = 127;

/// Per-tensor affine quantisation of an activation: `real = scale * (q - zero_point)`.
///
/// `scale` is metadata: it is read when a model is exported, when a head is paired with a
/// feature extractor, and to show real-valued logits; inference never touches it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct QuantParams {
    /// Size of one quantisation step, in real units. Positive and finite.
    pub scale: f32,
    /// The int8 value that stands for real zero, in `-128..=127`.
    pub zero_point: i32,
}

impl QuantParams {
    /// The network's input quantisation: [`INPUT_SCALE`], [`INPUT_ZERO_POINT`].
    pub const INPUT: QuantParams = QuantParams {
        scale: INPUT_SCALE,
        zero_point: INPUT_ZERO_POINT,
    };

    /// The real value that `q` stands for. For display on the host; not used at inference.
    pub fn dequantize(&self, q: i8) -> f32 {
        self.scale * (i32::from(q) - self.zero_point) as f32
    }

    /// Whether the scale is positive and finite and the zero point fits int8.
    pub fn is_valid(&self) -> bool {
        self.scale.is_finite() && self.scale > 0.0 && (-128..=127).contains(&self.zero_point)
    }
}

/// One output channel's integer parameters: `out = requantize(bias + Σ w·(x - input_zp))`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ChannelQuant {
    /// Bias, in units of `input_scale * weight_scale`, zero point 0.
    pub bias: i32,
    /// Q0.31 multiplier in `[2^30, 2^31)`, or 0 for a channel whose real multiplier is 0.
    pub multiplier: i32,
    /// Power-of-two exponent applied with the multiplier, in `-31..=30`; positive is left.
    pub shift: i32,
}

/// How a layer's accumulators become int8 outputs: the zero points on either side and the
/// output clamp (a ReLU is folded in by raising `act_min` to the output zero point).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct OutputStage {
    /// Zero point of the layer's input, subtracted from every input value.
    pub input_zero_point: i32,
    /// Zero point of the layer's output, added after requantisation.
    pub output_zero_point: i32,
    /// Lowest output value, in `-128..=127`.
    pub act_min: i32,
    /// Highest output value, in `act_min..=127`.
    pub act_max: i32,
}

impl OutputStage {
    /// The output stage of a layer between `input` and `output` zero points, with or without a
    /// folded ReLU.
    pub const fn new(input_zero_point: i32, output_zero_point: i32, relu: bool) -> Self {
        let act_min = if relu && output_zero_point > -128 {
            output_zero_point
        } else {
            -128
        };
        OutputStage {
            input_zero_point,
            output_zero_point,
            act_min,
            act_max: 127,
        }
    }

    /// Requantises one accumulator of channel `quant` to the int8 output.
    #[inline(always)]
    pub fn requantize(&self, acc: i32, quant: &ChannelQuant) -> i8 {
        let scaled = multiply_by_quantized_multiplier(acc, quant.multiplier, quant.shift);
        let out = scaled.saturating_add(self.output_zero_point);
        out.clamp(self.act_min, self.act_max) as i8
    }
}

/// High 32 bits of `2 * a * b` (`a * b / 2^31`), rounded to nearest with ties toward +∞;
/// `i32::MIN * i32::MIN` saturates to `i32::MAX` (the only product that does not fit).
#[inline(always)]
pub fn rounding_doubling_high_mul(a: i32, b: i32) -> i32 {
    if a == i32::MIN && b == i32::MIN {
        return i32::MAX;
    }
    let product = i64::from(a) * i64::from(b);
    // Q62 product to Q31: nudge by +2^30 (or 1 - 2^30 below zero), then divide truncating
    // toward zero. Ties land on the upper neighbour on both sides of zero.
    let nudge: i64 = if product >= 0 { 1 << 30 } else { 1 - (1 << 30) };
    ((product + nudge) / (1i64 << 31)) as i32
}

/// `x / 2^exponent`, rounded half away from zero. `exponent` is in `0..=31`.
#[inline(always)]
pub fn rounding_divide_by_pot(x: i32, exponent: u32) -> i32 {
    debug_assert!(exponent <= 31);
    let mask = ((1i64 << exponent) - 1) as i32;
    let remainder = x & mask;
    // Ties go up for positive x and down (away from zero) for negative x.
    let threshold = (mask >> 1) + i32::from(x < 0);
    (x >> exponent) + i32::from(remainder > threshold)
}

/// `acc * multiplier / 2^31 * 2^shift`, rounded as TensorFlow Lite's reference kernels round.
///
/// A left shift that would overflow saturates (TensorFlow Lite leaves that case undefined);
/// with the accumulator bounds of this network and multipliers below 1 it never happens.
#[inline(always)]
pub fn multiply_by_quantized_multiplier(acc: i32, multiplier: i32, shift: i32) -> i32 {
    let left = shift.clamp(0, 30) as u32;
    let right = (-shift).clamp(0, 31) as u32;
    let shifted = acc.saturating_mul(1 << left);
    rounding_divide_by_pot(rounding_doubling_high_mul(shifted, multiplier), right)
}

/// Splits a non-negative real multiplier into TensorFlow Lite's `(multiplier, shift)` pair.
///
/// The result satisfies `real ≈ multiplier * 2^(shift - 31)` with `multiplier` in
/// `[2^30, 2^31)`, rounded to nearest. Zero, negative, subnormal-small and non-finite inputs
/// give `(0, 0)` (a channel that always outputs its zero point); values too large for a
/// `shift` of 30 saturate to the largest representable multiplier.
pub fn quantize_multiplier(real: f64) -> (i32, i32) {
    if !real.is_finite() || real <= 0.0 {
        return (0, 0);
    }

    // real = fraction * 2^exponent with fraction in [0.5, 1), read from the IEEE-754 bits.
    let (fraction, mut exponent) = frexp(real);

    // fraction * 2^31, rounded half away from zero; a fraction that rounds up to 1.0 carries.
    let scaled = fraction * 2_147_483_648.0;
    let truncated = scaled as i64;
    let mut fixed = truncated + i64::from(scaled - truncated as f64 >= 0.5);
    if fixed == 1i64 << 31 {
        fixed /= 2;
        exponent += 1;
    }

    if exponent < -31 {
        return (0, 0);
    }
    if exponent > 30 {
        return (i32::MAX, 30);
    }
    (fixed as i32, exponent)
}

/// `x = fraction * 2^exponent`, fraction in `[0.5, 1)`, for positive finite `x`.
fn frexp(x: f64) -> (f64, i32) {
    const MANTISSA_BITS: u32 = 52;
    const EXPONENT_MASK: u64 = 0x7ff;
    let bits = x.to_bits();
    let biased = ((bits >> MANTISSA_BITS) & EXPONENT_MASK) as i32;
    if biased == 0 {
        // Subnormal: scale into the normal range first (2^64 is exact).
        let (fraction, exponent) = frexp(x * 18_446_744_073_709_551_616.0);
        return (fraction, exponent - 64);
    }
    // Replace the exponent field with the one of 0.5 (biased 1022).
    let fraction_bits = (bits & !(EXPONENT_MASK << MANTISSA_BITS)) | (1022u64 << MANTISSA_BITS);
    (f64::from_bits(fraction_bits), biased - 1022)
}

/// One channel's requantisation in the form the DSP kernels use: valid only when the real
/// multiplier is below 1/2 (`shift <= -1`) and `|acc| < 2^30`, where it gives exactly
/// [`OutputStage::requantize`]'s result (see [`requantize_narrow`]). Trained layers' multipliers
/// are far below that (input scale × weight scale ≪ output scale).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NarrowQuant {
    /// The Q0.31 multiplier.
    pub multiplier: i32,
    /// The right shift, `-shift`, in `1..=31`.
    pub right_shift: u32,
}

impl NarrowQuant {
    /// The narrow form of `quant`, or `None` when its multiplier is 1/2 or more.
    pub fn new(quant: &ChannelQuant) -> Option<Self> {
        (-31..=-1).contains(&quant.shift).then_some(NarrowQuant {
            multiplier: quant.multiplier,
            right_shift: quant.shift.unsigned_abs(),
        })
    }
}

/// [`OutputStage::requantize`] for `|acc| < 2^30` and a right shift of at least 1, in fewer
/// steps.
///
/// `rounding_doubling_high_mul(acc, m)` is `floor((acc·m + 2^30) / 2^31)` (ties upward on both
/// sides of zero), which is `floor((2·acc·m + 2^31) / 2^32)`: one rounding high multiply
/// (`SMMULR` on a Cortex-M4) of `2·acc`, which fits an `i32` under the bound. The rounding right
/// shift then adds half, less one for negative values (`high >> 31` is -1 or 0), and shifts.
#[inline(always)]
pub fn requantize_narrow(acc: i32, quant: NarrowQuant, stage: &OutputStage) -> i8 {
    let high = ((i64::from(acc << 1) * i64::from(quant.multiplier) + (1 << 31)) >> 32) as i32;
    let right = quant.right_shift;
    let shifted = (high + (1 << (right - 1)) + (high >> 31)) >> right;
    (shifted + stage.output_zero_point).clamp(stage.act_min, stage.act_max) as i8
}
