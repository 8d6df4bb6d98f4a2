//! Training both phases of the transfer experiment, with a checkpoint after every epoch.
//!
//! Phase 1 trains the whole network on digits 0–4. Phase 2 freezes the convolutions and trains
//! the dense head on digits 5–9, with a fresh Adadelta (Keras compiles the model again between
//! the phases) and the head either continuing from phase 1 or re-initialised. The frozen
//! features of every phase-2 image are computed once, before dropout, and reused each epoch:
//! the same maths as recomputing them, at a fraction of the cost.

pub mod checkpoint;
pub mod epoch;
pub mod seed;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use burn::module::Module;
use burn::optim::ModuleOptimizer;
use burn::tensor::{Device, Tensor, TensorData};
use indicatif::{ProgressBar, ProgressStyle};
use tracing::info;

use crate::adadelta::Adadelta;
use crate::backend::Backend;
use crate::data::{TaskData, IMAGE_PIXELS};
use crate::model::{images_to_tensor, to_f32_vec, Features, Head, Net, FEATURES};
use checkpoint::{Checkpoint, EpochRecord, Fingerprint, State, PHASE1_FILE};
use epoch::{evaluate, train_epoch, Score};
use seed::Stream;

/// Examples per batch in the reference experiment.
pub const DEFAULT_BATCH_SIZE: usize = 128;
/// Epochs per phase in the reference experiment.
pub const DEFAULT_EPOCHS: usize = 5;
/// Examples per batch when only evaluating (no gradients, so larger batches are cheap).
pub const EVAL_BATCH_SIZE: usize = 500;

/// What to train and how.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// The burn backend.
    pub backend: Backend,
    /// Epochs per phase.
    pub epochs: usize,
    /// Examples per batch.
    pub batch_size: usize,
    /// The seed of every random choice.
    pub seed: u64,
    /// Start phase 2 from a fresh head instead of phase 1's.
    pub reinit_head: bool,
    /// Where checkpoints go.
    pub checkpoint_dir: PathBuf,
    /// Carry on from the checkpoint instead of starting afresh.
    pub resume: bool,
    /// Stop (as if interrupted) after this many epochs in this process.
    pub stop_after_epochs: Option<usize>,
    /// Draw progress bars.
    pub progress: bool,
    /// Training examples per task, if limited (recorded in the checkpoint only).
    pub train_limit: Option<usize>,
    /// Test examples per task, if limited (recorded in the checkpoint only).
    pub test_limit: Option<usize>,
}

/// The training and test examples of both tasks.
#[derive(Debug, Clone)]
pub struct Datasets {
    /// Digits 0–4, training.
    pub low_train: TaskData,
    /// Digits 0–4, test.
    pub low_test: TaskData,
    /// Digits 5–9, training.
    pub high_train: TaskData,
    /// Digits 5–9, test.
    pub high_test: TaskData,
}

/// The result of both phases.
#[derive(Debug, Clone)]
pub struct Trained {
    /// The network after phase 1: the frozen features and the 0–4 head.
    pub phase1: Net,
    /// The network after phase 2: the same features and the 5–9 head.
    pub phase2: Net,
    /// Every epoch of both phases.
    pub history: Vec<EpochRecord>,
    /// Wall time of each phase (summed over resumed runs).
    pub phase_seconds: [f64; 2],
    /// Wall time spent computing the frozen features for phase 2 in this process.
    pub feature_cache_seconds: f64,
}

/// How a call to [`train`] ended.
#[derive(Debug)]
pub enum Outcome {
    /// Both phases are done.
    Finished(Box<Trained>),
    /// `stop_after_epochs` epochs ran; the checkpoint holds the run so far.
    Stopped {
        /// Epochs finished over both phases, in all processes so far.
        epochs_done: usize,
    },
}

/// Where a run stands: the phase and epoch to run next, and what has been done.
struct Progress {
    phase: u8,
    epochs_done: usize,
    history: Vec<EpochRecord>,
    phase_seconds: [f64; 2],
    budget: usize,
}

/// Trains both phases (or what remains of them, with `resume`).
///
/// # Errors
/// If the checkpoint cannot be written, or `resume` finds no checkpoint or one made with other
/// options.
pub fn train(options: &TrainOptions, data: &Datasets) -> Result<Outcome> {
    let device = options.backend.training_device();
    let checkpoint = Checkpoint::new(options.checkpoint_dir.clone());
    let fingerprint = fingerprint(options);

    let fresh = Net::init(&mut seed::rng(options.seed, Stream::Init), &device);
    let (mut net, mut optimizer, mut progress) = if options.resume {
        resume(&checkpoint, &fingerprint, fresh, options)?
    } else {
        let progress = Progress {
            phase: 1,
            epochs_done: 0,
            history: Vec::new(),
            phase_seconds: [0.0; 2],
            budget: options.stop_after_epochs.unwrap_or(usize::MAX),
        };
        (fresh, Adadelta::default().into_module_optimizer(), progress)
    };

    if progress.phase == 1 {
        let Some(trained) = run_phase1(options, data, &checkpoint, net, optimizer, &mut progress)?
        else {
            return Ok(stopped(&progress));
        };
        checkpoint.save_net(PHASE1_FILE, &trained)?;
        net = trained;
        optimizer = Adadelta::default().into_module_optimizer();
        if options.reinit_head {
            net.head = Head::init(&mut seed::rng(options.seed, Stream::ReinitHead), &device);
        }
        progress.phase = 2;
        progress.epochs_done = 0;
    }
    let phase1 = checkpoint
        .load_net(PHASE1_FILE, net.clone())
        .context("loading the network as phase 1 left it")?;
    if progress.budget == 0 && progress.epochs_done < options.epochs {
        return Ok(stopped(&progress));
    }

    let cache_start = Instant::now();
    let cache = FeatureCache::compute(&net.features, data, &device);
    let feature_cache_seconds = cache_start.elapsed().as_secs_f64();
    info!("computed the frozen features of phase 2 once, in {feature_cache_seconds:.1} s");

    let Some(phase2) = run_phase2(options, &cache, &checkpoint, net, optimizer, &mut progress)?
    else {
        return Ok(stopped(&progress));
    };

    Ok(Outcome::Finished(Box::new(Trained {
        phase1,
        phase2,
        history: progress.history,
        phase_seconds: progress.phase_seconds,
        feature_cache_seconds,
    })))
}

fn fingerprint(options: &TrainOptions) -> Fingerprint {
    Fingerprint {
        seed: options.seed,
        epochs: options.epochs,
        batch_size: options.batch_size,
        train_limit: options.train_limit,
        test_limit: options.test_limit,
        reinit_head: options.reinit_head,
    }
}

fn stopped(progress: &Progress) -> Outcome {
    Outcome::Stopped {
        epochs_done: progress.history.len(),
    }
}

/// Loads the checkpoint's network, optimizer and progress.
fn resume(
    checkpoint: &Checkpoint,
    fingerprint: &Fingerprint,
    template: Net,
    options: &TrainOptions,
) -> Result<(Net, ModuleOptimizer, Progress)> {
    let Some(state) = checkpoint.load_state()? else {
        bail!(
            "--resume: no checkpoint in {} (run without --resume to start afresh)",
            checkpoint.dir().display()
        );
    };
    if state.fingerprint != *fingerprint {
        bail!(
            "--resume: the checkpoint in {} was made with other options ({:?}); resume with \
             the same options, or run without --resume to start afresh",
            checkpoint.dir().display(),
            state.fingerprint
        );
    }

    let net = checkpoint.load_net(&state.model_file, template)?;
    let optimizer = checkpoint.load_optimizer(
        &state.optimizer_file,
        Adadelta::default().into_module_optimizer(),
    )?;
    info!(
        "resuming from {}: phase {} after epoch {}",
        checkpoint.dir().display(),
        state.phase,
        state.epochs_done
    );
    let progress = Progress {
        phase: state.phase,
        epochs_done: state.epochs_done,
        history: state.history,
        phase_seconds: state.phase_seconds,
        budget: options.stop_after_epochs.unwrap_or(usize::MAX),
    };
    Ok((net, optimizer, progress))
}

/// Runs the remaining epochs of phase 1; `None` if the epoch budget ran out first.
fn run_phase1(
    options: &TrainOptions,
    data: &Datasets,
    checkpoint: &Checkpoint,
    mut net: Net,
    mut optimizer: ModuleOptimizer,
    progress: &mut Progress,
) -> Result<Option<Net>> {
    let device = options.backend.training_device();
    let plain = options.backend.device();
    let train_set = &data.low_train;

    for epoch in progress.epochs_done..options.epochs {
        if progress.budget == 0 {
            return Ok(None);
        }
        let start = Instant::now();
        let mut rng = seed::rng(options.seed, Stream::Epoch { phase: 1, epoch });
        let bar = epoch_bar(options, 1, epoch, train_set.len());

        let (trained, train_score) = train_epoch(
            net,
            &mut optimizer,
            &train_set.labels,
            options.batch_size,
            &mut rng,
            &device,
            &bar,
            |net, batch, rng| net.forward_train(gather_images(train_set, batch, &device), rng),
        );
        net = trained;
        bar.finish_and_clear();

        let test_score = score_images(&net, &data.low_test, &plain).0;
        finish_epoch(
            options,
            checkpoint,
            &net,
            &optimizer,
            progress,
            start,
            train_score,
            test_score,
        )?;
    }
    Ok(Some(net))
}

/// Runs the remaining epochs of phase 2 on the cached features; `None` if the epoch budget ran
/// out first.
fn run_phase2(
    options: &TrainOptions,
    cache: &FeatureCache,
    checkpoint: &Checkpoint,
    mut net: Net,
    mut optimizer: ModuleOptimizer,
    progress: &mut Progress,
) -> Result<Option<Net>> {
    let device = options.backend.training_device();
    let plain = options.backend.device();
    // The convolutions take no part in phase 2's graph at all (their output is cached), and
    // no_grad makes sure they could not even if they did.
    net.features = net.features.no_grad();

    for epoch in progress.epochs_done..options.epochs {
        if progress.budget == 0 {
            return Ok(None);
        }
        let start = Instant::now();
        let mut rng = seed::rng(options.seed, Stream::Epoch { phase: 2, epoch });
        let bar = epoch_bar(options, 2, epoch, cache.train_labels.len());

        let (head, train_score) = train_epoch(
            net.head,
            &mut optimizer,
            &cache.train_labels,
            options.batch_size,
            &mut rng,
            &device,
            &bar,
            |head, batch, rng| head.forward_train(cache.train_batch(batch, &device), rng),
        );
        net.head = head;
        bar.finish_and_clear();

        let test_score = cache.score_test(&net.head, &plain).0;
        finish_epoch(
            options,
            checkpoint,
            &net,
            &optimizer,
            progress,
            start,
            train_score,
            test_score,
        )?;
    }
    Ok(Some(net))
}

/// Records, logs and checkpoints a finished epoch.
#[allow(clippy::too_many_arguments)]
fn finish_epoch(
    options: &TrainOptions,
    checkpoint: &Checkpoint,
    net: &Net,
    optimizer: &ModuleOptimizer,
    progress: &mut Progress,
    start: Instant,
    train: Score,
    test: Score,
) -> Result<()> {
    let seconds = start.elapsed().as_secs_f64();
    let phase = progress.phase;
    let epoch = progress.epochs_done + 1;
    info!(
        "phase {phase} epoch {epoch}/{}: loss {:.4}, accuracy {:.2} %; test loss {:.4}, \
         test accuracy {:.2} % ({seconds:.1} s)",
        options.epochs,
        train.loss,
        100.0 * train.accuracy,
        test.loss,
        100.0 * test.accuracy,
    );

    progress.history.push(EpochRecord {
        phase,
        epoch,
        train,
        test,
        seconds,
    });
    progress.phase_seconds[usize::from(phase - 1)] += seconds;
    progress.epochs_done = epoch;
    progress.budget -= 1;

    let mut state = State {
        format: 0,
        fingerprint: fingerprint(options),
        phase,
        epochs_done: epoch,
        history: progress.history.clone(),
        phase_seconds: progress.phase_seconds,
        model_file: String::new(),
        optimizer_file: String::new(),
    };
    checkpoint.save(&mut state, net, optimizer)?;
    Ok(())
}

fn epoch_bar(options: &TrainOptions, phase: u8, epoch: usize, examples: usize) -> ProgressBar {
    if !options.progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(examples as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix} [{bar:30}] {pos:>5}/{len} {msg} ({elapsed}, eta {eta})",
        )
        .expect("the template is valid")
        .progress_chars("=> "),
    );
    bar.set_prefix(format!(
        "phase {phase} epoch {}/{}",
        epoch + 1,
        options.epochs
    ));
    bar
}

/// The images of the examples `batch` of `data` as a tensor on `device`.
fn gather_images(data: &TaskData, batch: &[usize], device: &Device) -> Tensor<4> {
    let mut pixels = Vec::with_capacity(batch.len() * IMAGE_PIXELS);
    for &index in batch {
        pixels.extend_from_slice(data.image(index));
    }
    images_to_tensor(&pixels, device)
}

/// Scores a network on a task's examples without dropout; returns the score and predictions.
pub fn score_images(net: &Net, data: &TaskData, device: &Device) -> (Score, Vec<u8>) {
    let net = net.valid();
    evaluate(&data.labels, EVAL_BATCH_SIZE, device, |start, len| {
        let pixels = &data.images[start * IMAGE_PIXELS..(start + len) * IMAGE_PIXELS];
        net.forward(images_to_tensor(pixels, device))
    })
}

/// The frozen features of every phase-2 image (training and test), before dropout.
struct FeatureCache {
    train: Vec<f32>,
    train_labels: Vec<u8>,
    test: Vec<f32>,
    test_labels: Vec<u8>,
}

impl FeatureCache {
    fn compute(features: &Features, data: &Datasets, device: &Device) -> Self {
        let plain = device.clone().inner();
        let features = features.valid();
        let extract = |set: &TaskData| {
            let mut values = Vec::with_capacity(set.len() * FEATURES);
            for start in (0..set.len()).step_by(EVAL_BATCH_SIZE) {
                let end = set.len().min(start + EVAL_BATCH_SIZE);
                let pixels = &set.images[start * IMAGE_PIXELS..end * IMAGE_PIXELS];
                values.extend(to_f32_vec(
                    features.forward(images_to_tensor(pixels, &plain)),
                ));
            }
            values
        };
        Self {
            train: extract(&data.high_train),
            train_labels: data.high_train.labels.clone(),
            test: extract(&data.high_test),
            test_labels: data.high_test.labels.clone(),
        }
    }

    fn train_batch(&self, batch: &[usize], device: &Device) -> Tensor<2> {
        let mut values = Vec::with_capacity(batch.len() * FEATURES);
        for &index in batch {
            values.extend_from_slice(&self.train[index * FEATURES..][..FEATURES]);
        }
        Tensor::from_data(TensorData::new(values, [batch.len(), FEATURES]), device)
    }

    fn score_test(&self, head: &Head, device: &Device) -> (Score, Vec<u8>) {
        let head = head.valid();
        evaluate(&self.test_labels, EVAL_BATCH_SIZE, device, |start, len| {
            let values = self.test[start * FEATURES..(start + len) * FEATURES].to_vec();
            head.forward(Tensor::from_data(
                TensorData::new(values, [len, FEATURES]),
                device,
            ))
        })
    }
}
