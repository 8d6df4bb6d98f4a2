//! Writes a blob directory with a random but well-scaled model (see
//! `tinytransfer_tests::blobs::Blobs::random`), for building the firmware without a trained
//! model: `tinytransfer-random-blobs DIR [SEED]`, then `TINYTRANSFER_BLOB_DIR=DIR cargo build`
//! in `firmware/`.

use std::env;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use tinytransfer_tests::blobs::Blobs;

fn main() -> Result<()> {
    let args: Vec<String> = env::args().skip(1).collect();
    let (dir, seed) = match args.as_slice() {
        [dir] => (PathBuf::from(dir), 0),
        [dir, seed] => (
            PathBuf::from(dir),
            seed.parse().context("SEED must be an integer")?,
        ),
        _ => bail!("usage: tinytransfer-random-blobs DIR [SEED]"),
    };

    let blobs = Blobs::random(seed);
    blobs.write(&dir)?;
    println!(
        "wrote a random model (seed {seed}) to {}: features {} B, head {} B",
        dir.display(),
        blobs.features.len(),
        blobs.head.len()
    );
    Ok(())
}
