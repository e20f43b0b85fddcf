//! Saliency centre: where the action is in each frame, for reframing to another aspect.
//!
//! Each frame becomes a 64-px-wide grey image (area means). Two maps are built on it:
//!
//! * **local motion**: the absolute difference to the previous frame after compensating
//!   the global camera motion of the pair (translation + scale from [`super::motion`]),
//!   minus a noise floor of 12/255 — what moves differently from the camera;
//! * **static saliency**: distance of each pixel from the frame's mean grey level
//!   (something that stands out from the background) plus gradient (edge) energy.
//!
//! Each map is normalised to sum 1; when the motion map carries real energy (at least 40
//! grey levels above the floor, summed over the map) on less than half of the picture
//! (more is a cut, a flash or a missed camera move) the two mix 80/20, else the static map is used alone. The frame's centre is the
//! main subject: the peak of the map blurred over 5×5 px, refined to the centroid of the
//! above-mean map values within 1/8 of the width of it (so a second, weaker object does
//! not pull the centre half-way). Frames are averaged in buckets of [`BUCKET_S`]; the document keeps one
//! point per bucket.

use stylecut_types::SaliencyPoint;

use super::motion::PairMotion;

const GW: usize = 64;
/// Length of the averaging bucket, seconds.
pub const BUCKET_S: f64 = 0.25;
const MOTION_FLOOR: f32 = 12.0;
/// Least motion energy (grey levels above the floor, summed over the 64-px map) that
/// counts as something moving: e.g. 4 px at 10 levels over the floor.
const MOTION_MIN_SUM: f32 = 40.0;
/// Radius around the peak whose centroid is the centre, share of the width.
const RADIUS: f64 = 0.125;

struct Gray {
    w: usize,
    h: usize,
    px: Vec<f32>,
}

/// `LUMA_TAB[k][v] = COEF[k] · v` in f32, the three products of the grey conversion.
fn luma_tables() -> &'static [[f32; 256]; 3] {
    static TAB: std::sync::OnceLock<[[f32; 256]; 3]> = std::sync::OnceLock::new();
    TAB.get_or_init(|| {
        let tab = |c: f32| std::array::from_fn(|v| c * v as f32);
        [tab(0.2126), tab(0.7152), tab(0.0722)]
    })
}

impl Gray {
    fn from_rgb(rgb: &[u8], width: usize, height: usize) -> Gray {
        let w = GW.min(width).max(8);
        let h = ((height * w).div_ceil(width.max(1))).max(4);
        let mut sum = vec![0f32; w * h];
        // One run of pixels per cell and row (`x · w / width` is below `w` for x < width).
        let col_start = super::frame::cell_runs(width, w);
        let mut row_n = vec![0usize; h];
        let t = luma_tables();
        for y in 0..height {
            let gy = (y * h / height).min(h - 1);
            row_n[gy] += 1;
            let row = &rgb[y * width * 3..(y + 1) * width * 3];
            let cells = &mut sum[gy * w..(gy + 1) * w];
            for (c, cell) in cells.iter_mut().enumerate() {
                // Same additions, in the same order, as one pixel at a time into the cell.
                let mut acc = *cell;
                for p in row[col_start[c] * 3..col_start[c + 1] * 3].chunks_exact(3) {
                    acc += t[0][p[0] as usize] + t[1][p[1] as usize] + t[2][p[2] as usize];
                }
                *cell = acc;
            }
        }
        // Pixel counts per cell from the geometry (small integers: exact in f32, as the
        // former one-by-one f32 counts were).
        let px = sum
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (gy, gx) = (i / w, i % w);
                let c = (row_n[gy] * (col_start[gx + 1] - col_start[gx])) as f32;
                s / c.max(1.0)
            })
            .collect();
        Gray { w, h, px }
    }

    /// Bilinear sampling position on one axis of length `n`: the two neighbours and the
    /// weight of the second; None outside the image.
    fn axis(&self, v: f32, n: usize) -> Option<(usize, usize, f32)> {
        if v < 0.0 || v > (n - 1) as f32 {
            return None;
        }
        // v >= 0 (or NaN, which both floor-then-cast and the cast map to 0): truncation
        // is the floor.
        let v0 = v as usize;
        Some((v0, (v0 + 1).min(n - 1), v - v0 as f32))
    }

    fn sample_at(&self, x0: usize, x1: usize, fx: f32, y0: usize, y1: usize, fy: f32) -> f32 {
        let p = |x: usize, y: usize| self.px[y * self.w + x];
        let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
        let bot = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
        top * (1.0 - fy) + bot * fy
    }
}

/// Saliency centre of one frame given the previous one and the camera motion between
/// them. Returns (x, y) in fractions of the frame.
fn frame_centre(g: &Gray, prev: Option<(&Gray, &PairMotion)>) -> (f64, f64) {
    let (w, h) = (g.w, g.h);
    let mean = g.px.iter().sum::<f32>() / g.px.len() as f32;
    let mut stat = vec![0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            let gx = g.px[y * w + (x + 1).min(w - 1)] - g.px[y * w + x.saturating_sub(1)];
            let gy = g.px[(y + 1).min(h - 1) * w + x] - g.px[y.saturating_sub(1) * w + x];
            stat[i] = (g.px[i] - mean).abs() + 0.5 * (gx.abs() + gy.abs());
        }
    }
    let mut map = normalised(stat);
    if let Some((p, m)) = prev.filter(|(p, _)| p.w == w && p.h == h) {
        let (tx, ty, k) = if m.valid {
            (m.tx * w as f32, m.ty * h as f32, m.scale.max(0.5))
        } else {
            (0.0, 0.0, 1.0)
        };
        let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
        let mut mot = vec![0f32; w * h];
        // Content at p came from q = c + (p − c − t) / s in the previous frame; qx
        // depends on x only, qy on y only.
        let qx: Vec<_> = (0..w)
            .map(|x| p.axis(cx + (x as f32 - cx - tx) / k, p.w))
            .collect();
        for y in 0..h {
            let Some((y0, y1, fy)) = p.axis(cy + (y as f32 - cy - ty) / k, p.h) else {
                continue;
            };
            for x in 0..w {
                if let Some((x0, x1, fx)) = qx[x] {
                    let v = p.sample_at(x0, x1, fx, y0, y1, fy);
                    mot[y * w + x] = ((g.px[y * w + x] - v).abs() - MOTION_FLOOR).max(0.0);
                }
            }
        }
        // Change over most of the picture is a cut, a flash or a camera move the
        // estimator missed, not local motion: the static map alone then.
        let changed = mot.iter().filter(|&&v| v > 0.0).count();
        if mot.iter().sum::<f32>() >= MOTION_MIN_SUM && changed * 2 < mot.len() {
            let mot = normalised(mot);
            for (a, b) in map.iter_mut().zip(&mot) {
                *a = 0.2 * *a + 0.8 * b;
            }
        }
    }
    // The main subject: the strongest blob of the map (5×5 box blur), then the centroid
    // of the above-average map within a radius of it.
    let blur = box_blur(&map, w, h, 2);
    let peak = (0..blur.len())
        .max_by(|&a, &b| blur[a].total_cmp(&blur[b]))
        .unwrap_or(0);
    let (px, py) = ((peak % w) as f64, (peak / w) as f64);
    let r2 = (RADIUS * w as f64).powi(2);
    let m = map.iter().sum::<f32>() / map.len() as f32;
    let (mut sx, mut sy, mut sw) = (0f64, 0f64, 0f64);
    for y in 0..h {
        for x in 0..w {
            if (x as f64 - px).powi(2) + (y as f64 - py).powi(2) > r2 {
                continue;
            }
            let v = (map[y * w + x] - m).max(0.0) as f64;
            sx += v * (x as f64 + 0.5);
            sy += v * (y as f64 + 0.5);
            sw += v;
        }
    }
    if sw <= 0.0 {
        return (0.5, 0.5);
    }
    (sx / sw / w as f64, sy / sw / h as f64)
}

fn box_blur(v: &[f32], w: usize, h: usize, r: usize) -> Vec<f32> {
    let mut out = vec![0f32; v.len()];
    for y in 0..h {
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(r), (x + r).min(w - 1));
            let (y0, y1) = (y.saturating_sub(r), (y + r).min(h - 1));
            let mut s = 0.0;
            for yy in y0..=y1 {
                s += v[yy * w + x0..=yy * w + x1].iter().sum::<f32>();
            }
            out[y * w + x] = s;
        }
    }
    out
}

fn normalised(mut v: Vec<f32>) -> Vec<f32> {
    let s: f32 = v.iter().sum();
    if s > 0.0 {
        for x in v.iter_mut() {
            *x /= s;
        }
    }
    v
}

/// Streaming saliency tracker: feed frames in order with the camera motion of the pair
/// that ends at each frame (None for the first frame).
#[derive(Default)]
pub struct SaliencyTracker {
    prev: Option<Gray>,
    bucket: Option<(i64, f64, f64, f64, usize)>,
    pub points: Vec<SaliencyPoint>,
}

impl SaliencyTracker {
    pub fn push(
        &mut self,
        pts_s: f64,
        rgb: &[u8],
        width: usize,
        height: usize,
        pair: Option<&PairMotion>,
    ) {
        let g = Gray::from_rgb(rgb, width, height);
        let prev = self.prev.as_ref().zip(pair);
        let (x, y) = frame_centre(&g, prev);
        self.prev = Some(g);
        let b = (pts_s / BUCKET_S).floor() as i64;
        match &mut self.bucket {
            Some((k, st, sx, sy, n)) if *k == b => {
                *st += pts_s;
                *sx += x;
                *sy += y;
                *n += 1;
            }
            _ => {
                self.flush();
                self.bucket = Some((b, pts_s, x, y, 1));
            }
        }
    }

    fn flush(&mut self) {
        if let Some((_, st, sx, sy, n)) = self.bucket.take() {
            let n = n as f64;
            let r = |v: f64| (v * 1000.0).round() / 1000.0;
            self.points.push(SaliencyPoint {
                t_s: r(st / n),
                x: r(sx / n),
                y: r(sy / n),
            });
        }
    }

    /// The points, one per bucket, in time order.
    pub fn finish(mut self) -> Vec<SaliencyPoint> {
        self.flush();
        self.points
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dark frame with a bright `size`-px box whose left edge is at `bx`, over a faint
    /// texture so the frame is not flat.
    fn frame(w: usize, h: usize, bx: usize, by: usize, size: usize) -> Vec<u8> {
        let mut v = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            for x in 0..w {
                let inside = x >= bx && x < bx + size && y >= by && y < by + size;
                let b = if inside {
                    230
                } else {
                    20 + ((x * 7 + y * 13) % 9) as u8
                };
                v.extend([b, b, b]);
            }
        }
        v
    }

    #[test]
    fn centre_follows_a_moving_box() {
        let (w, h) = (256, 144);
        let mut t = SaliencyTracker::default();
        let still = PairMotion {
            pts_s: 0.0,
            tx: 0.0,
            ty: 0.0,
            scale: 1.0,
            residual: 0.0,
            valid: true,
        };
        for i in 0..50 {
            // 25 fps, 2 s: the box travels from x = 20 to x = 216 (its centre 0.12..0.89).
            let bx = 20 + i * 4;
            let f = frame(w, h, bx, 90, 24);
            t.push(i as f64 / 25.0, &f, w, h, (i > 0).then_some(&still));
        }
        let pts = t.finish();
        assert_eq!(pts.len(), 8);
        for p in &pts {
            let k = (p.t_s * 25.0).round();
            let truth = (20.0 + k * 4.0 + 12.0) / w as f64;
            assert!((p.x - truth).abs() < 0.05, "{p:?} vs {truth}");
            assert!((p.y - 102.0 / h as f64).abs() < 0.06, "{p:?}");
        }
    }
    /// Textured background panning right by `pan` px per frame with a grey box that
    /// moves left across the frame: the background's own motion is compensated, so the
    /// centre stays on the box (without compensation the whole background moves).
    #[test]
    fn camera_pan_is_compensated() {
        let (w, h) = (256usize, 144usize);
        let pan = 3.0f32;
        let mut t = SaliencyTracker::default();
        for i in 0..50usize {
            let off = pan * i as f32;
            let bx = 200 - i * 3;
            let mut v = Vec::with_capacity(w * h * 3);
            for y in 0..h {
                for x in 0..w {
                    let u = x as f32 - off;
                    let inside = x >= bx && x < bx + 24 && (40..64).contains(&y);
                    // A flat mid-grey box on a strong texture: it does not stand out
                    // by contrast, only by moving against the camera.
                    let b = if inside {
                        128.0
                    } else {
                        128.0
                            + 80.0 * (u * 0.19).sin() * (y as f32 * 0.23).cos()
                            + 30.0 * (u * 0.07 + y as f32 * 0.05).sin()
                    };
                    v.extend([b as u8; 3]);
                }
            }
            let m = PairMotion {
                pts_s: i as f64 / 25.0,
                tx: pan / w as f32,
                ty: 0.0,
                scale: 1.0,
                residual: 0.0,
                valid: true,
            };
            t.push(i as f64 / 25.0, &v, w, h, (i > 0).then_some(&m));
        }
        // The first bucket holds the first frame, which has no motion map yet.
        for p in t.finish().into_iter().skip(1) {
            let k = (p.t_s * 25.0).round();
            let truth = (200.0 - 3.0 * k + 12.0) / w as f64;
            assert!((p.x - truth).abs() < 0.06, "{p:?} vs {truth}");
            assert!((p.y - 52.0 / h as f64).abs() < 0.08, "{p:?}");
        }
    }
    /// Across a cut the whole picture changes: that is not local motion, so the centre is
    /// the new frame's static saliency (its box), not the middle of the changed picture.
    #[test]
    fn a_cut_is_not_local_motion() {
        let (w, h) = (256, 144);
        let still = PairMotion {
            pts_s: 0.04,
            tx: 0.0,
            ty: 0.0,
            scale: 1.0,
            residual: 0.0,
            valid: false,
        };
        let a: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                let v = 120 + ((i % w) * 97 % 60) as u8;
                [v, v, v]
            })
            .collect();
        let b = frame(w, h, 200, 20, 30);
        let (ga, gb) = (Gray::from_rgb(&a, w, h), Gray::from_rgb(&b, w, h));
        // Exactly the static centre: the changed picture adds nothing.
        let got = frame_centre(&gb, Some((&ga, &still)));
        assert_eq!(got, frame_centre(&gb, None));
        assert!((got.0 - 215.0 / w as f64).abs() < 0.05, "{got:?}");
        assert!((got.1 - 35.0 / h as f64).abs() < 0.08, "{got:?}");
    }
}
