//! Classify every image of a host file and write the answers to another, both through
//! semihosting, in QEMU's working directory.
//!
//! Input, [`IMAGES_FILE`]: records of [`IMAGE_RECORD`] bytes, `[label][784 pixels]`, the
//! firmware harness's format (label 255: unknown).
//! Output, [`RESULTS_FILE`]: one record of [`RESULT_RECORD`] bytes per image,
//! `[5 logits as f32, little-endian][class index][class label][the input's label]`: the
//! firmware's record with f32 logits in place of its i8 ones.

use core::ffi::CStr;

use semihosting::fs::File;
use semihosting::io::{Read as _, Write as _};

use crate::exit::{exit, ExitCode};
use crate::network::{Network, CLASSES, IMAGE_PIXELS, STAGES};
use crate::stopwatch::Stopwatch;

/// The images to classify: the same file name as the firmware's harness mode.
pub const IMAGES_FILE: &CStr = c"tinytransfer-images.bin";
/// The answers.
pub const RESULTS_FILE: &CStr = c"tinytransfer-peer-results.bin";
/// Bytes of one input record: the label, then the pixels.
pub const IMAGE_RECORD: usize = 1 + IMAGE_PIXELS;
/// Bytes of one output record: the logits, the class index and label, the input's label.
pub const RESULT_RECORD: usize = 4 * CLASSES + 3;
/// Images whose answer is printed one by one; the rest only count in the summary.
const PRINTED_IMAGES: u64 = 10;
/// The label of an image whose digit is not known.
const UNKNOWN_LABEL: u8 = u8::MAX;

/// Instruction counts over a run.
pub struct Summary {
    /// Images classified.
    pub images: u64,
    /// Images with a known label.
    pub labelled: u32,
    /// Labelled images classified right.
    pub correct: u32,
    /// Instructions of the first inference.
    pub first: u64,
    /// The fewest instructions of any inference.
    pub fewest: u64,
    /// The most instructions of any inference.
    pub most: u64,
    /// Instructions of all inferences together.
    pub total: u64,
    /// Instructions of all inferences together, per stage of [`STAGES`].
    pub stages: [u64; STAGES.len()],
}

/// Classifies the images file to its end; on a host I/O or format error prints it and exits
/// with [`ExitCode::HostIo`] or [`ExitCode::InputFormat`].
pub fn run(network: &Network, stopwatch: &Stopwatch) -> Summary {
    let mut images = File::open(IMAGES_FILE).unwrap_or_else(|_| {
        semihosting::eprintln!(
            "cannot open {} in QEMU's working directory: write it with \
             `python3 tools/mnist-images.py` (see README.md)",
            name(IMAGES_FILE)
        );
        exit(ExitCode::HostIo)
    });
    let mut results =
        File::create(RESULTS_FILE).unwrap_or_else(|_| io_failed("cannot create", RESULTS_FILE));

    let len = images
        .metadata()
        .map(|metadata| metadata.len())
        .unwrap_or_else(|_| io_failed("cannot read the size of", IMAGES_FILE));
    if len == 0 || !len.is_multiple_of(IMAGE_RECORD as u64) {
        semihosting::eprintln!(
            "{} holds {} bytes, not a whole and non-zero number of {}-byte records",
            name(IMAGES_FILE),
            len,
            IMAGE_RECORD
        );
        exit(ExitCode::InputFormat);
    }
    let count = len / IMAGE_RECORD as u64;
    semihosting::println!("{} images from {}", count, name(IMAGES_FILE));

    let mut summary = Summary {
        images: count,
        labelled: 0,
        correct: 0,
        first: 0,
        fewest: u64::MAX,
        most: 0,
        total: 0,
        stages: [0; STAGES.len()],
    };
    let mut record = [0u8; IMAGE_RECORD];
    for n in 0..count {
        if images.read_exact(&mut record).is_err() {
            io_failed("cannot read", IMAGES_FILE);
        }
        let (label, pixels) = record.split_first().expect("a record is never empty");
        let pixels: &[u8; IMAGE_PIXELS] = pixels.try_into().expect("a record holds one image");

        let prediction = network.classify(pixels, stopwatch);

        let mut answer = [0u8; RESULT_RECORD];
        for (bytes, logit) in answer.chunks_exact_mut(4).zip(prediction.logits) {
            bytes.copy_from_slice(&logit.to_le_bytes());
        }
        answer[4 * CLASSES] = prediction.index as u8;
        answer[4 * CLASSES + 1] = prediction.label();
        answer[4 * CLASSES + 2] = *label;
        if results.write_all(&answer).is_err() {
            io_failed("cannot write", RESULTS_FILE);
        }

        let instructions: u64 = prediction.instructions.iter().sum();
        if n == 0 {
            summary.first = instructions;
        }
        summary.fewest = summary.fewest.min(instructions);
        summary.most = summary.most.max(instructions);
        summary.total += instructions;
        for (sum, stage) in summary.stages.iter_mut().zip(prediction.instructions) {
            *sum += stage;
        }
        if *label != UNKNOWN_LABEL {
            summary.labelled += 1;
            summary.correct += u32::from(prediction.label() == *label);
        }

        if n < PRINTED_IMAGES {
            semihosting::println!(
                "image {}: label {}, class {} (logits {:?}), {} instructions",
                n,
                *label,
                prediction.label(),
                prediction.logits,
                instructions
            );
        }
    }
    summary
}

fn io_failed(what: &str, path: &CStr) -> ! {
    semihosting::eprintln!("{} {} in QEMU's working directory", what, name(path));
    exit(ExitCode::HostIo)
}

fn name(path: &CStr) -> &str {
    path.to_str().unwrap_or("(file)")
}
