//! The last resorts: panics and hard faults are logged through defmt, then the firmware exits
//! with a non-zero status instead of hanging.

use cortex_m_rt::{exception, ExceptionFrame};

use crate::exit::{exit, ExitCode};

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    defmt::error!("panic: {}", defmt::Display2Format(info));
    exit(ExitCode::Panic)
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    defmt::error!(
        "hard fault: pc {=u32:#010x}, lr {=u32:#010x}",
        frame.pc(),
        frame.lr()
    );
    exit(ExitCode::HardFault)
}
