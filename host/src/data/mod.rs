//! The MNIST data: the IDX file format, the splits and tasks, and fetching the files.

pub mod fetch;
pub mod idx;
pub mod mnist;

pub use mnist::{Mnist, Split, Task, TaskData, IMAGE_PIXELS, IMAGE_SIDE, TASK_CLASSES};
