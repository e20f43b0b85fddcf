//! The job `config` object. Unknown keys and bad values are rejected at job creation
//! (`VALIDATION_ERROR`), never discovered by a failing job later.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::style::StyleJson;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Extract the style and render the source in it.
    #[default]
    Full,
    /// Stop after style extraction; no output video.
    ExtractOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Quality {
    /// libx264 `veryfast`, CRF 28.
    Low,
    /// libx264 `veryfast`, CRF 23.
    #[default]
    Medium,
    /// libx264 `medium`, CRF 19.
    High,
}

impl Quality {
    /// (x264 preset, CRF, AAC bitrate in kb/s).
    pub fn encoder_settings(self) -> (&'static str, u8, u32) {
        match self {
            Quality::Low => ("veryfast", 28, 96),
            Quality::Medium => ("veryfast", 23, 128),
            Quality::High => ("medium", 19, 192),
        }
    }
}

/// Per-dimension switches of the application (all on by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ApplySwitches {
    pub color: bool,
    pub framing: bool,
    pub pacing: bool,
    pub transitions: bool,
    pub motion: bool,
    pub audio: bool,
    pub subtitles: bool,
}

impl Default for ApplySwitches {
    fn default() -> Self {
        ApplySwitches {
            color: true,
            framing: true,
            pacing: true,
            transitions: true,
            motion: true,
            audio: true,
            subtitles: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Resolution {
    #[serde(rename = "480p")]
    P480,
    #[serde(rename = "720p")]
    P720,
    #[serde(rename = "1080p")]
    P1080,
}

impl Resolution {
    /// Length of the short side in pixels.
    pub fn short_side(self) -> u32 {
        match self {
            Resolution::P480 => 480,
            Resolution::P720 => 720,
            Resolution::P1080 => 1080,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct JobConfig {
    pub mode: Mode,
    pub quality: Quality,
    /// Apply this stored style instead of (or without) a template video.
    pub style_json: Option<StyleJson>,
    pub apply: ApplySwitches,
    /// Cap on the output duration, seconds (> 0).
    pub max_duration_seconds: Option<f64>,
    /// Output size (short side); default: the source's, capped at 1080p.
    pub resolution: Option<Resolution>,
    /// Letterbox/pillarbox instead of cropping when the aspect ratio changes.
    pub letterbox: bool,
}

impl JobConfig {
    /// Parses and validates a `config` JSON value; the error lists every problem.
    pub fn from_value(v: &serde_json::Value) -> Result<Self, String> {
        if v.is_null() {
            return Ok(JobConfig::default());
        }
        let cfg: JobConfig = serde_json::from_value(v.clone()).map_err(|e| e.to_string())?;
        cfg.validate()?;
        Ok(cfg)
    }

    pub fn validate(&self) -> Result<(), String> {
        let mut errs = Vec::new();
        if let Some(m) = self.max_duration_seconds {
            if !(m > 0.0 && m.is_finite()) {
                errs.push("max_duration_seconds must be > 0".to_string());
            }
        }
        if let Some(s) = &self.style_json {
            if let Err(e) = s.validate() {
                errs.extend(e.into_iter().map(|e| format!("style_json.{e}")));
            }
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_and_unknown_keys() {
        assert_eq!(
            JobConfig::from_value(&json!(null)).unwrap(),
            JobConfig::default()
        );
        assert_eq!(
            JobConfig::from_value(&json!({})).unwrap(),
            JobConfig::default()
        );
        let c = JobConfig::from_value(&json!({"mode": "extract_only", "quality": "high"})).unwrap();
        assert_eq!(c.mode, Mode::ExtractOnly);
        assert!(JobConfig::from_value(&json!({"bogus": 1})).is_err());
        assert!(JobConfig::from_value(&json!({"mode": "fast"})).is_err());
        assert!(JobConfig::from_value(&json!({"apply": {"colour": true}})).is_err());
        assert!(JobConfig::from_value(&json!({"max_duration_seconds": 0})).is_err());
        let c = JobConfig::from_value(&json!({"apply": {"color": false}, "resolution": "720p"}))
            .unwrap();
        assert!(!c.apply.color && c.apply.audio);
        assert_eq!(c.resolution, Some(Resolution::P720));
    }
}
