//! Speech and music presence from the shared spectrogram.
//!
//! Activity is decided per frame, speech over overlapping 1 s windows:
//! - **active**: frame level within [`ACTIVE_DB`] of the programme's loud level (its
//!   95th percentile) and above [`SILENCE_DB`];
//! - **speech window** (1 s, hop 0.25 s; a frame is speech when most windows covering
//!   it are): the speech band holds at least [`MIN_SPEECH_SHARE`] of the energy above
//!   150 Hz (or, for a low voice with much energy at 150–300 Hz, at least
//!   [`MIN_LOW_VOICE_SHARE`] with spectral-shape modulation ≥ [`STRONG_SHAPE_DB`]), the
//!   level shows syllabic modulation (standard deviation around its 0.5 s moving
//!   average ≥ [`MIN_SYLLABIC_DB`]), so do the individual mel bands of the speech band
//!   (mean per-band modulation [`band_depth`] ≥ [`MIN_SHAPE_DB`]: moving formants add
//!   to each band's modulation, so a voice reads higher per band than in its summed
//!   level, while the level swings of notes over a steady spectrum do not) — or, for a
//!   voice over a music bed that fills the gaps, the level modulation is at least
//!   [`BED_SYLLABIC_DB`] and the per-band one at least [`BED_SHAPE_DB`] — the
//!   spectral centroid alternates between voiced and unvoiced sounds (spread ≥ [`MIN_CENTROID_OCTAVES`]) and there is no
//!   steady beat (pulse clarity of the surrounding 3 s below [`PULSE_SPEECH`]).
//! - **music window** (3 s): at least 10 % active, and either a clear pulse
//!   (pulse clarity ≥ [`PULSE_MUSIC`]) or mostly active sustained tonal sound (dip share
//!   below [`MUSIC_DIPS`], median spectral flatness below [`MAX_TONAL_FLATNESS`]) that
//!   is not speech.
//!
//! Pulse clarity is the largest normalised autocorrelation of the detrended onset
//! envelope at lags of 0.25–1.5 s (40–240 BPM) inside the window.

use stylecut_types::Span;

use super::spectrum::Spectrogram;
use super::tempo::autocorr;

pub const ACTIVE_DB: f32 = 40.0;
/// Frame level (dB re full-scale power) under which a frame is silent.
pub const SILENCE_DB: f32 = -80.0;
pub const DIP_DB: f32 = 15.0;
/// Speech band (300–3400 Hz) share of the energy above 150 Hz in a speech window.
pub const MIN_SPEECH_SHARE: f64 = 0.4;
/// Syllabic modulation depth of a speech window, dB.
pub const MIN_SYLLABIC_DB: f64 = 5.0;
/// Spectral-shape modulation ([`band_depth`]) of a speech window, dB: the level may
/// swing with note attacks and decays, but words also move the formants, which adds
/// modulation in the individual bands.
pub const MIN_SHAPE_DB: f64 = 5.5;
/// Level modulation of a voice over a music bed, dB: the bed fills the gaps between
/// syllables, so the summed level swings less; accepted with spectral-shape modulation
/// of at least [`BED_SHAPE_DB`].
pub const BED_SYLLABIC_DB: f64 = 4.0;
pub const BED_SHAPE_DB: f64 = 6.5;
/// Spectral-shape modulation above which a window with a low speech-band share
/// (a low voice with much energy at 150–300 Hz) can still be speech.
pub const STRONG_SHAPE_DB: f64 = 8.0;
/// Dynamic range of the spectral-shape measure, dB below the window's loudest
/// speech-band mel cell (the range of the shared log-mel spectrogram).
pub const SHAPE_RANGE_DB: f32 = 45.0;
/// Lowest speech-band share of such a low-voice window.
pub const MIN_LOW_VOICE_SHARE: f64 = 0.25;
/// Spread of the spectral centroid in a speech window (voiced/unvoiced), octaves.
pub const MIN_CENTROID_OCTAVES: f64 = 0.3;
/// Pulse clarity at or above which a window is not speech (a steady beat).
pub const PULSE_SPEECH: f64 = 0.6;
pub const PULSE_MUSIC: f64 = 0.5;
pub const MUSIC_DIPS: f64 = 0.25;
/// Median spectral flatness above which sustained sound counts as noise, not music.
pub const MAX_TONAL_FLATNESS: f32 = 0.3;

/// Result of the presence analysis.
#[derive(Debug, Clone, Default)]
pub struct Presence {
    pub speech: Vec<Span>,
    pub speech_ratio: f64,
    pub music_ratio: f64,
    /// Per-frame speech flag (after smoothing), for the speech-treatment analysis.
    pub speech_frames: Vec<bool>,
    /// Per-frame activity flag.
    pub active: Vec<bool>,
}

fn db(x: f32) -> f32 {
    10.0 * x.max(1e-12).log10()
}

fn percentile(v: &[f32], q: f64) -> f32 {
    if v.is_empty() {
        return f32::NEG_INFINITY;
    }
    let mut s = v.to_vec();
    s.sort_by(f32::total_cmp);
    s[((s.len() - 1) as f64 * q).round() as usize]
}

/// Pulse clarity of an onset-envelope slice (see module docs).
pub fn pulse_clarity(onset: &[f32], fps: f64) -> f64 {
    let lo = (0.25 * fps).round() as usize;
    let hi = (1.5 * fps).round() as usize;
    if onset.len() < hi + lo {
        return 0.0;
    }
    let det = super::onset::detrend(onset, fps.round() as usize);
    let x: Vec<f64> = det.iter().map(|&v| v as f64).collect();
    let r = autocorr(&x, hi);
    r[lo..r.len()].iter().copied().fold(0.0, f64::max)
}

pub fn analyze(spec: &Spectrogram, onset: &[f32]) -> Presence {
    let n = spec.frames();
    if n == 0 {
        return Presence::default();
    }
    let fps = spec.fps;
    let (level, active) = levels(spec);

    let mut speech_votes = vec![0u32; n];
    let mut speech_counts = vec![0u32; n];
    let win = (fps).round() as usize;
    let hop = (fps / 4.0).round().max(1.0) as usize;
    let mut start = 0;
    while start < n {
        let end = (start + win).min(n);
        let is_speech = speech_window(spec, &level, &active, onset, start, end);
        for i in start..end {
            speech_counts[i] += 1;
            speech_votes[i] += is_speech as u32;
        }
        if end == n {
            break;
        }
        start += hop;
    }
    let speech_frames: Vec<bool> = (0..n)
        .map(|i| active[i] && 2 * speech_votes[i] > speech_counts[i])
        .collect();
    let speech = spans(&speech_frames, fps, 0.3, 0.2);
    let speech_time: f64 = speech.iter().map(|s| s.end_s - s.start_s).sum();
    let duration = n as f64 / fps;

    let mwin = (3.0 * fps).round() as usize;
    let (mut music, mut total) = (0usize, 0usize);
    let mut s = 0;
    while s < n {
        let e = (s + mwin).min(n);
        let len = e - s;
        let act = active[s..e].iter().filter(|&&a| a).count();
        let speechy = speech_frames[s..e].iter().filter(|&&a| a).count();
        let clarity = pulse_clarity(&onset[s..e], fps);
        let dips = dip_share(&level[s..e]);
        let flat: Vec<f32> = spec.bands[s..e].iter().map(|b| b.flatness).collect();
        let flatness = percentile(&flat, 0.5);
        let is_music = act * 10 > len
            && (clarity >= PULSE_MUSIC
                || (dips < MUSIC_DIPS
                    && act * 2 > len
                    && speechy * 2 < len
                    && flatness < MAX_TONAL_FLATNESS));
        music += if is_music { len } else { 0 };
        total += len;
        s = e;
    }
    Presence {
        speech_ratio: (speech_time / duration).clamp(0.0, 1.0),
        music_ratio: if total > 0 {
            music as f64 / total as f64
        } else {
            0.0
        },
        speech,
        speech_frames,
        active,
    }
}

/// Share of frames more than [`DIP_DB`] below the window's 90th percentile: the
/// gaps between notes or words (near 0 for sustained music).
fn dip_share(level: &[f32]) -> f64 {
    let top = percentile(level, 0.9);
    let dips = level.iter().filter(|&&l| l < top - DIP_DB).count();
    dips as f64 / level.len().max(1) as f64
}

/// The measurements a speech window is judged on (see module docs).
#[derive(Debug, Clone, Copy, Default)]
pub struct WindowFeatures {
    /// Share of active frames.
    pub active: f64,
    /// Speech-band share of the energy above 150 Hz in active frames.
    pub band_share: f64,
    /// Syllabic modulation depth, dB.
    pub depth: f64,
    /// Spread of the spectral centroid, octaves.
    pub spread: f64,
    /// Pulse clarity of the surrounding 3 s.
    pub clarity: f64,
    /// Mean syllabic modulation depth of the individual mel bands of the speech band,
    /// dB (see [`band_depth`]).
    pub band_depth: f64,
}

/// Features of the speech window `a..b`.
pub fn window_features(
    spec: &Spectrogram,
    level: &[f32],
    active: &[bool],
    onset: &[f32],
    a: usize,
    b: usize,
) -> WindowFeatures {
    let act = active[a..b].iter().filter(|&&x| x).count();
    let (mut sp, mut tot) = (0f64, 0f64);
    for (f, _) in spec.bands[a..b]
        .iter()
        .zip(&active[a..b])
        .filter(|(_, &x)| x)
    {
        sp += f.speech as f64;
        // Rumble below 150 Hz is ignored: voice has little energy there.
        tot += (f.mid + f.high) as f64;
    }
    let lo = a.saturating_sub(spec.fps as usize);
    let hi = (b + spec.fps as usize).min(onset.len());
    WindowFeatures {
        active: act as f64 / (b - a).max(1) as f64,
        band_share: if tot > 0.0 { sp / tot } else { 0.0 },
        depth: modulation_depth(&level[a..b], spec.fps),
        spread: centroid_spread(&spec.bands[a..b], &active[a..b]),
        clarity: pulse_clarity(&onset[lo..hi], spec.fps),
        band_depth: band_depth(spec, a, b),
    }
}

/// The speech decision of one window (see module docs).
pub fn is_speech(w: &WindowFeatures) -> bool {
    let strong_shape = w.band_depth >= STRONG_SHAPE_DB;
    w.active >= 0.25
        && (w.band_share >= MIN_SPEECH_SHARE
            || (strong_shape && w.band_share >= MIN_LOW_VOICE_SHARE))
        && ((w.depth >= MIN_SYLLABIC_DB && w.band_depth >= MIN_SHAPE_DB)
            || (w.depth >= BED_SYLLABIC_DB && w.band_depth >= BED_SHAPE_DB))
        && w.spread >= MIN_CENTROID_OCTAVES
        && w.clarity < PULSE_SPEECH
}

fn speech_window(
    spec: &Spectrogram,
    level: &[f32],
    active: &[bool],
    onset: &[f32],
    a: usize,
    b: usize,
) -> bool {
    is_speech(&window_features(spec, level, active, onset, a, b))
}

/// Speech-band level (dB) and activity flags per frame, as used by [`analyze`].
pub fn levels(spec: &Spectrogram) -> (Vec<f32>, Vec<bool>) {
    let level: Vec<f32> = spec.bands.iter().map(|b| db(b.speech)).collect();
    let total: Vec<f32> = spec.bands.iter().map(|b| db(b.total())).collect();
    let loud = percentile(&total, 0.95);
    let active: Vec<bool> = total
        .iter()
        .map(|&l| l > (loud - ACTIVE_DB).max(SILENCE_DB))
        .collect();
    (level, active)
}

/// Runs of true frames as spans, bridging gaps shorter than `bridge_s` and dropping
/// runs shorter than `min_s`.
pub fn spans(flags: &[bool], fps: f64, bridge_s: f64, min_s: f64) -> Vec<Span> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < flags.len() {
        if flags[i] {
            let s = i;
            while i < flags.len() && flags[i] {
                i += 1;
            }
            match runs.last_mut() {
                Some(last) if (s - last.1) as f64 / fps < bridge_s => last.1 = i,
                _ => runs.push((s, i)),
            }
        } else {
            i += 1;
        }
    }
    runs.into_iter()
        .filter(|(s, e)| (e - s) as f64 / fps >= min_s)
        .map(|(s, e)| Span {
            start_s: s as f64 / fps,
            end_s: e as f64 / fps,
        })
        .collect()
}

/// Syllabic modulation depth (dB): standard deviation of the level minus its 0.5 s
/// moving average.
pub fn modulation_depth(level: &[f32], fps: f64) -> f64 {
    let x: Vec<f32> = level.iter().map(|&l| l.max(-100.0)).collect();
    let n = x.len();
    if n < 4 {
        return 0.0;
    }
    let half = (0.25 * fps).round() as usize;
    let mut acc = 0f64;
    for i in 0..n {
        let a = i.saturating_sub(half);
        let b = (i + half + 1).min(n);
        let m = x[a..b].iter().map(|&v| v as f64).sum::<f64>() / (b - a) as f64;
        acc += (x[i] as f64 - m).powi(2);
    }
    (acc / n as f64).sqrt()
}

/// Syllabic modulation of the spectral shape: the mean over the mel bands centred in
/// 300–3400 Hz of each band's [`modulation_depth`] over frames `a..b`, with the bands
/// floored [`SHAPE_RANGE_DB`] below the loudest of them in the window (so a quiet
/// passage is measured like a loud one and noise far below it adds nothing). Formants
/// and harmonics of a voice move from syllable to syllable, so each band swings more
/// than the summed level; held notes and chords leave the bands still.
pub fn band_depth(spec: &Spectrogram, a: usize, b: usize) -> f64 {
    let bands: Vec<usize> = (0..spec.mel_hz.len())
        .filter(|&k| (300.0..=3400.0).contains(&spec.mel_hz[k]))
        .collect();
    if bands.is_empty() || b <= a {
        return 0.0;
    }
    let mut flat = Vec::new();
    spec.mel_raw_rows(a, b, &mut flat);
    let rows: Vec<&[f32]> = flat.chunks_exact(spec.mel_raw.bands()).collect();
    let top = rows
        .iter()
        .flat_map(|r| bands.iter().map(|&k| r[k]))
        .fold(f32::NEG_INFINITY, f32::max);
    let floor = top - SHAPE_RANGE_DB;
    let mut acc = 0.0;
    let mut series = vec![0f32; b - a];
    for &k in &bands {
        for (v, row) in series.iter_mut().zip(&rows) {
            *v = row[k].max(floor);
        }
        acc += modulation_depth(&series, spec.fps);
    }
    acc / bands.len() as f64
}

/// Spread of the spectral centroid over active frames, octaves (standard deviation
/// of log2 centroid): voiced/unvoiced alternation makes it large in speech.
pub fn centroid_spread(bands: &[super::spectrum::FrameBands], active: &[bool]) -> f64 {
    let v: Vec<f64> = bands
        .iter()
        .zip(active)
        .filter(|(b, &a)| a && b.centroid > 0.0)
        .map(|(b, _)| (b.centroid as f64).log2())
        .collect();
    if v.len() < 4 {
        return 0.0;
    }
    let m = v.iter().sum::<f64>() / v.len() as f64;
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::spectrum;
    use std::f32::consts::PI;

    const RATE: u32 = 22_050;

    /// Harmonics of `f0` up to 4 kHz, each weighted by `weight(harmonic Hz)`.
    fn harmonic(f0: f32, t: f32, weight: &dyn Fn(f32) -> f32) -> f32 {
        (1..)
            .map(|h| h as f32 * f0)
            .take_while(|&f| f < 4000.0)
            .map(|f| weight(f) * (2.0 * PI * f * t).sin())
            .sum()
    }

    /// Windows of the middle of `x`: (level modulation dB, shape modulation dB).
    fn depths(x: &[f32]) -> (f64, f64) {
        let spec = spectrum::compute(x, RATE);
        let (level, _) = levels(&spec);
        let n = spec.frames();
        let (a, b) = (n / 4, n / 4 + spec.fps.round() as usize);
        (
            modulation_depth(&level[a..b], spec.fps),
            band_depth(&spec, a, b),
        )
    }

    #[test]
    fn moving_formants_at_a_steady_level_read_as_shape_modulation() {
        // A 150 Hz voice-like buzz whose single formant jumps between 500 Hz and
        // 2 kHz four times a second, normalised to a constant level: the speech-band
        // level barely moves, its spectral shape swings.
        let x: Vec<f32> = (0..3 * RATE)
            .map(|i| {
                let t = i as f32 / RATE as f32;
                let formant = if (t * 4.0).fract() < 0.5 {
                    500.0
                } else {
                    2000.0
                };
                let w = move |f: f32| (-((f - formant) / 150.0).powi(2)).exp();
                0.2 * harmonic(150.0, t, &w)
            })
            .collect();
        let (level, shape) = depths(&x);
        assert!(shape >= MIN_SHAPE_DB + 3.0, "shape {shape}");
        assert!(level < shape - 3.0, "level {level} shape {shape}");
    }

    #[test]
    fn a_held_chord_has_no_shape_modulation() {
        // Three sustained harmonic notes at a constant level.
        let flat = |_: f32| 1.0;
        let x: Vec<f32> = (0..3 * RATE)
            .map(|i| {
                let t = i as f32 / RATE as f32;
                0.05 * (harmonic(220.0, t, &flat)
                    + harmonic(277.2, t, &flat)
                    + harmonic(329.6, t, &flat))
            })
            .collect();
        let (level, shape) = depths(&x);
        assert!(shape < MIN_SHAPE_DB / 2.0, "shape {shape}");
        assert!(level < 1.0, "level {level}");
    }

    #[test]
    fn quiet_passages_measure_like_loud_ones() {
        // The same formant-jumping buzz at full level for 3 s, then 30 dB down: the
        // window-relative floor keeps the quiet part's shape modulation.
        let buzz = |t: f32, gain: f32| {
            let formant = if (t * 4.0).fract() < 0.5 {
                500.0
            } else {
                2000.0
            };
            let w = move |f: f32| (-((f - formant) / 150.0).powi(2)).exp();
            gain * harmonic(150.0, t, &w)
        };
        let x: Vec<f32> = (0..6 * RATE)
            .map(|i| {
                let t = i as f32 / RATE as f32;
                buzz(t, if t < 3.0 { 0.2 } else { 0.2 * 10f32.powf(-1.5) })
            })
            .collect();
        let spec = spectrum::compute(&x, RATE);
        let w = spec.fps.round() as usize;
        let loud = band_depth(&spec, w, 2 * w);
        let quiet = band_depth(&spec, 4 * w, 5 * w);
        assert!((loud - quiet).abs() < 1.0, "loud {loud} quiet {quiet}");
    }

    #[test]
    fn the_decision_needs_both_modulations_and_a_voice_band() {
        let speech = WindowFeatures {
            active: 1.0,
            band_share: 0.6,
            depth: 8.0,
            spread: 0.8,
            clarity: 0.3,
            band_depth: 7.0,
        };
        assert!(is_speech(&speech));
        // Level swings without formant movement (note attacks and decays).
        assert!(!is_speech(&WindowFeatures {
            band_depth: MIN_SHAPE_DB - 0.5,
            ..speech
        }));
        // A voice over a bed: less level swing, more band swing.
        let bed = WindowFeatures {
            depth: BED_SYLLABIC_DB + 0.5,
            band_depth: BED_SHAPE_DB,
            ..speech
        };
        assert!(is_speech(&bed));
        assert!(!is_speech(&WindowFeatures {
            band_depth: BED_SHAPE_DB - 0.5,
            ..bed
        }));
        assert!(!is_speech(&WindowFeatures {
            depth: BED_SYLLABIC_DB - 0.5,
            ..bed
        }));
        // A low voice: little energy in 300-3400 Hz, accepted only with strong shape
        // modulation.
        let low = WindowFeatures {
            band_share: 0.3,
            ..speech
        };
        assert!(!is_speech(&low));
        assert!(is_speech(&WindowFeatures {
            band_depth: STRONG_SHAPE_DB,
            ..low
        }));
        assert!(!is_speech(&WindowFeatures {
            band_share: MIN_LOW_VOICE_SHARE - 0.05,
            band_depth: STRONG_SHAPE_DB,
            ..low
        }));
        // A steady beat vetoes.
        assert!(!is_speech(&WindowFeatures {
            clarity: PULSE_SPEECH,
            ..speech
        }));
    }
}
