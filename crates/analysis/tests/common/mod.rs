//! Helpers shared by the analysis crate's tests on the real media in `../shared/media`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use stylecut_analysis::audio::vad;
use stylecut_analysis::video::frame::FrameFeatures;
use stylecut_analysis::video::shots;
use stylecut_analysis::video::{FrameRef, VideoAnalyzer, VideoReport};
use stylecut_media::{decode::decode_audio, decode_picture, probe, DecodedAudio, RunOpts};
use stylecut_types::TransitionEvent;

const MEDIA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/media");

/// A file of the shared media, by its path under `../shared/media`.
pub fn media(rel: &str) -> PathBuf {
    PathBuf::from(MEDIA).join(rel)
}

/// Renders the filtergraph `fc` over the shared file `src` (its picture as `[0:v]`, the
/// result labelled `[v]`) into `out`, picture only, H.264 at CRF 18: the tests' clips of
/// known transitions.
pub fn encode_graph(src: &str, fc: &str, out: &Path) {
    encode_graph_preset(src, fc, out, "veryfast");
}

/// [`encode_graph`] with x264's `preset` (a clip made as a bench generator makes it).
pub fn encode_graph_preset(src: &str, fc: &str, out: &Path, preset: &str) {
    let ok = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-y", "-v", "error", "-i"])
        .arg(media(src))
        .args([
            "-filter_complex",
            fc,
            "-map",
            "[v]",
            "-an",
            "-c:v",
            "libx264",
        ])
        .args(["-preset", preset, "-crf", "18"])
        .arg(out)
        .status()
        .expect("ffmpeg")
        .success();
    assert!(ok, "ffmpeg failed for {}", out.display());
}

/// The shared file's sound decoded as the analysis decodes it (mono at 22.05 kHz, no
/// full-rate copy) and the Silero model's reading of its 16 kHz sound, fed `chunk`
/// samples at a time.
pub fn decode_with_speech(rel: &str, chunk: usize) -> (DecodedAudio, vad::Speech) {
    let p = media(rel);
    let opts = RunOpts::default();
    let info = probe::probe(&p, &opts).unwrap();
    let a = decode_audio(&p, &info, 22_050, false, None, &opts).unwrap();
    let mut v = vad::Vad::new().unwrap();
    assert!(a
        .for_each_speech_chunk(chunk, |c| v.push(c).unwrap())
        .unwrap());
    let speech = v.finish(&vad::Params::default()).unwrap();
    (a, speech)
}

/// Every transition the shot detector reports on a file's picture, decoded as the
/// analysis decodes it (the frame rate from the frame count and the probed duration).
pub fn detected_transitions(path: &Path) -> Vec<TransitionEvent> {
    let opts = RunOpts::default();
    let mut feats = Vec::new();
    let info = decode_picture(path, &opts, |f| {
        feats.push(FrameFeatures::from_rgb(
            f.pts_s,
            f.width as usize,
            f.height as usize,
            &f.rgb,
        ))
    })
    .expect("decode");
    let n = feats.len();
    shots::segment(&feats, n as f64 / info.duration_s, info.duration_s).transitions
}

/// The whole video analyser's report on a file's picture, each frame's camera motion
/// measured as `analyze` measures it.
pub fn analyse(path: &Path) -> VideoReport {
    let opts = RunOpts::default();
    let mut analyzer = VideoAnalyzer::new();
    let info = decode_picture(path, &opts, |f| {
        analyzer.push(&FrameRef {
            pts_s: f.pts_s,
            width: f.width as usize,
            height: f.height as usize,
            rgb: &f.rgb,
        })
    })
    .expect("decode");
    analyzer.finish(info.duration_s, &mut |_| {})
}

/// Every transition the whole video analyser reports on a file's picture: as
/// [`detected_transitions`], with each frame's camera motion measured as `analyze` measures
/// it (the edge search takes a shaking camera's motion out; the bare shot detector over
/// [`FrameFeatures::from_rgb`] sees none).
pub fn analysed_transitions(path: &Path) -> Vec<TransitionEvent> {
    analyse(path).shots.transitions
}

/// Whether `../shared/media` is there; says so when it is not (the test is then skipped).
pub fn media_present() -> bool {
    let ok = Path::new(MEDIA).is_dir();
    if !ok {
        eprintln!("skipped: {MEDIA} absent");
    }
    ok
}

/// One part of a pan clip from `start_s` of its source (as `bench/synth/pan_cuts.py` draws
/// them): the source at 1920×1080, 25 fps, seen through a 640×360 window at x = `x` (an
/// ffmpeg expression of the frame number `n`).
pub fn pan_window(start_s: f64, x: &str) -> String {
    format!(
        "trim=start={start_s}:duration=2.6,setpts=PTS-STARTPTS,fps=25,\
         scale=1920:1080:flags=bicubic,setsar=1,crop=640:360:x='{x}':y=360"
    )
}

/// Renders the graph `fc` of the shared file `src` (a 25 fps clip) and returns the (type,
/// start frame) of every transition reported: by the whole video analyser
/// ([`analysed_transitions`]) when `analysed`, else by the bare shot detector
/// ([`detected_transitions`]).
pub fn transitions_by_frame(name: &str, src: &str, fc: &str, analysed: bool) -> Vec<(String, i64)> {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("stylecut-tests-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join(format!("{name}.mp4"));
    encode_graph(src, fc, &out);
    let t = if analysed {
        analysed_transitions(&out)
    } else {
        detected_transitions(&out)
    };
    let _ = std::fs::remove_dir_all(&dir);
    t.into_iter()
        .map(|t| (t.kind, (t.start_s * 25.0).round() as i64))
        .collect()
}
