//! Global camera motion between consecutive frames.
//!
//! Each frame becomes a 128-px-wide grey image and a half-size copy. Textured 16×16
//! blocks on a fixed grid are matched against the previous frame: full search (±6 px)
//! on the half-size image, ±1 px refinement at full size, parabolic sub-pixel peak. The
//! block vectors are fitted with a translation + isotropic scale model about the centre
//! by iteratively reweighted least squares (Tukey weights), so moving objects count as
//! outliers. What the model does not explain is the object (residual) motion.

const GW: usize = 128;
const BLOCK: usize = 16;
const COARSE_R: i32 = 6;

/// Camera motion between one frame and the previous one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairMotion {
    /// Presentation time of the later frame.
    pub pts_s: f64,
    /// Horizontal / vertical translation, fraction of frame width / height (+ = content
    /// moves right / down, i.e. the camera pans left / tilts up).
    pub tx: f32,
    pub ty: f32,
    /// Scale factor change (1.02 = content grew 2 %: a zoom in / push-in).
    pub scale: f32,
    /// Mean block motion the model leaves unexplained, fraction of frame width.
    pub residual: f32,
    /// False when too few textured blocks matched (flat or changing picture).
    pub valid: bool,
}

struct Gray {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

impl Gray {
    fn at(&self, x: i32, y: i32) -> i32 {
        let x = x.clamp(0, self.w as i32 - 1) as usize;
        let y = y.clamp(0, self.h as i32 - 1) as usize;
        self.px[y * self.w + x] as i32
    }

    fn half(&self) -> Gray {
        let (w, h) = (self.w / 2, self.h / 2);
        let mut px = vec![0u8; w * h];
        for y in 0..h {
            for x in 0..w {
                let s = self.px[2 * y * self.w + 2 * x] as u32
                    + self.px[2 * y * self.w + 2 * x + 1] as u32
                    + self.px[(2 * y + 1) * self.w + 2 * x] as u32
                    + self.px[(2 * y + 1) * self.w + 2 * x + 1] as u32;
                px[y * w + x] = (s / 4) as u8;
            }
        }
        Gray { w, h, px }
    }

    fn sad(&self, other: &Gray, x0: i32, y0: i32, dx: i32, dy: i32, size: i32) -> i32 {
        let inside = |g: &Gray, x: i32, y: i32| {
            x >= 0 && y >= 0 && x + size <= g.w as i32 && y + size <= g.h as i32
        };
        if inside(self, x0, y0) && inside(other, x0 + dx, y0 + dy) {
            // Fast path: both blocks lie inside their images.
            let a = &self.px[y0 as usize * self.w + x0 as usize..];
            let b = &other.px[(y0 + dy) as usize * other.w + (x0 + dx) as usize..];
            match size {
                8 => return sad_fixed::<8>(a, self.w, b, other.w),
                16 => return sad_fixed::<16>(a, self.w, b, other.w),
                _ => {}
            }
            let mut s = 0i32;
            for y in 0..size as usize {
                let a = &self.px[(y0 as usize + y) * self.w + x0 as usize..][..size as usize];
                let b = &other.px[((y0 + dy) as usize + y) * other.w + (x0 + dx) as usize..]
                    [..size as usize];
                s += a
                    .iter()
                    .zip(b)
                    .map(|(p, q)| (*p as i32 - *q as i32).abs())
                    .sum::<i32>();
            }
            return s;
        }
        let mut s = 0;
        for y in y0..y0 + size {
            for x in x0..x0 + size {
                s += (self.at(x, y) - other.at(x + dx, y + dy)).abs();
            }
        }
        s
    }
}

/// Sum of absolute differences of two `N`×`N` blocks starting at `a[0]` and `b[0]`, rows
/// `aw` and `bw` apart (integer sums: the same value as the generic loop).
#[inline(always)]
fn sad_fixed<const N: usize>(a: &[u8], aw: usize, b: &[u8], bw: usize) -> i32 {
    let mut s = 0u32;
    for y in 0..N {
        let ra: &[u8; N] = a[y * aw..y * aw + N].try_into().unwrap();
        let rb: &[u8; N] = b[y * bw..y * bw + N].try_into().unwrap();
        for i in 0..N {
            s += ra[i].abs_diff(rb[i]) as u32;
        }
    }
    s as i32
}

fn to_gray(rgb: &[u8], width: usize, height: usize) -> Gray {
    let w = GW.min(width).max(BLOCK * 2);
    let h = ((height * w) / width.max(1)).max(BLOCK * 2) & !1;
    let w = w & !1;
    let mut px = vec![0u8; w * h];
    let sxs: Vec<usize> = (0..w).map(|x| (x * width / w).min(width - 1) * 3).collect();
    for (y, out) in px.chunks_exact_mut(w).enumerate() {
        let sy = (y * height / h).min(height - 1);
        let row = &rgb[sy * width * 3..(sy + 1) * width * 3];
        for (o, &sx) in out.iter_mut().zip(&sxs) {
            let p = &row[sx..sx + 3];
            *o = ((54 * p[0] as u32 + 183 * p[1] as u32 + 19 * p[2] as u32) >> 8) as u8;
        }
    }
    Gray { w, h, px }
}

/// Streaming estimator: feed frames in order.
#[derive(Default)]
pub struct MotionTracker {
    prev: Option<(Gray, Gray)>,
    pub pairs: Vec<PairMotion>,
}

impl MotionTracker {
    pub fn push(&mut self, pts_s: f64, rgb: &[u8], width: usize, height: usize) {
        let g = to_gray(rgb, width, height);
        let half = g.half();
        if let Some((pg, ph)) = &self.prev {
            let m = estimate(pg, ph, &g, &half, pts_s);
            self.pairs.push(m);
        }
        self.prev = Some((g, half));
    }
}

/// One matched block: centre (relative to the image centre) and its displacement.
struct Vector {
    x: f32,
    y: f32,
    dx: f32,
    dy: f32,
}

fn estimate(pg: &Gray, ph: &Gray, g: &Gray, half: &Gray, pts_s: f64) -> PairMotion {
    let mut vecs = Vec::new();
    let (cx, cy) = (g.w as f32 / 2.0, g.h as f32 / 2.0);
    let step = BLOCK;
    let mut by = BLOCK / 2;
    while by + BLOCK + BLOCK / 2 <= g.h {
        let mut bx = BLOCK / 2;
        while bx + BLOCK + BLOCK / 2 <= g.w {
            if let Some((dx, dy)) = match_block(pg, ph, g, half, bx as i32, by as i32) {
                vecs.push(Vector {
                    x: bx as f32 + BLOCK as f32 / 2.0 - cx,
                    y: by as f32 + BLOCK as f32 / 2.0 - cy,
                    dx,
                    dy,
                });
            }
            bx += step;
        }
        by += step;
    }
    let invalid = PairMotion {
        pts_s,
        tx: 0.0,
        ty: 0.0,
        scale: 1.0,
        residual: 0.0,
        valid: false,
    };
    if vecs.len() < 6 {
        return invalid;
    }
    let (tx, ty, k, resid) = fit(&vecs);
    PairMotion {
        pts_s,
        tx: tx / g.w as f32,
        ty: ty / g.h as f32,
        scale: 1.0 + k,
        residual: resid / g.w as f32,
        valid: true,
    }
}

/// Where the block at (bx, by) of the current frame came from in the previous frame,
/// as the content displacement (current − previous). None for flat blocks.
fn match_block(
    pg: &Gray,
    ph: &Gray,
    g: &Gray,
    half: &Gray,
    bx: i32,
    by: i32,
) -> Option<(f32, f32)> {
    let size = BLOCK as i32;
    // Texture check: flat blocks match anywhere.
    let mean: i32 = (by..by + size)
        .flat_map(|y| (bx..bx + size).map(move |x| (x, y)))
        .map(|(x, y)| g.at(x, y))
        .sum::<i32>()
        / (size * size);
    let dev: i32 = (by..by + size)
        .flat_map(|y| (bx..bx + size).map(move |x| (x, y)))
        .map(|(x, y)| (g.at(x, y) - mean).abs())
        .sum::<i32>()
        / (size * size);
    if dev < 4 {
        return None;
    }
    let (hx, hy, hs) = (bx / 2, by / 2, size / 2);
    let mut best = (i32::MAX, 0, 0);
    for dy in -COARSE_R..=COARSE_R {
        for dx in -COARSE_R..=COARSE_R {
            let s = half.sad(ph, hx, hy, dx, dy, hs);
            if s < best.0 {
                best = (s, dx, dy);
            }
        }
    }
    let (mut bdx, mut bdy) = (best.1 * 2, best.2 * 2);
    let mut fine = (i32::MAX, 0, 0);
    for dy in -1..=1 {
        for dx in -1..=1 {
            let s = g.sad(pg, bx, by, bdx + dx, bdy + dy, size);
            if s < fine.0 {
                fine = (s, dx, dy);
            }
        }
    }
    bdx += fine.1;
    bdy += fine.2;
    let sub = |a: i32, b: i32, c: i32| -> f32 {
        let den = (a - 2 * b + c) as f32;
        if den > 0.0 {
            (0.5 * (a - c) as f32 / den).clamp(-0.5, 0.5)
        } else {
            0.0
        }
    };
    let c0 = g.sad(pg, bx, by, bdx, bdy, size);
    let sx = sub(
        g.sad(pg, bx, by, bdx - 1, bdy, size),
        c0,
        g.sad(pg, bx, by, bdx + 1, bdy, size),
    );
    let sy = sub(
        g.sad(pg, bx, by, bdx, bdy - 1, size),
        c0,
        g.sad(pg, bx, by, bdx, bdy + 1, size),
    );
    // The block sits at (bx, by) now and matched (bx + d) before: content moved by −d.
    Some((-(bdx as f32 + sx), -(bdy as f32 + sy)))
}

/// IRLS fit of `d = t + k·p` (translation + scale about the centre) with Tukey weights.
/// Returns (tx, ty, k, mean absolute residual in px).
fn fit(v: &[Vector]) -> (f32, f32, f32, f32) {
    let mut w = vec![1f32; v.len()];
    let (mut tx, mut ty, mut k) = (0f32, 0f32, 0f32);
    for _ in 0..6 {
        // Normal equations for [tx, ty, k]: dx = tx + k·x, dy = ty + k·y.
        let (mut sw, mut sx, mut sy, mut sxx, mut sdx, mut sdy, mut sxd) =
            (0f32, 0f32, 0f32, 0f32, 0f32, 0f32, 0f32);
        for (q, wi) in v.iter().zip(&w) {
            sw += wi;
            sx += wi * q.x;
            sy += wi * q.y;
            sxx += wi * (q.x * q.x + q.y * q.y);
            sdx += wi * q.dx;
            sdy += wi * q.dy;
            sxd += wi * (q.x * q.dx + q.y * q.dy);
        }
        if sw < 1e-3 {
            break;
        }
        // Solve by eliminating tx, ty.
        let den = sxx - (sx * sx + sy * sy) / sw;
        k = if den.abs() > 1e-3 {
            (sxd - (sx * sdx + sy * sdy) / sw) / den
        } else {
            0.0
        };
        tx = (sdx - k * sx) / sw;
        ty = (sdy - k * sy) / sw;
        let res: Vec<f32> = v
            .iter()
            .map(|q| ((q.dx - tx - k * q.x).powi(2) + (q.dy - ty - k * q.y).powi(2)).sqrt())
            .collect();
        let mut sorted = res.clone();
        sorted.sort_by(f32::total_cmp);
        let c = (4.685 * 1.4826 * sorted[sorted.len() / 2]).max(1.0);
        for (wi, r) in w.iter_mut().zip(&res) {
            let u = r / c;
            *wi = if u < 1.0 { (1.0 - u * u).powi(2) } else { 0.0 };
        }
    }
    let resid = v
        .iter()
        .map(|q| ((q.dx - tx - k * q.x).powi(2) + (q.dy - ty - k * q.y).powi(2)).sqrt())
        .sum::<f32>()
        / v.len() as f32;
    (tx, ty, k, resid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texture(w: usize, h: usize, ox: f32, oy: f32, zoom: f32) -> Vec<u8> {
        let mut v = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            for x in 0..w {
                let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
                let u = (x as f32 - cx) / zoom + cx - ox;
                let t = (y as f32 - cy) / zoom + cy - oy;
                let val = 128.0
                    + 60.0 * (u * 0.21).sin() * (t * 0.17).cos()
                    + 40.0 * (u * 0.05 + t * 0.09).sin();
                let b = val.clamp(0.0, 255.0) as u8;
                v.extend([b, b, b]);
            }
        }
        v
    }

    #[test]
    fn recovers_translation_and_zoom() {
        let (w, h) = (256, 144);
        let mut t = MotionTracker::default();
        t.push(0.0, &texture(w, h, 0.0, 0.0, 1.0), w, h);
        t.push(0.04, &texture(w, h, 6.0, -4.0, 1.0), w, h);
        let m = t.pairs[0];
        assert!(m.valid);
        // 6 px at 256 wide = 0.0234 of the width; content moved right and up.
        assert!((m.tx - 6.0 / 256.0).abs() < 0.004, "{m:?}");
        assert!((m.ty + 4.0 / 144.0).abs() < 0.006, "{m:?}");
        assert!((m.scale - 1.0).abs() < 0.01, "{m:?}");
        let mut z = MotionTracker::default();
        z.push(0.0, &texture(w, h, 0.0, 0.0, 1.0), w, h);
        z.push(0.04, &texture(w, h, 0.0, 0.0, 1.05), w, h);
        let m = z.pairs[0];
        assert!((m.scale - 1.05).abs() < 0.015, "{m:?}");
    }
}
