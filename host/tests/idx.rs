//! Reading IDX files: good raw and gzip files load; each kind of broken file gives an error that
//! names the file, never a panic.

mod common;

use std::io::Write;
use std::path::Path;

use common::TempDir;

use flate2::write::GzEncoder;
use flate2::Compression;
use tinytransfer_host::data::idx::{parse_idx, read_idx, IdxError};
use tinytransfer_host::data::mnist::MnistError;
use tinytransfer_host::data::{Mnist, Split, Task};

/// An IDX file of unsigned bytes with the given dimensions and data.
fn idx_bytes(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0, 0, 0x08, dims.len() as u8];
    for dim in dims {
        bytes.extend_from_slice(&dim.to_be_bytes());
    }
    bytes.extend_from_slice(data);
    bytes
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Three 28×28 images whose pixels encode their index, and their labels 3, 7, 0.
fn tiny_split() -> (Vec<u8>, Vec<u8>) {
    let pixels: Vec<u8> = (0..3 * 784).map(|i| (i / 784 * 10 + i % 7) as u8).collect();
    (
        idx_bytes(&[3, 28, 28], &pixels),
        idx_bytes(&[3], &[3, 7, 0]),
    )
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

#[test]
fn raw_and_gzip_files_read_the_same() {
    let dir = TempDir::new();
    let bytes = idx_bytes(&[2, 3], &[1, 2, 3, 4, 5, 6]);
    write(dir.path(), "raw", &bytes);
    write(dir.path(), "packed", &gzip(&bytes));

    let raw = read_idx(&dir.path().join("raw"), 2).unwrap();
    let packed = read_idx(&dir.path().join("packed"), 2).unwrap();
    assert_eq!(raw.dims, [2, 3]);
    assert_eq!(raw.data, [1, 2, 3, 4, 5, 6]);
    assert_eq!(raw, packed);
}

#[test]
fn a_split_loads_from_raw_or_gzip_files() {
    let (images, labels) = tiny_split();
    for compressed in [false, true] {
        let dir = TempDir::new();
        let suffix = if compressed { ".gz" } else { "" };
        let pack = |bytes: &[u8]| {
            if compressed {
                gzip(bytes)
            } else {
                bytes.to_vec()
            }
        };
        write(
            dir.path(),
            &format!("t10k-images-idx3-ubyte{suffix}"),
            &pack(&images),
        );
        write(
            dir.path(),
            &format!("t10k-labels-idx1-ubyte{suffix}"),
            &pack(&labels),
        );

        let mnist = Mnist::load(dir.path(), Split::Test).unwrap();
        assert_eq!(mnist.labels, [3, 7, 0]);
        assert_eq!(mnist.images, images[16..]);

        let high = mnist.task(Task::High, None);
        assert_eq!(high.labels, [2], "digit 7 is class 2 of the 5–9 task");
        assert_eq!(high.image(0), &mnist.images[784..2 * 784]);
        assert_eq!(mnist.task(Task::Low, Some(1)).labels, [3]);
    }
}

/// A broken file: what is wrong, its bytes, and the error it must give.
type Case = (&'static str, Vec<u8>, fn(&IdxError) -> bool);

/// The error's message, checked to name `file`.
fn message_naming(error: impl std::fmt::Display, file: &str) -> String {
    let message = error.to_string();
    assert!(message.contains(file), "{message:?} should name {file}");
    message
}

#[test]
fn broken_files_give_errors_that_name_them() {
    let path = Path::new("some/dir/broken-idx");
    let good = idx_bytes(&[2, 3], &[1, 2, 3, 4, 5, 6]);

    let cases: Vec<Case> = vec![
        (
            "wrong type",
            [&[0, 0, 0x0d, 2][..], &good[4..]].concat(),
            |e| matches!(e, IdxError::BadMagic { .. }),
        ),
        ("wrong rank", good.clone(), |e| {
            matches!(e, IdxError::BadMagic { .. })
        }),
        ("empty", Vec::new(), |e| {
            matches!(e, IdxError::BadMagic { .. })
        }),
        ("short header", good[..7].to_vec(), |e| {
            matches!(e, IdxError::Truncated { .. })
        }),
        ("zero dimension", idx_bytes(&[0, 3], &[]), |e| {
            matches!(e, IdxError::BadDimensions { .. })
        }),
        (
            "overflowing dimensions",
            idx_bytes(&[u32::MAX, u32::MAX], &[]),
            |e| matches!(e, IdxError::BadDimensions { .. }),
        ),
        ("truncated data", good[..good.len() - 1].to_vec(), |e| {
            matches!(
                e,
                IdxError::Truncated {
                    expected: 18,
                    found: 17,
                    ..
                }
            )
        }),
        ("trailing bytes", [&good[..], &[9]].concat(), |e| {
            matches!(e, IdxError::TrailingBytes { extra: 1, .. })
        }),
    ];
    for (case, bytes, expected) in cases {
        let rank = if case == "wrong rank" { 3 } else { 2 };
        let error = parse_idx(path, &bytes, rank).expect_err(case);
        assert!(expected(&error), "{case}: unexpected {error:?}");
        message_naming(&error, "some/dir/broken-idx");
    }
}

#[test]
fn corrupt_gzip_is_an_error_naming_the_file() {
    let dir = TempDir::new();
    let mut packed = gzip(&idx_bytes(&[2, 3], &[1, 2, 3, 4, 5, 6]));
    packed.truncate(packed.len() / 2);
    write(dir.path(), "cut.gz", &packed);

    let error = read_idx(&dir.path().join("cut.gz"), 2).unwrap_err();
    assert!(matches!(error, IdxError::Io { .. }), "{error:?}");
    message_naming(&error, "cut.gz");
}

#[test]
fn split_level_errors_name_the_file() {
    let (images, labels) = tiny_split();

    // Missing label file.
    let dir = TempDir::new();
    write(dir.path(), "train-images-idx3-ubyte", &images);
    let error = Mnist::load(dir.path(), Split::Train).unwrap_err();
    assert!(matches!(error, MnistError::Missing { .. }), "{error:?}");
    message_naming(&error, "train-labels-idx1-ubyte");

    // Four labels for three images.
    write(
        dir.path(),
        "train-labels-idx1-ubyte",
        &idx_bytes(&[4], &[1, 2, 3, 4]),
    );
    let error = Mnist::load(dir.path(), Split::Train).unwrap_err();
    assert!(
        matches!(error, MnistError::CountMismatch { .. }),
        "{error:?}"
    );
    message_naming(&error, "train-labels-idx1-ubyte");

    // A label that is not a digit.
    write(
        dir.path(),
        "train-labels-idx1-ubyte",
        &idx_bytes(&[3], &[1, 12, 3]),
    );
    let error = Mnist::load(dir.path(), Split::Train).unwrap_err();
    assert!(
        matches!(
            error,
            MnistError::BadLabel {
                index: 1,
                label: 12,
                ..
            }
        ),
        "{error:?}"
    );

    // Images that are not 28×28.
    write(dir.path(), "train-labels-idx1-ubyte", &labels);
    write(
        dir.path(),
        "train-images-idx3-ubyte",
        &idx_bytes(&[3, 2, 2], &[0; 12]),
    );
    let error = Mnist::load(dir.path(), Split::Train).unwrap_err();
    assert!(
        matches!(error, MnistError::WrongImageSize { .. }),
        "{error:?}"
    );
    message_naming(&error, "train-images-idx3-ubyte");

    // A truncated image file, through the split loader.
    write(
        dir.path(),
        "train-images-idx3-ubyte",
        &images[..images.len() - 10],
    );
    let error = Mnist::load(dir.path(), Split::Train).unwrap_err();
    assert!(
        matches!(error, MnistError::Idx(IdxError::Truncated { .. })),
        "{error:?}"
    );
    message_naming(&error, "train-images-idx3-ubyte");
}
