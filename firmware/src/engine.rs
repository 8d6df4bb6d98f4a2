//! The kernels the firmware runs: `tinytransfer-core`'s DSP kernels (two MACs per `SMLAD`,
//! the default on these Cortex-M4F boards) or its portable reference kernels (feature
//! `portable`). Both give the host's logits bit for bit; the harness checks that on QEMU.

use tinytransfer_core::shapes::{CLASSES, IMAGE_PIXELS};
use tinytransfer_core::{Head, Model, Prediction};

#[cfg(not(feature = "portable"))]
use crate::exit::{exit, ExitCode};
use crate::stopwatch::Stopwatch;

#[cfg(not(feature = "portable"))]
pub use tinytransfer_core::dsp::{DspScratch as Scratch, DSP_SCRATCH_BYTES as SCRATCH_BYTES};
#[cfg(feature = "portable")]
pub use tinytransfer_core::{Scratch, SCRATCH_BYTES};

/// The kernels' name, for the log.
#[cfg(not(feature = "portable"))]
pub const NAME: &str = "DSP (SMLAD)";
/// The kernels' name, for the log.
#[cfg(feature = "portable")]
pub const NAME: &str = "portable reference";

/// SysTick ticks of each stage of one inference (see [`Stopwatch`]).
#[derive(Clone, Copy, defmt::Format)]
pub struct StageTicks {
    /// conv1, conv2, ReLU and max-pool.
    pub features: u32,
    /// The hidden dense layer.
    pub dense1: u32,
    /// The output dense layer.
    pub dense2: u32,
}

/// SysTick ticks of each layer of one inference, and of a whole `classify`.
#[cfg(feature = "bench")]
#[derive(Clone, Copy, Default)]
pub struct LayerTicks {
    /// conv1 + ReLU.
    pub conv1: u32,
    /// conv2 + ReLU + max-pool.
    pub conv2_pool: u32,
    /// dense1 + ReLU.
    pub dense1: u32,
    /// dense2.
    pub dense2: u32,
    /// The whole network, timed in one piece.
    pub network: u32,
}

/// A model bound to the chosen kernels.
pub struct Engine<'m> {
    #[cfg(not(feature = "portable"))]
    model: tinytransfer_core::dsp::DspModel<'m, 'static>,
    #[cfg(feature = "portable")]
    model: Model<'m, 'static>,
}

impl<'m> Engine<'m> {
    /// Binds `model` to the kernels. The DSP kernels accept only models whose requantisation
    /// and accumulators stay inside the bounds where they are exact; for another model, logs
    /// which layer is outside and exits with [`ExitCode::KernelsUnsupported`].
    pub fn new(model: Model<'m, 'static>) -> Self {
        #[cfg(not(feature = "portable"))]
        let model = tinytransfer_core::dsp::DspModel::new(model).unwrap_or_else(|error| {
            defmt::error!(
                "the DSP kernels cannot run this model exactly ({}): rebuild with the `portable` \
                 feature",
                defmt::Display2Format(&error)
            );
            exit(ExitCode::KernelsUnsupported)
        });

        defmt::info!(
            "kernels: {=str}, scratch {=usize} B static",
            NAME,
            SCRATCH_BYTES
        );
        Self { model }
    }

    /// The head, for its labels and the quantisation of its logits.
    pub fn head(&self) -> &'m Head<'static> {
        #[cfg(not(feature = "portable"))]
        return self.model.model().head();
        #[cfg(feature = "portable")]
        return self.model.head();
    }

    /// Classifies one image stage by stage, timing each stage: the same answer as the
    /// kernels' `classify`.
    pub fn classify_timed(
        &self,
        image: &[u8; IMAGE_PIXELS],
        scratch: &mut Scratch,
        stopwatch: &Stopwatch,
    ) -> (Prediction, StageTicks) {
        let ((), features) = stopwatch.time(|| self.features(image, scratch));
        let ((), dense1) = stopwatch.time(|| self.model.dense1(scratch));
        let (logits, dense2) = stopwatch.time(|| self.model.dense2(scratch));

        (
            self.prediction(logits),
            StageTicks {
                features,
                dense1,
                dense2,
            },
        )
    }

    /// The ticks of each layer of one inference, and of the whole of it, for bench mode.
    ///
    /// The DSP kernels stream conv1 into conv2, so conv1 is timed alone over the whole image
    /// (`conv1_only`) and conv2 with the pool is the rest of the fused stage.
    #[cfg(feature = "bench")]
    pub fn layer_ticks(
        &self,
        image: &[u8; IMAGE_PIXELS],
        scratch: &mut Scratch,
        stopwatch: &Stopwatch,
    ) -> LayerTicks {
        #[cfg(not(feature = "portable"))]
        let (conv1, conv2_pool) = {
            let ((), conv1) = stopwatch.time(|| self.model.conv1_only(image, scratch));
            let ((), features) = stopwatch.time(|| self.model.features(image, scratch));
            (conv1, features.saturating_sub(conv1))
        };
        #[cfg(feature = "portable")]
        let (conv1, conv2_pool) = {
            let ((), conv1) = stopwatch.time(|| self.model.conv1(image, scratch));
            let ((), conv2_pool) = stopwatch.time(|| self.model.conv2_pool(scratch));
            (conv1, conv2_pool)
        };
        let ((), dense1) = stopwatch.time(|| self.model.dense1(scratch));
        let (_, dense2) = stopwatch.time(|| self.model.dense2(scratch));
        let (_, network) = stopwatch.time(|| self.model.classify(image, scratch));

        LayerTicks {
            conv1,
            conv2_pool,
            dense1,
            dense2,
            network,
        }
    }

    #[cfg(not(feature = "portable"))]
    fn features(&self, image: &[u8; IMAGE_PIXELS], scratch: &mut Scratch) {
        self.model.features(image, scratch);
    }

    #[cfg(feature = "portable")]
    fn features(&self, image: &[u8; IMAGE_PIXELS], scratch: &mut Scratch) {
        self.model.conv1(image, scratch);
        self.model.conv2_pool(scratch);
    }

    /// The same choice as `classify`: the first of equal maxima.
    fn prediction(&self, logits: [i8; CLASSES]) -> Prediction {
        let index = tinytransfer_core::kernels::argmax(&logits).unwrap_or(0);
        Prediction {
            index,
            label: self.head().labels()[index],
            logits,
        }
    }
}
