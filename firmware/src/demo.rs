//! Demo mode: classify the test digits kept in flash ([`crate::digits`]) and log each with its
//! label, then the accuracy.

use heapless::String;
use micromath::F32Ext as _;
use tinytransfer_core::shapes::{IMAGE_PIXELS, IMAGE_WIDTH};
use tinytransfer_core::{Prediction, QuantParams};

use crate::digits;
use crate::engine::{Engine, Scratch};
use crate::stopwatch::Stopwatch;

/// Classifies every embedded digit, then logs the accuracy.
pub fn run(engine: &Engine<'_>, scratch: &mut Scratch, stopwatch: &Stopwatch) {
    let logit_quant = engine.head().output_quant();
    let mut correct = 0usize;

    for (n, (label, pixels)) in digits::all().enumerate() {
        log_picture(pixels);

        let (prediction, ticks) = engine.classify_timed(pixels, scratch, stopwatch);
        defmt::debug!("SysTick ticks: {}", ticks);
        let confidence = confidence(&prediction, logit_quant);
        let verdict = if prediction.label == label {
            "right"
        } else {
            "WRONG"
        };
        correct += usize::from(prediction.label == label);

        defmt::info!(
            "digit {=usize}: label {=u8}, predicted {=u8} ({} sure), {=str}",
            n,
            label,
            prediction.label,
            Percent(confidence),
            verdict
        );
    }

    defmt::info!(
        "demo: {=usize} of {=usize} digits right, accuracy {}",
        correct,
        digits::COUNT,
        Percent(correct as f32 / digits::COUNT as f32)
    );
}

/// Softmax probability of the predicted class, from the dequantised logits.
fn confidence(prediction: &Prediction, quant: QuantParams) -> f32 {
    let real = |q: i8| quant.scale * (i32::from(q) - quant.zero_point) as f32;
    let top = real(prediction.logits[prediction.index]);
    let total: f32 = prediction
        .logits
        .iter()
        .map(|&q| (real(q) - top).exp())
        .sum();
    1.0 / total
}

/// A fraction shown as a percentage with one decimal.
struct Percent(f32);

impl defmt::Format for Percent {
    fn format(&self, f: defmt::Formatter<'_>) {
        let tenths = (self.0 * 1000.0).round() as u32;
        defmt::write!(f, "{=u32}.{=u32} %", tenths / 10, tenths % 10);
    }
}

/// Draws the digit in the debug log, one text row per pixel row.
fn log_picture(pixels: &[u8; IMAGE_PIXELS]) {
    for row in pixels.chunks_exact(IMAGE_WIDTH) {
        let mut line: String<IMAGE_WIDTH> = String::new();
        for &pixel in row {
            let shade = match pixel {
                0..=63 => ' ',
                64..=127 => '.',
                128..=191 => '+',
                _ => '#',
            };
            // The capacity is one character per pixel of the row: this cannot fail.
            let _ = line.push(shade);
        }
        defmt::debug!("|{=str}|", line.as_str());
    }
}
