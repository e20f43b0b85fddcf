//! Colour: a 3D LUT that moves footage from the source's measured grade to the template's.
//!
//! The LUT maps an encoded source pixel `x` to `grade::apply(neutral(x), to)` where
//! `neutral = inverse(grade::apply(·, from))`. The inverse is exact step by step (the forward
//! model is a chain of invertible steps up to clamping): saturation, tone curve (bisection on a
//! monotonic cubic), contrast, white balance. Saturation −100 is not invertible; its inverse
//! is capped at a 20× chroma gain. The LUT is written as a `.cube` file (red fastest) at
//! render time, so the plan only carries the two grades and the grid size.
//!
//! **Rendering without `lut3d`.** ffmpeg 5.1's `lut3d` costs ≈ 23 ms of CPU per
//! 1024×576 frame here (tetrahedral or trilinear alike), several times the encode. The
//! forward model is separable: per-channel steps (white balance, contrast, tone) followed
//! by a chroma scale about luma. So the same mapping is exactly
//! `chroma × f_to ∘ per-channel curve ∘ chroma ÷ f_from`, rendered as `hue=s=` on the YUV
//! picture (a chroma scale in Y'CbCr is a scale of `x − Y` in R'G'B'; `hue` does it with a
//! table on the quarter-size chroma planes), `lutrgb` in packed `bgr24` (one 256-entry table
//! per channel: the composed 1D map, piecewise linear within [`TABLE_TOLERANCE`]; the
//! conversions to and from `bgr24` are explicit BT.709 limited-range `scale`s, the graph's
//! working space, see [`super::SourceColour`]) and `hue=s=` again. The RGB round trip is the
//! main cost; `bgr24` + `lutrgb` measured ≈ 25 % cheaper than the earlier `bgr0` + `curves`.
//! Chroma factors are capped at 10 (`hue`'s limit).
//! The `.cube` stays available for export (`stylecut plan --cube-dir`).

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use stylecut_types::grade::{self, LUMA};
use stylecut_types::ColorGrade;

/// Grid size of the rendered LUTs (33³ is the usual .cube resolution).
pub const LUT_SIZE: u32 = 33;

/// One LUT of the plan: the grade it undoes and the grade it applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LutSpec {
    pub size: u32,
    pub from: ColorGrade,
    pub to: ColorGrade,
}

impl LutSpec {
    /// File name inside the render scratch directory.
    pub fn file_name(index: usize) -> String {
        format!("grade{index}.cube")
    }

    /// Maps one encoded RGB pixel.
    pub fn map(&self, rgb: [f64; 3]) -> [f64; 3] {
        grade::apply(inverse(rgb, &self.from), &self.to)
    }

    /// The composed per-channel map (channel 0 = R, 1 = G, 2 = B): the source grade's
    /// per-channel steps undone, the template's applied, saturation excluded.
    pub fn channel_map(&self, c: usize, x: f64) -> f64 {
        let undone = invert_channel(x, c, &self.from);
        forward_channel(undone, c, &self.to)
    }

    /// Chroma factor that undoes the source's saturation (capped at [`MAX_CHROMA`]).
    pub fn chroma_in(&self) -> f64 {
        (1.0 / (1.0 + self.from.saturation / 100.0).max(0.05)).min(MAX_CHROMA)
    }

    /// Chroma factor of the template's saturation.
    pub fn chroma_out(&self) -> f64 {
        (1.0 + self.to.saturation / 100.0).clamp(0.0, MAX_CHROMA)
    }

    /// The grade as ffmpeg filters: the Y'CbCr form of [`super::lut_yuv`] when it is within
    /// its tolerance of the exact chain, else the exact chain ([`LutSpec::rgb_filters`]).
    pub fn filters(&self) -> Vec<String> {
        match super::lut_yuv::yuv_form(self) {
            Some(g) => g.filters(),
            None => self.rgb_filters(),
        }
    }

    /// The separable mapping as ffmpeg filters: `hue` (YUV), `lutrgb` (packed RGB), `hue`
    /// (YUV).
    pub fn rgb_filters(&self) -> Vec<String> {
        let mut f = Vec::new();
        if (self.chroma_in() - 1.0).abs() > 1e-3 {
            f.push(format!("hue=s={:.4}", self.chroma_in()));
        }
        // Explicit BT.709 limited-range conversions: the working space of the graph.
        f.push("scale=in_color_matrix=bt709:in_range=tv".to_string());
        f.push("format=bgr24".to_string());
        f.push(format!(
            "lutrgb=r='{}':g='{}':b='{}'",
            self.channel_expr(0),
            self.channel_expr(1),
            self.channel_expr(2)
        ));
        f.push("scale=out_color_matrix=bt709:out_range=tv".to_string());
        f.push("format=yuv420p".to_string());
        if (self.chroma_out() - 1.0).abs() > 1e-3 {
            f.push(format!("hue=s={:.4}", self.chroma_out()));
        }
        f
    }

    /// Knots of channel `c`'s rendered table as (8-bit code, value 0..1): the exact
    /// per-channel map at every code is followed by straight pieces, each as long as it
    /// stays within [`TABLE_TOLERANCE`] of the map at every code it spans (kinks such as
    /// white-balance clipping get a knot of their own).
    fn knots(&self, c: usize) -> Vec<(f64, f64)> {
        let exact: Vec<f64> = (0..=255)
            .map(|i| self.channel_map(c, f64::from(i) / 255.0).clamp(0.0, 1.0))
            .collect();
        let fits = |i: usize, j: usize| {
            (i + 1..j).all(|m| {
                let t = (m - i) as f64 / (j - i) as f64;
                (exact[i] + (exact[j] - exact[i]) * t - exact[m]).abs() < TABLE_TOLERANCE
            })
        };
        let mut knots = vec![(0.0, exact[0])];
        let mut i = 0;
        while i < 255 {
            let mut j = i + 1;
            while j < 255 && fits(i, j + 1) {
                j += 1;
            }
            knots.push((j as f64, exact[j]));
            i = j;
        }
        knots
    }

    /// The rendered table of channel `c`: the output code (0..255, rounded as `lutrgb`
    /// rounds) of every input code.
    pub fn table_codes(&self, c: usize) -> [f64; 256] {
        let k = self.knots(c);
        std::array::from_fn(|code| (between_knots(&k, code as f64).clamp(0.0, 1.0) * 255.0).round())
    }

    /// The per-channel map as rendered: linear between the knots (0..1 in, 0..1 out).
    pub fn channel_table(&self, c: usize, x: f64) -> f64 {
        between_knots(&self.knots(c), x.clamp(0.0, 1.0) * 255.0)
    }

    /// `lutrgb` expression of channel `c` on 8-bit codes: the piecewise-linear table as a
    /// sum of hinge terms, `v0 + s0·val + Σ (s_k − s_{k−1})·max(val − x_k, 0)`, plus 0.5 so
    /// lutrgb's truncation rounds. Evaluated 256 times when the filter starts; per pixel the
    /// filter is a table lookup.
    fn channel_expr(&self, c: usize) -> String {
        let k = self.knots(c);
        let slope = |i: usize| 255.0 * (k[i + 1].1 - k[i].1) / (k[i + 1].0 - k[i].0);
        let mut e = format!("{:.4}{:+.6}*val", 255.0 * k[0].1 + 0.5, slope(0));
        for (i, knot) in k.iter().enumerate().take(k.len() - 1).skip(1) {
            let d = slope(i) - slope(i - 1);
            if d.abs() > 1e-7 {
                let _ = write!(e, "{d:+.6}*max(val-{},0)", knot.0);
            }
        }
        e
    }

    /// What the separable filters compute, in the model's own terms (for tests).
    pub fn map_separable(&self, rgb: [f64; 3]) -> [f64; 3] {
        let y = LUMA[0] * rgb[0] + LUMA[1] * rgb[1] + LUMA[2] * rgb[2];
        let k = self.chroma_in();
        let p: [f64; 3] =
            std::array::from_fn(|c| self.channel_table(c, (y + (rgb[c] - y) * k).clamp(0.0, 1.0)));
        let y = LUMA[0] * p[0] + LUMA[1] * p[1] + LUMA[2] * p[2];
        p.map(|v| (y + (v - y) * self.chroma_out()).clamp(0.0, 1.0))
    }

    /// The `.cube` text (Adobe/Resolve format, red index varying fastest).
    pub fn to_cube(&self) -> String {
        let n = self.size.max(2);
        let mut s = String::with_capacity((n * n * n) as usize * 28 + 64);
        let _ = writeln!(s, "TITLE \"stylecut grade\"");
        let _ = writeln!(s, "LUT_3D_SIZE {n}");
        let step = 1.0 / f64::from(n - 1);
        for b in 0..n {
            for g in 0..n {
                for r in 0..n {
                    let p = [
                        f64::from(r) * step,
                        f64::from(g) * step,
                        f64::from(b) * step,
                    ];
                    let o = self.map(p);
                    let _ = writeln!(s, "{:.6} {:.6} {:.6}", o[0], o[1], o[2]);
                }
            }
        }
        s
    }
}

pub use stylecut_types::grade::inverse;

/// Largest chroma factor the rendered `hue` applies.
pub const MAX_CHROMA: f64 = 10.0;

/// Largest gap between the rendered `lutrgb` table and the exact per-channel map at any
/// 8-bit code, before rounding to a code (0..1 units).
pub const TABLE_TOLERANCE: f64 = 1.5e-3;

fn wb_gain(c: usize, g: &ColorGrade) -> f64 {
    grade::white_balance_gains(g)[c.min(2)]
}

/// Steps 1–4 of the forward model on one channel.
fn forward_channel(x: f64, c: usize, g: &ColorGrade) -> f64 {
    let v = grade::linear_to_srgb((grade::srgb_to_linear(x) * wb_gain(c, g)).min(1.0));
    let v = (0.5 + (v - 0.5) * 2f64.powf(g.contrast / 100.0)).clamp(0.0, 1.0);
    grade::tone_curve(v, g.highlights, g.shadows).clamp(0.0, 1.0)
}

/// Inverse of [`forward_channel`].
fn invert_channel(y: f64, c: usize, g: &ColorGrade) -> f64 {
    let v = grade::invert_tone(y, g.highlights, g.shadows);
    let v = (0.5 + (v - 0.5) / 2f64.powf(g.contrast / 100.0)).clamp(0.0, 1.0);
    grade::linear_to_srgb((grade::srgb_to_linear(v) / wb_gain(c, g)).min(1.0))
}

/// How far apart the grade estimates of two shots with the *same* grade typically read,
/// per slider (temperature, tint, saturation, contrast, highlights, shadows): the 80th
/// percentile of the absolute difference between 2 s windows of one clip at least 4 s apart,
/// over five camera clips of `shared/media` (cockatoo, goldeneye, issue-195, testvideo,
/// bikes), measured with `cargo run --release -p stylecut-style --example grade_eval --
/// <those clips>` ("within-clip scene difference p80"). A difference of this size is what
/// scene content alone produces under one grade.
pub const SCENE_SPREAD: [f64; 6] = [87.0, 71.0, 73.0, 69.0, 68.0, 82.0];

/// How far from 0 the readings of ordinary ungraded footage go, per slider (temperature,
/// tint, saturation, contrast, highlights, shadows): the 80th percentile of |reading| over
/// 41 ungraded 2 s windows of the same five camera clips, from the same `grade_eval` run
/// ("ordinary band (p80 |ungraded|)"). A saturation or tone reading inside this band is what
/// scene content alone gives.
pub const ORDINARY_BAND: [f64; 6] = [124.0, 39.0, 64.0, 52.0, 100.0, 75.0];

/// Sliders moved by the difference of the two readings (white balance); the others
/// (saturation, contrast, highlights, shadows) by the readings' excess over
/// [`ORDINARY_BAND`].
const BY_DIFFERENCE: [bool; 6] = [true, true, false, false, false, false];

/// `v` with the band `b` removed: `sign(v)·max(|v| − b, 0)`.
fn beyond(v: f64, b: f64) -> f64 {
    v.signum() * (v.abs() - b).max(0.0)
}

/// The grade a source shot measured at `from` is moved to, for a template measured at
/// `to`. Estimates read scene content as well as grade, so moving a shot all the way to the
/// template's reading also copies the template's scene colours (on ground-truth transfers
/// that was measured worse than leaving the source untouched). Per slider:
///
/// * temperature, tint: `from + beyond(to − from, SCENE_SPREAD)`. A white-balance cast
///   shifts every pixel, grey surfaces included, and the readings add up (grade_eval:
///   median additivity error 14 and 8); only the part of the difference beyond what scene
///   content explains within one clip is moved.
/// * saturation, contrast, highlights, shadows:
///   `from + beyond(to, ORDINARY_BAND) − beyond(from, ORDINARY_BAND)`. These readings are
///   dominated by what the scene holds (a cartoon meadow reads +80 saturation, a grey bird
///   −50; a bright window +100 highlights), and two scenes' difference routinely exceeds
///   `SCENE_SPREAD`. A reading inside the band of ordinary footage is scene; only what lies
///   beyond it is a look: the template's excess is applied, the source's own excess undone.
///
/// Both leave a slider alone when the two readings agree, and both are continuous in the
/// readings. Chosen on the ffmpeg-grade transfers of `bench/score/grade_transfer.py` and
/// confirmed on the held-out model grades (docs/BENCHMARKS.md, Colour, Session 4).
pub fn transfer_target(from: &ColorGrade, to: &ColorGrade) -> ColorGrade {
    let (a, b) = (from.as_array(), to.as_array());
    ColorGrade::from_array(std::array::from_fn(|k| {
        if BY_DIFFERENCE[k] {
            a[k] + beyond(b[k] - a[k], SCENE_SPREAD[k])
        } else {
            a[k] + beyond(b[k], ORDINARY_BAND[k]) - beyond(a[k], ORDINARY_BAND[k])
        }
    }))
    .clamped()
}

/// True when two grades are so close that a LUT would change nothing visible.
pub fn is_identity(from: &ColorGrade, to: &ColorGrade) -> bool {
    from.as_array()
        .iter()
        .zip(to.as_array())
        .all(|(a, b)| (a - b).abs() < 0.5)
}

/// The rendered table between its knots (`(input code, output 0..1)` pairs, sorted by
/// input code): linear interpolation at input code `code`.
fn between_knots(k: &[(f64, f64)], code: f64) -> f64 {
    let i = k
        .iter()
        .rposition(|p| p.0 <= code)
        .unwrap_or(0)
        .min(k.len() - 2);
    let ((x0, v0), (x1, v1)) = (k[i], k[i + 1]);
    v0 + (v1 - v0) * (code - x0) / (x1 - x0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grade(t: f64, m: f64, sat: f64, c: f64, h: f64, s: f64) -> ColorGrade {
        ColorGrade::from_array([t, m, sat, c, h, s])
    }

    #[test]
    fn inverse_undoes_the_forward_model() {
        let gs = [
            grade(40.0, -20.0, 30.0, 25.0, -30.0, 20.0),
            grade(-60.0, 35.0, -50.0, -20.0, 40.0, -40.0),
            ColorGrade::NEUTRAL,
        ];
        for g in &gs {
            for rgb in [[0.4, 0.5, 0.45], [0.3, 0.35, 0.3], [0.55, 0.5, 0.6]] {
                let back = inverse(grade::apply(rgb, g), g);
                for i in 0..3 {
                    assert!((back[i] - rgb[i]).abs() < 2e-3, "{g:?} {rgb:?} -> {back:?}");
                }
            }
        }
    }

    #[test]
    fn lut_moves_source_grade_to_template_grade() {
        let from = grade(-30.0, 0.0, -20.0, 0.0, 0.0, 0.0);
        let to = grade(40.0, 10.0, 20.0, 10.0, 0.0, 0.0);
        let lut = LutSpec {
            size: LUT_SIZE,
            from,
            to,
        };
        let neutral = [0.45, 0.5, 0.4];
        let graded_source = grade::apply(neutral, &from);
        let expect = grade::apply(neutral, &to);
        let got = lut.map(graded_source);
        for i in 0..3 {
            assert!((got[i] - expect[i]).abs() < 2e-3);
        }
    }

    #[test]
    fn separable_filters_equal_the_3d_lut() {
        let lut = LutSpec {
            size: LUT_SIZE,
            from: grade(-25.0, 10.0, -30.0, 15.0, 10.0, -10.0),
            to: grade(45.0, -5.0, 25.0, 10.0, -20.0, 15.0),
        };
        for rgb in [
            [0.2, 0.3, 0.4],
            [0.5, 0.45, 0.4],
            [0.7, 0.6, 0.65],
            [0.1, 0.1, 0.12],
        ] {
            let a = lut.map(rgb);
            let b = lut.map_separable(rgb);
            for i in 0..3 {
                assert!((a[i] - b[i]).abs() < 2e-3, "{rgb:?}: {a:?} vs {b:?}");
            }
        }
        let f = lut.rgb_filters().join(",");
        assert!(
            f.starts_with(
                "hue=s=1.4286,scale=in_color_matrix=bt709:in_range=tv,format=bgr24,lutrgb=r='"
            ),
            "{f}"
        );
        assert!(
            f.ends_with(",scale=out_color_matrix=bt709:out_range=tv,format=yuv420p,hue=s=1.2500"),
            "{f}"
        );
    }

    /// Evaluates a hinge-sum expression as `lutrgb` would (value, then truncation).
    fn eval_expr(e: &str, val: f64) -> f64 {
        let star = e.find('*').expect("slope term");
        let sign = e[1..star].rfind(['+', '-']).expect("sign") + 1;
        let mut acc: f64 = e[..sign].parse::<f64>().expect("offset")
            + e[sign..star].parse::<f64>().expect("slope") * val;
        let mut rest = &e[star + "*val".len()..];
        while let Some(i) = rest.find("*max(val-") {
            let d: f64 = rest[..i].parse().expect("hinge coefficient");
            let after = &rest[i + "*max(val-".len()..];
            let j = after.find(",0)").expect("hinge end");
            let x: f64 = after[..j].parse().expect("knot");
            acc += d * (val - x).max(0.0);
            rest = &after[j + ",0)".len()..];
        }
        assert!(rest.is_empty(), "unparsed tail {rest}");
        acc.trunc().clamp(0.0, 255.0)
    }

    #[test]
    fn lutrgb_expressions_reproduce_the_table() {
        let lut = LutSpec {
            size: LUT_SIZE,
            from: grade(-25.0, 10.0, -30.0, 15.0, 10.0, -10.0),
            to: grade(45.0, -5.0, 25.0, 10.0, -20.0, 15.0),
        };
        for c in 0..3 {
            let e = lut.channel_expr(c);
            for code in 0..=255u32 {
                let x = f64::from(code) / 255.0;
                let want = (lut.channel_table(c, x) * 255.0).round();
                let got = eval_expr(&e, f64::from(code));
                assert!(
                    (got - want).abs() <= 1.0,
                    "c{c} code {code}: {got} vs {want}"
                );
                // The table follows the exact per-channel map within 2/1000 (plus rounding).
                let err = (lut.channel_table(c, x) - lut.channel_map(c, x).clamp(0.0, 1.0)).abs();
                assert!(err < 2e-3, "c{c} code {code}: table off by {err}");
            }
        }
    }

    #[test]
    fn transfer_moves_white_balance_by_difference_and_tone_by_excess() {
        // White balance: the difference beyond SCENE_SPREAD.
        let from = grade(-60.0, 10.0, 0.0, 0.0, 0.0, 0.0);
        let t = transfer_target(&from, &grade(100.0, 10.0, 0.0, 0.0, 0.0, 0.0));
        assert!((t.temperature - (-60.0 + 160.0 - SCENE_SPREAD[0])).abs() < 1e-9);
        assert_eq!(t.tint, 10.0);
        // A saturation difference between two readings inside the ordinary band is scene
        // content: nothing moves, however large the difference.
        let t = transfer_target(
            &grade(0.0, 0.0, 60.0, 0.0, 95.0, 0.0),
            &grade(0.0, 0.0, -55.0, 0.0, -90.0, 0.0),
        );
        assert_eq!(t, grade(0.0, 0.0, 60.0, 0.0, 95.0, 0.0));
        // The template's excess over the band is applied, the source's own excess undone.
        let t = transfer_target(
            &grade(0.0, 0.0, 84.0, 0.0, 0.0, 0.0),
            &grade(0.0, 0.0, -90.0, 70.0, 0.0, 0.0),
        );
        let want_sat = 84.0 - (90.0 - ORDINARY_BAND[2]) - (84.0 - ORDINARY_BAND[2]);
        assert!((t.saturation - want_sat).abs() < 1e-9, "{t:?}");
        assert!(
            (t.contrast - (70.0 - ORDINARY_BAND[3])).abs() < 1e-9,
            "{t:?}"
        );
        // Equal readings leave the source alone, on every slider.
        let g = grade(90.0, -70.0, 80.0, 60.0, -100.0, 90.0);
        assert!(is_identity(&g, &transfer_target(&g, &g)));
    }

    #[test]
    fn cube_text_has_the_documented_layout() {
        let lut = LutSpec {
            size: 3,
            from: ColorGrade::NEUTRAL,
            to: ColorGrade::NEUTRAL,
        };
        let cube = lut.to_cube();
        let lines: Vec<&str> = cube.lines().collect();
        assert_eq!(lines[1], "LUT_3D_SIZE 3");
        assert_eq!(lines.len(), 2 + 27);
        // Red varies fastest: the second entry is (0.5, 0, 0).
        assert_eq!(lines[3], "0.500000 0.000000 0.000000");
        assert_eq!(lines[2 + 26], "1.000000 1.000000 1.000000");
        assert!(is_identity(&lut.from, &lut.to));
    }
}
