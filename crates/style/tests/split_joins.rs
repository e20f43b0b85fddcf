//! A split of one continuous shot is a hard cut (issue 4, session 27).
//!
//! Pacing splits a long shot to reach the template's cut rate and alternates a punch-in
//! framing at each split. A transition there (before session 27 the template's primary or
//! secondary, as at any join) crossed the piece's last `d` seconds with the next piece's
//! first `d`: the same shot `d` apart at two framings (a double image of anything moving)
//! and its sound laid over itself `d` later; the extractor reads such a join as no cut
//! (`bench/qa_sweep.py` case `gold-v916-letterbox`: 8.6 cuts a minute for a plan of 25.7).
//! Joins between two shots, and across a removed stretch, keep the template's transition.

mod common;

use std::path::Path;

use common::*;
use stylecut_style::apply::{self, edl, EditPlan};
use stylecut_types::config::JobConfig;
use stylecut_types::TransitionStyle;

fn plan(cuts: &[f64], kind: &str, ms: i64, secondary: Option<(&str, i64)>) -> EditPlan {
    let a = analysis(24.0, 1280, 720, 25.0, cuts);
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
    apply::plan(
        Path::new("/media/src.mp4"),
        &info(1280, 720, 25.0, 24.0, false),
        &a,
        Some(&st),
        &JobConfig::default(),
    )
    .unwrap()
}

#[test]
fn splits_are_hard_cuts_and_shot_changes_keep_the_transition() {
    for (kind, ms, secondary) in [
        ("dissolve", 500, None),
        ("wipe", 400, Some(("slide", 300))),
        ("fade", 800, Some(("zoom", 600))),
    ] {
        // Two shots of 9 and 15 s under a 24 cuts/min template: both are split.
        let p = plan(&[9.0], kind, ms, secondary);
        let segs = &p.segments;
        assert_eq!(p.transitions.len(), segs.len() - 1);
        let (mut splits, mut changes) = (0, 0);
        for (k, t) in p.transitions.iter().enumerate() {
            let (a, b) = (&segs[k], &segs[k + 1]);
            let split = a.shot == b.shot && (b.src_in_s - a.src_out_s).abs() < 1e-9;
            assert_eq!(split, edl::continues(a, b));
            if split {
                splits += 1;
                assert_eq!(
                    (t.kind.as_str(), t.xfade.as_deref(), t.frames),
                    ("cut", None, 0),
                    "{kind}: join {k} splits shot {} at {:.3} s: {t:?}",
                    a.shot,
                    a.src_out_s
                );
                assert_ne!(a.punch_in, b.punch_in, "join {k}: the framing changes");
            } else {
                changes += 1;
                assert!(t.xfade.is_some(), "{kind}: join {k} between shots: {t:?}");
            }
        }
        assert!(splits >= 4, "{kind}: {splits} splits");
        assert_eq!(changes, 1, "{kind}");
        // The plan's rate counts no overlap at the splits: (segments − 1) over the output.
        let rate = (segs.len() - 1) as f64 * 60.0 / p.output_duration_s;
        assert!(
            (rate - 24.0).abs() <= 24.0 * 0.1,
            "{kind}: {rate:.1} cuts/min"
        );
    }
}
