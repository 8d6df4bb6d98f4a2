//! The host's answers: `tinytransfer-core` run natively on the same blobs and images.

use anyhow::{Context, Result};
use tinytransfer_core::{FeatureExtractor, Head, Model, Scratch};

use crate::blobs::Blobs;
use crate::mnist::Digit;
use crate::records::Answer;

/// Classifies `digits` on the host, in the same form as the firmware's results file.
///
/// # Errors
/// A blob fails validation, or the head does not fit the feature extractor.
pub fn classify(blobs: &Blobs, digits: &[Digit]) -> Result<Vec<Answer>> {
    let features = FeatureExtractor::load(&blobs.features)
        .map_err(|error| anyhow::anyhow!("{error}"))
        .context("feature extractor blob")?;
    let head = Head::load(&blobs.head)
        .map_err(|error| anyhow::anyhow!("{error}"))
        .context("head blob")?;
    let model = Model::new(&features, &head).map_err(|error| anyhow::anyhow!("{error}"))?;

    let mut scratch = Box::new(Scratch::new());
    Ok(digits
        .iter()
        .map(|digit| {
            let prediction = model.classify(&digit.pixels, &mut scratch);
            Answer {
                logits: prediction.logits,
                index: prediction.index as u8,
                label: prediction.label,
                expected: digit.label,
            }
        })
        .collect())
}
