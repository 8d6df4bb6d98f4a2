//! The benchmark summary: training, host int8 inference, on-device cost and the burn f32 peer,
//! as one table on stdout and one JSON file (`target/tinytransfer-bench.json`).
//!
//! Runs after `host_inference` in `cargo bench -p tinytransfer-benches` (cargo runs bench
//! targets in name order) and reads criterion's estimates from it. The training section builds
//! the release `tinytransfer` and trains one epoch per phase (minutes);
//! `TINYTRANSFER_BENCH_SKIP_TRAINING=1` leaves it out. `TINYTRANSFER_BLOB_DIR=DIR` measures
//! another model than `pretrained/` (the same variable the firmware and the tests read).

use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;
use tinytransfer_benches::device::{self, DeviceCost};
use tinytransfer_benches::host::{self, HostStage};
use tinytransfer_benches::paths::target_dir;
use tinytransfer_benches::peer::{self, PeerCost};
use tinytransfer_benches::training::{self, TrainingCost};
use tinytransfer_tests::paths::default_blob_dir;

#[derive(Serialize)]
struct Summary {
    training: Option<TrainingCost>,
    host_int8: Option<Vec<HostStage>>,
    device: Vec<DeviceCost>,
    peer: Option<PeerCost>,
    errors: Vec<String>,
}

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; a filter naming another target means "not me".
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if !args.is_empty() && !args.iter().any(|a| "summary".contains(a.as_str())) {
        return ExitCode::SUCCESS;
    }

    let mut errors = Vec::new();
    let host_int8 = keep(
        &mut errors,
        "host int8",
        host::read_host_stages(&host::criterion_dir()),
    );
    let blobs = default_blob_dir();
    let device: Vec<DeviceCost> = ["portable", "dsp"]
        .into_iter()
        .filter_map(|kernels| keep(&mut errors, kernels, device::measure(kernels, &blobs)))
        .collect();

    let peer = keep(&mut errors, "peer", peer::measure(&blobs));
    let training = if std::env::var_os("TINYTRANSFER_BENCH_SKIP_TRAINING").is_some() {
        None
    } else {
        keep(&mut errors, "training", training::measure())
    };

    let summary = Summary {
        training,
        host_int8,
        device,
        peer,
        errors,
    };
    print_summary(&summary);
    match write_json(&summary) {
        Ok(path) => println!("\nJSON: {path}"),
        Err(error) => eprintln!("summary: cannot write the JSON: {error:#}"),
    }

    if summary.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        for error in &summary.errors {
            eprintln!("summary: {error}");
        }
        ExitCode::FAILURE
    }
}

/// The value, or `None` with the error noted: one failed measurement does not hide the rest.
fn keep<T>(errors: &mut Vec<String>, what: &str, result: Result<T>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(error) => {
            errors.push(format!("{what}: {error:#}"));
            None
        }
    }
}

fn print_summary(summary: &Summary) {
    if let Some(training) = &summary.training {
        println!(
            "\nTraining, one epoch per phase ({} backend, full data)",
            training.backend
        );
        println!(
            "{:<8} {:>10} {:>12} {:>12}",
            "phase", "images", "seconds", "images/s"
        );
        for epoch in &training.epochs {
            println!(
                "{:<8} {:>10} {:>12.1} {:>12.1}",
                epoch.phase, epoch.images, epoch.seconds, epoch.images_per_second
            );
        }
        println!(
            "phase 2 feature cache (once): {:.1} s",
            training.feature_cache_seconds
        );
        if let Some(bytes) = training.peak_memory_bytes {
            println!("peak memory: {} MB", bytes / 1_000_000);
        }
    }

    if let Some(stages) = &summary.host_int8 {
        println!("\nHost int8 inference (tinytransfer-core portable kernels, one thread)");
        println!("{:<12} {:>12} {:>14}", "stage", "µs/image", "images/s");
        for stage in stages {
            println!(
                "{:<12} {:>12.1} {:>14.1}",
                stage.stage, stage.micros, stage.images_per_second
            );
        }
    }

    for cost in &summary.device {
        println!(
            "\nOn the device: QEMU mps2-an386 (Cortex-M4F), {} kernels: INSTRUCTIONS, not cycles",
            cost.kernels
        );
        println!(
            "{:<12} {:>14} {:>12} {:>12}",
            "stage", "instructions", "MACs", "instr/MAC"
        );
        for stage in &cost.stages {
            println!(
                "{:<12} {:>14} {:>12} {:>12.3}",
                stage.stage,
                stage.instructions,
                stage.macs,
                stage.per_mac()
            );
        }
        println!("flash {} B, static RAM {} B", cost.flash, cost.static_ram);
    }

    if let Some(peer) = &summary.peer {
        println!("\nPeer: the same network in f32, burn ndarray, same board — INSTRUCTIONS");
        println!("instructions per inference: {}", peer.instructions);
        if let Some(ours) = summary.device.iter().find(|cost| cost.kernels == "dsp") {
            if let Some(network) = ours.stages.iter().find(|stage| stage.stage == "network") {
                let ratio = peer.instructions as f64 / network.instructions as f64;
                println!(
                    "ours (int8, DSP): {} — the peer needs {ratio:.1}×",
                    network.instructions
                );
            }
        }
        println!(
            "flash {} B, static RAM {} B (heap included), heap peak {} B",
            peer.flash, peer.static_ram, peer.heap_peak
        );
        println!(
            "agreement with our int8 classes: {} of {}; right: {} of {}",
            peer.agree_with_int8, peer.images, peer.correct, peer.images
        );
    }
}

fn write_json(summary: &Summary) -> Result<String> {
    let path = target_dir().join("tinytransfer-bench.json");
    std::fs::write(&path, serde_json::to_vec_pretty(summary)?)?;
    Ok(path.display().to_string())
}
