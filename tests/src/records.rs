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
        bytes.len().is_multiple_of(RESULT_RECORD),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_file_is_label_then_pixels() {
        let mut pixels = [0u8; PIXELS];
        pixels[0] = 7;
        pixels[PIXELS - 1] = 255;
        let bytes = encode_images(&[Digit { label: 9, pixels }, Digit { label: 5, pixels }]);

        assert_eq!(bytes.len(), 2 * IMAGE_RECORD);
        assert_eq!(&bytes[..2], &[9, 7]);
        assert_eq!(bytes[IMAGE_RECORD - 1], 255);
        assert_eq!(bytes[IMAGE_RECORD], 5);
    }

    #[test]
    fn results_file_decodes_signed_logits() {
        let bytes = [
            0x80, 0xff, 0x00, 0x01, 0x7f, 4, 9, 9, 1, 2, 3, 4, 5, 0, 5, 6,
        ];
        let answers = decode_results(&bytes).unwrap();

        assert_eq!(
            answers,
            [
                Answer {
                    logits: [-128, -1, 0, 1, 127],
                    index: 4,
                    label: 9,
                    expected: 9
                },
                Answer {
                    logits: [1, 2, 3, 4, 5],
                    index: 0,
                    label: 5,
                    expected: 6
                },
            ]
        );
        assert!((accuracy(&answers) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn results_file_of_torn_length_is_refused() {
        assert!(decode_results(&[0; RESULT_RECORD + 1]).is_err());
    }
}
