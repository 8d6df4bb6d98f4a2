//! Pictures of a run, as standalone SVG: the training curves and the 5–9 confusion matrices.
//!
//! Hand-written SVG keeps the dependency list short and the files small, diffable and viewable
//! in any browser.

use std::fmt::Write;

use crate::data::TASK_CLASSES;
use crate::train::checkpoint::EpochRecord;

/// The training curves' file name in the output directory.
pub const CURVES_FILE: &str = "curves.svg";
/// The confusion matrices' file name in the output directory.
pub const CONFUSION_FILE: &str = "confusion-5-9.svg";

const PANEL_WIDTH: f64 = 420.0;
const PANEL_HEIGHT: f64 = 300.0;
const MARGIN: f64 = 50.0;
const TRAIN_COLOUR: &str = "#1f77b4";
const TEST_COLOUR: &str = "#d62728";

/// Two panels, accuracy and loss per epoch, training and test, across both phases.
pub fn curves_svg(history: &[EpochRecord]) -> String {
    let width = 2.0 * (PANEL_WIDTH + MARGIN) + MARGIN;
    let height = PANEL_HEIGHT + 2.0 * MARGIN;
    let mut svg = svg_open(width, height);

    let accuracy = |pick: fn(&EpochRecord) -> f64| -> Vec<f64> {
        history.iter().map(|record| 100.0 * pick(record)).collect()
    };
    let loss = |pick: fn(&EpochRecord) -> f64| -> Vec<f64> { history.iter().map(pick).collect() };

    let train_accuracy = accuracy(|r| r.train.accuracy);
    let test_accuracy = accuracy(|r| r.test.accuracy);
    let lowest = train_accuracy
        .iter()
        .chain(&test_accuracy)
        .fold(100.0f64, |a, &b| a.min(b));
    let floor = (lowest / 5.0).floor() * 5.0;
    panel(
        &mut svg,
        history,
        MARGIN,
        "accuracy (%)",
        (floor.min(95.0), 100.0),
        &[
            ("train", TRAIN_COLOUR, &train_accuracy),
            ("test", TEST_COLOUR, &test_accuracy),
        ],
    );

    let train_loss = loss(|r| r.train.loss);
    let test_loss = loss(|r| r.test.loss);
    let highest = train_loss
        .iter()
        .chain(&test_loss)
        .fold(0.0f64, |a, &b| a.max(b));
    panel(
        &mut svg,
        history,
        2.0 * MARGIN + PANEL_WIDTH,
        "cross-entropy loss",
        (0.0, highest.max(1e-3) * 1.1),
        &[
            ("train", TRAIN_COLOUR, &train_loss),
            ("test", TEST_COLOUR, &test_loss),
        ],
    );

    svg.push_str("</svg>\n");
    svg
}

/// One panel of [`curves_svg`] at horizontal offset `left`.
fn panel(
    svg: &mut String,
    history: &[EpochRecord],
    left: f64,
    title: &str,
    (y_min, y_max): (f64, f64),
    series: &[(&str, &str, &[f64])],
) {
    let top = MARGIN;
    let count = history.len().max(2);
    let x = |index: usize| left + PANEL_WIDTH * index as f64 / (count - 1) as f64;
    let y = |value: f64| top + PANEL_HEIGHT * (1.0 - (value - y_min) / (y_max - y_min));

    let _ = writeln!(
        svg,
        concat!(
            r##"<rect x="{left}" y="{top}" width="{PANEL_WIDTH}" height="{PANEL_HEIGHT}""##,
            r##" fill="none" stroke="#999"/>"##,
        ),
        left = left,
        top = top,
        PANEL_WIDTH = PANEL_WIDTH,
        PANEL_HEIGHT = PANEL_HEIGHT,
    );
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle" font-size="14">{title}</text>"#,
        left + PANEL_WIDTH / 2.0,
        top - 20.0
    );
    for step in 0..=4 {
        let value = y_min + (y_max - y_min) * f64::from(step) / 4.0;
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end" font-size="10">{value:.2}</text>"#,
            left - 4.0,
            y(value) + 3.0
        );
    }

    // Epoch labels, and a dashed line where phase 2 begins.
    for (index, record) in history.iter().enumerate() {
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="middle" font-size="10">{}.{}</text>"#,
            x(index),
            top + PANEL_HEIGHT + 14.0,
            record.phase,
            record.epoch
        );
        if index > 0 && record.phase != history[index - 1].phase {
            let boundary = (x(index - 1) + x(index)) / 2.0;
            let _ = writeln!(
                svg,
                concat!(
                    r##"<line x1="{boundary}" y1="{top}" x2="{boundary}" y2="{}""##,
                    r##" stroke="#666" stroke-dasharray="4 3"/>"##,
                ),
                top + PANEL_HEIGHT,
                boundary = boundary,
                top = top,
            );
        }
    }
    let _ = writeln!(
        svg,
        concat!(
            r#"<text x="{}" y="{}" text-anchor="middle" font-size="11">phase.epoch (phase 1:"#,
            r#" digits 0–4, phase 2: digits 5–9, convolutions frozen)</text>"#,
        ),
        left + PANEL_WIDTH / 2.0,
        top + PANEL_HEIGHT + 32.0
    );

    for (rank, (name, colour, values)) in series.iter().enumerate() {
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, &v)| format!("{:.1},{:.1}", x(i), y(v)))
            .collect();
        let _ = writeln!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
            points.join(" ")
        );
        for point in &points {
            let (px, py) = point.split_once(',').unwrap_or(("0", "0"));
            let _ = writeln!(
                svg,
                r#"<circle cx="{px}" cy="{py}" r="3" fill="{colour}"/>"#
            );
        }
        let legend_y = top + 14.0 + 16.0 * rank as f64;
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{legend_y}" font-size="12" fill="{colour}">{name}</text>"#,
            left + PANEL_WIDTH - 50.0
        );
    }
}

/// Confusion matrices side by side, rows the true digit, columns the predicted one; each cell
/// is shaded by its share of the row.
pub fn confusion_svg(
    title: &str,
    labels: [u8; TASK_CLASSES],
    matrices: &[(&str, [[u32; TASK_CLASSES]; TASK_CLASSES])],
) -> String {
    let cell = 56.0;
    let side = cell * TASK_CLASSES as f64;
    let width = MARGIN + matrices.len() as f64 * (side + 2.0 * MARGIN);
    let height = side + 3.0 * MARGIN;
    let mut svg = svg_open(width, height);
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="20" text-anchor="middle" font-size="15">{title}</text>"#,
        width / 2.0
    );

    for (panel, (name, matrix)) in matrices.iter().enumerate() {
        let left = 1.5 * MARGIN + panel as f64 * (side + 2.0 * MARGIN);
        let top = 1.5 * MARGIN;
        let correct: u32 = (0..TASK_CLASSES).map(|i| matrix[i][i]).sum();
        let total: u32 = matrix.iter().flatten().sum();
        let _ = writeln!(
            svg,
            concat!(
                r#"<text x="{}" y="{}" text-anchor="middle" font-size="13">{name}:"#,
                r#" {correct}/{total} correct</text>"#,
            ),
            left + side / 2.0,
            top - 22.0,
            name = name,
            correct = correct,
            total = total,
        );

        for (row, counts) in matrix.iter().enumerate() {
            let row_total = counts.iter().sum::<u32>().max(1);
            for (column, &count) in counts.iter().enumerate() {
                let share = f64::from(count) / f64::from(row_total);
                // Diagonal cells in blue, errors in red, both deeper as the share grows.
                let (hue, strength) = if row == column {
                    (210, share)
                } else {
                    (0, share.sqrt())
                };
                let lightness = 97.0 - 52.0 * strength;
                let (cx, cy) = (left + column as f64 * cell, top + row as f64 * cell);
                let _ = writeln!(
                    svg,
                    concat!(
                        r##"<rect x="{cx}" y="{cy}" width="{cell}" height="{cell}""##,
                        r##" fill="hsl({hue},70%,{lightness:.0}%)" stroke="#fff"/>"##,
                    ),
                    cx = cx,
                    cy = cy,
                    cell = cell,
                    hue = hue,
                    lightness = lightness,
                );
                let ink = if lightness < 60.0 { "#fff" } else { "#000" };
                let _ = writeln!(
                    svg,
                    concat!(
                        r#"<text x="{}" y="{}" text-anchor="middle" font-size="13""#,
                        r#" fill="{ink}">{count}</text>"#,
                    ),
                    cx + cell / 2.0,
                    cy + cell / 2.0 + 5.0,
                    ink = ink,
                    count = count,
                );
            }
        }

        for (index, label) in labels.iter().enumerate() {
            let centre = index as f64 * cell + cell / 2.0;
            let _ = writeln!(
                svg,
                r#"<text x="{}" y="{}" text-anchor="middle" font-size="12">{label}</text>"#,
                left + centre,
                top - 6.0
            );
            let _ = writeln!(
                svg,
                r#"<text x="{}" y="{}" text-anchor="end" font-size="12">{label}</text>"#,
                left - 6.0,
                top + centre + 4.0
            );
        }
        let _ = writeln!(
            svg,
            concat!(
                r#"<text x="{}" y="{}" text-anchor="middle" font-size="11">predicted (rows:"#,
                r#" true digit)</text>"#,
            ),
            left + side / 2.0,
            top + side + 18.0
        );
    }

    svg.push_str("</svg>\n");
    svg
}

fn svg_open(width: f64, height: f64) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
    )
}
