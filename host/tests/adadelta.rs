//! Adadelta against steps computed by hand (in f64) from Keras 2's update rule.

use burn::module::{Module, Param};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};
use tinytransfer_host::adadelta::Adadelta;

/// One parameter vector; the tests choose the loss, hence the gradient.
#[derive(Module, Debug)]
struct Weights {
    values: Param<Tensor<1>>,
}

/// Keras 2's Adadelta on one scalar, in f64: returns the parameter after each step.
fn by_hand(mut w: f64, gradient: impl Fn(f64) -> f64, steps: usize, lr: f64) -> Vec<f64> {
    let (rho, epsilon) = (0.95f64, 1e-7f64);
    let (mut accum_grad, mut accum_delta) = (0.0f64, 0.0f64);
    let mut trajectory = Vec::new();
    for _ in 0..steps {
        let g = gradient(w);
        accum_grad = rho * accum_grad + (1.0 - rho) * g * g;
        let update = g * (accum_delta + epsilon).sqrt() / (accum_grad + epsilon).sqrt();
        accum_delta = rho * accum_delta + (1.0 - rho) * update * update;
        w -= lr * update;
        trajectory.push(w);
    }
    trajectory
}

/// Runs burn with the Adadelta optimizer; `loss` maps the parameter to a scalar loss.
fn by_optimizer(
    start: &[f32],
    loss: impl Fn(Tensor<1>) -> Tensor<1>,
    steps: usize,
    lr: f64,
) -> Vec<Vec<f32>> {
    let device = Device::flex().autodiff();
    let mut weights = Weights {
        values: Param::from_data(TensorData::new(start.to_vec(), [start.len()]), &device),
    };
    let mut optimizer = Adadelta::default().into_module_optimizer();
    let mut trajectory = Vec::new();
    for _ in 0..steps {
        let gradients =
            GradientsParams::from_grads(loss(weights.values.val()).backward(), &weights);
        weights = optimizer.step(lr, weights, gradients);
        trajectory.push(
            weights
                .values
                .val()
                .into_data()
                .try_into_vec::<f32>()
                .unwrap(),
        );
    }
    trajectory
}

fn assert_close(actual: f32, expected: f64, what: &str) {
    let tolerance = 1e-6 * expected.abs().max(1.0);
    assert!(
        (f64::from(actual) - expected).abs() <= tolerance,
        "{what}: got {actual}, expected {expected}"
    );
}

#[test]
fn first_step_matches_the_closed_form() {
    // With zero accumulators the first update is g·sqrt(eps)/sqrt((1-rho)g² + eps): for g = 1,
    // sqrt(1e-7 / 0.0500001) = 1.41420...e-3.
    let steps = by_optimizer(&[1.0], |w| w.sum(), 1, 1.0);
    assert_close(
        steps[0][0],
        1.0 - (1e-7f64 / 0.050_000_1).sqrt(),
        "after one step",
    );
}

#[test]
fn constant_gradients_follow_the_hand_computed_steps() {
    // loss = Σ c·w, so each parameter's gradient is its c, whatever w is.
    let c = [0.3f32, -1.0, 2.0, 0.0];
    let start = [1.0f32, -2.0, 0.5, 4.0];
    let c_tensor = c.to_vec();
    let burn = by_optimizer(
        &start,
        move |w| {
            let device = w.device();
            (w * Tensor::<1>::from_data(TensorData::new(c_tensor.clone(), [4]), &device)).sum()
        },
        5,
        1.0,
    );
    for (index, (&ci, &w0)) in c.iter().zip(&start).enumerate() {
        let expected = by_hand(f64::from(w0), |_| f64::from(ci), 5, 1.0);
        for (step, expected) in expected.iter().enumerate() {
            assert_close(
                burn[step][index],
                *expected,
                &format!("w[{index}] after step {step}"),
            );
        }
    }
}

#[test]
fn gradients_that_depend_on_the_parameter_follow_the_hand_computed_steps() {
    // loss = Σ w³ / 3, so the gradient is w², which changes every step; learning rate 0.5 to
    // check that it scales the step but not the stored update.
    let start = [1.5f32, -0.7];
    let burn = by_optimizer(&start, |w| w.powi_scalar(3).sum().div_scalar(3.0), 6, 0.5);
    for (index, &w0) in start.iter().enumerate() {
        let expected = by_hand(f64::from(w0), |w| w * w, 6, 0.5);
        for (step, expected) in expected.iter().enumerate() {
            assert_close(
                burn[step][index],
                *expected,
                &format!("w[{index}] after step {step}"),
            );
        }
    }
}

#[test]
fn state_survives_a_save_and_load() {
    // Two steps, save the optimizer, two more with the loaded one: same as four in a row.
    let device = Device::flex().autodiff();
    let fresh = || Weights {
        values: Param::from_data(TensorData::new(vec![2.0f32], [1]), &device),
    };
    let step = |weights: Weights, optimizer: &mut burn::optim::ModuleOptimizer| {
        let loss = weights.values.val().powi_scalar(2).sum();
        let gradients = GradientsParams::from_grads(loss.backward(), &weights);
        optimizer.step(1.0, weights, gradients)
    };

    let mut straight = fresh();
    let mut optimizer = Adadelta::default().into_module_optimizer();
    for _ in 0..4 {
        straight = step(straight, &mut optimizer);
    }

    let mut resumed = fresh();
    let mut optimizer = Adadelta::default().into_module_optimizer();
    for _ in 0..2 {
        resumed = step(resumed, &mut optimizer);
    }
    let bytes = optimizer.to_record().into_bytes().unwrap();
    let record = burn::optim::OptimizerRecord::from_bytes(bytes).unwrap();
    let mut optimizer = Adadelta::default()
        .into_module_optimizer()
        .load_record(record);
    for _ in 0..2 {
        resumed = step(resumed, &mut optimizer);
    }

    let value = |w: &Weights| w.values.val().into_data().try_into_vec::<f32>().unwrap();
    assert_eq!(value(&straight), value(&resumed));
}
