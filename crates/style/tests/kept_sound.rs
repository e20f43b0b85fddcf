//! The loudness passes after the first one work from the processed sound that pass kept
//! (`render::PROCESSED_SOUND_FILE`), not from the source: a render whose limiter needs
//! check passes and a sound-only re-encode opens the source twice only (the first
//! measuring pass and the picture's encode; the sound is encoded from the kept sound),
//! and a check pass on the kept sound measures what the whole measuring graph from the
//! source measures. Every ffmpeg the render runs goes
//! through a logging wrapper (`STYLECUT_FFMPEG`), which also copies the kept sound aside.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use stylecut_media::RunOpts;
use stylecut_style::apply::{self, audio::MEASURED_PLACEHOLDER};

/// loudnorm's integrated loudness of `graph` (to `[aout]`) run on `input`.
fn integrated(input: &[&str], graph: &str, dir: &Path) -> f64 {
    let script = dir.join("graph.txt");
    std::fs::write(&script, graph).unwrap();
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats"])
        .args(input)
        .arg("-filter_complex_script")
        .arg(&script)
        .args(["-map", "[aout]", "-f", "null", "-"])
        .output()
        .expect("ffmpeg runs");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    apply::audio::parse_integrated(&log).unwrap_or_else(|| panic!("no loudnorm JSON: {log}"))
}

#[test]
fn check_passes_and_the_reencode_read_the_kept_sound() {
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("kept.wav");
    // The only test in this binary: no other render sees the wrapper.
    let (plan, log, src) = wrapped_burst_plan(
        dir.path(),
        &format!(
            "for a in \"$@\"; do case \"$a\" in */processed.wav) [ -f \"$a\" ] && cp \"$a\" '{}' ;; esac; done",
            kept.display()
        ),
    );
    let out = dir.path().join("out.mp4");
    let d = apply::render(&plan, &out, &RunOpts::default(), |_| {})
        .unwrap()
        .expect("a normalised render reports its sound");
    assert!(d.loudness_passes >= 1, "{d:?}");

    let runs = std::fs::read_to_string(&log).unwrap();
    let src_s = src.display().to_string();
    let from_source: Vec<&str> = runs.lines().filter(|l| l.contains(&src_s)).collect();
    // The first measuring pass (sound only) and the picture's encode (picture only,
    // beside the sound's passes since session 12); before session 11 also every check
    // pass and every sound-only re-encode.
    assert_eq!(
        from_source.len(),
        2,
        "{} check pass(es), {} re-encode(s); runs reading the source:\n{}",
        d.loudness_passes,
        d.sound_reencodes,
        from_source.join("\n")
    );
    let from_kept = runs.lines().filter(|l| l.contains("processed.wav")).count();
    // Written once, then read by every check pass, by the sound's AAC encode (since
    // session 12 the sound is always encoded from it, beside the picture) and by every
    // re-encode.
    assert_eq!(
        from_kept,
        2 + d.loudness_passes + d.sound_reencodes,
        "{runs}"
    );

    // A check pass on the kept sound measures what the whole measuring graph from the
    // source measures, for the gain and limiter the render ended with.
    let n = d.normalization.filters();
    let meter = plan.audio.loudness_meter().unwrap();
    let again = integrated(
        &["-vn", "-sn", "-dn", "-i", &src_s],
        &plan
            .audio_measure_graph
            .as_ref()
            .unwrap()
            .replace(MEASURED_PLACEHOLDER, &n),
        dir.path(),
    );
    let kept_s = kept.display().to_string();
    let from_pcm = integrated(
        &["-i", &kept_s],
        &format!("[0:a]{n},{meter}[aout]"),
        dir.path(),
    );
    println!("{d:?}: check on the kept sound {from_pcm} LUFS, from the source {again} LUFS");
    assert!(
        (from_pcm - again).abs() <= 0.01,
        "kept sound {from_pcm} LUFS, source {again} LUFS"
    );
}
