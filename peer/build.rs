//! Build script: puts `memory.x` where cortex-m-rt's `link.x` looks for it, and tells the crate
//! where the weight file to embed is.

use std::env;
use std::fs;
use std::path::PathBuf;

/// The weight file unless `TINYTRANSFER_PEER_WEIGHTS` names another (relative to this crate).
const DEFAULT_WEIGHTS: &str = "../pretrained/float-weights.bin";

fn main() {
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));

    fs::copy(manifest_dir.join("memory.x"), out_dir.join("memory.x"))
        .expect("cannot copy memory.x into OUT_DIR");
    println!("cargo:rustc-link-search={}", out_dir.display());
    println!("cargo:rerun-if-changed=memory.x");

    println!("cargo:rerun-if-env-changed=TINYTRANSFER_PEER_WEIGHTS");
    let weights = match env::var_os("TINYTRANSFER_PEER_WEIGHTS") {
        Some(path) => manifest_dir.join(path),
        None => manifest_dir.join(DEFAULT_WEIGHTS),
    };
    let Ok(weights) = weights.canonicalize() else {
        panic!(
            "\n\nno float weight file at {}\nExport the trained network's f32 weights there \
             (format in peer/README.md), set TINYTRANSFER_PEER_WEIGHTS to another file, or write \
             random weights with `python3 tools/random-weights.py FILE`.\n\n",
            weights.display()
        );
    };
    println!("cargo:rerun-if-changed={}", weights.display());
    println!(
        "cargo:rustc-env=TINYTRANSFER_PEER_WEIGHTS_PATH={}",
        weights.display()
    );
}
