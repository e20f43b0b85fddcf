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
//! [`chunks`] (the bounded render: the video in chunks, then one join), `render` (the
//! ffmpeg runs).

pub mod audio;
pub mod chunks;
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
pub mod seeks;
pub mod subs;
pub mod transitions;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use audio::{AudioPlan, DeliveredAudio, Normalization};
pub use chunks::{ChunkedRender, RenderChunk};
pub use edl::Segment;
pub use format::{CropWindow, OutputFormat};
pub use lut::LutSpec;
pub use planner::{pacing_input, plan, plan_chunked};
pub use render::{render, same_file, RENDER_SCRATCH_PREFIX};
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

impl Encoder {
    /// The picture's encoder options (codec, preset, CRF, 8-bit 4:2:0), the same for the
    /// one-process render and every chunk.
    pub(crate) fn video_args(&self) -> [String; 8] {
        [
            "-c:v".into(),
            self.video_codec.clone(),
            "-preset".into(),
            self.preset.clone(),
            "-crf".into(),
            self.crf.to_string(),
            "-pix_fmt".into(),
            "yuv420p".into(),
        ]
    }

    /// The last options of every final encode (the one-process render and the chunks'
    /// join): the output's colour tags, the AAC sound, the MP4 container with its index
    /// first, and the `{output}` slot.
    pub(crate) fn output_tail_args(&self) -> Vec<String> {
        let mut a: Vec<String> = OUTPUT_COLOUR_ARGS.map(String::from).to_vec();
        a.extend(self.sound_args());
        a.extend(["-movflags", "+faststart", "-f", "mp4", "{output}"].map(String::from));
        a
    }

    /// The output's sound encoding: the plan's codec and bit rate, 48 kHz stereo (every
    /// encode of the delivered sound uses these).
    pub(crate) fn sound_args(&self) -> [String; 8] {
        [
            "-c:a".into(),
            self.audio_codec.clone(),
            "-b:a".into(),
            format!("{}k", self.audio_kbps),
            "-ar".into(),
            "48000".into(),
            "-ac".into(),
            "2".into(),
        ]
    }
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
    /// ffmpeg arguments after `ffmpeg -y`, with two slots the render fills in: `{output}` (the output
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
    /// `{scratch}` and the `{measured}` slot, which the render fills with the loudness
    /// normalisation filters chosen from the measuring pass.
    pub filtergraph: String,
    /// Audio-only graph of the loudness measuring pass, when normalisation applies (the
    /// render's audio graph with the measuring filters in the loudness slot).
    pub audio_measure_graph: Option<String>,
    /// Video-only graph of the stabiliser's analysis pass (`vidstabdetect`), when a
    /// segment is stabilised; it writes `{scratch}/stab<k>.trf`, which the filtergraph's
    /// `vidstabtransform` reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stabilize_detect_graph: Option<String>,
    /// The source's colour description (the graph converts it to the output convention).
    #[serde(default)]
    pub source_colour: SourceColour,
    /// The bounded render, when the plan has more segments than one render process runs
    /// ([`chunks::segments_per_process`]: a memory budget by the source's decoded picture,
    /// 8 segments at 1080p): the video in chunks (one ffmpeg each, its graph and
    /// arguments), then one join that copies the video and encodes the sound. None: the
    /// render is the one process of `ffmpeg_args` and `filtergraph`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunks: Option<ChunkedRender>,
}

/// The source's colour description as the plan uses it (from the probe's tags), and the
/// output convention: every render is BT.709 Y'CbCr, limited range, 8-bit 4:2:0, tagged
/// `bt709` (matrix, primaries, transfer) and `tv`, whatever the source (docs/APPLY.md,
/// Colour management).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceColour {
    /// The source's Y'CbCr matrix as swscale names it (`bt601` for untagged video).
    pub matrix: String,
    /// Full-range (`pc`) source codes.
    pub full_range: bool,
    /// Transfer tag (`bt709`, `arib-std-b67`, `smpte2084`, ...), None when untagged.
    pub transfer: Option<String>,
    /// Primaries tag, None when untagged.
    pub primaries: Option<String>,
    /// Filters at the head of the graph that tone-map an HDR source, or convert a
    /// wide-gamut SDR source's primaries, to BT.709 SDR (None for BT.709 SDR sources).
    pub to_sdr_bt709: Option<String>,
}

impl Default for SourceColour {
    /// Untagged BT.601 limited range SDR (what ffmpeg assumes for untagged video).
    fn default() -> Self {
        SourceColour {
            matrix: "bt601".into(),
            full_range: false,
            transfer: None,
            primaries: None,
            to_sdr_bt709: None,
        }
    }
}

impl SourceColour {
    pub fn from_probe(c: &stylecut_media::Colour) -> SourceColour {
        SourceColour {
            matrix: c.sws_matrix().into(),
            full_range: c.full_range,
            transfer: c.transfer.clone(),
            primaries: c.primaries.clone(),
            to_sdr_bt709: stylecut_media::decode::to_sdr_bt709(c),
        }
    }

    /// The filters that bring the picture, scaled by `scale` (e.g. `scale=640:360`), from
    /// the source's encoding (after the HDR tone-map, when there is one) to the working
    /// space, BT.709 limited range 8-bit 4:2:0: swscale converts the range only (its
    /// Y'CbCr-to-Y'CbCr matrix change is biased: 1.0 mean ΔE and 2 codes darker on the
    /// colour-bar clip, where the `colorspace` filter measured 0.17), then `colorspace`
    /// changes the matrix when the source's is not BT.709. Primaries and transfer are
    /// converted only by the head conversion ([`SourceColour::to_sdr_bt709`]) of HDR and
    /// wide-gamut sources (an untagged source is taken as BT.709 primaries, as the analysis
    /// reads its R'G'B' as sRGB).
    pub fn to_working_space(&self, scale: &str) -> Vec<String> {
        let (m, r) = if self.to_sdr_bt709.is_some() {
            ("bt709", "tv")
        } else {
            (
                self.matrix.as_str(),
                if self.full_range { "pc" } else { "tv" },
            )
        };
        let mut f = vec![
            format!("{scale}:in_color_matrix={m}:in_range={r}:out_color_matrix={m}:out_range=tv"),
            "format=yuv420p".to_string(),
        ];
        let ispace = match m {
            "bt709" => None,
            "bt2020" => Some("bt2020ncl"),
            "fcc" => Some("fcc"),
            "smpte240m" => Some("smpte240m"),
            _ => Some("bt470bg"),
        };
        if let Some(ispace) = ispace {
            f.push(format!(
                "colorspace=space=bt709:trc=bt709:primaries=bt709:range=tv:\
                 ispace={ispace}:itrc=bt709:iprimaries=bt709:irange=tv:fast=1"
            ));
        }
        f
    }
}

/// Global option of every process that filters and encodes the picture (the one-process
/// render and each chunk): the filtergraph runs on ffmpeg's main thread alone, without
/// slice threads. By default ffmpeg gives each slice-threaded filter (`scale`,
/// `colorspace`, `lutyuv`, `maskedmerge`, `xfade`) one thread per core, and the main
/// thread waits for every slice of every filter of every frame, while x264's frame threads
/// already keep the cores busy: a slice queued behind an x264 thread stalls the whole
/// graph, and x264 then waits for frames. On the default benchmark job (BBB 720p, 501
/// output frames, a sub-pixel pan and a push-in) the picture's encode took 4.5–4.6 s
/// instead of 5.0–5.2 s of wall time and ≈ 0.4 s less CPU, frames and stream identical
/// (docs/BENCHMARKS.md, "Session 18: the picture's filters on one thread").
pub const PICTURE_FILTER_THREADS: [&str; 2] = ["-filter_complex_threads", "1"];

/// Output options of the output convention (see [`SourceColour`]).
pub const OUTPUT_COLOUR_ARGS: [&str; 8] = [
    "-colorspace",
    "bt709",
    "-color_primaries",
    "bt709",
    "-color_trc",
    "bt709",
    "-color_range",
    "tv",
];

/// File name of the filtergraph inside the scratch directory.
pub const GRAPH_FILE: &str = "graph.txt";

#[cfg(test)]
mod tests {
    use super::*;
    use stylecut_media::Colour;

    fn colour(matrix: Option<&str>, range: Option<&str>, transfer: Option<&str>) -> Colour {
        Colour {
            matrix: matrix.map(Into::into),
            range: range.map(Into::into),
            transfer: transfer.map(Into::into),
            primaries: None,
            full_range: range == Some("pc"),
            peak_nits: None,
        }
    }

    #[test]
    fn every_source_is_brought_to_bt709_limited_range() {
        let f = |c: &Colour| SourceColour::from_probe(c).to_working_space("scale=64:36");
        // BT.709 limited: swscale keeps matrix and range, no colorspace filter.
        assert_eq!(
            f(&colour(Some("bt709"), Some("tv"), Some("bt709"))),
            [
                "scale=64:36:in_color_matrix=bt709:in_range=tv:out_color_matrix=bt709:out_range=tv",
                "format=yuv420p"
            ]
        );
        // Full range: swscale converts the range, the matrix stays.
        let full = f(&colour(Some("bt709"), Some("pc"), None));
        assert!(full[0].contains(":in_range=pc:") && full[0].ends_with(":out_range=tv"));
        assert_eq!(full.len(), 2, "{full:?}");
        // Untagged: read as BT.601 limited range; colorspace changes the matrix only.
        let untagged = f(&Colour::default());
        assert_eq!(untagged.len(), 3, "{untagged:?}");
        assert!(untagged[0].contains("in_color_matrix=bt601:in_range=tv:out_color_matrix=bt601"));
        assert!(untagged[2].starts_with("colorspace=space=bt709:"));
        assert!(untagged[2].contains(":ispace=bt470bg:"), "{untagged:?}");
        // BT.2020 SDR: the matrix change from bt2020ncl.
        let sdr2020 = f(&colour(Some("bt2020nc"), Some("tv"), Some("bt2020-10")));
        assert!(sdr2020[2].contains(":ispace=bt2020ncl:"), "{sdr2020:?}");
        // HDR: the graph's head already gives BT.709 limited range, whatever the tags say.
        let hlg =
            SourceColour::from_probe(&colour(Some("bt2020nc"), Some("pc"), Some("arib-std-b67")));
        assert!(hlg.to_sdr_bt709.is_some());
        assert_eq!(
            hlg.to_working_space("scale=64:36"),
            [
                "scale=64:36:in_color_matrix=bt709:in_range=tv:out_color_matrix=bt709:out_range=tv",
                "format=yuv420p"
            ]
        );
    }
}
