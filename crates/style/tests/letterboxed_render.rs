//! A source inside letterbox bars renders its active picture only (docs/APPLY.md, "Format
//! and framing", source bars): 3 s of `testvideo.mp4` (14–17 s of the file, one shot) as
//! a 2.4:1 film (384x160) letterboxed in 16:9 (384x216, 28-row black bars), against the
//! unpadded film (inside the rows the analysis reads as picture, rounded inwards to even
//! rows as the render's crop is). Both are analysed and rendered the same way, reframed to
//! 9:16 and with the source's aspect kept: the letterboxed clip's outputs have the
//! unpadded clip's format, no bars (`cropdetect` finds the whole output picture), and the
//! unpadded clip's picture (mean absolute luma difference under 3 codes; measured 1.4 and
//! 1.6). Until session 25 the bars stayed: at its own aspect the output was the 16:9
//! frame with its bars, at 9:16 a crop of the whole frame, a quarter of its rows bar.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use stylecut_media::{probe, RunOpts};
use stylecut_style::apply::{self, EditPlan};
use stylecut_types::config::JobConfig;

/// Width and height of the output's video stream.
fn size(out: &Path) -> (usize, usize) {
    let v = stream(out, "v:0", "width,height");
    (
        get(&v, "width").parse().unwrap(),
        get(&v, "height").parse().unwrap(),
    )
}

/// The picture `cropdetect` finds over the whole output (black at 24 of 255, kept over
/// every frame): width and height.
fn detected_picture(out: &Path) -> (usize, usize) {
    let o = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-i"])
        .arg(out)
        .args([
            "-vf",
            "cropdetect=limit=24:round=2:reset=0",
            "-f",
            "null",
            "-",
        ])
        .output()
        .expect("ffmpeg runs");
    let log = String::from_utf8_lossy(&o.stderr);
    let last = log
        .lines()
        .filter_map(|l| l.split_once(" w:").map(|(_, r)| r.to_string()))
        .next_back()
        .expect("cropdetect reports");
    let mut it = last.split_whitespace();
    let w = it.next().unwrap().parse().unwrap();
    let h = it.next().unwrap().trim_start_matches("h:").parse().unwrap();
    (w, h)
}

/// Luma frames of `out` scaled to `w`×`h`.
fn luma(out: &Path, w: usize, h: usize) -> Vec<Vec<u8>> {
    let px = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-i"])
        .arg(out)
        .args([
            "-vf",
            &format!("scale={w}:{h}:flags=area,format=gray"),
            "-f",
            "rawvideo",
            "-",
        ])
        .output()
        .expect("ffmpeg runs")
        .stdout;
    px.chunks_exact(w * h).map(<[u8]>::to_vec).collect()
}

fn render(plan: &mut EditPlan, out: &Path) {
    fast(plan);
    apply::render(plan, out, &RunOpts::default(), |_| {}).unwrap();
}

#[test]
fn a_letterboxed_source_renders_its_picture_without_the_bars() {
    let dir = tempfile::tempdir().unwrap();
    let src = media("video/pyscenedetect/testvideo.mp4")
        .display()
        .to_string();
    let make = |vf: &str, name: &str| {
        let out = dir.path().join(name);
        ffmpeg(&[
            "-ss",
            "14",
            "-t",
            "3",
            "-i",
            &src,
            "-vf",
            vf,
            "-an",
            "-c:v",
            "libx264",
            "-crf",
            "16",
            out.to_str().unwrap(),
        ]);
        let info = probe::probe(&out, &RunOpts::default()).unwrap();
        let a = analyze(&out);
        (out, info, a)
    };
    let film = "scale=384:216,setsar=1,crop=384:160";
    let boxed = make(&format!("{film},pad=384:216:0:28:black"), "boxed.mp4");
    let area = boxed.2.active_area.expect("bars found");
    // The unpadded clip: the film inside the rows the analysis read as picture (it may
    // count an edge row as bar), rounded inwards to even rows as the render's crop is.
    let (top, bottom) = (area.y.div_ceil(2) * 2, (area.y + area.height) / 2 * 2);
    assert!(
        top >= 28 && bottom <= 188 && bottom - top >= 150,
        "{area:?}"
    );
    assert_eq!((area.x, area.width), (0, 384), "{area:?}");
    let plain = make(
        &format!("{film},crop=384:{}:0:{}", bottom - top, top - 28),
        "plain.mp4",
    );
    assert_eq!(plain.2.active_area, None);
    let mut cfg = JobConfig::default();
    cfg.apply.color = false;
    cfg.apply.motion = false;
    cfg.apply.pacing = false;
    let mut keep = cfg.clone();
    keep.apply.framing = false;
    for (name, cfg) in [("9:16", &cfg), ("kept", &keep)] {
        let st = style("9:16", 25, 0.0);
        let mut p_plan = apply::plan(&plain.0, &plain.1, &plain.2, Some(&st), cfg).unwrap();
        let mut b_plan = apply::plan(&boxed.0, &boxed.1, &boxed.2, Some(&st), cfg).unwrap();
        assert_eq!(
            (
                b_plan.format.width,
                b_plan.format.height,
                &b_plan.format.aspect
            ),
            (
                p_plan.format.width,
                p_plan.format.height,
                &p_plan.format.aspect
            ),
            "{name}: the letterboxed clip's output format is the unpadded clip's"
        );
        let (po, bo) = (
            dir.path().join(format!("p{}.mp4", name.len())),
            dir.path().join(format!("b{}.mp4", name.len())),
        );
        render(&mut p_plan, &po);
        render(&mut b_plan, &bo);
        let (bw, bh) = size(&bo);
        // No bars: the whole output is picture.
        let (dw, dh) = detected_picture(&bo);
        assert!(
            dw + 4 >= bw && dh + 4 >= bh,
            "{name}: picture {dw}x{dh} of {bw}x{bh}"
        );
        // The unpadded clip's picture, frame by frame.
        let (w, h) = size(&po);
        assert_eq!((w, h), (bw, bh), "{name}");
        let (pf, bf) = (luma(&po, w, h), luma(&bo, w, h));
        assert_eq!(pf.len(), bf.len(), "{name}");
        let diff = pf
            .iter()
            .zip(&bf)
            .flat_map(|(a, b)| a.iter().zip(b))
            .map(|(&a, &b)| (f64::from(a) - f64::from(b)).abs())
            .sum::<f64>()
            / (pf.len() * w * h) as f64;
        eprintln!("{name}: {bw}x{bh}, picture {dw}x{dh}, mean abs luma difference {diff:.2}");
        assert!(diff < 3.0, "{name}: mean abs difference {diff:.2}");
    }
}
