//! The audio is decoded by its own ffmpeg process and analysed while the picture decodes:
//! the analysis must still meter the real loudness, report progress in the order
//! Video → Audio → Motion, and finish (no wait on an audio thread) when there is no audio.

mod common;

use common::*;
use stylecut_media::RunOpts;
use stylecut_style::analyze::{analyze_file, Phase};

fn phases(path: &std::path::Path) -> (stylecut_types::Analysis, Vec<(Phase, f64)>) {
    let mut seen = Vec::new();
    let (_, a) = analyze_file(path, &RunOpts::default(), None, &mut |p, f| {
        seen.push((p, f))
    })
    .expect("analysis succeeds");
    (a, seen)
}

fn rank(p: Phase) -> u8 {
    match p {
        Phase::Video => 0,
        Phase::Audio => 1,
        Phase::Motion => 2,
    }
}

#[test]
fn audio_beside_the_picture_is_metered_and_reported_in_order() {
    let dir = tempfile::tempdir().unwrap();
    // testsrc2 picture with a 440 Hz sine (AAC), 3 s.
    let clip = make_clip(dir.path(), "av.mp4", 3.0, None);
    let (a, seen) = phases(&clip);
    assert!(a.audio.has_audio);
    let ours = a.loudness.integrated_lufs.expect("loudness metered");
    let reference = integrated_lufs(&clip);
    assert!(
        (ours - reference).abs() < 0.5,
        "integrated {ours} LUFS vs ffmpeg ebur128 {reference}"
    );
    // Phases never go back, and each of the three reaches 1.0.
    for w in seen.windows(2) {
        assert!(rank(w[0].0) <= rank(w[1].0), "phase order: {:?}", w);
    }
    for p in [Phase::Video, Phase::Audio, Phase::Motion] {
        assert!(
            seen.iter().any(|&(q, f)| q == p && f >= 1.0),
            "{p:?} never reached 1.0: {seen:?}"
        );
    }
    // The audio's own progress steps arrive (not only the final 1.0).
    assert!(seen
        .iter()
        .any(|&(q, f)| q == Phase::Audio && f > 0.0 && f < 1.0));
}

#[test]
fn a_picture_without_audio_finishes_without_audio_results() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("silent.mp4");
    let p = clip.to_str().unwrap();
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=320x240:r=25:d=2",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        p,
    ]);
    let (a, seen) = phases(&clip);
    assert!(!a.audio.has_audio);
    assert_eq!(a.loudness.integrated_lufs, None);
    assert!(a.beats.is_empty());
    assert!(seen.iter().any(|&(q, f)| q == Phase::Motion && f >= 1.0));
    assert!(a.duration_s > 1.9 && a.duration_s < 2.1, "{}", a.duration_s);
}
