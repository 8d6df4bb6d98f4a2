//! The device's answers: the firmware in harness mode under QEMU, split over parallel runs.

use std::fs;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};

use crate::firmware::Firmware;
use crate::mnist::Digit;
use crate::paths::ScratchDir;
use crate::qemu::{expect_success, read_output, Qemu, Run};
use crate::records::{decode_results, encode_images, Answer, IMAGES_FILE, RESULTS_FILE};

/// What a batch of images gave on the device.
#[derive(Debug)]
pub struct DeviceRun {
    /// One answer per image, in order.
    pub answers: Vec<Answer>,
    /// Each QEMU run, in shard order (their logs hold the firmware's summaries).
    pub runs: Vec<Run>,
    /// Wall-clock time of the whole batch.
    pub elapsed: Duration,
}

/// Classifies `digits` with `firmware` (built with the `harness` feature), in `shards`
/// QEMU processes at once, each stopped after `timeout`.
///
/// # Errors
/// QEMU cannot start, a run fails or times out (its log is in the message), or a results
/// file is missing or does not hold one answer per image.
pub fn classify(
    firmware: &Firmware,
    digits: &[Digit],
    shards: usize,
    timeout: Duration,
) -> Result<DeviceRun> {
    let started = Instant::now();
    let shard_len = digits.len().div_ceil(shards.max(1)).max(1);

    let outcomes: Vec<Result<(Vec<Answer>, Run)>> = thread::scope(|scope| {
        let handles: Vec<_> = digits
            .chunks(shard_len)
            .enumerate()
            .map(|(n, shard)| scope.spawn(move || classify_shard(firmware, shard, n, timeout)))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a shard does not panic"))
            .collect()
    });

    let mut answers = Vec::with_capacity(digits.len());
    let mut runs = Vec::new();
    for outcome in outcomes {
        let (shard_answers, run) = outcome?;
        answers.extend(shard_answers);
        runs.push(run);
    }
    Ok(DeviceRun {
        answers,
        runs,
        elapsed: started.elapsed(),
    })
}

fn classify_shard(
    firmware: &Firmware,
    digits: &[Digit],
    shard: usize,
    timeout: Duration,
) -> Result<(Vec<Answer>, Run)> {
    let dir = ScratchDir::new(&format!("shard{shard}"))?;
    fs::write(dir.path().join(IMAGES_FILE), encode_images(digits))
        .context("cannot write the images file")?;

    let run = Qemu::new(firmware.elf())
        .workdir(dir.path())
        .timeout(timeout)
        .run()?;
    expect_success(&run, &format!("harness shard {shard}"))?;

    let answers = decode_results(&read_output(dir.path(), RESULTS_FILE)?)?;
    ensure!(
        answers.len() == digits.len(),
        "shard {shard}: {} images in, {} answers out",
        digits.len(),
        answers.len()
    );
    Ok((answers, run))
}
