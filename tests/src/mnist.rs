//! MNIST's IDX files, raw or gzipped, and the test digits 5–9 that the firmware classifies.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use flate2::read::GzDecoder;

/// Side of an MNIST image.
pub const SIDE: usize = 28;
/// Pixels of an MNIST image.
pub const PIXELS: usize = SIDE * SIDE;

/// One labelled image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digit {
    /// The digit drawn, 0–9.
    pub label: u8,
    /// Row-major pixels, 0 = background, 255 = ink.
    pub pixels: [u8; PIXELS],
}

/// The 10 000 test images with their labels, from `dir` (`t10k-*-idx*-ubyte`, or `.gz`).
///
/// # Errors
/// A file is missing, unreadable or not the IDX it should be; the message says how to fetch.
pub fn test_set(dir: &Path) -> Result<Vec<Digit>> {
    let images = read_idx(&find(dir, "t10k-images-idx3-ubyte")?, 3)?;
    let labels = read_idx(&find(dir, "t10k-labels-idx1-ubyte")?, 1)?;
    ensure!(
        images.dims[1..] == [SIDE, SIDE],
        "MNIST images are {:?}, not {SIDE}x{SIDE}",
        &images.dims[1..]
    );
    ensure!(
        images.dims[0] == labels.dims[0],
        "MNIST images and labels differ in count"
    );

    Ok(images
        .data
        .chunks_exact(PIXELS)
        .zip(labels.data)
        .map(|(pixels, label)| Digit {
            label,
            pixels: pixels.try_into().expect("chunks are one image long"),
        })
        .collect())
}

/// The test images of digits 5–9 (4 861 of them), in the test set's order.
///
/// # Errors
/// As [`test_set`].
pub fn test_digits_5_to_9(dir: &Path) -> Result<Vec<Digit>> {
    Ok(test_set(dir)?
        .into_iter()
        .filter(|digit| digit.label >= 5)
        .collect())
}

struct Idx {
    dims: Vec<usize>,
    data: Vec<u8>,
}

/// `name` in `dir`, raw or with `.gz`.
fn find(dir: &Path, name: &str) -> Result<PathBuf> {
    let raw = dir.join(name);
    let gzipped = dir.join(format!("{name}.gz"));
    if raw.is_file() {
        Ok(raw)
    } else if gzipped.is_file() {
        Ok(gzipped)
    } else {
        bail!(
            "no {name} (nor .gz) in {}: fetch MNIST with scripts/fetch-mnist.sh, or point \
             TINYTRANSFER_MNIST_DIR at a directory that holds it",
            dir.display()
        )
    }
}

/// Reads an unsigned-byte IDX file of `rank` dimensions.
fn read_idx(path: &Path, rank: usize) -> Result<Idx> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut reader: Box<dyn Read> = if path.extension().is_some_and(|ext| ext == "gz") {
        Box::new(GzDecoder::new(BufReader::new(file)))
    } else {
        Box::new(BufReader::new(file))
    };
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;

    // Magic: two zero bytes, the element type (0x08 = u8), the number of dimensions.
    ensure!(
        bytes.len() >= 4 + 4 * rank && bytes[..4] == [0, 0, 0x08, rank as u8],
        "{} is not an IDX file of bytes with {rank} dimensions",
        path.display()
    );
    let dims: Vec<usize> = bytes[4..4 + 4 * rank]
        .chunks_exact(4)
        .map(|dim| u32::from_be_bytes(dim.try_into().expect("4 bytes")) as usize)
        .collect();
    let data = bytes.split_off(4 + 4 * rank);
    ensure!(
        data.len() == dims.iter().product::<usize>(),
        "{} holds {} bytes of data, its header says {dims:?}",
        path.display(),
        data.len()
    );
    Ok(Idx { dims, data })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::write::GzEncoder;
    use flate2::Compression;

    use super::*;
    use crate::paths::ScratchDir;

    fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0, 0, 0x08, dims.len() as u8];
        for dim in dims {
            bytes.extend_from_slice(&dim.to_be_bytes());
        }
        bytes.extend_from_slice(data);
        bytes
    }

    fn write_test_set(dir: &Path, gzip: bool) {
        let pixels: Vec<u8> = (0..3 * PIXELS).map(|n| (n % 256) as u8).collect();
        let files = [
            ("t10k-images-idx3-ubyte", idx(&[3, 28, 28], &pixels)),
            ("t10k-labels-idx1-ubyte", idx(&[3], &[4, 5, 9])),
        ];
        for (name, bytes) in files {
            if gzip {
                let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
                encoder.write_all(&bytes).unwrap();
                fs_write(&dir.join(format!("{name}.gz")), &encoder.finish().unwrap());
            } else {
                fs_write(&dir.join(name), &bytes);
            }
        }
    }

    fn fs_write(path: &Path, bytes: &[u8]) {
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn reads_raw_and_gzipped_idx_alike() {
        for gzip in [false, true] {
            let dir = ScratchDir::new("idx").unwrap();
            write_test_set(dir.path(), gzip);

            let digits = test_digits_5_to_9(dir.path()).unwrap();
            assert_eq!(digits.iter().map(|d| d.label).collect::<Vec<_>>(), [5, 9]);
            assert_eq!(digits[0].pixels[0], (PIXELS % 256) as u8);
        }
    }

    #[test]
    fn missing_files_say_how_to_fetch() {
        let dir = ScratchDir::new("no-idx").unwrap();
        let error = test_set(dir.path()).unwrap_err().to_string();
        assert!(error.contains("scripts/fetch-mnist.sh"), "{error}");
    }

    #[test]
    fn wrong_header_is_refused() {
        let dir = ScratchDir::new("bad-idx").unwrap();
        write_test_set(dir.path(), false);
        fs_write(
            &dir.path().join("t10k-labels-idx1-ubyte"),
            &idx(&[4], &[1, 2, 3]),
        );
        assert!(test_set(dir.path()).is_err());
    }
}
