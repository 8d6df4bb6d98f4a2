//! Regenerates `firmware/demo/digits-5-9.bin`, the digits that the firmware's demo mode
//! classifies: the first two test images of each digit 5–9 in MNIST's test set, as records of
//! `[label][784 pixels]`.
//!
//! Usage: `cargo run -p tinytransfer-tests --bin tinytransfer-demo-digits` (MNIST in
//! `data/mnist`, or `TINYTRANSFER_MNIST_DIR`).

use std::fs;

use anyhow::{Context, Result};
use tinytransfer_tests::mnist;
use tinytransfer_tests::paths::{firmware_dir, mnist_dir};

/// Digits of each class in the demo.
const PER_CLASS: usize = 2;

fn main() -> Result<()> {
    let digits = mnist::test_digits_5_to_9(&mnist_dir())?;

    let mut bytes = Vec::new();
    for label in 5..=9 {
        for digit in digits
            .iter()
            .filter(|digit| digit.label == label)
            .take(PER_CLASS)
        {
            bytes.push(digit.label);
            bytes.extend_from_slice(&digit.pixels);
        }
    }

    let path = firmware_dir().join("demo").join("digits-5-9.bin");
    fs::create_dir_all(path.parent().expect("a file has a directory"))?;
    fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    println!(
        "wrote {} digits to {}",
        bytes.len() / (1 + mnist::PIXELS),
        path.display()
    );
    Ok(())
}
