//! Reframing that follows the action, end to end: a bright box crossing a dark 16:9 frame
//! (with a static grey block in the middle as a distractor) is analysed, planned to 9:16
//! and rendered; the box must stay in the output picture where a centred crop loses it.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use stylecut_media::{probe, RunOpts};
use stylecut_style::apply::{self, reframe};
use stylecut_types::config::JobConfig;

/// Share of sampled output frames (5 per second) that show at least 80 % of the box,
/// with the per-frame bright pixel counts.
fn box_kept(out: &Path, box_area: f64) -> (usize, usize) {
    let v = stream(out, "v:0", "width,height");
    let (w, h): (usize, usize) = (
        get(&v, "width").parse().unwrap(),
        get(&v, "height").parse().unwrap(),
    );
    let px = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(out)
        .args(["-vf", "fps=5,format=gray", "-f", "rawvideo", "-"])
        .output()
        .unwrap()
        .stdout;
    let frames: Vec<&[u8]> = px.chunks_exact(w * h).collect();
    let kept = frames
        .iter()
        .filter(|f| f.iter().filter(|&&p| p > 200).count() as f64 >= 0.8 * box_area)
        .count();
    (kept, frames.len())
}

#[test]
fn crop_follows_a_moving_box_to_vertical() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("box.mp4");
    // 640x360, 6 s: a 60 px white box moves from x = 20 to 560 (0.14 frame widths per
    // second) at y = 150, a static grey block sits in the centre.
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=0x141414:s=640x360:r=25:d=6,\
         drawbox=x=290:y=40:w=60:h=80:color=0x808080:t=fill[bg];\
         color=c=white:s=60x60:r=25:d=6[b];\
         [bg][b]overlay=x='20+90*t':y=150:shortest=1",
        "-f",
        "lavfi",
        "-i",
        "sine=f=440:r=48000:d=6",
        "-t",
        "6",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-crf",
        "18",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        src.to_str().unwrap(),
    ]);
    let info = probe::probe(&src, &RunOpts::default()).unwrap();
    let a = analyze(&src);
    assert!(
        a.saliency.len() >= 20,
        "{} saliency points",
        a.saliency.len()
    );
    let st = style("9:16", 25, 0.0);
    let mut cfg = JobConfig::default();
    cfg.apply.motion = false;
    cfg.apply.color = false;
    let mut tracked = apply::plan(&src, &info, &a, Some(&st), &cfg).unwrap();
    let mut centred_a = a.clone();
    centred_a.saliency.clear();
    let mut centred = apply::plan(&src, &info, &centred_a, Some(&st), &cfg).unwrap();
    assert_eq!(tracked.segments.len(), 1);
    let seg = tracked.segments[0].clone();
    assert!(!seg.crop_path.is_empty(), "the window moves");
    // Window speed bounded: no jumps, at most MAX_SPEED frame widths per second.
    let speed = reframe::max_speed(&seg.crop_path, &tracked.format);
    assert!(speed <= reframe::MAX_SPEED + 1e-3, "speed {speed}");
    // Every key to key step is small: no jitter.
    for k in seg.crop_path.windows(2) {
        assert!((k[1].cx - k[0].cx).abs() <= 0.2, "{k:?}");
    }
    let (out_t, out_c) = (dir.path().join("t.mp4"), dir.path().join("c.mp4"));
    fast(&mut tracked);
    fast(&mut centred);
    apply::render(&tracked, &out_t, &RunOpts::default(), |_| {}).unwrap();
    apply::render(&centred, &out_c, &RunOpts::default(), |_| {}).unwrap();
    let scale = f64::from(tracked.format.height) / 360.0;
    let area = (60.0 * scale).powi(2);
    let (kt, n) = box_kept(&out_t, area);
    let (kc, nc) = box_kept(&out_c, area);
    eprintln!(
        "box kept: tracked {kt}/{n}, centred {kc}/{nc}; path {:?}; speed {speed:.3}",
        seg.crop_path
    );
    assert_eq!(n, 30);
    assert!(kt as f64 >= 0.93 * n as f64, "tracked {kt}/{n}");
    assert!((kc as f64) < 0.6 * nc as f64, "centred {kc}/{nc}");
}

#[test]
fn analysis_documents_without_saliency_still_load() {
    let mut a = analysis(4.0, 1280, 720, 25.0, &[]);
    a.saliency = vec![stylecut_types::SaliencyPoint {
        t_s: 1.0,
        x: 0.9,
        y: 0.5,
    }];
    let mut v = serde_json::to_value(&a).unwrap();
    assert!(v.get("saliency").is_some());
    v.as_object_mut().unwrap().remove("saliency");
    let old: stylecut_types::Analysis = serde_json::from_value(v).unwrap();
    assert!(old.saliency.is_empty());
}
