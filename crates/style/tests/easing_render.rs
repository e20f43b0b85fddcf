//! Eased transitions, rendered: a dissolve from a black shot to a white shot must follow
//! the easing curve frame by frame, keep the planned frame count, and cost no more than the
//! linear dissolve; the sound's crossfade (silence into a tone) follows the same curve.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use stylecut_media::{probe, RunOpts};
use stylecut_style::apply;
use stylecut_types::config::JobConfig;
use stylecut_types::TransitionStyle;

/// An easing curve: share of the transition done at linear progress `p`.
type Curve = fn(f64) -> f64;

/// Mean grey level (0..255) of every output frame.
fn frame_means(out: &Path) -> Vec<f64> {
    let px = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(out)
        .args(["-vf", "scale=32:18,format=gray", "-f", "rawvideo", "-"])
        .output()
        .unwrap()
        .stdout;
    px.chunks_exact(32 * 18)
        .map(|f| f.iter().map(|&v| f64::from(v)).sum::<f64>() / f.len() as f64)
        .collect()
}

/// RMS of the output's mono audio in each frame interval (1/25 s).
fn frame_rms(out: &Path) -> Vec<f64> {
    let raw = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(out)
        .args(["-ac", "1", "-ar", "48000", "-f", "f32le", "-"])
        .output()
        .unwrap()
        .stdout;
    let x: Vec<f32> = raw
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    x.chunks(48_000 / 25)
        .map(|c| (c.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / c.len() as f64).sqrt())
        .collect()
}

/// Renders the black→white source with one dissolve of `easing`; returns the frame means,
/// the first overlap frame, the overlap length, the planned frame count and the time.
fn render(src: &Path, dir: &Path, easing: &str) -> (Vec<f64>, Vec<f64>, usize, usize, u64, f64) {
    let info = probe::probe(src, &RunOpts::default()).unwrap();
    let a = analysis(4.0, 320, 180, 25.0, &[2.0]);
    let mut st = style("16:9", 25, 0.0);
    st.primary_transition = TransitionStyle {
        kind: "dissolve".into(),
        duration_ms: 720,
        easing: easing.into(),
    };
    let mut cfg = JobConfig::default();
    cfg.apply.color = false;
    cfg.apply.motion = false;
    cfg.apply.audio = false;
    cfg.apply.pacing = false;
    let mut plan = apply::plan(src, &info, &a, Some(&st), &cfg).unwrap();
    fast(&mut plan);
    assert_eq!(plan.segments.len(), 2);
    let t = &plan.transitions[0];
    assert_eq!((t.frames, t.easing.as_str()), (18, easing));
    let out = dir.join(format!("{easing}.mp4"));
    let t0 = std::time::Instant::now();
    apply::render(&plan, &out, &RunOpts::default(), |_| {}).unwrap();
    let secs = t0.elapsed().as_secs_f64();
    let total: u64 = plan.segments.iter().map(|s| s.frames).sum::<u64>() - t.frames;
    let start = (plan.segments[0].frames - t.frames) as usize;
    (
        frame_means(&out),
        frame_rms(&out),
        start,
        t.frames as usize,
        total,
        secs,
    )
}

#[test]
fn eased_dissolves_follow_their_curve() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("bw.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=black:s=320x180:r=25:d=2[a];color=c=white:s=320x180:r=25:d=2[b];\
         [a][b]concat=n=2:v=1:a=0",
        "-f",
        "lavfi",
        "-i",
        "aevalsrc='if(gte(t,2),0.5*sin(2*PI*440*t),0)':s=48000:d=4",
        "-t",
        "4",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        src.to_str().unwrap(),
    ]);
    let curves: [(&str, Curve); 4] = [
        ("linear", |p| p),
        ("ease-in", |p| p * p),
        ("ease-out", |p| p * (2.0 - p)),
        ("ease-in-out", |p| p * p * (3.0 - 2.0 * p)),
    ];
    let mut times = Vec::new();
    for (easing, curve) in curves {
        let (means, rms, start, d, total, secs) = render(&src, dir.path(), easing);
        times.push((easing, secs));
        assert_eq!(means.len() as u64, total, "{easing}: frame count");
        let (black, white) = (means[start - 1], means[start + d]);
        let mut worst: f64 = 0.0;
        for i in 0..d {
            let got = (means[start + i] - black) / (white - black);
            let want = curve(i as f64 / d as f64);
            worst = worst.max((got - want).abs());
        }
        eprintln!("{easing}: worst deviation from the curve {worst:.3}, render {secs:.2} s");
        assert!(worst < 0.03, "{easing}: deviation {worst}");
        // The tone's gain over each overlap frame against the curve's mean over that frame.
        let full = rms[start + d + 5];
        let mut worst_audio: f64 = 0.0;
        for i in 1..d - 1 {
            let got = rms[start + i] / full;
            // RMS of a tone whose gain follows the curve across the frame.
            let want = ((0..8)
                .map(|k| curve((i as f64 + (k as f64 + 0.5) / 8.0) / d as f64).powi(2))
                .sum::<f64>()
                / 8.0)
                .sqrt();
            worst_audio = worst_audio.max((got - want).abs());
        }
        eprintln!("{easing}: audio gain worst deviation {worst_audio:.3}");
        assert!(
            worst_audio < 0.05,
            "{easing}: audio deviation {worst_audio}"
        );
    }
    eprintln!("render times {times:?}");
}
