//! The board the firmware is built for: its name, its memory, and its defmt transport.
//!
//! Exactly one board feature must be on. The memory map the linker uses comes from
//! `boards/<board>.x` (see `build.rs`); the sizes here repeat it for compile-time checks.

#[cfg(all(feature = "qemu-mps2-an386", feature = "nrf52840"))]
compile_error!("choose one board feature: `qemu-mps2-an386` or `nrf52840`, not both");

#[cfg(not(any(feature = "qemu-mps2-an386", feature = "nrf52840")))]
compile_error!("choose a board feature: `qemu-mps2-an386` (the default) or `nrf52840`");

#[cfg(all(feature = "harness", feature = "bench"))]
compile_error!("`bench` extends the demo: it does not go with `harness`");

#[cfg(all(feature = "harness", not(feature = "qemu-mps2-an386")))]
compile_error!("harness mode reads host files through QEMU's semihosting: build it for QEMU");

#[cfg(feature = "qemu-mps2-an386")]
mod chosen {
    /// defmt frames go to the host through semihosting, which QEMU writes to its stdout.
    use defmt_semihosting as _;

    pub const NAME: &str = "QEMU mps2-an386 (Cortex-M4F)";
    pub const FLASH_BYTES: usize = 4 << 20;
    pub const RAM_BYTES: usize = 4 << 20;
}

#[cfg(all(feature = "nrf52840", not(feature = "qemu-mps2-an386")))]
mod chosen {
    /// defmt frames go to the debug probe through an RTT buffer in RAM.
    use defmt_rtt as _;

    pub const NAME: &str = "nRF52840 (Cortex-M4F)";
    pub const FLASH_BYTES: usize = 1 << 20;
    pub const RAM_BYTES: usize = 256 << 10;
}

pub use chosen::{FLASH_BYTES, NAME, RAM_BYTES};

/// RAM that must stay free for the stack beside the static buffers (`boards/stack.x` checks the
/// same at link time).
pub const MIN_STACK_BYTES: usize = 16 << 10;
