//! tinytransfer's firmware: the int8 digit classifier of `tinytransfer-core` (digits 5–9, on
//! features frozen after learning 0–4) on a Cortex-M microcontroller.
//!
//! At boot it validates the two model blobs embedded in flash, logs a model summary, then runs
//! one of three modes and exits through semihosting with a documented code ([`exit::ExitCode`]):
//!
//! - demo mode (default): classifies a few test digits kept in flash, logs each with its label
//!   and the accuracy;
//! - harness mode (feature `harness`, QEMU only): classifies the images of a host file and
//!   writes logits and classes to another, for `tinytransfer-tests` to compare with the host;
//! - bench mode (feature `bench`): the demo, then the mean SysTick ticks of each layer over
//!   the same digits, for `tinytransfer-benches`.
//!
//! Boards, blob directory, modes and exit codes are described in `README.md` beside this crate.

#![no_std]
#![no_main]

#[cfg(feature = "bench")]
mod bench;
mod board;
#[cfg(not(feature = "harness"))]
mod demo;
#[cfg(not(feature = "harness"))]
mod digits;
mod engine;
mod exit;
mod fault;
#[cfg(feature = "harness")]
mod harness;
mod model;
mod stopwatch;

use cortex_m_rt::entry;

use crate::engine::{Engine, Scratch};
use crate::exit::{exit, ExitCode};
use crate::stopwatch::Stopwatch;

// The critical-section implementation that the defmt transports need.
use cortex_m as _;

#[entry]
fn main() -> ! {
    // cortex-m-rt turns this into a `&'static mut` taken once: the scratch lives in .bss, where
    // the linker checks it against the board's RAM (see `boards/stack.x`).
    static mut SCRATCH: Scratch = Scratch::new();

    defmt::info!("tinytransfer firmware on {=str}", board::NAME);
    #[cfg(feature = "hang")]
    hang();
    #[cfg(feature = "panic")]
    deliberate_panic();

    let features = model::load_features();
    let head = model::load_head();
    let engine = Engine::new(model::pair(&features, &head));

    let core = cortex_m::Peripherals::take().expect("main takes the peripherals once");
    let stopwatch = Stopwatch::new(core.SYST);

    #[cfg(feature = "harness")]
    harness::run(&engine, SCRATCH, &stopwatch);
    #[cfg(not(feature = "harness"))]
    demo::run(&engine, SCRATCH, &stopwatch);
    #[cfg(feature = "bench")]
    bench::run(&engine, SCRATCH, &stopwatch);

    exit(ExitCode::Success)
}

/// Spins forever without a word: what a firmware stuck in a loop looks like from outside.
#[cfg(feature = "hang")]
fn hang() {
    defmt::warn!("built with the `hang` feature: spinning forever");
    loop {
        cortex_m::asm::nop();
    }
}

/// Panics, to show that a panic is logged and ends the run with a non-zero status.
#[cfg(feature = "panic")]
fn deliberate_panic() {
    panic!("built with the `panic` feature: a deliberate panic");
}
