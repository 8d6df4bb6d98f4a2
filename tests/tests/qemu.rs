//! The firmware under QEMU against `tinytransfer-core` on the host.
//!
//! Needs `qemu-system-arm`, the `thumbv7em-none-eabihf` target and MNIST in `data/mnist` (or
//! `TINYTRANSFER_MNIST_DIR`). The model is the committed `pretrained/` blobs (or
//! `TINYTRANSFER_BLOB_DIR`); where there are none, a random model from
//! `tinytransfer_tests::blobs` stands in, which checks the arithmetic just as well.

use std::sync::OnceLock;
use std::time::Duration;

use tinytransfer_tests::blobs::{Blobs, HEAD_FILE};
use tinytransfer_tests::elf::memory_use;
use tinytransfer_tests::firmware::{exit_code, Build, Firmware};
use tinytransfer_tests::mnist::{self, Digit};
use tinytransfer_tests::paths::{default_blob_dir, mnist_dir, ScratchDir};
use tinytransfer_tests::qemu::{Outcome, Qemu};
use tinytransfer_tests::records::{IMAGES_FILE, IMAGE_RECORD};
use tinytransfer_tests::{device, reference};

/// Every ninth test image of digits 5–9: 541 images spread over the whole test set.
const SAMPLE_STRIDE: usize = 9;
/// For the portable kernels, every 45th: 109 images.
const PORTABLE_STRIDE: usize = 45;
/// Parallel QEMU processes for the bit-exactness run.
const SHARDS: usize = 2;
/// Far beyond what a run needs (tens of seconds), and still well inside CI's budget.
const RUN_TIMEOUT: Duration = Duration::from_secs(600);

/// The model under test: its blob directory, kept alive for the whole test binary.
struct TestModel {
    _dir: Option<ScratchDir>,
    path: std::path::PathBuf,
    blobs: Blobs,
}

fn model() -> &'static TestModel {
    static MODEL: OnceLock<TestModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        let dir = default_blob_dir();
        if let Ok(blobs) = Blobs::read(&dir) {
            eprintln!("model: the blobs of {}", dir.display());
            return TestModel {
                _dir: None,
                path: dir,
                blobs,
            };
        }
        eprintln!(
            "model: no blobs in {}; a random model stands in",
            dir.display()
        );
        random_model(1)
    })
}

fn random_model(seed: u64) -> TestModel {
    let dir = ScratchDir::new("random-blobs").expect("a scratch directory");
    let blobs = Blobs::random(seed);
    blobs.write(dir.path()).expect("random blobs are written");
    TestModel {
        path: dir.path().to_path_buf(),
        _dir: Some(dir),
        blobs,
    }
}

fn harness_firmware() -> &'static Firmware {
    static FIRMWARE: OnceLock<Firmware> = OnceLock::new();
    FIRMWARE.get_or_init(|| {
        Build::new()
            .feature("harness")
            .blob_dir(&model().path)
            .build()
            .expect("firmware builds")
    })
}

fn sample_digits(stride: usize) -> Vec<Digit> {
    let digits = mnist::test_digits_5_to_9(&mnist_dir()).expect("MNIST test set");
    digits.into_iter().step_by(stride).collect()
}

/// The firmware's default kernels (DSP, `SMLAD`) against the host's portable ones.
#[test]
fn device_logits_equal_host_logits_bit_for_bit() {
    let digits = sample_digits(SAMPLE_STRIDE);
    assert!(digits.len() >= 500, "only {} images", digits.len());
    compare_with_host(harness_firmware(), &digits, "kernels: DSP");
}

/// The firmware built with its `portable` feature: the reference kernels, compiled for Thumb.
#[test]
fn portable_kernels_on_the_device_equal_the_host_too() {
    let firmware = Build::new()
        .feature("harness")
        .feature("portable")
        .blob_dir(&model().path)
        .build()
        .expect("firmware builds");
    compare_with_host(
        &firmware,
        &sample_digits(PORTABLE_STRIDE),
        "kernels: portable",
    );
}

fn compare_with_host(firmware: &Firmware, digits: &[Digit], kernels: &str) {
    let host = reference::classify(&model().blobs, digits).expect("host inference");
    let device = device::classify(firmware, digits, SHARDS, RUN_TIMEOUT)
        .unwrap_or_else(|error| panic!("{error:#}"));
    for run in &device.runs {
        assert!(run.find("info", kernels).is_some(), "{}", run.log_text());
    }

    assert_eq!(device.answers.len(), host.len());
    for (n, (on_device, on_host)) in device.answers.iter().zip(&host).enumerate() {
        assert_eq!(
            on_device, on_host,
            "image {n} (label {}) differs",
            digits[n].label
        );
    }
    // A comparison over images that all give the same answer would prove little.
    let classes: std::collections::BTreeSet<u8> = host.iter().map(|answer| answer.label).collect();
    assert!(classes.len() >= 3, "the model answers only {classes:?}");
    let correct = host.iter().filter(|answer| answer.is_correct()).count();
    eprintln!(
        "{kernels}: {} images bit-exact in {:.1?} on {SHARDS} QEMUs; {correct} classified right",
        digits.len(),
        device.elapsed
    );
    for run in &device.runs {
        assert!(
            run.find("info", "images classified").is_some(),
            "{}",
            run.log_text()
        );
    }
}

#[test]
fn demo_mode_classifies_its_embedded_digits() {
    let firmware = Build::new()
        .blob_dir(&model().path)
        .build()
        .expect("firmware builds");
    let run = Qemu::new(firmware.elf())
        .timeout(RUN_TIMEOUT)
        .run()
        .expect("QEMU runs");

    assert_eq!(
        run.outcome,
        Outcome::Exited(exit_code::SUCCESS),
        "{}",
        run.log_text()
    );
    assert!(
        run.find("info", "model: task digits-5-9").is_some(),
        "{}",
        run.log_text()
    );
    let digits = run
        .log
        .iter()
        .filter(|line| line.message.starts_with("digit "))
        .count();
    assert_eq!(digits, 10, "{}", run.log_text());
    assert!(run.find("info", "demo: ").is_some(), "{}", run.log_text());
}

/// The demo's whole log with a fixed random model, against `tests/golden/demo-random-model.log`.
/// The digits of the two summary lines (blob sizes and CRC, scratch size) are masked: they follow
/// the core's format and kernels, which other tests check, not the demo.
/// After an intended change (say, of the blob format, whose sizes and CRC the log shows),
/// regenerate it with `TINYTRANSFER_BLESS=1 cargo test -p tinytransfer-tests --test qemu demo_log`.
#[test]
fn demo_log_matches_its_golden_file() {
    let model = random_model(5);
    let firmware = Build::new()
        .blob_dir(&model.path)
        .build()
        .expect("firmware builds");
    let run = Qemu::new(firmware.elf())
        .timeout(RUN_TIMEOUT)
        .run()
        .expect("QEMU runs");
    assert_eq!(
        run.outcome,
        Outcome::Exited(exit_code::SUCCESS),
        "{}",
        run.log_text()
    );

    let golden =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/demo-random-model.log");
    let log = masked(&run.log_text());
    if std::env::var_os("TINYTRANSFER_BLESS").is_some() {
        std::fs::write(&golden, &log).expect("golden file written");
    }
    let expected = std::fs::read_to_string(&golden).expect("tests/golden/demo-random-model.log");
    assert_eq!(
        log,
        expected,
        "the demo log differs from {}; if the change is intended, regenerate it with \
         TINYTRANSFER_BLESS=1 cargo test -p tinytransfer-tests --test qemu demo_log",
        golden.display()
    );
}

#[test]
fn damaged_blobs_are_refused_with_their_exit_codes() {
    let good = Blobs::random(2);
    let cases = [
        (
            "flipped bit in the feature extractor",
            exit_code::FEATURES_INVALID,
            {
                let mut blobs = good.clone();
                blobs.features[100] ^= 0x01;
                (
                    blobs,
                    "feature extractor blob (10135 bytes) is invalid: blob damaged",
                )
            },
        ),
        ("truncated head", exit_code::HEAD_INVALID, {
            let mut blobs = good.clone();
            blobs.head.truncate(blobs.head.len() / 2);
            (blobs, "head blob (295869 bytes) is invalid: blob truncated")
        }),
        (
            "head of another feature extractor",
            exit_code::MODEL_MISMATCH,
            {
                let blobs = Blobs {
                    features: good.features.clone(),
                    head: Blobs::random(3).head,
                };
                (blobs, "the head does not fit the feature extractor")
            },
        ),
        (
            "model beyond the DSP kernels",
            exit_code::KERNELS_UNSUPPORTED,
            (
                Blobs::random_beyond_dsp(2),
                "the DSP kernels cannot run this model exactly",
            ),
        ),
    ];

    for (case, code, (blobs, message)) in cases {
        let dir = ScratchDir::new("damaged-blobs").expect("a scratch directory");
        blobs.write(dir.path()).expect("blobs are written");
        let firmware = Build::new()
            .blob_dir(dir.path())
            .build()
            .expect("firmware builds");
        let run = Qemu::new(firmware.elf())
            .timeout(RUN_TIMEOUT)
            .run()
            .expect("QEMU runs");

        assert_eq!(
            run.outcome,
            Outcome::Exited(code),
            "{case}:\n{}",
            run.log_text()
        );
        assert!(
            run.find("error", message).is_some(),
            "{case}:\n{}",
            run.log_text()
        );
    }
}

#[test]
fn torn_images_file_is_refused() {
    let dir = ScratchDir::new("torn-images").expect("a scratch directory");
    std::fs::write(dir.path().join(IMAGES_FILE), vec![0u8; IMAGE_RECORD + 1]).expect("written");

    let run = Qemu::new(harness_firmware().elf())
        .workdir(dir.path())
        .timeout(RUN_TIMEOUT)
        .run()
        .expect("QEMU runs");

    assert_eq!(
        run.outcome,
        Outcome::Exited(exit_code::INPUT_FORMAT),
        "{}",
        run.log_text()
    );
    assert!(
        run.find("error", "not a whole number").is_some(),
        "{}",
        run.log_text()
    );
}

#[test]
fn missing_images_file_is_a_host_io_error() {
    let dir = ScratchDir::new("no-images").expect("a scratch directory");
    let run = Qemu::new(harness_firmware().elf())
        .workdir(dir.path())
        .timeout(RUN_TIMEOUT)
        .run()
        .expect("QEMU runs");

    assert_eq!(
        run.outcome,
        Outcome::Exited(exit_code::HOST_IO),
        "{}",
        run.log_text()
    );
    assert!(run
        .find("error", "cannot open tinytransfer-images.bin")
        .is_some());
}

#[test]
fn hanging_firmware_is_stopped_by_the_timeout() {
    let model = random_model(4);
    let firmware = Build::new()
        .feature("hang")
        .blob_dir(&model.path)
        .build()
        .expect("firmware builds");
    let timeout = Duration::from_secs(5);

    let run = Qemu::new(firmware.elf())
        .timeout(timeout)
        .run()
        .expect("QEMU runs");

    assert_eq!(
        run.outcome,
        Outcome::TimedOut(timeout),
        "{}",
        run.log_text()
    );
    assert!(
        run.elapsed < timeout + Duration::from_secs(5),
        "stopped late: {:?}",
        run.elapsed
    );
    assert!(
        run.find("warn", "spinning forever").is_some(),
        "{}",
        run.log_text()
    );
}

#[test]
fn firmware_fits_both_boards() {
    let qemu = memory_use(harness_firmware().elf()).expect("ELF sections");
    eprintln!("mps2-an386 (harness mode): {qemu:?}");
    assert!(qemu.flash <= 4 << 20 && qemu.static_ram <= (4 << 20) - (16 << 10));

    // Linking already checks the fit (memory.x and boards/stack.x); this reports it.
    let nrf = Build::new()
        .board("nrf52840")
        .blob_dir(&model().path)
        .build()
        .expect("the nRF52840 firmware builds, links and fits");
    let nrf = memory_use(nrf.elf()).expect("ELF sections");
    eprintln!("nRF52840 (demo mode): {nrf:?}");
    assert!(nrf.flash <= 1 << 20, "{nrf:?} overflows 1 MiB of flash");
    assert!(
        nrf.static_ram <= (256 << 10) - (16 << 10),
        "{nrf:?} leaves too little RAM"
    );
}

#[test]
fn panic_is_logged_and_exits_non_zero() {
    let model = random_model(4);
    let firmware = Build::new()
        .feature("panic")
        .blob_dir(&model.path)
        .build()
        .expect("firmware builds");
    let run = Qemu::new(firmware.elf())
        .timeout(RUN_TIMEOUT)
        .run()
        .expect("QEMU runs");

    assert_eq!(
        run.outcome,
        Outcome::Exited(exit_code::PANIC),
        "{}",
        run.log_text()
    );
    assert!(
        run.find("error", "a deliberate panic").is_some(),
        "{}",
        run.log_text()
    );

    // The cargo runner passes the log through and exits as the firmware did.
    let runner = std::process::Command::new(env!("CARGO_BIN_EXE_tinytransfer-qemu"))
        .arg(firmware.elf())
        .env(
            "TINYTRANSFER_QEMU_TIMEOUT",
            RUN_TIMEOUT.as_secs().to_string(),
        )
        .output()
        .expect("tinytransfer-qemu runs");
    let stderr = String::from_utf8_lossy(&runner.stderr);
    assert_eq!(runner.status.code(), Some(exit_code::PANIC), "{stderr}");
    assert!(stderr.contains("ERROR panic: "), "{stderr}");
}

#[test]
fn bench_mode_reports_every_layer() {
    let firmware = Build::new()
        .feature("bench")
        .blob_dir(&model().path)
        .build()
        .expect("firmware builds");
    let run = Qemu::new(firmware.elf())
        .timeout(RUN_TIMEOUT)
        .run()
        .expect("QEMU runs");

    assert_eq!(
        run.outcome,
        Outcome::Exited(exit_code::SUCCESS),
        "{}",
        run.log_text()
    );
    for stage in ["conv1", "conv2_pool", "dense1", "dense2", "network"] {
        let line = run
            .find("info", &format!("bench: {stage} "))
            .unwrap_or_else(|| {
                panic!("no {stage} line:\n{}", run.log_text());
            });
        let ticks: u64 = line
            .message
            .split_whitespace()
            .nth(2)
            .unwrap()
            .parse()
            .unwrap();
        assert!(ticks > 0 || stage == "dense2", "{}", line.message);
    }
}

#[test]
fn head_file_name_matches_the_firmware() {
    let build_script =
        std::fs::read_to_string(tinytransfer_tests::paths::firmware_dir().join("build.rs"))
            .expect("firmware/build.rs");
    assert!(build_script.contains(&format!("\"{HEAD_FILE}\"")));
}

/// `log` with every digit of its summary lines replaced by `#`.
fn masked(log: &str) -> String {
    log.lines()
        .map(|line| {
            if line.starts_with("INFO  blobs in flash:") || line.starts_with("INFO  kernels:") {
                line.chars()
                    .map(|c| if c.is_ascii_digit() { '#' } else { c })
                    .collect()
            } else {
                line.to_owned()
            }
        })
        .map(|line| line + "\n")
        .collect()
}
