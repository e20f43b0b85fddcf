//! Spectral balance, dynamics and speech treatment (definitions in `docs/AUDIO.md`).
//!
//! - `bass_excess_db`: share of the energy below [`BASS_SHELF_HZ`] in active frames,
//!   in dB, minus the same share for pink noise (equal energy per octave) measured over
//!   the same band edges. Pink noise reads 0 dB; a +6 dB low shelf reads about +4.5 dB.
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
    let n_fft = spec.hop * 4;
    let f1 = spec.rate as f64 / n_fft as f64;
    let fmax = spec.rate as f64 / 2.0;
    let pink_share = (BASS_SHELF_HZ / f1).ln() / (fmax / f1).ln();
    Some(db(low / total) - db(pink_share))
}

/// Compression ratio estimate from the spread of 400 ms block levels.
pub fn compression_ratio(mono: &[f32], rate: u32) -> Option<f64> {
    let block = (rate as f64 * 0.4) as usize;
    if block == 0 || mono.len() < block * 5 {
        return None;
    }
    let levels: Vec<f64> = mono
        .chunks_exact(block)
        .map(|c| db(c.iter().map(|&x| (x as f64).powi(2)).sum::<f64>() / block as f64))
        .collect();
    // Relative gate as in EBU R128 LRA: ignore blocks 20 dB under the mean power and
    // near-silence.
    let mean_pow = levels.iter().map(|l| 10f64.powf(l / 10.0)).sum::<f64>() / levels.len() as f64;
    let gate = db(mean_pow) - 20.0;
    let mut kept: Vec<f64> = levels
        .into_iter()
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
