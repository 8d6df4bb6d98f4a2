//! dense1 (4608 → 128, ReLU): two units at a time, int8 weights straight from flash, widened
//! by `SXTB16` as they are loaded, over only the groups of features that are not zero.
//!
//! After ReLU and max-pool most features are zero (`x == zero_point`) and add nothing to
//! `bias + Σ w·(x - zero_point)`. The features are listed once per image in groups of four with
//! at least one non-zero value; every unit then walks that list instead of all 4608.

use core::arch::asm;

use crate::layer::Layer;
use crate::quant::requantize_narrow;
use crate::shapes::{FEATURES, HIDDEN};

/// Words per entry of the list: the group's byte offset in a weight row, then its four values
/// `x - zero_point` as the 16-bit pairs `(f0, f2)` and `(f1, f3)` — the order in which
/// `SXTB16` and `SXTB16 ROR #8` extract the weight pairs `(w0, w2)` and `(w1, w3)`.
pub(crate) const ENTRY_WORDS: usize = 3;
/// Words the list needs at most: every group, plus one all-zero entry to make the count even.
pub(crate) const LIST_WORDS: usize = (FEATURES / 4 + 1) * ENTRY_WORDS;

/// Lists the groups of four features with a non-zero value; returns the number of entries,
/// always even (a zero entry pads an odd count, adding nothing).
pub(crate) fn list_groups(features: &[i8; FEATURES], zero_point: i32, list: &mut [u32]) -> usize {
    let mut entries = list.chunks_exact_mut(ENTRY_WORDS);
    let mut count = 0;
    for (group, quad) in features.chunks_exact(4).enumerate() {
        // x - zero_point lies in -255..=255, so it fits 16 bits.
        let value = |i: usize| u32::from((i32::from(quad[i]) - zero_point) as i16 as u16);
        let (low, high) = (value(0) | value(2) << 16, value(1) | value(3) << 16);
        if low | high == 0 {
            continue;
        }
        if let Some(entry) = entries.next() {
            entry.copy_from_slice(&[4 * group as u32, low, high]);
            count += 1;
        }
    }
    if count % 2 == 1 {
        if let Some(entry) = entries.next() {
            entry.copy_from_slice(&[0, 0, 0]);
            count += 1;
        }
    }
    count
}

/// A list of groups whose every offset leaves four bytes inside a 4608-byte weight row, and
/// whose length is a whole number of entry pairs: checked once, then walked by every unit.
#[derive(Clone, Copy)]
struct Groups<'a>(&'a [u32]);

impl<'a> Groups<'a> {
    fn checked(list: &'a [u32], count: usize) -> Self {
        let list = &list[..count * ENTRY_WORDS];
        assert!(count.is_multiple_of(2));
        assert!(list
            .chunks_exact(ENTRY_WORDS)
            .all(|entry| (entry[0] as usize) + 4 <= FEATURES));
        Groups(list)
    }
}

/// dense1 over the listed groups, two output units at a time.
pub(crate) fn dense_pairs(
    layer: &Layer<'_, HIDDEN>,
    list: &[u32],
    count: usize,
    hidden: &mut [i8; HIDDEN],
) {
    let groups = Groups::checked(list, count);
    let rows = layer.weights.chunks_exact(FEATURES);
    let mut rows = rows.zip(&layer.channels).enumerate();
    while let (Some((o, (w0, q0))), Some((_, (w1, q1)))) = (rows.next(), rows.next()) {
        let [acc0, acc1] = two_rows(groups, w0, w1, [q0.bias, q1.bias]);
        hidden[o] = requantize_narrow(acc0, layer.narrow(o), &layer.stage);
        hidden[o + 1] = requantize_narrow(acc1, layer.narrow(o + 1), &layer.stage);
    }
}

/// One list entry against both rows: eleven instructions for eight MACs.
macro_rules! entry {
    () => {
        concat!(
            "ldm r11!, {{r0, r1, r2}}\n",
            "ldr r3, [r9, r0]\n",
            "sxtb16 r4, r3\n",
            "sxtb16 r3, r3, ror #8\n",
            "smlad r5, r4, r1, r5\n",
            "smlad r5, r3, r2, r5\n",
            "ldr r3, [r10, r0]\n",
            "sxtb16 r4, r3\n",
            "sxtb16 r3, r3, ror #8\n",
            "smlad r8, r4, r1, r8\n",
            "smlad r8, r3, r2, r8\n",
        )
    };
}

/// `start + Σ w·(x - zero_point)` for two weight rows over the listed groups.
#[inline(always)]
fn two_rows(groups: Groups<'_>, w0: &[i8], w1: &[i8], start: [i32; 2]) -> [i32; 2] {
    let list = groups.0;
    let pairs = list.len() / (2 * ENTRY_WORDS);
    assert!(w0.len() == FEATURES && w1.len() == FEATURES);
    let [mut a0, mut a1] = start;
    if pairs == 0 {
        return start;
    }

    // SAFETY: the loop runs `pairs` times over two entries each: exactly the words of `list`
    // (a whole number of entry pairs, checked by `Groups::checked`), read with LDM from a
    // word-aligned `u32` slice. Each entry's offset leaves four bytes inside both 4608-byte rows
    // (checked by `Groups::checked`; the rows' lengths asserted here), which LDR reads; a
    // Cortex-M4 allows them unaligned. Nothing is written to memory; every register named is
    // an operand.
    unsafe {
        asm!(
            "2:",
            entry!(),
            entry!(),
            "subs r12, r12, #1",
            "bne 2b",
            out("r0") _,
            out("r1") _,
            out("r2") _,
            out("r3") _,
            out("r4") _,
            inout("r5") a0,
            inout("r8") a1,
            in("r9") w0.as_ptr(),
            in("r10") w1.as_ptr(),
            inout("r11") list.as_ptr() => _,
            inout("r12") pairs => _,
            options(nostack, readonly),
        );
    }
    [a0, a1]
}
