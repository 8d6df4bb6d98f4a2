//! Each kernel against a plain reference (64-bit sums, direct indexing), over random shapes,
//! weights, inputs and quantisation, plus named worked cases.

use proptest::prelude::*;
use tinytransfer_core::kernels::{
    argmax, conv2d, conv2d_max_pool_2x2, dense, max_pool_2x2, ConvShape,
};
use tinytransfer_core::quant::{quantize_multiplier, ChannelQuant, OutputStage};

mod common;
use common::reference::{conv_reference, dense_reference, pool_reference};

prop_compose! {
    fn channel_quant(dot_len: usize)(
        bias in -100_000i32..100_000,
        spread in 0.2f64..5.0,
    ) -> ChannelQuant {
        let real = spread / ((dot_len as f64).sqrt() * 127.0 * 40.0);
        let (multiplier, shift) = quantize_multiplier(real);
        ChannelQuant { bias, multiplier, shift }
    }
}

prop_compose! {
    fn output_stage()(input_zp in -128i32..=127, output_zp in -128i32..=127, relu: bool)
        -> OutputStage {
        OutputStage::new(input_zp, output_zp, relu)
    }
}

prop_compose! {
    fn conv_case()(
        in_height in 1usize..9, in_width in 1usize..9, in_channels in 1usize..5,
        out_channels in 1usize..5, kernel_height in 1usize..4, kernel_width in 1usize..4,
    )(
        shape in Just(ConvShape {
            in_height: in_height.max(kernel_height),
            in_width: in_width.max(kernel_width),
            in_channels, out_channels, kernel_height, kernel_width,
        }),
        input in prop::collection::vec(any::<i8>(),
            in_height.max(kernel_height) * in_width.max(kernel_width) * in_channels),
        weights in prop::collection::vec(-127i8..=127,
            out_channels * kernel_height * kernel_width * in_channels),
        channels in prop::collection::vec(
            channel_quant(kernel_height * kernel_width * in_channels), out_channels),
        stage in output_stage(),
    ) -> (ConvShape, Vec<i8>, Vec<i8>, Vec<ChannelQuant>, OutputStage) {
        (shape, input, weights, channels, stage)
    }
}

proptest! {
    #[test]
    fn conv2d_matches_reference((shape, input, weights, channels, stage) in conv_case()) {
        let mut output = vec![0i8; shape.output_len()];
        conv2d(&shape, &input, &weights, &channels, &stage, &mut output);
        prop_assert_eq!(output, conv_reference(&shape, &input, &weights, &channels, &stage));
    }

    #[test]
    fn fused_conv_pool_matches_conv_then_pool(
        (shape, input, weights, channels, stage) in conv_case(),
    ) {
        let (pooled_height, pooled_width) = (shape.out_height() / 2, shape.out_width() / 2);
        let mut output = vec![0i8; pooled_height * pooled_width * shape.out_channels];
        conv2d_max_pool_2x2(&shape, &input, &weights, &channels, &stage, &mut output);

        let unpooled = conv_reference(&shape, &input, &weights, &channels, &stage);
        let expected =
            pool_reference(&unpooled, shape.out_height(), shape.out_width(), shape.out_channels);
        prop_assert_eq!(output, expected);
    }

    #[test]
    fn max_pool_matches_reference(
        (height, width, channels) in (1usize..9, 1usize..9, 1usize..5),
        seed in any::<u64>(),
    ) {
        let input: Vec<i8> = (0..height * width * channels)
            .map(|i| (seed.wrapping_mul(i as u64 + 1) >> 24) as i8)
            .collect();
        let mut output = vec![0i8; (height / 2) * (width / 2) * channels];
        max_pool_2x2(&input, height, width, channels, &mut output);
        prop_assert_eq!(output, pool_reference(&input, height, width, channels));
    }

    #[test]
    fn dense_matches_reference(
        (input, weights, channels) in (1usize..300, 1usize..12).prop_flat_map(|(n, m)| (
            prop::collection::vec(any::<i8>(), n),
            prop::collection::vec(-127i8..=127, n * m),
            prop::collection::vec(channel_quant(n), m),
        )),
        stage in output_stage(),
    ) {
        let mut output = vec![0i8; channels.len()];
        dense(&input, &weights, &channels, &stage, &mut output);
        prop_assert_eq!(output, dense_reference(&input, &weights, &channels, &stage));
    }

    #[test]
    fn argmax_is_first_largest(values in prop::collection::vec(any::<i8>(), 0..20)) {
        let expected = values.iter().max().map(|top| values.iter().position(|v| v == top).unwrap());
        prop_assert_eq!(argmax(&values), expected);
    }
}

/// A 3×3 single-channel image, a 2×2 kernel, by hand.
#[test]
fn conv2d_worked_case() {
    let shape = ConvShape {
        in_height: 3,
        in_width: 3,
        in_channels: 1,
        out_channels: 1,
        kernel_height: 2,
        kernel_width: 2,
    };
    let input = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    let weights = [1, 0, 0, -1]; // top-left minus bottom-right
                                 // × 1.0, bias 10, input zero point 1 (cancels in the difference).
    let channels = [ChannelQuant {
        bias: 10,
        multiplier: 1 << 30,
        shift: 1,
    }];
    let stage = OutputStage::new(1, 0, false);
    let mut output = [0i8; 4];
    conv2d(&shape, &input, &weights, &channels, &stage, &mut output);
    // Each window: (a - 1) - (d - 1) + 10 = a - d + 10 = -4 + 10.
    assert_eq!(output, [6, 6, 6, 6]);
}

/// The ReLU clamp on a dense layer, and the tie rule of argmax.
#[test]
fn dense_worked_case() {
    let input = [10, -10, 0];
    let weights = [1, 1, 1, 2, -2, 0, -3, 0, 0];
    let half = ChannelQuant {
        bias: 0,
        multiplier: 1 << 30,
        shift: 0,
    }; // × 0.5
    let stage = OutputStage::new(0, -5, true);
    let mut output = [0i8; 3];
    dense(&input, &weights, &[half; 3], &stage, &mut output);
    // Sums 0, 40, -30 → × 0.5 → 0, 20, -15 → + (-5) → -5, 15, -20 → clamp at -5.
    assert_eq!(output, [-5, 15, -5]);
    assert_eq!(argmax(&[3, 7, 7, -1]), Some(1));
    assert_eq!(argmax(&[]), None);
}
