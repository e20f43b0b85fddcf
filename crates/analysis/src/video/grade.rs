//! Colour grade estimation: the sliders of [`stylecut_types::grade`] that would turn
//! footage with neutral statistics into what the shot shows.
//!
//! Input: box-averaged thumbnails ([`Thumb`], 64 px wide, at most five a second, up to
//! eight per shot). Each slider is read from a statistic it moves in a known way:
//!
//! 1. temperature and tint: the grey-edge ratios in linear light, `log2(ΣR′/ΣB′)` and
//!    `log2(ΣG′/√(ΣR′ΣB′))` over absolute differences of neighbouring unclipped pixels
//!    (the model's white-balance gains scale these differences exactly). Measured on 41
//!    windows of five camera clips, grey edge varies between scenes about half as much as
//!    the grey-world median used before ([`WB_GE_WEIGHT`] selects it). A saturation grade
//!    leaks into it (a desaturation pulls R and B together), in proportion to how far the
//!    scene's own balance sits from neutral;
//! 2. with that white balance undone: contrast, highlights, shadows from the luma
//!    quantiles against [`NEUTRAL_Q`] (contrast from the 10–90 % spread ratio, the two
//!    tone bumps by least squares with a small ridge, [`TONE_RIDGE`]: the bumps overlap and
//!    without it scene shape reads as large opposite values);
//! 3. saturation, on the observed pixels: the chroma spread about the median chroma (a cast is not saturation)
//!    divided by the contrast factor, against [`NEUTRAL_CHROMA`].
//!
//! The neutral constants are medians over 2 s windows of the camera and animation clips of
//! `shared/media` (at most 12 windows a clip), from `cargo run --release -p stylecut-style
//! --example grade_eval -- --stats <clips>`. Ordinary footage does not read 0: scene content
//! moves every statistic (the same example reports how far, per slider), so a reading is
//! "how far this shot sits from typical footage in the direction the slider moves pixels".
//! Grading a shot moves the reading by the applied slider (within the tolerances of the
//! unit test; highlights/shadows by 40–110 % because of the ridge).
//!
//! Per-shot estimates are combined with a median across shots, so one sunset shot does
//! not read as a warm grade of the whole video.

use std::io;
use std::path::Path;

use stylecut_types::grade::{self, LUMA, TEMP_STOPS, TINT_STOPS};
use stylecut_types::ColorGrade;

use super::spill::BlobFile;

/// Luma quantile levels used for the tone fit.
pub const Q_LEVELS: [f64; NQ] = [
    0.01, 0.03, 0.06, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.94, 0.97, 0.99,
];
/// Neutral luma at those levels. Like every neutral constant here it is the median,
/// level by level, of six ungraded reference clips (bikes, cockatoo, Big Buck Bunny,
/// issue-195, goldeneye, testvideo in `shared/media`), so typical footage reads ≈ 0.
pub const NEUTRAL_Q: [f64; NQ] = [
    0.047, 0.101, 0.121, 0.145, 0.222, 0.296, 0.39, 0.447, 0.526, 0.609, 0.666, 0.743, 0.852,
];
const NQ: usize = 13;
/// Ridge weight of the highlights/shadows fit: the two bumps overlap, so without it scene
/// shape is read as large opposite slider values.
pub const TONE_RIDGE: f64 = 0.02;

/// Neutral mean chroma distance (encoded RGB units).
pub const NEUTRAL_CHROMA: f64 = 0.0597;
/// Neutral white-balance readings of [`wb_readings`]: grey world and grey edge.
pub const NEUTRAL_GW: [f64; 2] = [0.198, 0.042];
pub const NEUTRAL_GE: [f64; 2] = [0.183, 0.002];
/// Weight of the grey-edge reading in the white-balance estimate.
pub const WB_GE_WEIGHT: f64 = 1.0;

/// Width of the colour thumbnails (box-averaged from the analysis frame).
pub const THUMB_W: usize = 64;
/// Thumbnails are kept at most this often (seconds of presentation time).
const THUMB_EVERY_S: f64 = 0.2;

/// A small box-averaged copy of one frame (encoded RGB, 8 bits).
#[derive(Debug, Clone)]
pub struct Thumb {
    pub pts_s: f64,
    pub w: usize,
    pub h: usize,
    pub rgb: Vec<u8>,
}

impl Thumb {
    /// Box-averages a frame down to [`THUMB_W`] pixels wide (keeping the aspect).
    pub fn from_frame(pts_s: f64, rgb: &[u8], width: usize, height: usize) -> Thumb {
        let w = THUMB_W.min(width).max(1);
        let h = ((height * w + width / 2) / width).max(1);
        let mut out = Vec::with_capacity(w * h * 3);
        for ty in 0..h {
            let (y0, y1) = (
                ty * height / h,
                ((ty + 1) * height / h).max(ty * height / h + 1),
            );
            for tx in 0..w {
                let (x0, x1) = (
                    tx * width / w,
                    ((tx + 1) * width / w).max(tx * width / w + 1),
                );
                let mut acc = [0u32; 3];
                for y in y0..y1 {
                    for x in x0..x1 {
                        let p = &rgb[(y * width + x) * 3..(y * width + x) * 3 + 3];
                        for k in 0..3 {
                            acc[k] += p[k] as u32;
                        }
                    }
                }
                let n = ((y1 - y0) * (x1 - x0)) as u32;
                out.extend(acc.map(|a| ((a + n / 2) / n) as u8));
            }
        }
        Thumb {
            pts_s,
            w,
            h,
            rgb: out,
        }
    }

    /// Pixel `i` as encoded RGB in 0..1.
    pub fn px(&self, i: usize) -> [f64; 3] {
        [0, 1, 2].map(|k| self.rgb[i * 3 + k] as f64 / 255.0)
    }

    /// A thumbnail of the same size holding `px` (row-major, encoded RGB 0..1).
    pub fn map_pixels(&self, px: &[[f64; 3]]) -> Thumb {
        let rgb = px
            .iter()
            .flat_map(|p| p.map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8))
            .collect();
        Thumb { rgb, ..*self }
    }

    /// The thumbnail with `f` applied to every pixel (used to grade test material).
    pub fn map(&self, f: impl Fn([f64; 3]) -> [f64; 3]) -> Thumb {
        let mut rgb = Vec::with_capacity(self.rgb.len());
        for i in 0..self.w * self.h {
            rgb.extend(f(self.px(i)).map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8));
        }
        Thumb { rgb, ..*self }
    }
}

/// Keeps colour thumbnails frame by frame (at most one per [`THUMB_EVERY_S`]): in memory,
/// or once [`ColorSampler::spill_to`] was called, their pixels in a scratch file (6.9 KB
/// a sample, 2 MiB per source minute, that the analysis no longer holds).
#[derive(Default)]
pub struct ColorSampler {
    samples: Vec<Sample>,
    file: Option<BlobFile>,
}

/// One colour sample: its place and size, its pixels in memory or in the scratch file.
struct Sample {
    pts_s: f64,
    w: usize,
    h: usize,
    rgb: Pixels,
}

enum Pixels {
    Memory(Vec<u8>),
    /// Offset in the scratch file (`w · h · 3` bytes).
    File(u64),
}

impl ColorSampler {
    pub fn push(&mut self, pts_s: f64, rgb: &[u8], width: usize, height: usize) {
        if let Some(last) = self.samples.last() {
            if pts_s - last.pts_s < THUMB_EVERY_S - 1e-6 {
                return;
            }
        }
        let t = Thumb::from_frame(pts_s, rgb, width, height);
        let pixels = match &mut self.file {
            // A sample the file cannot take stays in memory (its error surfaces through
            // the next spill attempt's caller, `spill_to`, only; reading is unaffected).
            Some(file) => match file.append(&t.rgb) {
                Ok(at) => Pixels::File(at),
                Err(_) => Pixels::Memory(t.rgb),
            },
            None => Pixels::Memory(t.rgb),
        };
        self.samples.push(Sample {
            pts_s,
            w: t.w,
            h: t.h,
            rgb: pixels,
        });
    }

    /// From now on keeps the samples' pixels in a new unnamed scratch file in `dir`,
    /// moving those held so far there too. On an error nothing moves (the samples stay
    /// in memory).
    pub fn spill_to(&mut self, dir: &Path) -> io::Result<()> {
        if self.file.is_some() {
            return Ok(());
        }
        let mut file = BlobFile::create(dir)?;
        let mut places = Vec::with_capacity(self.samples.len());
        for s in &self.samples {
            if let Pixels::Memory(rgb) = &s.rgb {
                places.push(Some(file.append(rgb)?));
            } else {
                places.push(None);
            }
        }
        for (s, at) in self.samples.iter_mut().zip(places) {
            if let Some(at) = at {
                s.rgb = Pixels::File(at);
            }
        }
        self.file = Some(file);
        Ok(())
    }

    /// Bytes of pixels in the scratch file.
    pub fn spilled_bytes(&self) -> u64 {
        self.file.as_ref().map_or(0, BlobFile::bytes)
    }

    /// Sample `i` as a thumbnail (read back from the scratch file when spilled).
    fn thumb(&self, i: usize) -> Thumb {
        let s = &self.samples[i];
        let rgb = match &s.rgb {
            Pixels::Memory(rgb) => rgb.clone(),
            Pixels::File(at) => self
                .file
                .as_ref()
                .expect("a spilled sample has a file")
                .read(*at, s.w * s.h * 3),
        };
        Thumb {
            pts_s: s.pts_s,
            w: s.w,
            h: s.h,
            rgb,
        }
    }

    /// Indices of the samples with presentation time in `[start, end)`.
    fn range(&self, start: f64, end: f64) -> Vec<usize> {
        (0..self.samples.len())
            .filter(|&i| {
                let t = self.samples[i].pts_s;
                t >= start - 1e-4 && t < end - 1e-4
            })
            .collect()
    }

    /// Thumbnails of frames with presentation time in `[start, end)`, all read at once.
    pub fn thumbs_in(&self, start: f64, end: f64) -> Vec<Thumb> {
        self.range(start, end)
            .into_iter()
            .map(|i| self.thumb(i))
            .collect()
    }

    /// The grade estimate ([`estimate`]) and mean Lab colour ([`mean_lab`] of
    /// [`pixels`]) of the samples in `[start, end)`, None when [`estimate`] has none.
    /// The same numbers as from [`ColorSampler::thumbs_in`], but holding one sample at a
    /// time beside the few the estimate reads: a shot can be the whole input.
    pub fn shot_color(&self, start: f64, end: f64) -> Option<(ColorGrade, [f64; 3])> {
        let idx = self.range(start, end);
        let n: usize = idx
            .iter()
            .map(|&i| self.samples[i].w * self.samples[i].h)
            .sum();
        let step = idx.len().div_ceil(MAX_THUMBS).max(1);
        let picked: Vec<Thumb> = idx.iter().step_by(step).map(|&i| self.thumb(i)).collect();
        let g = estimate_picked(n, &picked)?;
        let mut m = [0.0f64; 3];
        for &i in &idx {
            add_linear(&mut m, &self.thumb(i));
        }
        Some((g, lab_of_sum(m, n)))
    }
}

/// Every pixel of the thumbnails, encoded RGB 0..1.
pub fn pixels(thumbs: &[&Thumb]) -> Vec<[f64; 3]> {
    thumbs
        .iter()
        .flat_map(|t| (0..t.w * t.h).map(|i| t.px(i)))
        .collect()
}

fn luma(p: &[f64; 3]) -> f64 {
    LUMA[0] * p[0] + LUMA[1] * p[1] + LUMA[2] * p[2]
}

fn quantiles(mut v: Vec<f64>) -> [f64; NQ] {
    v.sort_by(f64::total_cmp);
    Q_LEVELS.map(|q| v[((v.len() - 1) as f64 * q).round() as usize])
}

/// Fit of (contrast, highlights, shadows) mapping NEUTRAL_Q onto the observed `q`.
///
/// Contrast comes from the ratio of the 10–90 % luma spreads (contrast scales spreads
/// by exactly `2^(c/100)`), highlights and shadows from a linear least-squares fit of
/// the remaining quantile offsets on the two tone-curve bumps (the curve is linear in
/// both sliders). Repeated, each round measuring the spread with the last curve removed.
/// Both steps are close to additive, so grading a clip moves the estimate by the grade
/// even when the scene itself is far from the neutral reference.
fn fit_tone(q: &[f64; NQ]) -> [f64; 3] {
    let (lo, hi) = (3, NQ - 4);
    let bump_h = |x: f64| x * x * (1.0 - x);
    let bump_s = |x: f64| x * (1.0 - x) * (1.0 - x);
    let (mut c, mut h, mut s) = (0.0f64, 0.0f64, 0.0f64);
    for _ in 0..8 {
        let un = |v: f64| {
            let (mut a, mut b) = (0.0, 1.0);
            for _ in 0..30 {
                let m = 0.5 * (a + b);
                if grade::tone_curve(m, h, s) < v {
                    a = m;
                } else {
                    b = m;
                }
            }
            0.5 * (a + b)
        };
        let spread = (un(q[hi]) - un(q[lo])).max(1e-3);
        c = (100.0 * (spread / (NEUTRAL_Q[hi] - NEUTRAL_Q[lo])).log2()).clamp(-100.0, 100.0);
        let k = 2f64.powf(c / 100.0);
        // q − C(N) ≈ (h/100)·B_h + (s/100)·B_s, clipped quantiles left out.
        let (mut a11, mut a12, mut a22, mut b1, mut b2) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for i in 0..NQ {
            if q[i] <= 0.004 || q[i] >= 0.996 {
                continue;
            }
            let n = (0.5 + (NEUTRAL_Q[i] - 0.5) * k).clamp(0.0, 1.0);
            let x = n;
            let (bh, bs) = (bump_h(x), bump_s(x));
            let r = q[i] - n;
            a11 += bh * bh + TONE_RIDGE / NQ as f64;
            a12 += bh * bs;
            a22 += bs * bs + TONE_RIDGE / NQ as f64;
            b1 += bh * r;
            b2 += bs * r;
        }
        let det = a11 * a22 - a12 * a12;
        if det.abs() < 1e-12 {
            break;
        }
        // The curve is only monotonic within ±100, so the fit stays there.
        h = (100.0 * (b1 * a22 - b2 * a12) / det).clamp(-100.0, 100.0);
        s = (100.0 * (b2 * a11 - b1 * a12) / det).clamp(-100.0, 100.0);
    }
    [c, h, s]
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
}

/// Largest number of thumbnails one estimate reads (evenly picked from the shot).
const MAX_THUMBS: usize = 8;

fn unclipped(p: &[f64; 3]) -> bool {
    p.iter().all(|v| *v > 0.02 && *v < 0.98)
}

/// A thumbnail as floating-point pixels (so neutralised copies are not re-quantised).
#[derive(Clone)]
struct Grid {
    w: usize,
    h: usize,
    px: Vec<[f64; 3]>,
}

impl Grid {
    fn of(t: &Thumb) -> Grid {
        Grid {
            w: t.w,
            h: t.h,
            px: (0..t.w * t.h).map(|i| t.px(i)).collect(),
        }
    }
}

/// White-balance readings, linear light, `[log2(R/B), log2(G/√(RB))]`: the grey-world
/// median over mid-tone unclipped pixels and the grey-edge ratio (summed absolute
/// differences of neighbouring unclipped pixels per channel). The model's white-balance
/// gains shift both by exactly `[2·TEMP_STOPS·t, −TINT_STOPS·m]/100`.
fn wb_readings(grids: &[Grid]) -> ([f64; 2], [f64; 2]) {
    let (mut rb, mut gm) = (Vec::new(), Vec::new());
    let mut edge = [0.0f64; 3];
    for t in grids {
        let lin: Vec<[f64; 3]> = t.px.iter().map(|p| p.map(grade::srgb_to_linear)).collect();
        let ok: Vec<bool> = t.px.iter().map(unclipped).collect();
        for i in 0..t.w * t.h {
            if ok[i] && (0.06..=0.94).contains(&luma(&t.px[i])) {
                let l = lin[i];
                rb.push((l[0] / l[2]).log2());
                gm.push((l[1] / (l[0] * l[2]).sqrt()).log2());
            }
            let (x, y) = (i % t.w, i / t.w);
            let right = (x + 1 < t.w).then_some(i + 1);
            let down = (y + 1 < t.h).then_some(i + t.w);
            for j in [right, down].into_iter().flatten() {
                if ok[i] && ok[j] {
                    for k in 0..3 {
                        edge[k] += (lin[i][k] - lin[j][k]).abs();
                    }
                }
            }
        }
    }
    let gw = [median(rb).unwrap_or(0.0), median(gm).unwrap_or(0.0)];
    let ge = if edge.iter().all(|e| *e > 1e-9) {
        [
            (edge[0] / edge[2]).log2(),
            (edge[1] / (edge[0] * edge[2]).sqrt()).log2(),
        ]
    } else {
        gw
    };
    (gw, ge)
}

/// The sliders read directly off a set of pixels against the neutral statistics:
/// white balance from [`wb_readings`], tone from the luma quantiles ([`fit_tone`]),
/// saturation from the chroma spread divided by the contrast factor.
fn reading(grids: &[Grid]) -> [f64; 6] {
    let (gw, ge) = wb_readings(grids);
    let mix = |k: usize| {
        WB_GE_WEIGHT * (ge[k] - NEUTRAL_GE[k]) + (1.0 - WB_GE_WEIGHT) * (gw[k] - NEUTRAL_GW[k])
    };
    let px: Vec<[f64; 3]> = grids.iter().flat_map(|g| g.px.iter().copied()).collect();
    let tone = fit_tone(&quantiles(px.iter().map(luma).collect()));
    let k = 2f64.powf(tone[0] / 100.0);
    [
        100.0 * mix(0) / (2.0 * TEMP_STOPS),
        -100.0 * mix(1) / TINT_STOPS,
        100.0 * (chroma_spread(&px) / k / NEUTRAL_CHROMA - 1.0),
        tone[0],
        tone[1],
        tone[2],
    ]
}

/// Estimates the grade of one shot from its thumbnails (None when too few pixels).
///
/// White balance and saturation are read first ([`reading`] of the observed pixels); tone
/// is then read on the pixels with that white balance undone ([`grade::inverse`]), since
/// a temperature or tint shift moves luma. (A full fixed point, undoing every slider and
/// re-reading until nothing is left, was measured: the tone sliders ran away to their
/// bounds on footage far from the neutral quantiles, so it is not used.)
pub fn estimate(thumbs: &[&Thumb]) -> Option<ColorGrade> {
    let n: usize = thumbs.iter().map(|t| t.w * t.h).sum();
    let step = thumbs.len().div_ceil(MAX_THUMBS).max(1);
    let picked: Vec<Thumb> = thumbs.iter().step_by(step).map(|t| (*t).clone()).collect();
    estimate_picked(n, &picked)
}

/// [`estimate`] of thumbnails holding `n` pixels in all, of which `picked` are the ones
/// it reads (every `⌈len / MAX_THUMBS⌉`-th from the first).
fn estimate_picked(n: usize, picked: &[Thumb]) -> Option<ColorGrade> {
    if n < 200 {
        return None;
    }
    let grids: Vec<Grid> = picked.iter().map(Grid::of).collect();
    // White balance and saturation off the observed pixels. (Undoing the first reading's
    // saturation and tone before reading white balance was measured: it removes the
    // cross-talk of a saturation grade into temperature, but it also scales the measured
    // cast by the *scene's* saturation reading, so a temperature grade then moves the
    // estimate by only ≈ 2/3 of its value. Not used.)
    let first = reading(&grids);
    // Tone on the pixels with that white balance undone (a temperature or tint shift
    // moves luma).
    let balance = ColorGrade {
        temperature: first[0],
        tint: first[1],
        ..ColorGrade::NEUTRAL
    };
    let undo = grade::Inverse::new(&balance);
    let balanced: Vec<Grid> = grids
        .iter()
        .map(|gr| Grid {
            px: gr.px.iter().map(|p| undo.apply(*p)).collect(),
            ..*gr
        })
        .collect();
    let r = reading(&balanced);
    let g = [first[0], first[1], first[2], r[3], r[4], r[5]];
    Some(ColorGrade::from_array(g))
}

/// Raw statistics of a set of thumbnails (no neutral reference involved): luma quantiles
/// at [`Q_LEVELS`], chroma spread, and the grey-world and grey-edge white-balance readings.
pub fn raw_stats(thumbs: &[&Thumb]) -> ([f64; NQ], f64, [f64; 2], [f64; 2]) {
    let grids: Vec<Grid> = thumbs.iter().map(|t| Grid::of(t)).collect();
    let px: Vec<[f64; 3]> = grids.iter().flat_map(|g| g.px.iter().copied()).collect();
    let (gw, ge) = wb_readings(&grids);
    (
        quantiles(px.iter().map(luma).collect()),
        chroma_spread(&px),
        gw,
        ge,
    )
}

/// Median of each slider across shot estimates.
pub fn aggregate(shots: &[ColorGrade]) -> ColorGrade {
    if shots.is_empty() {
        return ColorGrade::NEUTRAL;
    }
    let a: Vec<[f64; 6]> = shots.iter().map(ColorGrade::as_array).collect();
    let mut out = [0.0; 6];
    for (k, o) in out.iter_mut().enumerate() {
        let mut v: Vec<f64> = a.iter().map(|x| x[k]).collect();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        *o = if n % 2 == 1 {
            v[n / 2]
        } else {
            0.5 * (v[n / 2 - 1] + v[n / 2])
        };
    }
    ColorGrade::from_array(out)
}

/// Mean CIE L*a*b* (D65) of encoded sRGB samples.
pub fn mean_lab(px: &[[f64; 3]]) -> [f64; 3] {
    let mut m = [0.0; 3];
    for p in px {
        add_linear_px(&mut m, p);
    }
    lab_of_sum(m, px.len())
}

#[inline]
fn add_linear_px(m: &mut [f64; 3], p: &[f64; 3]) {
    for k in 0..3 {
        m[k] += grade::srgb_to_linear(p[k]);
    }
}

/// Adds every pixel of `t` in linear light to `m`, in [`pixels`]' order (so the sum is
/// the one [`mean_lab`] of [`pixels`] takes).
fn add_linear(m: &mut [f64; 3], t: &Thumb) {
    for i in 0..t.w * t.h {
        add_linear_px(m, &t.px(i));
    }
}

/// Lab of the mean of `n` pixels whose linear-light sum is `m`.
fn lab_of_sum(m: [f64; 3], n: usize) -> [f64; 3] {
    if n == 0 {
        return [0.0; 3];
    }
    linear_to_lab(m.map(|v| v / n as f64))
}

/// CIE L*a*b* (D65) of a linear-light sRGB / BT.709 colour.
pub fn linear_to_lab([r, g, b]: [f64; 3]) -> [f64; 3] {
    let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    let f = |t: f64| {
        if t > 0.008856 {
            t.cbrt()
        } else {
            7.787 * t + 16.0 / 116.0
        }
    };
    [
        116.0 * f(y) - 16.0,
        500.0 * (f(x) - f(y)),
        200.0 * (f(y) - f(z)),
    ]
}

/// Mean distance of each pixel's chroma (RGB minus luma) from the median chroma: colourfulness
/// with any overall cast removed.
fn chroma_spread(px: &[[f64; 3]]) -> f64 {
    let chroma: Vec<[f64; 3]> = px
        .iter()
        .map(|p| {
            let y = luma(p);
            p.map(|v| v - y)
        })
        .collect();
    let med: [f64; 3] =
        [0, 1, 2].map(|k| median(chroma.iter().map(|c| c[k]).collect()).unwrap_or(0.0));
    chroma
        .iter()
        .map(|c| ((0..3).map(|k| (c[k] - med[k]).powi(2)).sum::<f64>()).sqrt())
        .sum::<f64>()
        / chroma.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic population with the neutral statistics: luma drawn from the
    /// neutral quantile function, chroma noise around it.
    fn scene() -> Thumb {
        let mut s = 12345u64;
        let mut rnd = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 33) as f64 / (1u64 << 31) as f64
        };
        let px: Vec<[f64; 3]> = (0..64 * 64)
            .map(|_| {
                let p = rnd().clamp(Q_LEVELS[0], Q_LEVELS[NQ - 1]);
                let i = (0..NQ - 1)
                    .find(|&i| p <= Q_LEVELS[i + 1])
                    .unwrap_or(NQ - 2);
                let u = (p - Q_LEVELS[i]) / (Q_LEVELS[i + 1] - Q_LEVELS[i]);
                let y = NEUTRAL_Q[i] + u * (NEUTRAL_Q[i + 1] - NEUTRAL_Q[i]);
                let c = [rnd() - 0.5, rnd() - 0.5, rnd() - 0.5].map(|v| v * 0.22);
                [0, 1, 2].map(|k| (y + c[k]).clamp(0.0, 1.0))
            })
            .collect();
        let t = Thumb {
            pts_s: 0.0,
            w: 64,
            h: 64,
            rgb: Vec::new(),
        };
        t.map_pixels(&px)
    }

    #[test]
    fn recovers_applied_sliders_relative_to_the_ungraded_estimate() {
        let base = scene();
        let e0 = estimate(&[&base]).unwrap().as_array();
        for g in [
            [30.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            [0.0, -25.0, 0.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 35.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 20.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 30.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 0.0, -20.0],
            [0.0, 0.0, 0.0, 0.0, 0.0, 25.0],
            [-20.0, 10.0, -20.0, 15.0, 0.0, 0.0],
        ] {
            let cg = ColorGrade::from_array(g);
            let graded = base.map(|p| grade::apply(p, &cg));
            let e = estimate(&[&graded]).unwrap().as_array();
            for k in 0..6 {
                // Saturation composes multiplicatively in the model.
                let expect = if k == 2 {
                    100.0 * ((1.0 + e0[k] / 100.0) * (1.0 + g[k] / 100.0) - 1.0)
                } else {
                    e0[k] + g[k]
                };
                // Highlights and shadows carry the ridge prior of the tone fit
                // (TONE_RIDGE), which pulls their change towards 0: held to the right
                // sign and at least 40 % of the applied value, at most 110 %.
                if (k == 4 || k == 5) && g[k] != 0.0 {
                    let moved = (e[k] - e0[k]) / g[k];
                    assert!(
                        (0.4..=1.1).contains(&moved),
                        "grade {g:?}: slider {k} moved {:.2} of the applied value",
                        moved
                    );
                    continue;
                }
                // ±8 for white balance and saturation, ±10 for contrast; cross-talk
                // into a slider that was not applied ±12, ±15 between the tone sliders
                // (they share one piece of evidence, the luma quantiles).
                let tol = if g[k] == 0.0 {
                    if k >= 3 {
                        15.0
                    } else {
                        12.0
                    }
                } else if k < 3 {
                    8.0
                } else {
                    10.0
                };
                assert!(
                    (e[k] - expect).abs() <= tol,
                    "grade {g:?}: slider {k} got {:.1} (ungraded {:.1})",
                    e[k],
                    e0[k]
                );
            }
        }
    }
}
