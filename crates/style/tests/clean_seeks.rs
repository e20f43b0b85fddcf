//! A source whose container marks key frames that are no clean starting point
//! (`cockatoo.mp4` of `../shared/media`: non-IDR I frames at 3.8 and 7.25 s marked as sync
//! samples, the frames after them still referring to frames before). A chunked render
//! seeks each chunk's picture input; decoded from such a key frame the picture is a green
//! field healing block by block, and the second half of a chunked edit of this file showed
//! it (session 20). The render now seeks only where the picture decodes cleanly
//! (`apply::seeks`). Skipped when the media directory is absent.

mod common;

use std::process::Command;

use common::*;
use stylecut_media::{probe, RunOpts};
use stylecut_style::apply::{self, seeks};
use stylecut_types::config::JobConfig;

const COCKATOO: &str = "video/imageio-cockatoo/cockatoo.mp4";

#[test]
fn a_false_key_frame_is_no_clean_seek() {
    let src = media(COCKATOO);
    if !src.exists() {
        eprintln!("skipped: {} absent", src.display());
        return;
    }
    let opts = RunOpts::default();
    assert!(seeks::decodes_cleanly(&src, 1.0, &opts).unwrap());
    assert!(!seeks::decodes_cleanly(&src, 4.2, &opts).unwrap());
    assert!(!seeks::decodes_cleanly(&src, 9.0, &opts).unwrap());
    let s = seeks::clean_start(9.0, |s| seeks::decodes_cleanly(&src, s, &opts)).unwrap();
    assert!(s < 3.8, "{s}");
}

/// Share of the sampled pixels (4 frames a second at 32×18) that are the decoder's green
/// field (green far above red and blue) from `from_s` on.
fn green_share(path: &std::path::Path, from_s: f64) -> f64 {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-ss", &from_s.to_string(), "-i"])
        .arg(path)
        .args([
            "-vf",
            "fps=4,scale=32:18,format=rgb24",
            "-f",
            "rawvideo",
            "-",
        ])
        .output()
        .unwrap();
    let px: Vec<&[u8]> = out.stdout.chunks(3).collect();
    assert!(!px.is_empty());
    let green = px
        .iter()
        .filter(|c| c[1] as i32 > c[0] as i32 + 80 && c[1] as i32 > c[2] as i32 + 80)
        .count();
    green as f64 / px.len() as f64
}

#[test]
fn a_chunked_render_past_a_false_key_frame_shows_the_picture() {
    let src = media(COCKATOO);
    if !src.exists() {
        eprintln!("skipped: {} absent", src.display());
        return;
    }
    let info = probe::probe(&src, &RunOpts::default()).unwrap();
    let a = analysis(14.0, 1280, 720, 20.0, &[]);
    // 60 cuts a minute: 14 pieces, in chunks of 4 whose picture inputs seek past 3.8 s.
    let st = style("16:9", 20, 60.0);
    let mut plan =
        apply::plan_chunked(&src, &info, &a, Some(&st), &JobConfig::default(), 4).unwrap();
    fast(&mut plan);
    let chunks = plan.chunks.as_ref().expect("a chunked plan");
    assert!(chunks.chunks.len() >= 3, "{}", chunks.chunks.len());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.mp4");
    apply::render(&plan, &out, &RunOpts::default(), |_| {}).unwrap();
    // The source's picture has no such green; the false key frames' decode is mostly it.
    let g = green_share(&out, 0.0);
    assert!(g < 0.01, "green share {g:.3}");
}

/// The one-process render (picture and sound encoded side by side, `render_overlapped`)
/// tries its picture seeks beside the sound's measuring pass instead of before the
/// render (session 21): its seeks past the false key frames must still move.
#[test]
fn a_one_process_render_past_a_false_key_frame_shows_the_picture() {
    let src = media(COCKATOO);
    if !src.exists() {
        eprintln!("skipped: {} absent", src.display());
        return;
    }
    let info = probe::probe(&src, &RunOpts::default()).unwrap();
    // Shots every 1.5 s at 12 cuts a minute: the edit keeps 0–4.5 s and 12–14 s, the
    // second part a picture input of its own that seeks past the false key frame at
    // 7.25 s (no chunk limit: one process).
    let cuts: Vec<f64> = (1..=8).map(|k| 1.5 * k as f64).collect();
    let a = analysis(14.0, 1280, 720, 20.0, &cuts);
    let st = style("16:9", 20, 12.0);
    let mut plan =
        apply::plan_chunked(&src, &info, &a, Some(&st), &JobConfig::default(), 64).unwrap();
    fast(&mut plan);
    assert!(plan.chunks.is_none(), "a one-process plan");
    assert!(plan.audio.source_has_audio);
    let name = src.display().to_string();
    let late = seeks::picture_seeks(&plan.ffmpeg_args, &name)
        .into_iter()
        .filter(|&s| s > 7.25)
        .count();
    assert!(late >= 1, "{:?}", plan.ffmpeg_args);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.mp4");
    apply::render(&plan, &out, &RunOpts::default(), |_| {}).unwrap();
    let g = green_share(&out, 0.0);
    assert!(g < 0.01, "green share {g:.3}");
}
