//! StyleJSON v1.0: the portable description of a template's editing style.
//! Field meanings and units are documented in `docs/STYLEJSON.md`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const STYLE_VERSION: &str = "1.0";

/// The six grade sliders, each −100..100 with 0 = neutral. The pixel meaning of every
/// slider is the forward model in [`crate::grade`].
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ColorGrade {
    pub temperature: f64,
    pub tint: f64,
    pub saturation: f64,
    pub contrast: f64,
    pub highlights: f64,
    pub shadows: f64,
}

impl ColorGrade {
    pub const NEUTRAL: ColorGrade = ColorGrade {
        temperature: 0.0,
        tint: 0.0,
        saturation: 0.0,
        contrast: 0.0,
        highlights: 0.0,
        shadows: 0.0,
    };

    /// The sliders as an array in declaration order (temperature, tint, saturation,
    /// contrast, highlights, shadows).
    pub fn as_array(&self) -> [f64; 6] {
        [
            self.temperature,
            self.tint,
            self.saturation,
            self.contrast,
            self.highlights,
            self.shadows,
        ]
    }

    pub fn from_array(a: [f64; 6]) -> Self {
        ColorGrade {
            temperature: a[0],
            tint: a[1],
            saturation: a[2],
            contrast: a[3],
            highlights: a[4],
            shadows: a[5],
        }
    }

    /// Every slider clamped to −100..100.
    pub fn clamped(&self) -> Self {
        Self::from_array(self.as_array().map(|v| v.clamp(-100.0, 100.0)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AudioStyle {
    /// 0..1, mapped from integrated loudness by [`crate::audio_map::normalization_level_from_lufs`].
    pub normalization_level: f64,
    /// Compression ratio (4.0 = 4:1); 1.0 = uncompressed dynamics.
    pub compression_ratio: f64,
    /// 0..100, see [`crate::audio_map`].
    pub bass_boost: f64,
    pub enhance_speech: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionStyle {
    /// `cut`, `fade`, `dissolve`, `wipe`, `slide`, `zoom`.
    #[serde(rename = "type")]
    pub kind: String,
    pub duration_ms: i64,
    /// `linear`, `ease-in`, `ease-out`, `ease-in-out`.
    pub easing: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    Bass,
    Mid,
    Treble,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StyleBeat {
    pub timestamp_ms: i64,
    pub confidence: f64,
    pub frequency: Band,
}

/// StyleJSON v1.0 exactly as the wire contract names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StyleJson {
    pub version: String,
    pub color_grade: ColorGrade,
    /// `16:9`, `9:16` or `1:1`.
    pub aspect_ratio: String,
    /// 24, 30 or 60.
    pub frame_rate: i64,
    pub audio_style: AudioStyle,
    /// Shot boundaries per minute of video.
    pub cut_frequency: f64,
    /// 0..100.
    pub motion_intensity: f64,
    /// 0..100.
    pub zoom_usage: f64,
    pub primary_transition: TransitionStyle,
    pub secondary_transition: Option<TransitionStyle>,
    pub use_subtitles: bool,
    pub detected_beats: Vec<StyleBeat>,
    pub tempo_bpm: Option<f64>,
    pub music_genre: Option<String>,
    pub created_at: String,
    pub source_duration_seconds: f64,
    pub extraction_confidence: f64,
}

pub const ASPECT_RATIOS: [&str; 3] = ["16:9", "9:16", "1:1"];
pub const FRAME_RATES: [i64; 3] = [24, 30, 60];
pub const TRANSITION_TYPES: [&str; 6] = ["cut", "fade", "dissolve", "wipe", "slide", "zoom"];
pub const EASINGS: [&str; 4] = ["linear", "ease-in", "ease-out", "ease-in-out"];

impl StyleJson {
    /// Checks ranges and enumerations; returns a list of human readable problems.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut errs = Vec::new();
        if self.version != STYLE_VERSION {
            errs.push(format!("version must be \"{STYLE_VERSION}\""));
        }
        for (name, v) in [
            "temperature",
            "tint",
            "saturation",
            "contrast",
            "highlights",
            "shadows",
        ]
        .iter()
        .zip(self.color_grade.as_array())
        {
            if !(-100.0..=100.0).contains(&v) || !v.is_finite() {
                errs.push(format!("color_grade.{name} must be within -100..100"));
            }
        }
        if !ASPECT_RATIOS.contains(&self.aspect_ratio.as_str()) {
            errs.push(format!("aspect_ratio must be one of {ASPECT_RATIOS:?}"));
        }
        if !FRAME_RATES.contains(&self.frame_rate) {
            errs.push(format!("frame_rate must be one of {FRAME_RATES:?}"));
        }
        let a = &self.audio_style;
        if !(0.0..=1.0).contains(&a.normalization_level) {
            errs.push("audio_style.normalization_level must be within 0..1".into());
        }
        if !(1.0..=100.0).contains(&a.compression_ratio) {
            errs.push("audio_style.compression_ratio must be within 1..100".into());
        }
        if !(0.0..=100.0).contains(&a.bass_boost) {
            errs.push("audio_style.bass_boost must be within 0..100".into());
        }
        if !(self.cut_frequency >= 0.0 && self.cut_frequency.is_finite()) {
            errs.push("cut_frequency must be >= 0".into());
        }
        for (name, v) in [
            ("motion_intensity", self.motion_intensity),
            ("zoom_usage", self.zoom_usage),
        ] {
            if !(0.0..=100.0).contains(&v) {
                errs.push(format!("{name} must be within 0..100"));
            }
        }
        for (name, t) in [
            ("primary_transition", Some(&self.primary_transition)),
            ("secondary_transition", self.secondary_transition.as_ref()),
        ] {
            if let Some(t) = t {
                if !TRANSITION_TYPES.contains(&t.kind.as_str()) {
                    errs.push(format!("{name}.type must be one of {TRANSITION_TYPES:?}"));
                }
                if !EASINGS.contains(&t.easing.as_str()) {
                    errs.push(format!("{name}.easing must be one of {EASINGS:?}"));
                }
                if !(0..=10_000).contains(&t.duration_ms) {
                    errs.push(format!("{name}.duration_ms must be within 0..10000"));
                }
            }
        }
        if let Some(t) = self.tempo_bpm {
            if !(20.0..=400.0).contains(&t) {
                errs.push("tempo_bpm must be within 20..400 or null".into());
            }
        }
        if !(0.0..=1.0).contains(&self.extraction_confidence) {
            errs.push("extraction_confidence must be within 0..1".into());
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }
}
