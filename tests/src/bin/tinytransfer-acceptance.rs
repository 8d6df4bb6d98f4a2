//! The acceptance run: every MNIST test image of digits 5–9 (4 861) through the firmware under
//! QEMU, its accuracy beside the host's int8 accuracy (`tinytransfer-core`) and the float
//! accuracy that training reported, and a byte-for-byte comparison of device and host logits.
//!
//! Usage: `cargo run --release -p tinytransfer-tests --bin tinytransfer-acceptance --
//! [--blobs DIR] [--report FILE] [--shards N]`. The blobs default to `pretrained/` (or
//! `TINYTRANSFER_BLOB_DIR`); the float accuracy comes from `report.json` beside them, when
//! present. Exits 1 if any image differs between device and host.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use std::{env, fs, thread};

use anyhow::{bail, Context, Result};
use tinytransfer_tests::blobs::Blobs;
use tinytransfer_tests::elf::memory_use;
use tinytransfer_tests::firmware::Build;
use tinytransfer_tests::paths::{default_blob_dir, mnist_dir};
use tinytransfer_tests::records::{accuracy, Answer};
use tinytransfer_tests::{device, mnist, reference};

/// The report file that `tinytransfer train` writes beside the blobs.
const REPORT_FILE: &str = "report.json";
/// Kill a QEMU run that takes longer than this (a full run takes a few minutes).
const TIMEOUT: Duration = Duration::from_secs(3600);

struct Options {
    blob_dir: PathBuf,
    report: Option<PathBuf>,
    shards: usize,
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("tinytransfer-acceptance: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<bool> {
    let options = parse_options()?;
    let blobs = Blobs::read(&options.blob_dir)?;
    let digits = mnist::test_digits_5_to_9(&mnist_dir())?;
    let report = options
        .report
        .clone()
        .unwrap_or_else(|| options.blob_dir.join(REPORT_FILE));
    let float = float_accuracy(&report);

    eprintln!(
        "building the firmware (harness mode, blobs from {})",
        options.blob_dir.display()
    );
    let firmware = Build::new()
        .feature("harness")
        .blob_dir(&options.blob_dir)
        .build()?;
    eprintln!(
        "classifying {} images on {} QEMU processes",
        digits.len(),
        options.shards
    );
    let (host, device) = thread::scope(|scope| {
        let host = scope.spawn(|| reference::classify(&blobs, &digits));
        let device = device::classify(&firmware, &digits, options.shards, TIMEOUT);
        (host.join().expect("host inference does not panic"), device)
    });
    let (host, device) = (host?, device?);

    let differing = differing_images(&host, &device.answers);
    let memory = memory_use(firmware.elf())?;
    println!(
        "digits 5-9, {} MNIST test images, blobs from {}",
        digits.len(),
        options.blob_dir.display()
    );
    match float {
        Ok((accuracy, images)) => println!(
            "  float (burn)            {:6.2} %  over {images} images, from {}",
            100.0 * accuracy,
            report.display()
        ),
        Err(why) => println!("  float (burn)               n/a   ({why})"),
    }
    println!(
        "  int8 on the host        {:6.2} %",
        100.0 * accuracy(&host)
    );
    println!(
        "  int8 on the device      {:6.2} %  (QEMU mps2-an386, {} runs, {:.1?}, {:.1} ms/image)",
        100.0 * accuracy(&device.answers),
        device.runs.len(),
        device.elapsed,
        1000.0 * device.elapsed.as_secs_f64() / digits.len().max(1) as f64
    );
    println!(
        "  device vs host          {} of {} images identical in every logit byte",
        digits.len() - differing.len(),
        digits.len()
    );
    println!(
        "  firmware (harness mode)  flash {} B, static RAM {} B (plus the stack)",
        memory.flash, memory.static_ram
    );
    for n in differing.iter().take(10) {
        println!(
            "    image {n}: host {:?}, device {:?}",
            host[*n], device.answers[*n]
        );
    }
    Ok(differing.is_empty())
}

fn parse_options() -> Result<Options> {
    let mut options = Options {
        blob_dir: default_blob_dir(),
        report: None,
        shards: 2,
    };
    let mut args = env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--blobs" => options.blob_dir = value()?.into(),
            "--report" => options.report = Some(value()?.into()),
            "--shards" => options.shards = value()?.parse().context("--shards takes a number")?,
            other => bail!("unknown argument {other}; see the doc at the top of this binary"),
        }
    }
    Ok(options)
}

/// Phase 2's float accuracy and test image count from the training report.
fn float_accuracy(report: &std::path::Path) -> Result<(f64, u64), String> {
    let text = fs::read_to_string(report).map_err(|_| format!("no {}", report.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|error| format!("{}: {error}", report.display()))?;
    json["phases"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|phase| phase["phase"] == 2)
        .and_then(|phase| {
            Some((
                phase["float_accuracy"].as_f64()?,
                phase["test_images"].as_u64()?,
            ))
        })
        .ok_or_else(|| format!("{} has no phase 2 float accuracy", report.display()))
}

fn differing_images(host: &[Answer], device: &[Answer]) -> Vec<usize> {
    (0..host.len().max(device.len()))
        .filter(|&n| host.get(n) != device.get(n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tinytransfer_tests::paths::ScratchDir;

    #[test]
    fn float_accuracy_is_phase_2s() {
        let dir = ScratchDir::new("report").unwrap();
        let report = dir.path().join(REPORT_FILE);
        fs::write(
            &report,
            r#"{"phases": [{"phase": 1, "float_accuracy": 0.9969, "test_images": 5139},
                           {"phase": 2, "float_accuracy": 0.9918, "test_images": 4861}]}"#,
        )
        .unwrap();
        assert_eq!(float_accuracy(&report), Ok((0.9918, 4861)));

        fs::write(&report, r#"{"phases": []}"#).unwrap();
        assert!(float_accuracy(&report).is_err());
        assert!(float_accuracy(&dir.path().join("missing.json")).is_err());
    }

    #[test]
    fn differing_images_include_missing_answers() {
        let answer = Answer {
            logits: [0; 5],
            index: 0,
            label: 5,
            expected: 5,
        };
        let other = Answer {
            logits: [1, 0, 0, 0, 0],
            ..answer
        };
        assert_eq!(differing_images(&[answer, answer], &[answer, other]), [1]);
        assert_eq!(differing_images(&[answer, answer], &[answer]), [1]);
    }
}
