//! Kernels for Cortex-M4/M7 cores with the DSP extension: the same arithmetic as
//! [`crate::kernels`], bit for bit, in far fewer instructions.
//!
//! The portable kernels stay the reference; these are checked against them by the firmware
//! harness (every logit of hundreds of test images, on QEMU's Cortex-M4). What makes them fast:
//!
//! - **Two MACs per instruction.** `SMLAD` multiplies two pairs of signed 16-bit values and adds
//!   both products to an accumulator. Activations and conv2's weights are widened to 16 bits
//!   in RAM once, so the conv2 inner step is three `LDRD` and eight `SMLAD` for sixteen MACs.
//! - **Register blocking.** conv2 computes two output pixels for two channels at a time, so
//!   every loaded word feeds two `SMLAD`; dense1 computes two units at a time.
//! - **Zero features skipped.** dense1 walks a list of the groups of four features that are not
//!   all zero (after ReLU and pooling most are), built once per image.
//! - **Zero points folded into conv2's bias** at load time (`bias - zp·Σw`), so no
//!   subtraction runs per MAC.
//! - **Cheaper requantisation** ([`crate::quant::requantize_narrow`]): one rounding high
//!   multiply, exact under bounds checked once by [`DspModel::new`].
//! - **Blank patches skipped.** MNIST digits leave much of the image 0. Where a 3×3 patch of
//!   the image is blank, conv1's output is known (its requantised bias); where the image rows
//!   that one kernel row of a conv2 output sees are blank, so is that row's sum. Both are
//!   computed once per image and added, so the answer is the same bit for bit, and the cost
//!   depends on the ink.
//! - **Streaming.** conv1 produces rows into a four-row window just ahead of conv2, so the
//!   26×26×32 conv1 tensor is never stored whole: RAM stays at [`DSP_SCRATCH_BYTES`].

mod conv1;
mod conv2_pool;
mod dense;

use crate::error::{Error, LayerName, Result};
use crate::kernels;
use crate::layer::Layer;
use crate::model::{Model, Prediction};
use crate::quant::NarrowQuant;
use crate::shapes::*;

/// conv1 rows held at once: the four that one row of pooled conv2 outputs reads.
pub(crate) const WINDOW_ROWS: usize = 4;
/// Values in the window of widened conv1 rows.
pub(crate) const WINDOW_LEN: usize = WINDOW_ROWS * CONV1_WIDTH * CHANNELS;
/// conv2 weights, widened.
pub(crate) const CONV2_WEIGHTS: usize = CHANNELS * KERNEL * KERNEL * CHANNELS;
const _: () = assert!(
    dense::LIST_WORDS * 2 <= CONV2_WEIGHTS,
    "dense1's list reuses `wide`"
);

/// `N` values kept 8-byte aligned, as `LDRD` needs.
#[derive(Clone)]
#[repr(C, align(8))]
pub(crate) struct Aligned<T>(pub(crate) T);

/// Working memory of the DSP kernels, owned by the caller (a `static` on a device).
#[derive(Clone)]
pub struct DspScratch {
    /// conv1 rows `2·py .. 2·py + 4`, `[4][26][32]`, widened to 16 bits.
    pub(crate) window: Aligned<[i16; WINDOW_LEN]>,
    /// conv2's weights widened in kernel order; after conv2, dense1's list of feature groups.
    pub(crate) wide: Aligned<[i16; CONV2_WEIGHTS]>,
    /// conv1's biases and weights, packed per channel (see `conv1::pack_weights`).
    pub(crate) conv1_weights: Aligned<[u32; CHANNELS * conv1::CHANNEL_WORDS]>,
    /// Per image row, a bit for each pixel that is not 0 (bit `x` for column `x`).
    pub(crate) ink: [u32; IMAGE_HEIGHT],
    /// conv1's output where its 3×3 patch is blank (all pixels 0): ReLU of the requantised bias.
    pub(crate) blank_conv1: [i16; CHANNELS],
    /// What conv2 sums over blank parts of its window.
    pub(crate) blanks: conv2_pool::Blanks,
    /// The feature vector, `[12][12][32]`.
    pub(crate) features: [i8; FEATURES],
    /// dense1's output.
    pub(crate) hidden: [i8; HIDDEN],
}

/// Bytes of [`DspScratch`].
pub const DSP_SCRATCH_BYTES: usize = core::mem::size_of::<DspScratch>();

impl DspScratch {
    /// Zeroed scratch; `const`, so it can initialise a `static`.
    pub const fn new() -> Self {
        DspScratch {
            window: Aligned([0; WINDOW_LEN]),
            wide: Aligned([0; CONV2_WEIGHTS]),
            conv1_weights: Aligned([0; CHANNELS * conv1::CHANNEL_WORDS]),
            ink: [0; IMAGE_HEIGHT],
            blank_conv1: [0; CHANNELS],
            blanks: conv2_pool::Blanks::new(),
            features: [0; FEATURES],
            hidden: [0; HIDDEN],
        }
    }

    /// The feature vector left by the last [`DspModel::features`].
    pub fn features(&self) -> &[i8; FEATURES] {
        &self.features
    }
}

impl Default for DspScratch {
    fn default() -> Self {
        Self::new()
    }
}

/// A [`Model`] checked to be within what the DSP kernels compute exactly.
#[derive(Clone, Copy, Debug)]
pub struct DspModel<'m, 'a> {
    model: Model<'m, 'a>,
}

impl<'m, 'a> DspModel<'m, 'a> {
    /// Checks every layer: multipliers below 1/2 (see [`NarrowQuant`]), and accumulators that
    /// stay inside ±2^30 for any input.
    ///
    /// # Errors
    /// [`Error::DspUnsupported`] naming the first layer outside those bounds.
    pub fn new(model: Model<'m, 'a>) -> Result<Self> {
        let features = model.features;
        let head = model.head;
        // conv1 and dense1 sum `x - zero_point` (up to 255 in size) from their own bias; conv2
        // sums raw int8 values (-128..=127) from the folded bias.
        check_narrow(
            &features.conv1,
            LayerName::Conv1,
            255,
            &features.conv1.channels_bias(),
        )?;
        check_narrow(
            &features.conv2,
            LayerName::Conv2,
            128,
            &features.conv2.folded_bias,
        )?;
        check_narrow(
            &head.dense1,
            LayerName::Dense1,
            255,
            &head.dense1.channels_bias(),
        )?;
        Ok(DspModel { model })
    }

    /// The model it runs.
    pub fn model(&self) -> Model<'m, 'a> {
        self.model
    }

    /// Classifies a 28×28 image of raw pixels; the same result as [`Model::classify`].
    pub fn classify(&self, image: &[u8; IMAGE_PIXELS], scratch: &mut DspScratch) -> Prediction {
        self.features(image, scratch);
        self.dense1(scratch);
        let logits = self.dense2(scratch);

        let index = kernels::argmax(&logits).unwrap_or(0);
        Prediction {
            index,
            label: self.model.head.labels()[index],
            logits,
        }
    }

    /// Steps 1 and 2, interleaved: conv1, conv2, ReLU and max-pool into the feature vector.
    pub fn features(&self, image: &[u8; IMAGE_PIXELS], scratch: &mut DspScratch) {
        let extractor = self.model.features;
        find_ink(image, &mut scratch.ink);
        conv1::pack_weights(
            &extractor.conv1,
            &mut scratch.conv1_weights.0,
            &mut scratch.blank_conv1,
        );
        conv2_pool::widen_weights(
            &extractor.conv2,
            &scratch.blank_conv1,
            &mut scratch.wide.0,
            &mut scratch.blanks,
        );

        for py in 0..POOLED_HEIGHT {
            // Pooled row py reads conv1 rows 2py..2py+4: keep the two it shares with the row
            // before, compute the two that are new.
            let first_new = if py == 0 { 0 } else { 2 };
            if py > 0 {
                let row = CONV1_WIDTH * CHANNELS;
                scratch.window.0.copy_within(2 * row..4 * row, 0);
            }
            for slot in first_new..WINDOW_ROWS {
                let oy = 2 * py + slot;
                conv1::row(image, oy, slot, scratch);
            }
            conv2_pool::pooled_row(&extractor.conv2, py, scratch);
        }
    }

    /// conv1 alone over the whole image, into the window (rows overwrite each other): for
    /// measuring conv1's share of [`DspModel::features`], nothing else.
    pub fn conv1_only(&self, image: &[u8; IMAGE_PIXELS], scratch: &mut DspScratch) {
        let conv1 = &self.model.features.conv1;
        find_ink(image, &mut scratch.ink);
        conv1::pack_weights(
            conv1,
            &mut scratch.conv1_weights.0,
            &mut scratch.blank_conv1,
        );
        for oy in 0..CONV1_HEIGHT {
            conv1::row(image, oy, oy % WINDOW_ROWS, scratch);
        }
    }

    /// Step 3: dense1 + ReLU.
    pub fn dense1(&self, scratch: &mut DspScratch) {
        let layer = &self.model.head.dense1;
        let DspScratch {
            wide,
            features,
            hidden,
            ..
        } = scratch;
        // The widened weights of conv2 are spent: the list of inked groups takes their place.
        let list: &mut [u32] = bytemuck::cast_slice_mut(&mut wide.0[..]);
        let count = dense::list_groups(features, layer.stage.input_zero_point, list);
        dense::dense_pairs(layer, list, count, hidden);
    }

    /// Step 4: dense2 (640 MACs: the portable kernel).
    pub fn dense2(&self, scratch: &DspScratch) -> [i8; CLASSES] {
        let layer = &self.model.head.dense2;
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

/// Marks, row by row, the pixels that are not 0: a patch with no mark is blank, and every
/// output computed only from blank pixels is known in advance.
fn find_ink(image: &[u8; IMAGE_PIXELS], ink: &mut [u32; IMAGE_HEIGHT]) {
    for (mask, row) in ink.iter_mut().zip(image.chunks_exact(IMAGE_WIDTH)) {
        *mask = row
            .iter()
            .enumerate()
            .fold(0, |mask, (x, &p)| mask | u32::from(p != 0) << x);
    }
}

impl<const OUT: usize> Layer<'_, OUT> {
    fn channels_bias(&self) -> [i32; OUT] {
        core::array::from_fn(|c| self.channels[c].bias)
    }

    /// The narrow requantisation of channel `c` (valid after [`DspModel::new`]).
    #[inline(always)]
    pub(crate) fn narrow(&self, c: usize) -> NarrowQuant {
        let quant = &self.channels[c];
        NarrowQuant {
            multiplier: quant.multiplier,
            right_shift: (-quant.shift) as u32,
        }
    }
}

/// Every channel has a narrow form, and `|start| + 127·max_input·dot_len < 2^30`.
fn check_narrow<const OUT: usize>(
    layer: &Layer<'_, OUT>,
    name: LayerName,
    max_input: i64,
    start: &[i32; OUT],
) -> Result<()> {
    let dot_len = (layer.weights.len() / OUT) as i64;
    let bound = 127 * max_input * dot_len;
    let fits = layer.channels.iter().zip(start).all(|(quant, &start)| {
        NarrowQuant::new(quant).is_some() && i64::from(start).abs() + bound < 1 << 30
    });
    if fits {
        Ok(())
    } else {
        Err(Error::DspUnsupported { layer: name })
    }
}
