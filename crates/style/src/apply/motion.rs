//! Motion: synthetic camera moves that bring the output towards the template's
//! `zoom_usage` and `motion_intensity`.
//!
//! * `zoom_usage` (share of shots holding a zoom move): segments whose source shot has no
//!   zoom of its own get a slow push-in (1.0 → 1.15 over the segment) until the share of
//!   zooming segments reaches `zoom_usage`/100, spread evenly along the timeline.
//! * `motion_intensity`: when the template is at least 15 points livelier than the source's
//!   estimated intensity, a share `(target − source) / 60` of the remaining static segments
//!   gets a lateral pan across a 1.15× window, alternating direction. When the template is
//!   at least 15 points calmer and a segment's shot shakes (> 0.5 % of the width), that
//!   segment is stabilised with `deshake` (run at output resolution, after scaling).
//! * The source's intensity estimate per shot is `2·(pan + tilt speed) + 0.5·object
//!   motion`, clamped to 0..100 and weighted by duration; no motion analysis means 0.

use serde::{Deserialize, Serialize};
use stylecut_types::ShotMotion;

/// Final zoom of a push-in.
pub const PUSH_IN_ZOOM: f64 = 1.15;
/// Window zoom used for pans.
pub const PAN_ZOOM: f64 = 1.15;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Motion {
    None,
    /// Zoom from 1.0 to `zoom` over the segment, centred on the crop window.
    PushIn {
        zoom: f64,
    },
    /// Constant-speed pan across a `zoom`× window; `left_to_right` gives the direction.
    Pan {
        zoom: f64,
        left_to_right: bool,
    },
    /// `deshake` on the segment.
    Stabilize,
}

fn shot_at(motion: &[ShotMotion], t: f64) -> Option<&ShotMotion> {
    motion.iter().find(|m| m.start_s <= t && t < m.end_s)
}

/// Duration-weighted motion intensity estimate of the source, 0..100.
pub fn source_intensity(motion: &[ShotMotion]) -> f64 {
    let (mut acc, mut tot) = (0.0, 0.0);
    for m in motion {
        let d = (m.end_s - m.start_s).max(0.0);
        let v = (2.0 * (m.pan_speed + m.tilt_speed) + 0.5 * m.object_motion).clamp(0.0, 100.0);
        acc += v * d;
        tot += d;
    }
    if tot > 0.0 {
        acc / tot
    } else {
        0.0
    }
}

/// Chooses a move per segment. `mids` are the source-time midpoints of the segments.
pub fn assign(
    mids: &[f64],
    motion: &[ShotMotion],
    zoom_usage: f64,
    motion_intensity: f64,
) -> (Vec<Motion>, Vec<String>) {
    let n = mids.len();
    let mut out = vec![Motion::None; n];
    let mut notes = Vec::new();
    if n == 0 {
        return (out, notes);
    }
    let has_zoom: Vec<bool> = mids
        .iter()
        .map(|&t| shot_at(motion, t).is_some_and(|m| m.has_zoom))
        .collect();
    let want = ((zoom_usage.clamp(0.0, 100.0) / 100.0) * n as f64).round() as usize;
    let have = has_zoom.iter().filter(|&&z| z).count();
    let add = want.saturating_sub(have);
    let free: Vec<usize> = (0..n).filter(|&i| !has_zoom[i]).collect();
    let picked_zoom = spread(&free, add);
    for &i in &picked_zoom {
        out[i] = Motion::PushIn { zoom: PUSH_IN_ZOOM };
    }
    if !picked_zoom.is_empty() {
        notes.push(format!(
            "motion: push-ins on {} of {n} segments (zoom_usage {zoom_usage:.0})",
            picked_zoom.len()
        ));
    }
    let src = source_intensity(motion);
    let still: Vec<usize> = (0..n)
        .filter(|&i| out[i] == Motion::None && !has_zoom[i])
        .collect();
    if motion_intensity >= src + 15.0 {
        let share = ((motion_intensity - src) / 60.0).clamp(0.0, 1.0);
        let k = (share * still.len() as f64).round() as usize;
        for (j, &i) in spread(&still, k).iter().enumerate() {
            out[i] = Motion::Pan {
                zoom: PAN_ZOOM,
                left_to_right: j % 2 == 0,
            };
        }
        if k > 0 {
            notes.push(format!(
                "motion: pans on {k} segments (template {motion_intensity:.0} vs source {src:.0})"
            ));
        }
    } else if motion_intensity + 15.0 <= src {
        let mut k = 0;
        for &i in &still {
            if shot_at(motion, mids[i]).is_some_and(|m| m.shake > 0.5) {
                out[i] = Motion::Stabilize;
                k += 1;
            }
        }
        if k > 0 {
            notes.push(format!("motion: stabilised {k} shaky segments"));
        }
    }
    (out, notes)
}

/// `k` indices of `from`, spread evenly.
fn spread(from: &[usize], k: usize) -> Vec<usize> {
    let k = k.min(from.len());
    if k == 0 {
        return Vec::new();
    }
    (0..k)
        .map(|j| from[((j as f64 + 0.5) * from.len() as f64 / k as f64) as usize])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shot(a: f64, b: f64, zoom: bool, pan: f64, shake: f64) -> ShotMotion {
        ShotMotion {
            start_s: a,
            end_s: b,
            pan_speed: pan,
            tilt_speed: 0.0,
            zoom_rate: 0.0,
            shake,
            object_motion: 0.0,
            has_zoom: zoom,
        }
    }

    #[test]
    fn push_ins_fill_up_to_zoom_usage() {
        let mids: Vec<f64> = (0..10).map(|i| i as f64 + 0.5).collect();
        let motion = vec![
            shot(0.0, 1.0, true, 0.0, 0.0),
            shot(1.0, 10.0, false, 0.0, 0.0),
        ];
        let (m, _) = assign(&mids, &motion, 50.0, 0.0);
        let zooms = m
            .iter()
            .filter(|x| matches!(x, Motion::PushIn { .. }))
            .count();
        assert_eq!(zooms, 4); // 5 wanted, 1 already zooms
        assert_eq!(m[0], Motion::None);
    }

    #[test]
    fn lively_template_adds_pans_calm_template_stabilises() {
        let mids = [0.5, 1.5, 2.5, 3.5];
        let (m, _) = assign(&mids, &[], 0.0, 60.0);
        assert_eq!(
            m.iter().filter(|x| matches!(x, Motion::Pan { .. })).count(),
            4
        );
        let shaky = vec![shot(0.0, 4.0, false, 20.0, 2.0)];
        let (m, _) = assign(&mids, &shaky, 0.0, 0.0);
        assert!(m.iter().all(|x| *x == Motion::Stabilize));
    }
}
