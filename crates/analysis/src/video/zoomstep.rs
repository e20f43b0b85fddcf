//! Zoom and shift between two thumbnails, fitted to a fraction of a cell: the measure the
//! cut detector's punch-in rule for moving pictures reads (`cuts::zoom_step_cut`).
//!
//! The later thumbnail `b` is predicted from the earlier `a` as a view of it zoomed by `z`
//! about the centre and shifted by (`tx`, `ty`) cells (bilinear samples of `a`), and the
//! mean absolute difference over the cells the view keeps inside `a` is the error. A zoom
//! in (`b` tighter than `a`) keeps every cell of `b` inside `a`; so does a pull-out read
//! the other way round (`a` predicted from `b`): both ways are fitted with `z` ≥ 1 and the
//! better one kept, signed (+ = `b` tighter). The same search without a zoom gives the
//! error of the best translation, and the frames in place give the error of no move.

use super::frame::{Thumb, THUMB_H, THUMB_W};

/// A fitted zoom between two thumbnails.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZoomFit {
    /// log2 of the zoom from the earlier frame to the later (+ = the later is tighter).
    pub log_zoom: f32,
    /// Shift of the zoomed view, cells (of the tighter frame's view).
    pub shift: (f32, f32),
    /// Mean absolute difference per value of the best zoom with a shift.
    pub err: f32,
    /// The same of the best shift alone (zoom 1).
    pub err_shift: f32,
    /// The same of the frames in place.
    pub err_still: f32,
}

impl ZoomFit {
    /// True when the fitted zoom is the search's largest ([`ZOOM_MAX`]): the error still
    /// fell at the range's end, so no scale was located. A picture smoothed from one frame
    /// to the next (motion blur switching on as a fast pan starts, a focus pull) matches a
    /// view of the earlier frame the better the more it is magnified (magnifying smooths),
    /// and runs the fit into its limit; one framing's step to another (a punch-in of
    /// 1.1-1.6x) has its minimum inside the range.
    pub fn pegged(&self) -> bool {
        self.log_zoom.abs() >= ZOOM_MAX.log2() - 1e-4
    }
}

/// Zooms of the coarse search (the refinement moves between them).
const ZOOMS: [f32; 11] = [
    1.0, 1.05, 1.1, 1.15, 1.2, 1.27, 1.35, 1.43, 1.52, 1.62, 1.72,
];
/// Largest shift of the coarse search, cells (x, y; the refinement may go one further):
/// a fast pan's frame and a reposition. The planner's punch-in splits move the crop's
/// centre as well as its scale: in our own renders (`bench/qa_sweep.py`) the tighter
/// framing's centre lies 6-12 of the wider frame's 32 cells across off its centre
/// (`wanna-slide` 14.54 s: 1.25x, 12 cells), past the old search's 4 (+1), whose
/// best fit then sat on the range's edge and did not beat the shift (session 29).
/// Vertically the crops move by up to 2 cells of 18.
const SHIFT_X: i32 = 10;
const SHIFT_Y: i32 = 5;
/// Largest zoom the refinement may reach (past the coarse grid's last). A fit that ends
/// on it measured no zoom (see [`ZoomFit::pegged`]).
pub(crate) const ZOOM_MAX: f32 = 1.8;
/// Share of the cells the view must keep inside the source for an error to count.
const OVERLAP: f32 = 0.6;

/// Source samples of one axis of a view: for each output index, the first of the two
/// source indices it blends and the weight of the second, for the contiguous run of
/// outputs whose sample falls inside the source (the sample grows with the index).
struct Axis {
    /// First and one past the last output index inside the source.
    lo: usize,
    hi: usize,
    /// Per output index in `lo..hi`: (first source index, weight of the next).
    at: [(usize, f32); THUMB_W],
}

impl Axis {
    /// The samples `c + (i - c) / z + t` of `len` outputs over a source of `len` values
    /// (`c` = the centre), exactly as [`view_err_reference`] computes them.
    fn new(len: usize, z: f32, t: f32) -> Axis {
        let c = (len as f32 - 1.0) / 2.0;
        let max = (len - 1) as f32;
        let mut axis = Axis {
            lo: len,
            hi: len,
            at: [(0, 0.0); THUMB_W],
        };
        let mut inside = false;
        for i in 0..len {
            let s = c + (i as f32 - c) / z + t;
            if !(0.0..=max).contains(&s) {
                if inside {
                    axis.hi = i;
                    break;
                }
                continue;
            }
            if !inside {
                inside = true;
                axis.lo = i;
            }
            // `s` is in 0..=max here, so truncation is `floor` (and -0.0 gives 0 both ways).
            let i0 = (s as usize).min(len - 2);
            axis.at[i] = (i0, s - i0 as f32);
        }
        axis
    }

    fn len(&self) -> usize {
        self.hi - self.lo
    }
}

/// Mean absolute difference of `b` against the view of `a` zoomed by `z` and shifted by
/// (`tx`, `ty`) cells; infinite when under [`OVERLAP`] of the cells fall inside `a`.
/// Once the running mean reaches `bound` the sum stops and that mean (≥ `bound`) is
/// returned: every term is ≥ 0, so the full mean would not be under `bound` either.
/// Under `bound` the value is [`view_err_reference`]'s bit for bit (same terms, same
/// order).
fn view_err(a: &Thumb, b: &Thumb, z: f32, tx: f32, ty: f32, bound: f32) -> f32 {
    let cols = Axis::new(THUMB_W, z, tx);
    let rows = Axis::new(THUMB_H, z, ty);
    let n = cols.len() * rows.len();
    if (n as f32) < OVERLAP * (THUMB_W * THUMB_H) as f32 {
        return f32::INFINITY;
    }
    let div = (3 * n) as f32;
    let cols_at = &cols.at[cols.lo..cols.hi];
    let mut sum = 0f32;
    for y in rows.lo..rows.hi {
        let (y0, fy) = rows.at[y];
        let row_a = &a[y0 * THUMB_W * 3..(y0 + 2) * THUMB_W * 3];
        let row_b = &b[(y * THUMB_W + cols.lo) * 3..(y * THUMB_W + cols.hi) * 3];
        for (&(x0, fx), o) in cols_at.iter().zip(row_b.chunks_exact(3)) {
            let i00 = x0 * 3;
            let i10 = i00 + 3;
            let i01 = i00 + THUMB_W * 3;
            let i11 = i01 + 3;
            for k in 0..3 {
                let top = row_a[i00 + k] + (row_a[i10 + k] - row_a[i00 + k]) * fx;
                let bottom = row_a[i01 + k] + (row_a[i11 + k] - row_a[i01 + k]) * fx;
                sum += (o[k] - (top + (bottom - top) * fy)).abs();
            }
        }
        let mean = sum / div;
        if mean >= bound {
            return mean;
        }
    }
    sum / div
}

/// [`view_err`] as first written (every cell's sample computed in place, no bound): the
/// reference the tests hold the fast form to.
#[cfg(test)]
fn view_err_reference(a: &Thumb, b: &Thumb, z: f32, tx: f32, ty: f32) -> f32 {
    let (cx, cy) = ((THUMB_W as f32 - 1.0) / 2.0, (THUMB_H as f32 - 1.0) / 2.0);
    let (xmax, ymax) = ((THUMB_W - 1) as f32, (THUMB_H - 1) as f32);
    let mut sum = 0f32;
    let mut n = 0usize;
    for y in 0..THUMB_H {
        let sy = cy + (y as f32 - cy) / z + ty;
        if !(0.0..=ymax).contains(&sy) {
            continue;
        }
        let y0 = (sy.floor() as usize).min(THUMB_H - 2);
        let fy = sy - y0 as f32;
        for x in 0..THUMB_W {
            let sx = cx + (x as f32 - cx) / z + tx;
            if !(0.0..=xmax).contains(&sx) {
                continue;
            }
            let x0 = (sx.floor() as usize).min(THUMB_W - 2);
            let fx = sx - x0 as f32;
            let i00 = (y0 * THUMB_W + x0) * 3;
            let i10 = i00 + 3;
            let i01 = i00 + THUMB_W * 3;
            let i11 = i01 + 3;
            let o = (y * THUMB_W + x) * 3;
            for k in 0..3 {
                let top = a[i00 + k] + (a[i10 + k] - a[i00 + k]) * fx;
                let bottom = a[i01 + k] + (a[i11 + k] - a[i01 + k]) * fx;
                sum += (b[o + k] - (top + (bottom - top) * fy)).abs();
            }
            n += 1;
        }
    }
    if (n as f32) < OVERLAP * (THUMB_W * THUMB_H) as f32 {
        f32::INFINITY
    } else {
        sum / (3 * n) as f32
    }
}

/// Best (error, z, tx, ty) predicting `b` from `a` with `z` ≥ 1 (`zoom` false: z = 1):
/// the coarse grid, then a local search over halving steps.
fn best_view(a: &Thumb, b: &Thumb, zoom: bool) -> (f32, f32, f32, f32) {
    let mut best = (f32::INFINITY, 1f32, 0f32, 0f32);
    let zooms: &[f32] = if zoom { &ZOOMS } else { &ZOOMS[..1] };
    for &z in zooms {
        for ty in -SHIFT_Y..=SHIFT_Y {
            for tx in -SHIFT_X..=SHIFT_X {
                let e = view_err(a, b, z, tx as f32, ty as f32, best.0);
                if e < best.0 {
                    best = (e, z, tx as f32, ty as f32);
                }
            }
        }
    }
    let mut step = 0.5f32;
    let mut zstep = 0.025f32;
    for _ in 0..3 {
        loop {
            let (_, z0, x0, y0) = best;
            let mut moved = false;
            let zs: &[f32] = if zoom { &[-1.0, 0.0, 1.0] } else { &[0.0] };
            for &dz in zs {
                let z = (z0 * (1.0 + dz * zstep)).clamp(1.0, ZOOM_MAX);
                for dy in [-1.0f32, 0.0, 1.0] {
                    for dx in [-1.0f32, 0.0, 1.0] {
                        if dz == 0.0 && dx == 0.0 && dy == 0.0 {
                            continue;
                        }
                        let (x, y) = (x0 + dx * step, y0 + dy * step);
                        if x.abs() > (SHIFT_X + 1) as f32 || y.abs() > (SHIFT_Y + 1) as f32 {
                            continue;
                        }
                        let e = view_err(a, b, z, x, y, best.0);
                        if e < best.0 {
                            best = (e, z, x, y);
                            moved = true;
                        }
                    }
                }
            }
            if !moved {
                break;
            }
        }
        step /= 2.0;
        zstep /= 2.0;
    }
    best
}

/// Fits the zoom from `a` (earlier) to `b` (later); see the module's doc.
pub fn fit(a: &Thumb, b: &Thumb) -> ZoomFit {
    // The three searches are independent: on both cores (they run after the decode, on
    // the critical path of the analysis).
    let (fwd, (back, shift)) = rayon::join(
        || best_view(a, b, true),
        || rayon::join(|| best_view(b, a, true), || best_view(a, b, false)),
    );
    let (e, z, tx, ty, sign) = if fwd.0 <= back.0 {
        (fwd.0, fwd.1, fwd.2, fwd.3, 1.0)
    } else {
        (back.0, back.1, back.2, back.3, -1.0)
    };
    ZoomFit {
        log_zoom: sign * z.log2(),
        shift: (tx, ty),
        err: e.min(shift.0),
        err_shift: shift.0,
        err_still: view_err(a, b, 1.0, 0.0, 0.0, f32::INFINITY),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::frame::THUMB_LEN;

    /// A smooth textured picture seen at `zoom` about (0.5 + ox, 0.5 + oy), as a thumbnail.
    fn view(zoom: f32, ox: f32, oy: f32) -> Thumb {
        let mut t = [0f32; THUMB_LEN];
        for y in 0..THUMB_H {
            for x in 0..THUMB_W {
                let u = 0.5 + ox + ((x as f32 + 0.5) / THUMB_W as f32 - 0.5) / zoom;
                let v = 0.5 + oy + ((y as f32 + 0.5) / THUMB_H as f32 - 0.5) / zoom;
                let i = (y * THUMB_W + x) * 3;
                t[i] = 0.5 + 0.3 * (9.0 * u).sin() * (7.0 * v).cos();
                t[i + 1] = 0.5 + 0.3 * (5.0 * u + 3.0 * v).sin();
                t[i + 2] = 0.5 + 0.3 * (11.0 * v - 2.0 * u).cos();
            }
        }
        t
    }

    /// A thumbnail of seeded noise mixed with `view`'s smooth picture (values 0..1 with
    /// fine detail, so the bilinear weights matter).
    fn noisy(seed: u64, zoom: f32) -> Thumb {
        let mut t = view(zoom, 0.01, -0.02);
        let mut x = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        for v in t.iter_mut() {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let r = (x >> 40) as f32 / (1u64 << 24) as f32;
            *v = 0.7 * *v + 0.3 * r;
        }
        t
    }

    #[test]
    fn the_bounded_view_error_is_the_reference_bit_for_bit() {
        let (a, b) = (noisy(1, 1.0), noisy(2, 1.2));
        let mut checked = 0;
        let mut stopped = 0;
        for zi in 0..40 {
            let z = 1.0 + zi as f32 * 0.0213;
            for tyi in -17..=17 {
                for txi in -21..=21 {
                    let (tx, ty) = (txi as f32 * 0.25, tyi as f32 * 0.25);
                    let want = view_err_reference(&a, &b, z, tx, ty);
                    let got = view_err(&a, &b, z, tx, ty, f32::INFINITY);
                    assert_eq!(want.to_bits(), got.to_bits(), "z {z} tx {tx} ty {ty}");
                    // A bound: under it the value is exact, at or over it the reference
                    // is not under it either.
                    for bound in [0.05f32, 0.1, 0.15, 0.2, want] {
                        let e = view_err(&a, &b, z, tx, ty, bound);
                        if e < bound {
                            assert_eq!(want.to_bits(), e.to_bits());
                        } else {
                            assert!(want >= bound, "z {z} tx {tx} ty {ty} bound {bound}");
                            if want.is_finite() && e < want {
                                stopped += 1;
                            }
                        }
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 40 * 35 * 43);
        assert!(
            stopped > 1000,
            "the bound never stopped a sum early: {stopped}"
        );
    }

    #[test]
    fn the_fit_is_the_unbounded_search_bit_for_bit() {
        // The search with the reference error in place of the bounded one.
        fn best_ref(a: &Thumb, b: &Thumb, zoom: bool) -> (f32, f32, f32, f32) {
            let mut best = (f32::INFINITY, 1f32, 0f32, 0f32);
            let zooms: &[f32] = if zoom { &ZOOMS } else { &ZOOMS[..1] };
            for &z in zooms {
                for ty in -SHIFT_Y..=SHIFT_Y {
                    for tx in -SHIFT_X..=SHIFT_X {
                        let e = view_err_reference(a, b, z, tx as f32, ty as f32);
                        if e < best.0 {
                            best = (e, z, tx as f32, ty as f32);
                        }
                    }
                }
            }
            let mut step = 0.5f32;
            let mut zstep = 0.025f32;
            for _ in 0..3 {
                loop {
                    let (_, z0, x0, y0) = best;
                    let mut moved = false;
                    let zs: &[f32] = if zoom { &[-1.0, 0.0, 1.0] } else { &[0.0] };
                    for &dz in zs {
                        let z = (z0 * (1.0 + dz * zstep)).clamp(1.0, ZOOM_MAX);
                        for dy in [-1.0f32, 0.0, 1.0] {
                            for dx in [-1.0f32, 0.0, 1.0] {
                                if dz == 0.0 && dx == 0.0 && dy == 0.0 {
                                    continue;
                                }
                                let (x, y) = (x0 + dx * step, y0 + dy * step);
                                if x.abs() > (SHIFT_X + 1) as f32 || y.abs() > (SHIFT_Y + 1) as f32
                                {
                                    continue;
                                }
                                let e = view_err_reference(a, b, z, x, y);
                                if e < best.0 {
                                    best = (e, z, x, y);
                                    moved = true;
                                }
                            }
                        }
                    }
                    if !moved {
                        break;
                    }
                }
                step /= 2.0;
                zstep /= 2.0;
            }
            best
        }
        let bits =
            |v: (f32, f32, f32, f32)| [v.0.to_bits(), v.1.to_bits(), v.2.to_bits(), v.3.to_bits()];
        let pics = [
            view(1.0, 0.0, 0.0),
            view(1.3, 0.02, -0.01),
            view(1.0, 0.03, 0.0),
            noisy(3, 1.0),
            noisy(4, 1.45),
            noisy(5, 1.1),
        ];
        for a in &pics {
            for b in &pics {
                for zoom in [true, false] {
                    assert_eq!(bits(best_view(a, b, zoom)), bits(best_ref(a, b, zoom)));
                }
            }
        }
    }

    #[test]
    fn reads_a_zoom_in_a_pull_out_and_a_shift() {
        let a = view(1.0, 0.0, 0.0);
        let b = view(1.3, 0.02, -0.01);
        let f = fit(&a, &b);
        assert!((f.log_zoom - 1.3f32.log2()).abs() < 0.06, "{f:?}");
        assert!(f.err < 0.3 * f.err_shift, "{f:?}");
        let g = fit(&b, &a);
        assert!((g.log_zoom + 1.3f32.log2()).abs() < 0.06, "{g:?}");
        // A shift alone: no zoom, and the shift explains it as well as any zoom.
        let c = view(1.0, 0.03, 0.0);
        let h = fit(&a, &c);
        assert!(h.log_zoom.abs() < 0.05, "{h:?}");
        assert!(h.err_shift < 0.5 * h.err_still, "{h:?}");
    }
}
