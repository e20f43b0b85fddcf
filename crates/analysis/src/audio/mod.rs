//! Audio analysers over mono analysis samples and full-rate loudness audio.
//!
//! One short-time spectrum ([`spectrum`]) feeds every analyser: onset strength
//! ([`onset`]), tempo with metrical-level selection ([`tempo`]), dynamic-programming
//! beat tracking with per-beat confidence and band ([`beats`]), music presence
//! ([`presence`]), spectral balance, dynamics and speech treatment ([`dynamics`]).
//! Speech is found by the Silero voice activity model on 16 kHz audio ([`vad`]), which
//! the caller runs and hands in. Definitions and measured accuracy are in
//! `docs/AUDIO.md`.

pub mod beats;
pub mod dynamics;
pub mod loudness;
pub mod metrics;
pub mod onset;
pub mod pauses;
pub mod presence;
pub mod rows;
pub mod spectrum;
pub mod tempo;
pub mod vad;

#[cfg(test)]
use stylecut_types::Band;
use stylecut_types::{AudioFeatures, Beat, Loudness, Span};

pub use loudness::LoudnessMeter;

use crate::video::spill::SpillConfig;

/// Share of music windows below which the programme has no tempo and no beats.
pub const MIN_MUSIC_RATIO: f64 = 0.4;

/// Everything measured from the audio of one input.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioReport {
    pub loudness: Loudness,
    pub tempo_bpm: Option<f64>,
    pub beats: Vec<Beat>,
    pub speech_segments: Vec<Span>,
    /// Pauses between words inside the speech segments ([`pauses`]); the caller sets them
    /// from the same [`vad::Speech`] as the segments (empty from [`analyze`]).
    pub speech_pauses: Vec<Span>,
    pub features: AudioFeatures,
}

/// Analyses mono samples at `rate` Hz, all in memory: [`AudioAnalyzer`] fed the whole
/// buffer at once. `loudness` comes from a [`LoudnessMeter`] fed with the full-rate audio
/// of the same input, `speech` from a [`vad::Vad`] fed with its 16 kHz audio (they become
/// the report's speech segments). `progress` receives 0..1.
pub fn analyze(
    mono: &[f32],
    rate: u32,
    loudness: Loudness,
    speech: Vec<Span>,
    progress: &mut dyn FnMut(f64),
) -> AudioReport {
    let mut a = AudioAnalyzer::new(rate, None);
    a.push(mono);
    a.finish(loudness, speech, progress)
}

/// The audio analysis of one input, fed its mono samples in chunks of any size as they
/// are read, so a long programme is never held whole: [`AudioAnalyzer::push`] computes
/// the spectrogram frames whose windows are complete ([`spectrum::SpectrumStream`], one
/// FFT window of samples held), spills their mel rows past
/// [`SpillConfig::after_frames`] ([`rows::MelRows`]) and measures the 400 ms block levels
/// ([`dynamics::BlockLevels`]); [`AudioAnalyzer::finish`] runs the steps that need the
/// whole programme (onsets, presence, tempo, beats) over the per-frame values, reading the
/// spilled rows back in order or in 1 s windows. The report is the one [`analyze`] makes
/// from the whole buffer, bit for bit, whatever the chunking.
///
/// Speech segments come from the Silero voice activity model ([`vad::Vad`]), which the
/// caller runs on the input's 16 kHz audio and hands to [`AudioAnalyzer::finish`].
pub struct AudioAnalyzer {
    spectrum: spectrum::SpectrumStream,
    levels: dynamics::BlockLevels,
    /// The chunk with non-finite samples zeroed, when it had any.
    clean: Vec<f32>,
}

impl AudioAnalyzer {
    /// An analysis of mono samples at `rate` Hz; the spectrogram's mel rows spill as
    /// `spill` says (all in memory when `None`).
    pub fn new(rate: u32, spill: Option<SpillConfig>) -> AudioAnalyzer {
        AudioAnalyzer {
            spectrum: spectrum::SpectrumStream::new(rate, spill),
            levels: dynamics::BlockLevels::new(rate),
            clean: Vec::new(),
        }
    }

    /// Takes the next mono samples of the programme.
    pub fn push(&mut self, mono: &[f32]) {
        // Decoders never emit NaN or infinities, but a corrupt buffer must not poison
        // every statistic downstream.
        let mono = if mono.iter().all(|x| x.is_finite()) {
            mono
        } else {
            self.clean.clear();
            self.clean
                .extend(mono.iter().map(|&x| if x.is_finite() { x } else { 0.0 }));
            &self.clean
        };
        self.spectrum.push(mono);
        self.levels.push(mono);
    }

    /// Why the spectrogram stayed in memory, when its scratch file failed.
    pub fn spill_error(&self) -> Option<&str> {
        self.spectrum.mel_rows().spill_error()
    }

    /// Mel rows held in memory so far (the rest are spilled).
    pub fn rows_in_memory(&self) -> usize {
        self.spectrum.mel_rows().rows_in_memory()
    }

    /// Samples held in memory so far.
    pub fn samples_held(&self) -> usize {
        self.spectrum.samples_held()
    }

    /// Finishes the analysis. `loudness` comes from a [`LoudnessMeter`] fed with the
    /// full-rate audio of the same input, `speech` from a [`vad::Vad`] fed with its 16 kHz
    /// audio. `progress` receives 0.4..1.
    pub fn finish(
        self,
        loudness: Loudness,
        speech: Vec<Span>,
        progress: &mut dyn FnMut(f64),
    ) -> AudioReport {
        let _t = crate::timings::stage("analysis: audio finish: onsets, presence, tempo, beats");
        let spec = self.spectrum.finish();
        progress(0.4);
        let on = onset::compute(&spec);
        let pres = presence::analyze(&spec, &on.all, &speech);
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
                tempo::final_beats(&on, spec.fps, c.period)
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
                estimated_compression_ratio: self.levels.compression_ratio(),
                speech_ratio: pres.speech_ratio,
                music_ratio: pres.music_ratio,
                speech_enhanced: dynamics::speech_enhanced(&spec, &pres),
            },
            speech_segments: speech,
            speech_pauses: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Loudness = Loudness {
        integrated_lufs: None,
        range_lu: None,
        true_peak_dbtp: None,
    };

    /// A click track: a 1.5 kHz blip with a 30 ms decay on every beat, a 60 Hz kick
    /// under every `accent`-th beat, over a faint noise floor.
    fn clicks(bpm: f64, seconds: f64, rate: u32, accent: usize) -> Vec<f32> {
        let n = (seconds * rate as f64) as usize;
        let mut seed = 7u32;
        let mut x: Vec<f32> = (0..n)
            .map(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                ((seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * 2e-3
            })
            .collect();
        let period = 60.0 / bpm;
        let mut k = 0usize;
        loop {
            let start = ((0.25 + k as f64 * period) * rate as f64) as usize;
            if start >= n {
                break;
            }
            for i in 0..(0.12 * rate as f64) as usize {
                if start + i >= n {
                    break;
                }
                let t = i as f32 / rate as f32;
                let mut v =
                    0.5 * (-t / 0.03).exp() * (2.0 * std::f32::consts::PI * 1500.0 * t).sin();
                if k.is_multiple_of(accent) {
                    v += 0.6 * (-t / 0.08).exp() * (2.0 * std::f32::consts::PI * 60.0 * t).sin();
                }
                x[start + i] += v;
            }
            k += 1;
        }
        x
    }

    /// A deterministic uniform noise source in −0.5..0.5 (a linear congruential generator).
    fn lcg_noise(mut seed: u32) -> impl FnMut() -> f32 {
        move || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        }
    }

    /// A 4/4 rock pattern at 22 050 Hz: kick on beats 1 and 3, snare on 2 and 4, a
    /// hi-hat on every eighth note, over a faint noise floor. The beat is the quarter.
    fn drums(bpm: f64, seconds: f64) -> Vec<f32> {
        let rate = 22_050.0f64;
        let n = (seconds * rate) as usize;
        let mut noise = lcg_noise(99u32);
        let mut x: Vec<f32> = (0..n).map(|_| noise() * 2e-3).collect();
        let period = 60.0 / bpm;
        let two_pi = 2.0 * std::f32::consts::PI;
        let mut k = 0usize;
        loop {
            let beat = 0.5 + k as f64 * period;
            if beat >= seconds {
                break;
            }
            let start = (beat * rate) as usize;
            let mut prev = 0f32;
            for i in 0..(0.25 * rate) as usize {
                if start + i >= n {
                    break;
                }
                let t = i as f32 / rate as f32;
                let v = if k.is_multiple_of(2) {
                    // Kick: a sine swept from 120 down to 50 Hz.
                    let phase = two_pi * (50.0 * t + 70.0 * (1.0 - (-t * 30.0).exp()) / 30.0);
                    0.9 * (-t * 12.0).exp() * phase.sin()
                } else {
                    // Snare: noise and a 180 Hz body.
                    (-t * 20.0).exp() * (0.5 * noise() + 0.4 * (two_pi * 180.0 * t).sin())
                };
                x[start + i] += v;
            }
            for hat in [beat, beat + period / 2.0] {
                let s = (hat * rate) as usize;
                for i in 0..(0.05 * rate) as usize {
                    if s + i >= n {
                        break;
                    }
                    let t = i as f32 / rate as f32;
                    // First difference of noise: a crude high-pass.
                    let w = noise();
                    x[s + i] += 0.3 * (w - prev) * (-t * 80.0).exp();
                    prev = w;
                }
            }
            k += 1;
        }
        x
    }

    #[test]
    fn slow_drum_patterns_read_at_the_quarter_note() {
        // Hats on eighths give twice the salient onsets of the quarter-note level; the
        // eighths alternate kick/snare with hat-only beats, so they must not win.
        for bpm in [60.0, 75.0] {
            let r = analyze(&drums(bpm, 16.0), 22_050, NONE, Vec::new(), &mut |_| {});
            let t = r.tempo_bpm.unwrap_or(0.0);
            assert!((t / bpm - 1.0).abs() < 0.03, "{bpm} BPM drums read {t}");
        }
    }

    /// A swing-jazz figure at 22 050 Hz: a walking bass note (a plucked low tone, four
    /// pitches in turn) and a ride-cymbal stroke on every beat, the swung skip stroke of
    /// the ride two thirds into beats 2 and 4, over a faint noise floor.
    fn swing(bpm: f64, seconds: f64) -> Vec<f32> {
        let rate = 22_050.0f64;
        let n = (seconds * rate) as usize;
        let mut noise = lcg_noise(5u32);
        let mut x: Vec<f32> = (0..n).map(|_| noise() * 2e-3).collect();
        let period = 60.0 / bpm;
        let two_pi = 2.0 * std::f32::consts::PI;
        let mut k = 0usize;
        loop {
            let beat = 0.3 + k as f64 * period;
            if beat >= seconds {
                break;
            }
            let start = (beat * rate) as usize;
            let f0 = [55.0f32, 65.4, 73.4, 82.4][k % 4];
            for i in 0..(0.2 * rate) as usize {
                if start + i >= n {
                    break;
                }
                let t = i as f32 / rate as f32;
                let pluck = (-t * 15.0).exp() * (1.0 - (-t * 400.0).exp());
                x[start + i] += 0.6 * pluck * (two_pi * f0 * t).sin()
                    + 0.2 * pluck * (two_pi * 2.0 * f0 * t).sin();
            }
            let mut strokes = vec![(beat, 0.25f32)];
            if k % 2 == 1 {
                strokes.push((beat + period * 2.0 / 3.0, 0.15));
            }
            for (at, amp) in strokes {
                let s = (at * rate) as usize;
                let mut prev = 0f32;
                for i in 0..(0.15 * rate) as usize {
                    if s + i >= n {
                        break;
                    }
                    let t = i as f32 / rate as f32;
                    let w = noise();
                    x[s + i] += amp * (w - prev) * (-t * 25.0).exp();
                    prev = w;
                }
            }
            k += 1;
        }
        x
    }

    #[test]
    fn fast_drum_patterns_read_at_the_quarter_note() {
        // At 186 and 200 BPM the half-note level (kicks only, 93/100 BPM) is nearer the
        // tempo prior's centre; the kick/snare alternation of the quarter notes decides.
        for bpm in [186.0, 200.0] {
            let r = analyze(&drums(bpm, 16.0), 22_050, NONE, Vec::new(), &mut |_| {});
            let t = r.tempo_bpm.unwrap_or(0.0);
            assert!((t / bpm - 1.0).abs() < 0.03, "{bpm} BPM drums read {t}");
        }
    }

    #[test]
    fn fast_swing_reads_at_the_walking_bass() {
        // A walking bass and a ride on every beat at 280 BPM: read at 140 BPM, the
        // half-way points carry as much bass as the beats, so the beat is the faster level.
        let bpm = 280.0;
        let r = analyze(&swing(bpm, 12.0), 22_050, NONE, Vec::new(), &mut |_| {});
        let t = r.tempo_bpm.unwrap_or(0.0);
        assert!((t / bpm - 1.0).abs() < 0.03, "{bpm} BPM swing read {t}");
    }

    #[test]
    fn a_one_bar_excerpt_reads_the_tempo_of_its_beats() {
        // Three or four beats of kick/snare in a 3-second excerpt: every candidate with
        // two or more intervals reports the spacing of its beats, not its
        // autocorrelation lag (several lags track the same few beats, and the one
        // nearest the prior's centre used to win: 87.5 BPM read 65.6), so the excerpt
        // reads its tempo.
        for bpm in [85.0, 87.5, 90.0, 95.0] {
            let x = drums(bpm, 3.0);
            let spec = spectrum::compute(&x, 22_050);
            let on = onset::compute(&spec);
            for c in tempo::candidates(&on, spec.fps) {
                let mut ibi: Vec<usize> = c.beats.windows(2).map(|w| w[1] - w[0]).collect();
                ibi.sort_unstable();
                if ibi.len() >= 2 {
                    let m = ibi[ibi.len() / 2] as f64;
                    assert!(
                        (m / c.period - 1.0).abs() < 0.08,
                        "{bpm}: {} vs {m}",
                        c.period
                    );
                }
            }
            let r = analyze(&x, 22_050, NONE, Vec::new(), &mut |_| {});
            let t = r.tempo_bpm.unwrap_or(0.0);
            assert!((t / bpm - 1.0).abs() < 0.03, "{bpm} BPM excerpt read {t}");
        }
    }

    #[test]
    fn fast_drum_beats_follow_the_reported_tempo() {
        // At 190 BPM the beats must sit on the quarter-note grid (kicks and snares) and
        // be spaced by the reported tempo's period, whichever level is reported.
        let bpm = 190.0;
        let r = analyze(&drums(bpm, 16.0), 22_050, NONE, Vec::new(), &mut |_| {});
        let t = r.tempo_bpm.unwrap_or(0.0);
        let grid = 60.0 / bpm;
        let on_grid = r
            .beats
            .iter()
            .filter(|b| {
                let k = ((b.time_s - 0.5) / grid).round();
                (b.time_s - 0.5 - k * grid).abs() < 0.03
            })
            .count();
        assert!(on_grid * 10 >= r.beats.len() * 9, "{t}: {:?}", r.beats);
        let mut ibi: Vec<f64> = r
            .beats
            .windows(2)
            .map(|w| w[1].time_s - w[0].time_s)
            .collect();
        ibi.sort_by(f64::total_cmp);
        let median = ibi[ibi.len() / 2];
        assert!(
            (median * t / 60.0 - 1.0).abs() < 0.04,
            "{t} BPM, median IBI {median}"
        );
    }

    #[test]
    fn every_candidate_is_tracked_at_its_own_tempo() {
        // A candidate reports the tempo its beats follow and carries the period they
        // were tracked at: the final beats are tracked at that period.
        for bpm in [60.0, 120.0, 190.0] {
            let x = drums(bpm, 16.0);
            let spec = spectrum::compute(&x, 22_050);
            let on = onset::compute(&spec);
            for c in tempo::candidates(&on, spec.fps) {
                assert!((60.0 * spec.fps / c.period / c.bpm - 1.0).abs() < 1e-9);
                let mut ibi: Vec<usize> = c.beats.windows(2).map(|w| w[1] - w[0]).collect();
                ibi.sort_unstable();
                if ibi.len() >= tempo::MIN_INTERVALS {
                    let m = ibi[ibi.len() / 2] as f64;
                    assert!(
                        (m / c.period - 1.0).abs() < 0.08,
                        "{bpm}: {} vs {m}",
                        c.period
                    );
                }
            }
        }
    }

    fn check(bpm: f64, rate: u32) {
        let x = clicks(bpm, 20.0, rate, 4);
        let r = analyze(&x, rate, NONE, Vec::new(), &mut |_| {});
        let t = r.tempo_bpm.unwrap_or(0.0);
        assert!(
            (t / bpm - 1.0).abs() < 0.02,
            "{bpm} BPM at {rate} Hz read {t}"
        );
        let period = 60.0 / bpm;
        // Tracked beats sit on the clicks (within 30 ms) with high confidence; the DP
        // may place one beat at the very end of the programme off the grid.
        let on_grid = r
            .beats
            .iter()
            .filter(|b| {
                let phase = ((b.time_s - 0.25) / period).round() * period + 0.25;
                (b.time_s - phase).abs() < 0.03 && b.confidence > 0.8
            })
            .count();
        assert!(
            on_grid + 1 >= r.beats.len(),
            "{bpm} at {rate}: {:?}",
            r.beats
        );
        assert!(r.beats.len() as f64 >= 0.8 * 19.0 / period);
        assert!(r.features.music_ratio > 0.5);
    }

    #[test]
    fn click_tracks_at_known_tempi() {
        for bpm in [60.0, 90.0, 120.0, 150.0, 180.0] {
            check(bpm, 22_050);
        }
    }

    #[test]
    fn other_rates_work() {
        check(100.0, 8_000);
        check(128.0, 48_000);
    }

    #[test]
    fn kicks_are_bass_beats() {
        let x = clicks(120.0, 12.0, 22_050, 1);
        let r = analyze(&x, 22_050, NONE, Vec::new(), &mut |_| {});
        let bass = r.beats.iter().filter(|b| b.band == Band::Bass).count();
        assert!(bass * 10 >= r.beats.len() * 8, "{:?}", r.beats);
    }

    #[test]
    fn silence_and_noise_have_no_tempo() {
        let r = analyze(
            &vec![0.0; 22_050 * 10],
            22_050,
            NONE,
            Vec::new(),
            &mut |_| {},
        );
        assert_eq!(r.tempo_bpm, None);
        assert!(r.beats.is_empty());
        // No speech is +0.0, not the −0.0 of an empty sum (printed "-0.0" in the JSON).
        assert!(r.features.speech_ratio == 0.0 && r.features.speech_ratio.is_sign_positive());
        let mut seed = 1u32;
        let noise: Vec<f32> = (0..22_050 * 10)
            .map(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            })
            .collect();
        let r = analyze(&noise, 22_050, NONE, Vec::new(), &mut |_| {});
        assert_eq!(r.tempo_bpm, None, "{:?}", r.features);
    }

    #[test]
    fn progress_is_monotonic_and_bad_samples_are_ignored() {
        let mut x = clicks(100.0, 12.0, 22_050, 4);
        x[5000] = f32::NAN;
        x[9000] = f32::INFINITY;
        let mut seen = Vec::new();
        let r = analyze(&x, 22_050, NONE, Vec::new(), &mut |p| seen.push(p));
        assert!(seen.windows(2).all(|w| w[1] >= w[0]), "{seen:?}");
        assert_eq!(seen.last(), Some(&1.0));
        let t = r.tempo_bpm.unwrap_or(0.0);
        assert!((t / 100.0 - 1.0).abs() < 0.02, "{t}");
        assert!(r.features.bass_excess_db.is_some_and(f64::is_finite));
    }

    #[test]
    fn a_long_programme_streamed_in_chunks_holds_a_window_and_reads_as_a_whole() {
        // 70 s of drums at 120 BPM (6 000 frames), a NaN in it, fed in chunks of
        // 3 001 samples (frames and hops split at shifting offsets), the mel rows spilled
        // past 300: the report is the whole-buffer report, and the analysis never holds
        // more than a page of rows and a chunk and a window of samples.
        let mut x = drums(120.0, 70.0);
        x[400_000] = f32::NAN;
        let whole = analyze(&x, 22_050, NONE, Vec::new(), &mut |_| {});
        assert!(whole.tempo_bpm.is_some() && whole.beats.len() > 100);
        let dir = tempfile::tempdir().unwrap();
        let mut a = AudioAnalyzer::new(
            22_050,
            Some(SpillConfig {
                dir: dir.path().into(),
                after_frames: 300,
            }),
        );
        let (mut rows, mut samples) = (0, 0);
        for c in x.chunks(3_001) {
            a.push(c);
            rows = rows.max(a.rows_in_memory());
            samples = samples.max(a.samples_held());
        }
        assert_eq!(a.spill_error(), None);
        assert!(rows <= 300 + 1, "{rows} rows held");
        assert!(
            samples <= (1 << 16) + 3_001 + 1_024,
            "{samples} samples held"
        );
        let mut seen = Vec::new();
        let streamed = a.finish(NONE, Vec::new(), &mut |p| seen.push(p));
        assert_eq!(seen.last(), Some(&1.0));
        assert_eq!(streamed, whole);
    }

    #[test]
    fn empty_input_is_fine() {
        let r = analyze(&[], 22_050, NONE, Vec::new(), &mut |_| {});
        assert_eq!(r.tempo_bpm, None);
        assert_eq!(r.features.speech_ratio, 0.0);
    }
}
