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

/// The camera along the timeline, on a fixed grid of `step_s` seconds: step `k` sums the
/// frame pairs inside a shot whose later frame falls in `[k·step_s, (k+1)·step_s)` (the
/// pair into a shot's first frame left out, as the shot's own [`ShotMotion`] reads them;
/// pairs the motion estimator could not fit are not counted): how many there are, how
/// many read the picture growing, and the sums of their zoom (log2 scale change), pan and
/// tilt (fractions of the frame's width and height, + = content moving right / down) and
/// residual object motion (fraction of the width). The style planner reads the camera of
/// a part of a shot from it (a pacing split, a jump cut), where the shot's summary would
/// spread one half's zoom over both. Empty in documents written before it existed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CameraTrack {
    pub step_s: f64,
    pub pairs: Vec<u16>,
    pub growing: Vec<u16>,
    pub zoom_log2: Vec<f32>,
    pub pan: Vec<f32>,
    pub tilt: Vec<f32>,
    pub residual: Vec<f32>,
}

/// What a [`CameraTrack`] holds over a span of time: the sums of its steps.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CameraSpan {
    pub pairs: u32,
    pub growing: u32,
    pub zoom_log2: f64,
    /// Sums over the steps of each step's absolute pan and tilt (a move that reverses
    /// within the span counts both ways, as the shot's mean absolute speed does).
    pub abs_pan: f64,
    pub abs_tilt: f64,
    pub residual: f64,
}

impl CameraTrack {
    /// No track (an analysis written before it existed): every span reads nothing.
    pub const EMPTY: CameraTrack = CameraTrack {
        step_s: 0.0,
        pairs: Vec::new(),
        growing: Vec::new(),
        zoom_log2: Vec::new(),
        pan: Vec::new(),
        tilt: Vec::new(),
        residual: Vec::new(),
    };

    /// The steps whose middle lies in `[a, b)`, summed (None when the track holds no
    /// step there).
    pub fn span(&self, a: f64, b: f64) -> Option<CameraSpan> {
        if self.step_s <= 0.0 || b <= a {
            return None;
        }
        let n = self.pairs.len();
        let first = ((a / self.step_s - 0.5).ceil().max(0.0) as usize).min(n);
        let last = ((b / self.step_s - 0.5).ceil().max(0.0) as usize).min(n);
        if first >= last {
            return None;
        }
        let mut s = CameraSpan::default();
        for k in first..last {
            s.pairs += u32::from(self.pairs[k]);
            s.growing += u32::from(self.growing[k]);
            s.zoom_log2 += f64::from(self.zoom_log2[k]);
            s.abs_pan += f64::from(self.pan[k]).abs();
            s.abs_tilt += f64::from(self.tilt[k]).abs();
            s.residual += f64::from(self.residual[k]);
        }
        Some(s)
    }
}

/// How much the picture changes over time, on a fixed grid: `values[k]` is the largest
/// change between consecutive frames whose later frame falls in `[k·step_s, (k+1)·step_s)`.
/// The change of a frame pair is the mean absolute difference of their cell thumbnails
/// (the shot detector's spatial feature), 0..1 of full scale; grid steps without a frame
/// pair hold 0. A fast move of the camera or the subject reads high, a held picture low.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChangeTrack {
    pub step_s: f64,
    pub values: Vec<f32>,
}

impl ChangeTrack {
    /// The largest change over `[a, b)` (steps partly inside count), None when the track
    /// does not reach `a` or `b` lies before `a`.
    pub fn max_over(&self, a: f64, b: f64) -> Option<f32> {
        if self.step_s <= 0.0 || b <= a {
            return None;
        }
        // A step boundary read as 2.9999… steps is step 3 (hence the 1e-9).
        let first = (a.max(0.0) / self.step_s + 1e-9).floor() as usize;
        let last = ((b / self.step_s - 1e-9).ceil().max(0.0) as usize).min(self.values.len());
        (first < last).then(|| {
            self.values[first..last]
                .iter()
                .copied()
                .fold(0.0f32, f32::max)
        })
    }
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

/// A key frame of the source's picture (see [`Analysis::key_frames`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KeyFrame {
    /// Its presentation time from the file's start, exact to the stream's time base.
    pub pts_s: f64,
    /// The time of the frame before it in presentation order; None for the first frame.
    pub prev_s: Option<f64>,
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
    /// Pauses between words inside the speech segments (at least 120 ms, 20 dB below the
    /// speech's loud level): where an edit may cut inside a segment without breaking a
    /// word (empty in documents written before it existed).
    #[serde(default)]
    pub speech_pauses: Vec<Span>,
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
    /// Picture change on a 0.1 s grid (empty in documents written before it existed).
    #[serde(default)]
    pub picture_change: ChangeTrack,
    /// The camera on a 0.25 s grid (empty in documents written before it existed).
    #[serde(default)]
    pub camera_track: CameraTrack,
    /// The picture's key frames as the analysis decode saw them (showinfo's `iskey`), each
    /// with the time of the frame before it. Only the render uses them: a picture input
    /// whose first kept frame is a key frame seeks straight to it instead of to the margin
    /// before it, which lands on the key frame before that and decodes the whole gap
    /// (`docs/APPLY.md`, "The picture read over the kept spans only"). In the JSON
    /// document so that an analysis stored by the service and reused by a later job
    /// (`docs/ARCHITECTURE.md`) plans the same render; a document written before it
    /// existed has none, and the render then seeks with the margin as before.
    #[serde(default)]
    pub key_frames: Vec<KeyFrame>,
    /// The active picture inside letterbox or pillarbox bars, in displayed pixels; None
    /// (and absent from the JSON) when the picture fills the frame. Every picture measure
    /// of the document (shots, transitions, motion, colour, captions, picture change,
    /// camera track) is read inside it; `width`/`height` stay the displayed frame's and
    /// `saliency` stays in fractions of the displayed frame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_area: Option<ActiveArea>,
}

/// A part of the displayed picture, in pixels from its top left (see
/// [`Analysis::active_area`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveArea {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_track_reads_the_steps_a_window_touches() {
        let t = ChangeTrack {
            step_s: 0.1,
            values: vec![0.1, 0.2, 0.5, 0.3],
        };
        assert_eq!(t.max_over(0.0, 0.1), Some(0.1));
        // Partly covered steps count: [0.15, 0.21) touches steps 1 and 2.
        assert_eq!(t.max_over(0.15, 0.21), Some(0.5));
        assert_eq!(t.max_over(0.3, 9.0), Some(0.3));
        // Before the start is clamped; past the end or an empty window reads nothing.
        assert_eq!(t.max_over(-1.0, 0.05), Some(0.1));
        assert_eq!(t.max_over(0.5, 0.7), None);
        assert_eq!(t.max_over(0.2, 0.2), None);
        assert_eq!(ChangeTrack::default().max_over(0.0, 1.0), None);
    }

    #[test]
    fn camera_track_sums_the_steps_whose_middle_lies_in_a_span() {
        let t = CameraTrack {
            step_s: 0.25,
            pairs: vec![6, 6, 6, 0],
            growing: vec![6, 1, 0, 0],
            zoom_log2: vec![0.05, 0.01, -0.02, 0.0],
            pan: vec![0.1, -0.2, 0.0, 0.0],
            tilt: vec![0.0, 0.0, 0.3, 0.0],
            residual: vec![0.01, 0.02, 0.03, 0.0],
        };
        // [0.1, 0.6): the middles 0.125 and 0.375 are in, 0.625 is not.
        let s = t.span(0.1, 0.6).unwrap();
        assert_eq!((s.pairs, s.growing), (12, 7));
        assert!((s.zoom_log2 - 0.06).abs() < 1e-6);
        // Absolute per step: the reversal counts both ways.
        assert!((s.abs_pan - 0.3).abs() < 1e-6 && s.abs_tilt == 0.0);
        assert!((s.residual - 0.03).abs() < 1e-6);
        // No middle inside, past the end, an empty track: nothing.
        assert_eq!(t.span(0.13, 0.36), None);
        assert_eq!(t.span(2.0, 3.0), None);
        assert_eq!(CameraTrack::default().span(0.0, 1.0), None);
        assert_eq!(t.span(0.0, 9.0).unwrap().pairs, 18);
    }

    #[test]
    fn an_analysis_without_picture_change_still_loads() {
        let json = r#"{"duration_s":1.0,"width":2,"height":2,"frame_rate":25.0,"shots":[],
            "transitions":[],"tempo_bpm":null,"beats":[],"loudness":{"integrated_lufs":null,
            "range_lu":null,"true_peak_dbtp":null},"speech_segments":[],"motion":[],"color":[],
            "color_grade":{"temperature":0.0,"tint":0.0,"saturation":0.0,"contrast":0.0,
            "highlights":0.0,"shadows":0.0},"audio":{"has_audio":false,"bass_excess_db":null,
            "estimated_compression_ratio":null,"speech_ratio":0.0,"music_ratio":0.0,
            "speech_enhanced":false},"has_subtitle_stream":false,"burned_in_captions":false}"#;
        let a: Analysis = serde_json::from_str(json).unwrap();
        assert!(a.picture_change.values.is_empty() && a.saliency.is_empty());
    }
}
