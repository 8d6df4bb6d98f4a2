//! The choice of burn backend. burn 0.22 has no backend type parameter: the device decides.

use burn::tensor::Device;

/// A CPU backend burn can train on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    /// burn-flex: pure Rust, multi-threaded, SIMD (the default and the fast one).
    #[default]
    Flex,
    /// burn-ndarray: deprecated upstream; its convolution backward pass is a naive loop and
    /// trains about 50 times slower here. Needs the `ndarray` feature.
    #[cfg(feature = "ndarray")]
    Ndarray,
}

impl Backend {
    /// The device for inference (no autodiff).
    pub fn device(self) -> Device {
        match self {
            Backend::Flex => Device::flex(),
            #[cfg(feature = "ndarray")]
            #[allow(deprecated)]
            // chosen on purpose, as the f32 peer of the embedded build
            Backend::Ndarray => Device::ndarray(),
        }
    }

    /// The device for training: [`Backend::device`] with autodiff.
    pub fn training_device(self) -> Device {
        self.device().autodiff()
    }
}
