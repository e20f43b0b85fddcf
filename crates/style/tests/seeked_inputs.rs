//! The render's picture is read from one input per group of segments, each the source
//! opened over its own span (`graph::picture_inputs`, session 13): the stretches the edit
//! drops are no longer decoded, and the frames are those of the single input from 0.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use stylecut_media::{probe, RunOpts};
use stylecut_style::analyze::analyze_file;
use stylecut_style::apply::{self, EditPlan};
use stylecut_types::config::JobConfig;
use stylecut_types::KeyFrame;

/// 12 s of `testsrc2` (a frame counter: every frame differs) at 25 fps with a key frame
/// every second and B-frames (x264 veryfast: the decoder reorders), and a sine.
fn source(path: &Path) {
    source_with(path, &["-g", "25", "-keyint_min", "25"]);
}

/// [`source`] with its own x264 GOP options (`gop`).
fn source_with(path: &Path, gop: &[&str]) {
    let mut args = vec![
        "-y",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=320x240:r=25:d=12",
        "-f",
        "lavfi",
        "-i",
        "sine=f=440:r=48000:d=12",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
    ];
    args.extend_from_slice(gop);
    args.extend([
        "-sc_threshold",
        "0",
        "-c:a",
        "aac",
        "-shortest",
        path.to_str().unwrap(),
    ]);
    ffmpeg(&args);
}

/// A plan of `src` that drops the 4.9–7.3 s stretch (no speech there: a jump cut).
fn gap_plan(src: &Path) -> EditPlan {
    gap_plan_with(src, Vec::new())
}

/// [`gap_plan`] with the source's key frames (`Analysis::key_frames`).
fn gap_plan_with(src: &Path, key_frames: Vec<KeyFrame>) -> EditPlan {
    let info = probe::probe(src, &RunOpts::default()).unwrap();
    let mut a = analysis(12.0, 320, 240, 25.0, &[4.02, 8.02]);
    a.key_frames = key_frames;
    a.audio.has_audio = true;
    a.speech_segments = speech_around_a_gap();
    let st = style("16:9", 30, 40.0);
    let mut plan = apply::plan(src, &info, &a, Some(&st), &JobConfig::default()).unwrap();
    fast(&mut plan);
    plan
}

/// `(-ss, -t)` of every input of `args` opened with `-an` (the picture's).
fn picture_windows(args: &[String]) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let (mut ss, mut t, mut an) = (0.0, f64::INFINITY, false);
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "-ss" => ss = args[i + 1].parse().unwrap(),
            "-t" => t = args[i + 1].parse().unwrap(),
            "-an" => an = true,
            "-i" => {
                if an {
                    out.push((ss, ss + t));
                }
                (ss, t, an) = (0.0, f64::INFINITY, false);
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Stretches of the source longer than 1.5 s that no segment's picture uses.
fn dropped(plan: &EditPlan) -> Vec<(f64, f64)> {
    let mut spans: Vec<(f64, f64)> = plan
        .segments
        .iter()
        .map(|s| (s.video_in_s, s.video_out_s))
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out = Vec::new();
    let mut end = 0.0f64;
    for (a, b) in spans {
        if a - end > 1.5 {
            out.push((end, a));
        }
        end = end.max(b);
    }
    out
}

#[test]
fn the_render_does_not_decode_the_stretches_the_edit_drops() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("gop.mp4");
    source(&src);
    let plan = gap_plan(&src);
    let gaps = dropped(&plan);
    assert!(!gaps.is_empty(), "{:?}", plan.segments);
    let windows = picture_windows(&plan.ffmpeg_args);
    assert!(windows.len() >= 2, "{:?}", plan.ffmpeg_args);
    // Every kept frame lies inside its group's window; no window reaches into the middle
    // of a dropped stretch (main decoded the source from 0 to 1 s past the last segment).
    for (k, s) in plan.segments.iter().enumerate() {
        assert!(
            windows
                .iter()
                .any(|&(a, b)| a <= s.video_in_s && s.video_out_s <= b),
            "segment {k} {:?} outside {windows:?}",
            (s.video_in_s, s.video_out_s)
        );
    }
    for &(a, b) in &gaps {
        let mid = (a + b) / 2.0;
        assert!(
            windows.iter().all(|&(x, y)| mid < x || mid > y),
            "the dropped stretch {a:.2}–{b:.2} s is decoded: {windows:?}"
        );
    }
    // The sound's input (after the picture's) and the graph's references agree.
    let n = windows.len();
    assert!(
        plan.filtergraph.contains(&format!("[{n}:a:0]")),
        "{}",
        plan.filtergraph
    );
    for i in 0..n {
        assert!(
            plan.filtergraph.contains(&format!("[{i}:v]")),
            "{}",
            plan.filtergraph
        );
    }
}

/// framemd5 of the plan's video graph run with `inputs` (input options and files) and
/// `graph`.
fn frames(inputs: &[String], graph: &str, dir: &Path, name: &str) -> String {
    let script = dir.join(format!("{name}.txt"));
    std::fs::write(&script, graph).unwrap();
    let out = dir.join(format!("{name}.md5"));
    let st = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-nostdin"])
        .args(inputs)
        .arg("-filter_complex_script")
        .arg(&script)
        .args(["-map", "[vout]", "-f", "framemd5"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn seeked_inputs_give_the_frames_of_one_input_from_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("gop.mp4");
    source(&src);
    let plan = gap_plan(&src);
    same_frames_as_one_input(&plan, &src, dir.path());
}

/// The plan's video graph gives the same frames (framemd5: every frame and timestamp)
/// from its seeked inputs as from one input of `src` read from 0, and the plan's count.
fn same_frames_as_one_input(plan: &EditPlan, src: &Path, dir: &Path) {
    let (video, _) = plan.filtergraph.split_once("[vout];").unwrap();
    let video = format!("{video}[vout]");
    // The plan's own picture inputs: its arguments up to the sound's input.
    let args = &plan.ffmpeg_args;
    let sound = args.iter().position(|a| a == "-vn").unwrap() - 2;
    let seeked = frames(&args[..sound], &video, dir, "seeked");
    // The same graph fed from one input read from 0, split into the groups' labels.
    let n = picture_windows(args).len();
    let mut one = format!("[0:v]split={n}");
    for i in 0..n {
        one.push_str(&format!("[in{i}]"));
    }
    one.push(';');
    let mut g = video.clone();
    for i in 0..n {
        g = g.replace(&format!("[{i}:v]"), &format!("[in{i}]"));
    }
    one.push_str(&g);
    let whole = frames(
        &["-an".into(), "-i".into(), src.display().to_string()],
        &one,
        dir,
        "whole",
    );
    let count = seeked.lines().filter(|l| !l.starts_with('#')).count();
    assert_eq!(
        count as u64,
        apply::edl::total_frames(&plan.segments, &plan.transitions)
    );
    assert_eq!(
        seeked, whole,
        "the seeked inputs changed frames or timestamps"
    );
}

/// A group whose first kept frame is a key frame opens its input on that key frame
/// (`graph::start_on_key_frames`), not 0.25 s before it, where the decoder would start at
/// the key frame before and decode the GOP between; the frames stay those of one input.
/// The key frames are the analysis decode's own (`analyze_file`: showinfo's `iskey` and
/// the exact time from the stream's time base).
#[test]
fn an_input_whose_first_frame_is_a_key_frame_starts_on_it() {
    let dir = tempfile::tempdir().unwrap();
    // Where the gap plan's later groups start (the plan does not depend on the GOP).
    let plain = dir.path().join("plain.mp4");
    source(&plain);
    let starts: Vec<f64> = {
        let plan = gap_plan(&plain);
        let windows = picture_windows(&plan.ffmpeg_args);
        assert!(windows.len() >= 2, "{:?}", plan.ffmpeg_args);
        windows[1..]
            .iter()
            .map(|&(a, _)| {
                plan.segments
                    .iter()
                    .map(|s| s.video_in_s)
                    .filter(|&v| v >= a)
                    .fold(f64::INFINITY, f64::min)
            })
            .collect()
    };
    // The first frame each group keeps (25 fps from 0), forced a key frame; 10 s GOPs
    // and no B-frames otherwise, so the key frame before lies far back.
    let firsts: Vec<f64> = starts
        .iter()
        .map(|&v| (v * 25.0 - 1e-6).ceil() / 25.0)
        .collect();
    let force = firsts
        .iter()
        .map(|t| format!("{t:.3}"))
        .collect::<Vec<_>>()
        .join(",");
    let src = dir.path().join("keyed.mp4");
    source_with(
        &src,
        &["-g", "250", "-bf", "0", "-force_key_frames", &force],
    );
    let (_, real) = analyze_file(&src, &RunOpts::default(), None, &mut |_, _| {}).unwrap();
    for t in &firsts {
        assert!(
            real.key_frames.iter().any(|k| (k.pts_s - t).abs() < 1e-9),
            "no key frame at {t} in {:?}",
            real.key_frames
        );
    }
    let plan = gap_plan_with(&src, real.key_frames.clone());
    let windows = picture_windows(&plan.ffmpeg_args);
    for (w, t) in windows[1..].iter().zip(&firsts) {
        assert!(
            (w.0 - t).abs() < 2e-6,
            "the input opens at {} s, not on the key frame at {t} s: {:?}",
            w.0,
            plan.ffmpeg_args
        );
    }
    same_frames_as_one_input(&plan, &src, dir.path());
    // Without the key frames the same plan seeks with the margin, to the same frames.
    let margin = gap_plan(&src);
    assert!(picture_windows(&margin.ffmpeg_args)[1].0 < firsts[0] - 0.2);
    same_frames_as_one_input(&margin, &src, dir.path());
}
