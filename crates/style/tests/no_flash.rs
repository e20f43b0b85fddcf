//! No stray frame of another shot (issue 4, session 25): every output frame of a segment
//! shows a source frame of the segment's own shot, over synthetic analyses whose cuts lie
//! on source frames that are off the output's frame grid (source 23.976, 25, 29.97 and a
//! jittered variable rate; output 24, 30 and 60 fps; cut times rounded to the millisecond
//! as a `1/1000` time base stores them), at cut rates that keep, split, trim and drop
//! pieces, with cuts and with transitions.
//!
//! The frame each output frame shows is replayed the way the render's branch picks it
//! (`graph::video_branch`): `trim=start=video_in_s:end=video_out_s` keeps the source frames
//! with `video_in_s <= pts < video_out_s` (times as printed, 6 decimals), `setpts` puts
//! `src_in_s` at zero, `fps=…:start_time=0` gives output frame `n` the last kept frame
//! whose time rounds (to the nearest output tick, halves away from zero) to `n` or before
//! (before the first kept frame: the first), `tpad` clones the last. `bench/plan_flash.py`
//! replays real plans the same way and checks a render frame by frame.

mod common;

use std::path::Path;

use common::*;
use stylecut_style::apply::{self, EditPlan};
use stylecut_types::config::JobConfig;
use stylecut_types::TransitionStyle;

fn f6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn near_inf(x: f64) -> i64 {
    if x >= 0.0 {
        (x + 0.5).floor() as i64
    } else {
        -((-x + 0.5).floor() as i64)
    }
}

/// Source time of the frame each output frame of segment `k` shows.
fn shown(plan: &EditPlan, k: usize, pts: &[f64]) -> Vec<f64> {
    let seg = &plan.segments[k];
    let fps = plan.format.fps();
    let (a, b) = (f6(seg.video_in_s), f6(seg.video_out_s));
    let kept: Vec<f64> = pts.iter().copied().filter(|&t| a <= t && t < b).collect();
    assert!(!kept.is_empty(), "segment {k} keeps no source frame");
    let ticks: Vec<i64> = kept
        .iter()
        .map(|t| near_inf((t - seg.src_in_s) * fps))
        .collect();
    let mut j = 0;
    (0..seg.frames as i64)
        .map(|n| {
            while j + 1 < kept.len() && ticks[j + 1] <= n {
                j += 1;
            }
            kept[j]
        })
        .collect()
}

/// Source frame times: `n` frames at `fps`, jittered by up to a third of a frame when
/// `vfr`, rounded to the millisecond.
fn frame_times(fps: f64, dur: f64, vfr: bool) -> Vec<f64> {
    let n = (dur * fps) as usize;
    (0..n)
        .map(|i| {
            let j = if vfr {
                ((i * 7919) % 13) as f64 / 13.0 / 3.0 / fps
            } else {
                0.0
            };
            ((i as f64 / fps + j) * 1000.0).round() / 1000.0
        })
        .collect()
}

fn check(src_fps: f64, vfr: bool, out_fps: i64, cpm: f64, transition: &str) -> usize {
    let dur = 24.0;
    let pts = frame_times(src_fps, dur, vfr);
    // Cuts on source frames, unevenly spaced (1.3 .. 4.1 s shots).
    let mut cuts = Vec::new();
    let (mut i, mut step) = (0usize, 31usize);
    loop {
        i += (step as f64 * src_fps / 24.0) as usize;
        step = 31 + (step * 17) % 67;
        if i + 20 >= pts.len() {
            break;
        }
        cuts.push(pts[i]);
    }
    let a = analysis(dur, 640, 360, src_fps, &cuts);
    let mut st = style("16:9", out_fps, cpm);
    if transition != "cut" {
        st.primary_transition = TransitionStyle {
            kind: transition.into(),
            duration_ms: 300,
            easing: "linear".into(),
        };
    }
    let mut info = info(640, 360, src_fps, dur, true);
    if vfr {
        // ffprobe's r_frame_rate of a variable-rate stream: not its average (no grid).
        info.video.as_mut().unwrap().r_frame_rate = 2.0 * src_fps;
    }
    let plan = apply::plan(
        Path::new("/nonexistent.mp4"),
        &info,
        &a,
        Some(&st),
        &JobConfig::default(),
    )
    .unwrap();
    let starts: Vec<f64> = a.shots.iter().map(|s| s.start_s).collect();
    let shot_of = |t: f64| starts.iter().rposition(|&s| t >= s).unwrap_or(0);
    for k in 0..plan.segments.len() {
        let seg = &plan.segments[k];
        let frames = shown(&plan, k, &pts);
        let other: Vec<(usize, f64)> = frames
            .iter()
            .enumerate()
            .filter(|&(_, &t)| shot_of(t) != seg.shot)
            .map(|(n, &t)| (n, t))
            .collect();
        assert!(
            other.is_empty(),
            "source {src_fps} fps (vfr {vfr}), output {out_fps} fps, {cpm} cuts/min, \
             {transition}: segment {k} (shot {}, src {:.4}-{:.4}, window {:.4}-{:.4}) shows \
             frames of another shot at output frames {other:?}",
            seg.shot,
            seg.src_in_s,
            seg.src_out_s,
            seg.video_in_s,
            seg.video_out_s
        );
    }
    plan.segments.len()
}

#[test]
fn no_segment_shows_a_frame_of_another_shot() {
    let mut segments = 0;
    for (src_fps, vfr) in [
        (24000.0 / 1001.0, false),
        (25.0, false),
        (30000.0 / 1001.0, false),
        (16.05, true),
    ] {
        for out_fps in [24, 30, 60] {
            for cpm in [6.0, 20.0, 60.0] {
                for tr in ["cut", "dissolve"] {
                    segments += check(src_fps, vfr, out_fps, cpm, tr);
                }
            }
        }
    }
    // The sweep plans many segments (kept shots, splits, trims).
    assert!(segments > 500, "{segments}");
}
