//! The `eval` command: scores exported blobs (int8, through `tinytransfer-core`) and, when
//! present beside them, the float models on the test set.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::backend::Backend;
use crate::data::{Mnist, Split, Task};
use crate::int8;
use crate::pipeline::{blobs_from_dir, float_model_file, net_template};
use crate::train::checkpoint::load_module;
use crate::train::score_images;

/// How one task's models do on its test images.
#[derive(Debug, Clone, Serialize)]
pub struct TaskScore {
    /// The task.
    pub task: Task,
    /// Test images scored.
    pub test_images: usize,
    /// Accuracy of the int8 blobs.
    pub int8_accuracy: f64,
    /// Accuracy of the float model, if its file was found.
    pub float_accuracy: Option<f64>,
    /// Fraction of images where float and int8 agree, if the float model was found.
    pub agreement: Option<f64>,
}

/// Scores both tasks' blobs in `blob_dir` on the test images in `data_dir`.
///
/// # Errors
/// If the data or a blob cannot be read, or the core refuses a blob.
pub fn run(
    data_dir: &Path,
    blob_dir: &Path,
    test_limit: Option<usize>,
    backend: Backend,
) -> Result<Vec<TaskScore>> {
    let test = Mnist::load(data_dir, Split::Test)?;
    let blobs = blobs_from_dir(blob_dir)?;
    let device = backend.device();

    let mut scores = Vec::new();
    for (task, head) in [(Task::Low, &blobs.low), (Task::High, &blobs.high)] {
        let data = test.task(task, test_limit);
        let int8 = int8::predict(&blobs.features, head, &data)
            .with_context(|| format!("running the {} blobs", task.name()))?;

        let float_path = blob_dir.join(float_model_file(task));
        let float = if float_path.is_file() {
            let net = load_module(&float_path, net_template(&device))?;
            Some(score_images(&net, &data, &device).1)
        } else {
            None
        };

        scores.push(TaskScore {
            task,
            test_images: data.len(),
            int8_accuracy: int8.accuracy(&data.labels),
            float_accuracy: float
                .as_ref()
                .map(|float| int8::agreement(float, &data.labels)),
            agreement: float
                .as_ref()
                .map(|float| int8::agreement(float, &int8.classes)),
        });
    }
    Ok(scores)
}
