//! Transitions: which transition each join gets, how long it is, and how it maps to
//! ffmpeg 5.1's `xfade` and `acrossfade`.
//!
//! * Join `k` (between segment `k` and `k+1`) uses the secondary transition when
//!   `k % 4 == 3` and the template has one (a 3:1 primary/secondary proportion), else the
//!   primary.
//! * Mapping: `cut` → hard cut (concat), `fade` → `fadeblack` (through black), `dissolve`
//!   → `fade` (xfade's `fade` is the classic cross-dissolve; xfade's `dissolve` is a
//!   random-pixel dither), `wipe` → `wipeleft`, `slide` → `slideleft`, `zoom` → `zoomin`.
//! * Easing: xfade 5.1 has no easing option. A cross-dissolve with a non-linear easing is
//!   rendered as a `custom` xfade whose blend weight follows the easing curve (costlier: a
//!   per-pixel expression during the transition only); the other types ignore easing.
//! * Duration: the template's `duration_ms` in whole output frames, at most 40 % of the
//!   shorter neighbour. A join whose crossfaded audio would overlap speech becomes a cut,
//!   so no word is blended with another.

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
    /// Custom xfade expression (eased dissolves).
    pub expr: Option<String>,
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

/// Weight of the outgoing picture as a function of xfade's `P` (1 at the start of the
/// transition, 0 at its end) for an eased cross-dissolve.
pub fn eased_dissolve_expr(easing: &str) -> Option<String> {
    let w = match easing {
        "ease-in" => "(1-(1-P)*(1-P))",
        "ease-out" => "(P*P)",
        "ease-in-out" => "(P*P*(3-2*P))",
        _ => return None,
    };
    Some(format!("A*{w}+B*(1-{w})"))
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
        expr: None,
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
    let expr = if t.kind == "dissolve" {
        eased_dissolve_expr(&t.easing)
    } else {
        None
    };
    PlannedTransition {
        after_segment: k,
        kind: t.kind.clone(),
        xfade: Some(if expr.is_some() { "custom" } else { name }.to_string()),
        expr,
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
        assert_eq!(e.xfade.as_deref(), Some("custom"));
        assert!(e.expr.unwrap().contains("3-2*P"));
        assert_eq!(
            plan_join(0, &ts("fade", 400, "ease-in"), 24.0, 100, false).xfade,
            Some("fadeblack".into())
        );
    }
}
