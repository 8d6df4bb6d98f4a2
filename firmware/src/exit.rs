//! How the firmware ends: a semihosting exit with a documented status code.
//!
//! Under QEMU (`-semihosting-config enable=on`) the code becomes qemu-system-arm's exit
//! status; under `probe-rs run` it becomes probe-rs's. The table is repeated in README.md and
//! in the harness (`tests/src/firmware.rs`), which checks it.

/// Why the firmware stopped. The discriminant is the process exit status.
#[derive(Clone, Copy, PartialEq, Eq, defmt::Format)]
#[repr(u8)]
pub enum ExitCode {
    /// The mode ran to its end.
    Success = 0,
    /// The feature-extractor blob failed validation (magic, version, kind, shapes or checksum).
    FeaturesInvalid = 2,
    /// The head blob failed validation.
    HeadInvalid = 3,
    /// Both blobs are valid but the head was not trained on this feature extractor.
    ModelMismatch = 4,
    /// The DSP kernels cannot run this model exactly (a requantisation multiplier of 1/2 or
    /// more, or an accumulator that could leave ±2^30); the `portable` feature can.
    #[cfg_attr(feature = "portable", allow(dead_code))]
    KernelsUnsupported = 7,
    /// Harness mode: a host file could not be opened, read or written.
    #[cfg_attr(not(feature = "harness"), allow(dead_code))]
    HostIo = 5,
    /// Harness mode: the images file is not a whole number of records.
    #[cfg_attr(not(feature = "harness"), allow(dead_code))]
    InputFormat = 6,
    /// A Rust panic; the message was logged.
    Panic = 101,
    /// A hard fault; the faulting address was logged.
    HardFault = 102,
}

/// Stops the program with `code` as its exit status.
pub fn exit(code: ExitCode) -> ! {
    semihosting::process::exit(i32::from(code as u8))
}
