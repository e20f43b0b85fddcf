//! Colour grade estimation: the sliders of [`stylecut_types::grade`] that would turn
//! footage with neutral statistics into what the shot shows.
//!
//! The forward model applies white balance, contrast, tone curve, saturation, in that
//! order; each slider is estimated from a statistic the others disturb little:
//!
//! 1. contrast, highlights, shadows: from the shot's luma quantiles against the neutral
//!    quantiles [`NEUTRAL_Q`] (saturation leaves luma unchanged, so it cannot leak in):
//!    contrast from the spread ratio, the two bumps by linear least squares;
//! 2. saturation: the mean chroma distance from luma, measured about the shot's median
//!    chroma (so a colour cast is not read as saturation) and divided by the contrast
//!    factor (contrast scales chroma too), against [`NEUTRAL_CHROMA`];
//! 3. temperature and tint: in linear light, the median of per-pixel `log2(R/B)` and
//!    `log2(G/√(RB))` over mid-tone unclipped pixels (grey world with a median, so a large
//!    coloured object moves it little) against their neutral values. The white-balance
//!    gains of the model shift exactly these logs.
//!
//! Saturation and white balance are read on the observed pixels, not after undoing the
//! estimated curve: the tone estimate is bound to the neutral prior, and undoing a
//! wrong curve (or a strong estimated desaturation) would multiply its error into the
//! colour ratios. Tone is fitted on luma with the current white-balance estimate taken
//! out (three alternating rounds).
//!
//! The neutral constants are medians measured on ungraded reference clips, so ordinary
//! footage reads near 0 and a slider reading says how far a shot sits from typical
//! footage in the direction that slider moves pixels.
//!
//! Per-shot estimates are combined with a median across shots, so one sunset shot does
//! not read as a warm grade of the whole video.

use stylecut_types::grade::{self, LUMA, TEMP_STOPS, TINT_STOPS};
use stylecut_types::ColorGrade;

/// Luma quantile levels used for the tone fit.
pub const Q_LEVELS: [f64; NQ] = [
    0.01, 0.03, 0.06, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.94, 0.97, 0.99,
];
/// Neutral luma at those levels. Like every neutral constant here it is the median,
/// level by level, of six ungraded reference clips (bikes, cockatoo, Big Buck Bunny,
/// issue-195, goldeneye, testvideo in `shared/media`), so typical footage reads ≈ 0.
pub const NEUTRAL_Q: [f64; NQ] = [
    0.028, 0.035, 0.054, 0.088, 0.195, 0.30, 0.39, 0.47, 0.59, 0.67, 0.72, 0.78, 0.86,
];
const NQ: usize = 13;
/// Neutral mean chroma distance (encoded RGB units).
pub const NEUTRAL_CHROMA: f64 = 0.075;
/// Neutral median `log2(R/B)` and `log2(G/√(RB))` of mid-tone pixels, linear light.
pub const NEUTRAL_LOG_RB: f64 = 0.33;
pub const NEUTRAL_LOG_G: f64 = 0.04;

/// Samples per frame (a fixed 16×12 grid).
const GRID_X: usize = 16;
const GRID_Y: usize = 12;

/// Collects colour samples frame by frame.
#[derive(Default)]
pub struct ColorSampler {
    /// (pts, encoded RGB 0..1) per sampled pixel.
    pub samples: Vec<(f32, [f32; 3])>,
}

impl ColorSampler {
    pub fn push(&mut self, pts_s: f64, rgb: &[u8], width: usize, height: usize) {
        for gy in 0..GRID_Y {
            let y = (2 * gy + 1) * height / (2 * GRID_Y);
            for gx in 0..GRID_X {
                let x = (2 * gx + 1) * width / (2 * GRID_X);
                let p = &rgb[(y * width + x) * 3..(y * width + x) * 3 + 3];
                self.samples.push((
                    pts_s as f32,
                    [
                        p[0] as f32 / 255.0,
                        p[1] as f32 / 255.0,
                        p[2] as f32 / 255.0,
                    ],
                ));
            }
        }
    }

    /// Samples of frames with presentation time in `[start, end)`.
    pub fn range(&self, start: f64, end: f64) -> Vec<[f64; 3]> {
        self.samples
            .iter()
            .filter(|(t, _)| (*t as f64) >= start - 1e-4 && (*t as f64) < end - 1e-4)
            .map(|(_, p)| p.map(f64::from))
            .collect()
    }
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
            a11 += bh * bh;
            a12 += bh * bs;
            a22 += bs * bs;
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

/// White-balance gains of the model for (temperature, tint), linear light.
fn wb_gains(t: f64, m: f64) -> [f64; 3] {
    [
        2f64.powf(TEMP_STOPS * t / 100.0),
        2f64.powf(-TINT_STOPS * m / 100.0),
        2f64.powf(-TEMP_STOPS * t / 100.0),
    ]
}

/// Estimates the grade of one shot from its pixel samples (None when too few).
///
/// Tone and white balance interact (a green tint brightens luma), so the estimate
/// alternates: fit the curve on the luma the pixels would have with the current
/// white-balance estimate removed, then re-measure saturation and white balance.
pub fn estimate(px: &[[f64; 3]]) -> Option<ColorGrade> {
    if px.len() < 200 {
        return None;
    }
    let stride = px.len().div_ceil(6000);
    let px: Vec<[f64; 3]> = px.iter().step_by(stride).copied().collect();
    let (mut tone, mut temp, mut tint, mut sat) = ([0.0f64; 3], 0.0, 0.0, 0.0);
    for _ in 0..3 {
        let gains = wb_gains(temp, tint);
        let lum: Vec<f64> = px
            .iter()
            .map(|p| {
                let q = [0, 1, 2].map(|k| {
                    let lin = grade::srgb_to_linear(p[k]) / gains[k];
                    grade::linear_to_srgb(lin.min(1.0))
                });
                luma(&q)
            })
            .collect();
        tone = fit_tone(&quantiles(lum));
        // Saturation and white balance are read on the observed pixels: undoing an
        // estimated curve first would multiply any error of the (prior-bound) tone
        // estimate into the colour ratios.
        let un = &px;
        // Saturation: chroma about the median chroma (cast removed).
        let cmag = chroma_spread(un);
        // Contrast scales chroma as it scales luma deviations: take it out.
        let k = 2f64.powf(tone[0] / 100.0);
        sat = (100.0 * (cmag / k / NEUTRAL_CHROMA - 1.0)).clamp(-100.0, 100.0);
        // White balance in linear light on mid-tone, unclipped pixels.
        let (mut rb, mut gm) = (Vec::new(), Vec::new());
        for p in un {
            let y = luma(p);
            if !(0.06..=0.94).contains(&y) || p.iter().any(|v| *v <= 0.01 || *v >= 0.99) {
                continue;
            }
            let l = p.map(grade::srgb_to_linear);
            rb.push((l[0] / l[2]).log2());
            gm.push((l[1] / (l[0] * l[2]).sqrt()).log2());
        }
        temp = median(rb).map_or(0.0, |v| 100.0 * (v - NEUTRAL_LOG_RB) / (2.0 * TEMP_STOPS));
        tint = median(gm).map_or(0.0, |v| -100.0 * (v - NEUTRAL_LOG_G) / TINT_STOPS);
    }
    Some(
        ColorGrade {
            temperature: temp,
            tint,
            saturation: sat,
            contrast: tone[0],
            highlights: tone[1],
            shadows: tone[2],
        }
        .clamped(),
    )
}

/// Raw statistics of a sample set (no neutral reference involved): luma quantiles at
/// [`Q_LEVELS`], chroma distance, median `log2(R/B)` and `log2(G/√(RB))` in linear
/// light. Used to derive and check the neutral constants.
pub fn raw_stats(px: &[[f64; 3]]) -> ([f64; NQ], f64, f64, f64) {
    let q = quantiles(px.iter().map(luma).collect());
    let cmag = chroma_spread(px);
    let (mut rb, mut gm) = (Vec::new(), Vec::new());
    for p in px {
        let y = luma(p);
        if !(0.06..=0.94).contains(&y) || p.iter().any(|v| *v <= 0.01 || *v >= 0.99) {
            continue;
        }
        let l = p.map(grade::srgb_to_linear);
        rb.push((l[0] / l[2]).log2());
        gm.push((l[1] / (l[0] * l[2]).sqrt()).log2());
    }
    (
        q,
        cmag,
        median(rb).unwrap_or(0.0),
        median(gm).unwrap_or(0.0),
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
    if px.is_empty() {
        return [0.0; 3];
    }
    let mut m = [0.0; 3];
    for p in px {
        for k in 0..3 {
            m[k] += grade::srgb_to_linear(p[k]);
        }
    }
    let [r, g, b] = m.map(|v| v / px.len() as f64);
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
    fn scene() -> Vec<[f64; 3]> {
        let mut s = 12345u64;
        let mut rnd = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 33) as f64 / (1u64 << 31) as f64
        };
        (0..4000)
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
            .collect()
    }

    #[test]
    fn recovers_applied_sliders_relative_to_the_ungraded_estimate() {
        let base = scene();
        let e0 = estimate(&base).unwrap().as_array();
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
            let graded: Vec<[f64; 3]> = base.iter().map(|p| grade::apply(*p, &cg)).collect();
            let e = estimate(&graded).unwrap().as_array();
            for k in 0..6 {
                // Saturation composes multiplicatively in the model.
                let expect = if k == 2 {
                    100.0 * ((1.0 + e0[k] / 100.0) * (1.0 + g[k] / 100.0) - 1.0)
                } else {
                    e0[k] + g[k]
                };
                // ±8 for white balance and saturation; the tone sliders share their
                // evidence (luma quantiles) and are held to ±10, cross-talk into a
                // slider that was not applied to ±12.
                let tol = if g[k] == 0.0 {
                    12.0
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
