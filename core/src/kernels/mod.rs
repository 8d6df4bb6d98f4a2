//! Portable int8 kernels: plain loops over channels-last tensors, one op per file.
//!
//! Every kernel computes TensorFlow Lite's int8 arithmetic exactly (see [`crate::quant`]): a
//! 32-bit accumulator `bias + Σ w·(x - input_zero_point)` per output, then
//! [`OutputStage::requantize`](crate::quant::OutputStage::requantize). The caller (normally
//! [`crate::model`], after validating a blob) guarantees the slice lengths and that no
//! accumulator overflows; the kernels themselves cannot fail.

mod argmax;
mod conv;
mod conv_pool;
mod dense;
mod pool;

pub use argmax::argmax;
pub use conv::{conv2d, ConvShape};
pub use conv_pool::conv2d_max_pool_2x2;
pub use dense::dense;
pub use pool::max_pool_2x2;
