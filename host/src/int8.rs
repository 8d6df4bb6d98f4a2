//! Running exported blobs through `tinytransfer-core`'s integer-only inference on the host: the
//! same code, and so the same logits, as on the microcontroller.

use std::thread;

use tinytransfer_core::model::{FeatureExtractor, Head, Model, Scratch};

use crate::data::{TaskData, IMAGE_PIXELS};

/// Why blobs could not be run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Int8Error {
    /// The core refused a blob or the pair of blobs.
    #[error("{what}: {source}")]
    Load {
        /// Which blob, or the pair.
        what: &'static str,
        /// The core's reason.
        source: tinytransfer_core::Error,
    },
}

/// The int8 result for each image of a task's examples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Int8Predictions {
    /// The predicted class (0..5) of each image.
    pub classes: Vec<u8>,
    /// The quantised logits of each image.
    pub logits: Vec<[i8; 5]>,
}

impl Int8Predictions {
    /// The fraction of predictions equal to `labels`.
    pub fn accuracy(&self, labels: &[u8]) -> f64 {
        agreement(&self.classes, labels)
    }
}

/// The fraction of positions where `a` and `b` agree.
pub fn agreement(a: &[u8], b: &[u8]) -> f64 {
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / a.len().max(1) as f64
}

/// Classifies every image of `data` with the feature blob and a head blob, spreading the images
/// over the machine's cores.
///
/// # Errors
/// [`Int8Error::Load`] if the core refuses a blob, or the head was not made for these features.
pub fn predict(
    features_blob: &[u8],
    head_blob: &[u8],
    data: &TaskData,
) -> Result<Int8Predictions, Int8Error> {
    let features = FeatureExtractor::load(features_blob).map_err(|source| Int8Error::Load {
        what: "feature blob",
        source,
    })?;
    let head = Head::load(head_blob).map_err(|source| Int8Error::Load {
        what: "head blob",
        source,
    })?;
    let model = Model::new(&features, &head).map_err(|source| Int8Error::Load {
        what: "feature and head blobs",
        source,
    })?;

    let workers = thread::available_parallelism().map_or(1, |n| n.get());
    let per_worker = data.len().div_ceil(workers).max(1);
    let chunks: Vec<Vec<(u8, [i8; 5])>> = thread::scope(|scope| {
        let handles: Vec<_> = data
            .images
            .chunks(per_worker * IMAGE_PIXELS)
            .map(|images| {
                let model = &model;
                scope.spawn(move || {
                    let mut scratch = Box::new(Scratch::new());
                    images
                        .chunks_exact(IMAGE_PIXELS)
                        .map(|image| {
                            let image: &[u8; IMAGE_PIXELS] =
                                image.try_into().expect("chunks are one image long");
                            let prediction = model.classify(image, &mut scratch);
                            (prediction.index as u8, prediction.logits)
                        })
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a worker panicked"))
            .collect()
    });

    let (classes, logits) = chunks.into_iter().flatten().unzip();
    Ok(Int8Predictions { classes, logits })
}
