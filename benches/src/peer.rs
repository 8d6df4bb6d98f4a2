//! The peer: the same trained network in f32 on burn's ndarray backend (`peer/`), on the same
//! board under the same QEMU `-icount shift=0`, with its agreement with our int8 answers.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use serde::Serialize;
use tinytransfer_tests::blobs::Blobs;
use tinytransfer_tests::elf::memory_use;
use tinytransfer_tests::mnist;
use tinytransfer_tests::paths::{mnist_dir, repo_root, ScratchDir};
use tinytransfer_tests::records::{encode_images, IMAGES_FILE};
use tinytransfer_tests::reference;

/// Test digits 5–9 the peer classifies (its cost per image does not depend on the image).
pub const PEER_IMAGES: usize = 50;
/// The peer's results: per image 5 f32 logits, class index, class label, input label.
const RESULTS_FILE: &str = "tinytransfer-peer-results.bin";
const RESULT_RECORD: usize = 5 * 4 + 3;

/// What the peer costs and how often it agrees with us.
#[derive(Clone, Debug, Serialize)]
pub struct PeerCost {
    /// Images it classified.
    pub images: usize,
    /// Mean instructions per inference (SysTick × 40 under `-icount shift=0`).
    pub instructions: u64,
    /// Flash bytes of its ELF (the f32 weights among them).
    pub flash: u64,
    /// Static RAM bytes of its ELF, its heap included.
    pub static_ram: u64,
    /// Heap bytes live at once at the most.
    pub heap_peak: u64,
    /// Images where its class equals our int8 class.
    pub agree_with_int8: usize,
    /// Images it classified right.
    pub correct: usize,
}

/// Builds the peer with the weights beside the blobs and runs it on the first test digits.
///
/// # Errors
/// The build or the run fails, or its output lacks the summary line.
pub fn measure(blob_dir: &Path) -> Result<PeerCost> {
    let peer_dir = repo_root().join("peer");
    let weights = blob_dir.join("float-weights.bin");
    ensure!(weights.is_file(), "no f32 weights at {}", weights.display());

    let status = Command::new("cargo")
        .args(["build", "--release", "--locked"])
        .current_dir(&peer_dir)
        // The peer is its own workspace with its own target directory.
        .env_remove("CARGO_TARGET_DIR")
        .env("TINYTRANSFER_PEER_WEIGHTS", &weights)
        .status()
        .context("running cargo build in peer/")?;
    ensure!(status.success(), "the peer does not build");
    let elf = peer_dir.join("target/thumbv7em-none-eabihf/release/tinytransfer-peer");
    let memory = memory_use(&elf)?;

    let digits: Vec<_> = mnist::test_digits_5_to_9(&mnist_dir())?
        .into_iter()
        .take(PEER_IMAGES)
        .collect();
    let work = ScratchDir::new("peer-bench")?;
    std::fs::write(work.path().join(IMAGES_FILE), encode_images(&digits))?;

    let output = Command::new(peer_dir.join("qemu-runner.sh"))
        .arg(&elf)
        .current_dir(work.path())
        .env(
            "TINYTRANSFER_QEMU_TIMEOUT",
            Duration::from_secs(1200).as_secs().to_string(),
        )
        .output()
        .context("running the peer under QEMU")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "the peer failed ({}):\n{stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let summary = stdout
        .lines()
        .find_map(|line| line.strip_prefix("summary: "))
        .context("the peer printed no summary line")?;
    let value = |key: &str| -> Result<u64> {
        summary
            .split_whitespace()
            .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
            .with_context(|| format!("no {key} in the peer's summary"))?
            .parse()
            .with_context(|| format!("{key} in the peer's summary"))
    };

    let results = std::fs::read(work.path().join(RESULTS_FILE))?;
    ensure!(
        results.len() == digits.len() * RESULT_RECORD,
        "the peer answered some images only"
    );
    let ours = reference::classify(&Blobs::read(blob_dir)?, &digits)?;
    let peer_labels: Vec<u8> = results.chunks_exact(RESULT_RECORD).map(|r| r[21]).collect();
    let agree = ours
        .iter()
        .zip(&peer_labels)
        .filter(|(a, &p)| a.label == p)
        .count();
    let correct = digits
        .iter()
        .zip(&peer_labels)
        .filter(|(d, &p)| d.label == p)
        .count();

    Ok(PeerCost {
        images: digits.len(),
        instructions: value("instructions_mean")?,
        flash: memory.flash,
        static_ram: memory.static_ram,
        heap_peak: value("heap_peak_live")?,
        agree_with_int8: agree,
        correct,
    })
}
