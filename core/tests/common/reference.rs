//! Plain reference implementations of the kernels: 64-bit sums and direct indexing, written
//! for clarity, not speed. Requantisation itself is tested on its own in `quant.rs`.

use tinytransfer_core::kernels::ConvShape;
use tinytransfer_core::quant::{ChannelQuant, OutputStage};

/// The reference requantisation of one accumulator, from the 64-bit sum.
fn requantize_reference(sum: i64, quant: &ChannelQuant, stage: &OutputStage) -> i8 {
    let acc = i32::try_from(sum).expect("reference sum fits i32 for these ranges");
    stage.requantize(acc, quant)
}

pub fn conv_reference(
    shape: &ConvShape,
    input: &[i8],
    weights: &[i8],
    channels: &[ChannelQuant],
    stage: &OutputStage,
) -> Vec<i8> {
    let ConvShape {
        in_width,
        in_channels,
        kernel_height,
        kernel_width,
        ..
    } = *shape;
    let mut output = Vec::new();
    for oy in 0..shape.out_height() {
        for ox in 0..shape.out_width() {
            for (oc, quant) in channels.iter().enumerate() {
                let mut sum = i64::from(quant.bias);
                for ky in 0..kernel_height {
                    for kx in 0..kernel_width {
                        for c in 0..in_channels {
                            let x = input[((oy + ky) * in_width + ox + kx) * in_channels + c];
                            let w = weights
                                [((oc * kernel_height + ky) * kernel_width + kx) * in_channels + c];
                            sum +=
                                i64::from(w) * (i64::from(x) - i64::from(stage.input_zero_point));
                        }
                    }
                }
                output.push(requantize_reference(sum, quant, stage));
            }
        }
    }
    output
}

pub fn pool_reference(input: &[i8], height: usize, width: usize, channels: usize) -> Vec<i8> {
    let mut output = Vec::new();
    for oy in 0..height / 2 {
        for ox in 0..width / 2 {
            for c in 0..channels {
                let window = [(0, 0), (0, 1), (1, 0), (1, 1)]
                    .map(|(dy, dx)| input[((2 * oy + dy) * width + 2 * ox + dx) * channels + c]);
                output.push(*window.iter().max().unwrap());
            }
        }
    }
    output
}

pub fn dense_reference(
    input: &[i8],
    weights: &[i8],
    channels: &[ChannelQuant],
    stage: &OutputStage,
) -> Vec<i8> {
    (0..channels.len())
        .map(|o| {
            let sum = (0..input.len()).fold(i64::from(channels[o].bias), |sum, i| {
                let w = i64::from(weights[o * input.len() + i]);
                sum + w * (i64::from(input[i]) - i64::from(stage.input_zero_point))
            });
            requantize_reference(sum, &channels[o], stage)
        })
        .collect()
}
