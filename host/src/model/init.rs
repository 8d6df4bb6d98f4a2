//! Weight initialisation as Keras does it: Glorot (Xavier) uniform weights, zero biases.
//!
//! The values come from the run's own seeded generator rather than the backend's, so a seed fixes
//! the initial network on every backend and machine.

use rand::rngs::StdRng;
use rand::Rng;

/// `count` weights drawn uniformly from `[-limit, limit)` with
/// `limit = sqrt(6 / (fan_in + fan_out))` (Glorot & Bengio 2010, as `glorot_uniform` in Keras).
///
/// For a convolution, the fans are the receptive field size times the input (or output)
/// channels; for a dense layer, its input and output widths.
pub fn glorot_uniform(rng: &mut StdRng, count: usize, fan_in: usize, fan_out: usize) -> Vec<f32> {
    let limit = (6.0 / (fan_in + fan_out) as f64).sqrt() as f32;
    (0..count)
        .map(|_| rng.random_range(-limit..limit))
        .collect()
}
