//! tinytransfer's f32 peer: the same network as the firmware's int8 one, in f32 with burn's
//! ndarray backend (`no_std`, on a heap), on the same board (QEMU's mps2-an386, Cortex-M4F), so
//! that its cost and its answers can be set beside ours.
//!
//! At boot it validates the float weight file embedded in flash (format in `weights.rs` and
//! README.md), copies the weights into burn tensors on the heap, then classifies every image of
//! `tinytransfer-images.bin` through semihosting and writes each answer, with its five f32
//! logits, to `tinytransfer-peer-results.bin`. It prints, on semihosting stdout as plain text,
//! the instructions per inference (counted with SysTick under QEMU's `-icount shift=0`, see
//! `stopwatch.rs`: instructions, not cycles), per stage, and the heap's high-water marks; then it
//! exits with a documented status ([`exit::ExitCode`]).

#![no_std]
#![no_main]

extern crate alloc;

mod exit;
mod fault;
mod harness;
mod heap;
mod network;
mod stack;
mod stopwatch;
mod weights;

// The critical-section implementation that the allocator needs.
use burn::tensor::Device;
use cortex_m as _;
use cortex_m_rt::entry;

use crate::exit::{exit, ExitCode};
use crate::harness::Summary;
use crate::network::{Network, STAGES};
use crate::stopwatch::{Stopwatch, INSTRUCTIONS_PER_TICK};
use crate::weights::WeightsError;

/// Multiply-accumulates of one inference (DESIGN.md): conv1, conv2, dense1, dense2.
const MACS_PER_IMAGE: u64 = 194_688 + 5_308_416 + 589_824 + 640;
/// Loop iterations of the boot-time check of [`INSTRUCTIONS_PER_TICK`]: 4 M instructions.
const CALIBRATION_ITERATIONS: u32 = 2_000_000;

#[entry]
fn main() -> ! {
    stack::paint();
    heap::init();
    semihosting::println!(
        "tinytransfer-peer: f32 network on burn's ndarray backend, QEMU mps2-an386"
    );

    let core = cortex_m::Peripherals::take().expect("main takes the peripherals once");
    let stopwatch = Stopwatch::start(core.SYST);
    let ticks = stopwatch::calibrate(&stopwatch, CALIBRATION_ITERATIONS);
    semihosting::println!(
        "calibration: a loop of {} instructions took {} SysTick ticks (expected {} at {} \
         instructions per tick with QEMU's -icount shift=0)",
        2 * u64::from(CALIBRATION_ITERATIONS),
        ticks,
        2 * u64::from(CALIBRATION_ITERATIONS) / INSTRUCTIONS_PER_TICK,
        INSTRUCTIONS_PER_TICK
    );

    let weights = weights::validate(weights::EMBEDDED).unwrap_or_else(|error| {
        report_weights_error(error);
        exit(ExitCode::WeightsInvalid)
    });
    #[allow(deprecated)] // burn 0.22 deprecates ndarray for flex; ndarray is the no_std peer
    let device = Device::ndarray();
    let started = stopwatch.now();
    let network = Network::new(weights.to_parameters(&device), device);
    let loading = stopwatch.instructions_since(started);
    let loaded = heap::usage();
    semihosting::println!(
        "weights: {} floats copied from flash into burn tensors in {} instructions; heap {} of \
         {} bytes in use",
        weights::FLOATS,
        loading,
        loaded.live,
        loaded.size
    );

    let summary = harness::run(&network, &stopwatch);
    print_summary(&summary);
    exit(ExitCode::Success)
}

fn report_weights_error(error: WeightsError) {
    let path = env!("TINYTRANSFER_PEER_WEIGHTS_PATH");
    match error {
        WeightsError::BadMagic => {
            semihosting::eprintln!("weight file {} does not start with TTF32\\0", path)
        }
        WeightsError::UnsupportedVersion(version) => semihosting::eprintln!(
            "weight file {} has format version {}; this peer reads version 1",
            path,
            version
        ),
        WeightsError::WrongLength(bytes) => semihosting::eprintln!(
            "weight file {} holds {} bytes; version 1 holds {} (an 8-byte header and {} f32)",
            path,
            bytes,
            weights::FILE_BYTES,
            weights::FLOATS
        ),
    }
}

fn print_summary(summary: &Summary) {
    let mean = summary.total / summary.images;
    semihosting::println!(
        "{} images, {} of {} labelled ones classified right; answers in {}",
        summary.images,
        summary.correct,
        summary.labelled,
        harness::RESULTS_FILE.to_str().unwrap_or("(file)")
    );
    semihosting::println!(
        "instructions per inference (not cycles; +-{} per stage): first {}, mean {}, \
         fewest {}, most {}; total {}",
        INSTRUCTIONS_PER_TICK,
        summary.first,
        mean,
        summary.fewest,
        summary.most,
        summary.total
    );
    semihosting::println!(
        "instructions per multiply-accumulate: {}.{:02} ({} MACs per image)",
        mean / MACS_PER_IMAGE,
        mean % MACS_PER_IMAGE * 100 / MACS_PER_IMAGE,
        MACS_PER_IMAGE
    );
    for (name, instructions) in STAGES.iter().zip(summary.stages) {
        semihosting::println!(
            "  {:<9} mean {:>11} instructions",
            name,
            instructions / summary.images
        );
    }

    let heap = heap::usage();
    semihosting::println!(
        "heap: {} bytes configured; high-water {} bytes live at once, {} bytes of extent \
         (with fragmentation)",
        heap.size,
        heap.peak_live,
        heap.peak_extent
    );
    let (stack_used, stack_size) = stack::high_water();
    semihosting::println!("stack: high-water {} of {} bytes", stack_used, stack_size);

    // The same figures as one line of `key=value` pairs, for scripts such as benches/.
    semihosting::println!(
        "summary: images={} correct={} labelled={} instructions_first={} instructions_mean={} \
         instructions_total={} heap_bytes={} heap_peak_live={} heap_peak_extent={} \
         stack_peak={}",
        summary.images,
        summary.correct,
        summary.labelled,
        summary.first,
        mean,
        summary.total,
        heap.size,
        heap.peak_live,
        heap.peak_extent,
        stack_used
    );
}
