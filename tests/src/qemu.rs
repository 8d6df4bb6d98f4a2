//! Runs a firmware ELF under `qemu-system-arm` and decodes its defmt log.
//!
//! QEMU writes whatever the firmware sends through semihosting to its stdout: with the
//! `qemu-mps2-an386` board that is the defmt stream, and nothing else. The firmware's
//! semihosting exit code becomes QEMU's exit status. A firmware that never exits is killed
//! when the timeout runs out.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};
use std::{fmt, fs};

use anyhow::{bail, Context, Result};
use defmt_decoder::{DecodeError, Table};

/// The QEMU machine that the `qemu-mps2-an386` board feature builds for.
pub const MACHINE: &str = "mps2-an386";

/// One decoded defmt frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// `trace` … `error`; `None` for `defmt::println!`.
    pub level: Option<&'static str>,
    /// The formatted message.
    pub message: String,
}

impl fmt::Display for LogLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.level {
            Some(level) => write!(f, "{:<5} {}", level.to_uppercase(), self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// QEMU exited with this status: the firmware's exit code, or QEMU's own failure.
    Exited(i32),
    /// QEMU was killed by a signal other than ours.
    Killed,
    /// The timeout ran out and the harness killed QEMU.
    TimedOut(Duration),
}

/// What one run of the firmware produced.
#[derive(Debug)]
pub struct Run {
    /// How it ended.
    pub outcome: Outcome,
    /// The decoded defmt log, in order.
    pub log: Vec<LogLine>,
    /// QEMU's own stderr (its errors, not the firmware's).
    pub stderr: String,
    /// Wall-clock time from start to exit.
    pub elapsed: Duration,
}

impl Run {
    /// The exit status, if QEMU exited by itself.
    pub fn exit_code(&self) -> Option<i32> {
        match self.outcome {
            Outcome::Exited(code) => Some(code),
            _ => None,
        }
    }

    /// The first log line at `level` whose message contains `needle`.
    pub fn find(&self, level: &str, needle: &str) -> Option<&LogLine> {
        self.log
            .iter()
            .find(|line| line.level == Some(level) && line.message.contains(needle))
    }

    /// The whole log, one frame a line, for error messages.
    pub fn log_text(&self) -> String {
        self.log.iter().map(|line| format!("{line}\n")).collect()
    }
}

/// How to run one firmware image.
#[derive(Clone, Debug)]
pub struct Qemu {
    elf: PathBuf,
    workdir: Option<PathBuf>,
    timeout: Option<Duration>,
    echo: bool,
    icount: bool,
}

impl Qemu {
    /// Prepares to run `elf` on the `mps2-an386` machine.
    pub fn new(elf: impl Into<PathBuf>) -> Self {
        Self {
            elf: elf.into(),
            workdir: None,
            timeout: None,
            echo: false,
            icount: false,
        }
    }

    /// QEMU's working directory: semihosting resolves the firmware's relative file names there.
    pub fn workdir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.workdir = Some(dir.into());
        self
    }

    /// Kill QEMU after this long. Without a timeout the run waits for the firmware to exit.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Run with `-icount shift=0`: one instruction is one virtual nanosecond, so the
    /// firmware's SysTick ticks count instructions (about 40 to a tick on mps2-an386), the
    /// same on every run. Slower than the default.
    pub fn icount(mut self, icount: bool) -> Self {
        self.icount = icount;
        self
    }

    /// Also print each log line to stderr as it arrives.
    pub fn echo(mut self, echo: bool) -> Self {
        self.echo = echo;
        self
    }

    /// Runs the firmware to its end (or to the timeout) and collects its log.
    ///
    /// # Errors
    /// The ELF cannot be read or holds no defmt table, or `qemu-system-arm` cannot be started.
    /// A firmware that fails or hangs is not an error here: see [`Run::outcome`].
    pub fn run(&self) -> Result<Run> {
        let elf = fs::read(&self.elf)
            .with_context(|| format!("cannot read firmware ELF {}", self.elf.display()))?;
        let table = Table::parse(&elf)
            .with_context(|| format!("cannot read the defmt table of {}", self.elf.display()))?
            .with_context(|| format!("{} holds no defmt table", self.elf.display()))?;

        let started = Instant::now();
        let mut child = self.spawn()?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let decoder = spawn_decoder(table, stdout, self.echo);
        let stderr_reader = thread::spawn(move || read_all(stderr));

        let outcome = wait(&mut child, self.timeout)?;
        let elapsed = started.elapsed();

        let log = decoder.join().expect("the decoder thread does not panic")?;
        let stderr = stderr_reader
            .join()
            .expect("the stderr thread does not panic")?;
        Ok(Run {
            outcome,
            log,
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
            elapsed,
        })
    }

    fn spawn(&self) -> Result<Child> {
        let mut command = Command::new("qemu-system-arm");
        command
            .args([
                "-M",
                MACHINE,
                "-nographic",
                "-monitor",
                "none",
                "-serial",
                "none",
            ])
            .args(["-semihosting-config", "enable=on,target=native"]);
        if self.icount {
            command.args(["-icount", "shift=0"]);
        }
        command
            .arg("-kernel")
            .arg(&self.elf)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(dir) = &self.workdir {
            command.current_dir(dir);
        }
        command
            .spawn()
            .context("cannot start qemu-system-arm (Debian: apt-get install qemu-system-arm)")
    }
}

/// Decodes the defmt stream as it arrives, on its own thread.
fn spawn_decoder(
    table: Table,
    mut stdout: impl Read + Send + 'static,
    echo: bool,
) -> JoinHandle<Result<Vec<LogLine>>> {
    thread::spawn(move || {
        let mut decoder = table.new_stream_decoder();
        let mut log = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let read = stdout
                .read(&mut chunk)
                .context("cannot read QEMU's stdout")?;
            if read == 0 {
                return Ok(log);
            }
            decoder.received(&chunk[..read]);
            loop {
                let line = match decoder.decode() {
                    Ok(frame) => LogLine {
                        level: frame.level().map(|level| level.as_str()),
                        message: frame.display_message().to_string(),
                    },
                    Err(DecodeError::UnexpectedEof) => break,
                    Err(DecodeError::Malformed) => LogLine {
                        level: Some("error"),
                        message: "(harness: a malformed defmt frame was skipped)".into(),
                    },
                };
                if echo {
                    let _ = writeln!(io::stderr(), "{line}");
                }
                log.push(line);
            }
        }
    })
}

/// Waits for QEMU to exit, killing it when `timeout` runs out.
fn wait(child: &mut Child, timeout: Option<Duration>) -> Result<Outcome> {
    let started = Instant::now();
    loop {
        if let Some(status) = child
            .try_wait()
            .context("cannot wait for qemu-system-arm")?
        {
            return Ok(status.code().map_or(Outcome::Killed, Outcome::Exited));
        }
        if let Some(timeout) = timeout {
            if started.elapsed() >= timeout {
                child.kill().context("cannot kill qemu-system-arm")?;
                child.wait().context("cannot reap qemu-system-arm")?;
                return Ok(Outcome::TimedOut(timeout));
            }
        }
        thread::sleep(Duration::from_millis(10));
    }
}

fn read_all(mut reader: impl Read) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .context("cannot read QEMU's stderr")?;
    Ok(bytes)
}

/// Fails unless `run` exited with status 0, with the log in the message.
///
/// # Errors
/// The run timed out, was killed, or exited non-zero.
pub fn expect_success(run: &Run, what: &str) -> Result<()> {
    match run.outcome {
        Outcome::Exited(0) => Ok(()),
        outcome => bail!(
            "{what}: the firmware ended with {outcome:?} after {:.1?}\n--- defmt log ---\n{}\
             --- QEMU stderr ---\n{}",
            run.elapsed,
            run.log_text(),
            run.stderr
        ),
    }
}

/// Reads a file that the firmware wrote into QEMU's working directory.
///
/// # Errors
/// The file is missing or unreadable.
pub fn read_output(workdir: &Path, name: &str) -> Result<Vec<u8>> {
    let path = workdir.join(name);
    fs::read(&path).with_context(|| format!("the firmware left no {}", path.display()))
}
