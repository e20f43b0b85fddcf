//! Colour: the grade rendered without leaving Y'CbCr, when that is close enough.
//!
//! The exact render of a [`LutSpec`] (see [`super::lut`]) is `hue=s=`, a round trip through
//! packed RGB for the per-channel `lutrgb` tables, and `hue=s=` again; the round trip is the
//! largest filter cost of a render. This module fits a form that stays in 4:2:0 Y'CbCr:
//!
//! * luma: `Y' = T(Y)`, one 256-entry table (`lutyuv=y=`), the exact chain's output luma
//!   for the grey of each code;
//! * chroma, per plane: `C' − 128 = α·(C − 128) + β + γ·Y'/255` (an affine map of the plane
//!   in `lutyuv=u=/v=`, plus, only when it measures better, a luma-dependent cast with
//!   `colorcorrect`'s shadow / highlight spots), fitted by least squares to the chain's
//!   output over [`sample_colours`].
//!
//! Per-plane tables cannot mix channels, so the fit is an approximation: its luma is exact on
//! greys (their chroma carries the fitted offset β), and it is off by a chroma gain that
//! varies with luma (a curved tone map) or a hue twist (white balance). The fit is
//! used only when its CIEDE2000 against the exact chain over [`sample_colours`] stays within
//! [`MAX_MEAN_DE`] (mean) and [`MAX_P99_DE`] (99th percentile); otherwise the grade renders
//! through the exact chain. Both chains' pixels are modelled here as ffmpeg computes them
//! (BT.709 limited-range conversions: the graph converts every source to that working space
//! first and the exact chain's R'G'B' round trip names the matrix explicitly; `lutrgb`'s
//! rounded tables, `hue`'s chroma scale with clipping). In BT.709 `hue`'s chroma scale is
//! exactly the model's saturation step (a scale of `x − Y` with the model's luma weights).

use stylecut_analysis::video::grade::linear_to_lab;
use stylecut_types::grade;

use super::lut::{LutSpec, MAX_CHROMA};

/// Largest mean CIEDE2000 (exact chain against the Y'CbCr fit, over [`sample_colours`]) at
/// which the Y'CbCr form is rendered. On real frames the exact chain's own RGB round trip
/// (4:2:0 → RGB → 4:2:0) is ≈ 1 ΔE from the model already (docs/BENCHMARKS.md, Session 6).
pub const MAX_MEAN_DE: f64 = 1.0;

/// Largest 99th-percentile CIEDE2000 at which the Y'CbCr form is rendered.
pub const MAX_P99_DE: f64 = 2.5;

/// A `colorcorrect` cast is added only when it lowers the fit's mean ΔE by this much.
const CAST_GAIN_DE: f64 = 0.05;

/// The grade in Y'CbCr: a luma table and an affine map of each chroma plane.
#[derive(Debug, Clone, PartialEq)]
pub struct YuvGrade {
    /// Output luma code (unrounded) for each input luma code.
    pub y: Vec<f64>,
    /// Cb: (α, β, γ) of `Cb' − 128 = α·(Cb − 128) + β + γ·Y'/255`.
    pub cb: [f64; 3],
    /// Cr: the same for Cr.
    pub cr: [f64; 3],
}

/// How far the fit is from the exact chain (CIEDE2000 over [`sample_colours`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitError {
    pub mean: f64,
    pub p99: f64,
    pub max: f64,
}

impl FitError {
    pub fn passes(&self) -> bool {
        self.mean <= MAX_MEAN_DE && self.p99 <= MAX_P99_DE
    }
}

/// Luma weights of the working space's matrix (BT.709: the render converts every source to
/// BT.709 limited range first, see [`super::SourceColour`]).
const KR: f64 = 0.2126;
const KB: f64 = 0.0722;
const KG: f64 = 1.0 - KR - KB;

/// BT.709 limited-range Y'CbCr codes (0..255 scale, unrounded) → R'G'B' 0..1, clamped.
pub fn ycbcr_to_rgb(p: [f64; 3]) -> [f64; 3] {
    let y = (p[0] - 16.0) / 219.0;
    let pb = (p[1] - 128.0) / 224.0;
    let pr = (p[2] - 128.0) / 224.0;
    let r = y + 2.0 * (1.0 - KR) * pr;
    let b = y + 2.0 * (1.0 - KB) * pb;
    let g = (y - KR * r - KB * b) / KG;
    [r, g, b].map(|v| v.clamp(0.0, 1.0))
}

/// R'G'B' 0..1 → BT.709 limited-range Y'CbCr codes (unrounded).
pub fn rgb_to_ycbcr(c: [f64; 3]) -> [f64; 3] {
    let y = KR * c[0] + KG * c[1] + KB * c[2];
    [
        16.0 + 219.0 * y,
        128.0 + 224.0 * (c[2] - y) / (2.0 * (1.0 - KB)),
        128.0 + 224.0 * (c[0] - y) / (2.0 * (1.0 - KR)),
    ]
}

fn scale_chroma(p: [f64; 3], k: f64) -> [f64; 3] {
    if (k - 1.0).abs() <= 1e-3 {
        return p;
    }
    let k = k.min(MAX_CHROMA);
    [
        p[0],
        (128.0 + (p[1] - 128.0) * k).clamp(0.0, 255.0),
        (128.0 + (p[2] - 128.0) * k).clamp(0.0, 255.0),
    ]
}

/// The exact chain of [`LutSpec::rgb_filters`] on one pixel, with the rendered `lutrgb`
/// tables `tables` (output codes for each input code, per channel R, G, B).
fn chain_pixel(spec: &LutSpec, tables: &[[f64; 256]; 3], p: [f64; 3]) -> [f64; 3] {
    let p = scale_chroma(p, spec.chroma_in());
    let rgb = ycbcr_to_rgb(p);
    let mapped: [f64; 3] = std::array::from_fn(|c| {
        let x = rgb[c] * 255.0;
        let (i, t) = (x.floor().min(254.0), x - x.floor().min(254.0));
        let i = i as usize;
        (tables[c][i] + (tables[c][i + 1] - tables[c][i]) * t) / 255.0
    });
    let out = rgb_to_ycbcr(mapped).map(|v| v.clamp(0.0, 255.0));
    scale_chroma(out, spec.chroma_out())
}

/// The rendered `lutrgb` table of each channel (output code for each input code).
fn rendered_tables(spec: &LutSpec) -> [[f64; 256]; 3] {
    std::array::from_fn(|c| spec.table_codes(c))
}

/// The colours the fit is made and judged on: a Y'CbCr grid (luma every 7 codes over
/// 16..235, Cb and Cr within ±64 codes of neutral every 8) restricted to the R'G'B' gamut.
/// Ordinary footage sits mostly near the grey axis; ±64 codes reaches well saturated colours
/// (a pure BT.709 red is Cr 240, +112).
pub fn sample_colours() -> Vec<[f64; 3]> {
    let mut s = Vec::new();
    let mut y = 16.0;
    while y <= 235.0 {
        for cb in (-8..=8).map(|k| 128.0 + 8.0 * f64::from(k)) {
            for cr in (-8..=8).map(|k| 128.0 + 8.0 * f64::from(k)) {
                let p = [y, cb, cr];
                let yn = (y - 16.0) / 219.0;
                let r = yn + 2.0 * (1.0 - KR) * (cr - 128.0) / 224.0;
                let b = yn + 2.0 * (1.0 - KB) * (cb - 128.0) / 224.0;
                let g = (yn - KR * r - KB * b) / KG;
                if [r, g, b].iter().all(|v| (-1e-9..=1.0 + 1e-9).contains(v)) {
                    s.push(p);
                }
            }
        }
        y += 7.0;
    }
    s
}

impl YuvGrade {
    /// The fit's output for one pixel (Y'CbCr codes, unrounded).
    pub fn apply(&self, p: [f64; 3]) -> [f64; 3] {
        let code = p[0].clamp(0.0, 255.0);
        let i = code.floor().min(254.0) as usize;
        let y = self.y[i] + (self.y[i + 1] - self.y[i]) * (code - i as f64);
        let y = y.clamp(0.0, 255.0);
        let c = |m: [f64; 3], v: f64| {
            (128.0 + m[0] * (v - 128.0) + m[1] + m[2] * y / 255.0).clamp(0.0, 255.0)
        };
        [y, c(self.cb, p[1]), c(self.cr, p[2])]
    }

    /// True when the fit has a luma-dependent cast (rendered with `colorcorrect`).
    pub fn has_cast(&self) -> bool {
        self.cb[2].abs() > 0.05 || self.cr[2].abs() > 0.05
    }

    /// The ffmpeg filters: `lutyuv` (luma table, chroma gain and offset), and `colorcorrect`
    /// for a luma-dependent cast.
    pub fn filters(&self) -> Vec<String> {
        // lutyuv truncates: +0.5 rounds. colorcorrect truncates too: with a cast, one more
        // half code here centres its result.
        let half = if self.has_cast() { 1.0 } else { 0.5 };
        let chroma = |m: [f64; 3]| format!("{:.4}{:+.6}*(val-128)", 128.0 + half + m[1], m[0]);
        let mut f = vec![format!(
            "lutyuv=y='{}':u='{}':v='{}'",
            hinge_expr(&self.y),
            chroma(self.cb),
            chroma(self.cr)
        )];
        if self.has_cast() {
            // colorcorrect: C' = C + spot_shadow·(1 − y) + spot_highlight·y in 0..1 units,
            // y = the (new) luma code / 255. The constant β is in lutyuv already.
            let spots = |m: [f64; 3]| (0.0, m[2] / 255.0);
            let (bl, bh) = spots(self.cb);
            let (rl, rh) = spots(self.cr);
            f.push(format!(
                "colorcorrect=rl={rl:.6}:bl={bl:.6}:rh={rh:.6}:bh={bh:.6}"
            ));
        }
        f
    }
}

/// Largest gap between the luma table's straight pieces and the table, in codes.
const Y_TOLERANCE: f64 = 0.35;

/// `lutyuv` expression of a 256-entry table of codes: straight pieces within
/// [`Y_TOLERANCE`] as a sum of hinge terms, +0.5 so that the truncation rounds.
fn hinge_expr(t: &[f64]) -> String {
    let fits = |i: usize, j: usize| {
        (i + 1..j).all(|m| {
            let u = (m - i) as f64 / (j - i) as f64;
            (t[i] + (t[j] - t[i]) * u - t[m]).abs() < Y_TOLERANCE
        })
    };
    let mut knots = vec![(0usize, t[0])];
    let mut i = 0;
    while i < 255 {
        let mut j = i + 1;
        while j < 255 && fits(i, j + 1) {
            j += 1;
        }
        knots.push((j, t[j]));
        i = j;
    }
    let slope = |k: usize| (knots[k + 1].1 - knots[k].1) / (knots[k + 1].0 - knots[k].0) as f64;
    let mut e = format!("{:.4}{:+.6}*val", knots[0].1 + 0.5, slope(0));
    for (k, knot) in knots.iter().enumerate().take(knots.len() - 1).skip(1) {
        let d = slope(k) - slope(k - 1);
        if d.abs() > 1e-7 {
            e.push_str(&format!("{d:+.6}*max(val-{},0)", knot.0));
        }
    }
    e
}

/// Weighted least squares for `t ≈ Σ a_k·x_k` (2 or 3 unknowns), by the normal equations.
fn least_squares<const N: usize>(rows: &[([f64; N], f64)]) -> [f64; N] {
    let mut m = [[0.0; N]; N];
    let mut r = [0.0; N];
    for (x, t) in rows {
        for a in 0..N {
            r[a] += x[a] * t;
            for b in 0..N {
                m[a][b] += x[a] * x[b];
            }
        }
    }
    // Gauss-Jordan with partial pivoting.
    for col in 0..N {
        let piv = (col..N)
            .max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))
            .unwrap_or(col);
        m.swap(col, piv);
        r.swap(col, piv);
        let d = m[col][col];
        if d.abs() < 1e-12 {
            return [0.0; N];
        }
        for row in 0..N {
            if row != col {
                let f = m[row][col] / d;
                let pivot_row = m[col];
                for (v, p) in m[row].iter_mut().zip(pivot_row) {
                    *v -= f * p;
                }
                r[row] -= f * r[col];
            }
        }
    }
    std::array::from_fn(|k| r[k] / m[k][k])
}

/// Fits the Y'CbCr form of `spec` and measures it; `cast` allows the luma-dependent term.
fn fit_with(spec: &LutSpec, tables: &[[f64; 256]; 3], cast: bool) -> (YuvGrade, FitError) {
    let y: Vec<f64> = (0..256)
        .map(|c| chain_pixel(spec, tables, [c as f64, 128.0, 128.0])[0])
        .collect();
    let samples = sample_colours();
    let targets: Vec<[f64; 3]> = samples
        .iter()
        .map(|&p| chain_pixel(spec, tables, p))
        .collect();
    let ylut = YuvGrade {
        y,
        cb: [1.0, 0.0, 0.0],
        cr: [1.0, 0.0, 0.0],
    };
    let fit_plane = |k: usize| -> [f64; 3] {
        if cast {
            let rows: Vec<([f64; 3], f64)> = samples
                .iter()
                .zip(&targets)
                .map(|(s, t)| {
                    let yo = ylut.apply(*s)[0] / 255.0;
                    ([s[k] - 128.0, 1.0, yo], t[k] - 128.0)
                })
                .collect();
            least_squares(&rows)
        } else {
            let rows: Vec<([f64; 2], f64)> = samples
                .iter()
                .zip(&targets)
                .map(|(s, t)| ([s[k] - 128.0, 1.0], t[k] - 128.0))
                .collect();
            let [a, b] = least_squares(&rows);
            [a, b, 0.0]
        }
    };
    let g = YuvGrade {
        cb: fit_plane(1),
        cr: fit_plane(2),
        ..ylut
    };
    let err = fit_error(&samples, &targets, &g);
    (g, err)
}

fn fit_error(samples: &[[f64; 3]], targets: &[[f64; 3]], g: &YuvGrade) -> FitError {
    let mut de: Vec<f64> = samples
        .iter()
        .zip(targets)
        .map(|(s, t)| delta_e_ycbcr(*t, g.apply(*s)))
        .collect();
    de.sort_by(f64::total_cmp);
    let n = de.len().max(1);
    FitError {
        mean: de.iter().sum::<f64>() / n as f64,
        p99: de[((n as f64 * 0.99) as usize).min(n - 1)],
        max: de[n - 1],
    }
}

/// The Y'CbCr fit of `spec` and its error against the exact chain: without the cast when
/// that is within [`CAST_GAIN_DE`] of the fit with it.
pub fn fit(spec: &LutSpec) -> (YuvGrade, FitError) {
    let tables = rendered_tables(spec);
    let plain = fit_with(spec, &tables, false);
    let cast = fit_with(spec, &tables, true);
    if cast.1.mean + CAST_GAIN_DE < plain.1.mean && cast.0.has_cast() {
        cast
    } else {
        plain
    }
}

/// The Y'CbCr form of `spec` when it passes [`FitError::passes`].
pub fn yuv_form(spec: &LutSpec) -> Option<YuvGrade> {
    let (g, e) = fit(spec);
    e.passes().then_some(g)
}

/// CIE L*a*b* (D65) of an encoded sRGB / BT.709-primaries pixel (0..1), by the
/// extraction's own conversion ([`linear_to_lab`]).
pub fn lab(rgb: [f64; 3]) -> [f64; 3] {
    linear_to_lab(rgb.map(grade::srgb_to_linear))
}

/// CIEDE2000 colour difference of two L*a*b* colours (kL = kC = kH = 1).
pub fn ciede2000(p: [f64; 3], q: [f64; 3]) -> f64 {
    use std::f64::consts::PI;
    let (l1, a1, b1) = (p[0], p[1], p[2]);
    let (l2, a2, b2) = (q[0], q[1], q[2]);
    let c1 = a1.hypot(b1);
    let c2 = a2.hypot(b2);
    let cm = 0.5 * (c1 + c2);
    let g = 0.5 * (1.0 - (cm.powi(7) / (cm.powi(7) + 25f64.powi(7))).sqrt());
    let (a1p, a2p) = ((1.0 + g) * a1, (1.0 + g) * a2);
    let (c1p, c2p) = (a1p.hypot(b1), a2p.hypot(b2));
    let hue = |b: f64, a: f64| {
        if a == 0.0 && b == 0.0 {
            0.0
        } else {
            let h = b.atan2(a).to_degrees();
            if h < 0.0 {
                h + 360.0
            } else {
                h
            }
        }
    };
    let (h1p, h2p) = (hue(b1, a1p), hue(b2, a2p));
    let dl = l2 - l1;
    let dc = c2p - c1p;
    let dh = if c1p * c2p == 0.0 {
        0.0
    } else {
        let d = h2p - h1p;
        if d > 180.0 {
            d - 360.0
        } else if d < -180.0 {
            d + 360.0
        } else {
            d
        }
    };
    let dhh = 2.0 * (c1p * c2p).sqrt() * (dh.to_radians() / 2.0).sin();
    let lm = 0.5 * (l1 + l2);
    let cmp = 0.5 * (c1p + c2p);
    let hm = if c1p * c2p == 0.0 {
        h1p + h2p
    } else if (h1p - h2p).abs() <= 180.0 {
        0.5 * (h1p + h2p)
    } else if h1p + h2p < 360.0 {
        0.5 * (h1p + h2p + 360.0)
    } else {
        0.5 * (h1p + h2p - 360.0)
    };
    let t = 1.0 - 0.17 * (hm - 30.0).to_radians().cos()
        + 0.24 * (2.0 * hm).to_radians().cos()
        + 0.32 * (3.0 * hm + 6.0).to_radians().cos()
        - 0.20 * (4.0 * hm - 63.0).to_radians().cos();
    let dtheta = 30.0 * (-((hm - 275.0) / 25.0).powi(2)).exp();
    let rc = 2.0 * (cmp.powi(7) / (cmp.powi(7) + 25f64.powi(7))).sqrt();
    let sl = 1.0 + 0.015 * (lm - 50.0).powi(2) / (20.0 + (lm - 50.0).powi(2)).sqrt();
    let sc = 1.0 + 0.045 * cmp;
    let sh = 1.0 + 0.015 * cmp * t;
    let rt = -(2.0 * dtheta * PI / 180.0).sin() * rc;
    ((dl / sl).powi(2) + (dc / sc).powi(2) + (dhh / sh).powi(2) + rt * (dc / sc) * (dhh / sh))
        .sqrt()
}

/// CIEDE2000 between two BT.709 limited-range Y'CbCr pixels (codes).
pub fn delta_e_ycbcr(p: [f64; 3], q: [f64; 3]) -> f64 {
    ciede2000(lab(ycbcr_to_rgb(p)), lab(ycbcr_to_rgb(q)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use stylecut_types::ColorGrade;

    fn spec(from: [f64; 6], to: [f64; 6]) -> LutSpec {
        LutSpec {
            size: 33,
            from: ColorGrade::from_array(from),
            to: ColorGrade::from_array(to),
        }
    }

    #[test]
    fn ciede2000_matches_published_pairs() {
        // Sharma, Wu, Dalal (2005), test data pairs 1, 7 and 17.
        let cases = [
            ([50.0, 2.6772, -79.7751], [50.0, 0.0, -82.7485], 2.0425),
            ([50.0, 0.0, 0.0], [50.0, -1.0, 2.0], 2.3669),
            ([50.0, 2.5, 0.0], [73.0, 25.0, -18.0], 27.1492),
        ];
        for (p, q, want) in cases {
            let got = ciede2000(p, q);
            assert!((got - want).abs() < 1e-3, "{p:?} {q:?}: {got} vs {want}");
        }
    }

    #[test]
    fn conversions_round_trip() {
        for p in [
            [16.0, 128.0, 128.0],
            [120.0, 100.0, 150.0],
            [200.0, 140.0, 120.0],
        ] {
            let q = rgb_to_ycbcr(ycbcr_to_rgb(p));
            for k in 0..3 {
                assert!((p[k] - q[k]).abs() < 1e-9, "{p:?} {q:?}");
            }
        }
    }

    #[test]
    fn contrast_change_with_equal_white_balance_fits() {
        // Segment 0 of the BBB like-for-like plan: equal white balance, contrast and
        // shadows moved, saturation 93 → 100.
        let s = spec(
            [41.9, -55.2, 93.0, 26.7, 37.8, 86.5],
            [41.9, -55.2, 100.0, 16.9, 37.8, 75.0],
        );
        let (g, e) = fit(&s);
        assert!(e.passes(), "{e:?}");
        // Greys follow the chain's luma exactly and stay within 1 ΔE of it (the fitted
        // chroma offset β is a least-squares compromise, not zero on greys).
        let tables = rendered_tables(&s);
        for code in [30.0, 100.0, 180.0] {
            let want = chain_pixel(&s, &tables, [code, 128.0, 128.0]);
            let got = g.apply([code, 128.0, 128.0]);
            assert!((want[0] - got[0]).abs() < 1e-9);
            assert!(delta_e_ycbcr(want, got) < 1.0, "{want:?} {got:?}");
        }
        assert!(
            g.filters()[0].starts_with("lutyuv=y='"),
            "{:?}",
            g.filters()
        );
    }

    #[test]
    fn a_large_white_balance_move_falls_back_to_the_exact_chain() {
        // Warm → cool by 150 with a strong tone change: chroma depends on luma and hue.
        let s = spec(
            [80.0, 30.0, 0.0, 0.0, 0.0, 0.0],
            [-70.0, -40.0, 60.0, 50.0, -60.0, 60.0],
        );
        let (_, e) = fit(&s);
        assert!(!e.passes(), "{e:?}");
        assert!(s.filters().iter().any(|f| f == "format=bgr24"));
    }

    #[test]
    fn the_fit_is_no_worse_than_leaving_the_picture_alone() {
        // The fit's error must be well below the grade's own size for a grade it renders
        // (measured: 0.57 against 1.12 mean ΔE on the sample grid).
        let s = spec(
            [41.9, -55.2, 93.0, 26.7, 37.8, 86.5],
            [41.9, -55.2, 100.0, 16.9, 37.8, 75.0],
        );
        let tables = rendered_tables(&s);
        let samples = sample_colours();
        let targets: Vec<[f64; 3]> = samples
            .iter()
            .map(|&p| chain_pixel(&s, &tables, p))
            .collect();
        let identity = YuvGrade {
            y: (0..256).map(f64::from).collect(),
            cb: [1.0, 0.0, 0.0],
            cr: [1.0, 0.0, 0.0],
        };
        let grade_size = fit_error(&samples, &targets, &identity);
        let (_, e) = fit(&s);
        assert!(e.mean * 1.5 < grade_size.mean, "{e:?} vs {grade_size:?}");
    }
}
