//! Harness mode: classify every image of a host file and write the answers to another, both
//! through semihosting, in QEMU's working directory.
//!
//! Input, [`IMAGES_FILE`]: records of [`IMAGE_RECORD`] bytes, `[label][784 pixels]`, the
//! pixels row-major as in MNIST; label 255 means unknown.
//! Output, [`RESULTS_FILE`]: one record of [`RESULT_RECORD`] bytes per image,
//! `[5 logits as i8][class index][class label][the input's label]`.

use core::ffi::CStr;

use semihosting::fs::File;
use semihosting::io::{Read as _, Write as _};
use tinytransfer_core::shapes::{CLASSES, IMAGE_PIXELS};

use crate::engine::{Engine, Scratch};
use crate::exit::{exit, ExitCode};
use crate::stopwatch::Stopwatch;

/// The images to classify.
pub const IMAGES_FILE: &CStr = c"tinytransfer-images.bin";
/// The answers.
pub const RESULTS_FILE: &CStr = c"tinytransfer-results.bin";
/// Bytes of one input record: the label, then the pixels.
pub const IMAGE_RECORD: usize = 1 + IMAGE_PIXELS;
/// Bytes of one output record: the logits, the class index and label, the input's label.
pub const RESULT_RECORD: usize = CLASSES + 3;
/// The label of an image whose digit is not known.
const UNKNOWN_LABEL: u8 = u8::MAX;

/// Runs harness mode to the end of the images file; on a host I/O or format error logs it and
/// exits with [`ExitCode::HostIo`] or [`ExitCode::InputFormat`].
pub fn run(engine: &Engine<'_>, scratch: &mut Scratch, stopwatch: &Stopwatch) {
    let mut images = open(IMAGES_FILE, File::open(IMAGES_FILE));
    let mut results = open(RESULTS_FILE, File::create(RESULTS_FILE));

    let len = images
        .metadata()
        .map(|metadata| metadata.len())
        .unwrap_or_else(|_| {
            io_failed("cannot read the size of", IMAGES_FILE);
        });
    if !len.is_multiple_of(IMAGE_RECORD as u64) {
        defmt::error!(
            "{=str} holds {=u64} bytes, not a whole number of {=usize}-byte records",
            name(IMAGES_FILE),
            len,
            IMAGE_RECORD
        );
        exit(ExitCode::InputFormat);
    }
    let count = len / IMAGE_RECORD as u64;
    defmt::info!(
        "harness: {=u64} images from {=str}",
        count,
        name(IMAGES_FILE)
    );

    let mut record = [0u8; IMAGE_RECORD];
    let (mut labelled, mut correct) = (0u32, 0u32);
    for n in 0..count {
        if images.read_exact(&mut record).is_err() {
            io_failed("cannot read", IMAGES_FILE);
        }
        let (label, pixels) = record.split_first().expect("a record is never empty");
        let pixels: &[u8; IMAGE_PIXELS] = pixels.try_into().expect("a record holds one image");

        let (prediction, ticks) = engine.classify_timed(pixels, scratch, stopwatch);

        let mut answer = [0u8; RESULT_RECORD];
        for (byte, logit) in answer.iter_mut().zip(prediction.logits) {
            *byte = logit.to_le_bytes()[0];
        }
        answer[CLASSES] = prediction.index as u8;
        answer[CLASSES + 1] = prediction.label;
        answer[CLASSES + 2] = *label;
        if results.write_all(&answer).is_err() {
            io_failed("cannot write", RESULTS_FILE);
        }

        defmt::debug!(
            "image {=u64}: label {=u8}, {}, SysTick ticks {}",
            n,
            *label,
            prediction,
            ticks
        );
        if *label != UNKNOWN_LABEL {
            labelled += 1;
            correct += u32::from(prediction.label == *label);
        }
    }

    defmt::info!(
        "harness: {=u64} images classified into {=str}; {=u32} of {=u32} labelled ones correct",
        count,
        name(RESULTS_FILE),
        correct,
        labelled
    );
}

fn open(path: &CStr, file: semihosting::io::Result<File>) -> File {
    file.unwrap_or_else(|_| io_failed("cannot open", path))
}

fn io_failed(what: &str, path: &CStr) -> ! {
    defmt::error!(
        "{=str} {=str} in QEMU's working directory",
        what,
        name(path)
    );
    exit(ExitCode::HostIo)
}

fn name(path: &CStr) -> &str {
    path.to_str().unwrap_or("(file)")
}
