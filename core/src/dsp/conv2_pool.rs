//! conv2 (3×3, 32 → 32 channels, ReLU) fused with the 2×2 max-pool, one pooled row at a time,
//! on a hand-scheduled `SMLAD` block of 2 pixels × 2 channels, one kernel row at a time.

use core::arch::asm;

use super::DspScratch;
use crate::layer::Layer;
use crate::quant::requantize_narrow;
use crate::shapes::{CHANNELS, CONV1_WIDTH, KERNEL, POOLED_WIDTH};

/// Values of one kernel row over all input channels: `kx` and `c` run contiguously.
const ROW_TAPS: usize = KERNEL * CHANNELS;
/// Groups of four taps per kernel row.
const GROUPS: usize = ROW_TAPS / 4;
/// Widened weights of one channel pair: `[ky][group][channel of the pair][4]`.
const PAIR_WEIGHTS: usize = KERNEL * GROUPS * 2 * 4;

const _: () = assert!(ROW_TAPS.is_multiple_of(4) && CHANNELS.is_multiple_of(2));
const _: () = assert!(PAIR_WEIGHTS * CHANNELS / 2 == CHANNELS * KERNEL * ROW_TAPS);

/// Widens conv2's weights into the block's order: for each channel pair, each kernel row, each
/// group of four taps, the pair's first channel's four taps, then the second's.
///
/// Also writes what blank patches contribute (see [`Blanks`]), from conv1's output for a blank
/// patch, `blank_conv1`.
pub(crate) fn widen_weights(
    layer: &Layer<'_, CHANNELS>,
    blank_conv1: &[i16; CHANNELS],
    wide: &mut [i16],
    blanks: &mut Blanks,
) {
    let weights = layer.weights;
    let filter_len = KERNEL * ROW_TAPS;
    for (c, filter) in weights.chunks_exact(filter_len).enumerate() {
        let mut total = layer.folded_bias[c];
        for (ky, taps) in filter.chunks_exact(ROW_TAPS).enumerate() {
            let mut sum = 0;
            for pixel in taps.chunks_exact(CHANNELS) {
                for (&w, &x) in pixel.iter().zip(blank_conv1) {
                    sum += i32::from(w) * i32::from(x);
                }
            }
            blanks.row[ky][c] = sum;
            total += sum;
        }
        blanks.window[c] = total;
        blanks.features[c] = requantize_narrow(total, layer.narrow(c), &layer.stage);
    }

    for (pair, out) in wide.chunks_exact_mut(PAIR_WEIGHTS).enumerate() {
        let filters = &weights[2 * pair * filter_len..(2 * pair + 2) * filter_len];
        let (first, second) = filters.split_at(filter_len);
        let groups = first.chunks_exact(4).zip(second.chunks_exact(4));
        for (slots, (w0, w1)) in out.chunks_exact_mut(8).zip(groups) {
            for j in 0..4 {
                slots[j] = i16::from(w0[j]);
                slots[4 + j] = i16::from(w1[j]);
            }
        }
    }
}

/// What conv2 adds up over parts of its window that see only blank image patches, where
/// conv1's output is known in advance.
#[derive(Clone)]
pub(crate) struct Blanks {
    /// Per kernel row and channel: `Σ w · blank_conv1` over that row's taps.
    pub(crate) row: [[i32; CHANNELS]; KERNEL],
    /// Per channel: the folded bias plus all three rows, the accumulator of a blank window.
    pub(crate) window: [i32; CHANNELS],
    /// Per channel: the pooled output where all four conv2 outputs see only blank patches.
    pub(crate) features: [i8; CHANNELS],
}

impl Blanks {
    pub(crate) const fn new() -> Self {
        Blanks {
            row: [[0; CHANNELS]; KERNEL],
            window: [0; CHANNELS],
            features: [0; CHANNELS],
        }
    }
}

/// Pooled output row `py`, all columns and channels, from the window of conv1 rows
/// `2py..2py+4` (window row 0 is conv1 row `2py`).
pub(crate) fn pooled_row(layer: &Layer<'_, CHANNELS>, py: usize, scratch: &mut DspScratch) {
    let DspScratch {
        window,
        wide,
        ink,
        blanks,
        features,
        ..
    } = scratch;
    let (window, wide) = (&window.0, &wide.0);
    let row_len = CONV1_WIDTH * CHANNELS;

    // Window row r (conv1 row 2py + r) is computed from image rows 2py + r .. 2py + r + 3.
    let ink3 = |r: usize| ink[2 * py + r] | ink[2 * py + r + 1] | ink[2 * py + r + 2];
    let rows_ink = [ink3(0), ink3(1), ink3(2), ink3(3)];

    for px in 0..POOLED_WIDTH {
        // The pair of conv2 outputs at columns 2px, 2px+1 reads conv1 columns 2px..2px+4, made
        // from image columns 2px..2px+6; kernel row ky of the top pair reads window row ky,
        // of the bottom pair window row ky + 1.
        let blank = |r: usize| (rows_ink[r] >> (2 * px)) & 0x3f == 0;
        let top_blank = [blank(0), blank(1), blank(2)];
        let bottom_blank = [blank(1), blank(2), blank(3)];

        let top = &window[2 * px * CHANNELS..];
        let bottom = &window[row_len + 2 * px * CHANNELS..];
        let out = &mut features[(py * POOLED_WIDTH + px) * CHANNELS..][..CHANNELS];
        if top_blank == [true; KERNEL] && bottom_blank == [true; KERNEL] {
            out.copy_from_slice(&blanks.features);
            continue;
        }

        for (pair, weights) in wide.chunks_exact(PAIR_WEIGHTS).enumerate() {
            let (c0, c1) = (2 * pair, 2 * pair + 1);
            let upper = pair_block(layer, blanks, top, weights, (c0, c1), top_blank);
            let lower = pair_block(layer, blanks, bottom, weights, (c0, c1), bottom_blank);

            // Requantisation is monotonic: pool the accumulators, requantise once.
            let max0 = upper[0].max(upper[2]).max(lower[0]).max(lower[2]);
            let max1 = upper[1].max(upper[3]).max(lower[1]).max(lower[3]);
            out[c0] = requantize_narrow(max0, layer.narrow(c0), &layer.stage);
            out[c1] = requantize_narrow(max1, layer.narrow(c1), &layer.stage);
        }
    }
}

/// Accumulators of two neighbouring pixels × channels `(c0, c1)`:
/// `[p0·c0, p0·c1, p1·c0, p1·c1]`. Kernel rows that see only blank patches add their known
/// sums instead of being computed.
#[inline(always)]
fn pair_block(
    layer: &Layer<'_, CHANNELS>,
    blanks: &Blanks,
    x: &[i16],
    weights: &[i16],
    (c0, c1): (usize, usize),
    blank: [bool; KERNEL],
) -> [i32; 4] {
    if blank == [true; KERNEL] {
        let [b0, b1] = [blanks.window[c0], blanks.window[c1]];
        return [b0, b1, b0, b1];
    }

    let row_len = CONV1_WIDTH * CHANNELS;
    let [s0, s1] = [layer.folded_bias[c0], layer.folded_bias[c1]];
    let mut acc = [s0, s1, s0, s1];
    for ky in 0..KERNEL {
        if blank[ky] {
            let [b0, b1] = [blanks.row[ky][c0], blanks.row[ky][c1]];
            acc = [acc[0] + b0, acc[1] + b1, acc[2] + b0, acc[3] + b1];
        } else {
            let taps = &weights[ky * ROW_WEIGHTS..(ky + 1) * ROW_WEIGHTS];
            acc = kernel_row(&x[ky * row_len..], taps, acc);
        }
    }
    acc
}

/// One group of four taps: pixel 0 and pixel 1 (32 values further on) against the pair's two
/// channels. Twelve instructions, sixteen MACs.
macro_rules! group {
    () => {
        concat!(
            "ldrd {p1a}, {p1b}, [{x}, #64]\n",
            "ldrd {p0a}, {p0b}, [{x}], #8\n",
            "ldrd {wa}, {wb}, [{w}], #16\n",
            "smlad {a00}, {p0a}, {wa}, {a00}\n",
            "smlad {a00}, {p0b}, {wb}, {a00}\n",
            "smlad {a10}, {p1a}, {wa}, {a10}\n",
            "smlad {a10}, {p1b}, {wb}, {a10}\n",
            "ldrd {wa}, {wb}, [{w}, #-8]\n",
            "smlad {a01}, {p0a}, {wa}, {a01}\n",
            "smlad {a01}, {p0b}, {wb}, {a01}\n",
            "smlad {a11}, {p1a}, {wa}, {a11}\n",
            "smlad {a11}, {p1b}, {wb}, {a11}\n",
        )
    };
}

/// Widened weights of one kernel row of a channel pair.
const ROW_WEIGHTS: usize = GROUPS * 2 * 4;
/// Window values one kernel row reads from its first pixel on: its taps, and one pixel further.
const ROW_SPAN: usize = (GROUPS - 1) * 4 + CHANNELS + 4;
const _: () = assert!(GROUPS == 24, "kernel_row unrolls 24 groups");
const _: () =
    assert!((CHANNELS * 2).is_multiple_of(4) && (CONV1_WIDTH * CHANNELS * 2).is_multiple_of(4));
const _: () = assert!((ROW_WEIGHTS * 2).is_multiple_of(4) && (PAIR_WEIGHTS * 2).is_multiple_of(4));

/// One kernel row (96 taps) of both pixels and both channels, added to `acc`
/// (`[p0·c0, p0·c1, p1·c0, p1·c1]`): 288 instructions, 384 MACs.
///
/// `x` starts at pixel 0's first tap of the row in the window (pixel 1 follows it); `weights`
/// is the row's widened weights of the pair.
#[inline(always)]
fn kernel_row(x: &[i16], weights: &[i16], acc: [i32; 4]) -> [i32; 4] {
    assert!(x.len() >= ROW_SPAN && weights.len() == ROW_WEIGHTS);
    // Both point into 8-aligned buffers (`Aligned`) at whole words: pixels are 64 bytes apart,
    // window rows 1664, kernel rows of weights 384 and pairs 1152 (see the const asserts).
    debug_assert!((x.as_ptr() as usize).is_multiple_of(4));
    debug_assert!((weights.as_ptr() as usize).is_multiple_of(4));

    let [mut a00, mut a01, mut a10, mut a11] = acc;
    // SAFETY: the 24 groups read, from `x`, 96 values and pixel 1's 96 values 32 further on:
    // ROW_SPAN values, asserted to lie inside `x`; from `weights`, exactly ROW_WEIGHTS values,
    // asserted. Both are word-aligned, as LDRD needs (above). No memory is written and no
    // flags are read (SMLAD may set Q, which nothing reads); the pointers are scratch copies.
    unsafe {
        asm!(
            group!(), group!(), group!(), group!(), group!(), group!(),
            group!(), group!(), group!(), group!(), group!(), group!(),
            group!(), group!(), group!(), group!(), group!(), group!(),
            group!(), group!(), group!(), group!(), group!(), group!(),
            a00 = inout(reg) a00,
            a01 = inout(reg) a01,
            a10 = inout(reg) a10,
            a11 = inout(reg) a11,
            x = inout(reg) x.as_ptr() => _,
            w = inout(reg) weights.as_ptr() => _,
            p0a = out(reg) _,
            p0b = out(reg) _,
            p1a = out(reg) _,
            p1b = out(reg) _,
            wa = out(reg) _,
            wb = out(reg) _,
            options(nostack, readonly),
        );
    }
    [a00, a01, a10, a11]
}
