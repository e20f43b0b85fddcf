//! Fades to and from a solid colour (black, white).
//!
//! Anchored on runs of solid frames: before a run the picture converges on the colour
//! (fade-out), after it diverges from it (fade-in). The ramp is followed while the
//! distance to the solid colour keeps changing at a sizeable share of its average rate
//! and the frames stay scaled copies of the end frame (checked with the mix model), so a
//! cut to black after ordinary motion is not a fade. A fade-out, a short solid hold
//! (< 0.5 s) and a fade-in form one fade *through* the colour.

use super::frame::{thumb_dist, FrameFeatures};
use super::models::fit_mix;
use super::Gradual;

/// Mean-luma tolerance of a frame that still counts as the solid colour (under 1 code value).
const SAME_LUMA: f32 = 0.003;
/// Luma step below which a frame next to the hold counts as settled into it.
const FLAT_LUMA: f32 = 0.001;
/// Thumbnail distance tolerance of the same.
const SAME_LAYOUT: f32 = 0.02;
/// Longest hold between a fade-out and a fade-in merged into one fade-through event.
const MAX_HOLD_S: f64 = 0.5;
const MIN_RAMP: usize = 3;

#[derive(Debug, Clone, Copy)]
struct Run {
    first: usize,
    last: usize,
    white: bool,
}

fn solid_runs(f: &[FrameFeatures]) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < f.len() {
        if f[i].is_black() || f[i].is_white() {
            let white = f[i].is_white();
            let mut j = i;
            while j + 1 < f.len() && f[j + 1].is_solid() && f[j + 1].is_white() == white {
                j += 1;
            }
            runs.push(Run {
                first: i,
                last: j,
                white,
            });
            i = j + 1;
        } else {
            i += 1;
        }
    }
    runs
}

/// Follows a ramp away from `core` starting at `from` in direction `step` (±1), within
/// `limit` frames. Returns the index of the last ramp frame (the full picture).
fn follow_ramp(
    f: &[FrameFeatures],
    core: usize,
    from: usize,
    step: isize,
    limit: usize,
) -> Option<usize> {
    let at = |k: usize| -> Option<usize> {
        let i = from as isize + step * k as isize;
        (i >= 0 && (i as usize) < f.len()).then_some(i as usize)
    };
    let dist = |i: usize| thumb_dist(&f[i], &f[core]);
    let d0 = dist(from);
    let mut end = None;
    for k in 1..limit {
        let (Some(i), Some(n1)) = (at(k), at(k + 1)) else {
            break;
        };
        let travelled = dist(i) - d0;
        let avg = travelled / k as f32;
        if k >= 6 && avg <= 0.001 {
            return None;
        }
        let next = dist(n1) - dist(i);
        let next2 = at(k + 2).map_or(next, |n2| (dist(n2) - dist(i)) / 2.0);
        // Stop where the change slows to a fraction of its average pace, once the ramp
        // has gone somewhere (an eased start is slow too).
        if travelled > 0.03 && next < 0.3 * avg && next2 < 0.5 * avg {
            end = Some(i);
            break;
        }
    }
    let end = end?;
    let len = (end as isize - from as isize).unsigned_abs();
    (len >= MIN_RAMP).then_some(end)
}

/// Checks that the frames between `pic` and `core` are mixes of the two with the picture
/// weight moving monotonically; returns the picture weights in time order.
fn ramp_weights(f: &[FrameFeatures], pic: usize, core: usize, white: bool) -> Option<Vec<f32>> {
    let (lo, hi) = (pic.min(core), pic.max(core));
    let o = if white { 1.0 } else { 0.0 };
    let mut w = Vec::new();
    let norm: f32 = f[pic]
        .thumb
        .iter()
        .map(|v| (v - o) * (v - o))
        .sum::<f32>()
        .max(1e-6);
    let mut err_sum = 0.0;
    for g in &f[lo + 1..hi] {
        let (a, _, e) = fit_mix(&g.thumb, &f[pic].thumb, &f[core].thumb, o);
        w.push(a.clamp(0.0, 1.2));
        err_sum += e / norm;
    }
    let rel = (err_sum / w.len().max(1) as f32).sqrt();
    (rel < 0.3).then_some(w)
}

/// Detects fades anchored on solid runs. `fps` is the real frame rate.
pub fn detect_fades(f: &[FrameFeatures], fps: f64) -> Vec<Gradual> {
    let limit = (fps * 4.0).round().max(8.0) as usize;
    let mut out: Vec<Gradual> = Vec::new();
    for run in solid_runs(f) {
        // The core is the purest frame of the run: darkest for black, brightest for white.
        let core = (run.first..=run.last)
            .min_by(|&a, &b| {
                let key = |i: usize| {
                    if run.white {
                        -f[i].luma_mean
                    } else {
                        f[i].luma_mean
                    }
                };
                key(a).total_cmp(&key(b))
            })
            .unwrap_or(run.first);
        // Shrink then widen the run to the frames indistinguishable from the core colour
        // (dark first frames of a fade-in pass the solid test but belong to the ramp).
        // A frame belongs to the solid hold when its mean luma is within about one code
        // value of the core's and its layout is close (dark first frames of a fade-in
        // pass the solid test but belong to the ramp; a faint watermark fading out over
        // black does not).
        let cl = f[core].luma_mean;
        let same = |i: usize| {
            (f[i].luma_mean - cl).abs() <= SAME_LUMA && thumb_dist(&f[i], &f[core]) <= SAME_LAYOUT
        };
        let mut first = run.first;
        while first < core && !same(first) {
            first += 1;
        }
        let mut last = run.last;
        while last > core && !same(last) {
            last -= 1;
        }
        // Grow over frames that match the colour, or that no longer change at all next
        // to the hold (a faint remnant settling into it).
        let flat = |i: usize, j: usize| {
            (f[i].luma_mean - f[j].luma_mean).abs() <= FLAT_LUMA
                && thumb_dist(&f[i], &f[core]) <= SAME_LAYOUT
        };
        while first > 0 && (same(first - 1) || flat(first - 1, first)) {
            first -= 1;
        }
        while last + 1 < f.len() && (same(last + 1) || flat(last + 1, last)) {
            last += 1;
        }
        let kind_out = (first > 0)
            .then(|| follow_ramp(f, core, first, -1, limit))
            .flatten()
            .and_then(|s| ramp_weights(f, s, first, run.white).map(|w| (s, w)));
        let kind_in = (last + 1 < f.len())
            .then(|| follow_ramp(f, core, last, 1, limit))
            .flatten()
            .and_then(|e| ramp_weights(f, e, last, run.white).map(|w| (e, w)));
        let hold = f[last].pts_s - f[first].pts_s;
        match (kind_out, kind_in) {
            (Some((s, wo)), Some((e, wi))) if hold <= MAX_HOLD_S => {
                // Progress through the whole fade: half out, half in.
                let mut prog: Vec<f32> = wo.iter().map(|a| 0.5 * (1.0 - a)).collect();
                prog.extend(std::iter::repeat_n(0.5, last + 1 - first));
                prog.extend(wi.iter().map(|a| 0.5 + 0.5 * a));
                out.push(Gradual::new("fade", s, e, prog, 0.9));
            }
            (o, i) => {
                if let Some((s, w)) = o {
                    let prog = w.iter().map(|a| 1.0 - a).collect();
                    out.push(Gradual::new("fade_out", s, first, prog, 0.85));
                }
                if let Some((e, w)) = i {
                    out.push(Gradual::new("fade_in", last, e, w, 0.85));
                }
            }
        }
    }
    out
}
