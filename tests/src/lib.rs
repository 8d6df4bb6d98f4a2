//! The QEMU harness for tinytransfer's firmware, and the cross-crate end-to-end tests.
//!
//! The harness builds the firmware (`firmware/`, its own workspace) with `cargo build
//! --release` ([`firmware`]), runs it under `qemu-system-arm` on the `mps2-an386` machine with
//! a timeout and decodes its defmt log with the ELF's own defmt table ([`qemu`]), and reads the
//! files it wrote through semihosting ([`records`], [`device`]). The tests in `tests/tests/`
//! compare the device's answers with `tinytransfer-core` run on the host ([`reference`]), byte
//! for byte.
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
