//! The host side of tinytransfer: training, quantisation, export and evaluation.
//!
//! `tinytransfer train` reproduces Keras's classic MNIST transfer-learning experiment with burn:
//! a small CNN learns digits 0–4 ([`train`], phase 1), its convolutions are frozen and its dense
//! head learns digits 5–9 (phase 2). The two networks are then quantised to int8 ([`quantise`])
//! and exported ([`export`]) as blobs that `tinytransfer-core` runs on the host ([`int8`]) and on a
//! Cortex-M with identical results. A JSON [`report`] and SVG pictures ([`plot`]) record the run.
//!
//! The modules follow the data: [`data`] (IDX files, MNIST, fetching), then [`model`] and
//! [`adadelta`], [`train`], [`quantise`], [`export`], then [`int8`] and [`report`]; [`pipeline`]
//! strings them together for the `train` command and [`cli`] parses the command line.

pub mod adadelta;
pub mod backend;
pub mod cli;
pub mod data;
pub mod evaluate;
pub mod export;
pub mod float_weights;
pub mod fsutil;
pub mod inspect;
pub mod int8;
pub mod model;
pub mod pipeline;
pub mod plot;
pub mod quantise;
pub mod report;
pub mod train;
