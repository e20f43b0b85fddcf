//! Per-frame features computed once from each reduced RGB frame and kept for the
//! whole video: a 32×18 RGB thumbnail (cell means), an HSV histogram, mean and spread
//! of luma. Everything the shot and transition detectors need later is derived from
//! these, so the frames themselves are never held; the features are, for every frame of
//! the input, so they grow with its length. The thumbnail is most of it, so it is kept
//! as each cell's exact channel sums in `u16` (3.4 KB a frame, half the former 1 728 f32)
//! and read back as the very f32 means it used to hold (see [`FrameFeatures::thumb`]):
//! ≈ 3.7 KB a frame in all, 6.3 MiB per minute at 30 fps (`docs/BENCHMARKS.md`,
//! "Session 10: analysis feature memory"). On a long input the [`super::VideoAnalyzer`]
//! moves the sums to a scratch file ([`super::spill`]) and the features keep only the
//! frame's place in it (≈ 200 B a frame in memory); the accessors read them back, the
//! same values whichever way they are stored.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;

use super::spill::ThumbFile;

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

/// Values of a thumbnail: `THUMB_CELLS * 3` cell means (R, G, B per cell), 0..1.
pub const THUMB_LEN: usize = THUMB_CELLS * 3;

/// A decoded thumbnail ([`FrameFeatures::thumb`]).
pub type Thumb = [f32; THUMB_LEN];

/// Largest cell (pixels) whose channel sums fit a `u16`: 257 · 255 = 65 535. Every
/// analysis frame 256 wide and at most 576 high (16:9 and 9:16 included) has cells of at
/// most 8 × 32 pixels.
const MAX_U16_CELL: u32 = u16::MAX as u32 / 255;

/// How the thumbnail is stored.
#[derive(Debug, Clone)]
enum Cells {
    /// Each cell's channel sums (exact), with the frame geometry's divisors: the mean of
    /// value `i` is `sums[i] as f32 / div[i]`, the expression the f32 thumbnail was
    /// computed with, so it reads back bit for bit.
    Sums {
        sums: Box<[u16; THUMB_LEN]>,
        div: Arc<CellDivisors>,
    },
    /// The means themselves: frames with cells of more than [`MAX_U16_CELL`] pixels
    /// (taller than about 2.25:1 at 256 wide), and features built from means
    /// ([`FrameFeatures::from_parts`]).
    Means(Box<Thumb>),
    /// Sums spilled to a scratch file: frame `idx` of `file`, whose divisor table is
    /// the one the sums were taken with.
    Stored { file: Arc<ThumbFile>, idx: usize },
}

/// A thumbnail ready to read: the sums (borrowed, or copied out of the scratch file's
/// cache) with their divisors, or the means. Lives on the stack for one call (never
/// stored), so the copied sums stay inline: boxing them would allocate per distance.
#[allow(clippy::large_enum_variant)]
enum View<'a> {
    Sums(Cow<'a, [u16; THUMB_LEN]>, &'a CellDivisors),
    Means(&'a Thumb),
}

impl View<'_> {
    #[inline]
    fn at(&self, i: usize) -> f32 {
        match self {
            View::Sums(s, d) => s[i] as f32 / d[i],
            View::Means(m) => m[i],
        }
    }
}

/// Per thumbnail value, its cell's pixel count (at least 1) × 255 as f32: what the
/// channel sum is divided by. One per value rather than per cell, so decoding is one
/// straight (vectorised) loop.
pub(crate) type CellDivisors = [f32; THUMB_LEN];

/// Compact features of one frame.
#[derive(Debug, Clone)]
pub struct FrameFeatures {
    pub pts_s: f64,
    /// BT.709 luma of the encoded values, 0..1.
    pub luma_mean: f32,
    pub luma_std: f32,
    /// Structure at the thumbnail's scale: the largest, over R, G and B, of the spread
    /// (standard deviation) of the 32×18 cell means, 0..1. Pixel noise averages out in
    /// a cell (≈ 8×8 pixels at 256 wide), so a colour card reads ≈ 0 however grainy,
    /// while a low-contrast picture (sky with a gradient, a pale cloud, fog) keeps its
    /// large-scale luma and colour variation here. See [`FrameFeatures::is_solid`].
    pub detail: f32,
    /// HSV histogram, each group (H, S, V) normalised to sum 1.
    pub hist: [f32; HIST_BINS],
    /// Cell-mean RGB thumbnail, read through [`FrameFeatures::thumb`] and
    /// [`FrameFeatures::thumb_at`].
    cells: Cells,
    /// Camera translation since the previous frame, in thumbnail cells (x, y; + = the
    /// picture moved right / down), from [`super::motion`]; zero when unknown (the first
    /// frame, a pair the estimator could not match, features built without it). The edge
    /// detector ([`super::edge`]) takes handheld shake out of the thumbnails with it.
    pub shift: [f32; 2],
}

thread_local! {
    /// The divisors of the last frame size seen on this thread: every frame of an input has
    /// the same size, so its features share one table.
    static LAST_DIVISORS: RefCell<Option<(usize, usize, Arc<CellDivisors>)>> =
        const { RefCell::new(None) };
}

/// The shared divisor table of a `w`×`h` frame whose cell pixel counts are
/// `row_n[cy] * col_n[cx]`.
fn divisors(
    w: usize,
    h: usize,
    row_n: &[u32; THUMB_H],
    col_n: &[u32; THUMB_W],
) -> Arc<CellDivisors> {
    LAST_DIVISORS.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((lw, lh, d)) = last.as_ref() {
            if (*lw, *lh) == (w, h) {
                return Arc::clone(d);
            }
        }
        let mut d = [0f32; THUMB_LEN];
        for (i, v) in d.iter_mut().enumerate() {
            let cell = i / 3;
            let count = row_n[cell / THUMB_W] * col_n[cell % THUMB_W];
            *v = count.max(1) as f32 * 255.0;
        }
        let d = Arc::new(d);
        *last = Some((w, h, Arc::clone(&d)));
        d
    })
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
        let max_cell =
            row_n.iter().max().copied().unwrap_or(0) * col_n.iter().max().copied().unwrap_or(0);
        let div = divisors(w, h, &row_n, &col_n);
        // The thumbnail's values as they will read back (sum / divisor either way).
        let detail = cell_spread(|i| sums[i] as f32 / div[i]);
        let cells = if max_cell <= MAX_U16_CELL {
            let mut packed = Box::new([0u16; THUMB_LEN]);
            for (p, s) in packed.iter_mut().zip(&sums) {
                // At most 255 · 257: exact.
                *p = *s as u16;
            }
            Cells::Sums { sums: packed, div }
        } else {
            let mut means = Box::new([0f32; THUMB_LEN]);
            for (i, (m, s)) in means.iter_mut().zip(&sums).enumerate() {
                *m = *s as f32 / div[i];
            }
            Cells::Means(means)
        };
        // Counts of at most a few hundred thousand: exact as f32, as the former
        // one-by-one f32 increments were.
        let hist = hcount.map(|c| c as f32 / n as f32);
        FrameFeatures {
            pts_s: f.pts_s,
            luma_mean: mean as f32,
            luma_std: var.sqrt() as f32,
            detail,
            hist,
            cells,
            shift: [0.0; 2],
        }
    }

    /// Features from stored values (a cache of earlier features): `thumb` holds
    /// [`THUMB_LEN`] means, anything else is refused.
    pub fn from_parts(
        pts_s: f64,
        luma_mean: f32,
        luma_std: f32,
        hist: [f32; HIST_BINS],
        thumb: &[f32],
    ) -> Option<FrameFeatures> {
        let thumb: Thumb = thumb.try_into().ok()?;
        Some(FrameFeatures {
            pts_s,
            luma_mean,
            luma_std,
            detail: cell_spread(|i| thumb[i]),
            hist,
            cells: Cells::Means(Box::new(thumb)),
            shift: [0.0; 2],
        })
    }

    /// Thumbnail value `i` (cell `i / 3`, channel `i % 3`), 0..1.
    #[inline]
    pub fn thumb_at(&self, i: usize) -> f32 {
        match &self.cells {
            Cells::Sums { sums, div } => sums[i] as f32 / div[i],
            Cells::Means(m) => m[i],
            Cells::Stored { file, idx } => file.with_sums(*idx, |s| s[i] as f32 / file.div[i]),
        }
    }

    fn view(&self) -> View<'_> {
        match &self.cells {
            Cells::Sums { sums, div } => View::Sums(Cow::Borrowed(sums), div),
            Cells::Means(m) => View::Means(m),
            Cells::Stored { file, idx } => {
                let sums: [u16; THUMB_LEN] = file.with_sums(*idx, |s| {
                    s.try_into()
                        .expect("a stored frame holds a whole thumbnail")
                });
                View::Sums(Cow::Owned(sums), &file.div)
            }
        }
    }

    /// The channel sums and their divisor table when the thumbnail is held in memory as
    /// sums (what a scratch file can take).
    pub(crate) fn sums_in_memory(&self) -> Option<(&[u16; THUMB_LEN], &Arc<CellDivisors>)> {
        match &self.cells {
            Cells::Sums { sums, div } => Some((sums, div)),
            _ => None,
        }
    }

    /// The thumbnail is frame `idx` of `file` now (its sums were written there).
    pub(crate) fn set_stored(&mut self, file: Arc<ThumbFile>, idx: usize) {
        self.cells = Cells::Stored { file, idx };
    }

    /// The thumbnail is held in memory again, as `sums` with the divisors `div`.
    pub(crate) fn set_sums(&mut self, sums: Box<[u16; THUMB_LEN]>, div: Arc<CellDivisors>) {
        self.cells = Cells::Sums { sums, div };
    }

    /// The frame's index in its scratch file, when spilled.
    pub(crate) fn stored_index(&self) -> Option<usize> {
        match &self.cells {
            Cells::Stored { idx, .. } => Some(*idx),
            _ => None,
        }
    }

    /// Whether the thumbnail is in a scratch file.
    pub fn is_spilled(&self) -> bool {
        matches!(self.cells, Cells::Stored { .. })
    }

    /// The whole thumbnail, decoded ([`THUMB_LEN`] values, 0..1): the detectors that fit
    /// models to whole thumbnails take it as a slice.
    pub fn thumb(&self) -> Thumb {
        match &self.cells {
            Cells::Sums { sums, div } => {
                let mut out = [0f32; THUMB_LEN];
                for ((o, s), d) in out.iter_mut().zip(sums.iter()).zip(div.iter()) {
                    *o = *s as f32 / d;
                }
                out
            }
            Cells::Means(m) => **m,
            Cells::Stored { file, idx } => file.with_sums(*idx, |sums| {
                let mut out = [0f32; THUMB_LEN];
                for ((o, s), d) in out.iter_mut().zip(sums).zip(file.div.iter()) {
                    *o = *s as f32 / d;
                }
                out
            }),
        }
    }

    /// Thumbnail luma of cell `i`, 0..1.
    pub fn cell_luma(&self, i: usize) -> f32 {
        let t = |k: usize| self.thumb_at(i * 3 + k);
        0.2126 * t(0) + 0.7152 * t(1) + 0.0722 * t(2)
    }

    /// A nearly uniform frame (black, white, a colour card): low spatial spread.
    ///
    /// Near black or white (mean luma below [`BLACK_LUMA`] or above [`WHITE_LUMA`]) a
    /// luma spread under [`SOLID_STD`] is enough: a fade compresses the picture's
    /// contrast as it nears the colour, and the last frames of a fade to black or white
    /// (a dimmed picture, structure and all) belong to its solid hold. In between, the
    /// frame must also be flat at the thumbnail's scale ([`FrameFeatures::detail`] under
    /// [`CARD_DETAIL`]): a colour card is one colour everywhere, while a pale cloud, a
    /// sky gradient or fog has a luma spread as low as a fade's last frames but is a
    /// picture (until session 13 such a clip had no shot at all).
    pub fn is_solid(&self) -> bool {
        self.luma_std < SOLID_STD
            && (self.luma_mean < BLACK_LUMA
                || self.luma_mean > WHITE_LUMA
                || self.detail < CARD_DETAIL)
    }

    pub fn is_black(&self) -> bool {
        self.is_solid() && self.luma_mean < BLACK_LUMA
    }

    pub fn is_white(&self) -> bool {
        self.is_solid() && self.luma_mean > 0.85
    }
}

/// Luma spread (0..1) under which a frame can be solid ([`FrameFeatures::is_solid`]).
pub const SOLID_STD: f32 = 0.035;
/// Mean luma under which a low-spread frame is black whatever its structure.
pub const BLACK_LUMA: f32 = 0.12;
/// Mean luma over which a low-spread frame is solid whatever its structure: a fade to
/// white from an ordinary picture falls under [`SOLID_STD`] only above about 0.93
/// (measured 0.966 on the synthetic `fadewhite`; flashes and strobes 0.987–0.995), while
/// the pale BBB cloud sits at 0.845–0.855 and the robustness set's flat sky at 0.84.
pub const WHITE_LUMA: f32 = 0.9;
/// Largest cell spread ([`FrameFeatures::detail`]) of a colour card. Cards, fade cores
/// and black leaders measure 0.000–0.001; the flat sky of the robustness set's whip
/// 0.010–0.018 and the pale BBB cloud 0.03–0.05 (largest channel).
pub const CARD_DETAIL: f32 = 0.006;

/// The largest, over the three channels, of the standard deviation of the thumbnail's
/// cell means (`value(i)` is thumbnail value `i`).
fn cell_spread(value: impl Fn(usize) -> f32) -> f32 {
    let mut sum = [0f64; 3];
    let mut sq = [0f64; 3];
    for i in 0..THUMB_LEN {
        let v = value(i) as f64;
        sum[i % 3] += v;
        sq[i % 3] += v * v;
    }
    let n = THUMB_CELLS as f64;
    (0..3)
        .map(|c| {
            let m = sum[c] / n;
            (sq[c] / n - m * m).max(0.0).sqrt() as f32
        })
        .fold(0.0, f32::max)
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
    let (va, vb) = (a.view(), b.view());
    let sum = match (&va, &vb) {
        // The common case, both frames in sums (one table or two, in memory or spilled),
        // without a branch per value.
        (View::Sums(sa, da), View::Sums(sb, db)) => sa
            .iter()
            .zip(sb.iter())
            .zip(da.iter().zip(db.iter()))
            .map(|((x, y), (p, q))| (*x as f32 / p - *y as f32 / q).abs())
            .sum::<f32>(),
        _ => (0..THUMB_LEN)
            .map(|i| (va.at(i) - vb.at(i)).abs())
            .sum::<f32>(),
    };
    sum / THUMB_LEN as f32
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

    /// A pale, low-contrast picture (a pink cloud over lavender sky: luma spread under
    /// the solid threshold, mean 0.85) is a picture, not a colour card; a grainy grey card,
    /// a picture dimmed nearly to black (a fade's last frames) and a flash nearly to white
    /// stay solid. Until session 13 the cloud was solid, so a clip of it had no shot.
    #[test]
    fn a_pale_picture_is_no_colour_card() {
        let (w, h) = (256usize, 144usize);
        let picture = |fade_to: Option<f32>, k: f32| -> Vec<u8> {
            (0..w * h)
                .flat_map(|i| {
                    let (x, y) = ((i % w) as f32, (i / w) as f32);
                    let s = (x * 0.03).sin() * (y * 0.05).cos();
                    let p = [232.0 + 10.0 * s, 205.0 + 6.0 * s, 222.0 - 8.0 * s];
                    p.map(|c| match fade_to {
                        Some(t) => (t + k * (c - t)) as u8,
                        None => c as u8,
                    })
                })
                .collect()
        };
        let cloud = FrameFeatures::from_rgb(0.0, w, h, &picture(None, 1.0));
        assert!(
            cloud.luma_std < SOLID_STD && cloud.luma_mean > 0.8,
            "{cloud:?}"
        );
        assert!(!cloud.is_solid() && !cloud.is_white(), "{cloud:?}");
        // The same picture dimmed to a tenth: black, structure and all.
        let dim = FrameFeatures::from_rgb(0.0, w, h, &picture(Some(0.0), 0.1));
        assert!(dim.is_black(), "{dim:?}");
        // Mixed nearly to white.
        let flash = FrameFeatures::from_rgb(0.0, w, h, &picture(Some(255.0), 0.3));
        assert!(flash.is_white(), "{flash:?}");
        // A mid-grey card with ±6 levels of grain.
        let mut x = 7u32;
        let card: Vec<u8> = (0..w * h * 3)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (122 + (x >> 28) as i32 - 8 + (x >> 24 & 3) as i32) as u8
            })
            .collect();
        let card = FrameFeatures::from_rgb(0.0, w, h, &card);
        assert!(
            card.is_solid() && !card.is_black() && !card.is_white(),
            "{card:?}"
        );
        assert!(card.detail < CARD_DETAIL / 2.0, "{card:?}");
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

    /// Reference cell means, straight from the definition: the pixels `(x, y)` with
    /// `x · THUMB_W / w == cx` and `y · THUMB_H / h == cy`, summed per channel and
    /// divided by their count × 255 (as f32, as the thumbnail always was).
    fn reference_thumb(w: usize, h: usize, rgb: &[u8]) -> Vec<f32> {
        let mut sums = vec![0u64; THUMB_LEN];
        let mut counts = vec![0u64; THUMB_CELLS];
        for y in 0..h {
            for x in 0..w {
                let cell = (y * THUMB_H / h) * THUMB_W + x * THUMB_W / w;
                counts[cell] += 1;
                for k in 0..3 {
                    sums[cell * 3 + k] += rgb[(y * w + x) * 3 + k] as u64;
                }
            }
        }
        (0..THUMB_LEN)
            .map(|i| sums[i] as f32 / (counts[i / 3].max(1) as f32 * 255.0))
            .collect()
    }

    /// Pseudo-random pixels (xorshift); with `bright` the top half is pure white, so its
    /// cells reach the largest sums (255 × their pixel count).
    fn noise(w: usize, h: usize, seed: u32, bright: bool) -> Vec<u8> {
        let mut x = seed.max(1);
        (0..w * h * 3)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                if bright && i / (w * 3) < h / 2 {
                    255
                } else {
                    (x >> 24) as u8
                }
            })
            .collect()
    }

    /// The compact thumbnail reads back bit for bit as the cell means of the picture, on
    /// the usual analysis sizes (16:9, 9:16, 4:3, a small odd one) and on both sides of
    /// the largest cell whose sums fit a u16 (32 × 4 626: cells of 257 pixels, sums up to
    /// 65 535; 32 × 4 644: 258 pixels, kept as f32), half of them pure white so a wrapped sum shows.
    #[test]
    fn thumbnail_round_trip_is_exact() {
        for (w, h, bright) in [
            (256, 144, false),
            (256, 456, false),
            (256, 192, true),
            (30, 20, false),
            (32, 18 * 257, true),
            (32, 18 * 258, true),
            (256, 602, true),
        ] {
            let rgb = noise(w, h, (w * 7 + h) as u32, bright);
            let f = FrameFeatures::from_rgb(0.0, w, h, &rgb);
            let want = reference_thumb(w, h, &rgb);
            let got = f.thumb();
            for i in 0..THUMB_LEN {
                assert_eq!(got[i].to_bits(), want[i].to_bits(), "{w}x{h} value {i}");
                assert_eq!(f.thumb_at(i).to_bits(), want[i].to_bits(), "{w}x{h} at {i}");
            }
            // Built from the means (a cache) it reads the same, and every pair distance
            // is the same whichever way each side is stored.
            let copy = FrameFeatures::from_parts(0.0, f.luma_mean, f.luma_std, f.hist, &got)
                .expect("whole thumbnail");
            let other = FrameFeatures::from_rgb(0.0, w, h, &noise(w, h, 99, bright));
            let d = thumb_dist(&f, &other);
            assert_eq!(thumb_dist(&copy, &other).to_bits(), d.to_bits(), "{w}x{h}");
            assert_eq!(
                thumb_dist(&other, &copy).to_bits(),
                thumb_dist(&other, &f).to_bits()
            );
            assert!(FrameFeatures::from_parts(0.0, 0.0, 0.0, f.hist, &got[1..]).is_none());
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
