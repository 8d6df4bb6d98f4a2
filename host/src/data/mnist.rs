//! The MNIST splits, and the two five-digit tasks of the transfer experiment.
//!
//! A split is found in a directory as the four classic file names, each either raw
//! (`train-images-idx3-ubyte`) or gzip-compressed (`train-images-idx3-ubyte.gz`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::idx::{read_idx, IdxError};

/// Height and width of an MNIST image.
pub const IMAGE_SIDE: usize = 28;

/// Pixels per MNIST image.
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;

/// Classes per task.
pub const TASK_CLASSES: usize = 5;

/// Why a split could not be loaded. Every variant names the file at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MnistError {
    /// Neither the raw nor the gzip form of a file is present.
    #[error(
        "{dir}: neither {name} nor {name}.gz exists (run `tinytransfer fetch`, or point \
         --data-dir at a directory holding the MNIST files)",
        dir = dir.display()
    )]
    Missing {
        /// The directory searched.
        dir: PathBuf,
        /// The raw file name looked for.
        name: &'static str,
    },
    /// An IDX file is malformed.
    #[error(transparent)]
    Idx(#[from] IdxError),
    /// The images are not 28×28.
    #[error("{path}: images are {height}x{width}, expected 28x28", path = path.display())]
    WrongImageSize {
        /// The image file.
        path: PathBuf,
        /// Rows per image in the file.
        height: usize,
        /// Columns per image in the file.
        width: usize,
    },
    /// The image and label files disagree on the number of examples.
    #[error(
        "{images} holds {image_count} images but {labels} holds {label_count} labels",
        images = images.display(),
        labels = labels.display()
    )]
    CountMismatch {
        /// The image file.
        images: PathBuf,
        /// Images in it.
        image_count: usize,
        /// The label file.
        labels: PathBuf,
        /// Labels in it.
        label_count: usize,
    },
    /// A label is not a digit.
    #[error("{path}: label {label} at index {index} is not a digit 0-9", path = path.display())]
    BadLabel {
        /// The label file.
        path: PathBuf,
        /// The position of the label.
        index: usize,
        /// Its value.
        label: u8,
    },
}

/// Which half of MNIST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// The 60 000 training images.
    Train,
    /// The 10 000 test images.
    Test,
}

impl Split {
    fn file_names(self) -> (&'static str, &'static str) {
        match self {
            Split::Train => ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
            Split::Test => ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
        }
    }
}

/// One of the two five-class tasks of the transfer experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Task {
    /// Digits 0–4: phase 1, which trains the whole network.
    #[serde(rename = "digits-0-4")]
    Low,
    /// Digits 5–9: phase 2, which trains the head on top of the frozen features.
    #[serde(rename = "digits-5-9")]
    High,
}

impl Task {
    /// The digit that class 0 of this task stands for.
    pub fn first_digit(self) -> u8 {
        match self {
            Task::Low => 0,
            Task::High => 5,
        }
    }

    /// The digits of classes 0..5, in order.
    pub fn digits(self) -> [u8; TASK_CLASSES] {
        let first = self.first_digit();
        [first, first + 1, first + 2, first + 3, first + 4]
    }

    /// The task's name as blobs and reports record it.
    pub fn name(self) -> &'static str {
        match self {
            Task::Low => "digits-0-4",
            Task::High => "digits-5-9",
        }
    }

    /// The class of `digit` in this task, if the task has it.
    pub fn class_of(self, digit: u8) -> Option<u8> {
        digit
            .checked_sub(self.first_digit())
            .filter(|&class| usize::from(class) < TASK_CLASSES)
    }
}

/// A whole MNIST split: raw pixels and digit labels.
#[derive(Debug, Clone)]
pub struct Mnist {
    /// `len() * 784` pixels, 0..=255, image after image, row-major.
    pub images: Vec<u8>,
    /// One digit 0..=9 per image.
    pub labels: Vec<u8>,
}

impl Mnist {
    /// Loads a split from `dir`, raw or gzip.
    ///
    /// # Errors
    /// [`MnistError`] naming the file that is missing or malformed.
    pub fn load(dir: &Path, split: Split) -> Result<Self, MnistError> {
        let (image_name, label_name) = split.file_names();
        let image_path = locate(dir, image_name)?;
        let label_path = locate(dir, label_name)?;

        let images = read_idx(&image_path, 3)?;
        let (image_count, height, width) = (images.dims[0], images.dims[1], images.dims[2]);
        if (height, width) != (IMAGE_SIDE, IMAGE_SIDE) {
            return Err(MnistError::WrongImageSize {
                path: image_path,
                height,
                width,
            });
        }

        let labels = read_idx(&label_path, 1)?;
        let label_count = labels.dims[0];
        if label_count != image_count {
            return Err(MnistError::CountMismatch {
                images: image_path,
                image_count,
                labels: label_path,
                label_count,
            });
        }
        if let Some((index, &label)) = labels.data.iter().enumerate().find(|(_, &label)| label > 9)
        {
            return Err(MnistError::BadLabel {
                path: label_path,
                index,
                label,
            });
        }

        Ok(Self {
            images: images.data,
            labels: labels.data,
        })
    }

    /// The number of examples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the split is empty (never, for a split that loaded).
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The examples of one task, in file order, at most `limit` of them, labelled 0..5.
    pub fn task(&self, task: Task, limit: Option<usize>) -> TaskData {
        let mut images = Vec::new();
        let mut labels = Vec::new();
        let chosen = self
            .labels
            .iter()
            .enumerate()
            .filter_map(|(index, &digit)| task.class_of(digit).map(|class| (index, class)))
            .take(limit.unwrap_or(usize::MAX));
        for (index, class) in chosen {
            images.extend_from_slice(&self.images[index * IMAGE_PIXELS..][..IMAGE_PIXELS]);
            labels.push(class);
        }
        TaskData {
            task,
            images,
            labels,
        }
    }
}

/// The examples of one task.
#[derive(Debug, Clone)]
pub struct TaskData {
    /// Which task.
    pub task: Task,
    /// `len() * 784` raw pixels.
    pub images: Vec<u8>,
    /// One class 0..5 per image (the digit minus the task's first digit).
    pub labels: Vec<u8>,
}

impl TaskData {
    /// The number of examples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no examples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// `count` examples chosen at random without replacement (all of them if there are fewer),
    /// in the order drawn.
    pub fn sample(&self, count: usize, rng: &mut impl rand::Rng) -> TaskData {
        let chosen = rand::seq::index::sample(rng, self.len(), count.min(self.len()));
        let mut images = Vec::with_capacity(chosen.len() * IMAGE_PIXELS);
        let mut labels = Vec::with_capacity(chosen.len());
        for index in chosen {
            images.extend_from_slice(self.image(index));
            labels.push(self.labels[index]);
        }
        TaskData {
            task: self.task,
            images,
            labels,
        }
    }

    /// The raw pixels of example `index`.
    pub fn image(&self, index: usize) -> &[u8] {
        &self.images[index * IMAGE_PIXELS..][..IMAGE_PIXELS]
    }
}

/// Finds `name` or `name.gz` in `dir`, preferring the raw file.
fn locate(dir: &Path, name: &'static str) -> Result<PathBuf, MnistError> {
    let raw = dir.join(name);
    if raw.is_file() {
        return Ok(raw);
    }
    let gzip = dir.join(format!("{name}.gz"));
    if gzip.is_file() {
        return Ok(gzip);
    }
    Err(MnistError::Missing {
        dir: dir.to_owned(),
        name,
    })
}
