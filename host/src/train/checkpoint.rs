//! Checkpoints: the model and optimizer after every epoch, so `--resume` can carry on after an
//! interruption.
//!
//! A checkpoint directory holds `state.json` (where the run stands, its history and the options
//! it was started with) and the burnpack files it names. Each epoch's files get new names and
//! `state.json` is replaced atomically after they are written, so a crash at any moment leaves
//! the previous complete checkpoint in force; files it no longer names are then removed.

use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::optim::{ModuleOptimizer, OptimizerRecord};
use burn::store::ModuleRecord;
use burn::tensor::Bytes;
use serde::{Deserialize, Serialize};

use super::epoch::Score;
use crate::fsutil::{write_atomically, WriteError};
use crate::model::Net;

/// The layout version of `state.json`.
const STATE_FORMAT: u32 = 1;
/// The file that says where the run stands.
const STATE_FILE: &str = "state.json";
/// The network as phase 1 left it, kept for the 0–4 head.
pub const PHASE1_FILE: &str = "phase1-final.model.bpk";

/// Why a checkpoint could not be saved or loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// A file could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A file could not be read.
    #[error("reading {path}: {source}", path = path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system reported.
        source: std::io::Error,
    },
    /// `state.json` is not valid.
    #[error("{path}: not a tinytransfer checkpoint state: {source}", path = path.display())]
    State {
        /// The file.
        path: PathBuf,
        /// What the JSON parser reported.
        source: serde_json::Error,
    },
    /// A burnpack file does not hold what the checkpoint expects.
    #[error("{path}: {message}", path = path.display())]
    Record {
        /// The file.
        path: PathBuf,
        /// What burn reported.
        message: String,
    },
}

/// The options that decide a run's result; resuming with different ones is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// The seed.
    pub seed: u64,
    /// Epochs per phase.
    pub epochs: usize,
    /// Examples per batch.
    pub batch_size: usize,
    /// Training examples per task, if limited.
    pub train_limit: Option<usize>,
    /// Test examples per task, if limited.
    pub test_limit: Option<usize>,
    /// Whether phase 2 starts from a fresh head.
    pub reinit_head: bool,
}

/// One finished epoch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 1 or 2.
    pub phase: u8,
    /// Epoch within the phase, from 1.
    pub epoch: usize,
    /// Score on the training examples during the epoch (dropout active).
    pub train: Score,
    /// Score on the test examples after the epoch.
    pub test: Score,
    /// Wall time of the epoch's training and evaluation.
    pub seconds: f64,
}

/// Where a run stands after its last finished epoch.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    /// [`STATE_FORMAT`].
    pub format: u32,
    /// The options of the run.
    pub fingerprint: Fingerprint,
    /// The phase of the last finished epoch.
    pub phase: u8,
    /// Epochs finished in that phase.
    pub epochs_done: usize,
    /// Every finished epoch of both phases.
    pub history: Vec<EpochRecord>,
    /// Wall time spent so far in each phase, over all the processes that worked on the run.
    pub phase_seconds: [f64; 2],
    /// The network after the last finished epoch.
    pub model_file: String,
    /// The optimizer after the last finished epoch.
    pub optimizer_file: String,
}

/// A checkpoint directory.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    dir: PathBuf,
}

impl Checkpoint {
    /// The checkpoint directory `dir` (created when first saved to).
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The saved state, or `None` if there is no checkpoint.
    ///
    /// # Errors
    /// If `state.json` exists but cannot be read or parsed.
    pub fn load_state(&self) -> Result<Option<State>, CheckpointError> {
        let path = self.dir.join(STATE_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(CheckpointError::Read { path, source }),
        };
        let state: State =
            serde_json::from_str(&text).map_err(|source| CheckpointError::State {
                path: path.clone(),
                source,
            })?;
        if state.format != STATE_FORMAT {
            return Err(CheckpointError::Record {
                path,
                message: format!("state format {} is not {STATE_FORMAT}", state.format),
            });
        }
        Ok(Some(state))
    }

    /// Saves the network and optimizer after epoch `state.epochs_done` of `state.phase`, then
    /// `state` itself, then removes the files of earlier epochs.
    ///
    /// The file names in `state` are filled in here.
    ///
    /// # Errors
    /// If the directory cannot be written.
    pub fn save(
        &self,
        state: &mut State,
        net: &Net,
        optimizer: &ModuleOptimizer,
    ) -> Result<(), CheckpointError> {
        std::fs::create_dir_all(&self.dir).map_err(|source| WriteError {
            path: self.dir.clone(),
            source,
        })?;
        let stem = format!("phase{}-epoch{}", state.phase, state.epochs_done);
        state.format = STATE_FORMAT;
        state.model_file = format!("{stem}.model.bpk");
        state.optimizer_file = format!("{stem}.optim.bpk");

        self.save_net(&state.model_file, net)?;
        let optimizer_bytes =
            optimizer
                .to_record()
                .into_bytes()
                .map_err(|error| CheckpointError::Record {
                    path: self.dir.join(&state.optimizer_file),
                    message: error.to_string(),
                })?;
        write_atomically(&self.dir.join(&state.optimizer_file), &optimizer_bytes)?;
        let json = serde_json::to_vec_pretty(state).expect("the state serialises");
        write_atomically(&self.dir.join(STATE_FILE), &json)?;

        self.remove_stale(&[&state.model_file, &state.optimizer_file]);
        Ok(())
    }

    /// Saves a network under `name` in the checkpoint directory.
    ///
    /// # Errors
    /// If the directory cannot be written.
    pub fn save_net(&self, name: &str, net: &Net) -> Result<(), CheckpointError> {
        std::fs::create_dir_all(&self.dir).map_err(|source| WriteError {
            path: self.dir.clone(),
            source,
        })?;
        save_module(&self.dir.join(name), net.clone())
    }

    /// Loads the network saved under `name` into `template` (whose structure it must match).
    ///
    /// # Errors
    /// If the file is missing or holds another network.
    pub fn load_net(&self, name: &str, template: Net) -> Result<Net, CheckpointError> {
        load_module(&self.dir.join(name), template)
    }

    /// Loads the optimizer saved under `name`.
    ///
    /// # Errors
    /// If the file is missing or is not an optimizer record.
    pub fn load_optimizer(
        &self,
        name: &str,
        fresh: ModuleOptimizer,
    ) -> Result<ModuleOptimizer, CheckpointError> {
        let path = self.dir.join(name);
        let bytes = read(&path)?;
        let record =
            OptimizerRecord::from_bytes(Bytes::from_bytes_vec(bytes)).map_err(|error| {
                CheckpointError::Record {
                    path,
                    message: error.to_string(),
                }
            })?;
        Ok(fresh.load_record(record))
    }

    /// Removes the per-epoch files other than `keep` (best effort: a leftover file is harmless).
    fn remove_stale(&self, keep: &[&str]) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let per_epoch = name.starts_with("phase") && name.contains("-epoch");
            if per_epoch && !keep.contains(&name.as_str()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Saves any module as a burnpack file, atomically.
///
/// # Errors
/// If the file cannot be written.
pub fn save_module<M: Module>(path: &Path, module: M) -> Result<(), CheckpointError> {
    let bytes = module
        .into_record()
        .into_bytes()
        .map_err(|error| CheckpointError::Record {
            path: path.to_owned(),
            message: error.to_string(),
        })?;
    write_atomically(path, &bytes)?;
    Ok(())
}

/// Loads a burnpack file saved by [`save_module`] into `template`.
///
/// # Errors
/// If the file is missing or does not match the module's structure.
pub fn load_module<M: Module>(path: &Path, template: M) -> Result<M, CheckpointError> {
    let bytes = read(path)?;
    let record_error = |error: burn::store::RecordError| CheckpointError::Record {
        path: path.to_owned(),
        message: error.to_string(),
    };
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes)).map_err(record_error)?;
    template.try_load_record(record).map_err(record_error)
}

fn read(path: &Path) -> Result<Vec<u8>, CheckpointError> {
    std::fs::read(path).map_err(|source| CheckpointError::Read {
        path: path.to_owned(),
        source,
    })
}
