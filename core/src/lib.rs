//! No-std, heap-free int8 inference for tinytransfer's MNIST network, and its blob format.
//!
//! The network is the classic Keras transfer-learning CNN, quantised with TensorFlow Lite's
//! int8 scheme. It comes in two parts, each its own blob:
//!
//! - a **feature extractor** (conv 3×3×32, ReLU, conv 3×3×32, ReLU, max-pool 2×2),
//!   frozen after training on digits 0–4 and shared by every task;
//! - a **head** per task (dense 4608 → 128 → ReLU → dense 128 → 5), such as digits 5–9.
//!
//! Loading a blob checks everything once: magic, format version, length, CRC-32, kind, every
//! shape against the fixed network ([`shapes`]), value ranges, and that no accumulator can
//! overflow. After that, inference cannot fail and never touches a float, so a PC and any
//! Cortex-M give bit-identical logits. Weights stay in the blob's bytes (flash on a device);
//! the only RAM an inference needs is a [`Scratch`] of [`SCRATCH_BYTES`] bytes, which the
//! caller owns.
//!
//! ```
//! use tinytransfer_core::{FeatureExtractor, Head, Model, Scratch};
//!
//! # fn main() -> Result<(), tinytransfer_core::Error> {
//! // Blobs exported by `tinytransfer train` (on a device: `include_bytes!` into flash).
//! let features = FeatureExtractor::load(include_bytes!("../../pretrained/features.ttb"))?;
//! let head = Head::load(include_bytes!("../../pretrained/head-digits-5-9.ttb"))?;
//! let model = Model::new(&features, &head)?;
//!
//! // A 28×28 image of raw pixels: here a crude vertical stroke.
//! let mut image = [0u8; 784];
//! for y in 4..24 {
//!     image[y * 28 + 14] = 255;
//! }
//!
//! let mut scratch = Scratch::new();
//! let prediction = model.classify(&image, &mut scratch);
//! assert!(head.labels().contains(&prediction.label));
//! println!("{} ({:?})", prediction.label, prediction.logits);
//!
//! // Damaged bytes are refused with a reason, never a panic.
//! let mut damaged = include_bytes!("../../pretrained/features.ttb").to_vec();
//! damaged[100] ^= 0x01;
//! assert!(FeatureExtractor::load(&damaged).is_err());
//! # Ok(())
//! # }
//! ```
//!
//! Features: `write` adds the blob writer for the host (needs `alloc`); `defmt` derives
//! `defmt::Format` for the error and result types; `dsp` adds [`dsp`], kernels in Cortex-M
//! DSP instructions (ARMv7E-M: Cortex-M4, M7, M33 with the DSP extension; nowhere else).
#![no_std]
#![deny(missing_docs)]
#![deny(unsafe_code)]

#[cfg(feature = "alloc")]
extern crate alloc;

#[cfg(all(feature = "dsp", not(target_arch = "arm")))]
compile_error!("feature `dsp` needs a Cortex-M target with the DSP extension (thumbv7em)");

mod crc;
#[cfg(feature = "dsp")]
#[allow(unsafe_code)]
pub mod dsp;
mod error;
pub mod format;
pub mod kernels;
mod layer;
pub mod model;
pub mod quant;
pub mod shapes;
#[cfg(feature = "write")]
pub mod write;

pub use crc::crc32;
pub use error::{BlobKind, Error, LayerName, Result};
pub use layer::Layer;
pub use model::{FeatureExtractor, Head, Model, Prediction, Scratch, SCRATCH_BYTES};
pub use quant::QuantParams;
