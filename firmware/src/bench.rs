//! Bench mode: what one inference costs on the device, layer by layer, in SysTick ticks.
//!
//! After the demo, each embedded test digit ([`crate::digits`]) is run layer by layer and then
//! whole; the log gives the mean over the digits as lines `bench: <stage> <ticks> ticks`, stages
//! `conv1`, `conv2_pool`, `dense1`, `dense2` and `network` (what `tinytransfer-benches` reads).
//! Under QEMU with `-icount shift=0` a tick is 40 instructions; on a board, one core clock
//! cycle.

use crate::digits;
use crate::engine::{self, Engine, LayerTicks, Scratch};
use crate::stopwatch::Stopwatch;

/// Times every embedded digit and logs the mean ticks of each stage.
pub fn run(engine: &Engine<'_>, scratch: &mut Scratch, stopwatch: &Stopwatch) {
    let mut sums = [0u64; 5];
    for (_, pixels) in digits::all() {
        let ticks = engine.layer_ticks(pixels, scratch, stopwatch);
        for (sum, stage) in sums.iter_mut().zip(stages(&ticks)) {
            *sum += u64::from(stage.1);
        }
    }

    defmt::info!(
        "bench mode: mean SysTick ticks over {=usize} digits, {=str} kernels",
        digits::COUNT,
        engine::NAME
    );
    for ((name, _), sum) in stages(&LayerTicks::default()).iter().zip(sums) {
        let mean = (sum + digits::COUNT as u64 / 2) / digits::COUNT as u64;
        defmt::info!("bench: {=str} {=u64} ticks", name, mean);
    }
}

fn stages(ticks: &LayerTicks) -> [(&'static str, u32); 5] {
    [
        ("conv1", ticks.conv1),
        ("conv2_pool", ticks.conv2_pool),
        ("dense1", ticks.dense1),
        ("dense2", ticks.dense2),
        ("network", ticks.network),
    ]
}
