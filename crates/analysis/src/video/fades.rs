//! Fades to and from a solid colour (black, white, a colour card), and zooms into the
//! picture until one colour fills the frame.
//!
//! Anchored on runs of solid frames: before a run the picture converges on the colour
//! (fade-out), after it diverges from it (fade-in). The ramp is followed while the
//! distance to the solid colour keeps changing at a sizeable share of its average rate
//! and the frames stay scaled copies of the end frame (checked with the mix model), so a
//! cut to black after ordinary motion is not a fade. A fade-out, a short solid hold
//! (< 0.5 s) and a fade-in form one fade *through* the colour.

use super::frame::{frame_dist, thumb_dist, FrameFeatures};
use super::models::{self, fit_dissolve};
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
/// Share of the jump into the solid colour the picture may differ by when it comes back
/// after a lone ramp (a flash, not a fade; the same share as the hard-cut flash test).
const FLASH_RETURN: f32 = 0.4;

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
        if f[i].is_solid() {
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
fn ramp_weights(f: &[FrameFeatures], pic: usize, core: usize) -> Option<Vec<f32>> {
    let (lo, hi) = (pic.min(core), pic.max(core));
    // Each ramp frame is `core + a·(pic − core)`: a blend of the picture and the colour.
    let (p, c) = (f[pic].thumb(), f[core].thumb());
    let norm: f32 = p
        .iter()
        .zip(&c)
        .map(|(p, c)| (p - c) * (p - c))
        .sum::<f32>()
        .max(1e-6);
    let mut w = Vec::new();
    let mut err_sum = 0.0;
    for g in &f[lo + 1..hi] {
        let (a, e) = fit_dissolve(&g.thumb(), &c, &p);
        w.push(a.clamp(0.0, 1.0));
        err_sum += e / norm;
    }
    let rel = (err_sum / w.len().max(1) as f32).sqrt();
    (rel < 0.3).then_some(w)
}

/// Largest spread (10th to 90th percentile) of the cells' own weights at mid-ramp for a
/// lone fade (see [`cells_together`]).
const MAX_CELL_SPREAD: f32 = 0.25;
/// Smallest squared RGB change of a cell (thumbnail units) for its own weight to be read.
const CELL_CHANGE: f32 = 0.03;

/// Spread of the cells' own weights on the ramp frame between `pic` and `core` whose
/// whole-picture weight is nearest one half: in a fade every part of the picture comes
/// out of (or goes into) the colour together; a pan out of a flat sky brings the picture
/// in from one side, so half the cells are already picture while the rest are still sky.
/// Returns the 10th-to-90th-percentile spread of the weights of the cells that change
/// clearly (0 when too few do).
fn cells_together(f: &[FrameFeatures], pic: usize, core: usize) -> f32 {
    let (lo, hi) = (pic.min(core), pic.max(core));
    if hi < lo + 2 {
        return 0.0;
    }
    let (c, p) = (&f[core].thumb(), &f[pic].thumb());
    let Some(mid) = (lo + 1..hi).min_by(|&x, &y| {
        let w = |i: usize| (fit_dissolve(&f[i].thumb(), c, p).0 - 0.5).abs();
        w(x).total_cmp(&w(y))
    }) else {
        return 0.0;
    };
    let g = &f[mid].thumb();
    let mut w: Vec<f32> = (0..c.len() / 3)
        .filter_map(|i| {
            let r = i * 3..i * 3 + 3;
            let d: f32 = r.clone().map(|k| (p[k] - c[k]) * (p[k] - c[k])).sum();
            (d >= CELL_CHANGE).then(|| r.map(|k| (g[k] - c[k]) * (p[k] - c[k])).sum::<f32>() / d)
        })
        .collect();
    if w.len() < 10 {
        return 0.0;
    }
    w.sort_by(f32::total_cmp);
    let q = |x: f32| w[((w.len() - 1) as f32 * x).round() as usize];
    q(0.9) - q(0.1)
}

/// Checks that the frames between `pic` (before) and `core` are `pic` magnified ever
/// more (a zoom into the picture until one colour fills the frame), optionally blended
/// with the colour; returns the progress (log zoom share) in time order.
fn zoom_ramp(f: &[FrameFeatures], pic: usize, core: usize) -> Option<Vec<f32>> {
    if core <= pic + 1 {
        return None;
    }
    let a = &f[pic].thumb();
    let c = &f[core].thumb();
    let norm: f32 = a
        .iter()
        .zip(c)
        .map(|(p, q)| (p - q) * (p - q))
        .sum::<f32>()
        .max(1e-6);
    // `a` magnified by each candidate zoom, computed once for every frame.
    let zooms: Vec<(f32, Vec<f32>)> = (0..=14)
        .map(|k| {
            let z = 1.25f32.powi(k);
            let mut buf = vec![0f32; a.len()];
            models::zoomed(a, z, &mut buf);
            (z, buf)
        })
        .collect();
    let mut zs = Vec::new();
    let (mut err_z, mut err_blend) = (0f32, 0f32);
    for g in &f[pic + 1..core] {
        let g = g.thumb();
        let mut best = (f32::INFINITY, 1f32);
        for (z, buf) in &zooms {
            let z = *z;
            let (_, e) = fit_dissolve(&g, buf, c);
            if e < best.0 {
                best = (e, z);
            }
        }
        err_z += best.0;
        err_blend += fit_dissolve(&g, c, a).1;
        zs.push(best.1);
    }
    let n = zs.len() as f32;
    let rel = (err_z / norm / n).sqrt();
    let zmax = zs.iter().copied().fold(1f32, f32::max);
    let rising = zs.windows(2).filter(|w| w[1] + 1e-3 < w[0]).count() as f32 <= 0.25 * n;
    (rel < 0.35 && zmax >= 2.0 && err_z < 0.7 * err_blend && rising)
        .then(|| zs.iter().map(|z| z.ln() / zmax.ln()).collect())
}

/// Moves the picture-side end `from` of a ramp outwards (direction `step`) while the
/// picture keeps changing clearly faster than it did before the ramp: an eased ramp
/// starts too slowly for the slope rule of [`follow_ramp`].
fn extend_ramp(f: &[FrameFeatures], from: usize, step: isize, limit: usize) -> usize {
    let at = |i: isize| (i >= 0 && (i as usize) < f.len()).then_some(i as usize);
    let mut base: Vec<f32> = (4..12)
        .filter_map(|k| {
            let a = at(from as isize + step * k)?;
            let b = at(from as isize + step * (k + 1))?;
            Some(thumb_dist(&f[a], &f[b]))
        })
        .collect();
    let still = (2.0 * super::cuts::median(&mut base)).max(0.004);
    let mut cur = from;
    for _ in 0..limit {
        let Some(next) = at(cur as isize + step) else {
            break;
        };
        if thumb_dist(&f[next], &f[cur]) <= still {
            break;
        }
        cur = next;
    }
    cur
}

/// Detects fades anchored on solid runs. `fps` is the real frame rate.
pub fn detect_fades(f: &[FrameFeatures], fps: f64) -> Vec<Gradual> {
    let limit = (fps * 4.0).round().max(8.0) as usize;
    let mut out: Vec<Gradual> = Vec::new();
    for run in solid_runs(f) {
        // The core is the purest frame of the run: darkest for black, brightest for
        // white, flattest for any other colour card.
        let key = |i: usize| {
            if f[i].is_black() {
                f[i].luma_mean
            } else if run.white {
                -f[i].luma_mean
            } else {
                f[i].luma_std
            }
        };
        let core = (run.first..=run.last)
            .min_by(|&a, &b| key(a).total_cmp(&key(b)))
            .unwrap_or(run.first);
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
        // Into the colour: a blend (fade-out) or a zoom into the picture.
        let into = (first > 0)
            .then(|| follow_ramp(f, core, first, -1, limit))
            .flatten()
            .and_then(|s| {
                ramp_weights(f, s, first)
                    .map(|w| (s, w.iter().map(|a| 1.0 - a).collect::<Vec<f32>>(), false))
                    .or_else(|| {
                        let s = extend_ramp(f, s, -1, limit);
                        zoom_ramp(f, s, first).map(|p| (s, p, true))
                    })
            });
        let from = (last + 1 < f.len())
            .then(|| follow_ramp(f, core, last, 1, limit))
            .flatten()
            .and_then(|e| ramp_weights(f, e, last).map(|w| (e, w)));
        let hold = f[last].pts_s - f[first].pts_s;
        match (into, from) {
            (Some((s, po, zoom)), Some((e, pi))) if hold <= MAX_HOLD_S => {
                // Progress through the whole transition: half in, half out.
                let mut prog: Vec<f32> = po.iter().map(|p| 0.5 * p).collect();
                prog.extend(std::iter::repeat_n(0.5, last + 1 - first));
                prog.extend(pi.iter().map(|a| 0.5 + 0.5 * a));
                let kind = if zoom { "zoom" } else { "fade" };
                out.push(Gradual::new(kind, s, e, prog, 0.9));
            }
            (o, i) => {
                // A flash: the picture from just before the solid frames comes back after
                // the ramp out of them (or was there before the ramp into them), so the
                // colour was a burst of light over one shot, not a fade.
                let returns = |a: usize, b: usize| {
                    frame_dist(&f[a], &f[b]) < FLASH_RETURN * frame_dist(&f[a], &f[core])
                };
                // A lone ramp (no fade through the colour to pair it with) must bring the
                // whole picture in or out together; a pan out of flat sky does not.
                let together =
                    |pic: usize, core: usize| cells_together(f, pic, core) < MAX_CELL_SPREAD;
                if let Some((s, p, zoom)) = o {
                    let flash = !zoom && last + 1 < f.len() && returns(last + 1, s);
                    if !flash && (zoom || together(s, first)) {
                        let kind = if zoom { "zoom" } else { "fade_out" };
                        out.push(Gradual::new(kind, s, first, p, 0.85));
                    }
                }
                if let Some((e, w)) = i {
                    if !(first > 0 && returns(first - 1, e)) && together(e, last) {
                        out.push(Gradual::new("fade_in", last, e, w, 0.85));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A textured 64×36 picture (`seed` sets the pattern and colours), mixed with white
    /// by `white` (0 = the picture, 1 = white).
    fn frame(n: usize, seed: f32, white: f32) -> FrameFeatures {
        let (w, h) = (64usize, 36usize);
        let rgb: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                let (x, y) = ((i % w) as f32, (i / w) as f32);
                let v = 110.0 + 80.0 * (x * 0.21 * seed + y * 0.17 + seed).sin();
                let p = [v, 0.4 * v + 40.0 * seed, 220.0 - 0.6 * v];
                p.map(|c| (c + white * (255.0 - c)).clamp(0.0, 255.0) as u8)
            })
            .collect();
        FrameFeatures::from_rgb(n as f64 / 25.0, w, h, &rgb)
    }

    /// A flat blue-grey card (sky) until frame 30; then, over 8 frames, the picture either
    /// comes in from the right edge behind a blurred edge as wide as the frame (a pan out
    /// of the sky: the cells on the right are picture while those on the left are still
    /// sky) or fades in everywhere at once.
    /// Only the second is a fade-in.
    #[test]
    fn a_pan_out_of_flat_sky_is_no_fade_in() {
        let (w, h) = (64usize, 36usize);
        let sky = [150.0f32, 190.0, 225.0];
        let clip = |pan: bool| -> Vec<FrameFeatures> {
            (0..80)
                .map(|n| {
                    let u = ((n as f32 - 30.0) / 8.0).clamp(0.0, 1.0);
                    let rgb: Vec<u8> = (0..w * h)
                        .flat_map(|i| {
                            let (x, y) = ((i % w) as f32, (i / w) as f32);
                            let v = 110.0 + 80.0 * (x * 0.21 + y * 0.17).sin();
                            let p = [v, 0.4 * v + 40.0, 220.0 - 0.6 * v];
                            // The pan's motion blur softens its edge across the frame.
                            let a = if pan {
                                (x / w as f32 + 2.0 * u - 1.0).clamp(0.0, 1.0)
                            } else {
                                u
                            };
                            [0, 1, 2].map(|k| (sky[k] + a * (p[k] - sky[k])) as u8)
                        })
                        .collect();
                    FrameFeatures::from_rgb(n as f64 / 25.0, w, h, &rgb)
                })
                .collect()
        };
        let panned = clip(true);
        assert!(panned[20].is_solid() && !panned[20].is_white());
        assert!(cells_together(&panned, 38, 30) > MAX_CELL_SPREAD);
        let found = detect_fades(&panned, 25.0);
        assert!(found.is_empty(), "{found:?}");
        let fade = detect_fades(&clip(false), 25.0);
        assert!(
            fade.iter()
                .any(|g| g.kind == "fade_in" && g.start.abs_diff(30) <= 1),
            "{fade:?}"
        );
    }

    /// A camera flash: one white frame, then the light decays over five frames back to
    /// the same picture: no fade. The same decay into another picture is a fade-in.
    #[test]
    fn a_camera_flash_is_no_fade() {
        let clip = |after: f32| -> Vec<FrameFeatures> {
            (0..80)
                .map(|n| {
                    let seed = if n < 40 { 1.0 } else { after };
                    let white = if (40..46).contains(&n) {
                        (-((n - 40) as f32) / 1.5).exp()
                    } else {
                        0.0
                    };
                    frame(n, seed, white)
                })
                .collect()
        };
        assert!(clip(1.0)[40].is_white());
        let flash = detect_fades(&clip(1.0), 25.0);
        assert!(flash.is_empty(), "{flash:?}");
        let fade = detect_fades(&clip(2.3), 25.0);
        assert!(
            fade.iter().any(|g| g.kind == "fade_in" && g.start == 40),
            "{fade:?}"
        );
    }
}
