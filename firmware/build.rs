//! Build script: puts the chosen board's memory map where cortex-m-rt's `link.x` looks for
//! `memory.x`, and tells the firmware where the model blobs to embed are.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

/// The directory the blobs come from unless `TINYTRANSFER_BLOB_DIR` names another.
const DEFAULT_BLOB_DIR: &str = "../pretrained";
/// File names of the two blobs inside the blob directory, as `tinytransfer train` writes them.
const FEATURES_FILE: &str = "features.ttb";
const HEAD_FILE: &str = "head-digits-5-9.ttb";

fn main() {
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));

    write_memory_map(&manifest_dir, &out_dir);
    locate_blobs(&manifest_dir);
}

/// Concatenates `boards/<board>.x` and `boards/stack.x` into `$OUT_DIR/memory.x`.
fn write_memory_map(manifest_dir: &Path, out_dir: &Path) {
    let boards: Vec<&str> = [("qemu-mps2-an386", "mps2-an386"), ("nrf52840", "nrf52840")]
        .into_iter()
        .filter(|(feature, _)| env::var_os(feature_env(feature)).is_some())
        .map(|(_, file)| file)
        .collect();
    let board = match boards.as_slice() {
        [board] => *board,
        // main.rs reports the misconfiguration with a compile_error!; keep the build script quiet.
        _ => return,
    };

    let boards_dir = manifest_dir.join("boards");
    let mut memory = read(&boards_dir.join(format!("{board}.x")));
    memory.push_str(&read(&boards_dir.join("stack.x")));
    fs::write(out_dir.join("memory.x"), memory).expect("cannot write memory.x into OUT_DIR");

    println!("cargo:rustc-link-search={}", out_dir.display());
    println!("cargo:rerun-if-changed=boards");
}

/// Checks that both blobs exist and hands their absolute paths to the crate as
/// `TINYTRANSFER_FEATURES_PATH` and `TINYTRANSFER_HEAD_PATH` (for `include_bytes!`).
fn locate_blobs(manifest_dir: &Path) {
    println!("cargo:rerun-if-env-changed=TINYTRANSFER_BLOB_DIR");
    let blob_dir = match env::var_os("TINYTRANSFER_BLOB_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => manifest_dir.join(DEFAULT_BLOB_DIR),
    };

    for (file, variable) in [
        (FEATURES_FILE, "TINYTRANSFER_FEATURES_PATH"),
        (HEAD_FILE, "TINYTRANSFER_HEAD_PATH"),
    ] {
        let path = blob_dir.join(file);
        let Ok(path) = path.canonicalize() else {
            panic!(
                "\n\nno model blob at {}\nSet TINYTRANSFER_BLOB_DIR to a directory holding \
                 {FEATURES_FILE} and {HEAD_FILE}, such as the output of `tinytransfer train --out \
                 DIR` (a relative path is taken from firmware/).\n\n",
                path.display()
            );
        };
        println!("cargo:rerun-if-changed={}", path.display());
        println!("cargo:rustc-env={variable}={}", path.display());
    }
}

/// The environment variable through which cargo tells a build script that `feature` is on.
fn feature_env(feature: &str) -> String {
    format!("CARGO_FEATURE_{}", feature.to_uppercase().replace('-', "_"))
}

fn read(path: &Path) -> String {
    fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}
