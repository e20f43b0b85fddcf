//! Parametric models of gradual transitions on the 32×18 RGB thumbnails.
//!
//! Given the last frame before a transition `A` and the first frame after it `B`, each
//! model predicts an intermediate frame from one or two parameters; fitting every model
//! to the frames in between and keeping the one that explains them best tells the type:
//!
//! * dissolve: `(1 − α)·A + α·B`;
//! * fade through a colour `o` (black or white): `o + a·(A − o) + b·(B − o)` with `a + b`
//!   dipping well below 1 in the middle;
//! * wipe: a straight boundary crossing the frame along one of four directions, `B` on
//!   one side and `A` (unmoved) on the other;
//! * shaped wipe: any boundary (circle, diagonal, clock hand, barn doors…): every cell
//!   shows `A` until its own switch frame, a blend on that frame, `B` afterwards; the
//!   switch frames must form a smooth map over the picture (a moving edge);
//! * slide: the same boundary, but `A` is pushed out and `B` pushed in (both move);
//! * zoom: `A` magnified about the centre by `z`, cross-faded to `B`.

use super::frame::{THUMB_CELLS, THUMB_H, THUMB_W};

/// Directions a wipe or slide can travel.
pub const DIRS: [Dir; 4] = [Dir::Left, Dir::Right, Dir::Up, Dir::Down];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Left,
    Right,
    Up,
    Down,
}

impl Dir {
    /// Number of cells along the travel axis and the position of a cell on it, counted
    /// from the side where `B` appears first.
    fn axis(self, cx: usize, cy: usize) -> (usize, usize) {
        match self {
            Dir::Left => (THUMB_W, THUMB_W - 1 - cx),
            Dir::Right => (THUMB_W, cx),
            Dir::Up => (THUMB_H, THUMB_H - 1 - cy),
            Dir::Down => (THUMB_H, cy),
        }
    }

    /// Cell index from a position on the axis (inverse of `axis` for the other coordinate).
    fn cell(self, pos: usize, cx: usize, cy: usize) -> usize {
        match self {
            Dir::Left => cy * THUMB_W + (THUMB_W - 1 - pos),
            Dir::Right => cy * THUMB_W + pos,
            Dir::Up => (THUMB_H - 1 - pos) * THUMB_W + cx,
            Dir::Down => pos * THUMB_W + cx,
        }
    }
}

/// Sum of squared differences between `f` and `pred`.
pub fn sse(f: &[f32], pred: &[f32]) -> f32 {
    f.iter().zip(pred).map(|(a, b)| (a - b) * (a - b)).sum()
}

/// Best dissolve weight and its squared error.
pub fn fit_dissolve(f: &[f32], a: &[f32], b: &[f32]) -> (f32, f32) {
    let (mut num, mut den) = (0f32, 0f32);
    for i in 0..f.len() {
        let d = b[i] - a[i];
        num += (f[i] - a[i]) * d;
        den += d * d;
    }
    let alpha = if den > 1e-9 { num / den } else { 0.0 };
    let alpha = alpha.clamp(-0.2, 1.2);
    let err = (0..f.len())
        .map(|i| {
            let p = a[i] + alpha * (b[i] - a[i]);
            (f[i] - p) * (f[i] - p)
        })
        .sum();
    (alpha, err)
}

/// Best `(a, b)` of `o + a·(A − o) + b·(B − o)` and its squared error.
pub fn fit_mix(f: &[f32], a: &[f32], b: &[f32], o: f32) -> (f32, f32, f32) {
    let (mut saa, mut sab, mut sbb, mut sfa, mut sfb) = (0f64, 0f64, 0f64, 0f64, 0f64);
    for i in 0..f.len() {
        let (x, y, z) = ((a[i] - o) as f64, (b[i] - o) as f64, (f[i] - o) as f64);
        saa += x * x;
        sab += x * y;
        sbb += y * y;
        sfa += z * x;
        sfb += z * y;
    }
    let det = saa * sbb - sab * sab;
    let (ca, cb) = if det.abs() > 1e-9 * (saa * sbb).max(1e-12) {
        (
            ((sfa * sbb - sfb * sab) / det) as f32,
            ((sfb * saa - sfa * sab) / det) as f32,
        )
    } else {
        (0.0, 0.0)
    };
    let err = (0..f.len())
        .map(|i| {
            let p = o + ca * (a[i] - o) + cb * (b[i] - o);
            (f[i] - p) * (f[i] - p)
        })
        .sum();
    (ca, cb, err)
}

/// Wipe prediction at progress `p` (0 = all `A`, 1 = all `B`); the boundary cell blends.
pub fn wipe(a: &[f32], b: &[f32], dir: Dir, p: f32, out: &mut [f32]) {
    for cy in 0..THUMB_H {
        for cx in 0..THUMB_W {
            let (n, pos) = dir.axis(cx, cy);
            let w = (p * n as f32 - pos as f32).clamp(0.0, 1.0);
            let c = cy * THUMB_W + cx;
            for k in 0..3 {
                out[c * 3 + k] = a[c * 3 + k] + w * (b[c * 3 + k] - a[c * 3 + k]);
            }
        }
    }
}

/// Samples a thumbnail along `dir` at fractional axis position `pos` (all three channels
/// of the cell at once: the position, the two neighbouring cells and the weight are the
/// same for each channel).
#[inline]
fn along(img: &[f32], dir: Dir, pos: f32, cx: usize, cy: usize, n: usize) -> [f32; 3] {
    let pos = pos.clamp(0.0, (n - 1) as f32);
    // `pos` is clamped to ≥ 0, so truncation is the floor (without a libm call).
    let i0 = pos as usize;
    let i1 = (i0 + 1).min(n - 1);
    let t = pos - i0 as f32;
    let (c0, c1) = (dir.cell(i0, cx, cy) * 3, dir.cell(i1, cx, cy) * 3);
    std::array::from_fn(|k| {
        let (v0, v1) = (img[c0 + k], img[c1 + k]);
        v0 + t * (v1 - v0)
    })
}

/// Slide prediction: `B` enters from the side `dir` names as first, pushing `A` out.
pub fn slide(a: &[f32], b: &[f32], dir: Dir, p: f32, out: &mut [f32]) {
    for cy in 0..THUMB_H {
        for cx in 0..THUMB_W {
            let (n, pos) = dir.axis(cx, cy);
            let shift = p * n as f32;
            let c = cy * THUMB_W + cx;
            let posf = pos as f32 + 0.5;
            let v = if posf < shift {
                // B's far edge has travelled `shift` cells in.
                along(b, dir, n as f32 - shift + pos as f32, cx, cy, n)
            } else {
                along(a, dir, pos as f32 - shift, cx, cy, n)
            };
            out[c * 3..c * 3 + 3].copy_from_slice(&v);
        }
    }
}

/// `A` magnified by `z` about the centre (bilinear on the thumbnail grid).
pub fn zoomed(a: &[f32], z: f32, out: &mut [f32]) {
    let (cxm, cym) = ((THUMB_W as f32 - 1.0) / 2.0, (THUMB_H as f32 - 1.0) / 2.0);
    for cy in 0..THUMB_H {
        for cx in 0..THUMB_W {
            let sx = (cxm + (cx as f32 - cxm) / z).clamp(0.0, THUMB_W as f32 - 1.0);
            let sy = (cym + (cy as f32 - cym) / z).clamp(0.0, THUMB_H as f32 - 1.0);
            // Both clamped to ≥ 0: truncation is the floor.
            let (x0, y0) = (sx as usize, sy as usize);
            let (x1, y1) = ((x0 + 1).min(THUMB_W - 1), (y0 + 1).min(THUMB_H - 1));
            let (tx, ty) = (sx - x0 as f32, sy - y0 as f32);
            let c = cy * THUMB_W + cx;
            for k in 0..3 {
                let g = |x: usize, y: usize| a[(y * THUMB_W + x) * 3 + k];
                let top = g(x0, y0) + tx * (g(x1, y0) - g(x0, y0));
                let bot = g(x0, y1) + tx * (g(x1, y1) - g(x0, y1));
                out[c * 3 + k] = top + ty * (bot - top);
            }
        }
    }
}

/// Fit of the shaped-wipe model to the frames strictly between `A` and `B`.
#[derive(Debug, Clone)]
pub struct MaskWipe {
    /// Share of the changing picture already showing `B`, per frame.
    pub progress: Vec<f32>,
    /// Summed squared error over all frames.
    pub err: f32,
    /// Mean difference of the switch frames of neighbouring changing cells, in units of
    /// the transition length: small for a moving edge, large for scattered changes.
    pub roughness: f32,
    /// When the edge crossed each clearly changing cell, in frames after `A` (`NaN` for
    /// cells that hardly change): the blend on the switch frame places it within the frame.
    pub crossing: Vec<f32>,
}

impl MaskWipe {
    /// Span of the edge's travel in frames after `A`: the crossings of the middle 80 %
    /// of the clearly changing cells, stretched by a quarter (a uniform spread of
    /// crossings fills the whole span), so a few cells that moved by themselves do not
    /// decide the ends.
    pub fn crossing_span(&self) -> Option<(f32, f32)> {
        let mut x: Vec<f32> = self
            .crossing
            .iter()
            .copied()
            .filter(|v| !v.is_nan())
            .collect();
        if x.len() < 10 {
            return None;
        }
        x.sort_by(f32::total_cmp);
        let q = |p: f32| x[((x.len() - 1) as f32 * p).round() as usize];
        let (lo, hi) = (q(0.1), q(0.9));
        let pad = 0.125 * (hi - lo);
        Some((lo - pad, hi + pad))
    }
}
/// Fits the shaped-wipe model: for every cell the switch frame `τ` (frames before it
/// show `A`, the frame itself a blend, frames after it `B`) that minimises its error.
pub fn fit_mask_wipe(mids: &[&[f32]], a: &[f32], b: &[f32]) -> MaskWipe {
    let m = mids.len();
    let mut progress = vec![0f32; m];
    let mut err = 0f32;
    let mut tau = vec![f32::NAN; THUMB_CELLS];
    let mut wsum = 0f32;
    let (mut ea, mut eb, mut em, mut al) =
        (vec![0f32; m], vec![0f32; m], vec![0f32; m], vec![0f32; m]);
    for (c, tau_c) in tau.iter_mut().enumerate() {
        let r = c * 3..c * 3 + 3;
        let (ca, cb) = (&a[r.clone()], &b[r.clone()]);
        let w: f32 = ca.iter().zip(cb).map(|(x, y)| (y - x) * (y - x)).sum();
        for (t, g) in mids.iter().enumerate() {
            let g = &g[r.clone()];
            let (mut sa, mut sb, mut num) = (0f32, 0f32, 0f32);
            for k in 0..3 {
                sa += (g[k] - ca[k]) * (g[k] - ca[k]);
                sb += (g[k] - cb[k]) * (g[k] - cb[k]);
                num += (g[k] - ca[k]) * (cb[k] - ca[k]);
            }
            let alpha = if w > 1e-9 {
                (num / w).clamp(0.0, 1.0)
            } else {
                0.5
            };
            let mut sm = 0f32;
            for k in 0..3 {
                let p = ca[k] + alpha * (cb[k] - ca[k]);
                sm += (g[k] - p) * (g[k] - p);
            }
            (ea[t], eb[t], em[t], al[t]) = (sa, sb, sm, alpha);
        }
        // cost(τ) = Σ_{t<τ} eA + eM[τ] + Σ_{t>τ} eB, τ in 0..=m (τ = m: all `A`).
        let total_b: f32 = eb.iter().sum();
        let (mut pre_a, mut best) = (0f32, (f32::INFINITY, 0usize));
        let mut suf_b = total_b;
        for t in 0..=m {
            let cost = if t < m {
                suf_b -= eb[t];
                pre_a + em[t] + suf_b
            } else {
                pre_a
            };
            if cost < best.0 {
                best = (cost, t);
            }
            if t < m {
                pre_a += ea[t];
            }
        }
        err += best.0;
        let t0 = best.1;
        for (t, p) in progress.iter_mut().enumerate() {
            *p += w * if t < t0 {
                0.0
            } else if t == t0 {
                al[t]
            } else {
                1.0
            };
        }
        wsum += w;
        // Only cells that really change carry a meaningful switch frame.
        if w > 0.03 {
            *tau_c = if t0 < m {
                t0 as f32 + 1.0 - al[t0]
            } else {
                m as f32 + 1.0
            };
        }
    }
    progress.iter_mut().for_each(|p| *p /= wsum.max(1e-9));
    let roughness = roughness(&tau, m);
    MaskWipe {
        progress,
        err,
        roughness,
        crossing: tau,
    }
}

/// Weight of `B` in one cell's colour `g` (3 values): its projection on the line from
/// `a` to `b`, unclamped (`w` = |b − a|²; 0 when the cell does not change).
pub fn blend_weight(g: &[f32], a: &[f32], b: &[f32], w: f32) -> f32 {
    if w > 1e-9 {
        (0..3).map(|k| (g[k] - a[k]) * (b[k] - a[k])).sum::<f32>() / w
    } else {
        0.0
    }
}

/// Ramp lengths tried by [`fit_soft_mask_wipe`], as shares of the span.
const SOFT_RAMPS: [f32; 4] = [0.15, 0.25, 0.375, 0.5];

/// Fits the shaped-wipe model with a soft edge: every cell blends from `A` to `B` along
/// `smoothstep` over a ramp of `L` frames centred on its own crossing frame `τ` (ffmpeg's
/// smooth, barn-door and diagonal wipes blend each pixel over a large share of the
/// span). `L` is common to all cells (one edge), chosen from [`SOFT_RAMPS`]; `τ` per cell
/// on a half-frame grid. The crossings are reported like [`fit_mask_wipe`]'s.
pub fn fit_soft_mask_wipe(mids: &[&[f32]], a: &[f32], b: &[f32]) -> MaskWipe {
    let m = mids.len();
    // Per cell and frame: the weight along B − A and the squared error off that line.
    let mut best: Option<MaskWipe> = None;
    let mut cells: Vec<(f32, Vec<f32>, f32)> = Vec::with_capacity(THUMB_CELLS);
    for c in 0..THUMB_CELLS {
        let r = c * 3..c * 3 + 3;
        let (ca, cb) = (&a[r.clone()], &b[r.clone()]);
        let w: f32 = ca.iter().zip(cb).map(|(x, y)| (y - x) * (y - x)).sum();
        let mut al = Vec::with_capacity(m);
        let mut perp = 0f32;
        for g in mids {
            let g = &g[r.clone()];
            let alpha = blend_weight(g, ca, cb, w);
            perp += (0..3)
                .map(|k| {
                    let d = g[k] - ca[k] - alpha * (cb[k] - ca[k]);
                    d * d
                })
                .sum::<f32>();
            al.push(alpha);
        }
        cells.push((w, al, perp));
    }
    let smooth = |x: f32| {
        let u = (x + 0.5).clamp(0.0, 1.0);
        u * u * (3.0 - 2.0 * u)
    };
    for share in SOFT_RAMPS {
        let len = (share * (m + 1) as f32).max(1.0);
        let mut progress = vec![0f32; m];
        let mut tau = vec![f32::NAN; THUMB_CELLS];
        let (mut err, mut wsum) = (0f32, 0f32);
        // Crossing frames (after `A`) from half a ramp before the first frame to half a
        // ramp after the last. The ramp of each candidate crossing is the same for every
        // cell: tabulated once per ramp length.
        let steps = ((m as f32 + 1.0 + len) * 2.0).ceil() as usize;
        let ramps: Vec<(f32, Vec<f32>)> = (0..=steps)
            .map(|i| {
                let t0 = -0.5 * len + 0.5 * i as f32;
                let ramp = (0..m)
                    .map(|t| smooth((t as f32 + 1.0 - t0) / len))
                    .collect();
                (t0, ramp)
            })
            .collect();
        for (c, (w, al, perp)) in cells.iter().enumerate() {
            let mut bc = (f32::INFINITY, 0f32);
            for (t0, ramp) in &ramps {
                let cost: f32 = al
                    .iter()
                    .zip(ramp)
                    .map(|(x, r)| {
                        let d = x - r;
                        d * d
                    })
                    .sum();
                if cost < bc.0 {
                    bc = (cost, *t0);
                }
            }
            err += perp + w * bc.0;
            for (t, p) in progress.iter_mut().enumerate() {
                *p += w * smooth((t as f32 + 1.0 - bc.1) / len);
            }
            wsum += w;
            if *w > 0.03 {
                tau[c] = bc.1;
            }
        }
        progress.iter_mut().for_each(|p| *p /= wsum.max(1e-9));
        let fit = MaskWipe {
            roughness: roughness(&tau, m),
            progress,
            err,
            crossing: tau,
        };
        if best.as_ref().is_none_or(|b| fit.err < b.err) {
            best = Some(fit);
        }
    }
    best.expect("at least one ramp length")
}

/// Mean difference of the switch frames of neighbouring changing cells over the span.
fn roughness(tau: &[f32], m: usize) -> f32 {
    let (mut diff, mut pairs) = (0f32, 0usize);
    for cy in 0..THUMB_H {
        for cx in 0..THUMB_W {
            let t = tau[cy * THUMB_W + cx];
            for (nx, ny) in [(cx + 1, cy), (cx, cy + 1)] {
                if nx < THUMB_W && ny < THUMB_H {
                    let u = tau[ny * THUMB_W + nx];
                    if !t.is_nan() && !u.is_nan() {
                        diff += (t - u).abs();
                        pairs += 1;
                    }
                }
            }
        }
    }
    if pairs > 0 {
        diff / pairs as f32 / (m.max(1) as f32)
    } else {
        1.0
    }
}

/// Steps of the grid search over `p` in 0..1 (`p = step / P_STEPS`).
pub const P_STEPS: usize = 64;

/// The model's predictions on the grid of [`search_p`], one thumbnail per step. They
/// depend on `A` and `B` only, so a window computes them once and matches every frame
/// between `A` and `B` against them ([`best_p`]).
pub fn predictions(
    a: &[f32],
    b: &[f32],
    model: impl Fn(&[f32], &[f32], f32, &mut [f32]),
) -> Vec<Vec<f32>> {
    (0..=P_STEPS)
        .map(|step| {
            let mut buf = vec![0f32; THUMB_CELLS * 3];
            model(a, b, step as f32 / P_STEPS as f32, &mut buf);
            buf
        })
        .collect()
}

/// The grid step whose prediction fits `f` best (the first on ties); returns (p, error).
pub fn best_p(f: &[f32], preds: &[Vec<f32>]) -> (f32, f32) {
    let mut best = (0.0, f32::INFINITY);
    for (step, pred) in preds.iter().enumerate() {
        let e = sse(f, pred);
        if e < best.1 {
            best = (step as f32 / P_STEPS as f32, e);
        }
    }
    best
}

/// Grid search of a one-parameter model over `p` in 0..1; returns (best p, error).
pub fn search_p(
    f: &[f32],
    a: &[f32],
    b: &[f32],
    model: impl Fn(&[f32], &[f32], f32, &mut [f32]),
) -> (f32, f32) {
    best_p(f, &predictions(a, b, model))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(seed: u32) -> Vec<f32> {
        (0..THUMB_CELLS * 3)
            .map(|i| (((i as u32).wrapping_mul(2654435761u32) ^ seed) % 1000) as f32 / 1000.0)
            .collect()
    }

    #[test]
    fn models_recover_their_own_parameters() {
        let (a, b) = (ramp(1), ramp(7));
        let mut f = vec![0f32; a.len()];
        wipe(&a, &b, Dir::Left, 0.375, &mut f);
        let (p, e) = search_p(&f, &a, &b, |a, b, p, o| wipe(a, b, Dir::Left, p, o));
        assert!((p - 0.375).abs() < 0.02 && e < 1e-6);
        slide(&a, &b, Dir::Down, 0.5, &mut f);
        let (p, e) = search_p(&f, &a, &b, |a, b, p, o| slide(a, b, Dir::Down, p, o));
        assert!((p - 0.5).abs() < 0.02 && e < 1e-6, "{p} {e}");
        let mix: Vec<f32> = a.iter().zip(&b).map(|(x, y)| 0.3 * x + 0.2 * y).collect();
        let (ca, cb, e) = fit_mix(&mix, &a, &b, 0.0);
        assert!((ca - 0.3).abs() < 1e-3 && (cb - 0.2).abs() < 1e-3 && e < 1e-6);
        let dis: Vec<f32> = a.iter().zip(&b).map(|(x, y)| 0.6 * x + 0.4 * y).collect();
        let (al, e) = fit_dissolve(&dis, &a, &b);
        assert!((al - 0.4).abs() < 1e-3 && e < 1e-6);
    }

    /// A soft-edged wipe from the left (every column blends along `smoothstep` over
    /// half the span, like ffmpeg's `smoothleft`): the soft model explains it nearly
    /// exactly with a smooth crossing map, the hard-edged one does not.
    #[test]
    fn soft_mask_wipe_explains_a_soft_edge() {
        let (a, b) = (ramp(5), ramp(13));
        let n = 20usize;
        let frames: Vec<Vec<f32>> = (1..n)
            .map(|t| {
                let u = t as f32 / n as f32;
                let mut g = a.clone();
                for cy in 0..THUMB_H {
                    for cx in 0..THUMB_W {
                        let x = (1.0 - cx as f32 / (THUMB_W - 1) as f32 + 2.0 * u - 1.0)
                            .clamp(0.0, 1.0);
                        let w = x * x * (3.0 - 2.0 * x);
                        let c = (cy * THUMB_W + cx) * 3;
                        for k in c..c + 3 {
                            g[k] = a[k] + w * (b[k] - a[k]);
                        }
                    }
                }
                g
            })
            .collect();
        let views: Vec<&[f32]> = frames.iter().map(|g| g.as_slice()).collect();
        let norm: f32 = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum();
        let soft = fit_soft_mask_wipe(&views, &a, &b);
        let hard = fit_mask_wipe(&views, &a, &b);
        assert!(
            soft.err < 0.01 * norm * (n - 1) as f32,
            "{}",
            soft.err / norm
        );
        assert!(hard.err > 4.0 * soft.err, "{} {}", hard.err, soft.err);
        assert!(soft.roughness < 0.1, "{}", soft.roughness);
    }

    /// A circle opening from the centre over 12 frames: per-cell switch frames explain
    /// it exactly, with a smooth switch map and the edge's travel spanning the wipe; a
    /// dissolve of the same pair does not fit the model.
    #[test]
    fn mask_wipe_explains_a_circle_and_not_a_dissolve() {
        let (a, b) = (ramp(3), ramp(11));
        let n = 12usize;
        let (cxm, cym) = ((THUMB_W as f32 - 1.0) / 2.0, (THUMB_H as f32 - 1.0) / 2.0);
        let rmax = (cxm * cxm + cym * cym).sqrt();
        let frames: Vec<Vec<f32>> = (1..n)
            .map(|t| {
                let r = rmax * t as f32 / n as f32;
                let mut g = a.clone();
                for cy in 0..THUMB_H {
                    for cx in 0..THUMB_W {
                        let d = ((cx as f32 - cxm).powi(2) + (cy as f32 - cym).powi(2)).sqrt();
                        if d < r {
                            let c = (cy * THUMB_W + cx) * 3;
                            g[c..c + 3].copy_from_slice(&b[c..c + 3]);
                        }
                    }
                }
                g
            })
            .collect();
        let views: Vec<&[f32]> = frames.iter().map(|g| g.as_slice()).collect();
        let mw = fit_mask_wipe(&views, &a, &b);
        assert!(mw.err < 1e-4, "{}", mw.err);
        assert!(mw.roughness < 0.1, "{}", mw.roughness);
        assert!(mw.progress.windows(2).all(|w| w[1] >= w[0]));
        let (x0, x1) = mw.crossing_span().unwrap();
        assert!(x0 < 3.0 && x1 > n as f32 - 3.0, "{x0} {x1}");
        let norm: f32 = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum();
        let dis: Vec<Vec<f32>> = (1..n)
            .map(|t| {
                let al = t as f32 / n as f32;
                a.iter().zip(&b).map(|(x, y)| x + al * (y - x)).collect()
            })
            .collect();
        let views: Vec<&[f32]> = dis.iter().map(|g| g.as_slice()).collect();
        let mw = fit_mask_wipe(&views, &a, &b);
        assert!(mw.err > 0.05 * norm * (n - 1) as f32, "{}", mw.err / norm);
    }
}
