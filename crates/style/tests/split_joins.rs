//! A split of one continuous shot carries the template's fade or zoom over the same moment
//! at two framings; a dissolve, wipe or slide there is a hard cut (issue 4, sessions 27
//! and 28).
//!
//! Pacing splits a long shot to reach the template's cut rate and alternates a punch-in
//! framing at each split. Before session 27 a transition there crossed the piece's last `d`
//! seconds with the next piece's first `d`: the same shot `d` apart at two framings (a
//! double image of anything moving) and its sound laid over itself `d` later. Session 27
//! made every split a hard cut, so a source of one long shot showed none of the template's
//! transitions. Now the next piece starts `d` earlier in the source (its head repeats the
//! previous piece's last `d` at its own framing): the transition crosses one moment, the
//! crossfaded sound is the same sound on both sides (it runs on unbroken), and the output
//! keeps the length of the all-cuts edit. Only a fade through black or a zoom is laid
//! there: a dissolve, wipe or slide between two framings of one moment shows only where
//! the framings differ, little (`transitions::shows_at_split`), and stays a cut. Joins
//! between two shots, and across a removed stretch, keep the template's transition.

mod common;

use std::path::Path;

use common::*;
use stylecut_media::{probe, RunOpts};
use stylecut_style::apply::{self, edl, EditPlan};
use stylecut_types::config::{ApplySwitches, JobConfig};
use stylecut_types::TransitionStyle;

fn styled(kind: &str, ms: i64, secondary: Option<(&str, i64)>) -> stylecut_types::StyleJson {
    let mut st = style("16:9", 30, 24.0);
    st.primary_transition = TransitionStyle {
        kind: kind.into(),
        duration_ms: ms,
        easing: "linear".into(),
    };
    st.secondary_transition = secondary.map(|(k, ms)| TransitionStyle {
        kind: k.into(),
        duration_ms: ms,
        easing: "ease-out".into(),
    });
    st
}

fn plan(
    cuts: &[f64],
    kind: &str,
    ms: i64,
    secondary: Option<(&str, i64)>,
    transitions: bool,
) -> EditPlan {
    let a = analysis(24.0, 1280, 720, 25.0, cuts);
    let cfg = JobConfig {
        apply: ApplySwitches {
            transitions,
            ..ApplySwitches::default()
        },
        ..JobConfig::default()
    };
    apply::plan(
        Path::new("/media/src.mp4"),
        &info(1280, 720, 25.0, 24.0, false),
        &a,
        Some(&styled(kind, ms, secondary)),
        &cfg,
    )
    .unwrap()
}

#[test]
fn splits_cross_one_moment_and_shot_changes_keep_the_transition() {
    for (kind, ms, secondary) in [
        ("dissolve", 500, None),
        ("wipe", 400, Some(("slide", 300))),
        ("fade", 800, Some(("zoom", 600))),
        ("zoom", 600, Some(("dissolve", 500))),
    ] {
        // Two shots of 9 and 15 s under a 24 cuts/min template: both are split.
        let p = plan(&[9.0], kind, ms, secondary, true);
        let cuts = plan(&[9.0], kind, ms, secondary, false);
        let segs = &p.segments;
        assert_eq!(p.transitions.len(), segs.len() - 1);
        assert_eq!(segs.len(), cuts.segments.len(), "{kind}");
        let (mut crossed, mut cut, mut changes) = (0, 0, 0);
        for (k, t) in p.transitions.iter().enumerate() {
            let (a, b) = (&segs[k], &segs[k + 1]);
            let split = a.shot == b.shot && cuts.segments[k + 1].src_in_s == a.src_out_s;
            assert_eq!(split, edl::continues(a, b), "{kind}: join {k}");
            let style = match secondary {
                Some((s, _)) if k % 4 == 3 => s,
                _ => kind,
            };
            if split && !apply::transitions::shows_at_split(style) {
                // A dissolve, wipe or slide between two framings of one moment: a cut.
                cut += 1;
                assert_eq!((t.kind.as_str(), t.frames), ("cut", 0), "{kind}: join {k}");
                assert_eq!(b.repeat_frames, 0);
                assert_eq!(b.src_in_s, a.src_out_s);
                continue;
            }
            assert!(t.xfade.is_some() && t.frames > 0, "{kind}: join {k}: {t:?}");
            assert_eq!(t.kind, style, "{kind}: join {k}");
            if split {
                crossed += 1;
                // The next piece starts the transition's length early, picture and sound.
                let d = t.duration_s;
                assert_eq!(b.repeat_frames, t.frames, "{kind}: join {k}");
                assert!(
                    (a.src_out_s - d - b.src_in_s).abs() < 1e-9,
                    "{kind}: join {k}"
                );
                let own = &cuts.segments[k + 1];
                assert!((own.video_in_s - d - b.video_in_s).abs() < 1e-9);
                assert_eq!(b.frames, own.frames + t.frames);
                assert!((b.repeat_s() - d).abs() < 1e-9);
                assert_ne!(a.punch_in, b.punch_in, "join {k}: the framing changes");
            } else {
                changes += 1;
                assert_eq!(b.repeat_frames, 0);
            }
        }
        match kind {
            "fade" | "zoom" => assert!(crossed >= 3, "{kind}: {crossed} splits crossed"),
            _ => assert!(
                crossed == 0 && cut >= 4,
                "{kind}: {crossed} crossed, {cut} cut"
            ),
        }
        assert_eq!(changes, 1, "{kind}");
        // The edit keeps the all-cuts length but for the shot change's overlap: each
        // repeat is crossed by its transition.
        let overlap: u64 = p
            .transitions
            .iter()
            .filter(|t| segs[t.after_segment + 1].repeat_frames == 0)
            .map(|t| t.frames)
            .sum();
        assert_eq!(
            edl::total_frames(segs, &p.transitions) + overlap,
            edl::total_frames(&cuts.segments, &cuts.transitions),
            "{kind}"
        );
        let rate = (segs.len() - 1) as f64 * 60.0 / p.output_duration_s;
        assert!(
            (rate - 24.0).abs() <= 24.0 * 0.1,
            "{kind}: {rate:.1} cuts/min"
        );
    }
}

/// 12 s of a 320×180 picture and a chirp (300 Hz rising 200 Hz a second): two moments
/// `d` apart sound at two pitches.
fn chirp_source(path: &Path) {
    picture_and_sound(path, 12, "0.5*sin(2*PI*(300*t+100*t*t))");
}

/// Largest normalised correlation of `x` around `at` (20 ms each side) with `y` around
/// `from`, over lags of ±2 ms.
fn likeness(x: &[f32], at: f64, y: &[f32], from: f64) -> f64 {
    let n = 960i64;
    let (i, j) = ((at * 48_000.0) as i64, (from * 48_000.0) as i64);
    (-96..=96)
        .map(|lag| {
            let (mut xy, mut xx, mut yy) = (0.0f64, 0.0f64, 0.0f64);
            for k in -n..n {
                let a = x[(i + k) as usize] as f64;
                let b = y[(j + k + lag) as usize] as f64;
                xy += a * b;
                xx += a * a;
                yy += b * b;
            }
            xy / (xx * yy).sqrt().max(1e-12)
        })
        .fold(f64::MIN, f64::max)
}

fn sound_runs_on(chunk: Option<usize>) {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("chirp.mp4");
    chirp_source(&src);
    let info = probe::probe(&src, &RunOpts::default()).unwrap();
    let mut a = analysis(12.0, 320, 180, 25.0, &[]);
    a.audio.has_audio = true;
    let mut st = styled("zoom", 480, None);
    st.audio_style.compression_ratio = 1.0;
    st.audio_style.bass_boost = 0.0;
    let cfg = JobConfig::default();
    let mut plan = match chunk {
        None => apply::plan(&src, &info, &a, Some(&st), &cfg).unwrap(),
        Some(n) => apply::plan_chunked(&src, &info, &a, Some(&st), &cfg, n).unwrap(),
    };
    // Output time in the middle of each split's transition, and the source time both
    // sides show there.
    let mids: Vec<(f64, f64)> = plan
        .transitions
        .iter()
        .filter(|t| t.frames > 0)
        .map(|t| {
            let b = &plan.segments[t.after_segment + 1];
            assert!(b.repeat_frames > 0, "{t:?}");
            (
                b.out_start_s + 0.5 * t.duration_s,
                b.src_in_s + 0.5 * t.duration_s,
            )
        })
        .collect();
    assert!(mids.len() >= 2, "{:?}", plan.notes);
    fast(&mut plan);
    let out = dir.path().join("out.mp4");
    apply::render(&plan, &out, &RunOpts::default(), |_| {}).unwrap();
    let (x, y) = (sound_f32(&out, 1), sound_f32(&src, 1));
    for (o, s) in mids {
        let same = likeness(&x, o, &y, s);
        eprintln!("split crossed at output {o:.3} s (source {s:.3} s): likeness {same:.3}");
        // Two moments 0.48 s apart mixed half and half would read ≈ 0.7.
        assert!(
            same > 0.9,
            "the sound mid-transition at {o:.3} s is not the source's at {s:.3} s ({same:.3})"
        );
    }
}

#[test]
fn the_sound_runs_on_through_a_split_transition() {
    sound_runs_on(None);
}

#[test]
fn the_sound_runs_on_through_a_split_transition_in_chunks() {
    sound_runs_on(Some(2));
}
