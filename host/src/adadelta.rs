//! Adadelta (Zeiler 2012) with the semantics of Keras 2, which burn does not ship.
//!
//! Per parameter, with gradient `g`, decay `rho` and `epsilon`, both accumulators starting at 0:
//!
//! ```text
//! accum_grad  ← rho · accum_grad + (1 − rho) · g²
//! update      = g · sqrt(accum_delta + epsilon) / sqrt(accum_grad + epsilon)
//! accum_delta ← rho · accum_delta + (1 − rho) · update²
//! parameter   ← parameter − learning_rate · update
//! ```
//!
//! The learning rate multiplies only the applied step, not the update stored in `accum_delta`:
//! that is where Keras departs from the paper (which has no learning rate), and with the
//! experiment's rate of 1.0 the two agree. Wrap it in a [`ModuleOptimizer`] to train a module.

use burn::optim::{LearningRate, ModuleOptimizer, Optimizer, RecordState, StateSink, StateSource};
use burn::tensor::{Device, Tensor};

/// Keras 2's default decay of the running averages.
pub const DEFAULT_RHO: f32 = 0.95;
/// Keras 2's default `epsilon`.
pub const DEFAULT_EPSILON: f32 = 1e-7;
/// The reference experiment's learning rate (Keras 2's default for Adadelta).
pub const DEFAULT_LEARNING_RATE: LearningRate = 1.0;

/// The Adadelta rule; the learning rate is given per step by the [`ModuleOptimizer`].
#[derive(Debug, Clone, Copy)]
pub struct Adadelta {
    rho: f32,
    epsilon: f32,
}

impl Default for Adadelta {
    fn default() -> Self {
        Self {
            rho: DEFAULT_RHO,
            epsilon: DEFAULT_EPSILON,
        }
    }
}

impl Adadelta {
    /// Adadelta with decay `rho` in (0, 1) and `epsilon` > 0.
    pub fn new(rho: f32, epsilon: f32) -> Self {
        Self { rho, epsilon }
    }

    /// This rule wrapped to optimise a whole module.
    pub fn into_module_optimizer(self) -> ModuleOptimizer {
        ModuleOptimizer::from(self)
    }
}

/// The two running averages Adadelta keeps per parameter.
#[derive(Clone)]
pub struct AdadeltaState<const D: usize> {
    /// Running average of squared gradients.
    pub accum_grad: Tensor<D>,
    /// Running average of squared updates.
    pub accum_delta: Tensor<D>,
}

const ACCUM_GRAD: &str = "accum_grad";
const ACCUM_DELTA: &str = "accum_delta";

impl<const D: usize> RecordState for AdadeltaState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        out.push_tensor(prefix, ACCUM_GRAD, self.accum_grad.to_data());
        out.push_tensor(prefix, ACCUM_DELTA, self.accum_delta.to_data());
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        let accum_grad = src.take_tensor(prefix, ACCUM_GRAD)?;
        let accum_delta = src.take_tensor(prefix, ACCUM_DELTA)?;
        Some(Self {
            accum_grad: Tensor::from_data(accum_grad, device),
            accum_delta: Tensor::from_data(accum_delta, device),
        })
    }
}

impl Optimizer for Adadelta {
    type State<const D: usize> = AdadeltaState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let (rho, epsilon) = (self.rho, self.epsilon);
        let (accum_grad, accum_delta) = match state {
            Some(state) => (state.accum_grad, state.accum_delta),
            None => (grad.zeros_like(), grad.zeros_like()),
        };

        let accum_grad = accum_grad.mul_scalar(rho) + grad.clone().square().mul_scalar(1.0 - rho);
        let update = grad * accum_delta.clone().add_scalar(epsilon).sqrt()
            / accum_grad.clone().add_scalar(epsilon).sqrt();
        let accum_delta =
            accum_delta.mul_scalar(rho) + update.clone().square().mul_scalar(1.0 - rho);

        let tensor = tensor - update.mul_scalar(lr);
        (
            tensor,
            Some(AdadeltaState {
                accum_grad,
                accum_delta,
            }),
        )
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        AdadeltaState {
            accum_grad: state.accum_grad.to_device(device),
            accum_delta: state.accum_delta.to_device(device),
        }
    }
}
