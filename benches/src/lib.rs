//! Benchmarks of tinytransfer: what training costs on the host, how fast the int8 network runs
//! on the host, and what it costs on a Cortex-M4 (QEMU), beside a burn f32 peer.
//!
//! `cargo bench -p tinytransfer-benches` runs them all: first `host_inference` (criterion),
//! then `summary`, which measures the rest and prints one table, written as JSON too.

pub mod device;
pub mod host;
pub mod paths;
pub mod peer;
pub mod training;
