//! A short training run on a few hundred MNIST images per task, end to end: it must learn, keep
//! the frozen convolutions bit-identical, export blobs that `tinytransfer-core` loads and that
//! agree with the float model, and resume after an interruption exactly where it stopped.
//!
//! Needs the MNIST files in `data/mnist` (run `scripts/fetch-mnist.sh` or `tinytransfer fetch`),
//! or in the directory named by `TINYTRANSFER_DATA_DIR`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::TempDir;

use tinytransfer_core::{FeatureExtractor, Head, Model};
use tinytransfer_host::backend::Backend;
use tinytransfer_host::data::Task;
use tinytransfer_host::export::{head_file, FEATURES_FILE};
use tinytransfer_host::int8;
use tinytransfer_host::model::{to_f32_vec, Net};
use tinytransfer_host::pipeline::{self, checkpoint_dir, Finished, TrainJob};
use tinytransfer_host::train::checkpoint::EpochRecord;
use tinytransfer_host::train::TrainOptions;

const EPOCHS: usize = 2;
const TRAIN_LIMIT: usize = 1000;
const TEST_LIMIT: usize = 300;

fn data_dir() -> PathBuf {
    std::env::var_os("TINYTRANSFER_DATA_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/mnist"),
        PathBuf::from,
    )
}

fn job(out_dir: &Path, resume: bool, stop_after_epochs: Option<usize>) -> TrainJob {
    TrainJob {
        data_dir: data_dir(),
        out_dir: out_dir.to_owned(),
        train: TrainOptions {
            backend: Backend::Flex,
            epochs: EPOCHS,
            batch_size: 128,
            seed: 7,
            reinit_head: false,
            checkpoint_dir: checkpoint_dir(out_dir),
            resume,
            stop_after_epochs,
            progress: false,
            train_limit: Some(TRAIN_LIMIT),
            test_limit: Some(TEST_LIMIT),
        },
        calibration_images: 300,
    }
}

/// The uninterrupted run, shared by the tests of this file (trained once, on first use).
fn uninterrupted() -> &'static (TempDir, Finished) {
    static RUN: OnceLock<(TempDir, Finished)> = OnceLock::new();
    RUN.get_or_init(|| {
        let out = TempDir::new();
        let finished = pipeline::run(&job(out.path(), false, None))
            .unwrap_or_else(|error| {
                panic!("training failed (is MNIST in {:?}?): {error:#}", data_dir())
            })
            .expect("an uninterrupted run finishes");
        (out, finished)
    })
}

/// The bits of every weight and bias of a head.
fn head_bits(head: &tinytransfer_host::model::Head) -> Vec<u32> {
    let mut values = Vec::new();
    for dense in [&head.dense1, &head.dense2] {
        values.extend(to_f32_vec(dense.weight.val()));
        values.extend(to_f32_vec(dense.bias.as_ref().unwrap().val()));
    }
    values.iter().map(|v| v.to_bits()).collect()
}

/// The bits of every weight and bias of a network.
fn net_bits(net: &Net) -> Vec<u32> {
    let mut bits: Vec<u32> = conv_weights(net).iter().map(|w| w.to_bits()).collect();
    bits.extend(head_bits(&net.head));
    bits
}

/// The convolutions' weights and biases.
fn conv_weights(net: &Net) -> Vec<f32> {
    let features = &net.features;
    let mut values = to_f32_vec(features.conv1.weight.val());
    values.extend(to_f32_vec(features.conv2.weight.val()));
    for bias in [&features.conv1.bias, &features.conv2.bias] {
        values.extend(to_f32_vec(bias.as_ref().unwrap().val()));
    }
    values
}

#[test]
fn a_short_run_learns_far_above_chance() {
    let (_, finished) = uninterrupted();
    let report = &finished.report;
    assert_eq!(report.epochs.len(), 2 * EPOCHS);
    for phase in &report.phases {
        // Chance is 20 % for five classes.
        assert!(
            phase.float_accuracy > 0.8,
            "phase {} reached only {:.1} % (float)",
            phase.phase,
            100.0 * phase.float_accuracy
        );
    }
    let first = report.epochs.first().unwrap();
    let last_of_phase1 = report.epochs.iter().rfind(|e| e.phase == 1).unwrap();
    assert!(
        last_of_phase1.train.loss < first.train.loss,
        "phase 1's loss did not fall"
    );
}

#[test]
fn phase_2_leaves_the_convolutions_bit_identical() {
    let (_, finished) = uninterrupted();
    let before: Vec<u32> = conv_weights(&finished.trained.phase1)
        .iter()
        .map(|w| w.to_bits())
        .collect();
    let after: Vec<u32> = conv_weights(&finished.trained.phase2)
        .iter()
        .map(|w| w.to_bits())
        .collect();
    assert_eq!(before.len(), 32 * 9 + 32 * 32 * 9 + 64);
    assert!(before == after, "phase 2 changed the frozen convolutions");

    // The head did train: phase 2's differs from phase 1's.
    assert_ne!(
        head_bits(&finished.trained.phase1.head),
        head_bits(&finished.trained.phase2.head)
    );
}

#[test]
fn exported_blobs_load_in_the_core_and_agree_with_float() {
    let (out, finished) = uninterrupted();
    let features_bytes = std::fs::read(out.path().join(FEATURES_FILE)).unwrap();
    assert_eq!(
        features_bytes, finished.blobs.features,
        "the file is what was encoded"
    );
    let features = FeatureExtractor::load(&features_bytes).unwrap();

    for task in [Task::Low, Task::High] {
        let head_bytes = std::fs::read(out.path().join(head_file(task))).unwrap();
        let head = Head::load(&head_bytes).unwrap();
        assert_eq!(head.task_name(), task.name());
        assert_eq!(head.labels(), task.digits());
        Model::new(&features, &head).unwrap();
    }

    for phase in &finished.report.phases {
        assert!(
            phase.agreement > 0.9,
            "phase {}: int8 agrees with float on only {:.1} %",
            phase.phase,
            100.0 * phase.agreement
        );
        assert!(
            phase.int8_accuracy > 0.8,
            "phase {}: int8 {:.3}",
            phase.phase,
            phase.int8_accuracy
        );
    }

    // A head only pairs with the extractor it was exported with.
    let mut other = features_bytes.clone();
    let at = other.len() / 2;
    other[at] ^= 1;
    assert!(
        FeatureExtractor::load(&other).is_err(),
        "a damaged blob must be refused"
    );
}

#[test]
fn int8_predictions_are_repeatable_from_the_files() {
    let (out, finished) = uninterrupted();
    let data = pipeline::load_datasets(&data_dir(), Some(10), Some(50)).unwrap();
    let blobs = pipeline::blobs_from_dir(out.path()).unwrap();
    let first = int8::predict(&blobs.features, &blobs.high, &data.high_test).unwrap();
    let again = int8::predict(
        &finished.blobs.features,
        &finished.blobs.high,
        &data.high_test,
    )
    .unwrap();
    assert_eq!(first, again);
}

/// Epoch records without their wall times, which no two runs share, and without the test loss,
/// whose reduction over the test set flex may order differently from run to run (it then
/// differs in the last bit; see [`assert_same_test_losses`]).
fn scores(history: &[EpochRecord]) -> Vec<(u8, usize, [u64; 3])> {
    history
        .iter()
        .map(|e| {
            (
                e.phase,
                e.epoch,
                [e.train.loss, e.train.accuracy, e.test.accuracy].map(f64::to_bits),
            )
        })
        .collect()
}

fn assert_same_test_losses(a: &[EpochRecord], b: &[EpochRecord]) {
    for (x, y) in a.iter().zip(b) {
        let difference = (x.test.loss - y.test.loss).abs();
        assert!(
            difference <= 1e-6 * x.test.loss,
            "test losses {} and {}",
            x.test.loss,
            y.test.loss
        );
    }
}

#[test]
fn resume_continues_where_an_interrupted_run_stopped() {
    let out = TempDir::new();

    // Stop after phase 1, then after phase 2's first epoch, then finish.
    assert!(pipeline::run(&job(out.path(), false, Some(EPOCHS)))
        .unwrap()
        .is_none());
    assert!(pipeline::run(&job(out.path(), true, Some(1)))
        .unwrap()
        .is_none());
    let resumed = pipeline::run(&job(out.path(), true, None))
        .unwrap()
        .expect("finishes");

    let (_, straight) = uninterrupted();
    assert_eq!(
        scores(&resumed.report.epochs),
        scores(&straight.report.epochs)
    );
    assert_same_test_losses(&resumed.report.epochs, &straight.report.epochs);
    assert!(net_bits(&resumed.trained.phase1) == net_bits(&straight.trained.phase1));
    assert!(net_bits(&resumed.trained.phase2) == net_bits(&straight.trained.phase2));
    assert_eq!(resumed.blobs.high, straight.blobs.high);

    // Resuming with other options is refused.
    let mut other = job(out.path(), true, None);
    other.train.seed += 1;
    let error = pipeline::run(&other).unwrap_err();
    assert!(format!("{error:#}").contains("other options"), "{error:#}");
}

#[test]
fn the_cli_inspects_blobs() {
    let (out, _) = uninterrupted();
    let binary = env!("CARGO_BIN_EXE_tinytransfer");
    let output = Command::new(binary)
        .arg("inspect")
        .arg(out.path().join(FEATURES_FILE))
        .arg(out.path().join(head_file(Task::High)))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("kind: feature extractor"), "{text}");
    assert!(text.contains("digits-5-9"), "{text}");
    assert_eq!(text.matches("CRC-32 ok").count(), 2, "{text}");
    assert_eq!(
        text.matches("loads in tinytransfer-core").count(),
        2,
        "{text}"
    );

    let damaged = out.path().join("damaged.ttb");
    let mut bytes = std::fs::read(out.path().join(FEATURES_FILE)).unwrap();
    let at = bytes.len() / 3;
    bytes[at] ^= 0x10;
    std::fs::write(&damaged, bytes).unwrap();
    let output = Command::new(binary)
        .arg("inspect")
        .arg(&damaged)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("MISMATCH") && text.contains("REFUSED"),
        "{text}"
    );
}
