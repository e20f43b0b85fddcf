//! Audio analysers over mono analysis samples and full-rate loudness audio.
//!
//! One short-time spectrum ([`spectrum`]) feeds every analyser: onset strength
//! ([`onset`]), tempo with metrical-level selection ([`tempo`]), dynamic-programming
//! beat tracking with per-beat confidence and band ([`beats`]), speech and music
//! presence ([`presence`]), spectral balance, dynamics and speech treatment
//! ([`dynamics`]). Definitions and
//! measured accuracy are in `docs/AUDIO.md`.

pub mod beats;
pub mod dynamics;
pub mod loudness;
pub mod metrics;
pub mod onset;
pub mod presence;
pub mod spectrum;
pub mod tempo;

use stylecut_types::{AudioFeatures, Beat, Loudness, Span};

pub use loudness::LoudnessMeter;

/// Share of music windows below which the programme has no tempo and no beats.
pub const MIN_MUSIC_RATIO: f64 = 0.4;

/// Everything measured from the audio of one input.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioReport {
    pub loudness: Loudness,
    pub tempo_bpm: Option<f64>,
    pub beats: Vec<Beat>,
    pub speech_segments: Vec<Span>,
    pub features: AudioFeatures,
}

/// Analyses mono samples at `rate` Hz. `loudness` comes from a [`LoudnessMeter`] fed
/// with the full-rate audio of the same input. `progress` receives 0..1.
pub fn analyze(
    mono: &[f32],
    rate: u32,
    loudness: Loudness,
    progress: &mut dyn FnMut(f64),
) -> AudioReport {
    let spec = spectrum::compute(mono, rate);
    progress(0.4);
    let on = onset::compute(&spec);
    let pres = presence::analyze(&spec, &on.all);
    progress(0.6);
    // No tempo without music: a programme needs at least [`MIN_MUSIC_RATIO`] of
    // music windows before beats are tracked.
    let cands = if pres.music_ratio >= MIN_MUSIC_RATIO {
        tempo::candidates(&on, spec.fps)
    } else {
        Vec::new()
    };
    progress(0.9);
    let reach = (0.035 * spec.fps).round() as usize;
    let window = (4.0 * spec.fps).round() as usize;
    let means = on
        .band
        .each_ref()
        .map(|b| b.iter().sum::<f32>() / b.len().max(1) as f32);
    let (tempo_bpm, beat_list) = match cands.first().filter(|c| c.score > 0.0) {
        Some(c) => (
            Some(c.bpm),
            c.beats
                .iter()
                .map(|&f| Beat {
                    time_s: spec.time(f),
                    confidence: beats::confidence(&on.all, f, reach, window),
                    band: beats::band_at(&on.band, means, f, reach),
                })
                .collect(),
        ),
        None => (None, Vec::new()),
    };
    progress(1.0);
    AudioReport {
        loudness,
        tempo_bpm,
        beats: beat_list,
        features: AudioFeatures {
            has_audio: true,
            bass_excess_db: dynamics::bass_excess_db(&spec, &pres.active),
            estimated_compression_ratio: dynamics::compression_ratio(mono, rate),
            speech_ratio: pres.speech_ratio,
            music_ratio: pres.music_ratio,
            speech_enhanced: dynamics::speech_enhanced(&spec, &pres),
        },
        speech_segments: pres.speech,
    }
}
