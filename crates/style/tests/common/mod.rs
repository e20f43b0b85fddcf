//! Shared helpers for the style integration tests: real media paths, ffmpeg fixture
//! generation into a temp dir, and the analysis entry point.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use stylecut_media::RunOpts;
use stylecut_style::analyze::analyze_file;
use stylecut_types::Analysis;

pub fn media(rel: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/media"
    ))
    .join(rel)
}

/// Runs ffmpeg with `args` (after `-y -v error`), panicking with its stderr on failure.
pub fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-y", "-v", "error"])
        .args(args)
        .output()
        .expect("ffmpeg runs");
    assert!(
        out.status.success(),
        "ffmpeg {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn analyze(path: &Path) -> Analysis {
    analyze_file(path, &RunOpts::default(), None, &mut |_, _| {})
        .expect("analysis succeeds")
        .1
}

/// Hard-cut precision / recall / F1 of detected cut times against ground truth within
/// `tol_s`.
pub fn cut_scores(detected: &[f64], truth: &[f64], tol_s: f64) -> (usize, usize, usize, f64) {
    let mut used = vec![false; detected.len()];
    let mut tp = 0;
    for t in truth {
        if let Some(i) = (0..detected.len())
            .filter(|&i| !used[i] && (detected[i] - t).abs() <= tol_s)
            .min_by(|&a, &b| (detected[a] - t).abs().total_cmp(&(detected[b] - t).abs()))
        {
            used[i] = true;
            tp += 1;
        }
    }
    let fp = detected.len() - tp;
    let fn_ = truth.len() - tp;
    let f1 = if truth.is_empty() && detected.is_empty() {
        1.0
    } else {
        2.0 * tp as f64 / (2 * tp + fp + fn_) as f64
    };
    (tp, fp, fn_, f1)
}

pub fn cuts(a: &Analysis) -> Vec<f64> {
    a.transitions
        .iter()
        .filter(|t| t.kind == "cut")
        .map(|t| t.start_s)
        .collect()
}
