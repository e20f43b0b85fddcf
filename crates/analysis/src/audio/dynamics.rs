//! Spectral balance, dynamics and speech treatment (definitions in `docs/AUDIO.md`).
//!
//! - `bass_excess_db`: share of the energy below [`BASS_SHELF_HZ`] in active frames,
//!   in dB, minus the same share for pink noise (equal energy per octave) from
//!   [`PINK_FROM_HZ`] to Nyquist. Pink noise reads 0 dB (within 1 dB, tested).
//! - `estimated_compression_ratio`: [`REFERENCE_SPREAD_DB`] divided by the spread of
//!   the 400 ms level (10th to 95th percentile of active blocks), clamped to 1..20. A
//!   compressor of ratio R above its threshold divides level swings by R, so a programme
//!   whose swings are a quarter of an uncompressed reference reads 4:1.
//! - `speech_enhanced`: speech covers at least 10 % of the programme and the speech
//!   frames show treatment: low cut (energy below 150 Hz at least [`LOW_CUT_DB`] under
//!   the speech band) together with either a lifted presence region (1–4 kHz share of
//!   the speech band above [`PRESENCE_SHARE`]) or a noise floor in speech pauses at
//!   least [`GATE_DB`] below the speech level (denoised / gated).

use stylecut_types::audio_map::BASS_SHELF_HZ;

use super::presence::Presence;
use super::spectrum::Spectrogram;

/// Lower edge of the neutral pink-noise reference (audio is band-limited there).
pub const PINK_FROM_HZ: f64 = 20.0;
/// Spread (dB) of 400 ms levels of an uncompressed reference programme.
pub const REFERENCE_SPREAD_DB: f64 = 24.0;
pub const LOW_CUT_DB: f64 = 20.0;
pub const PRESENCE_SHARE: f64 = 0.35;
pub const GATE_DB: f64 = 50.0;

fn db(x: f64) -> f64 {
    10.0 * x.max(1e-20).log10()
}

/// Low-band excess over pink noise, dB. None without active frames.
pub fn bass_excess_db(spec: &Spectrogram, active: &[bool]) -> Option<f64> {
    let (mut low, mut total) = (0f64, 0f64);
    for (b, _) in spec.bands.iter().zip(active).filter(|(_, &a)| a) {
        low += b.low as f64;
        total += b.total() as f64;
    }
    if total <= 0.0 {
        return None;
    }
    let fmax = spec.rate as f64 / 2.0;
    let pink_share = (BASS_SHELF_HZ / PINK_FROM_HZ).ln() / (fmax / PINK_FROM_HZ).ln();
    Some(db(low / total) - db(pink_share))
}

/// Compression ratio estimate from the spread of 400 ms block levels.
pub fn compression_ratio(mono: &[f32], rate: u32) -> Option<f64> {
    let mut m = BlockLevels::new(rate);
    m.push(mono);
    m.compression_ratio()
}

/// The levels of consecutive 400 ms blocks of the mono signal, measured as the samples
/// arrive (a partial last block is left out), for [`BlockLevels::compression_ratio`]:
/// 2.5 values a second instead of the samples.
#[derive(Debug, Clone)]
pub struct BlockLevels {
    block: usize,
    /// Sum of squares of the current block's samples so far, and their count.
    acc: f64,
    filled: usize,
    samples: usize,
    levels: Vec<f64>,
}

impl BlockLevels {
    pub fn new(rate: u32) -> BlockLevels {
        BlockLevels {
            block: (rate as f64 * 0.4) as usize,
            acc: 0.0,
            filled: 0,
            samples: 0,
            levels: Vec::new(),
        }
    }

    pub fn push(&mut self, mono: &[f32]) {
        self.samples += mono.len();
        if self.block == 0 {
            return;
        }
        for &x in mono {
            self.acc += (x as f64).powi(2);
            self.filled += 1;
            if self.filled == self.block {
                self.levels.push(db(self.acc / self.block as f64));
                (self.acc, self.filled) = (0.0, 0);
            }
        }
    }

    /// The compression ratio of the programme so far (see the module documentation).
    pub fn compression_ratio(&self) -> Option<f64> {
        let block = self.block;
        if block == 0 || self.samples < block * 5 {
            return None;
        }
        let levels = &self.levels;
        let mean_pow =
            levels.iter().map(|l| 10f64.powf(l / 10.0)).sum::<f64>() / levels.len() as f64;
        let gate = db(mean_pow) - 20.0;
        let mut kept: Vec<f64> = levels
            .iter()
            .copied()
            .filter(|&l| l > gate && l > -70.0)
            .collect();
        if kept.len() < 5 {
            return None;
        }
        kept.sort_by(f64::total_cmp);
        let q = |p: f64| kept[((kept.len() - 1) as f64 * p).round() as usize];
        let spread = (q(0.95) - q(0.10)).max(0.5);
        Some((REFERENCE_SPREAD_DB / spread).clamp(1.0, 20.0))
    }
}

/// Evidence that speech was processed (see module docs).
pub fn speech_enhanced(spec: &Spectrogram, presence: &Presence) -> bool {
    if presence.speech_ratio < 0.1 {
        return false;
    }
    let (mut low, mut sp, mut pres, mut n) = (0f64, 0f64, 0f64, 0usize);
    for (b, _) in spec
        .bands
        .iter()
        .zip(&presence.speech_frames)
        .filter(|(_, &s)| s)
    {
        low += b.low as f64;
        sp += b.speech as f64;
        pres += b.presence as f64;
        n += 1;
    }
    if n == 0 || sp <= 0.0 {
        return false;
    }
    let low_cut = db(sp) - db(low) >= LOW_CUT_DB;
    let presence_lift = pres / sp >= PRESENCE_SHARE;
    // Pauses: frames inside the speech spans' neighbourhood that are not speech.
    let pauses: Vec<f64> = spec
        .bands
        .iter()
        .zip(&presence.speech_frames)
        .filter(|(_, &s)| !s)
        .map(|(b, _)| b.speech as f64)
        .collect();
    let gated = if pauses.is_empty() {
        false
    } else {
        let mut p = pauses;
        p.sort_by(f64::total_cmp);
        let pause_level = db(p[p.len() / 2]);
        db(sp / n as f64) - pause_level >= GATE_DB
    };
    low_cut && (presence_lift || gated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::spectrum;
    use realfft::RealFftPlanner;

    /// Noise with power ∝ 1/f (pink), times `gain` below `shelf_hz`, via an inverse FFT.
    fn pink(rate: u32, seconds: usize, shelf_hz: f64, gain: f32) -> Vec<f32> {
        let n = rate as usize * seconds;
        let mut planner = RealFftPlanner::<f32>::new();
        let inv = planner.plan_fft_inverse(n);
        let mut spec = inv.make_input_vec();
        let mut seed = 99u32;
        let mut rnd = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1u32 << 24) as f32
        };
        let len = spec.len();
        for (k, c) in spec.iter_mut().enumerate().skip(1).take(len - 2) {
            let f = k as f64 * rate as f64 / n as f64;
            // Audio content starts at 20 Hz, like the reference.
            let amp = if f < 20.0 {
                0.0
            } else {
                (1.0 / f).sqrt() as f32 * if f < shelf_hz { gain } else { 1.0 }
            };
            let ph = 2.0 * std::f32::consts::PI * rnd();
            *c = realfft::num_complex::Complex::new(amp * ph.cos(), amp * ph.sin());
        }
        let mut out = inv.make_output_vec();
        inv.process(&mut spec, &mut out).unwrap();
        let peak = out.iter().fold(0f32, |m, x| m.max(x.abs()));
        out.iter().map(|x| 0.5 * x / peak).collect()
    }

    fn excess(x: &[f32], rate: u32) -> f64 {
        let s = spectrum::compute(x, rate);
        let active = vec![true; s.frames()];
        bass_excess_db(&s, &active).unwrap()
    }

    #[test]
    fn pink_noise_is_neutral_and_a_shelf_reads_as_excess() {
        let rate = 22_050;
        let flat = excess(&pink(rate, 8, BASS_SHELF_HZ, 1.0), rate);
        assert!(flat.abs() < 1.0, "pink noise reads {flat} dB");
        // +6 dB (×2 in amplitude) below the shelf corner.
        let boosted = excess(&pink(rate, 8, BASS_SHELF_HZ, 2.0), rate);
        assert!(
            boosted - flat > 3.0 && boosted - flat < 6.5,
            "{flat} → {boosted}"
        );
    }

    /// A 440 Hz tone whose level steps every 2 s through `span_db` in 12 even steps.
    fn stepped(rate: u32, span_db: f64) -> Vec<f32> {
        let step = 2 * rate as usize;
        (0..12 * step)
            .map(|i| {
                let k = ((i / step) * 5) % 12;
                let db = -6.0 - span_db * k as f64 / 11.0;
                let a = 10f64.powf(db / 20.0) as f32;
                a * (2.0 * std::f32::consts::PI * 440.0 * i as f32 / rate as f32).sin()
            })
            .collect()
    }

    #[test]
    fn compressing_the_swings_by_four_reads_four_times_the_ratio() {
        let rate = 22_050;
        let wide = compression_ratio(&stepped(rate, 18.0), rate).unwrap();
        let narrow = compression_ratio(&stepped(rate, 4.5), rate).unwrap();
        assert!((narrow / wide - 4.0).abs() < 0.6, "{wide} → {narrow}");
        assert!(compression_ratio(&[0.0; 100], rate).is_none());
    }
}
