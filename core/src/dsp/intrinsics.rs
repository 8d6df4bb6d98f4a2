//! The Cortex-M4 DSP instructions the kernels use, one instruction each.
//!
//! Each wraps a single register-only instruction: it reads no memory, writes no memory and
//! touches no flags, which is what `options(pure, nomem, nostack, preserves_flags)` promises.

use core::arch::asm;

/// `SMLAD`: `acc + a.lo·b.lo + a.hi·b.hi`, each half a signed 16-bit value.
///
/// The sum wraps like the instruction (it sets the Q flag on overflow, which nothing reads);
/// the callers' accumulators are bounded far below `i32::MAX`.
#[inline(always)]
pub(crate) fn smlad(a: u32, b: u32, acc: i32) -> i32 {
    let out: i32;
    // SAFETY: one register-to-register instruction, no memory or stack access; the operands
    // are plain integers, so any value is valid.
    unsafe {
        asm!(
            "smlad {out}, {a}, {b}, {acc}",
            out = lateout(reg) out,
            a = in(reg) a,
            b = in(reg) b,
            acc = in(reg) acc,
            options(pure, nomem, nostack, preserves_flags),
        );
    }
    out
}
