//! Speech and music presence from the shared spectrogram.
//!
//! Activity is decided per frame, speech over overlapping 1 s windows:
//! - **active**: frame level within [`ACTIVE_DB`] of the programme's loud level (its
//!   95th percentile) and above [`SILENCE_DB`];
//! - **speech window** (1 s, hop 0.25 s; a frame is speech when most windows covering
//!   it are): the speech band holds at least [`MIN_SPEECH_SHARE`] of the energy above
//!   150 Hz, the level shows syllabic modulation (standard deviation around its 0.5 s
//!   moving average ≥ [`MIN_SYLLABIC_DB`]), the spectral centroid alternates between
//!   voiced and unvoiced sounds (spread ≥ [`MIN_CENTROID_OCTAVES`]) and there is no
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
    let level: Vec<f32> = spec.bands.iter().map(|b| db(b.speech)).collect();
    let total: Vec<f32> = spec.bands.iter().map(|b| db(b.total())).collect();
    let loud = percentile(&total, 0.95);
    let active: Vec<bool> = total
        .iter()
        .map(|&l| l > (loud - ACTIVE_DB).max(SILENCE_DB))
        .collect();

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

fn speech_window(
    spec: &Spectrogram,
    level: &[f32],
    active: &[bool],
    onset: &[f32],
    a: usize,
    b: usize,
) -> bool {
    let act = active[a..b].iter().filter(|&&x| x).count();
    if act * 4 < (b - a) {
        return false;
    }
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
    let band_share = if tot > 0.0 { sp / tot } else { 0.0 };
    let depth = modulation_depth(&level[a..b], spec.fps);
    let spread = centroid_spread(&spec.bands[a..b], &active[a..b]);
    let lo = a.saturating_sub(spec.fps as usize);
    let hi = (b + spec.fps as usize).min(onset.len());
    let clarity = pulse_clarity(&onset[lo..hi], spec.fps);
    band_share >= MIN_SPEECH_SHARE
        && depth >= MIN_SYLLABIC_DB
        && spread >= MIN_CENTROID_OCTAVES
        && clarity < PULSE_SPEECH
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
