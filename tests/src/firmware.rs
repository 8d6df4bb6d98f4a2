//! Builds the firmware (`cargo build --release` inside `firmware/`) with chosen features and
//! blobs, and the firmware's documented exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::{env, fs};

use anyhow::{bail, Context, Result};

use crate::paths::{firmware_dir, ScratchDir};

/// The firmware's exit codes (`firmware/src/exit.rs`, table in `firmware/README.md`).
pub mod exit_code {
    /// The mode ran to its end.
    pub const SUCCESS: i32 = 0;
    /// The feature-extractor blob failed validation.
    pub const FEATURES_INVALID: i32 = 2;
    /// The head blob failed validation.
    pub const HEAD_INVALID: i32 = 3;
    /// The head does not belong to the feature extractor.
    pub const MODEL_MISMATCH: i32 = 4;
    /// The DSP kernels cannot run this model exactly (build with `portable`).
    pub const KERNELS_UNSUPPORTED: i32 = 7;
    /// Harness mode: a host file could not be opened, read or written.
    pub const HOST_IO: i32 = 5;
    /// Harness mode: the images file is not a whole number of records.
    pub const INPUT_FORMAT: i32 = 6;
    /// A panic.
    pub const PANIC: i32 = 101;
    /// A hard fault.
    pub const HARD_FAULT: i32 = 102;
}

/// Serialises builds: they share `firmware/target`, and each build's ELF is copied out before
/// the next build may overwrite it.
static BUILD_LOCK: Mutex<()> = Mutex::new(());

/// One firmware configuration.
#[derive(Clone, Debug, Default)]
pub struct Build {
    board: Option<String>,
    features: Vec<String>,
    blob_dir: Option<PathBuf>,
    defmt_log: Option<String>,
}

/// A built firmware image, copied out of the shared target directory.
#[derive(Debug)]
pub struct Firmware {
    elf: PathBuf,
    _dir: ScratchDir,
}

impl Firmware {
    /// The ELF, for QEMU and for its defmt table.
    pub fn elf(&self) -> &Path {
        &self.elf
    }
}

impl Build {
    /// The default board (`qemu-mps2-an386`) in demo mode, with the default blobs.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds for another board than the default: its feature (`nrf52840`), which replaces
    /// the default features.
    pub fn board(mut self, board: &str) -> Self {
        self.board = Some(board.to_owned());
        self
    }

    /// Adds a cargo feature of the firmware (`harness`, `hang`, …).
    pub fn feature(mut self, feature: &str) -> Self {
        self.features.push(feature.to_owned());
        self
    }

    /// Embeds the blobs of `dir` instead of `pretrained/` (the firmware's
    /// `TINYTRANSFER_BLOB_DIR`).
    pub fn blob_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        // The build runs in firmware/: a relative path means one from here.
        let dir = dir.into();
        self.blob_dir = Some(std::path::absolute(&dir).unwrap_or(dir));
        self
    }

    /// The firmware's `DEFMT_LOG` filter (default `info`).
    pub fn defmt_log(mut self, filter: &str) -> Self {
        self.defmt_log = Some(filter.to_owned());
        self
    }

    /// Runs `cargo build --release` in `firmware/` and copies the ELF out.
    ///
    /// # Errors
    /// Cargo cannot be started, the build fails (its diagnostics are in the message), or it
    /// names no executable.
    pub fn build(&self) -> Result<Firmware> {
        let _guard = BUILD_LOCK
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());

        let output = self
            .command()
            .stdin(Stdio::null())
            .output()
            .context("cannot run cargo to build the firmware")?;
        if !output.status.success() {
            bail!(
                "building the firmware ({}) failed:\n{}",
                self.describe(),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let built = executable(&output.stdout)
            .with_context(|| format!("cargo named no firmware executable ({})", self.describe()))?;

        let dir = ScratchDir::new("firmware")?;
        let elf = dir.path().join("tinytransfer-firmware.elf");
        fs::copy(&built, &elf)
            .with_context(|| format!("cannot copy {} to {}", built.display(), elf.display()))?;
        Ok(Firmware { elf, _dir: dir })
    }

    fn command(&self) -> Command {
        let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .current_dir(firmware_dir())
            .args([
                "build",
                "--release",
                "--message-format=json-render-diagnostics",
            ])
            .env("DEFMT_LOG", self.defmt_log.as_deref().unwrap_or("info"))
            // The firmware's `.cargo/config.toml` holds the linker arguments; an outer RUSTFLAGS
            // (set for the host build, say) would replace them.
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("CARGO_BUILD_TARGET");
        let mut features = self.features.clone();
        if let Some(board) = &self.board {
            command.arg("--no-default-features");
            features.push(board.clone());
        }
        if !features.is_empty() {
            command.arg("--features").arg(features.join(","));
        }
        match &self.blob_dir {
            Some(dir) => command.env("TINYTRANSFER_BLOB_DIR", dir),
            None => command.env_remove("TINYTRANSFER_BLOB_DIR"),
        };
        command
    }

    fn describe(&self) -> String {
        let board = self.board.as_deref().unwrap_or("qemu-mps2-an386");
        let features = if self.features.is_empty() {
            format!("board {board}")
        } else {
            format!("board {board}, features {}", self.features.join(","))
        };
        match &self.blob_dir {
            Some(dir) => format!("{features}, blobs from {}", dir.display()),
            None => format!("{features}, default blobs"),
        }
    }
}

/// The path of the binary in cargo's JSON messages.
fn executable(messages: &[u8]) -> Option<PathBuf> {
    String::from_utf8_lossy(messages)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter_map(|message| message["executable"].as_str().map(PathBuf::from))
        .next_back()
}
