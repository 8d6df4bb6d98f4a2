//! 2×2 max-pool with stride 2.

/// Largest value of each 2×2 window, stride 2.
///
/// - `input`: `[height][width][channels]`, int8.
/// - `output`: `[height / 2][width / 2][channels]`; an odd last row or column is dropped.
///
/// Quantisation passes through unchanged (max commutes with a monotonic affine map).
///
/// # Panics
/// If a slice's length does not match the dimensions.
pub fn max_pool_2x2(input: &[i8], height: usize, width: usize, channels: usize, output: &mut [i8]) {
    assert_eq!(input.len(), height * width * channels, "input length");
    let (out_height, out_width) = (height / 2, width / 2);
    assert_eq!(
        output.len(),
        out_height * out_width * channels,
        "output length"
    );

    let at = |y: usize, x: usize, c: usize| input[(y * width + x) * channels + c];
    for oy in 0..out_height {
        for ox in 0..out_width {
            for c in 0..channels {
                let (y, x) = (2 * oy, 2 * ox);
                let top = at(y, x, c).max(at(y, x + 1, c));
                let bottom = at(y + 1, x, c).max(at(y + 1, x + 1, c));
                output[(oy * out_width + ox) * channels + c] = top.max(bottom);
            }
        }
    }
}
