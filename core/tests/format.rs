//! The blob format: frozen bytes, round trips, and refusal of every damaged blob.

mod common;

use tinytransfer_core::format::{self, Contents, Envelope, HeadBlob, LayerBlob, FORMAT_VERSION};
use tinytransfer_core::quant::QuantParams;
use tinytransfer_core::write::{encode, write_features, write_head, TaskInfo};
use tinytransfer_core::{BlobKind, Error, FeatureExtractor, Head, LayerName, Model};

fn tiny_layer() -> LayerBlob<'static> {
    LayerBlob {
        out_channels: 1,
        kernel_height: 1,
        kernel_width: 1,
        in_channels: 2,
        weights: &[0x01, 0xff],
        bias: &[10, 0, 0, 0],
        multiplier: &[0, 0, 0, 0x40],
        shift: &[0xff],
        output: QuantParams {
            scale: 0.25,
            zero_point: 3,
        },
        relu: true,
    }
}

fn tiny_head() -> Contents<'static> {
    Contents::Head(HeadBlob {
        task: "t",
        labels: [5, 6, 7, 8, 9],
        features_crc: 0x0102_0304,
        input: QuantParams {
            scale: 0.5,
            zero_point: -128,
        },
        dense1: tiny_layer(),
        dense2: tiny_layer(),
    })
}

/// The bytes were worked out field by field by a separate Python encoder of the same layout
/// (LEB128 varints, zigzag for signed, little-endian f32, `zlib.crc32`), not by this crate.
#[rustfmt::skip]
const TINY_HEAD_BYTES: [u8; 78] = [
    b'T', b'T', b'N', b'N',     // magic
    0x01,                       // version 1
    0x44,                       // body length 68
    0x01,                       // Contents::Head
    0x01, b't',                 // task "t"
    0x05, 0x06, 0x07, 0x08, 0x09, // labels
    0x84, 0x86, 0x88, 0x08,     // features_crc 0x01020304 (varint)
    0x00, 0x00, 0x00, 0x3f,     // input scale 0.5
    0xff, 0x01,                 // input zero point -128 (zigzag varint)
    // dense1: dims 1, 1, 1, 2; weights [1, -1]; bias 10; multiplier 2^30; shift -1;
    // output scale 0.25, zero point 3; relu
    0x01, 0x01, 0x01, 0x02, 0x02, 0x01, 0xff, 0x04, 0x0a, 0x00, 0x00, 0x00,
    0x04, 0x00, 0x00, 0x00, 0x40, 0x01, 0xff, 0x00, 0x00, 0x80, 0x3e, 0x06, 0x01,
    // dense2: the same
    0x01, 0x01, 0x01, 0x02, 0x02, 0x01, 0xff, 0x04, 0x0a, 0x00, 0x00, 0x00,
    0x04, 0x00, 0x00, 0x00, 0x40, 0x01, 0xff, 0x00, 0x00, 0x80, 0x3e, 0x06, 0x01,
    0x99, 0xae, 0xcf, 0x72,     // CRC-32 0x72cfae99 of everything above
];

#[test]
fn small_blob_has_frozen_bytes() {
    assert_eq!(encode(&tiny_head()), TINY_HEAD_BYTES);
    let (decoded, crc) = format::decode(&TINY_HEAD_BYTES).unwrap();
    assert_eq!(decoded, tiny_head());
    assert_eq!(crc, 0x72cf_ae99);
}

#[test]
fn small_head_is_refused_by_the_model_for_its_shape() {
    let error = Head::load(&TINY_HEAD_BYTES).unwrap_err();
    let expected = Error::Shape {
        layer: LayerName::Dense1,
        dimension: "out_channels",
        expected: 128,
        found: 1,
    };
    assert_eq!(error, expected);
    assert_eq!(
        error.to_string(),
        "dense1: out_channels is 1, the network needs 128"
    );
}

#[test]
fn full_size_blobs_round_trip() {
    let (conv1, conv2) = common::random_convs(1);
    let features = write_features(QuantParams::INPUT, &conv1, &conv2);
    let (contents, _) = format::decode(&features).unwrap();
    let Contents::FeatureExtractor(blob) = contents else {
        panic!("wrong kind")
    };
    assert_eq!(blob.conv2.weights.len(), conv2.weights.len());
    assert!(blob
        .conv2
        .weights
        .iter()
        .zip(&conv2.weights)
        .all(|(&b, &w)| b as i8 == w));
    assert_eq!(
        blob.conv1.bias,
        conv1
            .bias
            .iter()
            .flat_map(|b| b.to_le_bytes())
            .collect::<Vec<_>>()
    );
    assert_eq!(blob.conv2.output, conv2.output);

    let extractor = FeatureExtractor::load(&features).unwrap();
    assert_eq!(extractor.conv2_layer().weights(), &conv2.weights[..]);
    assert_eq!(extractor.output_quant(), conv2.output);

    let head_bytes = common::head_blob(2, &features);
    let head = Head::load(&head_bytes).unwrap();
    let (dense1, _) = common::random_denses(2);
    assert_eq!(head.task_name(), "digits-5-9");
    assert_eq!(head.labels(), [5, 6, 7, 8, 9]);
    assert_eq!(head.features_crc(), extractor.crc());
    assert_eq!(head.dense1_layer().weights(), &dense1.weights[..]);
    Model::new(&extractor, &head).unwrap();
}

/// Loads `bytes` as what it claims to be; `Ok` only when every check passes.
fn load_any(bytes: &[u8]) -> Result<(), Error> {
    match Envelope::read(bytes)?.contents() {
        Ok(Contents::Head(_)) => Head::load(bytes).map(drop),
        _ => FeatureExtractor::load(bytes).map(drop),
    }
}

#[test]
fn every_truncation_is_refused() {
    let features = common::features_blob(3);
    let head = common::head_blob(4, &features);
    for blob in [&features, &head] {
        for len in 0..blob.len() {
            let error = load_any(&blob[..len]).expect_err("a truncated blob loaded");
            assert!(
                matches!(error, Error::Truncated { .. } | Error::BadMagic),
                "length {len}: {error}"
            );
        }
    }
}

#[test]
fn every_single_byte_change_of_the_feature_extractor_is_refused() {
    let features = common::features_blob(5);
    let mut damaged = features.clone();
    for at in 0..features.len() {
        for flip in [0x01, 0x80, 0xff] {
            damaged[at] ^= flip;
            assert!(
                load_any(&damaged).is_err(),
                "byte {at} ^ {flip:#04x} went unnoticed"
            );
            damaged[at] ^= flip;
        }
    }
}

/// The head is 590 KB: a check per position would cost minutes of CRC work (each damaged copy
/// is checksummed in full), so every byte outside dense1's weights is changed, and one in 97
/// inside them. CRC-32 detects every error confined to 32 consecutive bits, so the sample
/// stands for the rest.
#[test]
fn single_byte_changes_of_the_head_are_refused() {
    let features = common::features_blob(6);
    let head = common::head_blob(7, &features);
    let weights_len = tinytransfer_core::shapes::FEATURES * tinytransfer_core::shapes::HIDDEN;
    // dense1's weights are the one run of that many bytes; find where it starts.
    let weights_at = head.len() - 4 - weights_len - dense1_tail_len(&head);

    let mut damaged = head.clone();
    let mut checked = 0;
    for at in (0..head.len()).filter(|&at| {
        let inside = (weights_at..weights_at + weights_len).contains(&at);
        !inside || (at - weights_at).is_multiple_of(97)
    }) {
        damaged[at] ^= 0x5a;
        assert!(
            load_any(&damaged).is_err(),
            "byte {at} changed went unnoticed"
        );
        damaged[at] ^= 0x5a;
        checked += 1;
    }
    assert!(checked > 6_000, "only {checked} positions checked");
}

/// Bytes of the head blob between the end of dense1's weights and the CRC.
fn dense1_tail_len(head: &[u8]) -> usize {
    let (contents, _) = format::decode(head).unwrap();
    let Contents::Head(blob) = contents else {
        panic!("not a head")
    };
    let end_of_weights = blob.dense1.weights.as_ptr() as usize + blob.dense1.weights.len();
    head.as_ptr() as usize + head.len() - 4 - end_of_weights
}

#[test]
fn envelope_errors_name_the_problem() {
    let features = common::features_blob(8);

    let mut bad_magic = features.clone();
    bad_magic[0] = b'X';
    assert_eq!(load_any(&bad_magic), Err(Error::BadMagic));
    assert_eq!(
        load_any(b"PK\x03\x04 definitely a zip"),
        Err(Error::BadMagic)
    );

    let mut future = features.clone();
    future[4] = FORMAT_VERSION as u8 + 1;
    assert_eq!(
        load_any(&future),
        Err(Error::UnsupportedVersion {
            found: FORMAT_VERSION + 1,
            supported: FORMAT_VERSION
        })
    );

    let mut trailing = features.clone();
    trailing.extend_from_slice(&[0, 0]);
    assert_eq!(load_any(&trailing), Err(Error::TrailingBytes { extra: 2 }));

    let mut damaged = features.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 1;
    let error = load_any(&damaged).unwrap_err();
    assert!(matches!(error, Error::ChecksumMismatch { .. }), "{error}");
    assert!(error.to_string().starts_with("blob damaged"));
}

#[test]
fn wrong_kind_and_foreign_pairs_are_refused() {
    let features = common::features_blob(9);
    let head = common::head_blob(10, &features);
    assert_eq!(
        Head::load(&features).unwrap_err(),
        Error::WrongKind {
            expected: BlobKind::Head,
            found: BlobKind::FeatureExtractor
        }
    );
    assert_eq!(
        FeatureExtractor::load(&head).unwrap_err(),
        Error::WrongKind {
            expected: BlobKind::FeatureExtractor,
            found: BlobKind::Head
        }
    );

    let other = common::features_blob(11);
    let (extractor, other_extractor) = (
        FeatureExtractor::load(&features).unwrap(),
        FeatureExtractor::load(&other).unwrap(),
    );
    let head = Head::load(&head).unwrap();
    assert!(Model::new(&extractor, &head).is_ok());
    assert!(matches!(
        Model::new(&other_extractor, &head),
        Err(Error::ForeignHead { .. })
    ));
}

#[test]
fn invalid_values_are_refused_at_load() {
    let (conv1, conv2) = common::random_convs(12);

    let mut minus_128 = conv2.clone();
    minus_128.weights[77] = i8::MIN;
    assert_eq!(
        FeatureExtractor::load(&write_features(QuantParams::INPUT, &conv1, &minus_128)).err(),
        Some(Error::WeightOutOfRange {
            layer: LayerName::Conv2,
            index: 77
        })
    );

    let mut huge_bias = conv1.clone();
    huge_bias.bias[3] = i32::MAX - 1000;
    assert_eq!(
        FeatureExtractor::load(&write_features(QuantParams::INPUT, &huge_bias, &conv2)).err(),
        Some(Error::BiasTooLarge {
            layer: LayerName::Conv1,
            channel: 3
        })
    );

    let mut small_multiplier = conv2.clone();
    small_multiplier.multiplier[5] = 12345;
    assert_eq!(
        FeatureExtractor::load(&write_features(
            QuantParams::INPUT,
            &conv1,
            &small_multiplier
        ))
        .err(),
        Some(Error::BadRequantization {
            layer: LayerName::Conv2,
            channel: 5
        })
    );

    let mut short = conv1.clone();
    short.weights.pop();
    assert_eq!(
        FeatureExtractor::load(&write_features(QuantParams::INPUT, &short, &conv2)).err(),
        Some(Error::ArrayLength {
            layer: LayerName::Conv1,
            array: "weights",
            expected: 288,
            found: 287
        })
    );

    let mut nan_scale = conv1.clone();
    nan_scale.output.scale = f32::NAN;
    assert_eq!(
        FeatureExtractor::load(&write_features(QuantParams::INPUT, &nan_scale, &conv2)).err(),
        Some(Error::BadQuantParams {
            layer: LayerName::Conv1
        })
    );

    let input = QuantParams {
        scale: 1.0,
        zero_point: 0,
    };
    assert_eq!(
        FeatureExtractor::load(&write_features(input, &conv1, &conv2)).err(),
        Some(Error::BadInputQuantization)
    );

    let features = write_features(QuantParams::INPUT, &conv1, &conv2);
    let (dense1, dense2) = common::random_denses(13);
    let repeated = TaskInfo {
        name: "digits",
        labels: [1, 2, 3, 2, 5],
    };
    let head = write_head(&repeated, &features, &dense1, &dense2).unwrap();
    assert_eq!(Head::load(&head).err(), Some(Error::BadTask));
}
