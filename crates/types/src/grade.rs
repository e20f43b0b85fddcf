//! The colour grade forward model: what each `color_grade` slider does to a pixel.
//!
//! Extraction estimates the sliders that this model would need to turn neutral footage
//! into what it sees; application builds a 3D LUT from the same model. Both sides use
//! only this module, so that grading a clip with sliders `s` and measuring it gives `s`.
//!
//! Pixels are non-linear (gamma-encoded) sRGB / BT.709 values in 0..1. Steps, in order:
//! 1. **temperature** `t`: white-balance gains in linear light, red × 2^(0.35·t/100),
//!    blue × 2^(−0.35·t/100) (so +100 is a warm shift of about a third of a stop each way).
//! 2. **tint** `m`: green × 2^(−0.35·m/100) (+ magenta, − green).
//! 3. **contrast** `c`: luma-preserving linear stretch about mid grey 0.5 in the encoded
//!    domain, each channel `x → 0.5 + (x − 0.5)·2^(c/100)`.
//! 4. **highlights** `h` and **shadows** `s`: a tone curve on every channel,
//!    `x → x + 0.25·(h/100)·4x²(1−x) + 0.25·(s/100)·4x(1−x)²`; the highlight bump peaks at
//!    x = 2/3, the shadow bump at x = 1/3; both vanish at 0 and 1 and keep the curve monotonic.
//! 5. **saturation** `σ`: chroma scaled about BT.709 luma, `x → Y + (x − Y)·(1 + σ/100)`;
//!    −100 is greyscale, +100 doubles chroma.
//!
//! Results are clamped to 0..1.

use crate::style::ColorGrade;

pub const TEMP_STOPS: f64 = 0.35;
pub const TINT_STOPS: f64 = 0.35;
pub const LUMA: [f64; 3] = [0.2126, 0.7152, 0.0722];

pub fn srgb_to_linear(v: f64) -> f64 {
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

pub fn linear_to_srgb(v: f64) -> f64 {
    let v = v.max(0.0);
    if v <= 0.003_130_8 {
        v * 12.92
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    }
}

/// Tone curve of step 4 for one channel value.
pub fn tone_curve(x: f64, highlights: f64, shadows: f64) -> f64 {
    let h = highlights / 100.0;
    let s = shadows / 100.0;
    x + 0.25 * h * 4.0 * x * x * (1.0 - x) + 0.25 * s * 4.0 * x * (1.0 - x) * (1.0 - x)
}

/// Linear-light gains (R, G, B) of steps 1–2, white balance.
pub fn white_balance_gains(g: &ColorGrade) -> [f64; 3] {
    [
        2f64.powf(TEMP_STOPS * g.temperature / 100.0),
        2f64.powf(-TINT_STOPS * g.tint / 100.0),
        2f64.powf(-TEMP_STOPS * g.temperature / 100.0),
    ]
}

/// Applies the grade to one encoded sRGB pixel (components 0..1).
pub fn apply(rgb: [f64; 3], g: &ColorGrade) -> [f64; 3] {
    // 1–2: white balance in linear light.
    let gains = white_balance_gains(g);
    let mut p = [0.0; 3];
    for i in 0..3 {
        p[i] = linear_to_srgb((srgb_to_linear(rgb[i]) * gains[i]).min(1.0));
    }
    // 3: contrast.
    let k = 2f64.powf(g.contrast / 100.0);
    for v in &mut p {
        *v = (0.5 + (*v - 0.5) * k).clamp(0.0, 1.0);
    }
    // 4: highlights / shadows.
    for v in &mut p {
        *v = tone_curve(*v, g.highlights, g.shadows).clamp(0.0, 1.0);
    }
    // 5: saturation.
    let y = LUMA[0] * p[0] + LUMA[1] * p[1] + LUMA[2] * p[2];
    let f = 1.0 + g.saturation / 100.0;
    p.map(|v| (y + (v - y) * f).clamp(0.0, 1.0))
}

/// Numeric inverse of [`apply`]: the neutral pixel that `g` turns into `rgb`
/// (for pixels the forward model clips, one of its pre-images).
pub fn inverse(rgb: [f64; 3], g: &ColorGrade) -> [f64; 3] {
    Inverse::new(g).apply(rgb)
}

/// [`inverse`] for one grade over many pixels: the grade's constants (saturation factor,
/// contrast factor, white-balance gains) are computed once. Same results as [`inverse`].
#[derive(Debug, Clone, Copy)]
pub struct Inverse {
    f: f64,
    highlights: f64,
    shadows: f64,
    k: f64,
    gains: [f64; 3],
}

impl Inverse {
    pub fn new(g: &ColorGrade) -> Inverse {
        Inverse {
            f: (1.0 + g.saturation / 100.0).max(0.05),
            highlights: g.highlights,
            shadows: g.shadows,
            k: 2f64.powf(g.contrast / 100.0),
            gains: white_balance_gains(g),
        }
    }

    /// The neutral pixel that the grade turns into `rgb`.
    pub fn apply(&self, rgb: [f64; 3]) -> [f64; 3] {
        // 5: saturation. Luma is preserved by the forward step, so it is known here.
        let y = LUMA[0] * rgb[0] + LUMA[1] * rgb[1] + LUMA[2] * rgb[2];
        let f = self.f;
        let mut p = rgb.map(|v| (y + (v - y) / f).clamp(0.0, 1.0));
        // 4: highlights / shadows (monotonic on 0..1).
        for v in &mut p {
            *v = invert_tone(*v, self.highlights, self.shadows);
        }
        // 3: contrast.
        let k = self.k;
        for v in &mut p {
            *v = (0.5 + (*v - 0.5) / k).clamp(0.0, 1.0);
        }
        // 1–2: white balance in linear light.
        let mut out = [0.0; 3];
        for i in 0..3 {
            out[i] = linear_to_srgb((srgb_to_linear(p[i]) / self.gains[i]).min(1.0));
        }
        out
    }
}

/// Inverse of [`tone_curve`] on 0..1 (the curve is monotonic there).
pub fn invert_tone(y: f64, h: f64, s: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    if h == 0.0 && s == 0.0 {
        // Both bumps are exactly zero (`mid + 0.0 + 0.0 == mid` for every `mid` in
        // 0..1), so the curve is the identity: the same bisection without evaluating it.
        for _ in 0..40 {
            let mid = 0.5 * (lo + hi);
            if mid < y {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if tone_curve(mid, h, s) < y {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutral_is_identity() {
        for rgb in [
            [0.1, 0.5, 0.9],
            [0.0, 0.0, 0.0],
            [1.0, 1.0, 1.0],
            [0.3, 0.3, 0.7],
        ] {
            let out = apply(rgb, &ColorGrade::NEUTRAL);
            for i in 0..3 {
                assert!((out[i] - rgb[i]).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn sliders_move_pixels_the_documented_way() {
        let grey = [0.5, 0.5, 0.5];
        let warm = apply(
            grey,
            &ColorGrade {
                temperature: 50.0,
                ..ColorGrade::NEUTRAL
            },
        );
        assert!(warm[0] > 0.5 && warm[2] < 0.5);
        let magenta = apply(
            grey,
            &ColorGrade {
                tint: 50.0,
                ..ColorGrade::NEUTRAL
            },
        );
        assert!(magenta[1] < 0.5);
        let mono = apply(
            [0.8, 0.2, 0.1],
            &ColorGrade {
                saturation: -100.0,
                ..ColorGrade::NEUTRAL
            },
        );
        assert!((mono[0] - mono[1]).abs() < 1e-9 && (mono[1] - mono[2]).abs() < 1e-9);
        let c = apply(
            [0.7, 0.7, 0.7],
            &ColorGrade {
                contrast: 100.0,
                ..ColorGrade::NEUTRAL
            },
        );
        assert!((c[0] - 0.9).abs() < 1e-9);
        let hi = apply(
            [0.66, 0.66, 0.66],
            &ColorGrade {
                highlights: 100.0,
                ..ColorGrade::NEUTRAL
            },
        );
        assert!(hi[0] > 0.7);
    }

    #[test]
    fn tone_curve_is_monotonic_at_extremes() {
        for (h, s) in [
            (100.0, 100.0),
            (-100.0, -100.0),
            (100.0, -100.0),
            (-100.0, 100.0),
        ] {
            let mut last = -1.0;
            for i in 0..=1000 {
                let y = tone_curve(i as f64 / 1000.0, h, s);
                assert!(y >= last - 1e-12, "h={h} s={s} i={i}");
                last = y;
            }
        }
    }
}
