//! Model blobs for tests: the two files of a blob directory, and a generator of random but
//! well-scaled models, so that the harness can run before (and without) a trained model.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tinytransfer_core::quant::{quantize_multiplier, QuantParams, INPUT_SCALE, INPUT_ZERO_POINT};
use tinytransfer_core::shapes::{CHANNELS, CLASSES, FEATURES, HIDDEN, KERNEL};
use tinytransfer_core::write::{write_features, write_head, LayerData, TaskInfo};

/// The feature-extractor blob's file name in a blob directory.
pub const FEATURES_FILE: &str = "features.ttb";
/// The 5–9 head blob's file name in a blob directory.
pub const HEAD_FILE: &str = "head-digits-5-9.ttb";

/// The two blobs the firmware embeds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blobs {
    /// The feature extractor.
    pub features: Vec<u8>,
    /// The digits 5–9 head.
    pub head: Vec<u8>,
}

impl Blobs {
    /// Reads [`FEATURES_FILE`] and [`HEAD_FILE`] from `dir`.
    ///
    /// # Errors
    /// Either file is missing or unreadable.
    pub fn read(dir: &Path) -> Result<Self> {
        let read = |name: &str| {
            let path = dir.join(name);
            fs::read(&path).with_context(|| format!("cannot read blob {}", path.display()))
        };
        Ok(Self {
            features: read(FEATURES_FILE)?,
            head: read(HEAD_FILE)?,
        })
    }

    /// Writes both files into `dir`, a blob directory for the firmware's build.
    ///
    /// # Errors
    /// A file cannot be written.
    pub fn write(&self, dir: &Path) -> Result<()> {
        fs::create_dir_all(dir)?;
        for (name, bytes) in [(FEATURES_FILE, &self.features), (HEAD_FILE, &self.head)] {
            let path = dir.join(name);
            fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(())
    }

    /// A model with random weights from `seed`, scaled so that MNIST images give activations
    /// that spread over the int8 range rather than saturate: its answers are meaningless but
    /// exercise every path of the arithmetic, which is what a bit-exactness test needs.
    pub fn random(seed: u64) -> Self {
        Self::random_with(seed, |_| {})
    }

    /// A random model that `tinytransfer-core` accepts but its DSP kernels refuse: one of
    /// dense1's requantisation multipliers is 3/4, beyond their narrow requantisation.
    pub fn random_beyond_dsp(seed: u64) -> Self {
        Self::random_with(seed, |dense1| {
            let (multiplier, shift) = quantize_multiplier(0.75);
            dense1.multiplier[0] = multiplier;
            dense1.shift[0] = shift;
        })
    }

    fn random_with(seed: u64, adjust_dense1: impl FnOnce(&mut LayerData)) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let input = QuantParams {
            scale: INPUT_SCALE,
            zero_point: INPUT_ZERO_POINT,
        };

        // `input_rms` is a rough root mean square of `x - input_zero_point` over MNIST, so that
        // each layer's outputs come out with a spread of about `spread` int8 steps.
        let conv1 = random_layer(&mut rng, Shape::conv(1), 80.0, 60.0, true);
        let conv2 = random_layer(&mut rng, Shape::conv(CHANNELS), 45.0, 60.0, true);
        let mut dense1 = random_layer(&mut rng, Shape::dense(HIDDEN, FEATURES), 70.0, 60.0, true);
        adjust_dense1(&mut dense1);
        let dense2 = random_layer(&mut rng, Shape::dense(CLASSES, HIDDEN), 45.0, 40.0, false);

        let features = write_features(input, &conv1, &conv2);
        let task = TaskInfo {
            name: "digits-5-9",
            labels: [5, 6, 7, 8, 9],
        };
        let head = write_head(&task, &features, &dense1, &dense2)
            .expect("a freshly written feature extractor decodes");
        Self { features, head }
    }
}

#[derive(Clone, Copy)]
struct Shape {
    out_channels: usize,
    kernel: usize,
    in_channels: usize,
}

impl Shape {
    fn conv(in_channels: usize) -> Self {
        Self {
            out_channels: CHANNELS,
            kernel: KERNEL,
            in_channels,
        }
    }

    fn dense(out_channels: usize, in_channels: usize) -> Self {
        Self {
            out_channels,
            kernel: 1,
            in_channels,
        }
    }

    fn terms(self) -> usize {
        self.kernel * self.kernel * self.in_channels
    }
}

fn random_layer(
    rng: &mut ChaCha8Rng,
    shape: Shape,
    input_rms: f64,
    spread: f64,
    relu: bool,
) -> LayerData {
    // Weights uniform on -127..=127 have a standard deviation of about 73.
    let acc_std = (shape.terms() as f64).sqrt() * 73.3 * input_rms;
    let weights = (0..shape.out_channels * shape.terms())
        .map(|_| rng.random_range(-127..=127i8))
        .collect();

    let mut bias = Vec::new();
    let mut multiplier = Vec::new();
    let mut shift = Vec::new();
    for _ in 0..shape.out_channels {
        bias.push((rng.random_range(-0.5..0.5) * acc_std) as i32);
        let (m, s) = quantize_multiplier(spread / acc_std * rng.random_range(0.7..1.4));
        multiplier.push(m);
        shift.push(s);
    }

    // A ReLU layer's real zero sits at -128, to use the whole int8 range for positive values.
    let zero_point = if relu { -128 } else { 0 };
    LayerData {
        out_channels: shape.out_channels,
        kernel_height: shape.kernel,
        kernel_width: shape.kernel,
        in_channels: shape.in_channels,
        weights,
        bias,
        multiplier,
        shift,
        output: QuantParams {
            scale: 0.05,
            zero_point,
        },
        relu,
    }
}

#[cfg(test)]
mod tests {
    use tinytransfer_core::{FeatureExtractor, Head, Model};

    use super::*;

    #[test]
    fn random_model_is_valid_and_deterministic() {
        let blobs = Blobs::random(7);
        let features = FeatureExtractor::load(&blobs.features).unwrap();
        let head = Head::load(&blobs.head).unwrap();
        Model::new(&features, &head).unwrap();
        assert_eq!(head.labels(), [5, 6, 7, 8, 9]);

        assert_eq!(Blobs::random(7), blobs);
        assert_ne!(Blobs::random(8).features, blobs.features);
    }

    #[test]
    fn blob_directory_round_trips() {
        let dir = crate::paths::ScratchDir::new("blob-dir").unwrap();
        let blobs = Blobs::random(1);
        blobs.write(dir.path()).unwrap();
        assert_eq!(Blobs::read(dir.path()).unwrap(), blobs);
    }
}
