//! Gradual transitions generated with ffmpeg `xfade` between two real shots at known
//! frames and durations: detection F1, type accuracy and duration error.

mod common;

use std::path::Path;

use common::{analyze, ffmpeg, media};
use stylecut_style::extract::family;

const FPS: f64 = 25.0;

/// Two single-shot sources, 320x180 at 25 fps.
fn sources(dir: &Path) -> (String, String) {
    let a = dir.join("a.mp4").display().to_string();
    let b = dir.join("b.mp4").display().to_string();
    let fmt = "scale=320:180,setsar=1,fps=25,format=yuv420p";
    let bbb = media("video/moviepy-bbb/big_buck_bunny_0_30.webm");
    let doc = media("video/pyscenedetect/issue-195-aspect-ratio.mp4");
    // Big Buck Bunny shot 2 (11.79–15.67 s) and issue-195 shot 3 (6.8–12.04 s).
    let cut = |src: &Path, ss: &str, t: &str, out: &str| {
        let src = src.display().to_string();
        ffmpeg(&[
            "-ss", ss, "-t", t, "-i", &src, "-vf", fmt, "-an", "-c:v", "libx264", "-crf", "16", out,
        ]);
    };
    cut(&bbb, "11.9", "3.6", &a);
    cut(&doc, "7.0", "4.0", &b);
    (a, b)
}

struct Outcome {
    detected: bool,
    type_ok: bool,
    dur_err_frames: f64,
    false_pos: usize,
}

fn run_case(dir: &Path, a: &str, b: &str, transition: &str, dur: f64, expect: &str) -> Outcome {
    let out = dir
        .join(format!("{transition}-{dur}.mp4"))
        .display()
        .to_string();
    // A lasts 3.6 s: the transition starts at 1.5 s and ends before A runs out.
    let start = 1.5;
    let graph = format!(
        "[0:v]settb=AVTB,setpts=PTS-STARTPTS[a];[1:v]settb=AVTB,setpts=PTS-STARTPTS[b];\
         [a][b]xfade=transition={transition}:duration={dur}:offset={start},format=yuv420p"
    );
    ffmpeg(&[
        "-i",
        a,
        "-i",
        b,
        "-filter_complex",
        &graph,
        "-an",
        "-c:v",
        "libx264",
        "-crf",
        "16",
        "-r",
        "25",
        &out,
    ]);
    let an = analyze(Path::new(&out));
    let hit = an.transitions.iter().position(|t| {
        let end = t.start_s + t.duration_ms as f64 / 1000.0;
        t.kind != "cut"
            && t.start_s < start + dur
            && end > start
            && (t.start_s - start).abs() <= 3.0 / FPS
    });
    let outcome = match hit {
        Some(i) => {
            let t = &an.transitions[i];
            Outcome {
                detected: true,
                type_ok: family(&t.kind) == expect,
                dur_err_frames: (t.duration_ms as f64 / 1000.0 - dur).abs() * FPS,
                false_pos: an.transitions.len() - 1,
            }
        }
        None => Outcome {
            detected: false,
            type_ok: false,
            dur_err_frames: f64::NAN,
            false_pos: an.transitions.len(),
        },
    };
    println!(
        "{transition:>10} {dur:.1}s -> {:?}",
        an.transitions
            .iter()
            .map(|t| format!(
                "{} {:.3}s {}ms {}",
                t.kind, t.start_s, t.duration_ms, t.easing
            ))
            .collect::<Vec<_>>()
    );
    outcome
}

#[test]
fn xfade_families_are_detected_typed_and_timed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dir = match std::env::var("XFADE_KEEP") {
        Ok(p) => std::path::PathBuf::from(p),
        Err(_) => dir.path().to_path_buf(),
    };
    let dir = dir.as_path();
    let (a, b) = sources(dir);
    let cases = [
        ("fade", 1.0, "dissolve"),
        ("dissolve", 1.0, "dissolve"),
        ("fade", 0.6, "dissolve"),
        ("fadeblack", 1.0, "fade"),
        ("fadewhite", 1.0, "fade"),
        ("wipeleft", 1.0, "wipe"),
        ("wiperight", 0.6, "wipe"),
        ("wipeup", 1.0, "wipe"),
        ("wipedown", 1.0, "wipe"),
        ("slideleft", 1.0, "slide"),
        ("slideright", 1.0, "slide"),
        ("slideup", 0.6, "slide"),
        ("slidedown", 1.0, "slide"),
        ("zoomin", 1.0, "zoom"),
    ];
    let mut tp = 0usize;
    let mut fp = 0usize;
    let mut typed = 0usize;
    let mut dur_err = Vec::new();
    let only = std::env::var("XFADE_ONLY").ok();
    let cases: Vec<_> = cases
        .into_iter()
        .filter(|c| only.as_deref().is_none_or(|o| o == c.0))
        .collect();
    for &(t, d, expect) in &cases {
        let o = run_case(dir, &a, &b, t, d, expect);
        tp += o.detected as usize;
        fp += o.false_pos;
        typed += o.type_ok as usize;
        if o.detected {
            dur_err.push(o.dur_err_frames);
        }
    }
    let n = cases.len();
    let f1 = 2.0 * tp as f64 / (2 * tp + fp + (n - tp)) as f64;
    let type_acc = typed as f64 / n as f64;
    let mean_err = dur_err.iter().sum::<f64>() / dur_err.len().max(1) as f64;
    println!("gradual: detected {tp}/{n}, false {fp}, F1 {f1:.3}, type accuracy {type_acc:.3}, mean duration error {mean_err:.2} frames");
    assert!(f1 >= 0.9, "F1 {f1}");
    assert!(type_acc >= 0.8, "type accuracy {type_acc}");
    assert!(mean_err <= 2.0, "duration error {mean_err}");
}

#[test]
fn a_plain_cut_between_the_same_shots_is_one_cut() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = sources(dir.path());
    let out = dir.path().join("cut.mp4").display().to_string();
    ffmpeg(&[
        "-i",
        &a,
        "-i",
        &b,
        "-filter_complex",
        "[0:v][1:v]concat=n=2:v=1:a=0,format=yuv420p",
        "-c:v",
        "libx264",
        "-crf",
        "16",
        &out,
    ]);
    let an = analyze(Path::new(&out));
    let cuts: Vec<f64> = an
        .transitions
        .iter()
        .filter(|t| t.kind == "cut")
        .map(|t| t.start_s)
        .collect();
    assert_eq!(an.transitions.len(), 1, "{:?}", an.transitions);
    assert!((cuts[0] - 3.6).abs() <= 1.0 / FPS + 1e-3, "{cuts:?}");
}
