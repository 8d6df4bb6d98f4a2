//! Fully connected layer, per-output-unit requantisation.

use crate::quant::{ChannelQuant, OutputStage};

/// `output[o] = requantize(bias[o] + Σ_i weights[o][i] · (input[i] - input_zero_point))`.
///
/// - `input`: `[in_features]`, int8, zero point `stage.input_zero_point`.
/// - `weights`: `[out_features][in_features]`, int8 in `-127..=127`, zero point 0;
///   `out_features` is `channels.len()`.
/// - `output`: `[out_features]`, int8, clamped to `stage.act_min..=stage.act_max`.
///
/// # Panics
/// If a slice's length does not match. The caller keeps accumulators inside `i32`.
pub fn dense(
    input: &[i8],
    weights: &[i8],
    channels: &[ChannelQuant],
    stage: &OutputStage,
    output: &mut [i8],
) {
    let in_features = input.len();
    assert!(in_features > 0, "empty input");
    assert_eq!(
        weights.len(),
        in_features * channels.len(),
        "weights length"
    );
    assert_eq!(output.len(), channels.len(), "output length");

    for ((out, row), quant) in output
        .iter_mut()
        .zip(weights.chunks_exact(in_features))
        .zip(channels)
    {
        let mut acc = quant.bias;
        for (&w, &x) in row.iter().zip(input) {
            acc += i32::from(w) * (i32::from(x) - stage.input_zero_point);
        }
        *out = stage.requantize(acc, quant);
    }
}
