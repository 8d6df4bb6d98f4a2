//! Dropout driven by the run's own seeded generator.
//!
//! Inverted dropout, as in Keras: during training each element is zeroed with probability `rate`
//! and the survivors are scaled by `1 / (1 - rate)`, so inference needs no rescaling. The masks
//! come from a [`StdRng`] the trainer seeds per epoch, which makes a run repeatable and lets a
//! resumed run draw exactly the masks the uninterrupted run would have drawn.

use burn::tensor::{Device, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::Rng;

/// Applies dropout at `rate` to a `[batch, width]` tensor, drawing the mask from `rng`.
pub fn dropout(input: Tensor<2>, rate: f32, rng: &mut StdRng) -> Tensor<2> {
    let [batch, width] = input.dims();
    let keep = 1.0 - rate;
    let scale = 1.0 / keep;

    let mask: Vec<f32> = (0..batch * width)
        .map(|_| {
            if rng.random::<f32>() < keep {
                scale
            } else {
                0.0
            }
        })
        .collect();
    let device: Device = input.device();
    let mask = Tensor::<2>::from_data(TensorData::new(mask, [batch, width]), &device);
    input * mask
}
