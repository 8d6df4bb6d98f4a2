//! conv2 (3×3, 32 → 32 channels, ReLU) fused with the 2×2 max-pool, one pooled row at a time,
//! on a hand-scheduled `SMLAD` block of 2 pixels × 2 channels.

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
/// Window values one block reads from its first pixel on: three rows, and one pixel further.
const BLOCK_SPAN: usize = (KERNEL - 1) * CONV1_WIDTH * CHANNELS + (GROUPS - 1) * 4 + CHANNELS + 4;

const _: () = assert!(ROW_TAPS.is_multiple_of(4) && CHANNELS.is_multiple_of(2));
const _: () = assert!(PAIR_WEIGHTS * CHANNELS / 2 == CHANNELS * KERNEL * ROW_TAPS);

/// Widens conv2's weights into the block's order: for each channel pair, each kernel row, each
/// group of four taps, the pair's first channel's four taps, then the second's.
///
/// Also writes `blank_acc`: each channel's accumulator over a window that holds conv1's
/// output for blank patches (`blank_conv1`) everywhere.
pub(crate) fn widen_weights(
    layer: &Layer<'_, CHANNELS>,
    blank_conv1: &[i16; CHANNELS],
    wide: &mut [i16],
    blank_acc: &mut [i32; CHANNELS],
) {
    let weights = layer.weights;
    let filter_len = KERNEL * ROW_TAPS;
    for ((acc, filter), &bias) in blank_acc
        .iter_mut()
        .zip(weights.chunks_exact(filter_len))
        .zip(&layer.folded_bias)
    {
        let blank = blank_conv1.iter().cycle();
        *acc = filter
            .iter()
            .zip(blank)
            .fold(bias, |acc, (&w, &x)| acc + i32::from(w) * i32::from(x));
    }

    for (pair, out) in wide.chunks_exact_mut(PAIR_WEIGHTS).enumerate() {
        let mut out = out.iter_mut();
        for ky in 0..KERNEL {
            for group in 0..GROUPS {
                for channel in [2 * pair, 2 * pair + 1] {
                    let start = channel * filter_len + ky * ROW_TAPS + group * 4;
                    // The weights lead the zip: it stops on them without taking a fifth slot.
                    for (&w, slot) in weights[start..start + 4].iter().zip(out.by_ref()) {
                        *slot = i16::from(w);
                    }
                }
            }
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
        blank_conv2,
        features,
        ..
    } = scratch;
    let (window, wide) = (&window.0, &wide.0);
    let row_len = CONV1_WIDTH * CHANNELS;

    // A conv2 output at row oy reads image rows oy..oy+5; a pair of them at columns ox, ox+1
    // reads image columns ox..ox+6.
    let rows_ink = |oy: usize| ink[oy..oy + 5].iter().fold(0, |mask, &row| mask | row);
    let (top_ink, bottom_ink) = (rows_ink(2 * py), rows_ink(2 * py + 1));

    for px in 0..POOLED_WIDTH {
        let top_blank = (top_ink >> (2 * px)) & 0x3f == 0;
        let bottom_blank = (bottom_ink >> (2 * px)) & 0x3f == 0;

        // The pool window's four conv2 outputs: columns 2px and 2px+1 of conv2 rows 2py
        // (reading window rows 0..3) and 2py+1 (window rows 1..4).
        let top = &window[2 * px * CHANNELS..];
        let bottom = &window[row_len + 2 * px * CHANNELS..];
        let out = &mut features[(py * POOLED_WIDTH + px) * CHANNELS..][..CHANNELS];

        for (pair, weights) in wide.chunks_exact(PAIR_WEIGHTS).enumerate() {
            let (c0, c1) = (2 * pair, 2 * pair + 1);
            let start = [layer.folded_bias[c0], layer.folded_bias[c1]];
            let blank = [
                blank_conv2[c0],
                blank_conv2[c1],
                blank_conv2[c0],
                blank_conv2[c1],
            ];
            let upper = if top_blank {
                blank
            } else {
                block(top, weights, start)
            };
            let lower = if bottom_blank {
                blank
            } else {
                block(bottom, weights, start)
            };

            // Requantisation is monotonic: pool the accumulators, requantise once.
            let max0 = upper[0].max(upper[2]).max(lower[0]).max(lower[2]);
            let max1 = upper[1].max(upper[3]).max(lower[1]).max(lower[3]);
            out[c0] = requantize_narrow(max0, layer.narrow(c0), &layer.stage);
            out[c1] = requantize_narrow(max1, layer.narrow(c1), &layer.stage);
        }
    }
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

/// One kernel row: 24 groups (96 taps).
macro_rules! kernel_row {
    () => {
        concat!(
            group!(),
            group!(),
            group!(),
            group!(),
            group!(),
            group!(),
            group!(),
            group!(),
            group!(),
            group!(),
            group!(),
            group!(),
            group!(),
            group!(),
            group!(),
            group!(),
            group!(),
            group!(),
            group!(),
            group!(),
            group!(),
            group!(),
            group!(),
            group!(),
        )
    };
}

const _: () = assert!(GROUPS == 24, "kernel_row! unrolls 24 groups");
/// Bytes from the end of one kernel row's taps to the start of the next row's.
const NEXT_ROW_BYTES: usize = (CONV1_WIDTH * CHANNELS - ROW_TAPS) * 2;
const _: () = assert!(NEXT_ROW_BYTES == 1472, "the asm below adds 1472");

/// Accumulators of pixels `(0, 1)` × channels `(c0, c1)` over the full 3×3×32 kernel, from
/// `start` (the pair's folded biases): `[p0·c0, p0·c1, p1·c0, p1·c1]`.
///
/// `x` starts at pixel 0's first tap in the window (pixel 1 follows it); `weights` is one
/// pair's widened weights.
#[inline(always)]
fn block(x: &[i16], weights: &[i16], start: [i32; 2]) -> [i32; 4] {
    assert!(x.len() >= BLOCK_SPAN && weights.len() == PAIR_WEIGHTS);
    assert!(
        (x.as_ptr() as usize).is_multiple_of(4) && (weights.as_ptr() as usize).is_multiple_of(4)
    );

    let [mut a00, mut a01] = start;
    let [mut a10, mut a11] = start;
    // SAFETY: the block reads, from `x`, three runs of 96 values at rows 26·32 values apart
    // plus pixel 1's 32 values further on: BLOCK_SPAN values at most, asserted to lie inside
    // `x`; from `weights`, exactly PAIR_WEIGHTS values, asserted. Both are word-aligned, as
    // LDRD needs (asserted). It writes no memory and leaves the flags alone (SMLAD's Q flag
    // aside, which nothing reads); the pointer registers are scratch copies.
    unsafe {
        asm!(
            kernel_row!(),
            "add {x}, {x}, #1472",
            kernel_row!(),
            "add {x}, {x}, #1472",
            kernel_row!(),
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
