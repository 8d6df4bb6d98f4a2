//! Writes `float-weights.bin` (see `tinytransfer_host::float_weights`) from the 5–9 float model
//! that `tinytransfer train` saved in a run directory, for runs made before `train` wrote it.
//!
//! Usage: `cargo run --release -p tinytransfer-host --example float_weights -- RUN_DIR [OUT]`

use std::path::PathBuf;

use anyhow::{Context, Result};
use tinytransfer_host::backend::Backend;
use tinytransfer_host::data::mnist::Task;
use tinytransfer_host::float_weights::{self, FLOAT_WEIGHTS_FILE};
use tinytransfer_host::fsutil::write_atomically;
use tinytransfer_host::pipeline::{float_model_file, net_template};
use tinytransfer_host::train::checkpoint::load_module;

fn main() -> Result<()> {
    let mut args = std::env::args_os().skip(1);
    let run_dir = PathBuf::from(args.next().context("usage: float_weights RUN_DIR [OUT]")?);
    let out = args
        .next()
        .map_or_else(|| run_dir.join(FLOAT_WEIGHTS_FILE), PathBuf::from);

    let device = Backend::default().device();
    let model = run_dir.join(float_model_file(Task::High));
    let net = load_module(&model, net_template(&device))
        .with_context(|| format!("loading {}", model.display()))?;
    write_atomically(&out, &float_weights::encode(&net))?;
    println!("wrote {}", out.display());
    Ok(())
}
