//! Per-shot camera motion summaries and the two StyleJSON motion scales.
//!
//! Per shot, the frame-pair translations are integrated into a camera path and smoothed
//! over 0.5 s: the smooth path's speed is pan / tilt, the deviation from it is shake.
//! Scales (documented in docs/STYLEJSON.md):
//!
//! * shot motion energy is the sum of pan and tilt speed (% of frame per s), zoom
//!   speed (% scale per s), ten times the shake (% of width) and half the object motion;
//!   `motion_intensity = 100·(1 − e^(−E/25))`, averaged over shots weighted by
//!   duration: a tripod shot scores ≈ 0, a pan crossing the frame in 4 s (25 %/s) ≈ 63.
//! * `zoom_usage = 100 · mean over shots of has_zoom · min(1, |zoom_rate| / 0.15)`;
//!   0.15 log2/s (≈ 11 % push-in per second) counts as a full-strength zoom move. A
//!   shot has a zoom when its rate is at least 0.04 log2/s, the pairs mostly agree on
//!   its sign and its net change is at least 0.04 log2 (shots under a second need a
//!   faster zoom).

use stylecut_types::{CameraSpan, ShotMotion};

use super::motion::PairMotion;

/// Net zoom rate (log2/s) above which a shot holds a deliberate zoom move.
pub const ZOOM_MIN_RATE: f64 = 0.04;
/// Net scale change (log2) a shot's zoom must reach to count as a zoom move: what a
/// zoom at [`ZOOM_MIN_RATE`] changes in one second (2.8 % in size). A shot shorter than
/// a second needs a proportionally faster zoom: over a few pairs the estimator's noise
/// (a blurred or crossing subject, a few tenths of a pixel) reads as a rate of several
/// hundredths of log2/s while the framing visibly changes by less than that.
pub const ZOOM_MIN_CHANGE: f64 = ZOOM_MIN_RATE;
/// Zoom rate counted as full strength in `zoom_usage`.
pub const ZOOM_FULL_RATE: f64 = 0.15;
/// Energy scale of `motion_intensity`.
pub const ENERGY_SCALE: f64 = 25.0;

fn smooth(x: &[f64], half: usize) -> Vec<f64> {
    (0..x.len())
        .map(|i| {
            let lo = i.saturating_sub(half);
            let hi = (i + half + 1).min(x.len());
            x[lo..hi].iter().sum::<f64>() / (hi - lo) as f64
        })
        .collect()
}

/// Whether a net zoom of `rate` log2/s held over `dur_s` seconds is a zoom move: at least
/// [`ZOOM_MIN_RATE`] and a net change of at least [`ZOOM_MIN_CHANGE`]. Shared with the
/// style planner's prediction of what this module will read.
pub fn is_zoom_move(rate: f64, dur_s: f64) -> bool {
    rate.abs() >= ZOOM_MIN_RATE && rate.abs() * dur_s >= ZOOM_MIN_CHANGE
}

/// Share of a shot's pairs that must agree on the sign of its net zoom for a zoom move.
pub const ZOOM_SIGN_AGREEMENT: f64 = 0.6;

/// Whether pair `p` counts for the shot `[start_s, end_s)`: fitted, its later frame inside
/// the shot, and not the pair straddling the shot's first frame (it spans the transition).
pub fn in_shot(p: &PairMotion, start_s: f64, end_s: f64) -> bool {
    p.valid && p.pts_s > start_s + 1e-6 && p.pts_s < end_s - 1e-6
}

/// Object motion 0..100 from the pairs' mean residual (fraction of the width a pair) at
/// `fps` pairs a second: the residual in % of the width per second, saturating.
pub fn object_motion(mean_residual: f64, fps: f64) -> f64 {
    100.0 * (1.0 - (-(mean_residual * 100.0 * fps) / 20.0).exp())
}

/// `shot` with its zoom (rate and move), pan, tilt and object motion read over a span of
/// the camera track instead ([`stylecut_types::CameraTrack`], whose steps sum the pairs
/// [`in_shot`] counts), by the rules of [`shot_motion`]: `c` sums `c.pairs` pairs at `fps`.
/// Pan and tilt come from the track's 0.25 s steps instead of the 0.5 s smoothing; the
/// shake (per-frame jitter) is not in the track and stays the shot's.
pub fn span_motion(shot: &ShotMotion, c: &CameraSpan, fps: f64) -> ShotMotion {
    let mut m = shot.clone();
    let pairs = f64::from(c.pairs);
    let covered = pairs / fps;
    m.zoom_rate = c.zoom_log2 / covered;
    let growing = f64::from(c.growing);
    let agree = if m.zoom_rate.signum() > 0.0 {
        growing
    } else {
        pairs - growing
    } / pairs;
    m.has_zoom = is_zoom_move(m.zoom_rate, covered) && agree >= ZOOM_SIGN_AGREEMENT;
    m.pan_speed = 100.0 * c.abs_pan / covered;
    m.tilt_speed = 100.0 * c.abs_tilt / covered;
    m.object_motion = object_motion(c.residual / pairs, fps);
    m
}

/// Summarises the pairs whose later frame lies in `[start_s, end_s)` ([`in_shot`]).
pub fn shot_motion(pairs: &[PairMotion], start_s: f64, end_s: f64) -> ShotMotion {
    let inside: Vec<&PairMotion> = pairs
        .iter()
        .filter(|p| in_shot(p, start_s, end_s))
        .collect();
    let mut out = ShotMotion::still(start_s, end_s);
    if inside.len() < 2 {
        return out;
    }
    let span = (inside[inside.len() - 1].pts_s - inside[0].pts_s).max(1e-3);
    let fps = (inside.len() - 1) as f64 / span;
    let half = ((0.25 * fps).round() as usize).max(1);
    // Per-frame displacement, smoothed over 0.5 s: the smooth part is the deliberate
    // move, the rest is jitter.
    let vx: Vec<f64> = inside.iter().map(|p| p.tx as f64).collect();
    let vy: Vec<f64> = inside.iter().map(|p| p.ty as f64).collect();
    let (sx, sy) = (smooth(&vx, half), smooth(&vy, half));
    let n = vx.len() as f64;
    let covered = span + 1.0 / fps;
    out.pan_speed = 100.0 * sx.iter().map(|v| v.abs()).sum::<f64>() / covered;
    out.tilt_speed = 100.0 * sy.iter().map(|v| v.abs()).sum::<f64>() / covered;
    let jitter: f64 = vx
        .iter()
        .zip(&sx)
        .chain(vy.iter().zip(&sy))
        .map(|(a, b)| (a - b) * (a - b))
        .sum();
    out.shake = 100.0 * (jitter / n).sqrt();
    let logz: Vec<f64> = inside.iter().map(|p| (p.scale as f64).log2()).collect();
    out.zoom_rate = logz.iter().sum::<f64>() / covered;
    let sign = out.zoom_rate.signum();
    let agree = logz.iter().filter(|z| z.signum() == sign).count() as f64 / logz.len() as f64;
    out.has_zoom = is_zoom_move(out.zoom_rate, covered) && agree >= ZOOM_SIGN_AGREEMENT;
    let resid = inside.iter().map(|p| p.residual as f64).sum::<f64>() / inside.len() as f64;
    out.object_motion = object_motion(resid, fps);
    out
}

/// Motion energy of one shot (see module docs).
pub fn shot_energy(m: &ShotMotion) -> f64 {
    m.pan_speed
        + m.tilt_speed
        + 100.0 * (2f64.powf(m.zoom_rate.abs()) - 1.0)
        + 10.0 * m.shake
        + m.object_motion / 2.0
}

/// `motion_intensity` 0..100 over shots, weighted by duration.
pub fn motion_intensity(shots: &[ShotMotion]) -> f64 {
    let total: f64 = shots.iter().map(|s| s.end_s - s.start_s).sum();
    if total <= 0.0 {
        return 0.0;
    }
    let e: f64 = shots
        .iter()
        .map(|s| (s.end_s - s.start_s) * (1.0 - (-shot_energy(s) / ENERGY_SCALE).exp()))
        .sum();
    (100.0 * e / total).clamp(0.0, 100.0)
}

/// `zoom_usage` 0..100: share of shots with a zoom move, weighted by strength.
pub fn zoom_usage(shots: &[ShotMotion]) -> f64 {
    if shots.is_empty() {
        return 0.0;
    }
    let s: f64 = shots
        .iter()
        .filter(|m| m.has_zoom)
        .map(|m| (m.zoom_rate.abs() / ZOOM_FULL_RATE).min(1.0))
        .sum();
    (100.0 * s / shots.len() as f64).clamp(0.0, 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(tx: f32, scale: f32, n: usize, fps: f64) -> Vec<PairMotion> {
        (1..=n)
            .map(|i| PairMotion {
                pts_s: i as f64 / fps,
                tx,
                ty: 0.0,
                scale,
                residual: 0.0,
                valid: true,
            })
            .collect()
    }

    #[test]
    fn steady_pan_and_zoom_summaries() {
        // 1 % of the width per frame at 25 fps = 25 %/s.
        let p = pairs(0.01, 1.0, 100, 25.0);
        let m = shot_motion(&p, 0.0, 4.04);
        assert!((m.pan_speed - 25.0).abs() < 1.5, "{m:?}");
        assert!(m.shake < 0.1 && !m.has_zoom);
        let z = pairs(0.0, 2f32.powf(0.2 / 25.0), 100, 25.0);
        let m = shot_motion(&z, 0.0, 4.04);
        assert!((m.zoom_rate - 0.2).abs() < 0.02 && m.has_zoom, "{m:?}");
        assert_eq!(zoom_usage(std::slice::from_ref(&m)), 100.0);
        let still = shot_motion(&pairs(0.0, 1.0, 100, 25.0), 0.0, 4.04);
        assert!(motion_intensity(&[still]) < 1.0);
    }

    /// bikes.mp4's last shot (0.32 s, 8 frame pairs) read +0.08 log2/s, a zoom of a
    /// fifth of full strength, from a net change of 1.8 % in size. Such a shot is not a
    /// zoom move (net change under `ZOOM_MIN_CHANGE`); the same span at 0.2 log2/s
    /// (4.6 %) is, and so is 0.08 log2/s held for 4 s. Main (session 15) counted the
    /// first as a zoom.
    #[test]
    fn a_short_shot_needs_a_visible_change_to_be_a_zoom() {
        let short = shot_motion(&pairs(0.0, 2f32.powf(0.08 / 25.0), 8, 25.0), 0.0, 0.33);
        assert!((short.zoom_rate - 0.08).abs() < 0.01, "{short:?}");
        assert!(!short.has_zoom, "{short:?}");
        assert_eq!(zoom_usage(std::slice::from_ref(&short)), 0.0);
        let fast = shot_motion(&pairs(0.0, 2f32.powf(0.2 / 25.0), 8, 25.0), 0.0, 0.33);
        assert!(fast.has_zoom, "{fast:?}");
        let long = shot_motion(&pairs(0.0, 2f32.powf(0.08 / 25.0), 100, 25.0), 0.0, 4.04);
        assert!(long.has_zoom, "{long:?}");
    }
}
