//! Beat tracking by dynamic programming (Ellis 2007, "Beat tracking by dynamic
//! programming"): the beat sequence maximises the onset strength at the beats minus a
//! penalty `tightness · ln(Δ / period)²` for every inter-beat interval Δ that departs
//! from the target period. Also the per-beat confidence and band label.

use stylecut_types::style::Band;

/// Weight of the interval penalty while comparing tempo candidates (librosa's default).
pub const TIGHTNESS_SEARCH: f64 = 100.0;
/// Weight of the interval penalty for the final beat sequence at the chosen tempo: the
/// level is settled, so the tracker may hold it more stiffly through syncopations.
pub const TIGHTNESS_FINAL: f64 = 150.0;

/// `x / std(x)`, or all zeros for a flat envelope.
pub fn normalize(x: &[f32]) -> Vec<f64> {
    let n = x.len().max(1) as f64;
    let mean = x.iter().map(|&v| v as f64).sum::<f64>() / n;
    let var = x.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
    let sd = var.sqrt();
    if sd <= 1e-12 {
        return vec![0.0; x.len()];
    }
    x.iter().map(|&v| v as f64 / sd).collect()
}

/// Onset envelope smoothed by a Gaussian of σ = period/32 (the DP's local score).
pub fn local_score(onset: &[f64], period: f64) -> Vec<f64> {
    // ±4σ holds all but 1e-4 of the Gaussian's weight.
    let half = (period / 8.0).ceil().max(1.0) as isize;
    let w: Vec<f64> = (-half..=half)
        .map(|i| (-0.5 * (i as f64 * 32.0 / period).powi(2)).exp())
        .collect();
    let n = onset.len() as isize;
    (0..n)
        .map(|t| {
            let mut s = 0.0;
            for (j, wj) in w.iter().enumerate() {
                let k = t + j as isize - half;
                if k >= 0 && k < n {
                    s += wj * onset[k as usize];
                }
            }
            s
        })
        .collect()
}

/// Tracks beats at `period` frames over the normalised onset envelope. Returns beat
/// frame indices in increasing order (empty when nothing can be tracked).
pub fn track(onset: &[f64], period: f64, tightness: f64) -> Vec<usize> {
    let n = onset.len();
    if n < 3 || period.is_nan() || period < 2.0 {
        return Vec::new();
    }
    let local = local_score(onset, period);
    let lo = (period / 2.0).round() as usize;
    let hi = (period * 2.0).round() as usize;
    // Interval penalty by interval length in frames (lo..=hi), computed once.
    let penalty: Vec<f64> = (0..=hi)
        .map(|d| {
            let r = (d.max(1)) as f64 / period;
            tightness * r.ln().powi(2)
        })
        .collect();
    let mut cum = vec![0f64; n];
    let mut back: Vec<Option<usize>> = vec![None; n];
    let max_local = local.iter().copied().fold(0.0, f64::max);
    let mut started = false;
    for t in 0..n {
        let mut best = f64::NEG_INFINITY;
        let mut arg = None;
        if t >= lo {
            let first = t.saturating_sub(hi);
            for (tau, &prev) in cum.iter().enumerate().take(t - lo + 1).skip(first) {
                let v = prev - penalty[t - tau];
                if v > best {
                    best = v;
                    arg = Some(tau);
                }
            }
        }
        // Until the first real onset, a beat chain has no predecessor.
        if !started && local[t] > 0.01 * max_local {
            started = true;
        }
        if started && arg.is_some() {
            cum[t] = local[t] + best;
            back[t] = arg;
        } else {
            cum[t] = local[t];
        }
    }
    let Some(last) = last_beat(&cum, period) else {
        return Vec::new();
    };
    let mut beats = vec![last];
    let mut cur = last;
    while let Some(p) = back[cur] {
        beats.push(p);
        cur = p;
    }
    beats.reverse();
    trim(&beats, &local)
}

/// The end of the beat chain: among the local maxima of the cumulative score above half
/// the median of maxima, the highest within one period of the last one (a strong beat
/// followed by a weak hi-hat or a release near the end must not shift the whole chain).
fn last_beat(cum: &[f64], period: f64) -> Option<usize> {
    let n = cum.len();
    let maxima: Vec<usize> = (1..n.saturating_sub(1))
        .filter(|&i| cum[i] > cum[i - 1] && cum[i] >= cum[i + 1])
        .collect();
    if maxima.is_empty() {
        return None;
    }
    let mut vals: Vec<f64> = maxima.iter().map(|&i| cum[i]).collect();
    vals.sort_by(f64::total_cmp);
    let median = vals[vals.len() / 2];
    let last = maxima
        .iter()
        .rev()
        .copied()
        .find(|&i| cum[i] >= 0.5 * median)?;
    let from = last.saturating_sub(period.round() as usize);
    maxima
        .iter()
        .copied()
        .filter(|&i| i >= from && i <= last)
        .max_by(|&a, &b| cum[a].total_cmp(&cum[b]).then(a.cmp(&b)))
}

/// Drops leading and trailing beats in weak regions (local score under half its RMS).
fn trim(beats: &[usize], local: &[f64]) -> Vec<usize> {
    if beats.is_empty() {
        return Vec::new();
    }
    let vals: Vec<f64> = beats.iter().map(|&b| local[b]).collect();
    let rms = (vals.iter().map(|v| v * v).sum::<f64>() / vals.len() as f64).sqrt();
    let thr = 0.5 * rms;
    let start = vals.iter().position(|&v| v >= thr).unwrap_or(vals.len());
    let end = vals
        .iter()
        .rposition(|&v| v >= thr)
        .map_or(start, |e| e + 1);
    beats[start..end.max(start)].to_vec()
}

/// Maximum of `x` within ±`r` frames of `i`.
pub fn peak_near(x: &[f32], i: usize, r: usize) -> f32 {
    let a = i.saturating_sub(r);
    let b = (i + r + 1).min(x.len());
    x[a..b].iter().copied().fold(0.0, f32::max)
}

/// Beat confidence: the empirical percentile of the onset strength at the beat
/// (maximum within ±35 ms) among all frames within ±`window` frames. 1 = the strongest
/// onset around, 0.5 = an ordinary frame, near 0 = a beat placed in a gap.
pub fn confidence(onset: &[f32], beat: usize, reach: usize, window: usize) -> f64 {
    let v = peak_near(onset, beat, reach);
    let a = beat.saturating_sub(window);
    let b = (beat + window + 1).min(onset.len());
    let seg = &onset[a..b];
    if seg.is_empty() {
        return 0.0;
    }
    let below = seg.iter().filter(|&&x| x < v).count() as f64;
    let equal = seg.iter().filter(|&&x| x == v).count() as f64;
    (below + 0.5 * equal) / seg.len() as f64
}

/// Which band carries the onset at a beat: the band whose flux at the beat, divided by
/// that band's mean flux over the programme, is largest.
pub fn band_at(bands: &[Vec<f32>; 3], means: [f32; 3], beat: usize, reach: usize) -> Band {
    let mut best = (Band::Mid, f32::NEG_INFINITY);
    for (k, b) in [Band::Bass, Band::Mid, Band::Treble]
        .into_iter()
        .enumerate()
    {
        if means[k] <= 0.0 {
            continue;
        }
        let v = peak_near(&bands[k], beat, reach) / means[k];
        if v > best.1 {
            best = (b, v);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_an_impulse_train() {
        let mut o = vec![0f32; 1000];
        for i in (20..1000).step_by(40) {
            o[i] = 1.0;
        }
        let n = normalize(&o);
        let b = track(&n, 40.0, TIGHTNESS_FINAL);
        assert!(b.len() >= 23, "{b:?}");
        // Within one frame of the impulses at 20 + 40k.
        assert!(b.iter().all(|&x| (x + 21) % 40 <= 2), "{b:?}");
    }

    #[test]
    fn confidence_ranks_strong_onsets_high() {
        let mut o = vec![0.1f32; 200];
        o[100] = 5.0;
        assert!(confidence(&o, 100, 2, 80) > 0.95);
        assert!(confidence(&o, 50, 2, 80) < 0.6);
    }
}
