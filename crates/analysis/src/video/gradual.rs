//! Gradual transitions between two pictures: dissolve, wipe, slide, zoom, and fades
//! through a colour that never reach a fully solid frame.
//!
//! Candidates are peaks of the long-range change `dist(t − k, t + k)` (k ≈ 0.4 s) inside
//! each cut-free segment. A candidate is located by projecting the frames on the
//! difference of two frames far apart (the share of the way from `A` to `B`), widening
//! until the projection is flat on both sides; the flat ends give the last frame of the
//! old picture and the first of the new one. Then every model of [`super::models`] is
//! fitted to the frames in between; the best one that explains them (relative error
//! below a bound, progress moving forward, most of the picture changing) names the type.
//! Camera moves, rack focus and text overlays fail these checks: a pan is not a blend of
//! its end frames, a focus pull hardly changes the cell means, an overlay changes only a
//! part of the frame. Both shots keep moving during a transition; the error that motion
//! leaves on a rigid model is measured on the shots themselves and allowed for
//! (`content_drift`) when the window clearly changes the whole picture.

use super::frame::{frame_dist, thumb_dist, FrameFeatures, Thumb, THUMB_CELLS, THUMB_LEN};
use super::models::{self, Dir, DIRS};
use super::Gradual;

const MIN_LONG_CHANGE: f32 = 0.15;
const FLAT: f32 = 0.06;
/// Projection step per frame below which the picture counts as still.
const STILL_STEP: f32 = 0.012;
const MAX_REL_ERR: f32 = 0.22;
const MAX_REL_ERR_SLIDE: f32 = 0.34;
/// A camera move explains `B` from `A` when a warp cuts the error to this share.
const CAMERA_SHARE: f32 = 0.35;
/// A camera move must also explain the structure of `B`: after the warp, the residual
/// of `B` against `A` with each one's mean taken off, over `B`'s own variance on the
/// overlap, stays below this. Two unrelated pictures give about 1 or more (the warp
/// found only a region of `A` of similar mean colour, e.g. against a nearly flat `B`).
const CAMERA_STRUCTURE: f32 = 0.75;
const MIN_CHANGED_SHARE: f32 = 0.45;
const MAX_ROUGHNESS: f32 = 0.25;
/// Share of the error bound under which a dissolve or fade overrules the camera check.
const TIGHT_BLEND: f32 = 0.5;
const MASK_PENALTY: f32 = 1.3;
/// Largest change of a shot by itself, over the length of a window, as a share of the
/// change across the window, for which the shots' own motion is allowed for in the fit.
const SELF_CHANGE: f32 = 0.5;
/// Share of clearly changing cells a window needs before the shots' own motion is
/// allowed for (a cut between two shots replaces nearly every cell).
const MOVING_CHANGED_SHARE: f32 = 0.67;
/// Largest raw relative error, as a multiple of the bound, that the allowance for the
/// shots' own motion may bring under the bound.
const MAX_EXCUSED: f32 = 1.3;

/// `STYLECUT_DEBUG_GRADUAL=1` prints every candidate window, its fits and why it was
/// kept or dropped to stderr (for tuning; off by default). The edge path ([`super::edge`])
/// prints with it too.
pub(crate) fn debug() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("STYLECUT_DEBUG_GRADUAL").is_some())
}

/// How a model's frames carry the motion inside the two shots (see [`content_drift`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Drift {
    /// Every cell mixes `A` and `B` with weights `1 − α`, `α`: a moving picture leaves
    /// its drift times the squared weight.
    Blend,
    /// Every cell shows either `A` or `B` (a straight edge or a slide): the drift counts
    /// with the share of cells on each side.
    Edge,
    /// The model has a free parameter per cell or a zoom of its own (hard-edged shaped
    /// wipe, zoom) and already soaks up much of the motion: no allowance (with one, hands
    /// and objects moving through a still shot of the real clips passed as shaped wipes).
    /// The soft-edged shaped wipe blends every cell over a long ramp, so it leaves the
    /// shots' motion on its frames like a dissolve and gets the [`Drift::Blend`] allowance.
    Free,
}

/// Share of the way from `a` to `b` for frame `g` (projection on `b − a`).
fn progress(g: &FrameFeatures, a: &FrameFeatures, b: &FrameFeatures) -> f32 {
    models::fit_dissolve(&g.thumb(), &a.thumb(), &b.thumb()).0
}

/// Locates the transition around `c` within `[lo, hi]`; returns (last A, first B).
fn locate(f: &[FrameFeatures], c: usize, lo: usize, hi: usize, k: usize) -> Option<(usize, usize)> {
    let mut half = 2 * k;
    loop {
        let a = c.saturating_sub(half).max(lo);
        let b = (c + half).min(hi);
        if b <= a + 2 {
            return None;
        }
        let p: Vec<f32> = (a..=b).map(|t| progress(&f[t], &f[a], &f[b])).collect();
        let ci = c - a;
        let s = (0..=ci).rev().find(|&i| p[i] <= FLAT)?;
        let e = (ci..p.len()).find(|&i| p[i] >= 1.0 - FLAT)?;
        // Both ends must hold still for a couple of frames, unless the segment ends there.
        let flat_before = s >= 2 || a == lo;
        let flat_after = p.len() - 1 - e >= 2 || b == hi;
        if (flat_before && flat_after) || half > 8 * k {
            // Refine once with the located end frames.
            let (s, e) = (a + s, a + e);
            let q: Vec<f32> = (s..=e).map(|t| progress(&f[t], &f[s], &f[e])).collect();
            let cc = c.clamp(s, e) - s;
            let s2 = (0..=cc).rev().find(|&i| q[i] <= FLAT).unwrap_or(0);
            let e2 = (cc..q.len())
                .find(|&i| q[i] >= 1.0 - FLAT)
                .unwrap_or(q.len() - 1);
            let (mut s, mut e) = (s + s2, s + e2);
            // The flat thresholds stop a little inside the ramp: extend while the
            // projection still moves (an eased start or end moves slowly and stays short).
            let (a, b) = (s.saturating_sub(2 * k).max(lo), (e + 2 * k).min(hi));
            let p: Vec<f32> = (a..=b).map(|t| progress(&f[t], &f[s], &f[e])).collect();
            while s > a && p[s - a] - p[s - 1 - a] > STILL_STEP {
                s -= 1;
            }
            while e < b && p[e + 1 - a] - p[e - a] > STILL_STEP {
                e += 1;
            }
            return Some((s, e));
        }
        half *= 2;
    }
}

/// Fits every model to the frames strictly between `s` and `e`; returns the type, the
/// progress curve and the relative error of the winner.
fn classify(
    f: &[FrameFeatures],
    s: usize,
    e: usize,
    lo: usize,
    hi: usize,
) -> Option<(&'static str, Vec<f32>, f32)> {
    let (a, b) = (&f[s].thumb(), &f[e].thumb());
    let norm: f32 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f32>();
    if norm < 1e-4 {
        return None;
    }
    let changed = (0..THUMB_CELLS)
        .filter(|&c| {
            (0..3)
                .map(|k| (a[c * 3 + k] - b[c * 3 + k]).abs())
                .sum::<f32>()
                > 0.12
        })
        .count() as f32
        / THUMB_CELLS as f32;
    if changed < MIN_CHANGED_SHARE {
        if debug() {
            eprintln!("  classify {s}-{e}: only {changed:.2} of the cells change");
        }
        return None;
    }
    // The window's frames decoded once: every model below reads all of them.
    let mids: Vec<Thumb> = f[s + 1..e].iter().map(FrameFeatures::thumb).collect();
    let mut cands: Vec<(&'static str, Vec<f32>, f32, Drift)> = Vec::new();
    // Dissolve and fades through black / white.
    let mut dis = (Vec::new(), 0.0);
    let mut dips = [(Vec::new(), 0.0, 1f32), (Vec::new(), 0.0, 1f32)];
    for g in &mids {
        let (al, err) = models::fit_dissolve(g, a, b);
        dis.0.push(al);
        dis.1 += err;
        for (slot, o) in dips.iter_mut().zip([0.0, 1.0]) {
            let (ca, cb, err) = models::fit_mix(g, a, b, o);
            slot.0.push(cb / (ca + cb).max(1e-3));
            slot.1 += err;
            slot.2 = slot.2.min(ca + cb);
        }
    }
    cands.push(("dissolve", dis.0, dis.1, Drift::Blend));
    for (slot, _) in dips.into_iter().zip(["black", "white"]) {
        if slot.2 < 0.6 {
            cands.push(("fade", slot.0, slot.1 * 1.1, Drift::Blend));
        }
    }
    type Model = fn(&[f32], &[f32], Dir, f32, &mut [f32]);
    // The axis each slide candidate (its index in `cands`) travels along.
    let mut slide_axes: Vec<(usize, usize)> = Vec::new();
    for (name, model) in [
        ("wipe", models::wipe as Model),
        ("slide", models::slide as Model),
    ] {
        for dir in DIRS {
            // Every frame of the window is matched against the same predictions.
            let preds = models::predictions(a, b, |a, b, p, o| model(a, b, dir, p, o));
            let mut curve = Vec::new();
            let mut err = 0.0;
            for g in &mids {
                let (p, e) = models::best_p(g, &preds);
                curve.push(p);
                err += e;
            }
            if name == "slide" {
                let axis = usize::from(matches!(dir, Dir::Up | Dir::Down));
                slide_axes.push((cands.len(), axis));
            }
            cands.push((name, curve, err * 1.15, Drift::Edge));
        }
    }
    // Any other wipe shape: a smooth map of per-cell switch frames, with a hard edge
    // (each cell switches within a frame) or a soft one (each cell blends over a ramp),
    // whichever fits better.
    let views: Vec<&[f32]> = mids.iter().map(|g| g.as_slice()).collect();
    let hard = models::fit_mask_wipe(&views, a, b);
    let soft = models::fit_soft_mask_wipe(&views, a, b);
    let (mw, how) = if soft.err < hard.err {
        (soft, Drift::Blend)
    } else {
        (hard, Drift::Free)
    };
    if mw.roughness <= MAX_ROUGHNESS {
        cands.push(("wipe", mw.progress, mw.err * MASK_PENALTY, how));
    }
    // Zoom into A while blending to B; progress = half zoom travel, half blend.
    // A magnified by each candidate zoom, computed once for the whole window.
    let zooms: Vec<(f32, Vec<f32>)> = (0..=15)
        .map(|zi| {
            let z = 1.0 + zi as f32 * 0.1;
            let mut zbuf = vec![0f32; a.len()];
            models::zoomed(a, z, &mut zbuf);
            (z, zbuf)
        })
        .collect();
    let mut zfit = Vec::new();
    let mut zerr = 0.0;
    for g in &mids {
        let mut best = (0f32, f32::INFINITY, 1f32);
        for (z, zbuf) in &zooms {
            let z = *z;
            let (al, err) = models::fit_dissolve(g, zbuf, b);
            if err < best.1 {
                best = (al, err, z);
            }
        }
        zfit.push((best.0, best.2));
        zerr += best.1;
    }
    let zmax = zfit.iter().map(|z| z.1).fold(1f32, f32::max);
    if zmax >= 1.2 {
        let curve = zfit
            .iter()
            .map(|(al, z)| 0.5 * (z - 1.0) / (zmax - 1.0) + 0.5 * al.clamp(0.0, 1.0))
            .collect();
        cands.push(("zoom", curve, zerr * 1.3, Drift::Free));
    }
    let scale = norm * mids.len().max(1) as f32;
    // The type is the model that fits best as measured.
    let best_i = (0..cands.len()).min_by(|&x, &y| cands[x].2.total_cmp(&cands[y].2))?;
    let kind = cands[best_i].0;
    // The models predict every frame from the two end frames, but both shots keep moving
    // while the transition runs: a frame `l` frames after `A` shows `A`'s content `l`
    // frames on. That part of the error is no evidence against the model; it is measured
    // on the shots themselves (see `content_drift`) and taken off before the error is
    // judged, when the window changes most of the picture and that change stands clear
    // of the shots' own change. Otherwise the window is more likely motion inside one
    // shot (an object leaving a still frame, a pan), which the drift would excuse.
    let moving_ok = changed >= MOVING_CHANGED_SHARE && shots_hold_still(f, s, e, lo, hi, norm);
    let rel_of = |c: &(&'static str, Vec<f32>, f32, Drift)| -> f32 {
        let drift = if moving_ok {
            content_drift(f, s, e, lo, hi, c.3)
        } else {
            0.0
        };
        ((c.2 - drift).max(0.0) / scale).sqrt()
    };
    // Accepted when some model of that type explains the frames once the shots' own
    // motion is allowed for.
    let rel_moving = cands
        .iter()
        .filter(|c| c.0 == kind)
        .map(rel_of)
        .fold(f32::INFINITY, f32::min);
    if debug() {
        let list: Vec<String> = cands
            .iter()
            .map(|c| format!("{}:{:.3}/{:.3}", c.0, (c.2 / scale).sqrt(), rel_of(c)))
            .collect();
        eprintln!(
            "  classify {s}-{e}: changed {changed:.2} moving_ok {moving_ok} best {kind} rel_moving {rel_moving:.3} [{}]",
            list.join(" ")
        );
    }
    // A blend replaces the whole picture, so most cells change clearly, even once the
    // camera's drift over the window is taken off. A small move of the picture (a crop
    // window sliding by a fraction of a cell) changes every textured cell a little: that
    // counts in `changed`, and lets a title fading over a part of the frame pass as a
    // dissolve of the whole. See [`clear_share`].
    if matches!(kind, "dissolve" | "fade") {
        let clear = clear_share(f, s, e);
        if clear < MIN_CHANGED_SHARE {
            if debug() {
                eprintln!(
                    "  classify {s}-{e}: {kind}, but only {clear:.2} of the cells change clearly"
                );
            }
            return None;
        }
    }
    // A slide's move starts on one held picture and stops on another; a pan over about
    // a frame's width fits the slide model as well (its end frames are the two sides of
    // the seam) but runs on past the window or into the segment's ends.
    if kind == "slide" {
        let axis = slide_axes.iter().find(|a| a.0 == best_i).map_or(0, |a| a.1);
        if !super::slide::move_starts_and_stops(f, s, e, lo, hi, axis) {
            if debug() {
                eprintln!("  classify {s}-{e}: slide, but the move runs on past its ends");
            }
            return None;
        }
    }
    let (_, curve, err, _) = cands.swap_remove(best_i);
    let rel = (err / scale).sqrt();
    // The slide model shifts whole thumbnail cells while both shots keep moving, so it
    // fits less tightly than the others.
    let bound = if kind == "slide" {
        MAX_REL_ERR_SLIDE
    } else {
        MAX_REL_ERR
    };
    // The allowance excuses the shots' own motion, not a model that misses the frames by
    // far: a push-in over a moving subject or a text box fading over a moving shot only
    // fits once most of its error is written off as drift.
    (rel_moving < bound && rel < MAX_EXCUSED * bound).then_some((kind, curve, rel))
}

/// Largest camera drift over a window, in cells each way, that [`clear_share`] takes off
/// (beyond it the first-order estimate means nothing and the frames are compared in place).
const MAX_DRIFT: f32 = 2.0;

/// Translation `(dx, dy)` in cells that carries thumbnail `a` onto `b` to first order
/// (`b(x) ≈ a(x + d)`): least squares of `b − a` on `a`'s spatial gradient, over the
/// inner cells and all three channels. Good for shifts well under a cell, as between
/// consecutive frames.
fn drift(a: &[f32], b: &[f32]) -> (f32, f32) {
    use super::frame::{THUMB_H, THUMB_W};
    let (mut sxx, mut sxy, mut syy, mut sx, mut sy) = (0f64, 0f64, 0f64, 0f64, 0f64);
    for cy in 1..THUMB_H - 1 {
        for cx in 1..THUMB_W - 1 {
            let i = (cy * THUMB_W + cx) * 3;
            for k in 0..3 {
                let gx = 0.5 * (a[i + 3 + k] - a[i - 3 + k]) as f64;
                let gy = 0.5 * (a[i + THUMB_W * 3 + k] - a[i - THUMB_W * 3 + k]) as f64;
                let d = (b[i + k] - a[i + k]) as f64;
                sxx += gx * gx;
                sxy += gx * gy;
                syy += gy * gy;
                sx += gx * d;
                sy += gy * d;
            }
        }
    }
    let det = sxx * syy - sxy * sxy;
    if det <= 1e-12 {
        return (0.0, 0.0);
    }
    (
        ((sx * syy - sy * sxy) / det) as f32,
        ((sy * sxx - sx * sxy) / det) as f32,
    )
}

/// Share of the cells whose colour changes clearly (squared RGB change ≥
/// [`RAMP_CELL_CHANGE`]) from `f[s]` to `f[e]` once the camera's drift over the window is
/// taken off: the frame-to-frame [`drift`]s summed over the window (a slow crop move or
/// pan of a fraction of a cell per frame), `f[s]` shifted by it (bilinear, over the cells
/// it still covers). A drift beyond [`MAX_DRIFT`] is not taken off.
fn clear_share(f: &[FrameFeatures], s: usize, e: usize) -> f32 {
    use super::frame::{THUMB_H, THUMB_W};
    let (mut dx, mut dy) = (0f32, 0f32);
    for t in s + 1..=e {
        let (x, y) = drift(&f[t - 1].thumb(), &f[t].thumb());
        dx += x;
        dy += y;
    }
    if dx.abs() > MAX_DRIFT || dy.abs() > MAX_DRIFT {
        (dx, dy) = (0.0, 0.0);
    }
    let (a, b) = (&f[s].thumb(), &f[e].thumb());
    let (mut clear, mut n) = (0usize, 0usize);
    for cy in 0..THUMB_H {
        for cx in 0..THUMB_W {
            let (sx, sy) = (cx as f32 + dx, cy as f32 + dy);
            if sx < 0.0 || sy < 0.0 || sx > (THUMB_W - 1) as f32 || sy > (THUMB_H - 1) as f32 {
                continue;
            }
            let (x0, y0) = (sx as usize, sy as usize);
            let (x1, y1) = ((x0 + 1).min(THUMB_W - 1), (y0 + 1).min(THUMB_H - 1));
            let (tx, ty) = (sx - x0 as f32, sy - y0 as f32);
            let c = (cy * THUMB_W + cx) * 3;
            let sq: f32 = (0..3)
                .map(|k| {
                    let g = |x: usize, y: usize| a[(y * THUMB_W + x) * 3 + k];
                    let top = g(x0, y0) + tx * (g(x1, y0) - g(x0, y0));
                    let bot = g(x0, y1) + tx * (g(x1, y1) - g(x0, y1));
                    let d = b[c + k] - (top + ty * (bot - top));
                    d * d
                })
                .sum();
            clear += (sq >= RAMP_CELL_CHANGE) as usize;
            n += 1;
        }
    }
    clear as f32 / n.max(1) as f32
}

/// True when the picture changes across `[s, e]` at least [`SELF_CHANGE`]⁻¹ times as much
/// as either shot changes by itself over the same length of time: `f[s]` against the
/// frame `e − s` before it, `f[e]` against the frame `e − s` after it (within
/// `[lo, hi]`). `norm` is the squared distance of `f[s]` and `f[e]`.
fn shots_hold_still(
    f: &[FrameFeatures],
    s: usize,
    e: usize,
    lo: usize,
    hi: usize,
    norm: f32,
) -> bool {
    let sq = |x: usize, y: usize| -> f32 {
        (0..THUMB_LEN)
            .map(|i| (f[x].thumb_at(i), f[y].thumb_at(i)))
            .map(|(p, q)| (p - q) * (p - q))
            .sum()
    };
    let l = e - s;
    let own = sq(s, s.saturating_sub(l).max(lo)).max(sq(e, (e + l).min(hi)));
    own < SELF_CHANGE * norm
}

/// Squared thumbnail error that the motion inside the two shots alone would leave on the
/// frames strictly between `s` and `e` if they were a perfect transition from `f[s]` to
/// `f[e]`: frame `t` is `A` moved on by `t − s` frames (weighted by the share of the way
/// still to go) and `B` moved back by `e − t` frames (weighted by the share done). Each
/// drift is read off the shot itself, `f[s]` against the frame the same lag before it and
/// `f[e]` against the frame the same lag after it, within `[lo, hi]`.
fn content_drift(f: &[FrameFeatures], s: usize, e: usize, lo: usize, hi: usize, how: Drift) -> f32 {
    if how == Drift::Free {
        return 0.0;
    }
    let sq = |x: &FrameFeatures, y: &FrameFeatures| -> f32 {
        (0..THUMB_LEN)
            .map(|i| (x.thumb_at(i), y.thumb_at(i)))
            .map(|(p, q)| (p - q) * (p - q))
            .sum()
    };
    let len = (e - s) as f32;
    (s + 1..e)
        .map(|t| {
            let mut w = (t - s) as f32 / len;
            let mut v = 1.0 - w;
            if how == Drift::Blend {
                (w, v) = (w * w, v * v);
            }
            let before = s.saturating_sub(t - s).max(lo);
            let after = (e + (e - t)).min(hi);
            v * sq(&f[s], &f[before]) + w * sq(&f[e], &f[after])
        })
        .sum()
}

/// What is left of `b` once `a` (warped) and both means are taken off, over `b`'s own
/// variance, from the sums per channel `[Σx, Σy, Σx², Σy², Σxy]` of `n` pairs (`x` from
/// `a`, `y` from `b`): 0 when `b` is `a` plus a constant, about 1 or more for unrelated
/// pictures. The measure of [`camera_explains`] and of the slide search's reframing check.
pub(crate) fn structure_residual(m: &[[f64; 5]; 3], n: usize) -> f32 {
    let nf = n as f64;
    let (mut res, mut var) = (0f64, 0f64);
    for c in m {
        let (ma, mb) = (c[0] / nf, c[1] / nf);
        let (va, vb, cab) = (
            c[2] - nf * ma * ma,
            c[3] - nf * mb * mb,
            c[4] - nf * ma * mb,
        );
        res += va + vb - 2.0 * cab;
        var += vb;
    }
    (res / var.max(1e-9)) as f32
}

/// True when `b` is (mostly) `a` moved: some translation or zoom of `a` matches `b`
/// far better than `a` in place. Such windows are camera moves, not transitions.
pub(crate) fn camera_explains(a: &[f32], b: &[f32]) -> bool {
    camera_warp(a, b).is_some()
}

/// The warp (zoom, dx, dy in thumbnail cells) of [`camera_explains`] when one explains
/// `b` from `a`.
///
/// The search measures each warp's mean squared error alone, its sum stopping once the
/// running mean reaches the best so far (the terms are not negative: the rounded sum
/// and its quotient never decrease, so such a warp would not be taken), and the
/// structure residual of the one warp kept at the end: the same warp and numbers as
/// measuring both in full for every warp (session 26, bit for bit).
pub(crate) fn camera_warp(a: &[f32], b: &[f32]) -> Option<(f32, i32, i32)> {
    use super::frame::{THUMB_H, THUMB_W};
    let (cxm, cym) = ((THUMB_W as f32 - 1.0) / 2.0, (THUMB_H as f32 - 1.0) / 2.0);
    // The source column (row) of each output column (row) at zoom `z`, before the shift.
    let cols_of = |z: f32| -> [i32; THUMB_W] {
        std::array::from_fn(|cx| (cxm + (cx as f32 - cxm) / z).round() as i32)
    };
    let rows_of = |z: f32| -> [i32; THUMB_H] {
        std::array::from_fn(|cy| (cym + (cy as f32 - cym) / z).round() as i32)
    };
    // The output cells in range: the sources grow with the index, so one run per axis.
    fn run(src: &[i32], d: i32, len: usize) -> (usize, usize) {
        let inside = |s: i32| s + d >= 0 && s + d < len as i32;
        let lo = src.iter().position(|&s| inside(s)).unwrap_or(src.len());
        let hi = lo + src[lo..].iter().take_while(|&&s| inside(s)).count();
        (lo, hi)
    }
    // Mean squared error over the overlap (infinite under half the cells), or the running
    // mean once it reaches `bound`.
    let err = |cols: &[i32; THUMB_W], rows: &[i32; THUMB_H], dx: i32, dy: i32, bound: f32| {
        let (x0, x1) = run(cols, dx, THUMB_W);
        let (y0, y1) = run(rows, dy, THUMB_H);
        let n = (x1 - x0) * (y1 - y0);
        if n * 2 < THUMB_W * THUMB_H {
            return f32::INFINITY;
        }
        let mut e = 0f32;
        for (cy, &ry) in (y0..y1).zip(&rows[y0..y1]) {
            let sy = (ry + dy) as usize;
            for (cx, &rx) in (x0..x1).zip(&cols[x0..x1]) {
                let sx = (rx + dx) as usize;
                let (ci, si) = (cy * THUMB_W + cx, sy * THUMB_W + sx);
                for k in 0..3 {
                    let d = b[ci * 3 + k] - a[si * 3 + k];
                    e += d * d;
                }
            }
            if e / n as f32 >= bound {
                return e / n as f32;
            }
        }
        e / n as f32
    };
    // The structure residual / variance of `b` of one warp (as [`structure_residual`]).
    let structure = |z: f32, dx: i32, dy: i32| -> f32 {
        let (cols, rows) = (cols_of(z), rows_of(z));
        let (x0, x1) = run(&cols, dx, THUMB_W);
        let (y0, y1) = run(&rows, dy, THUMB_H);
        let mut m = [[0f64; 5]; 3];
        for (cy, &ry) in (y0..y1).zip(&rows[y0..y1]) {
            let sy = (ry + dy) as usize;
            for (cx, &rx) in (x0..x1).zip(&cols[x0..x1]) {
                let sx = (rx + dx) as usize;
                let (ci, si) = (cy * THUMB_W + cx, sy * THUMB_W + sx);
                for k in 0..3 {
                    let (x, y) = (a[si * 3 + k] as f64, b[ci * 3 + k] as f64);
                    m[k][0] += x;
                    m[k][1] += y;
                    m[k][2] += x * x;
                    m[k][3] += y * y;
                    m[k][4] += x * y;
                }
            }
        }
        structure_residual(&m, (x1 - x0) * (y1 - y0))
    };
    let base = err(&cols_of(1.0), &rows_of(1.0), 0, 0, f32::INFINITY);
    let mut best = (f32::INFINITY, (1f32, 0i32, 0i32));
    for z in [0.8f32, 0.9, 1.0, 1.1, 1.25] {
        let (cols, rows) = (cols_of(z), rows_of(z));
        // Up to half the frame each way (the overlap check keeps half the cells).
        for dy in -(THUMB_H as i32 / 2)..=THUMB_H as i32 / 2 {
            for dx in -(THUMB_W as i32 / 2)..=THUMB_W as i32 / 2 {
                if z == 1.0 && dx == 0 && dy == 0 {
                    continue;
                }
                let e = err(&cols, &rows, dx, dy, best.0);
                if e < best.0 {
                    best = (e, (z, dx, dy));
                }
            }
        }
    }
    let st = if best.0.is_finite() {
        structure(best.1 .0, best.1 .1, best.1 .2)
    } else {
        0.0
    };
    if debug() {
        eprintln!(
            "  camera: best {:?} share {:.3} structure {:.3}",
            best.1,
            best.0 / base.max(1e-9),
            st
        );
    }
    (best.0 < CAMERA_SHARE * base && st < CAMERA_STRUCTURE).then_some(best.1)
}

/// Ends of a wipe or slide from its cells' own ramps (see [`ramp_span`]), over the
/// located span widened by `k` on each side: the edge's first and last crossings of a
/// cell, widened by half the time a cell takes to change. A soft edge (ffmpeg's smooth
/// and barn-door wipes) blends every cell over several frames on flat-ended ramps, so
/// the first and last frames of the span hardly change and the projection on `B − A`
/// locates a shorter span; a corner or centre wipe barely moves the projection while
/// the edge covers only a corner or a centre. Only ever widens the located span.
/// Returns (last frame of `A`, first frame of `B`).
fn wipe_span(
    f: &[FrameFeatures],
    s: usize,
    e: usize,
    k: usize,
    lo: usize,
    hi: usize,
    taken: &[bool],
) -> (usize, usize) {
    let mut a = s.saturating_sub(k).max(lo);
    while a < s && taken[a] {
        a += 1;
    }
    let mut b = (e + k).min(hi);
    while b > e && taken[b] {
        b -= 1;
    }
    let Some((x0, x1)) = ramp_span(f, a, b) else {
        return (s, e);
    };
    // The projection-located ends stay unless the cells say the wipe reaches further.
    let s2 = s.min(x0.round().max(0.0) as usize).max(a);
    let e2 = e.max(x1.round().max(0.0) as usize).min(b);
    (s2, e2)
}

/// Quantile of the cells' crossing frames (and `1 −` it) taken as the first and last
/// crossings of a shaped wipe's edge.
const RAMP_QUANTILE: f32 = 0.02;
/// Smallest squared RGB change of a cell (thumbnail units) for its ramp to be read.
const RAMP_CELL_CHANGE: f32 = 0.03;
/// Largest root mean square misfit of a cell's weight to its own ramp for the cell to
/// count.
const RAMP_MAX_MISFIT: f32 = 0.12;
/// Steepest slope of `smoothstep` (`3u² − 2u³`, at `u` = 0.5) over its mean slope.
const SMOOTH_PEAK_SLOPE: f32 = 1.5;

/// One cell's ramp towards `B`: its blend weight per frame from `f[a]`, the frame
/// (fractional, from `a`) where it crosses 0.5 and the weight's step across it (per frame).
struct CellRamp {
    weight: Vec<f32>,
    mid: f32,
    slope: f32,
}

impl CellRamp {
    /// Root mean square difference of the weight from the ramp through its crossing with
    /// its slope there, stretched to the [`SMOOTH_PEAK_SLOPE`] of a soft edge (0 before,
    /// 1 after): a cell whose own content moves wanders off it.
    fn misfit(&self) -> f32 {
        let sq: f32 = self
            .weight
            .iter()
            .enumerate()
            .map(|(t, w)| {
                let x = (t as f32 - self.mid) * self.slope / SMOOTH_PEAK_SLOPE;
                let ramp = (0.5 + x).clamp(0.0, 1.0);
                (w - ramp) * (w - ramp)
            })
            .sum();
        (sq / self.weight.len() as f32).sqrt()
    }
}

/// How each cell's weight moves from 0 to 1, judged on all cells pooled, each on the time
/// scale of its own slope at the crossing: a straight ramp against `smoothstep` (ffmpeg's
/// soft edges), whose peak slope is 1.5 times its mean. Returns the length of a ramp
/// times its slope at the crossing: 1 for a straight ramp, 1.5 for `smoothstep`.
fn ramp_shape(cells: &[CellRamp]) -> f32 {
    let (mut e_lin, mut e_smooth) = (0f32, 0f32);
    for c in cells {
        for (t, w) in c.weight.iter().enumerate() {
            // Time from the crossing in units of the straight ramp's length.
            let x = (t as f32 - c.mid) * c.slope;
            if x.abs() > 0.5 * SMOOTH_PEAK_SLOPE + 0.25 {
                continue;
            }
            let lin = (0.5 + x).clamp(0.0, 1.0);
            let u = (0.5 + x / SMOOTH_PEAK_SLOPE).clamp(0.0, 1.0);
            let smooth = u * u * (3.0 - 2.0 * u);
            let w = w.clamp(-0.5, 1.5);
            e_lin += (w - lin) * (w - lin);
            e_smooth += (w - smooth) * (w - smooth);
        }
    }
    if e_smooth < 0.8 * e_lin {
        SMOOTH_PEAK_SLOPE
    } else {
        1.0
    }
}

/// Start and end (fractional frame indices) of the change of the picture from `f[a]` to
/// `f[b]`, read from every clearly changing cell's own ramp (see [`wipe_span`]): the
/// first and last crossings of the edge, widened by half of the cells' (median) ramp on
/// either side. A cell's ramp is read from the weight's step across its crossing and the
/// ramps' shape: the shots' own motion shifts the weight slowly over the whole window,
/// but hardly changes that step.
fn ramp_span(f: &[FrameFeatures], a: usize, b: usize) -> Option<(f32, f32)> {
    if b < a + 3 {
        return None;
    }
    let (fa, fb) = (&f[a].thumb(), &f[b].thumb());
    let mids: Vec<Thumb> = f[a + 1..b].iter().map(FrameFeatures::thumb).collect();
    let views: Vec<&[f32]> = mids.iter().map(|g| g.as_slice()).collect();
    let mw = models::fit_mask_wipe(&views, fa, fb);
    let mut cells = Vec::new();
    for (c, tau) in mw.crossing.iter().enumerate() {
        let r = c * 3..c * 3 + 3;
        let (ca, cb) = (&fa[r.clone()], &fb[r.clone()]);
        let w: f32 = cb.iter().zip(ca).map(|(y, x)| (y - x) * (y - x)).sum();
        if tau.is_nan() || w < RAMP_CELL_CHANGE {
            continue;
        }
        let al: Vec<f32> = (a..=b)
            .map(|t| {
                let g: [f32; 3] = std::array::from_fn(|k| f[t].thumb_at(r.start + k));
                models::blend_weight(&g, ca, cb, w)
            })
            .collect();
        // The up-crossing of 0.5 nearest the model's switch frame.
        let Some(m) = (0..al.len() - 1)
            .filter(|&t| al[t] < 0.5 && al[t + 1] >= 0.5)
            .min_by(|&x, &y| (x as f32 - tau).abs().total_cmp(&(y as f32 - tau).abs()))
        else {
            continue;
        };
        let slope = (al[m + 1] - al[m]).min(1.0);
        let cell = CellRamp {
            mid: m as f32 + (0.5 - al[m]) / slope,
            slope,
            weight: al,
        };
        if cell.misfit() <= RAMP_MAX_MISFIT {
            cells.push(cell);
        }
    }
    if cells.len() < 10 {
        return None;
    }
    let shape = ramp_shape(&cells);
    let mut mids: Vec<f32> = cells.iter().map(|c| c.mid).collect();
    let mut lens: Vec<f32> = cells.iter().map(|c| shape / c.slope).collect();
    mids.sort_by(f32::total_cmp);
    lens.sort_by(f32::total_cmp);
    let q = |x: &[f32], p: f32| x[((x.len() - 1) as f32 * p).round() as usize];
    let half = 0.5 * q(&lens, 0.5);
    Some((
        a as f32 + q(&mids, RAMP_QUANTILE) - half,
        a as f32 + q(&mids, 1.0 - RAMP_QUANTILE) + half,
    ))
}

/// Where a linear progress curve reaches 0 and 1: the located ends stop where the
/// projection is already a little way in, the model's own progress tells how far.
fn extrapolate(
    curve: &[f32],
    s: usize,
    e: usize,
    k: usize,
    lo: usize,
    hi: usize,
    taken: &[bool],
) -> (usize, usize) {
    let pts: Vec<(f32, f32)> = curve
        .iter()
        .enumerate()
        .filter(|(_, p)| (0.1..=0.9).contains(*p))
        .map(|(i, p)| ((s + 1 + i) as f32, *p))
        .collect();
    if pts.len() < 3 || super::shots::easing_of(curve) != "linear" {
        return (s, e);
    }
    let n = pts.len() as f32;
    let (mx, my) = (
        pts.iter().map(|p| p.0).sum::<f32>() / n,
        pts.iter().map(|p| p.1).sum::<f32>() / n,
    );
    let sxy: f32 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f32 = pts.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    if sxx <= 0.0 || sxy <= 0.0 {
        return (s, e);
    }
    let slope = sxy / sxx;
    let t0 = mx - my / slope;
    let t1 = mx + (1.0 - my) / slope;
    let mut s2 = (t0.round().max(0.0) as usize).clamp(s.saturating_sub(k).max(lo), s);
    let mut e2 = (t1.round().max(0.0) as usize).clamp(e, (e + k).min(hi));
    while s2 < s && taken[s2] {
        s2 += 1;
    }
    while e2 > e && taken[e2] {
        e2 -= 1;
    }
    (s2, e2)
}

fn monotone_enough(p: &[f32]) -> bool {
    if p.len() < 2 {
        return true;
    }
    let back: f32 = p.windows(2).map(|w| (w[0] - w[1]).max(0.0)).sum();
    back < 0.35
}

/// Hard cuts that are the steepest step of a short gradual transition. A wipe or slide
/// of a few frames can change the picture between two frames enough to pass as a cut,
/// which then splits the transition: the part before the cut ends on the segment's last
/// frame, the part after starts on the cut. For each cut in `bounds` (`[0, cuts…, n]`)
/// with a transition of [`detect_in_segment`] running into it on either side, the span
/// from that transition's start (or the frame before the cut) to the other's end (or the
/// cut) is checked again as one transition, over both segments; when it passes (model,
/// camera and progress checks) it replaces the pieces and the cut is returned as absorbed.
pub fn bridge_cuts(f: &[FrameFeatures], bounds: &[usize], grads: &mut Vec<Gradual>) -> Vec<usize> {
    let mut absorbed = Vec::new();
    for w in bounds.windows(3) {
        let (lo, c, hi) = (w[0], w[1], w[2]);
        if c == 0 || hi <= c + 1 {
            continue;
        }
        let own = |g: &Gradual| !matches!(g.kind, "fade_in" | "fade_out");
        let before = grads.iter().position(|g| own(g) && g.end + 1 == c);
        let after = grads.iter().position(|g| own(g) && g.start == c);
        if before.is_none() && after.is_none() {
            continue;
        }
        let s = before.map_or(c - 1, |i| grads[i].start);
        let e = after.map_or(c, |i| grads[i].end);
        let Some((kind, curve, rel)) = classify(f, s, e, lo, hi - 1) else {
            continue;
        };
        let tight_blend = matches!(kind, "dissolve" | "fade") && rel < TIGHT_BLEND * MAX_REL_ERR;
        if (!tight_blend && camera_explains(&f[s].thumb(), &f[e].thumb()))
            || !monotone_enough(&curve)
        {
            continue;
        }
        if debug() {
            eprintln!("  cut {c} absorbed into {kind} {s}-{e} rel {rel:.3}");
        }
        let mut drop: Vec<usize> = before.into_iter().chain(after).collect();
        drop.sort_unstable();
        for i in drop.into_iter().rev() {
            grads.remove(i);
        }
        let bound = if kind == "slide" {
            MAX_REL_ERR_SLIDE
        } else {
            MAX_REL_ERR
        };
        let conf = (1.0 - rel / bound).clamp(0.05, 1.0);
        grads.push(Gradual::new(kind, s, e, curve, conf));
        absorbed.push(c);
    }
    absorbed
}

/// Net camera travel, as a share of the frame along either axis, above which a transition
/// joined through a sweep is a whip pan (see [`whip_through_sweep`]).
const WHIP_TRAVEL: f32 = 0.5;

/// Net camera translation over frames `s + 1..=e` as tracked frame to frame
/// ([`FrameFeatures::shift`], zero where the tracker could not match a pair), as a share
/// of the frame: the larger of the horizontal and the vertical share.
pub fn tracked_travel(f: &[FrameFeatures], s: usize, e: usize) -> f32 {
    use super::frame::{THUMB_H, THUMB_W};
    let (dx, dy) = f[s + 1..=e]
        .iter()
        .fold((0f32, 0f32), |(x, y), g| (x + g.shift[0], y + g.shift[1]));
    (dx.abs() / THUMB_W as f32).max(dy.abs() / THUMB_H as f32)
}

/// True when `g` took in a sweep ([`bridge_cuts`] absorbed a step of `sweeps`: the picture
/// kept changing on a side of it) while the camera travelled [`WHIP_TRAVEL`] of the frame
/// or more over `g`. A dissolve, wipe or zoom leaves both pictures in place (the camera's
/// own drift over the true ones of the benchmark clips with ground truth: at most 0.28 of
/// the frame, shaken and hand-held wipes included), so such a window is the camera
/// sweeping from one view to another: a whip pan out of a flat sky, which the model fits
/// and the camera check cannot tell from a wipe (the sky has no structure, and the whip's
/// end frames do not overlap). A slide moves both pictures by a whole frame and is not
/// judged here. Travel alone is no evidence (a card sliding off in an edited template,
/// read as a wipe, travels 0.86): only with the sweep (docs/BENCHMARKS.md, session 19).
pub fn whip_through_sweep(
    f: &[FrameFeatures],
    g: &Gradual,
    absorbed: &[usize],
    sweeps: &[usize],
) -> bool {
    if g.kind == "slide" || g.end <= g.start {
        return false;
    }
    let through = absorbed
        .iter()
        .any(|c| sweeps.contains(c) && g.start < *c && *c <= g.end);
    if !through {
        return false;
    }
    let travel = tracked_travel(f, g.start, g.end);
    if debug() {
        eprintln!(
            "  {} {}-{} through a sweep: camera travel {travel:.2} of the frame",
            g.kind, g.start, g.end
        );
    }
    travel >= WHIP_TRAVEL
}

/// Pairs of frames on each side of a transition that [`camera_runs_through`] reads.
const RUN_PAIRS: usize = 4;
/// Pairs next to each end that [`camera_runs_through`] skips: the located ends of a
/// transition can fall a couple of frames inside its move (a slide's first pairs already
/// move; see [`super::slide::move_starts_and_stops`]).
const RUN_SKIP: usize = 2;
/// Share of the transition's own tracked pace at which the camera beside it still travels
/// with it (see [`camera_runs_through`]).
const RUN_PACE: f32 = 0.5;

/// True when the camera travels [`WHIP_TRAVEL`] of the frame or more over `g` (tracked
/// frame to frame, [`tracked_travel`]) and was already travelling the same way before it
/// or goes on travelling after it: of the [`RUN_PAIRS`] pairs [`RUN_SKIP`] frames outside
/// one of its ends (not across a cut of `cuts`, nor past the clip's ends; at least two of
/// them), all but one move along the window's net travel at [`RUN_PACE`] of the window's
/// own pace or more. A transition runs between two held pictures; a camera move over
/// more than half a frame that starts before the window or ends after it is a pan or
/// tilt seen through a part of its course. When it travels more than a frame, the end
/// frames do not overlap, so [`camera_explains`] cannot match them, and over a hand-held
/// close-up (large flat feathers, a frame-rate conversion's repeated frames, shake
/// reversing the move for a pair) a wipe mask, the slide model or a fade through a dark
/// area revealed by the tilt fits the frames (docs/BENCHMARKS.md, session 21: 33 false
/// boundaries on the tilt set). [`whip_through_sweep`] catches the same move when a
/// sweep step bounded the search; this needs no sweep but the move seen beside the
/// window. A slide of the edit moves its pictures by a whole frame and the shaken and
/// hand-held wipes of the benchmarks drift at most 0.28 of the frame, both with the
/// pictures held beside them.
pub fn camera_runs_through(f: &[FrameFeatures], g: &Gradual, cuts: &[usize]) -> bool {
    use super::frame::{THUMB_H, THUMB_W};
    let (s, e) = (g.start, g.end);
    if e <= s + 1 || e >= f.len() || matches!(g.kind, "fade_in" | "fade_out") {
        return false;
    }
    if tracked_travel(f, s, e) < WHIP_TRAVEL {
        return false;
    }
    // The window's travel in frame shares (so both axes weigh alike) and its pace.
    let share = |t: usize| {
        [
            f[t].shift[0] / THUMB_W as f32,
            f[t].shift[1] / THUMB_H as f32,
        ]
    };
    let d = (s + 1..=e).fold([0f32; 2], |a, t| {
        let m = share(t);
        [a[0] + m[0], a[1] + m[1]]
    });
    let len = d[0].hypot(d[1]);
    if len <= 0.0 {
        return false;
    }
    let pace = len / (e - s) as f32;
    let along = |t: usize| {
        let m = share(t);
        (m[0] * d[0] + m[1] * d[1]) / len
    };
    // Pair `t` (frame `t − 1` to `t`) crosses a cut at `t`.
    let crosses = |t: usize| cuts.contains(&t);
    let runs = |pairs: Vec<usize>| {
        let n = pairs.len();
        let moving = pairs
            .into_iter()
            .filter(|&t| along(t) >= RUN_PACE * pace)
            .count();
        n >= 2 && moving + 1 >= n && moving >= 2
    };
    // Pairs walking away from each end, up to the first that crosses a cut; the
    // [`RUN_SKIP`] nearest are passed over.
    let mut before = Vec::new();
    for (i, t) in (1..=s).rev().enumerate().take(RUN_SKIP + RUN_PAIRS) {
        if crosses(t) {
            break;
        }
        if i >= RUN_SKIP {
            before.push(t);
        }
    }
    let mut after = Vec::new();
    for (i, t) in (e + 1..f.len()).enumerate().take(RUN_SKIP + RUN_PAIRS) {
        if crosses(t) {
            break;
        }
        if i >= RUN_SKIP {
            after.push(t);
        }
    }
    let (b, a) = (runs(before), runs(after));
    if debug() {
        eprintln!(
            "  {} {s}-{e}: camera travel {:.2} of the frame, runs on before {b}, after {a}",
            g.kind,
            tracked_travel(f, s, e)
        );
    }
    b || a
}

/// Tracked camera travel over a transition (share of the frame, [`tracked_travel`]) from
/// which [`camera_chain`] judges it link by link.
const CHAIN_TRAVEL: f32 = 0.3;
/// Largest tracked travel of one link of [`camera_chain`] (share of the frame): the links
/// keep most of their cells in view of each other, where [`camera_warp`]'s search (up to
/// half the frame) can match them.
const LINK_TRAVEL: f32 = 0.25;
/// Thumbnail change of a link under which it holds nothing for a warp to explain (a
/// frame-rate conversion's repeated frame, a held picture).
const LINK_STILL: f32 = 0.02;

/// True when `g` (other than a lone fade-in/out or a slide) is the camera moving over one
/// picture: the camera, tracked frame to frame, travels [`CHAIN_TRAVEL`] of the frame or
/// more over it, and the window splits into consecutive links, each as long as its own
/// tracked travel stays under [`LINK_TRAVEL`] (at least one pair), whose end frames a warp
/// of the thumbnail explains ([`camera_explains`]: the later frame is the earlier one
/// moved) or that hardly change ([`LINK_STILL`]). A dissolve, fade or wipe replaces one
/// picture with another: the link over which most of that change happens shows cells that
/// no warp of the earlier frame gives. When the camera starts, stops or speeds up inside
/// the window it travels further than the end-frame check of [`detect_in_segment`] can
/// match (their pictures no longer overlap), and a hand-held close-up's flat areas let a
/// wipe mask or a blend fit the frames; aligned link by link on the camera the picture
/// is one view moving (docs/BENCHMARKS.md, session 24). A slide moves both of its
/// pictures by the same shift, which every link's warp follows, so slides are judged by
/// their held ends instead ([`super::slide::move_starts_and_stops`]).
pub fn camera_chain(f: &[FrameFeatures], g: &Gradual) -> bool {
    let (s, e) = (g.start, g.end);
    if e <= s + 1 || e >= f.len() || matches!(g.kind, "fade_in" | "fade_out" | "slide") {
        return false;
    }
    let travel = tracked_travel(f, s, e);
    if travel < CHAIN_TRAVEL {
        return false;
    }
    let mut a = s;
    let mut links = Vec::new();
    while a < e {
        let mut b = a + 1;
        while b < e && tracked_travel(f, a, b + 1) < LINK_TRAVEL {
            b += 1;
        }
        let ok =
            thumb_dist(&f[a], &f[b]) < LINK_STILL || camera_explains(&f[a].thumb(), &f[b].thumb());
        links.push((a, b, ok));
        if !ok && !debug() {
            return false;
        }
        a = b;
    }
    let all = links.iter().all(|l| l.2);
    if debug() {
        let list: Vec<String> = links
            .iter()
            .map(|(a, b, ok)| format!("{a}-{b}:{}", if *ok { "moved" } else { "NEW" }))
            .collect();
        eprintln!(
            "  camera_chain {} {s}-{e}: travel {travel:.2}, links [{}] -> camera {all}",
            g.kind,
            list.join(" ")
        );
    }
    all
}

/// Largest step per frame, as a share of the transition's steepest step, at which the
/// picture next to an end counts as held (see [`held_ends`]).
const HELD_STEP: f32 = 0.25;

/// True unless `g` ends on a sweep: a transition runs between two held pictures, but an
/// end that the gradual search placed on a step that is no cut (`loose`: sweeps, which
/// bounded the search, and cuts absorbed by [`bridge_cuts`]) was never checked for that,
/// because a segment's bound excuses the projection from being flat beyond it. On such
/// a side (the transition starts on the step or the frame before it, or ends on the step
/// or the frame before it) the picture must be held within two frames of the end: two
/// consecutive steps below [`HELD_STEP`] times the steepest step inside `g`. A whip pan or
/// tilt read as a wipe or dissolve ends half-way through the sweep, where the picture
/// keeps changing as fast as inside; a slide or circle wipe whose first step is steep
/// enough to be a sweep has the old picture held right before that step.
pub fn held_ends(f: &[FrameFeatures], g: &Gradual, loose: &[usize]) -> bool {
    let step = |i: usize| -> f32 {
        if i == 0 || i >= f.len() {
            0.0
        } else {
            thumb_dist(&f[i - 1], &f[i])
        }
    };
    let (s, e) = (g.start, g.end);
    let steepest = (s + 1..=e).map(step).fold(0f32, f32::max);
    if steepest <= 0.0 {
        return true;
    }
    let held = |i: usize| step(i).max(step(i + 1)) < HELD_STEP * steepest;
    let at_start = loose.iter().any(|&c| c == s || c == s + 1);
    let at_end = loose.iter().any(|&c| c == e || c == e + 1);
    // Before `s`: steps into `s − j − 1` and `s − j` (j = 0..2); after `e`: steps into
    // `e + 1 + j` and `e + 2 + j`. The clip's own ends count as held.
    let before = !at_start || s < 3 || (0..3).any(|j| s >= j + 2 && held(s - j - 1));
    let after = !at_end || e + 3 >= f.len() || (0..3).any(|j| held(e + 1 + j));
    if debug() && (at_start || at_end) {
        // The held measure on each judged side: the smallest over the three offsets of the
        // larger of the two steps, over the steepest step inside.
        let side = |ix: &[usize]| {
            ix.iter()
                .map(|&i| step(i).max(step(i + 1)) / steepest)
                .fold(f32::INFINITY, f32::min)
        };
        let b: Vec<usize> = (0..3).filter(|&j| s >= j + 2).map(|j| s - j - 1).collect();
        let a: Vec<usize> = (0..3).map(|j| e + 1 + j).collect();
        eprintln!(
            "  held_ends {} {s}-{e}: start on a sweep {at_start} ({:.2}), end on a sweep {at_end} ({:.2})",
            g.kind,
            side(&b),
            side(&a)
        );
    }
    if debug() && !(before && after) {
        eprintln!(
            "  {} {s}-{e} dropped: ends on a sweep (held before {before}, after {after})",
            g.kind
        );
    }
    before && after
}

/// Detects gradual transitions inside `[lo, hi)` (a segment between hard cuts),
/// skipping frames already claimed in `taken`.
pub fn detect_in_segment(
    f: &[FrameFeatures],
    lo: usize,
    hi: usize,
    fps: f64,
    taken: &mut [bool],
) -> Vec<Gradual> {
    let k = ((0.4 * fps).round() as usize).max(2);
    if hi <= lo + 4 {
        return Vec::new();
    }
    let last = hi - 1;
    let long: Vec<f32> = (lo..hi)
        .map(|t| frame_dist(&f[t.saturating_sub(k).max(lo)], &f[(t + k).min(last)]))
        .collect();
    let mut peaks: Vec<usize> = (0..long.len())
        .filter(|&i| {
            long[i] >= MIN_LONG_CHANGE
                && (i.saturating_sub(k)..(i + k + 1).min(long.len())).all(|j| long[j] <= long[i])
        })
        .map(|i| lo + i)
        .collect();
    peaks.sort_by(|x, y| long[y - lo].total_cmp(&long[x - lo]));
    let mut out = Vec::new();
    for c in peaks {
        if taken[c] {
            continue;
        }
        let located = locate(f, c, lo, last, k);
        if debug() {
            eprintln!(
                "gradual peak {c} (segment {lo}-{hi}, long {:.3}): located {located:?}",
                long[c - lo]
            );
        }
        let Some((s, e)) = located else {
            continue;
        };
        if e < s + 2 || taken[s..=e].iter().any(|t| *t) {
            continue;
        }
        if f[s..=e].iter().any(|g| g.is_solid()) || thumb_dist(&f[s], &f[e]) < 0.04 {
            continue;
        }
        let Some((kind, curve, rel)) = classify(f, s, e, lo, last) else {
            continue;
        };
        // A camera move is not a blend of its end frames: when a dissolve or fade explains
        // the frames tightly, end frames that also match under a shift are two similar
        // shots, not a pan.
        let tight_blend = matches!(kind, "dissolve" | "fade") && rel < TIGHT_BLEND * MAX_REL_ERR;
        if !tight_blend && camera_explains(&f[s].thumb(), &f[e].thumb()) {
            if debug() {
                eprintln!("  {kind} {s}-{e} rejected: camera move");
            }
            continue;
        }
        if !monotone_enough(&curve) {
            if debug() {
                eprintln!("  {kind} {s}-{e} rejected: progress not monotone");
            }
            continue;
        }
        let (s, e) = if matches!(kind, "wipe" | "slide") {
            wipe_span(f, s, e, k, lo, last, taken)
        } else {
            extrapolate(&curve, s, e, k, lo, last, taken)
        };
        taken[s..=e].iter_mut().for_each(|t| *t = true);
        let bound = if kind == "slide" {
            MAX_REL_ERR_SLIDE
        } else {
            MAX_REL_ERR
        };
        let conf = (1.0 - rel / bound).clamp(0.05, 1.0);
        if debug() {
            eprintln!("  found {kind} {s}-{e} rel {rel:.3}");
        }
        out.push(Gradual::new(kind, s, e, curve, conf));
    }
    out
}

/// Largest camera shift, in thumbnail cells each way, over which [`shade_sweep`] aligns
/// the end frames of a wipe.
const SHADE_SHIFT: i32 = 3;
/// Smallest luma change of a cell (0..1) that [`shade_sweep`] counts as changed.
const SHADE_CELL_CHANGE: f32 = 0.05;
/// Smallest share of the changed cells whose luma moves the same way for a shadow or
/// light sweep (see [`shade_sweep`]).
const SHADE_SIGN: f32 = 0.95;
/// Smallest median local correlation of the two end frames over the changed cells for a
/// shadow or light sweep (see [`shade_sweep`]).
const SHADE_CORR: f32 = 0.45;
/// Luma variance of a 3×3 patch of cells under which it holds no structure to correlate.
const SHADE_FLAT: f32 = 1e-4;
/// Smallest share of the overlap that changes under [`shade_sweep`]'s alignment for a
/// shadow or light sweep: a wipe model takes the window only when most of the picture
/// changes, so a light it mistook covers much of the frame; a wipe between a picture and
/// its punch-in over a smooth picture (sky, grass) leaves 0.12–0.14 changed once
/// aligned, too few cells for the one-way share to mean anything.
const SHADE_SHARE: f32 = 0.3;

/// Luma (BT.709 weights on the encoded values) of each thumbnail cell.
fn cell_luma(t: &[f32]) -> Vec<f32> {
    t.chunks_exact(3)
        .map(|c| 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2])
        .collect()
}

/// How much of a wipe's change from `a` to `b` (its end frames' thumbnails) is a shadow or
/// a light sweeping over one picture: over the camera shifts up to [`SHADE_SHIFT`] cells,
/// the one whose changed cells (luma change [`SHADE_CELL_CHANGE`] or more, at least a
/// tenth of the overlap) best keep their structure: the median, over those cells, of the
/// correlation of the 3×3 luma patches around the cell in `a` and in `b` (mean and
/// contrast taken off, so a darkening or brightening of the patch keeps it at 1). Returns
/// that median and the share of the changed cells that move the majority way (darker or
/// brighter) and the share of the overlap that changes, or `None` when no shift leaves
/// enough changed, textured cells to judge.
/// A wipe puts another picture on the far side of its edge: its patches correlate
/// little with the old ones (at most 0.31 on the synthetic xfade wipes and slides).
fn shade_sweep(a: &[f32], b: &[f32]) -> Option<(f32, f32, f32)> {
    use super::frame::{THUMB_H, THUMB_W};
    let (la, lb) = (cell_luma(a), cell_luma(b));
    let (w, h) = (THUMB_W as i32, THUMB_H as i32);
    let mut best: Option<(f32, f32, f32)> = None;
    for dy in -SHADE_SHIFT..=SHADE_SHIFT {
        for dx in -SHADE_SHIFT..=SHADE_SHIFT {
            // Cell (x, y) of `b` against cell (x + dx, y + dy) of `a`, over the overlap.
            let (x0, x1) = ((-dx).max(0), (w - dx).min(w));
            let (y0, y1) = ((-dy).max(0), (h - dy).min(h));
            let at = |x: i32, y: i32| (y * w + x) as usize;
            let delta = |x: i32, y: i32| lb[at(x, y)] - la[at(x + dx, y + dy)];
            let (mut changed, mut up, mut cells) = (0usize, 0usize, 0usize);
            let mut corr = Vec::new();
            for y in y0..y1 {
                for x in x0..x1 {
                    cells += 1;
                    let d = delta(x, y);
                    if d.abs() <= SHADE_CELL_CHANGE {
                        continue;
                    }
                    changed += 1;
                    up += usize::from(d > 0.0);
                    if x == x0 || y == y0 || x + 1 == x1 || y + 1 == y1 {
                        continue;
                    }
                    let pa: Vec<f32> = (-1..=1)
                        .flat_map(|j| (-1..=1).map(move |i| (i, j)))
                        .map(|(i, j)| la[at(x + dx + i, y + dy + j)])
                        .collect();
                    let pb: Vec<f32> = (-1..=1)
                        .flat_map(|j| (-1..=1).map(move |i| (i, j)))
                        .map(|(i, j)| lb[at(x + i, y + j)])
                        .collect();
                    let (ma, mb) = (pa.iter().sum::<f32>() / 9.0, pb.iter().sum::<f32>() / 9.0);
                    let (mut va, mut vb, mut cab) = (0f32, 0f32, 0f32);
                    for (p, q) in pa.iter().zip(&pb) {
                        va += (p - ma) * (p - ma);
                        vb += (q - mb) * (q - mb);
                        cab += (p - ma) * (q - mb);
                    }
                    if va < 9.0 * SHADE_FLAT || vb < 9.0 * SHADE_FLAT {
                        continue;
                    }
                    corr.push(cab / (va * vb).sqrt());
                }
            }
            if changed * 10 < cells || corr.len() <= 10 {
                continue;
            }
            corr.sort_by(f32::total_cmp);
            let med = corr[corr.len() / 2];
            let sign = up.max(changed - up) as f32 / changed as f32;
            if best.is_none_or(|b| med > b.0) {
                best = Some((med, sign, changed as f32 / cells as f32));
            }
        }
    }
    best
}

/// True when `g` is a wipe whose end frames are one picture under another light: a shadow
/// or a light sweeping across a still or slowly moving shot changes the cells it passes
/// ([`SHADE_SHARE`] of the picture or more once aligned)
/// all the same way (darker, or brighter: [`SHADE_SIGN`] of them) and keeps their
/// structure (the paper's lines, a texture: [`shade_sweep`]'s correlation
/// [`SHADE_CORR`] or more), where a wipe replaces them with another picture. The model
/// fits and the edge search see a moving edge with a changed picture behind it; a shaped
/// wipe fits it and the camera check, which matches raw colours, finds no warp (the
/// `issue-195` close-up at source 16.8–18.6 s in the 9:16 crop of `bench/qa_sweep.py`'s
/// `asp-T-rot`: docs/BENCHMARKS.md, session 29).
pub fn shade_not_wipe(f: &[FrameFeatures], g: &Gradual) -> bool {
    if g.kind != "wipe" || g.end >= f.len() || g.end <= g.start {
        return false;
    }
    let Some((corr, sign, share)) = shade_sweep(&f[g.start].thumb(), &f[g.end].thumb()) else {
        return false;
    };
    let shade = sign >= SHADE_SIGN && corr >= SHADE_CORR && share >= SHADE_SHARE;
    if debug() {
        eprintln!(
            "  wipe {}-{}: shade check: correlation {corr:.3}, one way {sign:.2}, changed {share:.2} -> {}",
            g.start,
            g.end,
            if shade { "light change, dropped" } else { "kept" }
        );
    }
    shade
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`camera_warp`] as it was before session 26: both measures of every warp in full.
    #[allow(clippy::type_complexity)]
    fn camera_warp_reference(a: &[f32], b: &[f32]) -> Option<(f32, i32, i32)> {
        use crate::video::frame::{THUMB_H, THUMB_W};
        // (mean squared error, structure residual / variance of `b`) over the overlap.
        let err = |z: f32, dx: i32, dy: i32| -> (f32, f32) {
            let (cxm, cym) = ((THUMB_W as f32 - 1.0) / 2.0, (THUMB_H as f32 - 1.0) / 2.0);
            let (mut e, mut n) = (0f32, 0usize);
            let mut m = [[0f64; 5]; 3];
            for cy in 0..THUMB_H {
                for cx in 0..THUMB_W {
                    let sx = (cxm + (cx as f32 - cxm) / z).round() as i32 + dx;
                    let sy = (cym + (cy as f32 - cym) / z).round() as i32 + dy;
                    if sx < 0 || sy < 0 || sx >= THUMB_W as i32 || sy >= THUMB_H as i32 {
                        continue;
                    }
                    let (ci, si) = (cy * THUMB_W + cx, sy as usize * THUMB_W + sx as usize);
                    for k in 0..3 {
                        let (x, y) = (a[si * 3 + k], b[ci * 3 + k]);
                        let d = y - x;
                        e += d * d;
                        let (x, y) = (x as f64, y as f64);
                        m[k][0] += x;
                        m[k][1] += y;
                        m[k][2] += x * x;
                        m[k][3] += y * y;
                        m[k][4] += x * y;
                    }
                    n += 1;
                }
            }
            if n * 2 < THUMB_W * THUMB_H {
                (f32::INFINITY, f32::INFINITY)
            } else {
                (e / n as f32, structure_residual(&m, n))
            }
        };
        let base = err(1.0, 0, 0).0;
        let mut best = (f32::INFINITY, 0f32, (1f32, 0i32, 0i32));
        for z in [0.8f32, 0.9, 1.0, 1.1, 1.25] {
            // Up to half the frame each way (the overlap check keeps half the cells).
            for dy in -(THUMB_H as i32 / 2)..=THUMB_H as i32 / 2 {
                for dx in -(THUMB_W as i32 / 2)..=THUMB_W as i32 / 2 {
                    if z == 1.0 && dx == 0 && dy == 0 {
                        continue;
                    }
                    let (e, st) = err(z, dx, dy);
                    if e < best.0 {
                        best = (e, st, (z, dx, dy));
                    }
                }
            }
        }
        (best.0 < CAMERA_SHARE * base && best.1 < CAMERA_STRUCTURE).then_some(best.2)
    }

    /// A thumbnail of a smooth picture plus seeded noise, seen at `zoom` about the centre
    /// moved by (`ox`, `oy`) (shares of the frame).
    fn warped_thumb(seed: u64, noise: f32, zoom: f32, ox: f32, oy: f32) -> Vec<f32> {
        use crate::video::frame::{THUMB_H, THUMB_W};
        let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        let mut t = Vec::with_capacity(THUMB_W * THUMB_H * 3);
        for cy in 0..THUMB_H {
            for cx in 0..THUMB_W {
                let u = 0.5 + ox + ((cx as f32 + 0.5) / THUMB_W as f32 - 0.5) / zoom;
                let v = 0.5 + oy + ((cy as f32 + 0.5) / THUMB_H as f32 - 0.5) / zoom;
                for k in 0..3 {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let r = (x >> 40) as f32 / (1u64 << 24) as f32;
                    let c = 0.5
                        + 0.3 * ((7.0 + k as f32) * u).sin() * ((5.0 + 2.0 * k as f32) * v).cos();
                    t.push((1.0 - noise) * c + noise * r);
                }
            }
        }
        t
    }

    #[test]
    fn the_bounded_camera_search_is_the_full_one() {
        let mut found = 0;
        let mut pairs = 0;
        for (seed, noise) in [(1u64, 0.0f32), (2, 0.05), (3, 0.3), (4, 1.0)] {
            let views = [
                warped_thumb(seed, noise, 1.0, 0.0, 0.0),
                warped_thumb(seed + 10, noise, 1.0, 0.12, -0.05),
                warped_thumb(seed + 20, noise, 1.1, 0.03, 0.0),
                warped_thumb(seed + 30, noise, 0.9, -0.2, 0.1),
                warped_thumb(seed + 40, noise, 1.25, 0.0, 0.2),
                warped_thumb(seed + 50, noise, 1.0, 0.4, 0.0),
            ];
            for a in &views {
                for b in &views {
                    let want = camera_warp_reference(a, b);
                    assert_eq!(camera_warp(a, b), want, "seed {seed} noise {noise}");
                    found += usize::from(want.is_some());
                    pairs += 1;
                }
            }
        }
        assert!(
            found > 10 && found < pairs,
            "{found} of {pairs} pairs explained"
        );
    }

    const W: usize = 64;
    const H: usize = 36;

    /// A picture whose content keeps changing: a sine pattern (`seed`) plus a wave of
    /// amplitude `amp` whose phase varies over the picture and advances `w` rad per
    /// frame (no global shift, no linear blend over time).
    fn moving(seed: f32, t: f32, amp: f32, w: f32) -> Vec<u8> {
        (0..W * H)
            .flat_map(|i| {
                let (x, y) = ((i % W) as f32, (i / W) as f32);
                let base = 128.0 + 70.0 * (x * 0.19 * seed + y * 0.31 + seed).sin();
                let phase = 3.0 * (x * 0.13 * seed).sin() + 2.0 * (y * 0.29).cos();
                let v = (base + amp * (w * t + phase).sin()).clamp(0.0, 255.0);
                [v as u8, (255.0 - v) as u8, (0.5 * v + 60.0) as u8]
            })
            .collect()
    }

    fn features(n: usize, rgb: &[u8]) -> FrameFeatures {
        FrameFeatures::from_rgb(n as f64 / 25.0, W, H, rgb)
    }

    /// Shot `A` (seed 1), from `start` for `len` frames a top-to-bottom wipe to shot `B`
    /// (seed 2), then `B`; both shots keep moving throughout.
    fn wipe_clip(start: usize, len: usize, total: usize) -> Vec<FrameFeatures> {
        (0..total)
            .map(|n| {
                let t = n as f32;
                let (a, b) = (moving(1.0, t, 40.0, 0.1), moving(2.0, t, 40.0, 0.1));
                let edge = ((t - start as f32) / len as f32 * H as f32).clamp(0.0, H as f32);
                let rgb: Vec<u8> = (0..W * H * 3)
                    .map(|i| {
                        if (((i / 3) / W) as f32) < edge {
                            b[i]
                        } else {
                            a[i]
                        }
                    })
                    .collect();
                features(n, &rgb)
            })
            .collect()
    }

    /// A wipe between two shots that keep moving: predicted from its end frames alone
    /// it misses the error bound, the shots' own measured drift accounts for the rest.
    #[test]
    fn a_wipe_between_moving_shots_is_found() {
        let (s, e) = (40usize, 58usize);
        let f = wipe_clip(s, e - s, 100);
        let (kind, _, rel) = classify(&f, s, e, 0, f.len() - 1).expect("classified");
        assert_eq!(kind, "wipe");
        assert!(rel > MAX_REL_ERR, "the raw fit alone passes ({rel})");
        let mut taken = vec![false; f.len()];
        let found = detect_in_segment(&f, 0, f.len(), 25.0, &mut taken);
        assert!(
            found.iter().any(|g| g.kind == "wipe"
                && g.start <= s + 2
                && g.start + 2 >= s
                && g.end + 2 >= e),
            "{found:?}"
        );
    }

    /// A soft-edged wipe from the top (ffmpeg's smooth wipes): row `y` takes `B` with the
    /// weight `smoothstep(g + 2u − 1)`, `g` = 1 at the top and 0 at the bottom, `u` the
    /// share of the nominal span done. The top rows start and the bottom rows finish on
    /// such flat ramp ends that the first and last frames of the span hardly change.
    fn soft_wipe_clip(start: usize, len: usize, total: usize) -> Vec<FrameFeatures> {
        (0..total)
            .map(|n| {
                let t = n as f32;
                let (a, b) = (moving(1.0, t, 10.0, 0.1), moving(2.0, t, 10.0, 0.1));
                let u = ((t - start as f32) / len as f32).clamp(0.0, 1.0);
                let rgb: Vec<u8> = (0..W * H * 3)
                    .map(|i| {
                        let g = 1.0 - ((i / 3) / W) as f32 / (H - 1) as f32;
                        let x = (g + 2.0 * u - 1.0).clamp(0.0, 1.0);
                        let wb = x * x * (3.0 - 2.0 * x);
                        (a[i] as f32 + wb * (b[i] as f32 - a[i] as f32)).round() as u8
                    })
                    .collect();
                features(n, &rgb)
            })
            .collect()
    }

    /// The duration of a soft-edged wipe is its nominal span, read from the cells' own
    /// ramps, though its first and last frames look unchanged: the projection alone
    /// locates a span several frames shorter.
    #[test]
    fn a_soft_wipe_spans_its_unchanged_end_frames() {
        let (s, len) = (40usize, 20usize);
        let f = soft_wipe_clip(s, len, 100);
        let k = 10;
        let (ls, le) = locate(&f, s + len / 2, 0, f.len() - 1, k).expect("located");
        assert!(
            le - ls + 3 <= len,
            "the projection already spans it: {ls}-{le}"
        );
        let mut taken = vec![false; f.len()];
        let found = detect_in_segment(&f, 0, f.len(), 25.0, &mut taken);
        let w = found.iter().find(|g| g.kind == "wipe").expect("{found:?}");
        assert!(w.start.abs_diff(s) <= 1, "{w:?}");
        assert!((w.end - w.start).abs_diff(len) <= 1, "{w:?}");
    }

    /// The same motion inside one shot, without a transition: the change across any
    /// window is no larger than the shot's own change, so no drift is allowed for and
    /// nothing is reported.
    #[test]
    fn a_moving_shot_alone_is_no_transition() {
        let f: Vec<FrameFeatures> = (0..100)
            .map(|n| features(n, &moving(1.0, n as f32, 40.0, 0.1)))
            .collect();
        let mut taken = vec![false; f.len()];
        let found = detect_in_segment(&f, 0, f.len(), 25.0, &mut taken);
        assert!(found.is_empty(), "{found:?}");
    }

    fn g(kind: &'static str, start: usize, end: usize) -> Gradual {
        Gradual::new(kind, start, end, Vec::new(), 0.5)
    }

    /// A short wipe split by a "cut" on its steepest step: the pieces either side become
    /// one wipe and the cut is absorbed. A wipe that really ends on a cut to a third
    /// picture keeps its cut.
    #[test]
    fn bridge_cuts_joins_a_wipe_split_by_a_cut() {
        let (s, e, c) = (40usize, 49usize, 45usize);
        let f = wipe_clip(s, e - s, 100);
        let mut grads = vec![g("wipe", s, c - 1), g("wipe", c, e)];
        let absorbed = bridge_cuts(&f, &[0, c, f.len()], &mut grads);
        assert_eq!(absorbed, vec![c]);
        assert_eq!(grads.len(), 1, "{grads:?}");
        assert_eq!(
            (grads[0].kind, grads[0].start, grads[0].end),
            ("wipe", s, e)
        );

        // The same wipe, then a hard cut to a third shot right after it ends.
        let mut f = wipe_clip(s, e - s, 100);
        for (n, fr) in f.iter_mut().enumerate().skip(e + 1) {
            *fr = features(n, &moving(3.7, n as f32, 40.0, 0.1));
        }
        let mut grads = vec![g("wipe", s, e)];
        let absorbed = bridge_cuts(&f, &[0, e + 1, f.len()], &mut grads);
        assert!(absorbed.is_empty(), "{grads:?}");
        assert_eq!(grads, vec![g("wipe", s, e)]);
    }

    /// A textured picture seen through a window `dx` pixels to the right.
    fn panned(dx: f32) -> Vec<u8> {
        (0..W * H)
            .flat_map(|i| {
                let (x, y) = ((i % W) as f32 + dx, (i / W) as f32);
                let v = 128.0 + 90.0 * (x * 0.23).sin() * (y * 0.31 + 0.02 * x).cos();
                [v as u8, (255.0 - v) as u8, (0.5 * v + 60.0) as u8]
            })
            .collect()
    }

    /// A whip pan: held until frame 40, then the view sweeps 5 pixels a frame until 60,
    /// then held. A "transition" that ends on a sweep step half-way through (44) is
    /// dropped; the same span ending on a real cut, or a span over the whole sweep, is
    /// not judged by this rule; a span from the held picture to the held picture passes.
    #[test]
    fn held_ends_drops_a_transition_ending_mid_sweep() {
        let f: Vec<FrameFeatures> = (0..100)
            .map(|n| {
                let dx = 5.0 * (n.clamp(40, 60) - 40) as f32;
                features(n, &panned(dx))
            })
            .collect();
        let mid = g("wipe", 34, 44);
        assert!(
            !held_ends(&f, &mid, &[44]),
            "ends mid-sweep on a sweep step"
        );
        assert!(
            !held_ends(&f, &mid, &[45]),
            "ends on the frame before the step"
        );
        assert!(held_ends(&f, &mid, &[]), "no sweep next to it: not judged");
        assert!(
            !held_ends(&f, &g("wipe", 50, 62), &[50]),
            "starts mid-sweep"
        );
        assert!(
            held_ends(&f, &g("wipe", 39, 61), &[40]),
            "held before and after"
        );
    }

    /// Thumbnail of a scene seen through a window at (`ox`, `oy`) cells: bright sky
    /// above the horizon at scene row 7, dark textured foliage below it.
    fn scene(ox: i32, oy: i32) -> Vec<f32> {
        use crate::video::frame::{THUMB_H, THUMB_W};
        (0..THUMB_H * THUMB_W)
            .flat_map(|i| {
                let (x, y) = ((i % THUMB_W) as i32 + ox, (i / THUMB_W) as i32 + oy);
                if y < 7 {
                    let v = 0.85 + 0.05 * (x as f32 * 0.3).sin();
                    [v, 0.75, 0.8]
                } else {
                    let t = 0.12 * ((x as f32 * 1.7).sin() * (y as f32 * 1.3).cos());
                    [0.2 + t, 0.35 + t, 0.15 + 0.5 * t]
                }
            })
            .collect()
    }

    /// A slide into a nearly flat dark picture (a tyre's tread at thumbnail size) is no
    /// camera move, although a shift of the old picture onto its dark foliage matches
    /// the new one's mean far better than the old picture in place; a real pan or tilt
    /// over the same scene still is one.
    #[test]
    fn camera_check_needs_the_structure_of_b() {
        use crate::video::frame::{THUMB_H, THUMB_W};
        let a = scene(0, 0);
        let flat: Vec<f32> = (0..THUMB_H * THUMB_W)
            .flat_map(|i| {
                let (x, y) = ((i % THUMB_W) as f32, (i / THUMB_W) as f32);
                let v = 0.22 + 0.01 * ((x + y) * 0.9).sin();
                [v, v, v * 0.95]
            })
            .collect();
        assert!(!camera_explains(&a, &flat), "a slide into a flat picture");
        assert!(camera_explains(&a, &scene(6, 0)), "a pan");
        assert!(camera_explains(&a, &scene(0, 4)), "a tilt");
    }

    /// A textured picture seen through a crop window `(ox, oy)` pixels off, with a bright
    /// striped title block over its upper third at opacity `title`.
    fn titled(ox: f32, oy: f32, title: f32) -> Vec<u8> {
        (0..W * H)
            .flat_map(|i| {
                let (x, y) = ((i % W) as f32, (i / W) as f32);
                let (sx, sy) = (x + ox, y + oy);
                let v = 120.0
                    + 50.0
                        * (sx * 0.9 + 2.0 * (sy * 0.13).sin()).sin()
                        * (sy * 0.7 + 0.05 * sx).cos()
                    + 35.0 * (sx * 0.31 - sy * 0.43 + 1.5 * (sx * 0.07).cos()).sin()
                    + 20.0 * (sx * 0.053 * sy).sin();
                let mut px = [v, 0.8 * v + 30.0, 200.0 - 0.5 * v];
                if (4.0..16.0).contains(&y) && (6.0..58.0).contains(&x) {
                    let t = if (x * 1.3).sin() > -0.2 { 245.0 } else { 200.0 };
                    px = px.map(|c| c + title * (t - c));
                }
                px.map(|c| c.clamp(0.0, 255.0) as u8)
            })
            .collect()
    }

    /// A title fading out over a shot whose crop window holds still and then, over the
    /// fade's last `moving` frames, moves by (`dx`, `dy`) pixels (the reframing of a
    /// punch-in); the clip ends with the move.
    fn fading_title(moving: usize, dx: f32, dy: f32) -> Vec<FrameFeatures> {
        let (hold, fade) = (40usize, 34usize);
        (0..hold + fade + 1)
            .map(|n| {
                let u = (n.saturating_sub(hold) as f32 / fade as f32).min(1.0);
                let m = (n as f32 - (hold + fade - moving) as f32).clamp(0.0, moving as f32)
                    / moving as f32;
                features(n, &titled(m * dx, m * dy, 1.0 - u))
            })
            .collect()
    }

    /// A dissolve between two shots that keep moving is still read as one, over its span.
    #[test]
    fn a_dissolve_between_two_shots_is_a_dissolve() {
        let (s, len) = (40usize, 24usize);
        let f: Vec<FrameFeatures> = (0..100)
            .map(|n| {
                let t = n as f32;
                let (a, b) = (moving(1.0, t, 10.0, 0.1), moving(2.0, t, 10.0, 0.1));
                let u = ((t - s as f32) / len as f32).clamp(0.0, 1.0);
                let rgb: Vec<u8> = a
                    .iter()
                    .zip(&b)
                    .map(|(x, y)| (*x as f32 + u * (*y as f32 - *x as f32)).round() as u8)
                    .collect();
                features(n, &rgb)
            })
            .collect();
        let mut taken = vec![false; f.len()];
        let found = detect_in_segment(&f, 0, f.len(), 25.0, &mut taken);
        assert_eq!(found.len(), 1, "{found:?}");
        let g = &found[0];
        assert_eq!(g.kind, "dissolve", "{g:?}");
        assert!(
            g.start.abs_diff(s) <= 1 && g.end.abs_diff(s + len) <= 1,
            "{g:?}"
        );
    }

    /// A title fading out while the crop window slowly moves is no dissolve: the move
    /// changes the textured picture a little everywhere (so most cells "change"), but only
    /// the title's cells change clearly, as with the window held still.
    #[test]
    fn a_title_fading_over_a_moving_crop_is_no_dissolve() {
        for (dx, dy) in [(0.0, 0.0), (1.4, 1.2)] {
            let f = fading_title(12, dx, dy);
            let mut taken = vec![false; f.len()];
            let found = detect_in_segment(&f, 0, f.len(), 24.0, &mut taken);
            assert!(found.is_empty(), "move ({dx}, {dy}): {found:?}");
        }
    }
}
