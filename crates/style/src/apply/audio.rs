//! The audio chain: speech enhancement, bass shelf, compression and two-pass linear
//! loudness normalisation, in that order, after the edit (trims and crossfades).
//!
//! * `enhance_speech`: `highpass` at 80 Hz, `afftdn` (12 dB reduction, −45 dB floor),
//!   presence `equalizer` +3 dB at 3 kHz (skipped when the source is already enhanced).
//! * Bass: a `bass` shelf at 150 Hz with gain = the template's shelf dB
//!   (`audio_map::shelf_gain_db_from_bass_boost`) minus the source's measured low-band
//!   excess, clamped to ±12 dB; skipped under 0.25 dB.
//! * Compression: `acompressor` with ratio = template ratio / source ratio (compression
//!   stacks multiplicatively; never expands), threshold 2 dB above the source's integrated
//!   loudness (−40..−6 dBFS), 20 ms attack, 250 ms release.
//! * Loudness: `loudnorm` to `audio_map::lufs_from_normalization_level`, TP −1 dBTP,
//!   LRA 50 (so linear mode is never refused for range), `linear=true` with the values a
//!   first, audio-only pass measured on the *edited and processed* audio. loudnorm falls
//!   back to its dynamic mode only when the linear gain would push peaks over −1 dBTP.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use stylecut_types::{audio_map, Analysis, AudioStyle};

/// Placeholder in the filtergraph where the measured loudnorm values go.
pub const MEASURED_PLACEHOLDER: &str = "{measured}";

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
    pub highpass_hz: Option<f64>,
    pub denoise: bool,
    pub presence_db: Option<f64>,
    pub bass_shelf_db: Option<f64>,
    pub compressor: Option<Compressor>,
    /// Integrated loudness target; None keeps the source's level.
    pub target_lufs: Option<f64>,
    pub true_peak_dbtp: f64,
}

/// Values of loudnorm's measuring pass (`print_format=json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoudnormMeasure {
    pub input_i: f64,
    pub input_tp: f64,
    pub input_lra: f64,
    pub input_thresh: f64,
    pub target_offset: f64,
}

/// Plans the chain. `style` None or `enabled` false keeps the audio as it is.
pub fn plan(
    style: Option<&AudioStyle>,
    source: &Analysis,
    has_audio: bool,
    enabled: bool,
) -> (AudioPlan, Vec<String>) {
    let mut p = AudioPlan {
        source_has_audio: has_audio,
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
    let lufs = audio_map::lufs_from_normalization_level(a.normalization_level);
    p.target_lufs = Some(round2(lufs));
    notes.push(format!(
        "audio: normalise to {lufs:.1} LUFS (two-pass linear loudnorm), compressor {}, bass shelf {}",
        p.compressor
            .as_ref()
            .map_or("off".to_string(), |c| format!("{:.2}:1", c.ratio)),
        p.bass_shelf_db
            .map_or("off".to_string(), |g| format!("{g:+.1} dB"))
    ));
    (p, notes)
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

    /// The loudnorm filter with [`MEASURED_PLACEHOLDER`] where the first pass's values go.
    pub fn loudnorm_filter(&self) -> Option<String> {
        let t = self.target_lufs?;
        Some(format!(
            "loudnorm=I={t}:TP={}:LRA=50:linear=true{MEASURED_PLACEHOLDER},aresample=48000,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo",
            self.true_peak_dbtp
        ))
    }
}

impl LoudnormMeasure {
    /// The option suffix replacing [`MEASURED_PLACEHOLDER`] in the render.
    pub fn as_options(&self) -> String {
        format!(
            ":measured_I={:.2}:measured_TP={:.2}:measured_LRA={:.2}:measured_thresh={:.2}:offset={:.2}",
            self.input_i, self.input_tp, self.input_lra, self.input_thresh, self.target_offset
        )
    }

    /// True when the measured audio is (near) digital silence: nothing to normalise.
    pub fn is_silent(&self) -> bool {
        !self.input_i.is_finite() || self.input_i < -69.0
    }
}

/// Parses loudnorm's JSON block out of ffmpeg's log.
pub fn parse_loudnorm(log: &str) -> Option<LoudnormMeasure> {
    let start = log.rfind('{')?;
    let end = start + log[start..].find('}')?;
    let map: HashMap<String, String> = serde_json::from_str(&log[start..=end]).ok()?;
    let get = |k: &str| -> Option<f64> { map.get(k)?.trim().parse::<f64>().ok() };
    Some(LoudnormMeasure {
        input_i: get("input_i")?,
        input_tp: get("input_tp")?,
        input_lra: get("input_lra")?,
        input_thresh: get("input_thresh")?,
        target_offset: get("target_offset").unwrap_or(0.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = r#"[Parsed_loudnorm_3 @ 0x55] 
{
	"input_i" : "-27.61",
	"input_tp" : "-4.47",
	"input_lra" : "18.06",
	"input_thresh" : "-39.20",
	"output_i" : "-16.58",
	"output_tp" : "-1.50",
	"output_lra" : "14.78",
	"output_thresh" : "-27.71",
	"normalization_type" : "dynamic",
	"target_offset" : "0.58"
}
"#;

    #[test]
    fn parses_the_measuring_pass() {
        let m = parse_loudnorm(LOG).unwrap();
        assert_eq!(m.input_i, -27.61);
        assert_eq!(m.target_offset, 0.58);
        assert!(!m.is_silent());
        assert_eq!(
            m.as_options(),
            ":measured_I=-27.61:measured_TP=-4.47:measured_LRA=18.06:measured_thresh=-39.20:offset=0.58"
        );
        let silent = parse_loudnorm(&LOG.replace("\"-27.61\"", "\"-inf\"")).unwrap();
        assert!(silent.is_silent());
    }
}
