//! conv1 (3×3, 1 → 32 channels, ReLU) one output row at a time, into the window of widened
//! rows that conv2 reads.

use super::intrinsics::smlad;
use super::{CONV1_TAPS, WINDOW_LEN};
use crate::layer::Layer;
use crate::quant::requantize_narrow;
use crate::shapes::{CHANNELS, CONV1_WIDTH, IMAGE_WIDTH, KERNEL};

const PAIRS: usize = CONV1_TAPS / 2;

/// Packs each filter's nine taps (and a zero tenth) as five 16-bit pairs.
pub(crate) fn pack_weights(layer: &Layer<'_, CHANNELS>, packed: &mut [u32; CHANNELS * PAIRS]) {
    for (filter, pairs) in layer
        .weights
        .chunks_exact(KERNEL * KERNEL)
        .zip(packed.chunks_exact_mut(PAIRS))
    {
        let tap = |t: usize| filter.get(t).map_or(0, |&w| u32::from(w as i16 as u16));
        for (j, pair) in pairs.iter_mut().enumerate() {
            *pair = tap(2 * j) | tap(2 * j + 1) << 16;
        }
    }
}

/// conv1's output row `oy`, requantised and widened, into row `slot` of the window.
///
/// Pixels enter as they are (0..=255): with the input zero point -128, `q - zp` is the pixel,
/// so the plain bias applies.
pub(crate) fn row(
    layer: &Layer<'_, CHANNELS>,
    image: &[u8],
    oy: usize,
    packed: &[u32; CHANNELS * PAIRS],
    slot: usize,
    window: &mut [i16; WINDOW_LEN],
) {
    let row_len = CONV1_WIDTH * CHANNELS;
    let out_row = &mut window[slot * row_len..(slot + 1) * row_len];

    for (ox, out) in out_row.chunks_exact_mut(CHANNELS).enumerate() {
        let pixel = |ky: usize, kx: usize| u32::from(image[(oy + ky) * IMAGE_WIDTH + ox + kx]);
        let taps = [
            pixel(0, 0) | pixel(0, 1) << 16,
            pixel(0, 2) | pixel(1, 0) << 16,
            pixel(1, 1) | pixel(1, 2) << 16,
            pixel(2, 0) | pixel(2, 1) << 16,
            pixel(2, 2),
        ];

        for (c, (value, pairs)) in out.iter_mut().zip(packed.chunks_exact(PAIRS)).enumerate() {
            let acc = taps
                .iter()
                .zip(pairs)
                .fold(layer.channels[c].bias, |acc, (&x, &w)| smlad(x, w, acc));
            *value = i16::from(requantize_narrow(acc, layer.narrow(c), &layer.stage));
        }
    }
}
