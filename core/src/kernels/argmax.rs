//! Index of the largest value.

/// Index of the largest of `values`; the first one wins a tie. `None` for an empty slice.
pub fn argmax(values: &[i8]) -> Option<usize> {
    let mut best: Option<(usize, i8)> = None;
    for (index, &value) in values.iter().enumerate() {
        if best.is_none_or(|(_, top)| value > top) {
            best = Some((index, value));
        }
    }
    best.map(|(index, _)| index)
}
