//! The stack's high-water mark: the free RAM below the stack pointer is painted with a pattern
//! at boot, and at the end the lowest word that no longer holds it shows how deep the stack went.
//!
//! cortex-m-rt puts the stack at the top of RAM (`_stack_start`) growing down towards
//! `_stack_end`, the end of .bss.

use core::arch::asm;
use core::ptr::{addr_of, read_volatile, write_volatile};

/// What an untouched stack word holds.
const PAINT: u32 = 0xC0FF_EE00;
/// Bytes just below the stack pointer that painting leaves alone (the painter's own frame).
const GUARD: usize = 64;

extern "C" {
    static _stack_start: u32;
    static _stack_end: u32;
}

/// Paints every word from the end of .bss up to just below the current stack pointer. Call
/// once, early in `main`.
pub fn paint() {
    let bottom = stack_end();
    let top = stack_pointer() - GUARD;
    let mut word = bottom;
    while word < top {
        // SAFETY: the words between the end of .bss and the stack pointer belong to no
        // variable: only the stack grows into them, and the stack is above `top`.
        unsafe { write_volatile(word as *mut u32, PAINT) };
        word += 4;
    }
}

/// Bytes of stack used at the deepest point since [`paint`], and the stack's size.
pub fn high_water() -> (usize, usize) {
    let (bottom, top) = (stack_end(), stack_start());
    let mut word = bottom;
    // SAFETY: every address read lies between the end of .bss and the top of RAM.
    while word < top && unsafe { read_volatile(word as *const u32) } == PAINT {
        word += 4;
    }
    (top - word, top - bottom)
}

fn stack_start() -> usize {
    // Only the symbol's address is taken, never its value: the linker script defines it.
    addr_of!(_stack_start) as usize
}

fn stack_end() -> usize {
    // Only the symbol's address is taken, never its value: the linker script defines it.
    addr_of!(_stack_end) as usize
}

fn stack_pointer() -> usize {
    let sp: usize;
    // SAFETY: reads the stack pointer into a register; touches no memory.
    unsafe { asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    sp
}
