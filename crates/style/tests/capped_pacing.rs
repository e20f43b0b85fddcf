//! Pacing under `max_duration_seconds` (issue 4, session 22): the kept part of the edit is
//! cut at the template's rate. Before, the source was paced over `2 * cap + 5` s and the
//! edit then cut to the cap, so the kept part's rate was whatever the first `cap` seconds
//! of that plan got (`wannaworktogether.mp4` in `bench/qa_sweep.py`: 21.5 cuts/min for a
//! 30-a-minute template, 42.6 for 60). Here a long shot opens a source whose later shots
//! are short: paced over 45 s the average is met by the short shots and a few splits of
//! the long one, and its first 20 s held 12–18 cuts a minute.

mod common;

use std::path::Path;

use common::*;
use stylecut_style::apply::{self, EditPlan};
use stylecut_types::config::JobConfig;
use stylecut_types::{Analysis, Span};

/// 45 s: one 24 s shot, then shots of 1.25 s.
fn long_shot_then_short_ones() -> Analysis {
    let cuts: Vec<f64> = (0..17).map(|k| 24.0 + 1.25 * k as f64).collect();
    analysis(45.0, 1280, 720, 30.0, &cuts)
}

fn capped(a: &Analysis, cpm: f64, cap: f64) -> EditPlan {
    apply::plan(
        Path::new("/media/src.mp4"),
        &info(1280, 720, 30.0, a.duration_s, false),
        a,
        Some(&style("16:9", 30, cpm)),
        &JobConfig {
            max_duration_seconds: Some(cap),
            ..JobConfig::default()
        },
    )
    .unwrap()
}

fn plan_rate(p: &EditPlan) -> f64 {
    (p.segments.len() - 1) as f64 * 60.0 / p.output_duration_s
}

#[test]
fn a_capped_edit_is_cut_at_the_template_rate() {
    let a = long_shot_then_short_ones();
    for cpm in [30.0, 60.0] {
        let p = capped(&a, cpm, 20.0);
        let r = plan_rate(&p);
        assert!(
            p.output_duration_s <= 20.0 + 1e-9,
            "{}",
            p.output_duration_s
        );
        // The cap is used but for at most one piece shorter than the shortest the plan may
        // create (30 / cpm s).
        assert!(
            p.output_duration_s >= 20.0 - 30.0 / cpm - 1e-9,
            "{cpm}: {:.2} s; notes {:?}",
            p.output_duration_s,
            p.notes
        );
        assert!(
            (r - cpm).abs() <= 0.1 * cpm,
            "{cpm}: {r:.1} cuts/min over {:.2} s; notes {:?}",
            p.output_duration_s,
            p.notes
        );
    }
}

/// The cap falls inside a word: the end moves back to the gap between two speech
/// segments, and the part kept before it is still cut at the template's rate.
#[test]
fn a_capped_edit_ending_before_a_word_keeps_the_rate() {
    let mut a = long_shot_then_short_ones();
    let sp = |s: f64, e: f64| Span {
        start_s: s,
        end_s: e,
    };
    a.speech_segments = vec![sp(1.0, 6.0), sp(6.6, 17.0), sp(17.5, 30.0)];
    let p = capped(&a, 30.0, 20.0);
    let end = p.segments.last().unwrap().src_out_s;
    assert!(
        end > 17.0 + 0.08 && end < 17.5 - 0.08,
        "ends at {end}, not in the gap 17.0–17.5 s"
    );
    let r = plan_rate(&p);
    assert!(
        (r - 30.0).abs() <= 3.0,
        "{r:.1} cuts/min over {:.2} s; notes {:?}",
        p.output_duration_s,
        p.notes
    );
    // No jump cut inside a word.
    for w in p.segments.windows(2) {
        if (w[0].src_out_s - w[1].src_in_s).abs() > 1e-6 {
            for t in [w[0].src_out_s, w[1].src_in_s] {
                assert!(
                    !a.speech_segments
                        .iter()
                        .any(|s| t > s.start_s - 0.08 && t < s.end_s + 0.08),
                    "jump at {t} inside speech"
                );
            }
        }
    }
}

/// A cap too short to hold one cut at the template's rate says so in the plan's notes.
#[test]
fn a_cap_shorter_than_one_cut_is_noted() {
    let a = analysis(45.0, 1280, 720, 30.0, &[]);
    let p = capped(&a, 6.0, 5.0);
    assert!(p.output_duration_s <= 5.0 + 1e-9);
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("misses the target") && n.contains("one cut is")),
        "{:?}",
        p.notes
    );
}

/// The cap falls 0.8 s into a shot (the service quickstart's bikes clip under a 2 s cap:
/// shots cut at 1.21 s, a 30-a-minute style): the short last piece is kept, not dropped,
/// so the edit lasts the cap and not 1.2 s of it.
#[test]
fn a_cap_falling_early_in_a_shot_keeps_the_short_last_piece() {
    let a = analysis(10.0, 1280, 720, 30.0, &[1.2, 5.0]);
    let p = capped(&a, 30.0, 2.0);
    assert!(
        (p.output_duration_s - 2.0).abs() < 0.05,
        "{:.3} s for a 2 s cap; notes {:?}",
        p.output_duration_s,
        p.notes
    );
    assert_eq!(p.segments.len(), 2, "notes {:?}", p.notes);
}
