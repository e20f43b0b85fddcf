//! A check of slow zooms with point features at the analysis frame's resolution.
//!
//! The camera model ([`super::motion`]) matches 16×16 blocks of a 128-px picture. On a
//! blurred telephoto street the still background has few such blocks, and a subject
//! crossing or approaching the camera outvotes it: bikes.mp4 reads slow zooms of
//! +0.045 and −0.086 log2/s where the background keeps its scale within ±0.01 log2/s
//! (docs/BENCHMARKS.md, "Session 19: false zoom readings on object-dominated footage").
//! At the decode's 256 px the background holds enough corners to outvote the subject
//! when each point counts once and the fit is robust (`bench/zoom_lk.py`'s method).
//!
//! So, on a [`STEP_S`] grid, while the frame pairs of a step read a zoom
//! ([`TRIGGER_RATE`]), the step's first and last frames (grey, 256 px wide) are compared:
//! Shi–Tomasi corners of the first ([`MAX_POINTS`]), tracked into the last by pyramidal
//! Lucas–Kanade (started at the pairs' translation) with a forward-backward check, and a
//! similarity (scale, rotation, translation) fitted to the tracks by RANSAC. Only the
//! grey step-start frame is kept between steps. After the shots are known, a shot whose
//! pairs read a zoom move has its zoom cleared when the median of its checked steps
//! shows none ([`clear_unseen_zooms`]).

use stylecut_types::Span;

use super::camera;
use super::motion::PairMotion;

/// Width (px) of the grey picture the check runs on (the decode's analysis width).
pub const CHECK_W: usize = 256;
/// Grid step (s) of the checks.
pub const STEP_S: f64 = 0.25;
/// Zoom rate (log2/s) the pairs of a step, or of the last [`TRIGGER_SPAN_S`], must read
/// for the step to be checked: half of [`camera::ZOOM_MIN_RATE`].
pub const TRIGGER_RATE: f64 = 0.02;
/// The longer span (s) of pairs that triggers a check: the steps of a slow zoom whose
/// pairs read little on their own are checked too, so a shot's checked steps are not
/// only those where the pairs read the most.
pub const TRIGGER_SPAN_S: f64 = 1.0;
/// Most corners tracked a step.
const MAX_POINTS: usize = 400;
/// Corners weaker than this share of the strongest are not taken.
const QUALITY: f32 = 0.01;
/// Least distance (px) between two corners (`zoom_lk.py`: a 64th of the width).
const MIN_DIST: f32 = 4.0;
/// Half side (px) of the Lucas–Kanade window (15×15).
const WIN_R: i32 = 7;
/// Pyramid levels (256, 128, 64 px wide). The tracks start at the frame pairs'
/// translation, so the background is within reach of the coarsest level; the track
/// back starts where the forward track ended and needs the finest level only.
const LEVELS: usize = 3;
/// Most Lucas–Kanade iterations a level (each stops once a step is under 0.01 px).
const MAX_ITER: usize = 10;
/// Largest distance (px) between a corner and where it is tracked back to.
const FB_MAX: f32 = 0.4;
/// RANSAC inlier distance (px; `zoom_lk.py`'s 1.5 px at 640 px wide).
const RANSAC_TOL: f32 = 0.6;
/// RANSAC draws of two tracks.
const RANSAC_DRAWS: usize = 300;
/// Fewest inliers for a step's reading to count.
pub const MIN_INLIERS: u32 = 20;
/// A shot's zoom is cleared when the median of its checked steps is under this rate
/// (log2/s; half of [`camera::ZOOM_MIN_RATE`]) ...
pub const STILL_RATE: f64 = 0.02;
/// ... and under this share of the rate its pairs read.
pub const STILL_SHARE: f64 = 0.5;
/// Fewest checked steps a shot needs for a verdict; they must also cover at least
/// [`MIN_COVER`] of the shot.
pub const MIN_STEPS: usize = 2;
/// Share of a shot's duration its checked steps must cover for a verdict.
pub const MIN_COVER: f64 = 0.3;

/// The reading of one checked step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScaleCheck {
    pub start_s: f64,
    pub end_s: f64,
    /// Scale change of the fitted similarity over the step (log2).
    pub log2: f32,
    /// Scale change the frame pairs read over the step (log2).
    pub pairs_log2: f32,
    /// RANSAC inliers and tracked corners.
    pub inliers: u32,
    pub tracked: u32,
}

impl ScaleCheck {
    pub fn rate(&self) -> f64 {
        f64::from(self.log2) / (self.end_s - self.start_s).max(1e-3)
    }
}

/// A grey picture, `f32` levels.
#[derive(Clone)]
struct Plane {
    w: usize,
    h: usize,
    px: Vec<f32>,
}

impl Plane {
    #[inline]
    fn at(&self, x: i32, y: i32) -> f32 {
        let x = x.clamp(0, self.w as i32 - 1) as usize;
        let y = y.clamp(0, self.h as i32 - 1) as usize;
        self.px[y * self.w + x]
    }

    fn half(&self) -> Plane {
        let (w, h) = ((self.w / 2).max(1), (self.h / 2).max(1));
        let mut px = vec![0f32; w * h];
        for y in 0..h {
            for x in 0..w {
                let (sx, sy) = (2 * x as i32, 2 * y as i32);
                px[y * w + x] = 0.25
                    * (self.at(sx, sy)
                        + self.at(sx + 1, sy)
                        + self.at(sx, sy + 1)
                        + self.at(sx + 1, sy + 1));
            }
        }
        Plane { w, h, px }
    }

    /// Central-difference gradients.
    fn gradients(&self) -> (Plane, Plane) {
        let mut gx = vec![0f32; self.w * self.h];
        let mut gy = vec![0f32; self.w * self.h];
        for y in 0..self.h as i32 {
            for x in 0..self.w as i32 {
                let i = y as usize * self.w + x as usize;
                gx[i] = 0.5 * (self.at(x + 1, y) - self.at(x - 1, y));
                gy[i] = 0.5 * (self.at(x, y + 1) - self.at(x, y - 1));
            }
        }
        let mk = |px| Plane {
            w: self.w,
            h: self.h,
            px,
        };
        (mk(gx), mk(gy))
    }
}

/// A picture's pyramid with each level's gradients.
struct Pyramid {
    levels: Vec<(Plane, Plane, Plane)>,
}

impl Pyramid {
    fn new(base: Plane) -> Pyramid {
        let mut levels = Vec::with_capacity(LEVELS);
        let mut p = base;
        for l in 0..LEVELS {
            let next = (l + 1 < LEVELS).then(|| p.half());
            let (gx, gy) = p.gradients();
            levels.push((p, gx, gy));
            match next {
                Some(n) => p = n,
                None => break,
            }
        }
        Pyramid { levels }
    }
}

/// The grey picture of an RGB frame, at most [`CHECK_W`] wide (nearest sample; the
/// decode already delivers 256 px).
pub fn grey(rgb: &[u8], width: usize, height: usize) -> (usize, usize, Vec<u8>) {
    let w = CHECK_W.min(width).max(1);
    let h = ((height * w) / width.max(1)).max(1);
    let mut px = vec![0u8; w * h];
    for (y, out) in px.chunks_exact_mut(w).enumerate() {
        let sy = (y * height / h).min(height - 1);
        let row = &rgb[sy * width * 3..(sy + 1) * width * 3];
        for (x, o) in out.iter_mut().enumerate() {
            let sx = (x * width / w).min(width - 1) * 3;
            let p = &row[sx..sx + 3];
            *o = ((54 * p[0] as u32 + 183 * p[1] as u32 + 19 * p[2] as u32) >> 8) as u8;
        }
    }
    (w, h, px)
}

fn plane(w: usize, h: usize, px: &[u8]) -> Plane {
    Plane {
        w,
        h,
        px: px.iter().map(|&v| f32::from(v)).collect(),
    }
}

/// Shi–Tomasi corners (the smaller eigenvalue of the 3×3-Sobel gradients' structure
/// tensor over 3×3 pixels, as OpenCV's `goodFeaturesToTrack`), local maxima at least
/// [`QUALITY`] of the strongest, strongest first, [`MIN_DIST`] apart, at most
/// [`MAX_POINTS`].
fn corners(p: &Plane) -> Vec<(f32, f32)> {
    let (w, h) = (p.w, p.h);
    let mut sx = vec![0f32; w * h];
    let mut sy = vec![0f32; w * h];
    for y in 0..h as i32 {
        for x in 0..w as i32 {
            let i = y as usize * w + x as usize;
            let a = |dx: i32, dy: i32| p.at(x + dx, y + dy);
            sx[i] = (a(1, -1) + 2.0 * a(1, 0) + a(1, 1)) - (a(-1, -1) + 2.0 * a(-1, 0) + a(-1, 1));
            sy[i] = (a(-1, 1) + 2.0 * a(0, 1) + a(1, 1)) - (a(-1, -1) + 2.0 * a(0, -1) + a(1, -1));
        }
    }
    let mut eig = vec![0f32; w * h];
    let mut best = 0f32;
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let (mut a, mut b, mut c) = (0f32, 0f32, 0f32);
            for dy in -1..=1i32 {
                for dx in -1..=1i32 {
                    let i = (y as i32 + dy) as usize * w + (x as i32 + dx) as usize;
                    let (u, v) = (sx[i], sy[i]);
                    a += u * u;
                    b += u * v;
                    c += v * v;
                }
            }
            let e = 0.5 * ((a + c) - ((a - c) * (a - c) + 4.0 * b * b).sqrt());
            eig[y * w + x] = e;
            best = best.max(e);
        }
    }
    if best <= 0.0 {
        return Vec::new();
    }
    let floor = QUALITY * best;
    let mut cand: Vec<(f32, usize, usize)> = Vec::new();
    for y in 2..h.saturating_sub(2) {
        for x in 2..w.saturating_sub(2) {
            let e = eig[y * w + x];
            if e < floor {
                continue;
            }
            let peak = (-1..=1i32).all(|dy| {
                (-1..=1i32)
                    .all(|dx| eig[(y as i32 + dy) as usize * w + (x as i32 + dx) as usize] <= e)
            });
            if peak {
                cand.push((e, x, y));
            }
        }
    }
    cand.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.2, a.1).cmp(&(b.2, b.1))));
    // Taken corners by cell of MIN_DIST px: a new corner only looks at the 3×3 cells
    // around its own.
    let cell = MIN_DIST as usize;
    let (gw, gh) = (w / cell + 1, h / cell + 1);
    let mut grid: Vec<Vec<(f32, f32)>> = vec![Vec::new(); gw * gh];
    let mut out: Vec<(f32, f32)> = Vec::new();
    for (_, x, y) in cand {
        let (cx, cy) = (x / cell, y / cell);
        let (x, y) = (x as f32, y as f32);
        let far = (cy.saturating_sub(1)..(cy + 2).min(gh)).all(|j| {
            (cx.saturating_sub(1)..(cx + 2).min(gw)).all(|i| {
                grid[j * gw + i]
                    .iter()
                    .all(|&(u, v)| (u - x) * (u - x) + (v - y) * (v - y) >= MIN_DIST * MIN_DIST)
            })
        });
        if far {
            grid[cy * gw + cx].push((x, y));
            out.push((x, y));
            if out.len() >= MAX_POINTS {
                break;
            }
        }
    }
    out
}

/// Side of the Lucas–Kanade window.
const SIDE: usize = (2 * WIN_R + 1) as usize;

/// Bilinear samples of the [`SIDE`]² window of `p` whose first sample is at `(x, y)`:
/// every sample shares the fractional offset, so the weights are computed once.
fn window(p: &Plane, x: f32, y: f32, out: &mut [f32; SIDE * SIDE]) {
    let (xf, yf) = (x.floor(), y.floor());
    let (fx, fy) = (x - xf, y - yf);
    let (x0, y0) = (xf as i32, yf as i32);
    let (w00, w10, w01, w11) = (
        (1.0 - fx) * (1.0 - fy),
        fx * (1.0 - fy),
        (1.0 - fx) * fy,
        fx * fy,
    );
    let s = SIDE as i32;
    if x0 >= 0 && y0 >= 0 && x0 + s < p.w as i32 && y0 + s < p.h as i32 {
        let (x0, y0) = (x0 as usize, y0 as usize);
        for (r, row) in out.chunks_exact_mut(SIDE).enumerate() {
            let a = &p.px[(y0 + r) * p.w + x0..][..SIDE + 1];
            let b = &p.px[(y0 + r + 1) * p.w + x0..][..SIDE + 1];
            for (c, o) in row.iter_mut().enumerate() {
                *o = w00 * a[c] + w10 * a[c + 1] + w01 * b[c] + w11 * b[c + 1];
            }
        }
    } else {
        for (k, o) in out.iter_mut().enumerate() {
            let (c, r) = ((k % SIDE) as i32, (k / SIDE) as i32);
            let (x, y) = (x0 + c, y0 + r);
            *o = w00 * p.at(x, y)
                + w10 * p.at(x + 1, y)
                + w01 * p.at(x, y + 1)
                + w11 * p.at(x + 1, y + 1);
        }
    }
}

/// Where the point `p` of `a` is in `b` (pyramidal Lucas–Kanade over the first `levels`
/// levels, started at `p + guess`); `None` when the window has no texture or the point
/// leaves the picture.
fn track(
    a: &Pyramid,
    b: &Pyramid,
    p: (f32, f32),
    guess: (f32, f32),
    levels: usize,
) -> Option<(f32, f32)> {
    let top = levels.min(a.levels.len()) - 1;
    let s = 1.0 / (1u32 << top) as f32;
    let mut g = (guess.0 * s, guess.1 * s);
    let r = WIN_R as f32;
    let (mut ti, mut tx, mut ty) = (
        [0f32; SIDE * SIDE],
        [0f32; SIDE * SIDE],
        [0f32; SIDE * SIDE],
    );
    let mut j = [0f32; SIDE * SIDE];
    for l in (0..=top).rev() {
        let (ia, ax, ay) = &a.levels[l];
        let (jb, _, _) = &b.levels[l];
        let s = 1.0 / (1u32 << l) as f32;
        let (ux, uy) = (p.0 * s - r, p.1 * s - r);
        window(ia, ux, uy, &mut ti);
        window(ax, ux, uy, &mut tx);
        window(ay, ux, uy, &mut ty);
        let (mut gxx, mut gxy, mut gyy) = (0f32, 0f32, 0f32);
        for (u, v) in tx.iter().zip(&ty) {
            gxx += u * u;
            gxy += u * v;
            gyy += v * v;
        }
        let det = gxx * gyy - gxy * gxy;
        let min_eig = 0.5 * ((gxx + gyy) - ((gxx - gyy) * (gxx - gyy) + 4.0 * gxy * gxy).sqrt());
        if det.abs() < 1e-6 || min_eig / ((SIDE * SIDE) as f32) < 1e-2 {
            return None;
        }
        let mut v = (0f32, 0f32);
        for _ in 0..MAX_ITER {
            window(jb, ux + g.0 + v.0, uy + g.1 + v.1, &mut j);
            let (mut bx, mut by) = (0f32, 0f32);
            for k in 0..SIDE * SIDE {
                let e = ti[k] - j[k];
                bx += e * tx[k];
                by += e * ty[k];
            }
            let ex = (gyy * bx - gxy * by) / det;
            let ey = (gxx * by - gxy * bx) / det;
            v = (v.0 + ex, v.1 + ey);
            let step = ex * ex + ey * ey;
            if step.is_nan() || step < 1e-4 {
                break;
            }
        }
        g = if l > 0 {
            (2.0 * (g.0 + v.0), 2.0 * (g.1 + v.1))
        } else {
            (g.0 + v.0, g.1 + v.1)
        };
    }
    let q = (p.0 + g.0, p.1 + g.1);
    let (w, h) = (a.levels[0].0.w as f32, a.levels[0].0.h as f32);
    (q.0.is_finite()
        && q.1.is_finite()
        && q.0 >= 0.0
        && q.1 >= 0.0
        && q.0 <= w - 1.0
        && q.1 <= h - 1.0)
        .then_some(q)
}

/// A corner and where it was tracked to.
type Track = ((f32, f32), (f32, f32));

/// A similarity `q = (a + ib)·p + t` (complex notation).
#[derive(Debug, Clone, Copy)]
struct Similarity {
    a: f32,
    b: f32,
    tx: f32,
    ty: f32,
}

impl Similarity {
    fn err(&self, p: (f32, f32), q: (f32, f32)) -> f32 {
        let x = self.a * p.0 - self.b * p.1 + self.tx;
        let y = self.b * p.0 + self.a * p.1 + self.ty;
        (x - q.0).hypot(y - q.1)
    }

    /// Least squares over `tracks`.
    fn fit<'a>(tracks: impl Iterator<Item = &'a Track> + Clone) -> Option<Self> {
        let (mut n, mut px, mut py, mut qx, mut qy) = (0f64, 0f64, 0f64, 0f64, 0f64);
        for &(p, q) in tracks.clone() {
            n += 1.0;
            px += f64::from(p.0);
            py += f64::from(p.1);
            qx += f64::from(q.0);
            qy += f64::from(q.1);
        }
        if n < 2.0 {
            return None;
        }
        let (px, py, qx, qy) = (px / n, py / n, qx / n, qy / n);
        let (mut sa, mut sb, mut ss) = (0f64, 0f64, 0f64);
        for &(p, q) in tracks {
            let (u, v) = (f64::from(p.0) - px, f64::from(p.1) - py);
            let (x, y) = (f64::from(q.0) - qx, f64::from(q.1) - qy);
            sa += u * x + v * y;
            sb += u * y - v * x;
            ss += u * u + v * v;
        }
        if ss < 1e-6 {
            return None;
        }
        let (a, b) = (sa / ss, sb / ss);
        Some(Similarity {
            a: a as f32,
            b: b as f32,
            tx: (qx - (a * px - b * py)) as f32,
            ty: (qy - (b * px + a * py)) as f32,
        })
    }

    fn log2_scale(&self) -> f32 {
        self.a.hypot(self.b).log2()
    }
}

/// RANSAC over pairs of tracks (a fixed pseudo-random sequence: the same picture gives
/// the same reading), then least squares over the best draw's inliers, twice. Returns
/// the fit and its inlier count.
///
/// A draw's support is its inliers weighted towards the frame's borders,
/// `0.1 + u² + v²` (u, v: the corner's place over the half sides, as the block votes of
/// [`super::motion`]'s background): a subject crossing the middle of a blurred street
/// holds as many sharp corners as the background behind it (bikes.mp4 1.2–1.44 s:
/// 45 against 44), and the background reaches the borders.
fn robust_similarity(tracks: &[Track], w: usize, h: usize) -> Option<(Similarity, u32)> {
    let n = tracks.len();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let weight: Vec<f32> = tracks
        .iter()
        .map(|&(p, _)| {
            let (u, v) = ((p.0 - cx) / cx, (p.1 - cy) / cy);
            0.1 + u * u + v * v
        })
        .collect();
    if n < 6 {
        return None;
    }
    let mut x = 0x2545_F491u32;
    let mut next = |m: usize| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x as usize % m
    };
    let count = |s: &Similarity| {
        tracks
            .iter()
            .filter(|&&(p, q)| s.err(p, q) < RANSAC_TOL)
            .count()
    };
    let support = |s: &Similarity| -> f32 {
        tracks
            .iter()
            .zip(&weight)
            .filter(|(&(p, q), _)| s.err(p, q) < RANSAC_TOL)
            .map(|(_, w)| w)
            .sum()
    };
    let mut best: Option<(Similarity, f32)> = None;
    for _ in 0..RANSAC_DRAWS {
        let (i, j) = (next(n), next(n));
        let (p1, q1) = tracks[i];
        let (p2, q2) = tracks[j];
        let (dpx, dpy) = (p2.0 - p1.0, p2.1 - p1.1);
        let d = dpx * dpx + dpy * dpy;
        if d < 16.0 {
            continue;
        }
        let (dqx, dqy) = (q2.0 - q1.0, q2.1 - q1.1);
        // (a + ib) = dq / dp.
        let a = (dqx * dpx + dqy * dpy) / d;
        let b = (dqy * dpx - dqx * dpy) / d;
        let s = Similarity {
            a,
            b,
            tx: q1.0 - (a * p1.0 - b * p1.1),
            ty: q1.1 - (b * p1.0 + a * p1.1),
        };
        let c = support(&s);
        if best.is_none_or(|(_, k)| c > k) {
            best = Some((s, c));
        }
    }
    let (mut s, _) = best?;
    for _ in 0..2 {
        let inl = tracks.iter().filter(|&&(p, q)| s.err(p, q) < RANSAC_TOL);
        s = Similarity::fit(inl)?;
    }
    let k = count(&s) as u32;
    Some((s, k))
}

/// The similarity between grey pictures `a` and `b` (`w`×`h`), the content expected to
/// have moved by `guess` px: the fit, its inliers and the tracked corners.
pub fn measure(
    w: usize,
    h: usize,
    a: &[u8],
    b: &[u8],
    guess: (f32, f32),
) -> Option<(f32, u32, u32)> {
    let pa = Pyramid::new(plane(w, h, a));
    let pb = Pyramid::new(plane(w, h, b));
    let pts = corners(&pa.levels[0].0);
    let tracks: Vec<Track> = pts
        .iter()
        .filter_map(|&p| {
            let q = track(&pa, &pb, p, guess, LEVELS)?;
            let r = track(&pb, &pa, q, (p.0 - q.0, p.1 - q.1), 1)?;
            ((r.0 - p.0).hypot(r.1 - p.1) < FB_MAX).then_some((p, q))
        })
        .collect();
    let (s, inliers) = robust_similarity(&tracks, w, h)?;
    Some((s.log2_scale(), inliers, tracks.len() as u32))
}

/// The step being watched: its first frame and pair.
struct StepStart {
    pts_s: f64,
    first: usize,
    w: usize,
    h: usize,
    px: Vec<u8>,
}

/// Streaming part: feed every frame after its pair is pushed.
#[derive(Default)]
pub struct SlowZoomCheck {
    start: Option<StepStart>,
    pub checks: Vec<ScaleCheck>,
}

impl SlowZoomCheck {
    /// `pairs` are the tracker's pairs, the one ending at this frame last (if any).
    pub fn push(
        &mut self,
        pts_s: f64,
        rgb: &[u8],
        width: usize,
        height: usize,
        pairs: &[PairMotion],
    ) {
        if let Some(s) = &self.start {
            if pts_s - s.pts_s < STEP_S - 0.01 {
                return;
            }
        }
        let (w, h, px) = grey(rgb, width, height);
        if let Some(s) = self.start.take() {
            let step = &pairs[s.first.min(pairs.len())..];
            let dt = pts_s - s.pts_s;
            if s.w == w && s.h == h && !step.is_empty() && step.iter().all(|p| p.valid) {
                let zoom: f64 = step.iter().map(|p| f64::from(p.scale).log2()).sum();
                let recent: f64 = pairs
                    .iter()
                    .rev()
                    .take_while(|p| p.pts_s > pts_s - TRIGGER_SPAN_S)
                    .filter(|p| p.valid)
                    .map(|p| f64::from(p.scale).log2())
                    .sum();
                if zoom.abs() >= TRIGGER_RATE * dt || recent.abs() >= TRIGGER_RATE * TRIGGER_SPAN_S
                {
                    let tx: f32 = step.iter().map(|p| p.tx).sum::<f32>() * w as f32;
                    let ty: f32 = step.iter().map(|p| p.ty).sum::<f32>() * h as f32;
                    if let Some((log2, inliers, tracked)) = measure(w, h, &s.px, &px, (tx, ty)) {
                        if debug() {
                            eprintln!(
                                "slowzoom step {:.2}-{:.2}: pairs {:+.3} features {:+.3} log2/s, {inliers}/{tracked}",
                                s.pts_s,
                                pts_s,
                                zoom / dt,
                                f64::from(log2) / dt
                            );
                        }
                        self.checks.push(ScaleCheck {
                            start_s: s.pts_s,
                            end_s: pts_s,
                            log2,
                            pairs_log2: zoom as f32,
                            inliers,
                            tracked,
                        });
                    }
                }
            }
        }
        self.start = Some(StepStart {
            pts_s,
            first: pairs.len(),
            w,
            h,
            px,
        });
    }
}

/// Clears (scale 1) the pairs of every shot whose pairs read a zoom move
/// ([`camera::shot_motion`]) that its checked steps do not show: at least [`MIN_STEPS`]
/// steps inside the shot with [`MIN_INLIERS`], covering [`MIN_COVER`] of it, whose
/// median rate is under [`STILL_RATE`] and under [`STILL_SHARE`] of the pairs' rate.
/// Returns the shots cleared.
pub fn clear_unseen_zooms(
    pairs: &mut [PairMotion],
    checks: &[ScaleCheck],
    shots: &[Span],
) -> Vec<usize> {
    let mut cleared = Vec::new();
    for (k, s) in shots.iter().enumerate() {
        let m = camera::shot_motion(pairs, s.start_s, s.end_s);
        if !m.has_zoom {
            continue;
        }
        let mut rates: Vec<f64> = checks
            .iter()
            .filter(|c| {
                c.inliers >= MIN_INLIERS
                    && c.start_s >= s.start_s - 1e-6
                    && c.end_s <= s.end_s + 1e-6
            })
            .map(ScaleCheck::rate)
            .collect();
        let covered = rates.len() as f64 * STEP_S;
        if rates.len() < MIN_STEPS || covered < MIN_COVER * (s.end_s - s.start_s) {
            continue;
        }
        rates.sort_by(f64::total_cmp);
        let n = rates.len();
        let median = if n % 2 == 1 {
            rates[n / 2]
        } else {
            0.5 * (rates[n / 2 - 1] + rates[n / 2])
        };
        let still = median.abs() < STILL_RATE && median.abs() < STILL_SHARE * m.zoom_rate.abs();
        if debug() {
            eprintln!(
                "slowzoom shot {:.2}-{:.2}: pairs {:+.3} log2/s, {} steps median {:+.3} -> {}",
                s.start_s,
                s.end_s,
                m.zoom_rate,
                n,
                median,
                if still { "cleared" } else { "kept" }
            );
        }
        if still {
            for p in pairs
                .iter_mut()
                .filter(|p| camera::in_shot(p, s.start_s, s.end_s))
            {
                p.scale = 1.0;
            }
            cleared.push(k);
        }
    }
    cleared
}

/// `STYLECUT_DEBUG_SLOWZOOM` set: the checks and verdicts go to stderr.
pub fn debug() -> bool {
    std::env::var_os("STYLECUT_DEBUG_SLOWZOOM").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`super::super::motion::value_noise`] on a 4-px lattice.
    fn noise(u: f32, t: f32, seed: u32) -> f32 {
        super::super::motion::value_noise(u, t, seed, 4.0)
    }

    /// A 256×144 grey picture of a textured background seen at scale `zoom` about the
    /// centre, its content moved by `shift` px, with a textured card (`card` of the half
    /// sides) in the middle magnified `card_zoom` times about the centre (`None`: no card).
    fn scene(zoom: f32, shift: (f32, f32), card: Option<(f32, f32)>) -> Vec<u8> {
        let (w, h) = (256usize, 144usize);
        let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
        (0..w * h)
            .map(|i| {
                let (x, y) = ((i % w) as f32 - cx, (i / w) as f32 - cy);
                let v = match card {
                    Some((side, cz))
                        if (x / cz).abs() < side * cx && (y / cz).abs() < side * cy =>
                    {
                        noise(x / cz + 900.0, y / cz + 900.0, 3)
                    }
                    _ => noise(
                        (x - shift.0) / zoom + 500.0,
                        (y - shift.1) / zoom + 500.0,
                        1,
                    ),
                };
                v.round().clamp(0.0, 255.0) as u8
            })
            .collect()
    }

    /// A zoom of 0.02 log2 (a step of 0.08 log2/s) and a 3-px pan: read within 0.002
    /// log2 from the tracked corners.
    #[test]
    fn a_known_zoom_is_measured() {
        let a = scene(1.0, (0.0, 0.0), None);
        let b = scene(2f32.powf(0.02), (3.0, -1.0), None);
        let (log2, inliers, tracked) = measure(256, 144, &a, &b, (3.0, -1.0)).unwrap();
        assert!((log2 - 0.02).abs() < 0.002, "{log2} ({inliers}/{tracked})");
        assert!(inliers >= MIN_INLIERS * 5, "{inliers}/{tracked}");
        let (still, _, _) = measure(256, 144, &a, &a, (0.0, 0.0)).unwrap();
        assert!(still.abs() < 1e-4, "{still}");
    }

    /// A card over the middle 72 % of each side (52 % of the frame, more corners than the
    /// background around it) grows 4 % (an approaching subject) over a still background:
    /// the fit follows the background, which reaches the borders. Counting every inlier
    /// alike, the fit follows the card (0.055 log2).
    #[test]
    fn an_approaching_subject_over_a_still_background_is_no_zoom() {
        let a = scene(1.0, (0.0, 0.0), Some((0.72, 1.0)));
        let b = scene(1.0, (0.0, 0.0), Some((0.72, 1.04)));
        let (log2, inliers, tracked) = measure(256, 144, &a, &b, (0.0, 0.0)).unwrap();
        assert!(log2.abs() < 0.003, "{log2} ({inliers}/{tracked})");
    }
}
