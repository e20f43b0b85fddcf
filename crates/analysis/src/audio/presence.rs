//! Speech and music presence from the shared spectrogram and the voice activity model.
//!
//! - **active** (per frame): frame level within [`ACTIVE_DB`] of the programme's loud
//!   level (its 95th percentile) and above [`SILENCE_DB`];
//! - **speech**: the segments of the Silero voice activity model ([`super::vad`]); a
//!   frame is speech when it is active and its time lies inside a segment;
//! - **music window** (3 s): at least 10 % active, and either a clear pulse
//!   (pulse clarity ≥ [`PULSE_MUSIC`]) or mostly active sustained tonal sound (dip share
//!   below [`MUSIC_DIPS`], median spectral flatness below [`MAX_TONAL_FLATNESS`]) that
//!   is mostly not speech.
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
pub const PULSE_MUSIC: f64 = 0.5;
pub const MUSIC_DIPS: f64 = 0.25;
/// Median spectral flatness above which sustained sound counts as noise, not music.
pub const MAX_TONAL_FLATNESS: f32 = 0.3;

/// Result of the presence analysis.
#[derive(Debug, Clone, Default)]
pub struct Presence {
    pub speech_ratio: f64,
    pub music_ratio: f64,
    /// Per-frame speech flag (active and inside a speech segment), for the
    /// speech-treatment analysis.
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

/// Per-frame flags of frames whose time lies inside one of `speech` (sorted, disjoint).
pub fn speech_flags(speech: &[Span], frames: usize, fps: f64) -> Vec<bool> {
    let mut flags = vec![false; frames];
    for s in speech {
        // A frame exactly on a boundary must not flip with rounding (0.3 × 10 is
        // 3.0000000000000004).
        let first = |t: f64| ((t * fps - 1e-6).ceil().max(0.0) as usize).min(frames);
        let (a, b) = (first(s.start_s), first(s.end_s));
        flags[a..b.max(a)].iter_mut().for_each(|f| *f = true);
    }
    flags
}

/// Activity, music share and the speech frames of the spectrogram, with `speech` the
/// voice activity model's segments of the same audio. `speech_ratio` is their share of
/// the programme's duration.
pub fn analyze(spec: &Spectrogram, onset: &[f32], speech: &[Span]) -> Presence {
    let n = spec.frames();
    if n == 0 {
        return Presence::default();
    }
    let fps = spec.fps;
    let (level, active) = levels(spec);
    let speech_frames: Vec<bool> = speech_flags(speech, n, fps)
        .into_iter()
        .zip(&active)
        .map(|(s, &a)| s && a)
        .collect();
    let duration = n as f64 / fps;
    let speech_time: f64 = speech
        .iter()
        .map(|s| (s.end_s.min(duration) - s.start_s.max(0.0)).max(0.0))
        .sum();

    let mwin = (3.0 * fps).round() as usize;
    let (mut music, mut total) = (0usize, 0usize);
    let mut s = 0;
    while s < n {
        let e = (s + mwin).min(n);
        let len = e - s;
        let act = active[s..e].iter().filter(|&&a| a).count();
        let clarity = pulse_clarity(&onset[s..e], fps);
        let dips = dip_share(&level[s..e]);
        let flat: Vec<f32> = spec.bands[s..e].iter().map(|b| b.flatness).collect();
        let flatness = percentile(&flat, 0.5);
        let is_music = act * 10 > len
            && (clarity >= PULSE_MUSIC
                || (dips < MUSIC_DIPS && act * 2 > len && flatness < MAX_TONAL_FLATNESS));
        music += if is_music { len } else { 0 };
        total += len;
        s = e;
    }
    Presence {
        // A sum of no spans is −0.0, which the document would print as "-0.0".
        speech_ratio: if speech_time > 0.0 {
            (speech_time / duration).min(1.0)
        } else {
            0.0
        },
        music_ratio: if total > 0 {
            music as f64 / total as f64
        } else {
            0.0
        },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speech_flags_cover_the_frames_inside_the_segments() {
        let span = |start_s, end_s| Span { start_s, end_s };
        // Frame i is at i / 10 s; a segment holds the frames in start..end.
        let f = speech_flags(&[span(0.1, 0.3), span(0.95, 2.0)], 12, 10.0);
        let on: Vec<usize> = (0..12).filter(|&i| f[i]).collect();
        assert_eq!(on, vec![1, 2, 10, 11]);
        assert!(speech_flags(&[span(5.0, 6.0)], 12, 10.0)
            .iter()
            .all(|&x| !x));
    }
}
