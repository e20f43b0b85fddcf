//! The render's picture is read from one input per group of segments, each the source
//! opened over its own span (`graph::picture_inputs`, session 13): the stretches the edit
//! drops are no longer decoded, and the frames are those of the single input from 0.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use stylecut_media::{probe, RunOpts};
use stylecut_style::apply::{self, EditPlan};
use stylecut_types::config::JobConfig;

/// 12 s of `testsrc2` (a frame counter: every frame differs) at 25 fps with a key frame
/// every second and B-frames (x264 veryfast: the decoder reorders), and a sine.
fn source(path: &Path) {
    ffmpeg(&[
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
        "-g",
        "25",
        "-keyint_min",
        "25",
        "-sc_threshold",
        "0",
        "-c:a",
        "aac",
        "-shortest",
        path.to_str().unwrap(),
    ]);
}

/// A plan of `src` that drops the 4.9–7.3 s stretch (no speech there: a jump cut).
fn gap_plan(src: &Path) -> EditPlan {
    let info = probe::probe(src, &RunOpts::default()).unwrap();
    let mut a = analysis(12.0, 320, 240, 25.0, &[4.02, 8.02]);
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
    let (video, _) = plan.filtergraph.split_once("[vout];").unwrap();
    let video = format!("{video}[vout]");
    // The plan's own picture inputs: its arguments up to the sound's input.
    let args = &plan.ffmpeg_args;
    let sound = args.iter().position(|a| a == "-vn").unwrap() - 2;
    let seeked = frames(&args[..sound], &video, dir.path(), "seeked");
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
        dir.path(),
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
