//! Onset strength: half-wave rectified spectral flux of the log-mel spectrogram, with a
//! three-band maximum filter across frequency before differencing (SuperFlux, Böck &
//! Widmer 2013) so vibrato and slow glides in strings, voice and brass do not read as
//! onsets. Computed for the whole spectrum and separately for the bass, mid and treble
//! bands used to label beats.

use super::spectrum::{Spectrogram, BASS_MID_HZ, MID_TREBLE_HZ};

/// Onset envelopes at the spectrogram frame rate.
#[derive(Debug, Clone, Default)]
pub struct Onsets {
    /// Mean rectified flux over all bands, dB per band.
    pub all: Vec<f32>,
    /// The same restricted to bass / mid / treble mel bands.
    pub band: [Vec<f32>; 3],
    /// Mean flux over the bass and mid bands together (below the treble band): kicks,
    /// snares, bass notes and chords, without hi-hats and cymbals.
    pub low: Vec<f32>,
    /// Flux in [`TIMBRE_GROUPS`] groups of adjacent mel bands, `frames × groups`:
    /// the spectral shape of each onset, used to tell beats from subdivisions.
    pub timbre: Vec<[f32; TIMBRE_GROUPS]>,
}

/// Number of mel-band groups in [`Onsets::timbre`].
pub const TIMBRE_GROUPS: usize = 8;

/// Rows of the spectrogram read at a time (64 KiB at 64 bands).
const ONSET_BLOCK_ROWS: usize = 256;

/// Differencing lag: about 23 ms (two frames at 22 050 Hz / hop 256).
fn lag_frames(fps: f64) -> usize {
    ((0.023 * fps).round() as usize).max(1)
}

pub fn compute(spec: &Spectrogram) -> Onsets {
    let n = spec.frames();
    if n == 0 {
        return Onsets::default();
    }
    let nb = spec.mel_hz.len();
    let group: Vec<usize> = spec
        .mel_hz
        .iter()
        .map(|&hz| {
            if hz < BASS_MID_HZ {
                0
            } else if hz < MID_TREBLE_HZ {
                1
            } else {
                2
            }
        })
        .collect();
    let mut counts = [0usize; 3];
    for &g in &group {
        counts[g] += 1;
    }
    let lag = lag_frames(spec.fps);
    let mut all = vec![0f32; n];
    let mut low = vec![0f32; n];
    let mut band = [vec![0f32; n], vec![0f32; n], vec![0f32; n]];
    let mut timbre = vec![[0f32; TIMBRE_GROUPS]; n];
    let per_group = nb.div_ceil(TIMBRE_GROUPS);
    let mut maxed = vec![0f32; nb];
    let mut block_from = 0;
    // The floored rows are read a block at a time (with the `lag` rows before it), so a
    // spilled spectrogram is never held whole.
    let mut block = Vec::new();
    for t in lag..n {
        let first = t - t % ONSET_BLOCK_ROWS;
        if t == lag || t == first {
            let from = first.saturating_sub(lag);
            spec.mel_rows(from, (first + ONSET_BLOCK_ROWS).min(n), &mut block);
            block_from = from;
        }
        let row = |i: usize| &block[(i - block_from) * nb..(i - block_from + 1) * nb];
        let prev = row(t - lag);
        for (b, m) in maxed.iter_mut().enumerate() {
            let lo = b.saturating_sub(1);
            let hi = (b + 1).min(nb - 1);
            *m = prev[lo..=hi]
                .iter()
                .copied()
                .fold(f32::NEG_INFINITY, f32::max);
        }
        let cur = row(t);
        let mut sums = [0f32; 3];
        for b in 0..nb {
            let d = (cur[b] - maxed[b]).max(0.0);
            sums[group[b]] += d;
            timbre[t][(b / per_group).min(TIMBRE_GROUPS - 1)] += d;
        }
        all[t] = sums.iter().sum::<f32>() / nb as f32;
        let n_low = counts[0] + counts[1];
        if n_low > 0 {
            low[t] = (sums[0] + sums[1]) / n_low as f32;
        }
        for g in 0..3 {
            band[g][t] = if counts[g] > 0 {
                sums[g] / counts[g] as f32
            } else {
                0.0
            };
        }
    }
    Onsets {
        all,
        band,
        low,
        timbre,
    }
}

/// Removes the slowly varying part of an envelope (moving average over `win` frames)
/// and half-wave rectifies the result, so periodicity analysis sees pulses, not level.
pub fn detrend(x: &[f32], win: usize) -> Vec<f32> {
    let n = x.len();
    if n == 0 {
        return Vec::new();
    }
    let half = win / 2;
    let mut prefix = vec![0f64; n + 1];
    for i in 0..n {
        prefix[i + 1] = prefix[i] + x[i] as f64;
    }
    (0..n)
        .map(|i| {
            let a = i.saturating_sub(half);
            let b = (i + half + 1).min(n);
            let mean = (prefix[b] - prefix[a]) / (b - a) as f64;
            (x[i] as f64 - mean).max(0.0) as f32
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::spectrum;

    #[test]
    fn clicks_make_flux_peaks_in_the_right_band() {
        let rate = 22_050u32;
        // A faint noise floor (−60 dB), as in any real recording.
        let mut seed = 12345u32;
        let mut x: Vec<f32> = (0..rate as usize * 2)
            .map(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (seed >> 8) as f32 / (1u32 << 24) as f32 * 2e-3 - 1e-3
            })
            .collect();
        // A 60 Hz burst at 0.5 s and a 5–8 kHz chord burst at 1.5 s.
        for i in 0..2000 {
            let t = i as f32 / rate as f32;
            // 10 ms raised-cosine attack and release: no broadband click at the edges.
            let ramp = (i.min(2000 - i) as f32 / 220.0).min(1.0);
            let env = 0.5 - 0.5 * (std::f32::consts::PI * ramp).cos();
            x[11_025 + i] += env * (2.0 * std::f32::consts::PI * 60.0 * t).sin() * 0.8;
            let hi: f32 = [5000.0f32, 6300.0, 7700.0]
                .iter()
                .map(|f| (2.0 * std::f32::consts::PI * f * t).sin() * 0.3)
                .sum();
            x[33_075 + i] += env * hi;
        }
        let s = spectrum::compute(&x, rate);
        let o = compute(&s);
        let at = |sec: f64| (sec * s.fps).round() as usize;
        let peak = |v: &[f32], c: usize| v[c - 4..c + 6].iter().copied().fold(0f32, f32::max);
        let (b0, t0) = (peak(&o.band[0], at(0.5)), peak(&o.band[2], at(0.5)));
        let (b1, t1) = (peak(&o.band[0], at(1.5)), peak(&o.band[2], at(1.5)));
        assert!(b0 > 2.0 * t0, "bass burst: bass {b0} treble {t0}");
        assert!(t1 > 2.0 * b1, "treble burst: bass {b1} treble {t1}");
        assert!(peak(&o.all, at(0.5)) > 1.0);
    }

    #[test]
    fn detrend_removes_a_constant() {
        let d = detrend(&[3.0; 50], 9);
        assert!(d.iter().all(|&v| v.abs() < 1e-6));
    }
}
