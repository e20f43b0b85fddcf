//! Reframing that follows the action: where the crop window of a segment sits inside the
//! source frame, from the analysis' saliency centres (`Analysis::saliency`).
//!
//! Per segment and per axis with room to move (window narrower than the frame):
//!
//! 1. keys every [`KEY_S`] of the segment (at least the two ends); the target at each key
//!    is the mean saliency centre of the samples within ±[`SMOOTH_S`] of it (the nearest
//!    sample when none);
//! 2. a lazy pass starts at the mean target of the whole segment, pulled to within
//!    [`DEAD_ZONE`]·window of the first target; from key to key it moves only as far as
//!    needed to keep the target within that dead zone, and never faster than
//!    [`MAX_SPEED`] frame widths (heights) per second; the path is the mean of this pass
//!    run forwards and backwards in time (it anticipates a move as much as it trails it);
//!    the window always stays inside the frame, so a subject at the frame edge keeps the
//!    window at that edge;
//! 3. between keys the centre moves linearly (a piecewise-linear expression of the frame
//!    number, [`path_expr`]), drawn at ¼ px by `graph::moving_window` (until session 15 a
//!    single `crop`, whose 4:2:0 corner moved in 2 px steps); a window that never moves is
//!    a fixed crop.
//!
//! No saliency (older analysis documents, no frames in the segment): the base window,
//! centred as before.

use serde::{Deserialize, Serialize};
use stylecut_types::SaliencyPoint;

use super::edl::Segment;
use super::format::{CropWindow, OutputFormat};

/// Spacing of the path keys, seconds.
pub const KEY_S: f64 = 0.5;
/// Half-width of the averaging window of the saliency samples, seconds. 0.5 (until
/// session 15) let the noise of the saliency centres (single samples 0.2–0.3 frame widths
/// off their neighbours on BBB) through the dead zone: on 9 plans of three real sources
/// (9:16 and 1:1) the window reversed its direction 13.1 times a minute, swaying back and
/// forth; 1.0 s makes it 5.6 with the independent frame-difference centre as often inside
/// the window (81.7 → 82.7 %) (`bench/reframe/follow.py`, docs/BENCHMARKS.md "Session 15").
pub const SMOOTH_S: f64 = 1.0;
/// How far (share of the window size) the target may sit off the window centre before
/// the window moves.
pub const DEAD_ZONE: f64 = 0.2;
/// Fastest window move, frame widths (or heights) per second.
pub const MAX_SPEED: f64 = 0.3;

/// One key of a moving crop window: output frame index inside the segment and the
/// window centre there (fractions of the framed picture, `format::SourcePicture`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CropKey {
    pub frame: u64,
    pub cx: f64,
    pub cy: f64,
}

/// Speed of `seg`'s moving window over the source, % of the output picture's width and
/// height per second over its `dur_s` seconds: the keys' summed travel over the window's
/// size (0, 0 for a still window).
pub fn window_speed(seg: &Segment, dur_s: f64) -> (f64, f64) {
    if seg.crop_path.len() < 2 || dur_s <= 0.0 {
        return (0.0, 0.0);
    }
    let travel = |f: fn(&CropKey) -> f64, size: f64| {
        seg.crop_path
            .windows(2)
            .map(|k| (f(&k[1]) - f(&k[0])).abs())
            .sum::<f64>()
            / size.max(1e-3)
    };
    (
        100.0 * travel(|k| k.cx, seg.crop.w) / dur_s,
        100.0 * travel(|k| k.cy, seg.crop.h) / dur_s,
    )
}

/// Whether `seg`'s moving window can be held still at the mean of its keys without losing
/// its subject: every key within half the [`DEAD_ZONE`] (0.1 of the window's size) of that
/// mean on both axes. A key sits about within the dead zone of its smoothed target (more
/// where the speed limit makes it lag), so the target stays near 0.3 of the size from the
/// held centre, inside the window with a margin. On the `vertical_warm_talking_head`
/// snapshot a 1.25× window following a walk moved 0.1 of the picture (0.39 of its width)
/// in 3.1 s: held still at its mean, the walker's last position (0.41) fell 0.02 outside
/// it; such a window keeps moving.
pub fn can_hold(seg: &Segment) -> bool {
    if seg.crop_path.is_empty() {
        return false;
    }
    let n = seg.crop_path.len() as f64;
    let (mx, my) = (
        seg.crop_path.iter().map(|k| k.cx).sum::<f64>() / n,
        seg.crop_path.iter().map(|k| k.cy).sum::<f64>() / n,
    );
    seg.crop_path.iter().all(|k| {
        (k.cx - mx).abs() <= 0.5 * DEAD_ZONE * seg.crop.w
            && (k.cy - my).abs() <= 0.5 * DEAD_ZONE * seg.crop.h
    })
}

/// Holds `seg`'s moving window still at the mean of its keys (which stays inside the
/// picture, as every key does).
pub fn hold(seg: &mut Segment) {
    if seg.crop_path.is_empty() {
        return;
    }
    let n = seg.crop_path.len() as f64;
    seg.crop.cx = seg.crop_path.iter().map(|k| k.cx).sum::<f64>() / n;
    seg.crop.cy = seg.crop_path.iter().map(|k| k.cy).sum::<f64>() / n;
    seg.crop_path.clear();
}

/// One lazy pass over the keys: start at the segment's mean target (pulled into the dead
/// zone of the first), then move only as far as the dead zone and the speed limit need.
fn lazy(times: &[f64], targets: &[f64], size: f64) -> Vec<f64> {
    let (lo, hi) = (size / 2.0, 1.0 - size / 2.0);
    let dz = DEAD_ZONE * size;
    let mean = targets.iter().sum::<f64>() / targets.len() as f64;
    let mut p = mean.clamp(targets[0] - dz, targets[0] + dz).clamp(lo, hi);
    let mut out = Vec::with_capacity(targets.len());
    for (j, &t) in targets.iter().enumerate() {
        if j > 0 {
            let step = MAX_SPEED * (times[j] - times[j - 1]).abs();
            let want = p.clamp(t - dz, t + dz);
            p = want.clamp(p - step, p + step).clamp(lo, hi);
        }
        out.push(p);
    }
    out
}

/// One axis of the path: the mean of a forward and a backward lazy pass, so the window
/// anticipates a move as much as it trails it (each pass keeps the dead zone and the
/// speed limit wherever it can, so their mean does too).
fn follow(times: &[f64], targets: &[f64], size: f64) -> Vec<f64> {
    let fwd = lazy(times, targets, size);
    let rt: Vec<f64> = times.iter().rev().copied().collect();
    let rg: Vec<f64> = targets.iter().rev().copied().collect();
    let mut bwd = lazy(&rt, &rg, size);
    bwd.reverse();
    fwd.iter().zip(&bwd).map(|(a, b)| 0.5 * (a + b)).collect()
}

/// The tracked window of `seg` (its `crop` gives the size) and its path; an empty path
/// means a fixed window at the returned centre.
pub fn track(
    seg: &Segment,
    saliency: &[SaliencyPoint],
    fmt: &OutputFormat,
) -> (CropWindow, Vec<CropKey>) {
    let c = seg.crop;
    let (move_x, move_y) = (c.w < 0.999, c.h < 0.999);
    let samples: Vec<&SaliencyPoint> = saliency
        .iter()
        .filter(|p| p.t_s >= seg.video_in_s && p.t_s < seg.video_out_s)
        .collect();
    if !(move_x || move_y) || samples.is_empty() || seg.frames == 0 {
        return (c, Vec::new());
    }
    let dur = fmt.frames_to_s(seg.frames.saturating_sub(1));
    let k = ((dur / KEY_S).round() as usize).max(1);
    // Key times on the output timeline of the segment, and their source times.
    let times: Vec<f64> = (0..=k).map(|j| dur * j as f64 / k as f64).collect();
    let target = |t: f64, f: fn(&SaliencyPoint) -> f64| -> f64 {
        let src_t = seg.src_in_s + t;
        let near: Vec<f64> = samples
            .iter()
            .filter(|p| (p.t_s - src_t).abs() <= SMOOTH_S)
            .map(|p| f(p))
            .collect();
        if near.is_empty() {
            let p = samples
                .iter()
                .min_by(|a, b| (a.t_s - src_t).abs().total_cmp(&(b.t_s - src_t).abs()))
                .expect("samples not empty");
            f(p)
        } else {
            near.iter().sum::<f64>() / near.len() as f64
        }
    };
    let axis = |moves: bool, size: f64, base: f64, f: fn(&SaliencyPoint) -> f64| {
        if !moves {
            return vec![base; times.len()];
        }
        let tg: Vec<f64> = times.iter().map(|&t| target(t, f)).collect();
        follow(&times, &tg, size)
    };
    let xs = axis(move_x, c.w, c.cx, |p| p.x);
    let ys = axis(move_y, c.h, c.cy, |p| p.y);
    let start = CropWindow {
        cx: xs[0],
        cy: ys[0],
        ..c
    };
    let still =
        xs.iter().all(|v| (v - xs[0]).abs() < 1e-4) && ys.iter().all(|v| (v - ys[0]).abs() < 1e-4);
    if still {
        return (start, Vec::new());
    }
    let keys: Vec<CropKey> = times
        .iter()
        .enumerate()
        .map(|(j, &t)| CropKey {
            frame: fmt.s_to_frames(t),
            cx: round4(xs[j]),
            cy: round4(ys[j]),
        })
        .collect();
    (start, simplify(keys))
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// Drops keys that lie on the line through their neighbours (holds and constant moves
/// need only their ends).
fn simplify(keys: Vec<CropKey>) -> Vec<CropKey> {
    let mut out: Vec<CropKey> = Vec::with_capacity(keys.len());
    for (i, k) in keys.iter().enumerate() {
        if let (Some(a), Some(b)) = (out.last(), keys.get(i + 1)) {
            let span = (b.frame - a.frame).max(1) as f64;
            let u = (k.frame - a.frame) as f64 / span;
            let on_line = |pa: f64, pk: f64, pb: f64| (pa + (pb - pa) * u - pk).abs() < 2e-4;
            if on_line(a.cx, k.cx, b.cx) && on_line(a.cy, k.cy, b.cy) {
                continue;
            }
        }
        out.push(*k);
    }
    out
}

/// Piecewise-linear expression of the output frame number `n` through `(frame, value)`
/// keys, as used by the `crop` filter: `v0 + Σ Δv·clip((n − n_i)/(n_{i+1} − n_i), 0, 1)`.
pub fn path_expr(keys: &[(u64, f64)], fmt_num: impl Fn(f64) -> String) -> String {
    let mut s = fmt_num(keys[0].1);
    for w in keys.windows(2) {
        let d = w[1].1 - w[0].1;
        if d.abs() < 1e-9 {
            continue;
        }
        let len = (w[1].0 - w[0].0).max(1);
        let sign = if d < 0.0 { "-" } else { "+" };
        s.push_str(&format!(
            "{sign}{}*clip((n-{})/{len},0,1)",
            fmt_num(d.abs()),
            w[0].0
        ));
    }
    s
}

/// Largest centre speed along a path, frame widths (heights) per second.
pub fn max_speed(keys: &[CropKey], fmt: &OutputFormat) -> f64 {
    keys.windows(2)
        .map(|w| {
            let dt = fmt.frames_to_s(w[1].frame - w[0].frame).max(1e-9);
            (w[1].cx - w[0].cx).abs().max((w[1].cy - w[0].cy).abs()) / dt
        })
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::motion::Motion;
    use crate::apply::pacing::Origin;

    fn fmt() -> OutputFormat {
        OutputFormat {
            width: 270,
            height: 480,
            fps_num: 25,
            fps_den: 1,
            aspect: "9:16".into(),
            letterbox: false,
        }
    }

    fn seg(a: f64, b: f64, w: f64) -> Segment {
        Segment {
            src_in_s: a,
            src_out_s: b,
            video_in_s: a,
            video_out_s: b,
            frames: ((b - a) * 25.0).round() as u64,
            out_start_s: 0.0,
            shot: 0,
            origin: Origin::Shot,
            crop: CropWindow {
                w,
                ..CropWindow::FULL
            },
            crop_path: Vec::new(),
            punch_in: false,
            motion: Motion::None,
            lut: None,
            repeat_frames: 0,
        }
    }

    fn points(a: f64, b: f64, x: impl Fn(f64) -> f64) -> Vec<SaliencyPoint> {
        let n = ((b - a) / 0.25) as usize;
        (0..n)
            .map(|i| {
                let t = a + 0.125 + 0.25 * i as f64;
                SaliencyPoint {
                    t_s: t,
                    x: x(t),
                    y: 0.5,
                }
            })
            .collect()
    }

    #[test]
    fn subject_off_centre_gets_a_fixed_window_on_it() {
        let s = seg(0.0, 4.0, 0.3);
        let (w, path) = track(
            &s,
            &points(0.0, 4.0, |t| 0.8 + 0.02 * (t * 7.0).sin()),
            &fmt(),
        );
        assert!(path.is_empty(), "{path:?}");
        assert!((w.cx - 0.8).abs() < 0.03, "{w:?}");
        // Jittering saliency does not move the window.
        let (_, path) = track(
            &s,
            &points(0.0, 4.0, |t| 0.5 + 0.05 * (t * 13.0).sin()),
            &fmt(),
        );
        assert!(path.is_empty(), "{path:?}");
    }

    /// The motion planner reads a moving window as a pan at its travel over its width per
    /// second; holding it keeps the window at the mean of its keys.
    #[test]
    fn window_speed_and_hold() {
        let mut s = seg(0.0, 6.0, 0.3);
        let sal = points(0.0, 6.0, |t| 0.1 + 0.15 * t);
        let (w, path) = track(&s, &sal, &fmt());
        s.crop = w;
        s.crop_path = path.clone();
        let travel: f64 = path.windows(2).map(|k| (k[1].cx - k[0].cx).abs()).sum();
        let (pan, tilt) = window_speed(&s, 6.0);
        assert!(travel > 0.3, "{path:?}");
        // The subject crosses the picture: held still, the window would lose it.
        assert!(!can_hold(&s));
        let mut slow = seg(0.0, 6.0, 0.3);
        slow.crop_path = vec![
            CropKey {
                frame: 0,
                cx: 0.5,
                cy: 0.5,
            },
            CropKey {
                frame: 75,
                cx: 0.52,
                cy: 0.5,
            },
            CropKey {
                frame: 150,
                cx: 0.54,
                cy: 0.5,
            },
        ];
        assert!(can_hold(&slow));
        slow.crop_path[2].cx = 0.6;
        assert!(!can_hold(&slow));
        assert!((pan - 100.0 * travel / 0.3 / 6.0).abs() < 1e-9, "{pan}");
        assert_eq!(tilt, 0.0);
        let mean = path.iter().map(|k| k.cx).sum::<f64>() / path.len() as f64;
        hold(&mut s);
        assert!(s.crop_path.is_empty());
        assert!((s.crop.cx - mean).abs() < 1e-12 && s.crop.w == 0.3);
        assert_eq!(window_speed(&s, 6.0), (0.0, 0.0));
    }

    #[test]
    fn moving_subject_is_followed_within_the_speed_limit() {
        let s = seg(0.0, 6.0, 0.3);
        // 0.15 frame widths per second, left to right.
        let sal = points(0.0, 6.0, |t| 0.1 + 0.15 * t);
        let (w, path) = track(&s, &sal, &fmt());
        assert!(path.len() >= 2);
        assert!(max_speed(&path, &fmt()) <= MAX_SPEED + 1e-3);
        assert_eq!(w.cx, path[0].cx);
        // The subject stays inside the window at every key.
        for k in &path {
            let x = 0.1 + 0.15 * k.frame as f64 / 25.0;
            assert!((x.clamp(0.15, 0.85) - k.cx).abs() <= 0.15, "{k:?}");
        }
        // Too fast a subject: the window moves at the limit and no faster.
        let (_, path) = track(
            &s,
            &points(0.0, 6.0, |t| if t < 3.0 { 0.1 } else { 0.9 }),
            &fmt(),
        );
        assert!((max_speed(&path, &fmt()) - MAX_SPEED).abs() < 0.02);
        // A full-width window never moves.
        let (_, path) = track(&seg(0.0, 6.0, 1.0), &sal, &fmt());
        assert!(path.is_empty());
    }

    /// Direction reversals of a path between moves of at least `min` (frame fraction).
    fn reversals(path: &[CropKey], min: f64) -> usize {
        let moves: Vec<f64> = path
            .windows(2)
            .map(|w| w[1].cx - w[0].cx)
            .filter(|d| d.abs() >= min)
            .collect();
        moves.windows(2).filter(|m| m[0] * m[1] < 0.0).count()
    }

    #[test]
    fn swaying_saliency_does_not_make_the_window_sway() {
        // The saliency centre swings ±0.12 frame widths every 2 s (noise of the detector,
        // or a subject pacing on the spot): the window holds instead of following each
        // swing (with ±0.5 s of averaging it reversed 6 times in 8 s).
        let s = seg(0.0, 8.0, 0.3);
        let sal = points(0.0, 8.0, |t| {
            0.5 + 0.12 * (2.0 * std::f64::consts::PI * t / 2.0).sin()
        });
        let (_, path) = track(&s, &sal, &fmt());
        assert_eq!(reversals(&path, 0.002), 0, "{path:?}");
    }

    #[test]
    fn expression_is_piecewise_linear() {
        let e = path_expr(&[(0, 0.1), (25, 0.3), (50, 0.3), (75, 0.2)], |v| {
            format!("{v:.2}")
        });
        assert_eq!(e, "0.10+0.20*clip((n-0)/25,0,1)-0.10*clip((n-50)/25,0,1)");
    }
}
