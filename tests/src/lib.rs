//! The QEMU harness for tinytransfer's firmware, and the cross-crate end-to-end tests.
//!
//! The harness builds the firmware (`firmware/`, its own workspace) with `cargo build
//! --release` ([`firmware`]), runs it under `qemu-system-arm` on the `mps2-an386` machine with
//! a timeout and decodes its defmt log with the ELF's own defmt table ([`qemu`]), and reads the
//! files it wrote through semihosting ([`records`], [`device`]). The tests in `tests/tests/`
//! compare the device's answers with `tinytransfer-core` run on the host
//! ([`reference`](mod@reference)), byte for byte.
//!
//! `cargo test -p tinytransfer-tests` needs `qemu-system-arm`, the `thumbv7em-none-eabihf`
//! target and MNIST (`scripts/fetch-mnist.sh`). Environment:
//! - `TINYTRANSFER_BLOB_DIR`: the model to test (default `pretrained/`; without blobs there, a
//!   random model from [`blobs::Blobs::random`] stands in, which checks the arithmetic as well);
//! - `TINYTRANSFER_MNIST_DIR`: the IDX files (default `data/mnist`, raw or `.gz`);
//! - `TINYTRANSFER_BLESS=1`: rewrite `tests/golden/` from this run instead of comparing.
//!
//! Binaries:
//! - `tinytransfer-qemu ELF`: the firmware's cargo runner (`cargo run` in `firmware/`);
//! - `tinytransfer-acceptance`: all 4 861 test digits 5–9 on the device, with accuracies;
//! - `tinytransfer-demo-digits`: regenerates the digits embedded in the firmware's demo mode.

pub mod blobs;
pub mod device;
pub mod elf;
pub mod firmware;
pub mod mnist;
pub mod paths;
pub mod qemu;
pub mod records;
pub mod reference;
