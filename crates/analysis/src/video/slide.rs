//! Slides between two framings of one picture (a plain shot and its punch-in), which
//! neither the model fits of [`super::gradual`] nor the moving-edge search of
//! [`super::edge`] can read.
//!
//! A slide is a pan over a strip made of the old picture `A` and the new one `B` side by
//! side: from one frame to the next the whole picture (both sides and the seam between
//! them) moves by the same amount along one axis, and over the slide it moves by exactly
//! one frame (the width for a left or right slide, the height for an up or down one).
//! Between two framings, the model fits find end frames that a small camera move
//! explains and reject the window as a camera move ([`super::gradual`]); the edge search
//! finds no edge because both sides move (or, over flat pictures, types it a wipe).
//!
//! Here the picture's translation between consecutive frames is measured on the
//! thumbnail's column and row profiles (the mean of each column and row), and a slide is a
//! run of frames moving the same way at [`MIN_SPEED`] or more, that adds up to one frame
//! along its axis (within [`TRAVEL_TOLERANCE`]), whose frames a translation explains
//! ([`MAX_MOVED_RESIDUAL`]), and whose end frames are one picture reframed
//! ([`reframed`], a zoom and a small shift): a camera that pans by a whole frame does not
//! come back to nearly the picture it started from, so a run that does is an edit.

use super::frame::{hist_dist, FrameFeatures, Thumb, THUMB_H, THUMB_W};
use super::gradual::{debug, structure_residual};
use super::Gradual;

/// Slowest move (thumbnail cells a frame, a cell being 1/32 of the width or 1/18 of the
/// height) counted as part of a slide: a slide over a whole frame in at most
/// [`MAX_SPAN_S`] (about 0.5 cells a frame across, 0.3 down at 25 fps, for the longest)
/// moves faster than a hand-held camera's usual jitter (0.3 cells a frame on average in
/// the shaken test set), but slower ones are not looked for.
const MIN_SPEED: f32 = 0.5;
/// Longest slide looked for, seconds.
const MAX_SPAN_S: f64 = 2.5;
/// Fewest frames a slide runs (pairs of consecutive frames that move).
const MIN_PAIRS: usize = 4;
/// Fastest move measured, as a share of the frame along the axis: a slide over at least
/// [`MIN_PAIRS`] frames moves at most a quarter of the frame a frame; a little more for
/// the shake on top.
const MAX_STEP: f32 = 0.3;
/// Resolution of the translation search, cells.
const STEP: f32 = 0.125;
/// The run's summed move may differ from one frame by this share (a shaking camera adds
/// its own path, up to a couple of cells, on top of the slide's travel).
const TRAVEL_TOLERANCE: f32 = 0.2;
/// Largest share of the frame-to-frame change, summed over the run, that the measured
/// translations leave unexplained: a slide (a pan over the two pictures) is a translation
/// from one frame to the next; a cut, a dissolve or objects moving in a still shot are not.
const MAX_MOVED_RESIDUAL: f32 = 0.5;

/// Largest [`reframed`] residual of the end frames for the run to be a slide between two
/// framings of one picture rather than a pan over one frame's width.
const MAX_REFRAMED: f32 = 0.6;

/// Pairs at the ends of a run slower than this share of its median pace are trimmed.
const TRIM: f32 = 0.5;
/// A move near the run's pace replaces one far from it when it leaves at most this
/// multiple of the residual.
const NEAR_PACE: f32 = 1.25;
/// Pairs on each side of a run whose median move is the camera's own.
const BESIDE: usize = 5;

/// Mean of each column (`columns`) or row of a thumbnail, three channels per line.
fn profile(t: &Thumb, columns: bool) -> Vec<f32> {
    let (lines, len) = if columns {
        (THUMB_W, THUMB_H)
    } else {
        (THUMB_H, THUMB_W)
    };
    let mut out = vec![0f32; lines * 3];
    for line in 0..lines {
        for i in 0..len {
            let c = if columns {
                i * THUMB_W + line
            } else {
                line * THUMB_W + i
            };
            for k in 0..3 {
                out[line * 3 + k] += t[c * 3 + k];
            }
        }
    }
    out.iter_mut().for_each(|v| *v /= len as f32);
    out
}

/// Translation `d` (lines) carrying profile `prev` onto `cur` (`cur(x) ≈ prev(x − d)`,
/// `prev` read linearly between its lines) within ±`max`, compared over the lines both
/// show (at least half of them): the move of the picture from one frame to the next.
fn shift_1d(prev: &[f32], cur: &[f32], max: f32) -> f32 {
    let n = cur.len() / 3;
    let mismatch = |d: f32| -> f32 {
        let (mut sum, mut count) = (0f32, 0usize);
        for x in 0..n {
            let s = x as f32 - d;
            if s < 0.0 || s > (n - 1) as f32 {
                continue;
            }
            let a = s as usize;
            let b = (a + 1).min(n - 1);
            let w = s - a as f32;
            for k in 0..3 {
                let p = prev[a * 3 + k] + w * (prev[b * 3 + k] - prev[a * 3 + k]);
                sum += (cur[x * 3 + k] - p).abs();
            }
            count += 1;
        }
        if 2 * count < n {
            f32::INFINITY
        } else {
            sum / count as f32
        }
    };
    let steps = (max / STEP).round() as i32;
    let mut best = (mismatch(0.0), 0f32);
    for i in -steps..=steps {
        let d = i as f32 * STEP;
        let e = mismatch(d);
        if e < best.0 {
            best = (e, d);
        }
    }
    best.1
}

/// Mean absolute difference of `cur` and `prev` moved by `d` cells (`cur(x) ≈ prev(x − d)`,
/// the border cells standing in for what came in from outside).
fn moved_residual(prev: &Thumb, cur: &Thumb, d: [f32; 2]) -> f32 {
    moved_residual_within(prev, cur, d, f32::INFINITY)
}

/// Per output index of one axis moved by `d` cells: the two source indices it blends and
/// the weight of the second (the border cells standing in past the edges).
fn moved_axis<const N: usize>(d: f32) -> [(usize, usize, f32); N] {
    let mut at = [(0, 0, 0.0); N];
    for (c, a) in at.iter_mut().enumerate() {
        let s = (c as f32 - d).clamp(0.0, (N - 1) as f32);
        let i0 = s as usize;
        *a = (i0, (i0 + 1).min(N - 1), s - i0 as f32);
    }
    at
}

/// [`moved_residual`], bit for bit, or infinity as soon as the running mean exceeds
/// `bound` after a row: the terms are not
/// negative, so the rounded sum never decreases, nor does its rounded quotient, and the
/// residual exceeds `bound` too. The samples of each column and row are computed once
/// (the same expressions as per cell).
fn moved_residual_within(prev: &Thumb, cur: &Thumb, d: [f32; 2], bound: f32) -> f32 {
    const CELLS: f32 = (THUMB_W * THUMB_H * 3) as f32;
    let cols = moved_axis::<THUMB_W>(d[0]);
    let rows = moved_axis::<THUMB_H>(d[1]);
    let mut sum = 0f32;
    for (cy, &(y0, y1, wy)) in rows.iter().enumerate() {
        let cur_row = &cur[cy * THUMB_W * 3..(cy + 1) * THUMB_W * 3];
        for (&(x0, x1, wx), c) in cols.iter().zip(cur_row.chunks_exact(3)) {
            for k in 0..3 {
                let at = |x: usize, y: usize| prev[(y * THUMB_W + x) * 3 + k];
                let top = at(x0, y0) + wx * (at(x1, y0) - at(x0, y0));
                let bottom = at(x0, y1) + wx * (at(x1, y1) - at(x0, y1));
                let p = top + wy * (bottom - top);
                sum += (c[k] - p).abs();
            }
        }
        if sum / CELLS > bound {
            return f32::INFINITY;
        }
    }
    sum / CELLS
}

/// Zooms tried by [`reframed`]: a punch-in or pull-out of up to 1.5× either way.
const ZOOMS: [f32; 17] = [
    0.66, 0.7, 0.74, 0.78, 0.83, 0.87, 0.91, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.28, 1.35, 1.42, 1.5,
];

/// How far `b` is from being `a` reframed: the smallest residual, over zooms about the
/// centre ([`ZOOMS`]) and shifts of up to 4 cells across and 3 down (a shaking camera
/// moves the two framings between the ends), of `b` against `a` so warped with each
/// one's mean taken off, over `b`'s own variance on the overlap (at least half the
/// cells). Near 0 for two framings of one picture; two unrelated pictures give about 1
/// or more (the measure of [`super::gradual`]'s camera check, whose zooms stop at 1.25).
fn reframed(a: &Thumb, b: &Thumb) -> f32 {
    let (cxm, cym) = ((THUMB_W as f32 - 1.0) / 2.0, (THUMB_H as f32 - 1.0) / 2.0);
    let mut best = f32::INFINITY;
    for z in ZOOMS {
        for dy in -3..=3 {
            for dx in -4..=4 {
                let mut m = [[0f64; 5]; 3];
                let mut n = 0usize;
                for cy in 0..THUMB_H {
                    let sy = cym + (cy as f32 - cym) / z + dy as f32;
                    if sy < 0.0 || sy > (THUMB_H - 1) as f32 {
                        continue;
                    }
                    for cx in 0..THUMB_W {
                        let sx = cxm + (cx as f32 - cxm) / z + dx as f32;
                        if sx < 0.0 || sx > (THUMB_W - 1) as f32 {
                            continue;
                        }
                        let (x0, y0) = (sx as usize, sy as usize);
                        let (x1, y1) = ((x0 + 1).min(THUMB_W - 1), (y0 + 1).min(THUMB_H - 1));
                        let (wx, wy) = (sx - x0 as f32, sy - y0 as f32);
                        for (k, mk) in m.iter_mut().enumerate() {
                            let at = |x: usize, y: usize| a[(y * THUMB_W + x) * 3 + k];
                            let top = at(x0, y0) + wx * (at(x1, y0) - at(x0, y0));
                            let bottom = at(x0, y1) + wx * (at(x1, y1) - at(x0, y1));
                            let x = (top + wy * (bottom - top)) as f64;
                            let y = b[(cy * THUMB_W + cx) * 3 + k] as f64;
                            mk[0] += x;
                            mk[1] += y;
                            mk[2] += x * x;
                            mk[3] += y * y;
                            mk[4] += x * y;
                        }
                        n += 1;
                    }
                }
                if 2 * n < THUMB_W * THUMB_H {
                    continue;
                }
                best = best.min(structure_residual(&m, n));
            }
        }
    }
    best
}

/// Pairs of consecutive frames [`pair_moves`] measures in one task: each task reads one
/// thumbnail more than it measures (the pair before its first), so the work stays within
/// 2 % of the serial loop's.
const MOVES_CHUNK: usize = 64;

/// The move of every pair `t − 1 → t` of `[lo, hi)` (index `t − lo`, the first is none),
/// both axes, from the column and row profiles; where a pair moves fast enough to be part
/// of a slide, the profiles' estimate is checked on the whole thumbnail: the profile of a
/// picture with repeating columns (spokes, a fence) can match a whole period off; the move
/// along that axis that explains the frame best, the other axis held at its profile
/// estimate, stands. Empty for a segment too short to hold a slide.
///
/// Each pair's move reads only its two frames (not which frames other detectors took), so
/// [`super::shots::segment`] measures them beside the model fits of [`super::gradual`] and
/// in chunks of [`MOVES_CHUNK`] pairs on rayon's threads: the moves are the same numbers
/// as pair by pair in order. Why: in a long segment between cuts this search ran alone
/// on one core after the decode while the other core idled (the analysis' serial tail
/// before the render can start, `docs/BENCHMARKS.md`, session 16). A task holds one frame's
/// thumbnail at a time besides the one it reads, as the serial loop did.
pub fn pair_moves(f: &[FrameFeatures], lo: usize, hi: usize) -> Vec<[f32; 2]> {
    use rayon::prelude::*;
    if hi < lo + MIN_PAIRS + 2 {
        return Vec::new();
    }
    // The thumbnail of frame `lo + i`, read when needed: a segment between cuts can be
    // the whole programme (a 10-minute single shot is 18 000 frames, 124 MB of
    // thumbnails), and past 1 024 frames the features are spilled to disk.
    let thumb = |i: usize| f[lo + i].thumb();
    let mut moves = vec![[0f32; 2]; hi - lo];
    moves
        .par_chunks_mut(MOVES_CHUNK)
        .enumerate()
        .for_each(|(c, chunk)| {
            let start = c * MOVES_CHUNK;
            let first = start.max(1);
            let mut prev = thumb(first - 1);
            let mut prev_profiles = [profile(&prev, true), profile(&prev, false)];
            for (i, mv) in chunk.iter_mut().enumerate().skip(first - start) {
                let cur = thumb(start + i);
                let profiles = [profile(&cur, true), profile(&cur, false)];
                *mv = pair_move(&prev, &prev_profiles, &cur, &profiles);
                prev = cur;
                prev_profiles = profiles;
            }
        });
    moves
}

/// One pair's move (see [`pair_moves`]), given both frames and their profiles.
fn pair_move(
    prev: &Thumb,
    prev_profiles: &[Vec<f32>; 2],
    cur: &Thumb,
    profiles: &[Vec<f32>; 2],
) -> [f32; 2] {
    let mut mv = [0f32; 2];
    for (axis, n) in [(0, THUMB_W), (1, THUMB_H)] {
        mv[axis] = shift_1d(&prev_profiles[axis], &profiles[axis], MAX_STEP * n as f32);
    }
    for (axis, n) in [(0, THUMB_W), (1, THUMB_H)] {
        if mv[axis].abs() < MIN_SPEED {
            continue;
        }
        let max = MAX_STEP * n as f32;
        let steps = (max / STEP).round() as i32;
        let at = |k: i32| {
            let mut d = mv;
            d[axis] = k as f32 * STEP;
            d
        };
        // The first smallest residual in candidate order. The profiles' move is measured
        // first: a candidate whose residual exceeds it, or exceeds the best so far, is not
        // that one, so its sum may stop early ([`moved_residual_within`]); the candidates
        // taken are measured in full (session 26: bit for bit the loop over every
        // candidate in full).
        let first = ((mv[axis] / STEP).round() as i32).clamp(-steps, steps);
        let first_err = moved_residual(prev, cur, at(first));
        let mut best = (f32::INFINITY, mv[axis]);
        for k in -steps..=steps {
            let d = at(k);
            let e = if k == first {
                first_err
            } else {
                moved_residual_within(prev, cur, d, best.0.min(first_err))
            };
            if e < best.0 {
                best = (e, d[axis]);
            }
        }
        mv[axis] = best.1;
    }
    mv
}

/// The picture's move from `a` to `b` (cells across and down, `b(x) ≈ a(x − d)`), as
/// [`pair_moves`] measures it for one pair.
pub(crate) fn move_between(a: &FrameFeatures, b: &FrameFeatures) -> [f32; 2] {
    let (ta, tb) = (a.thumb(), b.thumb());
    let pa = [profile(&ta, true), profile(&ta, false)];
    let pb = [profile(&tb, true), profile(&tb, false)];
    pair_move(&ta, &pa, &tb, &pb)
}

/// Pairs of frames on each side of a window that [`move_starts_and_stops`] reads: the
/// located ends of a transition can fall a couple of frames inside its move (the flat
/// thresholds of [`super::gradual`] stop inside the ramp).
const BOUND_PAIRS: usize = 4;

/// True when the move along `axis` over `[s, e]` (a window of frames in the segment
/// `[lo, hi]`, `hi` its last frame) is seen to start and to stop: on at least one of the
/// [`BOUND_PAIRS`] pairs just before `s` and one of those just after `e`, inside the segment, the
/// picture moves slower than half the window's pace `n / (e − s)` (cells a frame) or the
/// other way. A slide starts from one picture and ends on another, each held by its shot;
/// a pan over about a frame's width that runs on past the window, or into the segment's
/// first or last frame (a cut in the middle of the move), is a camera move whose start or
/// end is not seen, and looks like a slide between two neighbouring views of one scene.
pub(crate) fn move_starts_and_stops(
    f: &[FrameFeatures],
    s: usize,
    e: usize,
    lo: usize,
    hi: usize,
    axis: usize,
) -> bool {
    let n = if axis == 0 { THUMB_W } else { THUMB_H };
    let pace = n as f32 / (e - s).max(1) as f32;
    let travel: f32 = (s + 1..=e)
        .map(|t| move_between(&f[t - 1], &f[t])[axis])
        .sum();
    // Pair `t − 1 → t` still moves with the window.
    let moving = |t: usize| {
        let v = move_between(&f[t - 1], &f[t])[axis];
        v.signum() == travel.signum() && v.abs() >= 0.5 * pace
    };
    let before = s.saturating_sub(BOUND_PAIRS - 1).max(lo + 1)..=s;
    let after = e + 1..=(e + BOUND_PAIRS).min(hi);
    // A single slow pair between two that move with the window is a repeated frame (a
    // frame-rate conversion's) or the shake reversing for a frame, not a held picture.
    let lone = |t: usize| t > lo + 1 && t < hi && moving(t - 1) && moving(t + 1);
    let stops = |t: usize| !(moving(t) || lone(t));
    let seen = |mut pairs: std::ops::RangeInclusive<usize>| pairs.any(stops);
    seen(before) && seen(after)
}

/// Slides between two framings in `[lo, hi)` (a segment between hard cuts) whose frames
/// are all still free in `taken` (marked taken when found). See the module doc.
pub fn detect_in_segment(
    f: &[FrameFeatures],
    lo: usize,
    hi: usize,
    fps: f64,
    taken: &mut [bool],
) -> Vec<Gradual> {
    detect_with_moves(f, lo, hi, fps, taken, pair_moves(f, lo, hi))
}

/// [`detect_in_segment`] given the segment's [`pair_moves`].
pub fn detect_with_moves(
    f: &[FrameFeatures],
    lo: usize,
    hi: usize,
    fps: f64,
    taken: &mut [bool],
    mut moves: Vec<[f32; 2]>,
) -> Vec<Gradual> {
    let mut out = Vec::new();
    if hi < lo + MIN_PAIRS + 2 {
        return out;
    }
    assert_eq!(moves.len(), hi - lo, "the segment's pair moves");
    let longest = (MAX_SPAN_S * fps).round() as usize;
    let thumb = |i: usize| f[lo + i].thumb();
    for (axis, n) in [(0usize, THUMB_W), (1, THUMB_H)] {
        let mut i = 1;
        while i < hi - lo {
            let v = moves[i][axis];
            if v.abs() < MIN_SPEED {
                i += 1;
                continue;
            }
            // The run of pairs moving the same way at the least speed. A single pair that
            // stalls between two pairs moving that way is a repeated frame (a frame-rate
            // conversion repeats one frame in five from 20 to 25 fps), not a stop: a fast
            // hand-held move over such footage otherwise falls apart into runs of four
            // pairs, each seen to start and stop (session 21).
            let runs_on = |p: usize| {
                moves[p][axis].abs() >= MIN_SPEED && moves[p][axis].signum() == v.signum()
            };
            let first = i;
            while i < hi - lo
                && (runs_on(i) || (i + 1 < hi - lo && runs_on(i + 1) && runs_on(i - 1)))
            {
                i += 1;
            }
            let end = i;
            // The move is seen to start and stop inside the segment: a run from its first
            // pair or to its last may be a pan cut into (see [`move_starts_and_stops`]).
            let bounded = first > 1 && end < hi - lo;
            // A slide moves at one pace (eased at most at its ends); pairs at the ends of
            // the run much slower than its median are the camera's own move (shake or a
            // pan) next to it, not the slide.
            let mut speeds: Vec<f32> = (first..end).map(|p| moves[p][axis].abs()).collect();
            speeds.sort_by(f32::total_cmp);
            let pace = speeds[speeds.len() / 2];
            let slow = |p: usize| moves[p][axis].abs() < TRIM * pace;
            let (mut first, mut end) = (first, end);
            while first < end && slow(first) {
                first += 1;
            }
            while end > first && slow(end - 1) {
                end -= 1;
            }
            let pairs = first..end;
            let (s, e) = (lo + first - 1, lo + end - 1);
            // A slide moves at one pace; a pair read far from it on a picture that repeats
            // along the axis (spokes, a fence) is read again near the pace, and the nearer
            // move stands when it explains the frame almost as well.
            for p in pairs.clone() {
                let v = moves[p][axis];
                if (v - pace * v.signum()).abs() <= 0.5 * pace {
                    continue;
                }
                let at = |d: f32| {
                    let mut m = moves[p];
                    m[axis] = d;
                    moved_residual(&thumb(p - 1), &thumb(p), m)
                };
                let own = at(v);
                let reach = (0.5 * pace / STEP).round() as i32;
                let near = (-reach..=reach)
                    .map(|k| pace * v.signum() + k as f32 * STEP)
                    .map(|d| (at(d), d))
                    .min_by(|x, y| x.0.total_cmp(&y.0));
                if let Some((r, d)) = near {
                    if r <= NEAR_PACE * own {
                        moves[p][axis] = d;
                    }
                }
            }
            // The camera's own move over the run, from the pairs on both sides of it (a
            // hand-held camera following a subject keeps panning through the slide).
            let mut beside: Vec<f32> = (first.saturating_sub(BESIDE).max(1)..first)
                .chain(end..(end + BESIDE).min(hi - lo))
                .map(|p| moves[p][axis])
                .collect();
            beside.sort_by(f32::total_cmp);
            let median = beside.get(beside.len() / 2).copied().unwrap_or(0.0);
            // Only a steady pan (every pair beside moving the same way) is taken off; a
            // shaking camera's jitter beside the run averages out over it.
            let pan = beside
                .iter()
                .all(|v| v.signum() == median.signum() && v.abs() > 0.0);
            let base = if pan { median } else { 0.0 };
            let travel: f32 =
                pairs.clone().map(|p| moves[p][axis]).sum::<f32>() - base * pairs.len() as f32;
            let frame = n as f32;
            let travels = (travel.abs() - frame).abs() <= TRAVEL_TOLERANCE * frame;
            if debug() && pairs.len() >= MIN_PAIRS {
                let around: Vec<String> = (first.saturating_sub(6).max(1)..(end + 6).min(hi - lo))
                    .map(|p| format!("{:.1}", moves[p][axis]))
                    .collect();
                eprintln!(
                    "slide? moves from pair {}: {}",
                    lo + first.saturating_sub(6).max(1),
                    around.join(" ")
                );
            }
            if pairs.len() < MIN_PAIRS || e - s > longest || !travels {
                if debug() && pairs.len() >= 2 {
                    eprintln!(
                        "slide? {s}-{e} axis {axis}: travel {travel:.1} of {frame}, {} pairs",
                        pairs.len()
                    );
                }
                continue;
            }
            let (mut still, mut moved) = (0f32, 0f32);
            for p in pairs.clone() {
                let (a, b) = (thumb(p - 1), thumb(p));
                still += moved_residual(&a, &b, [0.0; 2]);
                moved += moved_residual(&a, &b, moves[p]);
            }
            let residual = moved / still.max(1e-6);
            let framings = reframed(&thumb(s - lo), &thumb(e - lo));
            let free = !taken[s..=e].iter().any(|t| *t);
            let solid = f[s..=e].iter().any(|g| g.is_solid());
            if debug() {
                eprintln!(
                    "slide? {s}-{e} axis {axis}: travel {travel:.1} of {frame}, residual {residual:.2}, reframed {framings:.2}, colours {:.3}, free {free}, bounded {bounded}",
                    hist_dist(&f[s], &f[e])
                );
            }
            if residual > MAX_MOVED_RESIDUAL
                || framings > MAX_REFRAMED
                || !free
                || solid
                || !bounded
            {
                continue;
            }
            taken[s..=e].iter_mut().for_each(|t| *t = true);
            let mut at = 0f32;
            let progress: Vec<f32> = (first..end - 1)
                .map(|p| {
                    at += moves[p][axis] - base;
                    at / travel
                })
                .collect();
            if debug() {
                eprintln!("  found slide {s}-{e}");
            }
            out.push(Gradual::new(
                "slide",
                s,
                e,
                progress,
                (1.0 - residual).clamp(0.05, 1.0),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A textured picture twice the frame's width panned across by `px` pixels a frame
    /// (64×36 frames), with a still stretch: moves fast enough to be searched on the
    /// whole thumbnail, and slow ones that are not.
    fn panned(n: usize, px: usize) -> Vec<FrameFeatures> {
        let (w, h) = (64usize, 36usize);
        let strip: Vec<[u8; 3]> = (0..2 * w * h)
            .map(|p| {
                let (x, y) = ((p % (2 * w)) as f32, (p / (2 * w)) as f32);
                let v = (x * 0.37).sin() * (y * 0.23).cos();
                [
                    (128.0 + 100.0 * v) as u8,
                    (90.0 + 60.0 * (x * 0.11).cos()) as u8,
                    (60.0 + 50.0 * (y * 0.17).sin()) as u8,
                ]
            })
            .collect();
        (0..n)
            .map(|k| {
                // Still for the first 20 frames, then panning, bouncing at the strip's end.
                let off = (k.saturating_sub(20) * px) % (2 * w);
                let off = if off > w { 2 * w - off } else { off };
                let rgb: Vec<u8> = (0..w * h)
                    .flat_map(|p| strip[(p / w) * 2 * w + p % w + off])
                    .collect();
                FrameFeatures::from_rgb(k as f64 / 25.0, w, h, &rgb)
            })
            .collect()
    }

    /// The moves measured in parallel chunks are bit for bit the pair-by-pair ones, across
    /// chunk boundaries and for a segment that does not start at frame 0.
    #[test]
    fn chunked_pair_moves_are_the_serial_ones() {
        let f = panned(3 * MOVES_CHUNK + 17, 3);
        let (lo, hi) = (5, f.len() - 2);
        let got = pair_moves(&f, lo, hi);
        let mut want = vec![[0f32; 2]; hi - lo];
        for i in 1..hi - lo {
            let (a, b) = (f[lo + i - 1].thumb(), f[lo + i].thumb());
            let pa = [profile(&a, true), profile(&a, false)];
            let pb = [profile(&b, true), profile(&b, false)];
            want[i] = pair_move(&a, &pa, &b, &pb);
        }
        assert!(
            want.iter().filter(|m| m[0].abs() >= MIN_SPEED).count() > MOVES_CHUNK,
            "the pan is searched on the whole thumbnail"
        );
        assert!(want[1..10].iter().all(|m| m[0].abs() < MIN_SPEED));
        assert_eq!(got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g.map(f32::to_bits), w.map(f32::to_bits), "pair {i}");
        }
        assert!(pair_moves(&f, 0, MIN_PAIRS + 1).is_empty());
    }

    /// [`moved_residual`] as it was before [`moved_residual_within`] (every cell's
    /// sample computed in place).
    fn moved_residual_reference(prev: &Thumb, cur: &Thumb, d: [f32; 2]) -> f32 {
        let mut sum = 0f32;
        for cy in 0..THUMB_H {
            for cx in 0..THUMB_W {
                let sx = (cx as f32 - d[0]).clamp(0.0, (THUMB_W - 1) as f32);
                let sy = (cy as f32 - d[1]).clamp(0.0, (THUMB_H - 1) as f32);
                let (x0, y0) = (sx as usize, sy as usize);
                let (x1, y1) = ((x0 + 1).min(THUMB_W - 1), (y0 + 1).min(THUMB_H - 1));
                let (wx, wy) = (sx - x0 as f32, sy - y0 as f32);
                for k in 0..3 {
                    let at = |x: usize, y: usize| prev[(y * THUMB_W + x) * 3 + k];
                    let top = at(x0, y0) + wx * (at(x1, y0) - at(x0, y0));
                    let bottom = at(x0, y1) + wx * (at(x1, y1) - at(x0, y1));
                    let p = top + wy * (bottom - top);
                    sum += (cur[(cy * THUMB_W + cx) * 3 + k] - p).abs();
                }
            }
        }
        sum / (THUMB_W * THUMB_H * 3) as f32
    }

    /// [`pair_move`] as it was before session 26: every candidate measured in full.
    fn pair_move_reference(
        prev: &Thumb,
        prev_profiles: &[Vec<f32>; 2],
        cur: &Thumb,
        profiles: &[Vec<f32>; 2],
    ) -> [f32; 2] {
        let mut mv = [0f32; 2];
        for (axis, n) in [(0, THUMB_W), (1, THUMB_H)] {
            mv[axis] = shift_1d(&prev_profiles[axis], &profiles[axis], MAX_STEP * n as f32);
        }
        for (axis, n) in [(0, THUMB_W), (1, THUMB_H)] {
            if mv[axis].abs() < MIN_SPEED {
                continue;
            }
            let max = MAX_STEP * n as f32;
            let steps = (max / STEP).round() as i32;
            let mut best = (f32::INFINITY, mv[axis]);
            for k in -steps..=steps {
                let mut d = mv;
                d[axis] = k as f32 * STEP;
                let e = moved_residual_reference(prev, cur, d);
                if e < best.0 {
                    best = (e, d[axis]);
                }
            }
            mv[axis] = best.1;
        }
        mv
    }

    /// The bounded residual is the full one or infinity above the bound, and the search
    /// that stops sums early picks the full search's move bit for bit, over pans of
    /// several speeds, a still stretch and pairs across the pan's bounce.
    #[test]
    fn the_pruned_move_search_is_the_full_one_bit_for_bit() {
        let mut pruned = 0usize;
        let mut searched = 0usize;
        for px in [1, 3, 5, 8, 13] {
            let f = panned(60, px);
            for i in 1..f.len() {
                let (a, b) = (f[i - 1].thumb(), f[i].thumb());
                let pa = [profile(&a, true), profile(&a, false)];
                let pb = [profile(&b, true), profile(&b, false)];
                let got = pair_move(&a, &pa, &b, &pb);
                let want = pair_move_reference(&a, &pa, &b, &pb);
                assert_eq!(
                    got.map(f32::to_bits),
                    want.map(f32::to_bits),
                    "px {px} pair {i}"
                );
                searched += usize::from(want[0].abs() >= MIN_SPEED);
                for k in -24..=24 {
                    let d = [k as f32 * STEP, (k % 5) as f32 * 0.3];
                    let full = moved_residual_reference(&a, &b, d);
                    assert_eq!(moved_residual(&a, &b, d).to_bits(), full.to_bits());
                    let bound = moved_residual_reference(&a, &b, [0.0, 0.0]);
                    let got = moved_residual_within(&a, &b, d, bound);
                    if got == f32::INFINITY {
                        assert!(full > bound, "{full} pruned at {bound}");
                        pruned += 1;
                    } else {
                        assert_eq!(got.to_bits(), full.to_bits());
                    }
                }
            }
        }
        assert!(searched > 100, "few pairs searched: {searched}");
        assert!(pruned > 100, "the bound never stopped a sum: {pruned}");
    }
}
