//! The delivered file's sound must be what the plan promises: integrated loudness within
//! ±0.5 LU of the target and true peak (4× oversampled, ITU-R BS.1770, what
//! `ebur128=peak=true` reads) under the −1 dBTP ceiling, measured on the encoded MP4.
//! A loud target on a source with hard-clipped transients is where the render missed
//! both before session 10: the limiter took loudness that the gain did not make up, and
//! the limiter (on 48 kHz samples) and the AAC encoder let the true peak through.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use stylecut_media::{probe, RunOpts};
use stylecut_style::apply;
use stylecut_types::config::JobConfig;

/// Integrated loudness (LUFS) and true peak (dBTP) of a file's sound, from an
/// independent `ebur128=peak=true` run (printed to 0.1).
fn loudness_and_peak(path: &Path) -> (f64, f64) {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args(["-map", "0:a", "-af", "ebur128=peak=true", "-f", "null", "-"])
        .output()
        .expect("ffmpeg runs");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    let tail = &log[log.rfind("Summary:").expect("ebur128 summary")..];
    let value = |key: &str| -> f64 {
        tail.lines()
            .find_map(|l| l.trim().strip_prefix(key))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or_else(|| panic!("no {key} in {tail}"))
    };
    (value("I:"), value("Peak:"))
}

/// Renders the clipped-burst source to −12 LUFS (`normalization_level` 0.8) with at
/// most `chunk_segments` segments per render process (`chunked`: the plan must be a
/// chunked render) and checks the delivered sound.
fn check_delivered(chunk_segments: usize, chunked: bool) {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("bursts.mkv");
    clipped_burst_source(&src);
    let info = probe::probe(&src, &RunOpts::default()).unwrap();
    let (a, st) = loud_burst_inputs();
    let mut plan = apply::plan_chunked(
        &src,
        &info,
        &a,
        Some(&st),
        &JobConfig::default(),
        chunk_segments,
    )
    .unwrap();
    fast(&mut plan);
    assert_eq!(
        plan.chunks.is_some(),
        chunked,
        "{} segments",
        plan.segments.len()
    );
    let target = plan.audio.target_lufs.expect("a loudness target");
    assert!((target + 12.0).abs() < 0.01, "{target}");
    let out = dir.path().join("out.mp4");
    let delivered = apply::render(&plan, &out, &RunOpts::default(), |_| {}).unwrap();
    let (i, tp) = loudness_and_peak(&out);
    // The ceiling plus 0.05 dB: ebur128 prints the true peak to 0.1 dB.
    assert!(
        tp <= plan.audio.true_peak_dbtp + 0.05,
        "delivered true peak {tp} dBTP over {} ({delivered:?})",
        plan.audio.true_peak_dbtp
    );
    assert!(
        (i - target).abs() <= 0.5,
        "delivered {i} LUFS for the target {target} ({delivered:?})"
    );
    // The render reports what the file measures.
    let d = delivered.expect("a normalised render reports its sound");
    assert!((d.integrated_lufs - i).abs() <= 0.1, "{d:?} against {i}");
    assert!((d.true_peak_dbtp - tp).abs() <= 0.1, "{d:?} against {tp}");
    assert!(d.on_target(plan.audio.true_peak_dbtp), "{d:?}");
}

#[test]
fn clipped_bursts_reach_a_loud_target_under_the_true_peak_ceiling() {
    check_delivered(apply::chunks::CHUNK_SEGMENTS, false);
}

#[test]
fn clipped_bursts_reach_a_loud_target_under_the_true_peak_ceiling_chunked() {
    check_delivered(2, true);
}
