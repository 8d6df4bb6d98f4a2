//! conv1 (3×3, 1 → 32 channels, ReLU) one output row at a time, into the window of widened
//! rows that conv2 reads.

use core::arch::asm;

use super::DspScratch;
use crate::layer::Layer;
use crate::quant::requantize_narrow;
use crate::shapes::{CHANNELS, CONV1_WIDTH, IMAGE_WIDTH, KERNEL};

/// Words per channel in the packed table: the bias; the nine taps as five 16-bit pairs (the
/// tenth tap is 0); the requantisation's multiplier, half (`1 << (right - 1)`) and right shift;
/// the output zero point and the lowest output.
pub(crate) const CHANNEL_WORDS: usize = 11;

/// Packs each channel as `[bias, (w0, w1), (w2, w3), (w4, w5), (w6, w7), (w8, 0), multiplier,
/// half, right, output zero point, act_min]`.
///
/// Pixels enter conv1 as they are (0..=255): with the input zero point -128, `q - zp` is the
/// pixel itself, so the plain bias applies.
///
/// Also writes `blank`: each channel's output for a blank patch, where the sum is the bias.
pub(crate) fn pack_weights(
    layer: &Layer<'_, CHANNELS>,
    packed: &mut [u32; CHANNELS * CHANNEL_WORDS],
    blank: &mut [i16; CHANNELS],
) {
    let filters = layer.weights.chunks_exact(KERNEL * KERNEL);
    let channels = packed
        .chunks_exact_mut(CHANNEL_WORDS)
        .zip(filters)
        .enumerate();
    for (c, (words, filter)) in channels {
        let tap = |t: usize| filter.get(t).map_or(0, |&w| u32::from(w as i16 as u16));
        let narrow = layer.narrow(c);
        words[0] = layer.channels[c].bias as u32;
        for (j, pair) in words[1..6].iter_mut().enumerate() {
            *pair = tap(2 * j) | tap(2 * j + 1) << 16;
        }
        words[6] = narrow.multiplier as u32;
        words[7] = 1 << (narrow.right_shift - 1);
        words[8] = narrow.right_shift;
        words[9] = layer.stage.output_zero_point as u32;
        words[10] = layer.stage.act_min as u32;
        blank[c] = i16::from(requantize_narrow(
            layer.channels[c].bias,
            narrow,
            &layer.stage,
        ));
    }
}

/// conv1's output row `oy`, requantised and widened, into row `slot` of the window.
pub(crate) fn row(image: &[u8], oy: usize, slot: usize, scratch: &mut DspScratch) {
    let DspScratch {
        window,
        conv1_weights,
        ink,
        blank_conv1,
        ..
    } = scratch;
    let packed = &conv1_weights.0;
    let row_len = CONV1_WIDTH * CHANNELS;
    let out_row = &mut window.0[slot * row_len..(slot + 1) * row_len];
    let rows = &image[oy * IMAGE_WIDTH..(oy + KERNEL) * IMAGE_WIDTH];
    let ink = ink[oy] | ink[oy + 1] | ink[oy + 2];

    for (ox, out) in out_row.chunks_exact_mut(CHANNELS).enumerate() {
        if (ink >> ox) & 0b111 == 0 {
            out.copy_from_slice(blank_conv1);
            continue;
        }

        let pixel = |ky: usize, kx: usize| u32::from(rows[ky * IMAGE_WIDTH + ox + kx]);
        let taps = [
            pixel(0, 0) | pixel(0, 1) << 16,
            pixel(0, 2) | pixel(1, 0) << 16,
            pixel(1, 1) | pixel(1, 2) << 16,
            pixel(2, 0) | pixel(2, 1) << 16,
            pixel(2, 2),
        ];
        all_channels(taps, packed, out);
    }
}

/// One pixel's 32 outputs, requantised as [`crate::quant::requantize_narrow`] does: 22
/// instructions per channel (three `LDM` and five `SMLAD` for the nine MACs, `SMMULR` and four
/// more for the rounding, four for the clamp, the store and the loop).
#[inline(always)]
fn all_channels(taps: [u32; 5], packed: &[u32; CHANNELS * CHANNEL_WORDS], out: &mut [i16]) {
    assert_eq!(out.len(), CHANNELS);

    // SAFETY: the loop runs CHANNELS times; each time it reads CHANNEL_WORDS words from
    // `packed` (CHANNELS · CHANNEL_WORDS words in all, its exact length, word-aligned as LDM
    // needs) and writes one halfword of `out` (CHANNELS halfwords, asserted). The registers it
    // names are its operands or declared clobbered; it changes the flags, which it may.
    unsafe {
        asm!(
            "2:",
            "ldm r11!, {{r5, r8, r9}}",
            "smlad r5, r0, r8, r5",
            "smlad r5, r1, r9, r5",
            "ldm r11!, {{r8, r9, r10}}",
            "smlad r5, r2, r8, r5",
            "smlad r5, r3, r9, r5",
            "smlad r5, r4, r10, r5",
            // high = (2·acc·m + 2^31) >> 32; out = (high + half + (high >> 31)) >> right.
            "ldm r11!, {{r8, r9, r10}}",
            "lsls r5, r5, #1",
            "smmulr r5, r5, r8",
            "add r9, r9, r5, asr #31",
            "add r5, r5, r9",
            "asr r5, r5, r10",
            // + zero point, then clamp to act_min..=127.
            "ldm r11!, {{r8, r9}}",
            "add r5, r5, r8",
            "cmp r5, r9",
            "it lt",
            "movlt r5, r9",
            "ssat r5, #8, r5",
            "strh r5, [r12], #2",
            "subs lr, lr, #1",
            "bne 2b",
            in("r0") taps[0],
            in("r1") taps[1],
            in("r2") taps[2],
            in("r3") taps[3],
            in("r4") taps[4],
            out("r5") _,
            out("r8") _,
            out("r9") _,
            out("r10") _,
            inout("r11") packed.as_ptr() => _,
            inout("r12") out.as_mut_ptr() => _,
            inout("lr") CHANNELS => _,
            options(nostack),
        );
    }
}
