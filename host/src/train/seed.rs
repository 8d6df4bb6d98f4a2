//! Independent random streams derived from the run's one seed.
//!
//! Each use of randomness (initialisation, re-initialising the head, each epoch's shuffle and
//! dropout) gets its own generator, derived from the seed and the use alone. A run interrupted
//! after any epoch therefore resumes with exactly the generator the uninterrupted run would have
//! used next; nothing about a generator's position has to be saved.

use rand::rngs::StdRng;
use rand::SeedableRng;

/// What a random stream is for.
#[derive(Debug, Clone, Copy)]
pub enum Stream {
    /// The initial weights of the whole network.
    Init,
    /// Fresh head weights at the start of phase 2 (with `--reinit-head`).
    ReinitHead,
    /// The shuffle order and dropout masks of one epoch (phase 1 or 2, epoch from 0).
    Epoch {
        /// 1 or 2.
        phase: u8,
        /// Epoch within the phase, from 0.
        epoch: usize,
    },
    /// The choice of calibration images.
    Calibration,
}

/// The generator for `stream` under `seed`.
pub fn rng(seed: u64, stream: Stream) -> StdRng {
    let (tag, index) = match stream {
        Stream::Init => (1, 0),
        Stream::ReinitHead => (2, 0),
        Stream::Epoch { phase, epoch } => (3 + u64::from(phase), epoch as u64),
        Stream::Calibration => (6, 0),
    };
    StdRng::seed_from_u64(mix(mix(seed ^ mix(tag)) ^ index))
}

/// SplitMix64's finaliser: nearby inputs give unrelated outputs.
fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
