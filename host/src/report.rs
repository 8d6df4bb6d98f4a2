//! The JSON report of a training run: what was trained, how well float and int8 do, how long it
//! took and what was written.

use serde::{Deserialize, Serialize};

use crate::data::{Task, TASK_CLASSES};
use crate::export::BlobFile;
use crate::quantise::Calibration;
use crate::train::checkpoint::EpochRecord;

/// The report's file name in the output directory.
pub const REPORT_FILE: &str = "report.json";

/// Everything a run measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// The program and version that wrote the report.
    pub tool: String,
    /// The burn backend.
    pub backend: String,
    /// The options that shape the result.
    pub options: RunOptions,
    /// How many examples each task had.
    pub data: DataCounts,
    /// Every epoch of both phases.
    pub epochs: Vec<EpochRecord>,
    /// The outcome of each phase, float and int8, on its task's test images.
    pub phases: Vec<PhaseResult>,
    /// How activations were calibrated, and the ranges found.
    pub quantisation: QuantReport,
    /// The blobs written.
    pub blobs: Vec<BlobFile>,
    /// Wall times.
    pub timings: Timings,
    /// Peak resident memory of the process that finished the run (Linux `VmHWM`), if known.
    pub peak_memory_bytes: Option<u64>,
    /// The 5–9 confusion matrices.
    pub confusion_5_9: Confusion,
}

/// The options that shape a run's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunOptions {
    /// The seed.
    pub seed: u64,
    /// Epochs per phase.
    pub epochs: usize,
    /// Examples per batch.
    pub batch_size: usize,
    /// Training examples per task, if limited.
    pub train_limit: Option<usize>,
    /// Test examples per task, if limited.
    pub test_limit: Option<usize>,
    /// Whether phase 2 started from a fresh head.
    pub reinit_head: bool,
    /// Calibration images per task.
    pub calibration_images: usize,
}

/// Examples per task and split.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct DataCounts {
    /// Digits 0–4, training.
    pub low_train: usize,
    /// Digits 0–4, test.
    pub low_test: usize,
    /// Digits 5–9, training.
    pub high_train: usize,
    /// Digits 5–9, test.
    pub high_test: usize,
}

/// How one phase's model does on its task's test images.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct PhaseResult {
    /// 1 or 2.
    pub phase: u8,
    /// The task.
    pub task: Task,
    /// Test images scored.
    pub test_images: usize,
    /// Accuracy of the float model (burn).
    pub float_accuracy: f64,
    /// Accuracy of the int8 blobs (`tinytransfer-core`).
    pub int8_accuracy: f64,
    /// Fraction of test images on which float and int8 predict the same class.
    pub agreement: f64,
    /// `int8_accuracy − float_accuracy`, in percentage points.
    pub int8_minus_float_points: f64,
}

impl PhaseResult {
    /// The result of a phase from its predictions.
    pub fn new(phase: u8, task: Task, labels: &[u8], float: &[u8], int8: &[u8]) -> Self {
        let fraction = |a: &[u8], b: &[u8]| crate::int8::agreement(a, b);
        let float_accuracy = fraction(float, labels);
        let int8_accuracy = fraction(int8, labels);
        Self {
            phase,
            task,
            test_images: labels.len(),
            float_accuracy,
            int8_accuracy,
            agreement: fraction(float, int8),
            int8_minus_float_points: 100.0 * (int8_accuracy - float_accuracy),
        }
    }
}

/// The calibration method and what it found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QuantReport {
    /// The method, in words.
    pub method: String,
    /// Calibration images per task.
    pub calibration_images: usize,
    /// The activation ranges.
    pub ranges: Calibration,
}

/// Wall times in seconds.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Timings {
    /// Phase 1 training and per-epoch evaluation (summed over resumed runs).
    pub phase1_seconds: f64,
    /// Phase 2 training and per-epoch evaluation (summed over resumed runs).
    pub phase2_seconds: f64,
    /// Computing the frozen features of phase 2's images once.
    pub feature_cache_seconds: f64,
    /// Calibration, quantisation and export.
    pub quantise_seconds: f64,
    /// Scoring the int8 blobs on the test images.
    pub int8_eval_seconds: f64,
    /// The whole process that finished the run.
    pub process_seconds: f64,
}

/// Confusion matrices: `matrix[true class][predicted class]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Confusion {
    /// The digit of each class.
    pub labels: [u8; TASK_CLASSES],
    /// The float model's.
    pub float: [[u32; TASK_CLASSES]; TASK_CLASSES],
    /// The int8 model's.
    pub int8: [[u32; TASK_CLASSES]; TASK_CLASSES],
}

/// Counts `matrix[label][prediction]`.
pub fn confusion(labels: &[u8], predictions: &[u8]) -> [[u32; TASK_CLASSES]; TASK_CLASSES] {
    let mut matrix = [[0; TASK_CLASSES]; TASK_CLASSES];
    for (&label, &prediction) in labels.iter().zip(predictions) {
        matrix[usize::from(label)][usize::from(prediction)] += 1;
    }
    matrix
}

/// Peak resident memory of this process so far, from `/proc/self/status` (Linux only).
pub fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
