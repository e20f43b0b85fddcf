//! Source analysis + target StyleJSON → edit plan → one ffmpeg render.
//!
//! [`plan`] is pure: it turns the source's [`Analysis`] and a [`StyleJson`] into an
//! [`EditPlan`] — an edit decision list (segments with source in/out, crop windows, camera
//! moves, LUTs), the transitions at each join, the audio chain, and the single ffmpeg
//! filtergraph and argument vector that render it. [`render`] writes the plan's LUTs and
//! subtitles to a scratch directory, measures the processed audio's loudness (audio-only
//! first pass), and runs one encode. The rules are documented in `docs/APPLY.md`.
//!
//! Submodules: [`format`] (size, fps, crop windows), [`pacing`] (cut rate, beats, speech),
//! [`edl`] (frame-exact segments, placement, duration cap), [`transitions`], [`motion`], [`reframe`] (crop window following the action),
//! [`lut`] (grade → .cube), [`audio`], [`graph`] (filtergraph builder), [`subs`], and
//! `render` (the two ffmpeg runs).

pub mod audio;
pub mod edl;
pub mod format;
pub mod graph;
pub mod lut;
pub mod lut_yuv;
pub mod motion;
pub mod pacing;
mod planner;
pub mod reframe;
mod render;
pub mod subs;
pub mod transitions;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use audio::AudioPlan;
pub use edl::Segment;
pub use format::{CropWindow, OutputFormat};
pub use lut::LutSpec;
pub use planner::plan;
pub use render::render;
pub use transitions::PlannedTransition;

/// Encoder settings of the plan (from `Quality::encoder_settings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Encoder {
    pub video_codec: String,
    pub preset: String,
    pub crf: u8,
    pub audio_codec: String,
    pub audio_kbps: u32,
}

/// Where burned-in subtitles come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SubtitleSource {
    /// A SubRip file next to the source.
    Sidecar { path: PathBuf },
    /// The source's subtitle stream with this index (text subtitles only).
    Stream { index: usize },
}

/// Everything the render needs, inspectable as JSON (`stylecut plan`, job result).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditPlan {
    /// Expected output duration, seconds.
    pub output_duration_s: f64,
    /// ffmpeg arguments after `ffmpeg -y`, with the placeholders `{output}` (the output
    /// path) and `{scratch}` (the render's scratch directory, which holds the graph file,
    /// LUTs and subtitles).
    pub ffmpeg_args: Vec<String>,
    /// Human readable notes on what the plan does per dimension.
    pub notes: Vec<String>,
    pub source: PathBuf,
    pub format: OutputFormat,
    pub encoder: Encoder,
    pub segments: Vec<Segment>,
    /// One per join: `transitions[k]` sits between `segments[k]` and `segments[k + 1]`.
    pub transitions: Vec<PlannedTransition>,
    /// LUTs referenced by `segments[].lut`.
    pub luts: Vec<LutSpec>,
    pub audio: AudioPlan,
    pub subtitles: Option<SubtitleSource>,
    /// The complete filtergraph (written to `{scratch}/graph.txt` at render time), with
    /// `{scratch}` and the `{measured}` placeholder (the loudness normalisation filters,
    /// chosen from the measuring pass).
    pub filtergraph: String,
    /// Audio-only graph of the loudness measuring pass, when normalisation applies (the
    /// render's audio graph with the measuring filters in the loudness slot).
    pub audio_measure_graph: Option<String>,
    /// Video-only graph of the stabiliser's analysis pass (`vidstabdetect`), when a
    /// segment is stabilised; it writes `{scratch}/stab<k>.trf`, which the filtergraph's
    /// `vidstabtransform` reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stabilize_detect_graph: Option<String>,
}

/// File name of the filtergraph inside the scratch directory.
pub const GRAPH_FILE: &str = "graph.txt";
