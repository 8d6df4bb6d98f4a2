//! The model blobs embedded at build time, and their validation at boot.
//!
//! `build.rs` finds `features.ttb` and `head-digits-5-9.ttb` in the blob directory (`pretrained/`
//! or `TINYTRANSFER_BLOB_DIR`) and the bytes land in flash as they are. `tinytransfer-core`
//! borrows the weights from there; only the scratch buffers live in RAM.

use tinytransfer_core::shapes::TOTAL_MACS;
use tinytransfer_core::{FeatureExtractor, Head, Model};

use crate::board;
use crate::engine::SCRATCH_BYTES;
use crate::exit::{exit, ExitCode};

/// Blob bytes at a 4-byte boundary, so that no reader of them has to care.
#[repr(C, align(4))]
struct Aligned<Bytes: ?Sized> {
    bytes: Bytes,
}

static FEATURES_BLOB: &Aligned<[u8]> = &Aligned {
    bytes: *include_bytes!(env!("TINYTRANSFER_FEATURES_PATH")),
};
static HEAD_BLOB: &Aligned<[u8]> = &Aligned {
    bytes: *include_bytes!(env!("TINYTRANSFER_HEAD_PATH")),
};

// The linker refuses an image that overflows the board's flash or RAM; these say why earlier.
const BLOB_BYTES: usize = include_bytes!(env!("TINYTRANSFER_FEATURES_PATH")).len()
    + include_bytes!(env!("TINYTRANSFER_HEAD_PATH")).len();
const _: () = assert!(
    BLOB_BYTES < board::FLASH_BYTES,
    "the blobs alone overflow the board's flash"
);
const _: () = assert!(
    SCRATCH_BYTES + board::MIN_STACK_BYTES <= board::RAM_BYTES,
    "the inference scratch and the stack do not fit the board's RAM"
);

/// Validates the feature-extractor blob; on failure logs what is wrong and exits with
/// [`ExitCode::FeaturesInvalid`].
pub fn load_features() -> FeatureExtractor<'static> {
    FeatureExtractor::load(&FEATURES_BLOB.bytes).unwrap_or_else(|error| {
        defmt::error!(
            "feature extractor blob ({=usize} bytes) is invalid: {}",
            FEATURES_BLOB.bytes.len(),
            defmt::Display2Format(&error)
        );
        exit(ExitCode::FeaturesInvalid)
    })
}

/// Validates the head blob; on failure logs what is wrong and exits with
/// [`ExitCode::HeadInvalid`].
pub fn load_head() -> Head<'static> {
    Head::load(&HEAD_BLOB.bytes).unwrap_or_else(|error| {
        defmt::error!(
            "head blob ({=usize} bytes) is invalid: {}",
            HEAD_BLOB.bytes.len(),
            defmt::Display2Format(&error)
        );
        exit(ExitCode::HeadInvalid)
    })
}

/// Pairs the two; on failure logs why and exits with [`ExitCode::ModelMismatch`].
pub fn pair<'m>(
    features: &'m FeatureExtractor<'static>,
    head: &'m Head<'static>,
) -> Model<'m, 'static> {
    let model = Model::new(features, head).unwrap_or_else(|error| {
        defmt::error!(
            "the head does not fit the feature extractor: {}",
            defmt::Display2Format(&error)
        );
        exit(ExitCode::ModelMismatch)
    });

    defmt::info!(
        "model: task {=str}, labels {=[u8]}, {=usize} MACs per image",
        head.task_name(),
        head.labels()[..],
        TOTAL_MACS
    );
    defmt::info!(
        "blobs in flash: feature extractor {=usize} B (CRC-32 {=u32:#010x}), head {=usize} B",
        FEATURES_BLOB.bytes.len(),
        features.crc(),
        HEAD_BLOB.bytes.len()
    );
    model
}
