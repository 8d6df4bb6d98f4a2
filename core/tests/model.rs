//! The whole network: `Model::classify` against the reference kernels run layer by layer.

mod common;

use common::reference::{conv_reference, dense_reference, pool_reference};
use common::Rng;
use tinytransfer_core::kernels::ConvShape;
use tinytransfer_core::quant::OutputStage;
use tinytransfer_core::shapes::*;
use tinytransfer_core::{FeatureExtractor, Head, Model, Scratch, SCRATCH_BYTES};

#[test]
fn scratch_is_the_sum_of_its_buffers() {
    assert_eq!(SCRATCH_BYTES, IMAGE_PIXELS + CONV1_LEN + FEATURES + HIDDEN);
    assert_eq!(SCRATCH_BYTES, 27_152);
}

#[test]
fn classify_matches_the_reference_pipeline() {
    let features_bytes = common::features_blob(21);
    let head_bytes = common::head_blob(22, &features_bytes);
    let features = FeatureExtractor::load(&features_bytes).unwrap();
    let head = Head::load(&head_bytes).unwrap();
    let model = Model::new(&features, &head).unwrap();
    let (conv1, conv2) = common::random_convs(21);
    let (dense1, dense2) = common::random_denses(22);

    let mut rng = Rng::new(23);
    let mut scratch = Scratch::new();
    let mut distinct_logits = std::collections::BTreeSet::new();
    for _ in 0..20 {
        let image = common::random_image(&mut rng);
        let prediction = model.classify(&image, &mut scratch);

        let input: Vec<i8> = image.iter().map(|&p| (i32::from(p) - 128) as i8).collect();
        let shape1 = conv_shape(IMAGE_HEIGHT, 1);
        let stage1 = OutputStage::new(-128, conv1.output.zero_point, true);
        let x = conv_reference(&shape1, &input, &conv1.weights, &channels(&conv1), &stage1);
        let shape2 = conv_shape(CONV1_HEIGHT, CHANNELS);
        let stage2 = OutputStage::new(conv1.output.zero_point, conv2.output.zero_point, true);
        let x = conv_reference(&shape2, &x, &conv2.weights, &channels(&conv2), &stage2);
        let x = pool_reference(&x, CONV2_HEIGHT, CONV2_WIDTH, CHANNELS);
        assert_eq!(&x[..], &scratch.features()[..]);
        let stage3 = OutputStage::new(conv2.output.zero_point, dense1.output.zero_point, true);
        let x = dense_reference(&x, &dense1.weights, &channels(&dense1), &stage3);
        let stage4 = OutputStage::new(dense1.output.zero_point, dense2.output.zero_point, false);
        let logits = dense_reference(&x, &dense2.weights, &channels(&dense2), &stage4);

        assert_eq!(&prediction.logits[..], &logits[..]);
        assert_eq!(prediction.label, head.labels()[prediction.index]);
        distinct_logits.insert(prediction.logits);
    }
    // The random network must not collapse to one output, or the comparison proves little.
    assert!(distinct_logits.len() >= 10, "{distinct_logits:?}");
}

fn conv_shape(side: usize, in_channels: usize) -> ConvShape {
    ConvShape {
        in_height: side,
        in_width: side,
        in_channels,
        out_channels: CHANNELS,
        kernel_height: KERNEL,
        kernel_width: KERNEL,
    }
}

fn channels(
    layer: &tinytransfer_core::write::LayerData,
) -> Vec<tinytransfer_core::quant::ChannelQuant> {
    (0..layer.out_channels)
        .map(|c| tinytransfer_core::quant::ChannelQuant {
            bias: layer.bias[c],
            multiplier: layer.multiplier[c],
            shift: layer.shift[c],
        })
        .collect()
}
