//! The `train` command from end to end: data → both phases → float scores → calibration and
//! quantisation → blobs → int8 scores → report and pictures.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use tracing::info;

use crate::data::{Mnist, Split, Task};
use crate::export::{self, Blobs};
use crate::float_weights;
use crate::fsutil::write_atomically;
use crate::int8;
use crate::model::Net;
use crate::plot;
use crate::quantise;
use crate::report::{self, Confusion, DataCounts, PhaseResult, QuantReport, Report, RunOptions};
use crate::train::checkpoint::save_module;
use crate::train::seed::{self, Stream};
use crate::train::{score_images, train, Datasets, Outcome, TrainOptions, Trained};

/// Calibration images per task by default.
pub const DEFAULT_CALIBRATION_IMAGES: usize = 2000;

/// Everything `tinytransfer train` needs.
#[derive(Debug, Clone)]
pub struct TrainJob {
    /// Where the MNIST files are.
    pub data_dir: PathBuf,
    /// Where blobs, report, pictures and checkpoints go.
    pub out_dir: PathBuf,
    /// The training options (their checkpoint directory is inside `out_dir`).
    pub train: TrainOptions,
    /// Calibration images per task.
    pub calibration_images: usize,
}

/// The float model file of a task in the output directory.
pub fn float_model_file(task: Task) -> String {
    format!("float-{}.bpk", task.name())
}

/// The checkpoint directory inside an output directory.
pub fn checkpoint_dir(out_dir: &Path) -> PathBuf {
    out_dir.join("checkpoint")
}

/// Loads both tasks' training and test examples, limited as asked.
///
/// # Errors
/// If a file is missing or malformed (the error names it).
pub fn load_datasets(
    data_dir: &Path,
    train_limit: Option<usize>,
    test_limit: Option<usize>,
) -> Result<Datasets> {
    let train = Mnist::load(data_dir, Split::Train)?;
    let test = Mnist::load(data_dir, Split::Test)?;
    Ok(Datasets {
        low_train: train.task(Task::Low, train_limit),
        low_test: test.task(Task::Low, test_limit),
        high_train: train.task(Task::High, train_limit),
        high_test: test.task(Task::High, test_limit),
    })
}

/// What a finished `train` produced.
#[derive(Debug, Clone)]
pub struct Finished {
    /// The float networks of both phases and their history.
    pub trained: Trained,
    /// The report, as written to `report.json`.
    pub report: Report,
    /// The blobs, as written.
    pub blobs: Blobs,
}

/// Runs the job. Returns `None` if training stopped early (`stop_after_epochs`).
///
/// # Errors
/// Data, checkpoint, export and write errors, each naming its file.
pub fn run(job: &TrainJob) -> Result<Option<Finished>> {
    let start = Instant::now();
    let data = load_datasets(&job.data_dir, job.train.train_limit, job.train.test_limit)?;
    info!(
        "data: {} + {} training and {} + {} test images (digits 0–4 + 5–9) from {}",
        data.low_train.len(),
        data.high_train.len(),
        data.low_test.len(),
        data.high_test.len(),
        job.data_dir.display()
    );
    std::fs::create_dir_all(&job.out_dir)
        .with_context(|| format!("creating {}", job.out_dir.display()))?;

    let trained = match train(&job.train, &data)? {
        Outcome::Finished(trained) => trained,
        Outcome::Stopped { epochs_done } => {
            info!("stopped after {epochs_done} epoch(s); continue with --resume");
            return Ok(None);
        }
    };

    let (report, blobs) = finish(job, &data, &trained, start)?;
    Ok(Some(Finished {
        trained: *trained,
        report,
        blobs,
    }))
}

/// Everything after training: scores, quantisation, export, report.
fn finish(
    job: &TrainJob,
    data: &Datasets,
    trained: &Trained,
    start: Instant,
) -> Result<(Report, Blobs)> {
    let device = job.train.backend.device();
    for (task, net) in [(Task::Low, &trained.phase1), (Task::High, &trained.phase2)] {
        save_module(&job.out_dir.join(float_model_file(task)), net.clone())?;
    }
    let float_weights = float_weights::encode(&trained.phase2);
    write_atomically(
        &job.out_dir.join(float_weights::FLOAT_WEIGHTS_FILE),
        &float_weights,
    )?;
    let (_, low_float) = score_images(&trained.phase1, &data.low_test, &device);
    let (_, high_float) = score_images(&trained.phase2, &data.high_test, &device);

    let quantise_start = Instant::now();
    let mut rng = seed::rng(job.train.seed, Stream::Calibration);
    let low_calibration = data.low_train.sample(job.calibration_images, &mut rng);
    let high_calibration = data.high_train.sample(job.calibration_images, &mut rng);
    let calibration = quantise::calibrate(
        &trained.phase1,
        &trained.phase2,
        &low_calibration,
        &high_calibration,
        &device,
    );
    let quantised = quantise::quantise(&trained.phase1, &trained.phase2, &calibration);
    let blobs = export::encode(&quantised)?;
    let blob_files = export::write(&job.out_dir, &blobs)?;
    let quantise_seconds = quantise_start.elapsed().as_secs_f64();
    for blob in &blob_files {
        info!(
            "wrote {} ({} bytes)",
            job.out_dir.join(&blob.file).display(),
            blob.bytes
        );
    }

    let int8_start = Instant::now();
    let low_int8 = int8::predict(&blobs.features, &blobs.low, &data.low_test)?.classes;
    let high_int8 = int8::predict(&blobs.features, &blobs.high, &data.high_test)?.classes;
    let int8_eval_seconds = int8_start.elapsed().as_secs_f64();

    let phases = vec![
        PhaseResult::new(1, Task::Low, &data.low_test.labels, &low_float, &low_int8),
        PhaseResult::new(
            2,
            Task::High,
            &data.high_test.labels,
            &high_float,
            &high_int8,
        ),
    ];
    for phase in &phases {
        info!(
            "{}: float {:.2} %, int8 {:.2} % ({:+.2} points), agreement {:.2} % on {} test images",
            phase.task.name(),
            100.0 * phase.float_accuracy,
            100.0 * phase.int8_accuracy,
            phase.int8_minus_float_points,
            100.0 * phase.agreement,
            phase.test_images
        );
    }

    let report = Report {
        tool: format!("tinytransfer {}", env!("CARGO_PKG_VERSION")),
        backend: format!("{:?}", job.train.backend).to_lowercase(),
        options: RunOptions {
            seed: job.train.seed,
            epochs: job.train.epochs,
            batch_size: job.train.batch_size,
            train_limit: job.train.train_limit,
            test_limit: job.train.test_limit,
            reinit_head: job.train.reinit_head,
            calibration_images: job.calibration_images,
        },
        data: DataCounts {
            low_train: data.low_train.len(),
            low_test: data.low_test.len(),
            high_train: data.high_train.len(),
            high_test: data.high_test.len(),
        },
        epochs: trained.history.clone(),
        phases,
        quantisation: QuantReport {
            method: "per-tensor min/max of each activation over calibration images drawn at \
                     random from each task's training set (TensorFlow Lite's representative-\
                     dataset method); weights symmetric per output channel"
                .to_owned(),
            calibration_images: job.calibration_images,
            ranges: calibration,
        },
        blobs: blob_files,
        timings: report::Timings {
            phase1_seconds: trained.phase_seconds[0],
            phase2_seconds: trained.phase_seconds[1],
            feature_cache_seconds: trained.feature_cache_seconds,
            quantise_seconds,
            int8_eval_seconds,
            process_seconds: start.elapsed().as_secs_f64(),
        },
        peak_memory_bytes: report::peak_memory_bytes(),
        confusion_5_9: Confusion {
            labels: Task::High.digits(),
            float: report::confusion(&data.high_test.labels, &high_float),
            int8: report::confusion(&data.high_test.labels, &high_int8),
        },
    };
    write_outputs(&job.out_dir, &report)?;
    Ok((report, blobs))
}

/// Writes the report and the pictures.
fn write_outputs(out_dir: &Path, report: &Report) -> Result<()> {
    let json = serde_json::to_vec_pretty(report).context("serialising the report")?;
    write_atomically(&out_dir.join(report::REPORT_FILE), &json)?;
    write_atomically(
        &out_dir.join(plot::CURVES_FILE),
        plot::curves_svg(&report.epochs).as_bytes(),
    )?;
    let confusion = &report.confusion_5_9;
    let svg = plot::confusion_svg(
        "digits 5–9 on the test set (phase 2)",
        confusion.labels,
        &[
            ("float (burn)", confusion.float),
            ("int8 (tinytransfer-core)", confusion.int8),
        ],
    );
    write_atomically(&out_dir.join(plot::CONFUSION_FILE), svg.as_bytes())?;
    Ok(())
}

/// Reads the three blobs that `train` wrote into `dir`.
pub fn blobs_from_dir(dir: &Path) -> Result<Blobs> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
    };
    Ok(Blobs {
        features: read(export::FEATURES_FILE)?,
        low: read(&export::head_file(Task::Low))?,
        high: read(&export::head_file(Task::High))?,
    })
}

/// A template network to load a saved float model into.
pub fn net_template(device: &burn::tensor::Device) -> Net {
    Net::init(&mut seed::rng(0, Stream::Init), device)
}
