//! Transitions: which transition each join gets, how long it is, and how it maps to
//! ffmpeg 5.1's `xfade` and `acrossfade`.
//!
//! * Join `k` (between segment `k` and `k+1`) uses the secondary transition when
//!   `k % 4 == 3` and the template has one (a 3:1 primary/secondary proportion), else the
//!   primary.
//! * Mapping: `cut` → hard cut (concat), `fade` → `fadeblack` (through black), `dissolve`
//!   → `fade` (xfade's `fade` is the classic cross-dissolve; xfade's `dissolve` is a
//!   random-pixel dither), `wipe` → `wipeleft`, `slide` → `slideleft`, `zoom` → `zoomin`.
//! * Easing: xfade 5.1 has no easing option, and its `custom` transition evaluates an
//!   expression per pixel (measured: ≈ 6 s of CPU for two 0.3 s dissolves at 720p, more
//!   than the rest of the graph). The filtergraph eases the progress through time stamps
//!   instead (see `graph::easing_expr` and `docs/APPLY.md`): no per-pixel cost.
//! * Duration: the template's `duration_ms` in whole output frames, at most 40 % of the
//!   shorter neighbour. A join whose crossfaded audio would overlap speech becomes a cut,
//!   so no word is blended with another.
//! * A split (the next segment continues the shot and sound of this one, a punch-in) takes
//!   the template's transition when it is a fade through black or a zoom
//!   ([`shows_at_split`]), over one moment (`planner::transitions_at_splits`): the next
//!   segment starts `d` early in the source, so the overlap shows the same time at the two
//!   framings and the crossfade mixes the sound with itself (it runs on unbroken), never
//!   two moments `d` apart. It is not turned into a cut by speech. A dissolve, wipe or
//!   slide there stays a hard cut.

use serde::{Deserialize, Serialize};
use stylecut_types::TransitionStyle;

/// A planned join between two consecutive segments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedTransition {
    /// Index of the segment this transition follows.
    pub after_segment: usize,
    /// StyleJSON transition type (`cut`, `fade`, …).
    pub kind: String,
    /// xfade transition name; None for a hard cut.
    pub xfade: Option<String>,
    /// Length in output frames (0 for a cut).
    pub frames: u64,
    pub duration_s: f64,
    pub easing: String,
}

/// xfade transition for a StyleJSON type (None = hard cut).
pub fn xfade_name(kind: &str) -> Option<&'static str> {
    match kind {
        "fade" => Some("fadeblack"),
        "dissolve" => Some("fade"),
        "wipe" => Some("wipeleft"),
        "slide" => Some("slideleft"),
        "zoom" => Some("zoomin"),
        _ => None,
    }
}

/// Whether a transition of StyleJSON type `kind` shows at a split, crossing one moment at
/// two framings of one shot: a fade through black and a zoom change the whole picture
/// whatever the two framings hold; a dissolve, wipe or slide shows only where the two
/// framings differ, which at one moment of one shot is little (a faint seam, a soft push):
/// the extractor read 2 of 10 such wipes and slides in `cockatoo.mp4` under the qa
/// sweep's 1:1 template (`bench/qa_sweep.py` `cock-sq`: 8.6 cuts a minute read for a plan
/// of 42.9), where the same splits as hard cuts read 38.6 (docs/BENCHMARKS.md, "Session
/// 28: transitions at splits").
pub fn shows_at_split(kind: &str) -> bool {
    matches!(kind, "fade" | "zoom")
}

/// The transition style join `k` uses.
pub fn style_for_join<'a>(
    k: usize,
    primary: &'a TransitionStyle,
    secondary: Option<&'a TransitionStyle>,
) -> &'a TransitionStyle {
    match secondary {
        Some(s) if k % 4 == 3 => s,
        _ => primary,
    }
}

/// Plans join `k`. `max_frames` bounds the length (40 % of the shorter neighbour);
/// `speech_blocked` turns it into a cut.
pub fn plan_join(
    k: usize,
    t: &TransitionStyle,
    fps: f64,
    max_frames: u64,
    speech_blocked: bool,
) -> PlannedTransition {
    let cut = PlannedTransition {
        after_segment: k,
        kind: "cut".into(),
        xfade: None,
        frames: 0,
        duration_s: 0.0,
        easing: t.easing.clone(),
    };
    let Some(name) = xfade_name(&t.kind) else {
        return cut;
    };
    let frames = ((t.duration_ms as f64 / 1000.0 * fps).round() as u64).min(max_frames);
    if frames == 0 || speech_blocked {
        return cut;
    }
    PlannedTransition {
        after_segment: k,
        kind: t.kind.clone(),
        xfade: Some(name.to_string()),
        frames,
        duration_s: frames as f64 / fps,
        easing: t.easing.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(kind: &str, ms: i64, easing: &str) -> TransitionStyle {
        TransitionStyle {
            kind: kind.into(),
            duration_ms: ms,
            easing: easing.into(),
        }
    }

    #[test]
    fn every_extractor_type_maps() {
        for k in stylecut_types::TRANSITION_TYPES {
            let mapped = xfade_name(k);
            assert_eq!(mapped.is_none(), k == "cut", "{k}");
        }
    }

    #[test]
    fn secondary_every_fourth_join() {
        let p = ts("cut", 0, "linear");
        let s = ts("dissolve", 500, "linear");
        let kinds: Vec<&str> = (0..8)
            .map(|k| style_for_join(k, &p, Some(&s)).kind.as_str())
            .collect();
        assert_eq!(
            kinds,
            ["cut", "cut", "cut", "dissolve", "cut", "cut", "cut", "dissolve"]
        );
    }

    #[test]
    fn durations_clamp_and_speech_blocks() {
        let t = ts("dissolve", 1000, "linear");
        let j = plan_join(0, &t, 30.0, 12, false);
        assert_eq!((j.frames, j.xfade.as_deref()), (12, Some("fade")));
        assert!((j.duration_s - 0.4).abs() < 1e-9);
        assert_eq!(plan_join(0, &t, 30.0, 12, true).xfade, None);
        let e = plan_join(0, &ts("dissolve", 500, "ease-in-out"), 30.0, 100, false);
        assert_eq!(
            (e.xfade.as_deref(), e.easing.as_str()),
            (Some("fade"), "ease-in-out")
        );
        assert_eq!(
            plan_join(0, &ts("fade", 400, "ease-in"), 24.0, 100, false).xfade,
            Some("fadeblack".into())
        );
    }
}
