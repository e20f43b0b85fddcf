//! The audio chain: speech enhancement, bass shelf, compression and two-pass loudness
//! normalisation, in that order, after the edit (trims and crossfades).
//!
//! * `enhance_speech`: `highpass` at 80 Hz, `afftdn` (12 dB reduction, −45 dB floor),
//!   presence `equalizer` +3 dB at 3 kHz (skipped when the source is already enhanced).
//! * Bass: a `bass` shelf at 150 Hz with gain = the template's shelf dB
//!   (`audio_map::shelf_gain_db_from_bass_boost`) minus the source's measured low-band
//!   excess, clamped to ±12 dB; skipped under 0.25 dB.
//! * Compression: `acompressor` with ratio = template ratio / source ratio (compression
//!   stacks multiplicatively; never expands), threshold 2 dB above the source's integrated
//!   loudness (−40..−6 dBFS), 20 ms attack, 250 ms release.
//! * Loudness: two passes to `audio_map::lufs_from_normalization_level`, true peak −1 dBTP.
//!   A first, audio-only pass measures the *edited and processed* audio
//!   ([`AudioPlan::measure_filters`]); the render then applies the gain that puts it on the
//!   target, `volume=G dB` with `G = target − measured I` ([`AudioPlan::normalize_filters`]).
//!   When that gain would push the true peak within [`LIMITER_HEADROOM_DB`] of −1 dBTP, an
//!   `alimiter` (lookahead, delay compensated) on the sound upsampled 4× holds the true
//!   peak that far below it ([`Normalization`]). The limiter takes loudness away: check
//!   passes measure the limited sound and raise the gain ([`Normalization::next`], capped
//!   by [`MAX_MAKEUP_DB`]); after the encode the render measures the delivered file and,
//!   when the AAC encoder pushed the true peak over the ceiling, lowers the limit and
//!   encodes the sound again ([`Normalization::lowered`], [`DeliveredAudio`]).
//! * The measuring pass runs `loudnorm` in its linear mode at unity gain (its `measured_*`
//!   options set to the target, a low true peak and a narrow range, so the gain is 0 dB and
//!   the linear-mode test passes), which measures integrated loudness, range and threshold
//!   at 48 kHz and leaves the samples alone, followed by
//!   `ebur128=peak=true` for the true peak (4× oversampled).
//!
//! Until `s3-render` both passes were loudnorm itself: a first pass in its dynamic mode, then
//! `linear=true` with the measured values, falling back to the dynamic mode when the peaks
//! did not fit. The dynamic mode resamples to 192 kHz and runs a gain control and limiter
//! there (on the BBB 30 s edit: 1.12 s CPU for the old measuring pass against 0.32 s, and
//! 2.3 s against 1.1 s for the render's audio with its AAC encode). Its printed `input_i`
//! also read 0.4 LU low on that edit (−25.34 against −24.95 LUFS from loudnorm's linear mode
//! at 192 kHz and −24.91 at 48 kHz): at the end of the stream it sends its ≈ 3 s buffer
//! through `filter_frame` again, which feeds the input meter a second time
//! (`af_loudnorm.c`, ffmpeg 5.1), and the linear gain carried the error into the output.
//! With LRA 50 its gain control reduces to a constant gain from the running integrated
//! loudness, so the gain + limiter keeps what it did, with the whole edit's loudness.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use stylecut_types::{audio_map, Analysis, AudioStyle};

/// Placeholder in the filtergraph where the normalisation filters go, chosen from the
/// measuring pass ([`AudioPlan::normalize_filters`]).
pub const MEASURED_PLACEHOLDER: &str = "{measured}";

/// First limit of the render's `alimiter` below the true-peak ceiling, dB (the limiter
/// also engages when the measured true peak plus the gain passes the ceiling). The
/// limiter runs on the sound upsampled 4× ([`LIMITER_OVERSAMPLE_HZ`]), so the limit
/// holds the true peak before the AAC encode; the headroom is for the encoder, which
/// overshoots transients (0.2 to 2.9 dB, session 9) and whose result the render measures
/// and corrects ([`MAX_SOUND_REENCODES`]). On 48 kHz samples (before session 10) the
/// limit held the sample peak only: a clipped burst came out at +1.0 dBTP before AAC
/// with a −1.5 dBFS limit, and +0.5 to +2.1 dBTP after it on the session 10 test sound.
pub const LIMITER_HEADROOM_DB: f64 = 1.0;

/// Rate the limiter runs at: 4× the output's 48 kHz, the oversampling of ITU-R BS.1770's
/// true-peak meter (and `ebur128=peak=true`), so the limited samples bound the true peak.
pub const LIMITER_OVERSAMPLE_HZ: u32 = 192_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Compressor {
    pub ratio: f64,
    pub threshold_db: f64,
    pub attack_ms: f64,
    pub release_ms: f64,
}

/// Audio parameters of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudioPlan {
    /// The source has an audio stream (else the output gets silent AAC).
    pub source_has_audio: bool,
    /// Which of the source's audio streams is read (`a:N`, counting audio streams): the
    /// probe's choice, the default-flagged stream (`media::probe::AudioInfo::stream`), the
    /// same one the analysis decoded.
    #[serde(default)]
    pub source_audio_stream: usize,
    pub highpass_hz: Option<f64>,
    pub denoise: bool,
    pub presence_db: Option<f64>,
    pub bass_shelf_db: Option<f64>,
    pub compressor: Option<Compressor>,
    /// Integrated loudness target; None keeps the source's level.
    pub target_lufs: Option<f64>,
    pub true_peak_dbtp: f64,
}

/// Values of the measuring pass: loudnorm's JSON (`print_format=json`) for loudness,
/// range and threshold, the `ebur128` summary for the true peak.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoudnormMeasure {
    pub input_i: f64,
    /// True peak, dBTP: `ebur128`'s (printed to 0.1 dB) plus half that step, so the
    /// linear-mode test never passes on rounding; never below loudnorm's sample peak.
    pub input_tp: f64,
    pub input_lra: f64,
    pub input_thresh: f64,
}

/// Half the print step of `ebur128`'s true peak (0.1 dB): added to the printed value.
pub const TRUE_PEAK_ROUNDING_DB: f64 = 0.05;

/// Plans the chain. `style` None or `enabled` false keeps the audio as it is.
pub fn plan(
    style: Option<&AudioStyle>,
    source: &Analysis,
    has_audio: bool,
    enabled: bool,
) -> (AudioPlan, Vec<String>) {
    let mut p = AudioPlan {
        source_has_audio: has_audio,
        source_audio_stream: 0,
        highpass_hz: None,
        denoise: false,
        presence_db: None,
        bass_shelf_db: None,
        compressor: None,
        target_lufs: None,
        true_peak_dbtp: -1.0,
    };
    let mut notes = Vec::new();
    let Some(a) = style.filter(|_| enabled && has_audio) else {
        if !has_audio {
            notes.push("audio: source has no audio; output carries silent AAC".into());
        }
        return (p, notes);
    };
    if a.enhance_speech && !source.audio.speech_enhanced {
        p.highpass_hz = Some(80.0);
        p.denoise = true;
        p.presence_db = Some(3.0);
        notes.push("audio: speech chain (high-pass 80 Hz, afftdn, +3 dB at 3 kHz)".into());
    }
    let target_db = audio_map::shelf_gain_db_from_bass_boost(a.bass_boost);
    let gain = (target_db - source.audio.bass_excess_db.unwrap_or(0.0)).clamp(-12.0, 12.0);
    if gain.abs() >= 0.25 {
        p.bass_shelf_db = Some(round2(gain));
    }
    let src_ratio = source
        .audio
        .estimated_compression_ratio
        .unwrap_or(1.0)
        .max(1.0);
    let ratio = (a.compression_ratio / src_ratio).clamp(1.0, 20.0);
    if ratio > 1.05 {
        let thr = (source.loudness.integrated_lufs.unwrap_or(-20.0) + 2.0).clamp(-40.0, -6.0);
        p.compressor = Some(Compressor {
            ratio: round2(ratio),
            threshold_db: round2(thr),
            attack_ms: 20.0,
            release_ms: 250.0,
        });
    }
    let lufs = target_lufs(a.normalization_level, source.loudness.integrated_lufs);
    p.target_lufs = Some(round2(lufs));
    if a.normalization_level <= 0.0 {
        notes.push(match source.loudness.integrated_lufs {
            Some(src) if src > audio_map::NORM_LUFS_AT_0 => format!(
                "audio: normalization_level 0 (a template without sound): the source's loudness ({src:.1} LUFS) is kept"
            ),
            _ => format!(
                "audio: normalization_level 0 (a template without sound) and a source that is silent or quieter than {:.1} LUFS: the map's bottom",
                audio_map::NORM_LUFS_AT_0
            ),
        });
    }
    notes.push(format!(
        "audio: normalise to {lufs:.1} LUFS (measured gain, peak limiter when needed), compressor {}, bass shelf {}",
        p.compressor
            .as_ref()
            .map_or("off".to_string(), |c| format!("{:.2}:1", c.ratio)),
        p.bass_shelf_db
            .map_or("off".to_string(), |g| format!("{g:+.1} dB"))
    ));
    (p, notes)
}

/// The loudness the edit is normalised to: the level's place on the map
/// ([`audio_map::lufs_from_normalization_level`]), except at level 0. That is the bottom of
/// the map, what a template without sound (or quieter than −36 LUFS) reads: it gives no
/// level to match, and normalising the footage's sound to −36 LUFS made a silent template's
/// edit 10–15 LU quieter than the footage (session 21's defect sweep). There the source's
/// own integrated loudness is kept (when known and above −36 LUFS).
pub fn target_lufs(level: f64, source_lufs: Option<f64>) -> f64 {
    match source_lufs {
        Some(src) if level <= 0.0 && src > audio_map::NORM_LUFS_AT_0 => src,
        _ => audio_map::lufs_from_normalization_level(level),
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

impl AudioPlan {
    /// Filters applied to the edited audio before loudness normalisation.
    pub fn pre_filters(&self) -> Vec<String> {
        let mut f = Vec::new();
        if let Some(hz) = self.highpass_hz {
            f.push(format!("highpass=f={hz}"));
        }
        if self.denoise {
            f.push("afftdn=nr=12:nf=-45".into());
        }
        if let Some(g) = self.bass_shelf_db {
            f.push(format!("bass=g={g}:f={}", audio_map::BASS_SHELF_HZ));
        }
        if let Some(g) = self.presence_db {
            f.push(format!("equalizer=f=3000:t=q:w=1:g={g}"));
        }
        if let Some(c) = &self.compressor {
            let thr = 10f64.powf(c.threshold_db / 20.0).clamp(0.000_976_563, 1.0);
            f.push(format!(
                "acompressor=threshold={thr:.6}:ratio={}:attack={}:release={}:makeup=1",
                c.ratio, c.attack_ms, c.release_ms
            ));
        }
        f
    }

    /// The measuring pass's filters in place of [`Self::loudnorm_filter`]: loudnorm in its
    /// linear mode at unity gain (measured loudness = target, a true peak and range that
    /// pass its linear-mode test), so it measures at the input rate and leaves the samples
    /// alone, then `ebur128` for the true peak (per-frame log at `verbose`, summary at
    /// `info`).
    pub fn measure_filters(&self) -> Option<String> {
        self.loudness_meter()
            .map(|l| format!("{l},ebur128=peak=true:framelog=verbose"))
    }

    /// The integrated-loudness meter of [`Self::measure_filters`] alone (loudnorm at
    /// unity gain, its JSON's `input_i`): what a loudness check pass reads
    /// ([`parse_integrated`]); the check passes need no true peak.
    pub fn loudness_meter(&self) -> Option<String> {
        let t = self.target_lufs?;
        Some(format!(
            "loudnorm=I={t}:TP={}:LRA=50:linear=true:measured_I={t}:measured_TP=-99:measured_LRA=1:measured_thresh=-99:print_format=json",
            self.true_peak_dbtp
        ))
    }

    /// The render's loudness slot: [`MEASURED_PLACEHOLDER`] (replaced by
    /// [`Self::normalize_filters`] once measured), then the output format.
    pub fn loudness_filter(&self) -> Option<String> {
        self.target_lufs.map(|_| {
            format!(
                "{MEASURED_PLACEHOLDER},aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo"
            )
        })
    }

    /// The measuring pass's loudness slot: [`MEASURED_PLACEHOLDER`] (`anull` on the first
    /// pass, a candidate [`Normalization`] on the check passes that measure what the
    /// limiter left, see [`Normalization::next`]), then [`Self::measure_filters`].
    pub fn measure_slot(&self) -> Option<String> {
        self.measure_filters()
            .map(|m| format!("{MEASURED_PLACEHOLDER},{m}"))
    }

    /// The first normalisation for the measured audio: the gain to the target, plus a
    /// limiter when the gain would push the true peak within [`LIMITER_HEADROOM_DB`] of
    /// [`Self::true_peak_dbtp`]; None
    /// for silence (nothing to normalise) or without a target.
    pub fn normalization(&self, m: &LoudnormMeasure) -> Option<Normalization> {
        let t = self.target_lufs.filter(|_| !m.is_silent())?;
        let gain_db = t - m.input_i;
        let limit_dbfs =
            (m.input_tp + gain_db > self.limiter_limit_dbfs()).then_some(self.limiter_limit_dbfs());
        Some(Normalization {
            gain_db,
            limit_dbfs,
        })
    }

    /// The limiter's first limit: [`LIMITER_HEADROOM_DB`] under the true-peak ceiling.
    pub fn limiter_limit_dbfs(&self) -> f64 {
        self.true_peak_dbtp - LIMITER_HEADROOM_DB
    }

    /// The normalisation filters for the measured audio ([`Self::normalization`]);
    /// `anull` for silence (nothing to normalise) or without a target.
    pub fn normalize_filters(&self, m: &LoudnormMeasure) -> String {
        self.normalization(m)
            .map_or_else(|| "anull".into(), |n| n.filters())
    }
}

/// Most check passes the render runs on the limited sound before the encode (each
/// measures one candidate gain; see [`Normalization::next`]).
pub const MAX_LOUDNESS_PASSES: usize = 3;

/// Integrated loudness within this of the target needs no further pass, LU. Half the
/// issue's ±0.5 LU, leaving room for the AAC encode (−0.05..+0.05 LU measured on the
/// session 10 renders) and the measurement.
pub const LOUDNESS_TOLERANCE_LU: f64 = 0.2;

/// Most gain the check passes add on top of the first pass's (target − measured
/// loudness), dB: the loudness the limiter may take away and the gain make up. Beyond it
/// the gain is not raised further and the target is missed, which the render reports
/// ([`DeliveredAudio`]): a limiter that eats more than this of the integrated loudness is
/// holding the whole mix down, not catching peaks, and pumps and flattens it audibly.
/// Measured (session 10): music sources to −12 LUFS needed 1–3 dB, a source whose
/// loudness is all in clipped bursts 6 dB and more.
pub const MAX_MAKEUP_DB: f64 = 6.0;

/// Most re-encodes of the sound after the render's own, when the delivered file's true
/// peak is over the ceiling (each decodes and measures the encoded sound again).
pub const MAX_SOUND_REENCODES: usize = 2;

/// Extra lowering of the limit, dB, on top of the measured excess when the encoded
/// sound passed the ceiling: the AAC encoder's overshoot is not proportional to the
/// limit (session 9: lowering it by 0.5 dB moved the overshoot by −1.3 to +0.3 dB).
pub const TRUE_PEAK_MARGIN_DB: f64 = 0.3;

/// Gain and limiter of the render's loudness slot.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Normalization {
    pub gain_db: f64,
    /// `alimiter`'s limit on the 4× upsampled sound, dBFS; None: the gain alone.
    pub limit_dbfs: Option<f64>,
}

impl Normalization {
    /// The filters of the loudness slot: `volume`, then a lookahead `alimiter` (delay
    /// compensated) on the sound upsampled to [`LIMITER_OVERSAMPLE_HZ`], holding its
    /// true peak at the limit, and back to 48 kHz.
    pub fn filters(&self) -> String {
        match self.limit_dbfs {
            None => format!("volume={:.2}dB", self.gain_db),
            Some(l) => format!(
                "volume={:.2}dB,aresample={LIMITER_OVERSAMPLE_HZ},alimiter=limit={:.6}:attack=10:release=100:level=0:latency=1,aresample=48000",
                self.gain_db,
                10f64.powf(l / 20.0)
            ),
        }
    }

    /// The next candidate when this one, measured, came out `measured_i` LUFS against
    /// `target` (None: close enough, or no more gain allowed). Without a limiter the gain
    /// is exact and nothing changes. With one, the gain is raised by the shortfall, or
    /// along the secant through `previous` (an earlier candidate and its loudness) when
    /// there is one: the limited loudness grows slower than the gain (never faster, so
    /// the steps approach the target from below). The gain stays under `first_gain`
    /// (the first pass's gain to the target) plus [`MAX_MAKEUP_DB`].
    pub fn next(
        &self,
        measured_i: f64,
        target: f64,
        first_gain: f64,
        previous: Option<(Normalization, f64)>,
    ) -> Option<Normalization> {
        self.limit_dbfs?;
        let short = target - measured_i;
        if short.abs() <= LOUDNESS_TOLERANCE_LU {
            return None;
        }
        let slope = previous
            .map(|(p, i)| (measured_i - i) / (self.gain_db - p.gain_db))
            .filter(|s| s.is_finite() && *s > 0.05)
            .unwrap_or(1.0)
            .min(1.0);
        let max_gain = first_gain + MAX_MAKEUP_DB;
        let gain_db = (self.gain_db + short / slope).min(max_gain);
        ((gain_db - self.gain_db).abs() >= 0.01).then_some(Normalization { gain_db, ..*self })
    }

    /// This normalisation after the encoded sound's true peak `tp` passed `ceiling`: the
    /// limit (which engages when there was none, from `first_limit`) lowered by the
    /// excess, at most [`MAX_LIMIT_STEP_DB`], plus [`TRUE_PEAK_MARGIN_DB`]. The gain is
    /// then solved again for the new limit ([`Self::next`]).
    pub fn lowered(&self, tp: f64, ceiling: f64, first_limit: f64) -> Normalization {
        let limit = self.limit_dbfs.unwrap_or(first_limit);
        let step = (tp - ceiling).clamp(0.0, MAX_LIMIT_STEP_DB) + TRUE_PEAK_MARGIN_DB;
        Normalization {
            limit_dbfs: Some(limit - step),
            ..*self
        }
    }
}

/// Most the limit is lowered by one re-encode, dB (before the margin). The AAC encoder's
/// (twoloop) overshoot is mostly 0.5–1.5 dB over a limited sound's true peak, but now
/// and then one frame comes out far higher (session 10: +3.9 dBTP from a sound limited
/// to −1.5 dBTP, in one frame of a techno loop; the same sound encoded with other gains
/// peaked 0.6–1.0 dB over the limit): lowering the limit by such an outlier would take
/// loudness for a frame that the next encode does not repeat.
pub const MAX_LIMIT_STEP_DB: f64 = 1.5;

/// The sound the render delivered, measured on the encoded file (decoded AAC): what
/// the plan's loudness target and true-peak ceiling came to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveredAudio {
    /// The plan's target, LUFS.
    pub target_lufs: f64,
    /// Integrated loudness of the delivered sound, LUFS.
    pub integrated_lufs: f64,
    /// True peak of the delivered sound, dBTP (rounded up as [`LoudnormMeasure::input_tp`]).
    pub true_peak_dbtp: f64,
    /// The normalisation the delivered sound was made with.
    pub normalization: Normalization,
    /// Check passes run on the limited sound before the encode.
    pub loudness_passes: usize,
    /// Times the sound was encoded again because its true peak passed the ceiling.
    pub sound_reencodes: usize,
}

impl DeliveredAudio {
    /// Loudness within the issue's ±0.5 LU of the target and the true peak under the
    /// plan's ceiling.
    pub fn on_target(&self, ceiling: f64) -> bool {
        (self.integrated_lufs - self.target_lufs).abs() <= 0.5
            && self.true_peak_dbtp <= ceiling + TRUE_PEAK_ROUNDING_DB
    }
}

impl LoudnormMeasure {
    /// True when the measured audio is (near) digital silence: nothing to normalise.
    pub fn is_silent(&self) -> bool {
        !self.input_i.is_finite() || self.input_i < -69.0
    }
}

/// Parses the measuring pass's log: loudnorm's JSON block, and the true peak of the
/// `ebur128` summary (`True peak:` then `Peak: -6.5 dBFS`). None when either is missing.
pub fn parse_loudnorm(log: &str) -> Option<LoudnormMeasure> {
    let map = loudnorm_json(log)?;
    let get = |k: &str| -> Option<f64> { map.get(k)?.trim().parse::<f64>().ok() };
    let sample_peak = get("input_tp")?;
    let tp = parse_true_peak(log)?;
    Some(LoudnormMeasure {
        input_i: get("input_i")?,
        input_tp: tp.max(sample_peak),
        input_lra: get("input_lra")?,
        input_thresh: get("input_thresh")?,
    })
}

/// The integrated loudness (`input_i`) of the last loudnorm JSON in a log: what a check
/// pass with [`AudioPlan::loudness_meter`] alone prints.
pub fn parse_integrated(log: &str) -> Option<f64> {
    loudnorm_json(log)?.get("input_i")?.trim().parse().ok()
}

/// The last loudnorm JSON object of a log, as strings.
fn loudnorm_json(log: &str) -> Option<HashMap<String, String>> {
    let start = log.rfind('{')?;
    let end = start + log[start..].find('}')?;
    serde_json::from_str(&log[start..=end]).ok()
}

/// The true peak of the last `ebur128` summary in a log (`True peak:` then `Peak: -6.5
/// dBFS`), plus [`TRUE_PEAK_ROUNDING_DB`] (half its print step, so a check against a
/// ceiling never passes on rounding).
pub fn parse_true_peak(log: &str) -> Option<f64> {
    let tp = log[log.rfind("True peak:")?..]
        .lines()
        .find_map(|l| l.trim().strip_prefix("Peak:"))?
        .split_whitespace()
        .next()?
        .parse::<f64>()
        .ok()?;
    Some(tp + TRUE_PEAK_ROUNDING_DB)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_silent_template_keeps_the_source_loudness() {
        // Level 0: the template had no sound; the footage keeps its own level.
        assert_eq!(target_lufs(0.0, Some(-20.7)), -20.7);
        // Any other level is the map's, whatever the source reads.
        assert!((target_lufs(0.433, Some(-20.7)) - (-23.01)).abs() < 1e-9);
        assert!((target_lufs(0.733, None) - (-14.01)).abs() < 1e-9);
        // A source that is silent or quieter than the map's bottom: the bottom.
        assert_eq!(target_lufs(0.0, None), -36.0);
        assert_eq!(target_lufs(0.0, Some(-50.0)), -36.0);
    }

    /// A source analysis with only the loudness set (the fields `plan` reads default).
    fn source_at(lufs: Option<f64>) -> Analysis {
        let mut a: Analysis = serde_json::from_value(serde_json::json!({
            "duration_s": 10.0, "width": 1280, "height": 720, "frame_rate": 25.0,
            "shots": [], "transitions": [], "tempo_bpm": null, "beats": [],
            "loudness": {"integrated_lufs": null, "range_lu": null, "true_peak_dbtp": null},
            "speech_segments": [], "motion": [], "color": [],
            "color_grade": serde_json::to_value(stylecut_types::ColorGrade::default()).unwrap(),
            "audio": serde_json::to_value(stylecut_types::AudioFeatures::default()).unwrap(),
            "has_subtitle_stream": false, "burned_in_captions": false
        }))
        .unwrap();
        a.loudness.integrated_lufs = lufs;
        a
    }

    #[test]
    fn a_silent_template_note_says_what_level_the_edit_gets() {
        let style = AudioStyle {
            normalization_level: 0.0,
            compression_ratio: 1.0,
            bass_boost: 0.0,
            enhance_speech: false,
        };
        let (p, notes) = plan(Some(&style), &source_at(Some(-20.7)), true, true);
        assert_eq!(p.target_lufs, Some(-20.7));
        assert!(
            notes[0].contains("the source's loudness (-20.7 LUFS) is kept"),
            "{notes:?}"
        );
        // A source quieter than the map's bottom is not "kept": it goes to the bottom.
        let (p, notes) = plan(Some(&style), &source_at(Some(-50.0)), true, true);
        assert_eq!(p.target_lufs, Some(-36.0));
        assert!(!notes.iter().any(|n| n.contains("is kept")), "{notes:?}");
        assert!(
            notes[0].contains("silent or quieter than -36.0 LUFS"),
            "{notes:?}"
        );
    }

    /// The end of a measuring pass's `-report` log (ffmpeg 5.1, BBB 30 s edit).
    const LOG: &str = r#"video:0kB audio:5250kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: unknown
[Parsed_ebur128_23 @ 0x556236e30780] Summary:

  Integrated loudness:
    I:         -24.9 LUFS
    Threshold: -36.1 LUFS

  Loudness range:
    LRA:        14.3 LU
    Threshold: -45.7 LUFS
    LRA low:   -36.3 LUFS
    LRA high:  -22.0 LUFS

  True peak:
    Peak:       -6.5 dBFS
[Parsed_loudnorm_22 @ 0x556236e2ac40] 
{
	"input_i" : "-24.91",
	"input_tp" : "-6.51",
	"input_lra" : "14.10",
	"input_thresh" : "-36.06",
	"output_i" : "-24.91",
	"output_tp" : "-6.51",
	"output_lra" : "14.10",
	"output_thresh" : "-36.06",
	"normalization_type" : "linear",
	"target_offset" : "6.22"
}
"#;

    #[test]
    fn parses_the_measuring_pass() {
        let m = parse_loudnorm(LOG).unwrap();
        assert_eq!(m.input_i, -24.91);
        // ebur128's true peak plus half its print step.
        assert!((m.input_tp + 6.45).abs() < 1e-9, "{}", m.input_tp);
        assert!(!m.is_silent());
        assert_eq!((m.input_lra, m.input_thresh), (14.10, -36.06));
        // Never below loudnorm's own sample peak.
        let m = parse_loudnorm(&LOG.replace("-6.5 dBFS", "-7.2 dBFS")).unwrap();
        assert_eq!(m.input_tp, -6.51);
        let silent = parse_loudnorm(
            &LOG.replace("\"-24.91\"", "\"-inf\"")
                .replace("-6.5 dBFS", "-inf dBFS"),
        )
        .unwrap();
        assert!(silent.is_silent());
        // Without the ebur128 summary there is no true peak: no measurement.
        assert_eq!(
            parse_loudnorm(&LOG[LOG.find("[Parsed_loudnorm").unwrap()..]),
            None
        );
    }

    #[test]
    fn a_check_pass_reads_loudnorm_alone() {
        // A check pass runs loudnorm without ebur128: its integrated loudness is enough.
        let check = &LOG[LOG.find("[Parsed_loudnorm").unwrap()..];
        assert_eq!(parse_integrated(check), Some(-24.91));
        assert_eq!(parse_integrated(LOG), Some(-24.91));
        assert_eq!(parse_integrated("no summary"), None);
        let p = plan_at(-12.0);
        let meter = p.loudness_meter().unwrap();
        assert!(!meter.contains("ebur128"), "{meter}");
        assert_eq!(
            p.measure_filters().unwrap(),
            format!("{meter},ebur128=peak=true:framelog=verbose")
        );
    }

    fn plan_at(target: f64) -> AudioPlan {
        AudioPlan {
            source_has_audio: true,
            source_audio_stream: 0,
            highpass_hz: None,
            denoise: false,
            presence_db: None,
            bass_shelf_db: None,
            compressor: None,
            target_lufs: Some(target),
            true_peak_dbtp: -1.0,
        }
    }

    #[test]
    fn measuring_loudnorm_runs_in_linear_mode_at_unity_gain() {
        let f = plan_at(-18.7).measure_filters().unwrap();
        let loudnorm = f[..f.find(',').unwrap()].strip_prefix("loudnorm=").unwrap();
        let opt = |k: &str| -> f64 {
            loudnorm
                .split(':')
                .find_map(|kv| kv.strip_prefix(k)?.strip_prefix('='))
                .unwrap()
                .parse()
                .unwrap()
        };
        // loudnorm's linear-mode test (af_loudnorm.c init): measured values set, the
        // gain target − measured_I keeps measured_TP under TP, and the range under LRA.
        let gain = opt("I") - opt("measured_I");
        assert_eq!(gain, 0.0);
        assert!(opt("measured_TP") + gain <= opt("TP"));
        assert!(opt("measured_LRA") > 0.0 && opt("measured_LRA") <= opt("LRA"));
        assert!(opt("measured_thresh") != -70.0 && opt("measured_TP") != 99.0);
        assert!(f.contains("linear=true") && f.ends_with("ebur128=peak=true:framelog=verbose"));
    }

    #[test]
    fn gain_to_the_target_and_a_limiter_only_when_peaks_would_pass_the_ceiling() {
        let m = LoudnormMeasure {
            input_i: -24.91,
            input_tp: -9.0,
            input_lra: 14.1,
            input_thresh: -36.06,
        };
        let p = plan_at(-18.69);
        // −9 + 6.22 = −2.78 dBTP: the gain alone.
        assert_eq!(p.normalize_filters(&m), "volume=6.22dB");
        // −6.45 + 6.22 = −0.23 dBTP > −1: gain, then the limiter.
        let loud = LoudnormMeasure {
            input_tp: -6.45,
            ..m.clone()
        };
        let f = p.normalize_filters(&loud);
        // The 4× upsampled sound held at −2 dBFS (its true peak), back to 48 kHz.
        assert!(
            f.starts_with("volume=6.22dB,aresample=192000,alimiter=limit=0.794328:"),
            "{f}"
        );
        assert!(f.contains("level=0") && f.contains("latency=1"), "{f}");
        assert!(f.ends_with(",aresample=48000"), "{f}");
        // −7.8 + 6.22 = −1.58 dBTP: under −1 but within the encoder's headroom: limited.
        let near = LoudnormMeasure {
            input_tp: -7.8,
            ..m.clone()
        };
        assert!(p.normalize_filters(&near).contains("alimiter"));
        let silent = LoudnormMeasure {
            input_i: f64::NEG_INFINITY,
            ..m
        };
        assert_eq!(p.normalize_filters(&silent), "anull");
        assert!(p
            .loudness_filter()
            .unwrap()
            .starts_with(MEASURED_PLACEHOLDER));
    }

    #[test]
    fn the_gain_makes_up_what_the_limiter_took_within_the_cap() {
        let limited = Normalization {
            gain_db: 6.0,
            limit_dbfs: Some(-1.5),
        };
        // 1.2 LU short: the gain rises by the shortfall (slope 1 without a second point).
        let n = limited.next(-13.2, -12.0, 6.0, None).unwrap();
        assert!((n.gain_db - 7.2).abs() < 1e-9, "{n:?}");
        assert_eq!(n.limit_dbfs, Some(-1.5));
        // +1.2 dB of gain gave +0.6 LU: the secant's slope 0.5 doubles the next step.
        let n2 = n.next(-12.6, -12.0, 6.0, Some((limited, -13.2))).unwrap();
        assert!((n2.gain_db - 8.4).abs() < 1e-9, "{n2:?}");
        // Within the tolerance: done.
        assert_eq!(n.next(-12.1, -12.0, 6.0, None), None);
        // Never more than MAX_MAKEUP_DB over the first gain; at the cap, no new candidate.
        let capped = limited.next(-20.0, -12.0, 6.0, None).unwrap();
        assert!((capped.gain_db - (6.0 + MAX_MAKEUP_DB)).abs() < 1e-9);
        assert_eq!(capped.next(-18.0, -12.0, 6.0, None), None);
        // Without a limiter the gain is exact: nothing to make up.
        let linear = Normalization {
            gain_db: 6.0,
            limit_dbfs: None,
        };
        assert_eq!(linear.next(-13.0, -12.0, 6.0, None), None);
    }

    #[test]
    fn an_encoded_peak_over_the_ceiling_lowers_the_limit_by_the_excess_and_a_margin() {
        let n = Normalization {
            gain_db: 3.0,
            limit_dbfs: Some(-1.5),
        };
        // +0.25 dBTP against −1: 1.25 dB over, lowered by that and the margin.
        let l = n.lowered(0.25, -1.0, -1.5);
        assert_eq!(l.gain_db, 3.0);
        assert!((l.limit_dbfs.unwrap() - (-1.5 - 1.25 - TRUE_PEAK_MARGIN_DB)).abs() < 1e-9);
        // An encoder outlier 4.9 dB over: one step of at most MAX_LIMIT_STEP_DB.
        let o = n.lowered(3.9, -1.0, -1.5);
        assert!(
            (o.limit_dbfs.unwrap() - (-1.5 - MAX_LIMIT_STEP_DB - TRUE_PEAK_MARGIN_DB)).abs() < 1e-9
        );
        // The gain alone went over after AAC: a limiter from the first limit down.
        let g = Normalization {
            gain_db: 3.0,
            limit_dbfs: None,
        }
        .lowered(-0.6, -1.0, -1.5);
        assert!((g.limit_dbfs.unwrap() - (-1.5 - 0.4 - TRUE_PEAK_MARGIN_DB)).abs() < 1e-9);
    }
}
