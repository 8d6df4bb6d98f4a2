//! dense1 (4608 → 128, ReLU): two units at a time, int8 weights straight from flash, widened
//! by `SXTB16` as they are loaded.

use core::arch::asm;

use crate::layer::Layer;
use crate::quant::requantize_narrow;
use crate::shapes::{FEATURES, HIDDEN};

/// Widens the feature vector in `SXTB16`'s order: each group of four `f0 f1 f2 f3` becomes
/// `f0 f2 f1 f3`, so that the word pairs `(f0, f2)` and `(f1, f3)` meet the weight pairs that
/// `SXTB16` and `SXTB16 ROR #8` extract from four weight bytes.
pub(crate) fn widen_features(features: &[i8; FEATURES], wide: &mut [i16]) {
    for (quad, out) in features.chunks_exact(4).zip(wide.chunks_exact_mut(4)) {
        out[0] = i16::from(quad[0]);
        out[1] = i16::from(quad[2]);
        out[2] = i16::from(quad[1]);
        out[3] = i16::from(quad[3]);
    }
}

/// dense1 over the widened features `x`, two output units at a time.
pub(crate) fn dense_pairs(layer: &Layer<'_, HIDDEN>, x: &[i16], hidden: &mut [i8; HIDDEN]) {
    let rows = layer.weights.chunks_exact(FEATURES);
    let mut rows = rows.zip(layer.folded_bias.iter()).enumerate();
    while let (Some((o, (w0, &b0))), Some((_, (w1, &b1)))) = (rows.next(), rows.next()) {
        let [acc0, acc1] = two_rows(x, w0, w1, [b0, b1]);
        hidden[o] = requantize_narrow(acc0, layer.narrow(o), &layer.stage);
        hidden[o + 1] = requantize_narrow(acc1, layer.narrow(o + 1), &layer.stage);
    }
}

/// Four weights of both rows against four widened features.
macro_rules! quad {
    () => {
        concat!(
            "ldrd {x0}, {x1}, [{x}], #8\n",
            "ldr {t}, [{w0}], #4\n",
            "sxtb16 {u}, {t}\n",
            "sxtb16 {t}, {t}, ror #8\n",
            "smlad {a0}, {u}, {x0}, {a0}\n",
            "smlad {a0}, {t}, {x1}, {a0}\n",
            "ldr {t}, [{w1}], #4\n",
            "sxtb16 {u}, {t}\n",
            "sxtb16 {t}, {t}, ror #8\n",
            "smlad {a1}, {u}, {x0}, {a1}\n",
            "smlad {a1}, {t}, {x1}, {a1}\n",
        )
    };
}

/// Quads per loop iteration.
const UNROLL: usize = 4;

/// `start + Σ w·x` for two weight rows against the same widened features.
#[inline(always)]
fn two_rows(x: &[i16], w0: &[i8], w1: &[i8], start: [i32; 2]) -> [i32; 2] {
    let len = x.len();
    assert!(len > 0 && len.is_multiple_of(4 * UNROLL) && w0.len() == len && w1.len() == len);
    assert!((x.as_ptr() as usize).is_multiple_of(4));

    let [mut a0, mut a1] = start;
    // SAFETY: the loop runs len / 16 times and each time reads 16 values from each of `x`,
    // `w0` and `w1`: exactly their lengths (asserted equal, and a non-zero multiple of 16).
    // LDRD needs `x` word-aligned (asserted); LDR may read the weights unaligned on a
    // Cortex-M4. No memory is written; the pointer and counter registers are scratch copies.
    unsafe {
        asm!(
            "2:",
            quad!(),
            quad!(),
            quad!(),
            quad!(),
            "subs {n}, {n}, #1",
            "bne 2b",
            a0 = inout(reg) a0,
            a1 = inout(reg) a1,
            x = inout(reg) x.as_ptr() => _,
            w0 = inout(reg) w0.as_ptr() => _,
            w1 = inout(reg) w1.as_ptr() => _,
            n = inout(reg) len / (4 * UNROLL) => _,
            x0 = out(reg) _,
            x1 = out(reg) _,
            t = out(reg) _,
            u = out(reg) _,
            options(nostack, readonly),
        );
    }
    [a0, a1]
}
