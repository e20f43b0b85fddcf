//! Odd but valid inputs (session 8 robustness sweep, docs/BENCHMARKS.md "odd inputs"):
//! each test generates its small input with ffmpeg and checks the command that failed
//! on it before.

mod common;

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
        plan.filtergraph.contains("zoompan=") && plan.filtergraph.contains("colorspace="),
        "{}",
        plan.filtergraph
    );
    fast(&mut plan);
    let out = dir.path().join("out.mp4");
    apply::render(&plan, &out, &RunOpts::default(), |_| {}).unwrap();
    let (vd, ad) = durations(&out);
    assert!((vd - plan.output_duration_s).abs() <= 1.0 / 30.0 + 1e-6, "{vd}");
    assert!((vd - ad).abs() <= 0.05, "video {vd} audio {ad}");
    let v = stream(&out, "v:0", "width,height");
    assert_eq!(
        (get(&v, "width"), get(&v, "height")),
        (plan.format.width.to_string(), plan.format.height.to_string())
    );
}
