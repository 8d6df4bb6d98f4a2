//! One training epoch and one evaluation pass, shared by both phases.

use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Tensor, TensorData};
use indicatif::ProgressBar;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::adadelta::DEFAULT_LEARNING_RATE;
use crate::data::TASK_CLASSES;
use crate::model::to_f32_vec;

/// Mean loss and accuracy over a pass through some examples.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Mean categorical cross-entropy.
    pub loss: f64,
    /// Fraction of examples whose most likely class is the label.
    pub accuracy: f64,
}

/// Running sums behind a [`Score`].
#[derive(Debug, Default)]
struct Tally {
    loss_sum: f64,
    correct: usize,
    seen: usize,
}

impl Tally {
    fn add(&mut self, batch_loss: f32, batch_len: usize, correct: usize) {
        self.loss_sum += f64::from(batch_loss) * batch_len as f64;
        self.correct += correct;
        self.seen += batch_len;
    }

    fn score(&self) -> Score {
        let seen = self.seen.max(1) as f64;
        Score {
            loss: self.loss_sum / seen,
            accuracy: self.correct as f64 / seen,
        }
    }
}

/// Labels `[batch]` as one-hot rows `[batch, 5]`.
pub fn one_hot(labels: &[u8], device: &Device) -> Tensor<2> {
    let mut values = vec![0.0f32; labels.len() * TASK_CLASSES];
    for (row, &label) in labels.iter().enumerate() {
        values[row * TASK_CLASSES + usize::from(label)] = 1.0;
    }
    Tensor::from_data(
        TensorData::new(values, [labels.len(), TASK_CLASSES]),
        device,
    )
}

/// Mean categorical cross-entropy of logits `[batch, 5]` against one-hot targets, computed from
/// the log-softmax (Keras's softmax followed by a log is the same maths, less stable).
pub fn cross_entropy(logits: Tensor<2>, targets: Tensor<2>) -> Tensor<1> {
    let [batch, _] = logits.dims();
    (log_softmax(logits, 1) * targets)
        .sum()
        .div_scalar(batch as f32)
        .neg()
}

/// The index of the largest of each row of `[rows, 5]` values (the first, on ties).
pub fn argmax_rows(values: &[f32]) -> Vec<u8> {
    values
        .chunks_exact(TASK_CLASSES)
        .map(|row| {
            let mut best = 0;
            for (class, &value) in row.iter().enumerate() {
                if value > row[best] {
                    best = class;
                }
            }
            best as u8
        })
        .collect()
}

/// Trains `model` for one epoch over examples `0..labels.len()` in an order shuffled by `rng`.
///
/// `forward` builds the batch of the given example indices and returns its logits with dropout
/// applied (its masks drawn from the same `rng`). Returns the updated model and the epoch's
/// training score, which like Keras's is measured with dropout active.
#[allow(clippy::too_many_arguments)]
pub fn train_epoch<M: Module>(
    mut model: M,
    optimizer: &mut ModuleOptimizer,
    labels: &[u8],
    batch_size: usize,
    rng: &mut StdRng,
    device: &Device,
    progress: &ProgressBar,
    forward: impl Fn(&M, &[usize], &mut StdRng) -> Tensor<2>,
) -> (M, Score) {
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.shuffle(rng);

    let mut tally = Tally::default();
    for batch in order.chunks(batch_size) {
        let batch_labels: Vec<u8> = batch.iter().map(|&index| labels[index]).collect();
        let logits = forward(&model, batch, rng);
        let loss = cross_entropy(logits.clone(), one_hot(&batch_labels, device));

        let predictions = argmax_rows(&to_f32_vec(logits.detach()));
        let correct = predictions
            .iter()
            .zip(&batch_labels)
            .filter(|(p, l)| p == l)
            .count();
        tally.add(loss.clone().into_scalar::<f32>(), batch.len(), correct);

        let gradients = GradientsParams::from_grads(loss.backward(), &model);
        model = optimizer.step(DEFAULT_LEARNING_RATE, model, gradients);

        let score = tally.score();
        progress.set_message(format!(
            "loss {:.4}  accuracy {:.2} %",
            score.loss,
            100.0 * score.accuracy
        ));
        progress.inc(batch.len() as u64);
    }
    (model, tally.score())
}

/// Scores logits computed batch by batch against `labels`, without training.
///
/// `logits` returns the logits of examples `start..start + len`. Returns the score and every
/// example's predicted class.
pub fn evaluate(
    labels: &[u8],
    batch_size: usize,
    device: &Device,
    logits: impl Fn(usize, usize) -> Tensor<2>,
) -> (Score, Vec<u8>) {
    let mut tally = Tally::default();
    let mut predictions = Vec::with_capacity(labels.len());
    for start in (0..labels.len()).step_by(batch_size) {
        let batch_labels = &labels[start..labels.len().min(start + batch_size)];
        let batch_logits = logits(start, batch_labels.len());
        let loss = cross_entropy(batch_logits.clone(), one_hot(batch_labels, device));

        let batch_predictions = argmax_rows(&to_f32_vec(batch_logits));
        let correct = batch_predictions
            .iter()
            .zip(batch_labels)
            .filter(|(p, l)| p == l)
            .count();
        tally.add(loss.into_scalar::<f32>(), batch_labels.len(), correct);
        predictions.extend(batch_predictions);
    }
    (tally.score(), predictions)
}
