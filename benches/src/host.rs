//! Host int8 inference figures, read from the estimates criterion wrote for `host_inference`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use crate::paths::target_dir;

/// The stages `host_inference` measures, in network order, then the whole network.
pub const STAGES: [&str; 5] = ["conv1", "conv2_pool", "dense1", "dense2", "network"];

/// One stage's time per image on one host thread.
#[derive(Clone, Debug, Serialize)]
pub struct HostStage {
    /// Stage name, as in [`STAGES`].
    pub stage: &'static str,
    /// Mean time per image, in microseconds (criterion's point estimate).
    pub micros: f64,
    /// Images per second, one thread.
    pub images_per_second: f64,
}

/// Where criterion keeps its results: `$CARGO_TARGET_DIR/criterion` or `target/criterion`.
pub fn criterion_dir() -> PathBuf {
    target_dir().join("criterion")
}

/// Reads the latest estimates of every stage.
///
/// # Errors
/// A stage has no estimate (run `cargo bench -p tinytransfer-benches --bench host_inference`).
pub fn read_host_stages(dir: &Path) -> Result<Vec<HostStage>> {
    STAGES
        .iter()
        .map(|&stage| {
            let path = dir
                .join("host_int8")
                .join(stage)
                .join("new")
                .join("estimates.json");
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("no criterion estimate at {}", path.display()))?;
            let json: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("{} is not JSON", path.display()))?;
            let nanos = json["mean"]["point_estimate"]
                .as_f64()
                .with_context(|| format!("{} has no mean estimate", path.display()))?;
            Ok(HostStage {
                stage,
                micros: nanos / 1e3,
                images_per_second: 1e9 / nanos,
            })
        })
        .collect()
}
