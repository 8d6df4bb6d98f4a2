//! Training speed: one epoch of each phase on the full data with the release `tinytransfer`
//! binary and its default backend, read back from the run's `report.json`.

use std::process::Command;

use anyhow::{ensure, Context, Result};
use serde::Serialize;
use tinytransfer_tests::paths::{mnist_dir, repo_root, ScratchDir};

use crate::paths::target_dir;

/// One phase's epoch.
#[derive(Clone, Debug, Serialize)]
pub struct EpochCost {
    /// 1 (all layers, digits 0–4) or 2 (frozen convolutions, digits 5–9).
    pub phase: u8,
    /// Training images in the epoch.
    pub images: u64,
    /// Wall time of the epoch: training, then scoring the test images.
    pub seconds: f64,
    /// Training images per second of that wall time.
    pub images_per_second: f64,
}

/// What one epoch per phase cost.
#[derive(Clone, Debug, Serialize)]
pub struct TrainingCost {
    /// The burn backend the run used.
    pub backend: String,
    /// Phase 1's and phase 2's epochs.
    pub epochs: Vec<EpochCost>,
    /// Computing phase 2's frozen features once, before its first epoch.
    pub feature_cache_seconds: f64,
    /// Peak resident memory of the run.
    pub peak_memory_bytes: Option<u64>,
}

/// Builds `tinytransfer` in release mode and trains one epoch of each phase.
///
/// # Errors
/// The build or the run fails, or the report is not what `tinytransfer train` writes.
pub fn measure() -> Result<TrainingCost> {
    let root = repo_root();
    let status = Command::new("cargo")
        .args(["build", "--release", "--locked", "-p", "tinytransfer-host"])
        .current_dir(&root)
        .status()
        .context("running cargo build for tinytransfer-host")?;
    ensure!(status.success(), "tinytransfer-host does not build");

    let out = ScratchDir::new("training-bench")?;
    let status = Command::new(target_dir().join("release/tinytransfer"))
        .arg("train")
        .arg("--data-dir")
        .arg(mnist_dir())
        .arg("--out")
        .arg(out.path())
        .args(["--epochs", "1", "--no-progress"])
        .status()
        .context("running tinytransfer train")?;
    ensure!(status.success(), "tinytransfer train failed");

    let path = out.path().join("report.json");
    let report: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?,
    )?;
    let count = |key: &str| {
        report["data"][key]
            .as_u64()
            .with_context(|| format!("data.{key}"))
    };
    let images = [count("low_train")?, count("high_train")?];

    let mut epochs = Vec::new();
    for epoch in report["epochs"]
        .as_array()
        .context("no epochs in the report")?
    {
        let phase = epoch["phase"].as_u64().context("epoch without a phase")? as u8;
        let seconds = epoch["seconds"].as_f64().context("epoch without seconds")?;
        let images = images[usize::from(phase.clamp(1, 2) - 1)];
        epochs.push(EpochCost {
            phase,
            images,
            seconds,
            images_per_second: images as f64 / seconds,
        });
    }

    Ok(TrainingCost {
        backend: report["backend"].as_str().unwrap_or("?").to_string(),
        epochs,
        feature_cache_seconds: report["timings"]["feature_cache_seconds"]
            .as_f64()
            .unwrap_or(0.0),
        peak_memory_bytes: report["peak_memory_bytes"].as_u64(),
    })
}
