//! Requantisation: TensorFlow Lite's rounding on worked cases, and against a float reference.

use proptest::prelude::*;
use tinytransfer_core::quant::{
    multiply_by_quantized_multiplier, quantize_multiplier, rounding_divide_by_pot,
    rounding_doubling_high_mul, ChannelQuant, OutputStage,
};

#[test]
fn doubling_high_mul_rounds_to_nearest_ties_up() {
    let half = 1 << 30; // 0.5 in Q0.31
    assert_eq!(rounding_doubling_high_mul(half, half), 1 << 29);
    assert_eq!(rounding_doubling_high_mul(3, half), 2); // 1.5
    assert_eq!(rounding_doubling_high_mul(-3, half), -1); // -1.5: gemmlowp's nudge ties upward
    assert_eq!(rounding_doubling_high_mul(1, half), 1); // 0.5
    assert_eq!(rounding_doubling_high_mul(-1, half), 0); // -0.5
    assert_eq!(rounding_doubling_high_mul(-7, 1 << 29), -2); // -1.75
    assert_eq!(rounding_doubling_high_mul(5, 1 << 29), 1); // 1.25
    assert_eq!(rounding_doubling_high_mul(-5, 1 << 29), -1); // -1.25
    assert_eq!(rounding_doubling_high_mul(i32::MIN, i32::MIN), i32::MAX); // the one overflow
    assert_eq!(rounding_doubling_high_mul(i32::MIN, i32::MAX), -i32::MAX);
}

#[test]
fn divide_by_power_of_two_rounds_half_away_from_zero() {
    let cases = [
        (5, 1, 3),
        (-5, 1, -3),
        (7, 2, 2),
        (-7, 2, -2),
        (6, 2, 2),
        (-6, 2, -2),
        (5, 2, 1),
        (-5, 2, -1),
        (123, 0, 123),
        (i32::MAX, 31, 1),
        (i32::MIN, 31, -1),
        (-1, 31, 0),
    ];
    for (x, exponent, expected) in cases {
        assert_eq!(
            rounding_divide_by_pot(x, exponent),
            expected,
            "{x} / 2^{exponent}"
        );
    }
}

#[test]
fn quantize_multiplier_matches_tflite() {
    assert_eq!(quantize_multiplier(0.5), (1 << 30, 0));
    assert_eq!(quantize_multiplier(1.0), (1 << 30, 1));
    assert_eq!(quantize_multiplier(0.75), (1_610_612_736, 0));
    // 0.1 = 0.8 * 2^-3; 0.8 * 2^31 = 1717986918.4.
    assert_eq!(quantize_multiplier(0.1), (1_717_986_918, -3));
    // A fraction that rounds up to 1.0 carries into the exponent.
    assert_eq!(quantize_multiplier(1.0 - 1e-12), (1 << 30, 1));
    assert_eq!(quantize_multiplier(0.0), (0, 0));
    assert_eq!(quantize_multiplier(-1.0), (0, 0));
    assert_eq!(quantize_multiplier(f64::NAN), (0, 0));
    assert_eq!(quantize_multiplier(1e-300), (0, 0)); // below 2^-31 · 2^-31: a zero channel
    assert_eq!(quantize_multiplier(1e300), (i32::MAX, 30));
}

#[test]
fn multiply_by_quantized_multiplier_worked_cases() {
    // 100 · 0.1 = 10.
    assert_eq!(multiply_by_quantized_multiplier(100, 1_717_986_918, -3), 10);
    // -15 · 0.25: -7.5 rounds up to -7 at the high multiply, then -3.5 rounds away to -4.
    assert_eq!(multiply_by_quantized_multiplier(-15, 1 << 30, -1), -4);
    // 5 · 0.25 = 1.25, but TensorFlow Lite rounds twice: 2.5 → 3, then 3 / 2 = 1.5 → 2.
    assert_eq!(multiply_by_quantized_multiplier(5, 1 << 30, -1), 2);
    // A multiplier above 1: 3 · 1.5 = 4.5 → 5.
    let (m, s) = quantize_multiplier(1.5);
    assert_eq!((m, s), (1_610_612_736, 1));
    assert_eq!(multiply_by_quantized_multiplier(3, m, s), 5);
    // A left shift that would overflow saturates (then × 0.5) instead of wrapping negative.
    assert_eq!(
        multiply_by_quantized_multiplier(i32::MAX, 1 << 30, 30),
        1 << 30
    );
}

#[test]
fn output_stage_folds_relu_into_the_clamp() {
    let unit = ChannelQuant {
        bias: 0,
        multiplier: 1 << 30,
        shift: 1,
    }; // × 1.0
    let relu = OutputStage::new(0, -100, true);
    assert_eq!((relu.act_min, relu.act_max), (-100, 127));
    assert_eq!(relu.requantize(-50, &unit), -100); // real -50 → clamped at real 0
    assert_eq!(relu.requantize(20, &unit), -80);
    assert_eq!(relu.requantize(1_000, &unit), 127);

    let linear = OutputStage::new(0, -100, false);
    assert_eq!(linear.requantize(-50, &unit), -128);
    assert_eq!(linear.requantize(-20, &unit), -120);
}

proptest! {
    /// Within one step of the exact product, for every multiplier the exporter can produce.
    #[test]
    fn requantization_is_within_one_step_of_float(
        acc in -200_000_000i32..200_000_000,
        real in 1e-9f64..0.999,
    ) {
        let (multiplier, shift) = quantize_multiplier(real);
        let exact = acc as f64 * real;
        let got = multiply_by_quantized_multiplier(acc, multiplier, shift) as f64;
        prop_assert!((got - exact).abs() <= 1.0, "{acc} x {real}: {got} vs {exact}");
    }

    /// The fixed-point pair stands for the real multiplier to 31 significant bits.
    #[test]
    fn quantized_multiplier_represents_the_real(real in 1e-9f64..1e9) {
        let (multiplier, shift) = quantize_multiplier(real);
        prop_assert!(multiplier >= 1 << 30);
        let back = multiplier as f64 * (2f64).powi(shift - 31);
        prop_assert!(((back - real) / real).abs() <= 2f64.powi(-30));
    }

    /// Requantisation never decreases as the accumulator grows (what pool fusion relies on).
    #[test]
    fn requantization_is_monotonic(a in any::<i32>(), b in any::<i32>(), real in 1e-9f64..4.0) {
        let (multiplier, shift) = quantize_multiplier(real);
        let (low, high) = (a.min(b), a.max(b));
        prop_assert!(
            multiply_by_quantized_multiplier(low, multiplier, shift)
                <= multiply_by_quantized_multiplier(high, multiplier, shift)
        );
    }
}

proptest! {
    /// The DSP kernels' shortcut gives TensorFlow Lite's result wherever its bound holds.
    #[test]
    fn narrow_requantization_is_exact(
        acc in -(1i32 << 30) + 1..(1 << 30),
        real in 1e-9f64..0.5,
        output_zero_point in -128i32..=127,
        relu: bool,
    ) {
        use tinytransfer_core::quant::{requantize_narrow, NarrowQuant};
        let (multiplier, shift) = quantize_multiplier(real);
        let quant = ChannelQuant { bias: 0, multiplier, shift };
        let stage = OutputStage::new(0, output_zero_point, relu);
        let narrow = NarrowQuant::new(&quant).expect("multipliers below 1/2 shift right");
        prop_assert_eq!(requantize_narrow(acc, narrow, &stage), stage.requantize(acc, &quant));
    }
}

#[test]
fn narrow_requantization_worked_ties() {
    use tinytransfer_core::quant::{requantize_narrow, NarrowQuant};
    let stage = OutputStage::new(0, 0, false);
    for (acc, shift) in [
        (5, -1),
        (-5, -1),
        (-15, -1),
        (3, -1),
        (-3, -1),
        (-7, -2),
        (7, -3),
    ] {
        let quant = ChannelQuant {
            bias: 0,
            multiplier: 1 << 30,
            shift,
        };
        let narrow = NarrowQuant::new(&quant).unwrap();
        assert_eq!(
            requantize_narrow(acc, narrow, &stage),
            stage.requantize(acc, &quant),
            "{acc}"
        );
    }
    let half = ChannelQuant {
        bias: 0,
        multiplier: 1 << 30,
        shift: 0,
    };
    assert_eq!(NarrowQuant::new(&half), None);
}
