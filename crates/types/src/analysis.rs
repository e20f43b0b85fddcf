//! The analysis document: everything measured from one input, printed by
//! `stylecut analyze` and consumed by style extraction and edit planning.
//! Format documented in `docs/ANALYSIS.md`. Times are presentation times in seconds.

use serde::{Deserialize, Serialize};

use crate::style::{Band, ColorGrade};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub start_s: f64,
    pub end_s: f64,
}

/// A gradual or hard transition between two shots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitionEvent {
    /// `cut`, `fade_in`, `fade_out`, `fade` (through a colour), `dissolve`, `wipe`, `slide`, `zoom`.
    #[serde(rename = "type")]
    pub kind: String,
    pub start_s: f64,
    pub duration_ms: i64,
    /// `linear`, `ease-in`, `ease-out`, `ease-in-out`.
    pub easing: String,
    /// 0..1 detector confidence.
    pub confidence: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Beat {
    pub time_s: f64,
    pub confidence: f64,
    pub band: Band,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Loudness {
    pub integrated_lufs: Option<f64>,
    pub range_lu: Option<f64>,
    pub true_peak_dbtp: Option<f64>,
}

/// Global camera motion summarised over one shot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShotMotion {
    pub start_s: f64,
    pub end_s: f64,
    /// Mean absolute camera translation, in percent of frame width per second.
    pub pan_speed: f64,
    /// Mean absolute tilt, in percent of frame height per second.
    pub tilt_speed: f64,
    /// Net zoom factor change per second (log2 scale; +0.1 = 7 % push-in per second).
    pub zoom_rate: f64,
    /// High-frequency jitter of the camera path, percent of frame width.
    pub shake: f64,
    /// Residual (object) motion energy not explained by the camera model, 0..100.
    pub object_motion: f64,
    /// True when the shot holds a deliberate zoom/push-in move.
    pub has_zoom: bool,
}

impl ShotMotion {
    /// A shot span with no measured motion.
    pub fn still(start_s: f64, end_s: f64) -> Self {
        ShotMotion {
            start_s,
            end_s,
            pan_speed: 0.0,
            tilt_speed: 0.0,
            zoom_rate: 0.0,
            shake: 0.0,
            object_motion: 0.0,
            has_zoom: false,
        }
    }
}

/// Where the eye goes in the picture around one time: the centre of a saliency map
/// (motion not explained by the camera, plus contrast and edge energy), averaged over
/// about a quarter second of frames. Fractions of the display frame, 0..1 from the top left.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SaliencyPoint {
    pub t_s: f64,
    pub x: f64,
    pub y: f64,
}

/// Per-shot colour measurement: the grade estimate for that shot plus raw statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShotColor {
    pub start_s: f64,
    pub end_s: f64,
    pub grade: ColorGrade,
    /// Mean CIE L*a*b* of the shot.
    pub mean_lab: [f64; 3],
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct AudioFeatures {
    pub has_audio: bool,
    /// Low-band (< 150 Hz) energy minus the neutral reference, dB.
    pub bass_excess_db: Option<f64>,
    pub estimated_compression_ratio: Option<f64>,
    /// Share of the duration that carries speech, 0..1.
    pub speech_ratio: f64,
    /// Share of the duration that carries music, 0..1.
    pub music_ratio: f64,
    /// Evidence that the speech was processed (high-passed, de-noised, presence lifted).
    pub speech_enhanced: bool,
}

/// The full analysis of one input (the `stylecut analyze` document).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub duration_s: f64,
    /// Displayed picture size (after rotation and pixel aspect ratio).
    pub width: u32,
    pub height: u32,
    /// Real frame rate (frames decoded / duration).
    pub frame_rate: f64,
    pub shots: Vec<Span>,
    pub transitions: Vec<TransitionEvent>,
    pub tempo_bpm: Option<f64>,
    pub beats: Vec<Beat>,
    pub loudness: Loudness,
    pub speech_segments: Vec<Span>,
    pub motion: Vec<ShotMotion>,
    pub color: Vec<ShotColor>,
    /// The robust whole-video grade estimate.
    pub color_grade: ColorGrade,
    pub audio: AudioFeatures,
    pub has_subtitle_stream: bool,
    pub burned_in_captions: bool,
    /// Saliency centre about every 0.25 s (empty in documents written before it existed).
    #[serde(default)]
    pub saliency: Vec<SaliencyPoint>,
}
