//! A push-in must zoom about the picture's centre without jitter: every frame of the
//! render's push-in filters (`graph::push_in_filters`) on a still test pattern is
//! compared with the exact zoom. The pattern is Gaussian dots on a dark ground; each
//! dot's centroid in output frame `n` must lie where `z(n) = 1 + (Z − 1)·n/last` about
//! the centre puts it. `zoompan` (the form until session 12) cut its window at whole
//! source pixels with the corner rounded down to even ones: its picture sat up to 4 px
//! off (centre drift 3.7 px, jumps of 2.9 px between frames at 640×360 → 1.5×).

use std::io::Write as _;
use std::path::Path;
mod common;

use common::still_through;

use stylecut_style::apply::graph::push_in_filters;

const W: usize = 640;
const H: usize = 360;
const SIGMA: f64 = 3.0;

/// Dot centres (continuous coordinates: pixel `i` covers `[i, i + 1)`) on a 9 × 5 grid
/// inside the part of the picture still visible at 1.5×, off the pixel grid.
fn dots() -> Vec<(f64, f64)> {
    let mut d = Vec::new();
    for j in 0..5 {
        for i in 0..9 {
            let x = W as f64 / 2.0 + (i as f64 / 8.0 - 0.5) * 0.56 * W as f64 + 0.37;
            let y = H as f64 / 2.0 + (j as f64 / 4.0 - 0.5) * 0.56 * H as f64 - 0.21;
            d.push((x, y));
        }
    }
    d
}

/// The pattern as an 8-bit grey PGM: ground 16, dots up to 235.
fn write_pattern(path: &Path) {
    let pts = dots();
    let mut px = vec![0u8; W * H];
    for (r, row) in px.chunks_mut(W).enumerate() {
        for (c, p) in row.iter_mut().enumerate() {
            let (x, y) = (c as f64 + 0.5, r as f64 + 0.5);
            let v: f64 = pts
                .iter()
                .map(|(dx, dy)| {
                    (-((x - dx).powi(2) + (y - dy).powi(2)) / (2.0 * SIGMA * SIGMA)).exp()
                })
                .sum();
            *p = (16.0 + 219.0 * v.min(1.0)).round() as u8;
        }
    }
    let mut f = std::fs::File::create(path).unwrap();
    writeln!(f, "P5 {W} {H} 255").unwrap();
    f.write_all(&px).unwrap();
}

/// Luma of `frames` frames of the still through `filters` (4:2:0, as the render runs
/// them), no encoder in between.
fn render(pattern: &Path, filters: &str, frames: usize) -> Vec<Vec<u8>> {
    let raw = still_through(
        pattern,
        &format!("format=yuv420p,{filters},format=gray"),
        frames,
    );
    assert_eq!(raw.len(), frames * W * H, "{filters}");
    raw.chunks(W * H).map(<[u8]>::to_vec).collect()
}

/// Centroid of the dot near `(x, y)` (ground and coding noise below 8 codes left out).
fn centroid(f: &[u8], x: f64, y: f64, r: f64) -> (f64, f64) {
    let (x0, x1) = ((x - r).max(0.0) as usize, ((x + r) as usize + 1).min(W));
    let (y0, y1) = ((y - r).max(0.0) as usize, ((y + r) as usize + 1).min(H));
    let (mut s, mut sx, mut sy) = (0.0, 0.0, 0.0);
    for row in y0..y1 {
        for col in x0..x1 {
            let v = f64::from(f[row * W + col]) - 16.0;
            if v >= 8.0 {
                s += v;
                sx += v * (col as f64 + 0.5);
                sy += v * (row as f64 + 0.5);
            }
        }
    }
    assert!(s > 0.0, "no dot near ({x}, {y})");
    (sx / s, sy / s)
}

/// Largest dot error, largest centre drift (the dots' mean error: the whole picture
/// shifted) and largest frame-to-frame change of that drift, in output pixels.
fn geometry(filters: &str, zoom: f64, frames: usize) -> (f64, f64, f64) {
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("dots.pgm");
    write_pattern(&pattern);
    let last = (frames - 1) as f64;
    let (cx, cy) = (W as f64 / 2.0, H as f64 / 2.0);
    let (mut worst, mut drift, mut jump) = (0.0f64, 0.0f64, 0.0f64);
    let mut prev: Option<(f64, f64)> = None;
    for (n, f) in render(&pattern, filters, frames).iter().enumerate() {
        let z = 1.0 + (zoom - 1.0) * n as f64 / last;
        let (mut mx, mut my) = (0.0, 0.0);
        let pts = dots();
        for &(x, y) in &pts {
            let (ex, ey) = ((x - cx) * z + cx, (y - cy) * z + cy);
            let (gx, gy) = centroid(f, ex, ey, 4.0 * SIGMA * z);
            worst = worst.max((gx - ex).hypot(gy - ey));
            mx += (gx - ex) / pts.len() as f64;
            my += (gy - ey) / pts.len() as f64;
        }
        drift = drift.max(mx.hypot(my));
        if let Some((px, py)) = prev {
            jump = jump.max((mx - px).hypot(my - py));
        }
        prev = Some((mx, my));
    }
    (worst, drift, jump)
}

#[test]
fn push_in_follows_the_exact_zoom_without_jitter() {
    for (zoom, frames) in [(1.5, 60), (1.1, 60)] {
        let filters = push_in_filters(zoom, frames as u64 - 1, W as u32, H as u32);
        let (worst, drift, jump) = geometry(&filters, zoom, frames);
        println!(
            "zoom {zoom}: worst dot {worst:.3} px, centre drift {drift:.3} px, jump {jump:.3} px"
        );
        // The sides move in steps of 4 px: a dot 180 px from the centre is within
        // 180 · 2 / 640 px of its place, plus the centroid's own error.
        assert!(
            worst <= 1.0,
            "zoom {zoom}: a dot {worst:.2} px off ({filters})"
        );
        assert!(
            drift <= 0.1,
            "zoom {zoom}: the centre drifted {drift:.3} px ({filters})"
        );
        assert!(
            jump <= 0.1,
            "zoom {zoom}: the centre jumped {jump:.3} px ({filters})"
        );
    }
}
