//! On-device cost: the firmware's `bench` mode under QEMU with `-icount shift=0`, where one
//! instruction is one virtual nanosecond and the 25 MHz SysTick ticks once every 40
//! instructions. The figures are **instructions**, not cycles: QEMU does not model the
//! Cortex-M4's pipeline or flash wait states.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde::Serialize;
use tinytransfer_core::shapes;
use tinytransfer_tests::elf::memory_use;
use tinytransfer_tests::firmware::Build;
use tinytransfer_tests::qemu::Qemu;

/// Virtual nanoseconds (instructions, under `-icount shift=0`) per SysTick tick of
/// `mps2-an386`'s 25 MHz core clock.
pub const INSTRUCTIONS_PER_TICK: u64 = 40;

/// A stage of one inference on the device, as the firmware's `bench` mode names it.
#[derive(Clone, Debug, Serialize)]
pub struct DeviceStage {
    /// Stage name: `conv1`, `conv2_pool`, `dense1`, `dense2` or `network`.
    pub stage: String,
    /// Instructions (SysTick ticks × 40; resolution ±40).
    pub instructions: u64,
    /// Multiply-accumulates the stage performs.
    pub macs: u64,
}

impl DeviceStage {
    /// Instructions per multiply-accumulate.
    pub fn per_mac(&self) -> f64 {
        self.instructions as f64 / self.macs as f64
    }
}

/// One firmware configuration's cost and size.
#[derive(Clone, Debug, Serialize)]
pub struct DeviceCost {
    /// Which kernels: `dsp` or `portable`.
    pub kernels: &'static str,
    /// Each stage, then the whole network.
    pub stages: Vec<DeviceStage>,
    /// Flash bytes (code, blobs, initial data).
    pub flash: u64,
    /// Static RAM bytes (`.data`, `.bss`, `.uninit`; the stack comes on top).
    pub static_ram: u64,
}

/// MACs of each stage the firmware reports.
fn macs(stage: &str) -> Option<usize> {
    Some(match stage {
        "conv1" => shapes::CONV1_MACS,
        "conv2_pool" => shapes::CONV2_MACS,
        "dense1" => shapes::DENSE1_MACS,
        "dense2" => shapes::DENSE2_MACS,
        "network" => shapes::TOTAL_MACS,
        _ => return None,
    })
}

/// Builds the firmware in `bench` mode with `kernels` (`dsp` or `portable`) and runs it.
///
/// # Errors
/// The build fails, QEMU fails or times out, or the log lacks a stage.
pub fn measure(kernels: &'static str, blob_dir: &std::path::Path) -> Result<DeviceCost> {
    let mut build = Build::new().feature("bench").blob_dir(blob_dir);
    if kernels == "portable" {
        build = build.feature("portable");
    }
    let firmware = build
        .build()
        .with_context(|| format!("building the {kernels} bench"))?;
    let memory = memory_use(firmware.elf())?;

    let run = Qemu::new(firmware.elf())
        .icount(true)
        .timeout(Duration::from_secs(600))
        .run()?;
    if run.exit_code() != Some(0) {
        bail!(
            "the {kernels} bench failed: {:?}\n{}",
            run.outcome,
            run.log_text()
        );
    }

    // Lines read "bench: STAGE TICKS ticks".
    let mut stages = Vec::new();
    for line in &run.log {
        let Some(rest) = line.message.strip_prefix("bench: ") else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let (Some(stage), Some(ticks)) = (words.next(), words.next()) else {
            continue;
        };
        let ticks: u64 = ticks
            .parse()
            .with_context(|| format!("bench line {rest:?}"))?;
        let macs = macs(stage).with_context(|| format!("unknown stage {stage:?}"))?;
        stages.push(DeviceStage {
            stage: stage.to_string(),
            instructions: ticks * INSTRUCTIONS_PER_TICK,
            macs: macs as u64,
        });
    }
    if stages.iter().all(|stage| stage.stage != "network") {
        bail!(
            "the {kernels} bench logged no whole-network figure:\n{}",
            run.log_text()
        );
    }

    Ok(DeviceCost {
        kernels,
        stages,
        flash: memory.flash,
        static_ram: memory.static_ram,
    })
}
