//! The files that the firmware's harness mode reads and writes (`firmware/src/harness.rs`).
//!
//! Input, [`IMAGES_FILE`]: per image `[label][784 pixels]`. Output, [`RESULTS_FILE`]: per image
//! `[5 logits as i8][class index][class label][the input's label]`.

use anyhow::{ensure, Result};
use tinytransfer_core::shapes::CLASSES;

use crate::mnist::{Digit, PIXELS};

/// The images file, in QEMU's working directory.
pub const IMAGES_FILE: &str = "tinytransfer-images.bin";
/// The results file, in QEMU's working directory.
pub const RESULTS_FILE: &str = "tinytransfer-results.bin";
/// Bytes per image in [`IMAGES_FILE`].
pub const IMAGE_RECORD: usize = 1 + PIXELS;
/// Bytes per image in [`RESULTS_FILE`].
pub const RESULT_RECORD: usize = CLASSES + 3;

/// What the network said of one image, on either side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The quantised logits.
    pub logits: [i8; CLASSES],
    /// Index of the chosen class.
    pub index: u8,
    /// Label of the chosen class (5–9).
    pub label: u8,
    /// The image's true label.
    pub expected: u8,
}

impl Answer {
    /// Whether the chosen class is the true one.
    pub fn is_correct(&self) -> bool {
        self.label == self.expected
    }
}

/// The bytes of the images file for `digits`.
pub fn encode_images(digits: &[Digit]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(digits.len() * IMAGE_RECORD);
    for digit in digits {
        bytes.push(digit.label);
        bytes.extend_from_slice(&digit.pixels);
    }
    bytes
}

/// Parses a results file.
///
/// # Errors
/// The length is not a whole number of records.
pub fn decode_results(bytes: &[u8]) -> Result<Vec<Answer>> {
    ensure!(
        bytes.len() % RESULT_RECORD == 0,
        "the results file holds {} bytes, not a whole number of {RESULT_RECORD}-byte records",
        bytes.len()
    );
    Ok(bytes
        .chunks_exact(RESULT_RECORD)
        .map(|record| Answer {
            logits: std::array::from_fn(|c| i8::from_le_bytes([record[c]])),
            index: record[CLASSES],
            label: record[CLASSES + 1],
            expected: record[CLASSES + 2],
        })
        .collect())
}

/// Fraction of `answers` that are correct (0 for none).
pub fn accuracy(answers: &[Answer]) -> f64 {
    if answers.is_empty() {
        return 0.0;
    }
    answers.iter().filter(|answer| answer.is_correct()).count() as f64 / answers.len() as f64
}
