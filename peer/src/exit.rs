//! How the peer ends: a semihosting exit with a documented status code, which QEMU makes its
//! own exit status.

/// Why the peer stopped. The discriminant is the process exit status.
#[derive(Clone, Copy)]
#[repr(u8)]
pub enum ExitCode {
    /// Every image was classified.
    Success = 0,
    /// The embedded weight file has the wrong magic, version or length.
    WeightsInvalid = 2,
    /// The images file could not be opened or read, or the results file written.
    HostIo = 5,
    /// The images file is not a whole number of records.
    InputFormat = 6,
    /// A Rust panic (an exhausted heap among them); the message was printed.
    Panic = 101,
    /// A hard fault; the faulting address was printed.
    HardFault = 102,
}

/// Stops the program with `code` as its exit status.
pub fn exit(code: ExitCode) -> ! {
    semihosting::process::exit(i32::from(code as u8))
}
