//! Per-layer time in SysTick ticks of the core clock, for the debug log.
//!
//! On a real board a tick is a core clock cycle. Under QEMU the ticks follow the host's clock
//! unless QEMU runs with `-icount shift=0`, where one instruction is one virtual nanosecond and
//! a tick (25 MHz on mps2-an386) is therefore about 40 instructions: counts, not cycles.

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;

/// The 24-bit SysTick counter, free-running.
pub struct Stopwatch {
    _syst: SYST,
}

/// The counter wraps after this many ticks; one layer must take fewer to be timed right.
const WRAP: u32 = 1 << 24;

impl Stopwatch {
    /// Starts SysTick counting down from its maximum, without interrupts.
    pub fn new(mut syst: SYST) -> Self {
        syst.disable_interrupt();
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(WRAP - 1);
        syst.clear_current();
        syst.enable_counter();
        Self { _syst: syst }
    }

    /// Runs `work` and returns its result with the ticks it took.
    pub fn time<R>(&self, work: impl FnOnce() -> R) -> (R, u32) {
        let start = self.now();
        let result = work();
        (result, self.ticks_since(start))
    }

    /// The counter now, for [`Stopwatch::ticks_since`].
    pub fn now(&self) -> u32 {
        SYST::get_current()
    }

    /// Ticks from `start` to now (the counter counts down and wraps at 2^24).
    pub fn ticks_since(&self, start: u32) -> u32 {
        start.wrapping_sub(self.now()) % WRAP
    }
}
