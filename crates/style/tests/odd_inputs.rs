//! Odd but valid inputs (session 8 robustness sweep, docs/BENCHMARKS.md "odd inputs"):
//! each test generates its small input with ffmpeg and checks the command that failed
//! on it before.

mod common;

use std::path::Path;

use common::*;
use stylecut_media::{probe, RunOpts};
use stylecut_style::apply;
use stylecut_types::config::{JobConfig, Quality};

/// A push-in on a picture with odd sides (853×479, 4:4:4, untagged so the graph converts
/// the matrix with `colorspace`, which refuses odd sizes): the render failed with
/// "Invalid odd size (853x479)".
#[test]
fn push_in_on_an_odd_sized_source_renders() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("odd.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=320x180:r=30:d=2",
        "-f",
        "lavfi",
        "-i",
        "sine=f=440:d=2",
        // testsrc2 rounds its size to even sides: the odd size comes from the scale.
        "-vf",
        "scale=853:479,setsar=1",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv444p",
        "-c:a",
        "aac",
        "-shortest",
        src.to_str().unwrap(),
    ]);
    let info = probe::probe(&src, &RunOpts::default()).unwrap();
    let a = analysis(2.0, 853, 479, 30.0, &[]);
    let mut st = style("16:9", 30, 0.0);
    st.zoom_usage = 100.0;
    let cfg = JobConfig {
        quality: Quality::Low,
        ..JobConfig::default()
    };
    let mut plan = apply::plan(&src, &info, &a, Some(&st), &cfg).unwrap();
    assert!(
        plan.filtergraph.contains(":eval=frame,crop=") && plan.filtergraph.contains("colorspace="),
        "{}",
        plan.filtergraph
    );
    fast(&mut plan);
    let out = dir.path().join("out.mp4");
    apply::render(&plan, &out, &RunOpts::default(), |_| {}).unwrap();
    let (vd, ad) = durations(&out);
    assert!(
        (vd - plan.output_duration_s).abs() <= 1.0 / 30.0 + 1e-6,
        "{vd}"
    );
    assert!((vd - ad).abs() <= 0.05, "video {vd} audio {ad}");
    let v = stream(&out, "v:0", "width,height");
    assert_eq!(
        (get(&v, "width"), get(&v, "height")),
        (
            plan.format.width.to_string(),
            plan.format.height.to_string()
        )
    );
}

/// Frames `idet` reads as interlaced (TFF + BFF, multi-frame detection) and all frames.
fn idet(path: &std::path::Path) -> (u64, u64) {
    let out = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-i"])
        .arg(path)
        .args(["-vf", "idet", "-f", "null", "-"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    let line = log
        .lines()
        .find(|l| l.contains("Multi frame detection"))
        .expect("idet summary");
    let count = |key: &str| -> u64 {
        let rest = &line[line.find(key).unwrap() + key.len()..];
        rest.split_whitespace().next().unwrap().parse().unwrap()
    };
    let interlaced = count("TFF:") + count("BFF:");
    (
        interlaced,
        interlaced + count("Progressive:") + count("Undetermined:"),
    )
}

/// A true interlaced source of `seconds` (25i, the fields from 50 different instants a
/// second, tagged top field first) at `src`, checked to read interlaced.
fn interlaced_source(src: &Path, seconds: u32) {
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &format!("testsrc2=s=720x576:r=50:d={seconds}"),
        "-f",
        "lavfi",
        "-i",
        &format!("sine=f=440:d={seconds}"),
        "-vf",
        "tinterlace=mode=interleave_top,setfield=tff",
        "-flags",
        "+ildct+ilme",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-x264-params",
        "tff=1",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
        src.to_str().unwrap(),
    ]);
    let (il, all) = idet(src);
    assert!(
        il * 10 > all * 9,
        "the source reads interlaced: {il} of {all}"
    );
}

/// The render of `plan` into `dir` reads progressive.
fn assert_progressive_render(plan: &mut apply::EditPlan, dir: &Path) {
    fast(plan);
    let out = dir.join("out.mp4");
    apply::render(plan, &out, &RunOpts::default(), |_| {}).unwrap();
    let (il, all) = idet(&out);
    assert!(
        all > 0 && il * 20 <= all,
        "{il} of {all} output frames read interlaced"
    );
}

/// A true interlaced source: the render deinterlaces it first. Before, the combing was
/// scaled into the output and `idet` read 44 of its 96 frames as interlaced.
#[test]
fn an_interlaced_source_is_deinterlaced() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("25i.mp4");
    interlaced_source(&src, 3);
    let info = probe::probe(&src, &RunOpts::default()).unwrap();
    assert!(info.video.as_ref().unwrap().interlaced);
    let a = analysis(3.0, 720, 576, 25.0, &[]);
    let st = style("16:9", 25, 0.0);
    let cfg = JobConfig {
        quality: Quality::Low,
        ..JobConfig::default()
    };
    let mut plan = apply::plan(&src, &info, &a, Some(&st), &cfg).unwrap();
    assert!(
        plan.filtergraph.starts_with("[0:v]bwdif="),
        "{}",
        plan.filtergraph
    );
    assert_progressive_render(&mut plan, dir.path());
}

/// The same in a chunked render (the bounded render of plans with many segments): every
/// chunk's graph deinterlaces its input first. Until session 17 the chunks' graphs began
/// with the HDR tone-map only, so a long interlaced edit kept its combing.
#[test]
fn an_interlaced_source_is_deinterlaced_in_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("25i.mp4");
    interlaced_source(&src, 4);
    let info = probe::probe(&src, &RunOpts::default()).unwrap();
    let a = analysis(4.0, 720, 576, 25.0, &[1.32, 2.68]);
    let st = style("16:9", 25, 45.0);
    let cfg = JobConfig {
        quality: Quality::Low,
        ..JobConfig::default()
    };
    let mut plan = apply::plan_chunked(&src, &info, &a, Some(&st), &cfg, 2).unwrap();
    let chunks = plan.chunks.as_ref().expect("a chunked plan");
    assert!(chunks.chunks.len() >= 2, "{:?}", plan.notes);
    for c in &chunks.chunks {
        assert!(c.graph.starts_with("[0:v]bwdif="), "{}", c.graph);
    }
    assert_progressive_render(&mut plan, dir.path());
}

/// Two audio streams, the second flagged default (the first silent, the second a tone):
/// players play the second, and so must the analysis and the render. Before, the probe,
/// the analysis decode (`-map 0:a:0`) and the render (`[1:a]`) all took the first: the
/// analysis measured silence and the output was silent.
#[test]
fn the_default_audio_stream_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("two-audio-default2.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=320x180:r=25:d=3",
        "-f",
        "lavfi",
        "-i",
        "anullsrc=r=48000:cl=stereo:d=3",
        "-f",
        "lavfi",
        "-i",
        "sine=f=440:r=48000:d=3",
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-map",
        "2:a",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-c:a",
        "aac",
        "-disposition:a:0",
        "0",
        "-disposition:a:1",
        "default",
        "-t",
        "3",
        src.to_str().unwrap(),
    ]);
    let info = probe::probe(&src, &RunOpts::default()).unwrap();
    assert_eq!(info.audio.as_ref().unwrap().stream, 1);
    let a = analyze(&src);
    let lufs = a.loudness.integrated_lufs.expect("the tone is measured");
    assert!(lufs > -30.0, "{lufs}");
    let st = style("16:9", 25, 0.0);
    let cfg = JobConfig {
        quality: Quality::Low,
        ..JobConfig::default()
    };
    let mut plan = apply::plan(&src, &info, &a, Some(&st), &cfg).unwrap();
    assert!(plan.filtergraph.contains("[1:a:1]"), "{}", plan.filtergraph);
    fast(&mut plan);
    let out = dir.path().join("out.mp4");
    apply::render(&plan, &out, &RunOpts::default(), |_| {}).unwrap();
    let out_lufs = integrated_lufs(&out);
    assert!(out_lufs > -40.0, "the output carries the tone: {out_lufs}");
}

/// The default-flagged audio stream is the probe's choice, else the first; with several
/// flagged (Matroska flags every track by default), the first of them.
#[test]
fn probe_prefers_the_default_audio_stream() {
    let j = |d0: i64, d1: i64| {
        format!(
            r#"{{"format": {{"format_name": "mov", "duration": "3"}}, "streams": [
            {{"codec_type": "video", "width": 64, "height": 36, "disposition": {{"default": 1}}}},
            {{"codec_type": "audio", "codec_name": "aac", "disposition": {{"default": {d0}}}}},
            {{"codec_type": "audio", "codec_name": "opus", "disposition": {{"default": {d1}}}}}]}}"#
        )
    };
    let pick = |d0, d1| {
        let a = probe::parse_probe_json(j(d0, d1).as_bytes())
            .unwrap()
            .audio
            .unwrap();
        (a.stream, a.codec)
    };
    assert_eq!(pick(0, 1), (1, "opus".to_string()));
    assert_eq!(pick(1, 1), (0, "aac".to_string()));
    assert_eq!(pick(1, 0), (0, "aac".to_string()));
    assert_eq!(pick(0, 0), (0, "aac".to_string()));
}
