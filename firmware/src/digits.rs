//! The test digits kept in flash for demo and bench modes: `demo/digits-5-9.bin`, records of
//! `[label][784 pixels]` cut from MNIST's test set by
//! `cargo run -p tinytransfer-tests --bin tinytransfer-demo-digits`.

use tinytransfer_core::shapes::IMAGE_PIXELS;

static DIGITS: &[u8] = include_bytes!("../demo/digits-5-9.bin");
const RECORD: usize = 1 + IMAGE_PIXELS;
const _: () = assert!(
    DIGITS.len().is_multiple_of(RECORD) && !DIGITS.is_empty(),
    "demo/digits-5-9.bin is not a whole number of records"
);

/// How many digits there are.
pub const COUNT: usize = DIGITS.len() / RECORD;

/// Each digit's label and pixels.
pub fn all() -> impl Iterator<Item = (u8, &'static [u8; IMAGE_PIXELS])> {
    DIGITS.chunks_exact(RECORD).map(|record| {
        let (&label, pixels) = record.split_first().expect("a record is never empty");
        (label, pixels.try_into().expect("a record holds one image"))
    })
}
