//! Evaluation metrics for beats and tempo, following mir_eval's conventions, so tests
//! and benchmarks score this crate the same way the published baselines were scored.

/// mir_eval's `trim_beats`: drops beats before 5 s.
pub fn trim_beats(b: &[f64]) -> Vec<f64> {
    b.iter().copied().filter(|&t| t >= 5.0).collect()
}

/// Beat F-measure with a ±`window` s tolerance and one-to-one matching (greedy on
/// sorted lists, which equals maximum bipartite matching for a window smaller than
/// half the inter-beat interval). Both lists are used as given (trim them first).
pub fn f_measure(reference: &[f64], estimated: &[f64], window: f64) -> f64 {
    if reference.is_empty() || estimated.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut hits) = (0usize, 0usize, 0usize);
    while i < reference.len() && j < estimated.len() {
        let d = estimated[j] - reference[i];
        if d.abs() <= window {
            hits += 1;
            i += 1;
            j += 1;
        } else if d < 0.0 {
            j += 1;
        } else {
            i += 1;
        }
    }
    let p = hits as f64 / estimated.len() as f64;
    let r = hits as f64 / reference.len() as f64;
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// True when `estimate` is within `tol` (relative, e.g. 0.04) of `truth`.
pub fn tempo_ok(estimate: f64, truth: f64, tol: f64) -> bool {
    (estimate / truth - 1.0).abs() <= tol
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f_measure_counts_one_to_one() {
        let r = [1.0, 2.0, 3.0, 4.0];
        assert!((f_measure(&r, &r, 0.07) - 1.0).abs() < 1e-12);
        let e = [1.05, 2.2, 3.0, 3.01];
        // Hits: 1.05 and 3.0 → P = 2/4, R = 2/4.
        assert!((f_measure(&r, &e, 0.07) - 0.5).abs() < 1e-12);
        assert!(tempo_ok(124.0, 125.0, 0.04) && !tempo_ok(64.6, 191.27, 0.04));
    }
}
