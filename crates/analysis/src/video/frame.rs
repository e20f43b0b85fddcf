//! Per-frame features computed once from each reduced RGB frame and kept for the
//! whole video: a 32×18 RGB thumbnail (cell means), an HSV histogram, mean and spread
//! of luma. Everything the shot and transition detectors need later is derived from
//! these ≈ 7.1 KB (the thumbnail's 1 728 f32 are 6.9 KB of it), so the frames themselves
//! are never held; the features are, for every frame of the input, so they grow with its
//! length: 12.8 MB per minute at 30 fps, 0.77 GB per hour (`docs/BENCHMARKS.md`, memory).

/// Thumbnail grid (cells across × down), independent of the frame's aspect.
pub const THUMB_W: usize = 32;
pub const THUMB_H: usize = 18;
pub const THUMB_CELLS: usize = THUMB_W * THUMB_H;
/// Histogram layout: 16 hue bins, 8 saturation bins, 16 value bins.
pub const H_BINS: usize = 16;
pub const S_BINS: usize = 8;
pub const V_BINS: usize = 16;
pub const HIST_BINS: usize = H_BINS + S_BINS + V_BINS;

/// One decoded analysis frame as the analysers see it.
#[derive(Debug, Clone, Copy)]
pub struct FrameRef<'a> {
    pub pts_s: f64,
    pub width: usize,
    pub height: usize,
    /// Packed RGB24, `width * height * 3` bytes.
    pub rgb: &'a [u8],
}

/// Compact features of one frame.
#[derive(Debug, Clone)]
pub struct FrameFeatures {
    pub pts_s: f64,
    /// BT.709 luma of the encoded values, 0..1.
    pub luma_mean: f32,
    pub luma_std: f32,
    /// HSV histogram, each group (H, S, V) normalised to sum 1.
    pub hist: [f32; HIST_BINS],
    /// Cell-mean RGB thumbnail, `THUMB_CELLS * 3` values in 0..1.
    pub thumb: Vec<f32>,
}

impl FrameFeatures {
    /// [`FrameFeatures::compute`] of a packed RGB24 picture.
    pub fn from_rgb(pts_s: f64, width: usize, height: usize, rgb: &[u8]) -> FrameFeatures {
        FrameFeatures::compute(&FrameRef {
            pts_s,
            width,
            height,
            rgb,
        })
    }

    pub fn compute(f: &FrameRef<'_>) -> FrameFeatures {
        let (w, h) = (f.width.max(1), f.height.max(1));
        // Each cell column is one run of pixels in every row. Pixel counts per cell
        // follow from the geometry.
        let col_start = cell_runs(w, THUMB_W);
        let mut col_n = [0u32; THUMB_W];
        for (c, n) in col_n.iter_mut().enumerate() {
            *n = (col_start[c + 1] - col_start[c]) as u32;
        }
        let mut row_n = [0u32; THUMB_H];
        for y in 0..h {
            row_n[y * THUMB_H / h] += 1;
        }
        let mut sums = vec![0u32; THUMB_CELLS * 3];
        let mut hcount = [0u32; HIST_BINS];
        let mut lsum = 0f64;
        let mut lsq = 0f64;
        for y in 0..h {
            let row = &f.rgb[y * w * 3..(y + 1) * w * 3];
            let cy = y * THUMB_H / h * THUMB_W;
            let cell_row = &mut sums[cy * 3..(cy + THUMB_W) * 3];
            for (c, acc) in cell_row.chunks_exact_mut(3).enumerate() {
                let (x0, x1) = (col_start[c], col_start[c + 1]);
                let (mut r, mut g, mut b) = (0u32, 0u32, 0u32);
                for p in row[x0 * 3..x1 * 3].chunks_exact(3) {
                    r += p[0] as u32;
                    g += p[1] as u32;
                    b += p[2] as u32;
                }
                acc[0] += r;
                acc[1] += g;
                acc[2] += b;
            }
            // Luma and histogram on a 2×2 subsample: plenty of pixels at 256 px.
            if y & 1 == 0 {
                for p in row.chunks(6) {
                    let (r, g, b) = (p[0] as u32, p[1] as u32, p[2] as u32);
                    let l = (54 * r + 183 * g + 19 * b) as f64 / (256.0 * 255.0);
                    lsum += l;
                    lsq += l * l;
                    add_hsv(&mut hcount, r, g, b);
                }
            }
        }
        let n = (w.div_ceil(2) * h.div_ceil(2)) as f64;
        let mean = lsum / n;
        let var = (lsq / n - mean * mean).max(0.0);
        let thumb = sums
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let cell = i / 3;
                let count = row_n[cell / THUMB_W] * col_n[cell % THUMB_W];
                *s as f32 / (count.max(1) as f32 * 255.0)
            })
            .collect();
        // Counts of at most a few hundred thousand: exact as f32, as the former
        // one-by-one f32 increments were.
        let hist = hcount.map(|c| c as f32 / n as f32);
        FrameFeatures {
            pts_s: f.pts_s,
            luma_mean: mean as f32,
            luma_std: var.sqrt() as f32,
            hist,
            thumb,
        }
    }

    /// Thumbnail luma of cell `i`, 0..1.
    pub fn cell_luma(&self, i: usize) -> f32 {
        let t = &self.thumb[i * 3..i * 3 + 3];
        0.2126 * t[0] + 0.7152 * t[1] + 0.0722 * t[2]
    }

    /// A nearly uniform frame (black, white, a colour card): low spatial spread.
    pub fn is_solid(&self) -> bool {
        self.luma_std < 0.035
    }

    pub fn is_black(&self) -> bool {
        self.is_solid() && self.luma_mean < 0.12
    }

    pub fn is_white(&self) -> bool {
        self.is_solid() && self.luma_mean > 0.85
    }
}

/// Where each of `cells` equal columns starts when pixel `x` of a row `width` wide falls in
/// column `x · cells / width` (non-decreasing in `x`, so every column is one run): `cells + 1`
/// starts, the last `width`; a column no pixel falls in is an empty run.
pub(crate) fn cell_runs(width: usize, cells: usize) -> Vec<usize> {
    let mut start = vec![width; cells + 1];
    for x in (0..width).rev() {
        start[x * cells / width] = x;
    }
    for c in (0..cells).rev() {
        start[c] = start[c].min(start[c + 1]);
    }
    start
}

/// `RECIP[d] = ⌊2³²/d⌋ + 1`: for `n ≤ 65 280` and `d ≤ 255`, `(n·RECIP[d]) >> 32` is
/// exactly `n / d` (the error `n·(RECIP[d] − 2³²/d)/2³² < 2⁻¹⁶` never reaches the next
/// multiple of `1/d`), checked exhaustively by a test.
const RECIP: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut d = 1;
    while d < 256 {
        t[d] = (1u64 << 32) / d as u64 + 1;
        d += 1;
    }
    t
};

/// `n / d` for `n ≤ 65 280`, `1 ≤ d ≤ 255`.
#[inline(always)]
fn div_small(n: u32, d: u32) -> u32 {
    ((n as u64 * RECIP[d as usize]) >> 32) as u32
}

/// Truncating `n / d` (as `i32` division) for `|n| ≤ 65 280`, `1 ≤ d ≤ 255`.
#[inline(always)]
fn div_small_i(n: i32, d: u32) -> i32 {
    let q = div_small(n.unsigned_abs(), d) as i32;
    if n < 0 {
        -q
    } else {
        q
    }
}

fn add_hsv(hist: &mut [u32; HIST_BINS], r: u32, g: u32, b: u32) {
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let v = max;
    let d = max - min;
    let s = if max == 0 { 0 } else { div_small(d * 255, max) };
    // Hue only means something for coloured pixels; grey ones vote in the S and V groups.
    if d > 8 {
        let (ri, gi, bi) = (r as i32, g as i32, b as i32);
        let h6 = if max == r {
            div_small_i((gi - bi) * 256, d)
        } else if max == g {
            512 + div_small_i((bi - ri) * 256, d)
        } else {
            1024 + div_small_i((ri - gi) * 256, d)
        };
        let h = (h6 + 1536) % 1536;
        hist[(h as usize * H_BINS / 1536).min(H_BINS - 1)] += 1;
    }
    hist[H_BINS + (s as usize * S_BINS / 256).min(S_BINS - 1)] += 1;
    hist[H_BINS + S_BINS + (v as usize * V_BINS / 256).min(V_BINS - 1)] += 1;
}

/// Histogram distance in 0..1: half the L1 distance, averaged over the S and V groups
/// and the hue group (normalised by its own mass, so grey frames do not dominate).
pub fn hist_dist(a: &FrameFeatures, b: &FrameFeatures) -> f32 {
    let l1 = |r: std::ops::Range<usize>| -> f32 {
        let (sa, sb): (f32, f32) = (
            a.hist[r.clone()].iter().sum(),
            b.hist[r.clone()].iter().sum(),
        );
        if sa < 1e-3 && sb < 1e-3 {
            return 0.0;
        }
        r.map(|i| (a.hist[i] / sa.max(1e-3) - b.hist[i] / sb.max(1e-3)).abs())
            .sum::<f32>()
            * 0.5
    };
    let hue = l1(0..H_BINS);
    let sat = l1(H_BINS..H_BINS + S_BINS);
    let val = l1(H_BINS + S_BINS..HIST_BINS);
    (hue + sat + 2.0 * val) / 4.0
}

/// Mean absolute thumbnail difference, 0..1.
pub fn thumb_dist(a: &FrameFeatures, b: &FrameFeatures) -> f32 {
    a.thumb
        .iter()
        .zip(&b.thumb)
        .map(|(x, y)| (x - y).abs())
        .sum::<f32>()
        / a.thumb.len() as f32
}

/// The frame-pair distance the detectors threshold: histogram and spatial change
/// together, so neither a reframing with the same colours nor a colour shift on the
/// same layout alone reads as a shot change.
pub fn frame_dist(a: &FrameFeatures, b: &FrameFeatures) -> f32 {
    let h = hist_dist(a, b);
    let t = (thumb_dist(a, b) * 4.0).min(1.0);
    (h * t).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solid(w: usize, h: usize, rgb: [u8; 3]) -> Vec<u8> {
        (0..w * h).flat_map(|_| rgb).collect()
    }

    #[test]
    fn features_of_solid_frames() {
        let buf = solid(64, 36, [0, 0, 0]);
        let f = FrameFeatures::from_rgb(0.0, 64, 36, &buf);
        assert!(f.is_black() && !f.is_white());
        let buf = solid(64, 36, [255, 255, 255]);
        let g = FrameFeatures::from_rgb(0.0, 64, 36, &buf);
        assert!(g.is_white());
        assert!((g.luma_mean - 1.0).abs() < 0.01);
        assert!(frame_dist(&f, &g) > 0.6);
        assert_eq!(frame_dist(&f, &f), 0.0);
    }

    /// The reciprocal division is exact over every numerator and divisor it sees.
    #[test]
    fn reciprocal_division_is_exact() {
        for d in 1..=255u32 {
            for n in 0..=65_280u32 {
                assert_eq!(div_small(n, d), n / d, "{n} / {d}");
            }
            for n in [-65_280i32, -65_279, -257, -256, -255, -1, 0, 1, 255, 256] {
                assert_eq!(div_small_i(n, d), n / d as i32, "{n} / {d}");
            }
        }
    }

    #[test]
    fn hue_histogram_separates_red_from_blue() {
        let r = solid(32, 18, [200, 20, 20]);
        let b = solid(32, 18, [20, 20, 200]);
        let fr = |buf: &[u8]| FrameFeatures::from_rgb(0.0, 32, 18, buf);
        let (a, c) = (fr(&r), fr(&b));
        assert!(hist_dist(&a, &c) > 0.2);
        assert!(thumb_dist(&a, &c) > 0.3);
    }
}
