//! Counts instructions with SysTick under QEMU's `-icount shift=0`.
//!
//! With `-icount shift=0`, QEMU advances its virtual clock by exactly 1 ns per instruction
//! executed. SysTick runs from the 25 MHz core clock of mps2-an386, so one tick is 40 ns of
//! virtual time: 40 instructions. These are instructions, not cycles. [`calibrate`] checks the
//! 40 at boot against a loop of known length.
//!
//! The 24-bit counter runs free and wraps every 2^24 ticks (671 M instructions): one timed span
//! must be shorter than that. Every span this crate times is (an inference takes about 75 M);
//! longer totals are sums of spans.

use core::arch::asm;

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;

/// SysTick counts this many ticks before it wraps.
const WRAP: u32 = 1 << 24;

/// Instructions per SysTick tick under QEMU `-icount shift=0`: 1 ns each at a 25 MHz tick.
pub const INSTRUCTIONS_PER_TICK: u64 = 40;

/// The free-running SysTick.
pub struct Stopwatch {
    _syst: SYST,
}

impl Stopwatch {
    /// Starts SysTick counting down from its maximum, without interrupts.
    pub fn start(mut syst: SYST) -> Self {
        syst.disable_interrupt();
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(WRAP - 1);
        syst.clear_current();
        syst.enable_counter();
        Self { _syst: syst }
    }

    /// The counter now, for [`Stopwatch::instructions_since`].
    pub fn now(&self) -> u32 {
        SYST::get_current()
    }

    /// Ticks from `start` to now (the counter counts down and wraps at 2^24).
    pub fn ticks_since(&self, start: u32) -> u32 {
        ticks_between(start, self.now())
    }

    /// Instructions from `start` to now, to within one tick.
    pub fn instructions_since(&self, start: u32) -> u64 {
        instructions_between(start, self.now())
    }
}

/// Ticks from counter value `start` to counter value `end`.
pub fn ticks_between(start: u32, end: u32) -> u32 {
    start.wrapping_sub(end) % WRAP
}

/// Instructions from counter value `start` to counter value `end`, to within one tick.
pub fn instructions_between(start: u32, end: u32) -> u64 {
    u64::from(ticks_between(start, end)) * INSTRUCTIONS_PER_TICK
}

/// Runs a loop of exactly `2 * iterations` instructions and returns the ticks it took; with
/// `-icount shift=0` that is `2 * iterations / 40`, give or take a tick.
pub fn calibrate(stopwatch: &Stopwatch, iterations: u32) -> u32 {
    let start = stopwatch.now();
    // SAFETY: the loop touches only the register it is given, which it counts down to zero.
    unsafe {
        asm!(
            "1:",
            "subs {n}, {n}, #1",
            "bne 1b",
            n = inout(reg) iterations => _,
            options(nomem, nostack),
        );
    }
    stopwatch.ticks_since(start)
}
