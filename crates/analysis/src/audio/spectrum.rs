//! Short-time spectrum of the mono analysis signal, computed once and shared by every
//! audio analyser: a log-mel spectrogram (onsets, tempo, beats) and per-frame band
//! energies (spectral balance, speech activity, music presence).
//!
//! Frames are centred: frame `i` covers samples around `i * hop`, so its time is
//! `i * hop / rate` seconds. The FFT size is the power of two nearest to 46 ms and the
//! hop a quarter of it (1024 / 256 at 22 050 Hz, about 86 frames per second), so every
//! rate ≥ 8 kHz yields the same time resolution within a factor of 1.5.

use realfft::RealFftPlanner;

/// Lower edges of the three beat bands (Hz): bass below [`BASS_MID_HZ`], treble above
/// [`MID_TREBLE_HZ`], mid in between.
pub const BASS_MID_HZ: f64 = stylecut_types::audio_map::BASS_SHELF_HZ;
pub const MID_TREBLE_HZ: f64 = 4000.0;

/// Number of mel bands of the onset spectrogram.
const MEL_BANDS: usize = 64;
/// Dynamic range kept in the log-mel spectrogram (dB below the loudest cell). Cells
/// further down are floored, so fluctuations of noise and reverberation tails far
/// below the music do not produce flux (45 dB measured best on the annotated music:
/// see `docs/AUDIO.md`).
const TOP_DB: f32 = 45.0;

/// Per-frame linear power in fixed bands (mean squared magnitude, arbitrary units
/// common to all bands so ratios are meaningful).
#[derive(Debug, Clone, Copy, Default)]
pub struct FrameBands {
    /// Below 150 Hz (the bass shelf corner).
    pub low: f32,
    /// 150 Hz – 4 kHz.
    pub mid: f32,
    /// Above 4 kHz.
    pub high: f32,
    /// 300 Hz – 3.4 kHz: the telephone speech band.
    pub speech: f32,
    /// 1 – 4 kHz: speech presence / intelligibility region.
    pub presence: f32,
    /// Spectral centroid, Hz.
    pub centroid: f32,
    /// Spectral flatness (geometric / arithmetic mean of power), 0..1.
    pub flatness: f32,
}

impl FrameBands {
    pub fn total(&self) -> f32 {
        self.low + self.mid + self.high
    }
}

/// The shared spectrogram.
#[derive(Debug, Clone)]
pub struct Spectrogram {
    pub rate: u32,
    pub hop: usize,
    /// Frames per second.
    pub fps: f64,
    /// Log-mel power in dB, `frames × MEL_BANDS`, floored at `TOP_DB` below the peak.
    pub mel_db: Vec<Vec<f32>>,
    /// The same before the floor (≥ −120 dB): for measures that set their own floor
    /// relative to a local level, such as the speech analysis.
    pub mel_raw_db: Vec<Vec<f32>>,
    /// Centre frequency of each mel band, Hz.
    pub mel_hz: Vec<f64>,
    pub bands: Vec<FrameBands>,
}

impl Spectrogram {
    pub fn frames(&self) -> usize {
        self.bands.len()
    }

    /// Time of frame `i` in seconds.
    pub fn time(&self, i: usize) -> f64 {
        i as f64 / self.fps
    }
}

fn hz_to_mel(hz: f64) -> f64 {
    2595.0 * (1.0 + hz / 700.0).log10()
}

fn mel_to_hz(mel: f64) -> f64 {
    700.0 * (10f64.powf(mel / 2595.0) - 1.0)
}

/// Triangular mel filters as (first bin, weights) over a spectrum of `bins` bins.
fn mel_filters(rate: u32, n_fft: usize, bins: usize) -> (Vec<(usize, Vec<f32>)>, Vec<f64>) {
    let fmax = (rate as f64 / 2.0).min(11_025.0);
    let (lo, hi) = (hz_to_mel(30.0), hz_to_mel(fmax));
    let edges: Vec<f64> = (0..MEL_BANDS + 2)
        .map(|i| mel_to_hz(lo + (hi - lo) * i as f64 / (MEL_BANDS + 1) as f64))
        .collect();
    let bin_hz = rate as f64 / n_fft as f64;
    let mut filters = Vec::with_capacity(MEL_BANDS);
    for b in 0..MEL_BANDS {
        let (l, c, r) = (edges[b], edges[b + 1], edges[b + 2]);
        let first = ((l / bin_hz).floor() as usize).min(bins - 1);
        let last = ((r / bin_hz).ceil() as usize).min(bins - 1);
        let mut w: Vec<f32> = (first..=last)
            .map(|k| {
                let f = k as f64 * bin_hz;
                let v = if f <= c {
                    (f - l) / (c - l)
                } else {
                    (r - f) / (r - c)
                };
                v.max(0.0) as f32
            })
            .collect();
        // Narrow low bands can fall between bins: keep at least the nearest bin.
        if w.iter().all(|&x| x == 0.0) {
            let k = ((c / bin_hz).round() as usize).clamp(first, last);
            w[k - first] = 1.0;
        }
        filters.push((first, w));
    }
    (filters, edges[1..=MEL_BANDS].to_vec())
}

/// FFT size for a rate: the power of two nearest to 46 ms.
pub fn fft_size(rate: u32) -> usize {
    let target = rate as f64 * 0.046;
    let p = target.log2().round() as u32;
    1usize << p.clamp(8, 14)
}

/// Computes the spectrogram of `mono` at `rate` Hz. Returns an empty spectrogram for
/// input shorter than one hop.
pub fn compute(mono: &[f32], rate: u32) -> Spectrogram {
    let n_fft = fft_size(rate);
    let hop = n_fft / 4;
    let bins = n_fft / 2 + 1;
    let frames = if mono.len() < hop {
        0
    } else {
        mono.len() / hop + 1
    };
    let window: Vec<f32> = (0..n_fft)
        .map(|i| {
            let x = std::f32::consts::PI * 2.0 * i as f32 / n_fft as f32;
            0.5 - 0.5 * x.cos()
        })
        .collect();
    let (filters, mel_hz) = mel_filters(rate, n_fft, bins);
    let bin_hz = rate as f32 / n_fft as f32;
    let edge = |hz: f64| ((hz as f32 / bin_hz).round() as usize).min(bins);
    let (k_low, k_high) = (edge(BASS_MID_HZ), edge(MID_TREBLE_HZ));
    let (k_sp0, k_sp1) = (edge(300.0), edge(3400.0));
    let (k_pr0, k_pr1) = (edge(1000.0), edge(4000.0));

    let mut planner = RealFftPlanner::<f32>::new();
    let fft = planner.plan_fft_forward(n_fft);
    let mut input = fft.make_input_vec();
    let mut out = fft.make_output_vec();
    let mut scratch = fft.make_scratch_vec();
    let mut power = vec![0f32; bins];
    let mut mel_db = Vec::with_capacity(frames);
    let mut bands = Vec::with_capacity(frames);
    let norm = 1.0 / (n_fft as f32 * n_fft as f32);
    let half = (n_fft / 2) as isize;
    for f in 0..frames {
        let start = (f * hop) as isize - half;
        for (i, x) in input.iter_mut().enumerate() {
            let idx = start + i as isize;
            let s = if idx >= 0 && (idx as usize) < mono.len() {
                mono[idx as usize]
            } else {
                0.0
            };
            *x = s * window[i];
        }
        if fft
            .process_with_scratch(&mut input, &mut out, &mut scratch)
            .is_err()
        {
            // Sizes come from the plan itself, so this cannot happen; keep a silent frame.
            out.iter_mut().for_each(|c| *c = Default::default());
        }
        for (p, c) in power.iter_mut().zip(&out) {
            *p = (c.re * c.re + c.im * c.im) * norm;
        }
        let mel: Vec<f32> = filters
            .iter()
            .map(|(first, w)| {
                let e: f32 = w.iter().zip(&power[*first..]).map(|(a, b)| a * b).sum();
                10.0 * e.max(1e-12).log10()
            })
            .collect();
        mel_db.push(mel);
        bands.push(frame_bands(
            &power,
            bin_hz,
            [k_low, k_high, k_sp0, k_sp1, k_pr0, k_pr1],
        ));
    }
    let peak = mel_db
        .iter()
        .flat_map(|r| r.iter().copied())
        .fold(f32::NEG_INFINITY, f32::max);
    let floor = peak - TOP_DB;
    let mel_raw_db = mel_db.clone();
    for row in &mut mel_db {
        for v in row.iter_mut() {
            *v = v.max(floor);
        }
    }
    Spectrogram {
        rate,
        hop,
        fps: rate as f64 / hop as f64,
        mel_db,
        mel_raw_db,
        mel_hz,
        bands,
    }
}

fn frame_bands(power: &[f32], bin_hz: f32, k: [usize; 6]) -> FrameBands {
    let sum = |a: usize, b: usize| power[a.min(power.len())..b.min(power.len())].iter().sum();
    // Skip the DC bin: it carries offset, not bass.
    let low: f32 = sum(1, k[0]);
    let mid: f32 = sum(k[0], k[1]);
    let high: f32 = sum(k[1], power.len());
    let total = low + mid + high;
    let (mut wsum, mut logsum) = (0f32, 0f64);
    for (i, &p) in power.iter().enumerate().skip(1) {
        wsum += p * i as f32 * bin_hz;
        logsum += (p as f64 + 1e-20).ln();
    }
    let n = (power.len() - 1) as f64;
    let arith = total as f64 / n;
    let flatness = if arith > 1e-18 {
        ((logsum / n).exp() / (arith + 1e-20)).clamp(0.0, 1.0) as f32
    } else {
        1.0
    };
    FrameBands {
        low,
        mid,
        high,
        speech: sum(k[2], k[3]),
        presence: sum(k[4], k[5]),
        centroid: if total > 0.0 { wsum / total } else { 0.0 },
        flatness,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_the_rate() {
        assert_eq!(fft_size(22_050), 1024);
        assert_eq!(fft_size(8_000), 512);
        assert_eq!(fft_size(48_000), 2048);
    }

    #[test]
    fn a_low_tone_lands_in_the_low_band() {
        let rate = 22_050;
        let x: Vec<f32> = (0..rate)
            .map(|i| (2.0 * std::f32::consts::PI * 80.0 * i as f32 / rate as f32).sin())
            .collect();
        let s = compute(&x, rate);
        let b = s.bands[s.frames() / 2];
        assert!(b.low > 10.0 * (b.mid + b.high), "{b:?}");
        assert!((s.time(86) - 86.0 * 256.0 / 22_050.0).abs() < 1e-9);
    }
}
