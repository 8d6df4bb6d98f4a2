//! The firmware's cargo runner: runs an ELF under `qemu-system-arm` (`mps2-an386`), prints its
//! defmt log on stderr as it arrives, and exits with the firmware's exit code.
//!
//! Usage: `tinytransfer-qemu ELF`. `TINYTRANSFER_QEMU_TIMEOUT` (seconds) kills a run that takes
//! longer; the exit status is then 124, like `timeout(1)`'s. `TINYTRANSFER_QEMU_ICOUNT=1` runs
//! QEMU with `-icount shift=0`, which makes the firmware's SysTick ticks count instructions
//! (about 40 to a tick), the same on every run.

use std::env;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use tinytransfer_tests::qemu::{Outcome, Qemu};

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("tinytransfer-qemu: {error:#}");
            ExitCode::from(125)
        }
    }
}

fn run() -> Result<ExitCode> {
    let mut args = env::args_os().skip(1);
    let (Some(elf), None) = (args.next(), args.next()) else {
        bail!("usage: tinytransfer-qemu ELF");
    };

    let icount = env::var_os("TINYTRANSFER_QEMU_ICOUNT").is_some_and(|value| value == "1");
    let mut qemu = Qemu::new(elf).echo(true).icount(icount);
    if let Some(seconds) = env::var_os("TINYTRANSFER_QEMU_TIMEOUT") {
        let seconds: f64 = seconds
            .to_str()
            .and_then(|text| text.parse().ok())
            .context("TINYTRANSFER_QEMU_TIMEOUT must be a number of seconds")?;
        qemu = qemu.timeout(Duration::from_secs_f64(seconds));
    }

    let run = qemu.run()?;
    if !run.stderr.is_empty() {
        eprint!("{}", run.stderr);
    }
    Ok(match run.outcome {
        Outcome::Exited(code) => {
            if code != 0 {
                eprintln!("tinytransfer-qemu: the firmware exited with status {code}");
            }
            ExitCode::from(u8::try_from(code).unwrap_or(1))
        }
        Outcome::Killed => {
            eprintln!("tinytransfer-qemu: qemu-system-arm was killed");
            ExitCode::from(1)
        }
        Outcome::TimedOut(after) => {
            eprintln!("tinytransfer-qemu: no exit after {after:.1?}: stopped");
            ExitCode::from(124)
        }
    })
}
