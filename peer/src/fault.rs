//! The last resorts: panics and hard faults are reported on stderr, then the peer exits with a
//! non-zero status instead of hanging.

use cortex_m_rt::{exception, ExceptionFrame};

use crate::exit::{exit, ExitCode};

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    semihosting::eprintln!("panic: {}", info);
    exit(ExitCode::Panic)
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    semihosting::eprintln!(
        "hard fault: pc {:#010x}, lr {:#010x}",
        frame.pc(),
        frame.lr()
    );
    exit(ExitCode::HardFault)
}
