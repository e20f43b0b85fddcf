//! Output format and framing: picture size, frame rate, and the crop window that reframes
//! the source's display picture to the target aspect ratio.
//!
//! Windows are fractions of the source's *display* picture, so they hold for anamorphic and
//! rotated inputs alike: the filtergraph turns them into `crop` expressions on `iw`/`ih`
//! (the decoder's autorotated, still anamorphic picture), where fractions are unchanged.
//! The picture is the whole displayed frame, or its active picture when the source has
//! letterbox or pillarbox bars ([`SourcePicture`]: the graph cuts the bars off first).

use serde::{Deserialize, Serialize};
use stylecut_types::config::JobConfig;

/// The output picture and timing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputFormat {
    pub width: u32,
    pub height: u32,
    /// Frame rate as a fraction (`fps_num / fps_den`).
    pub fps_num: u32,
    pub fps_den: u32,
    /// `16:9`, `9:16`, `1:1`, or `W:H` of the source when the aspect is kept.
    pub aspect: String,
    /// Fit the whole source picture and pad (letterbox/pillarbox) instead of cropping.
    pub letterbox: bool,
}

impl OutputFormat {
    pub fn fps(&self) -> f64 {
        f64::from(self.fps_num) / f64::from(self.fps_den)
    }

    /// Duration of `frames` output frames in seconds.
    pub fn frames_to_s(&self, frames: u64) -> f64 {
        frames as f64 * f64::from(self.fps_den) / f64::from(self.fps_num)
    }

    /// Nearest whole number of output frames in `s` seconds.
    pub fn s_to_frames(&self, s: f64) -> u64 {
        (s.max(0.0) * self.fps()).round() as u64
    }

    /// Audio samples at 48 kHz in `frames` output frames.
    pub fn frames_to_samples(&self, frames: u64) -> u64 {
        (frames as f64 * 48_000.0 * f64::from(self.fps_den) / f64::from(self.fps_num)).round()
            as u64
    }
}

/// A crop window in fractions of the framed picture ([`SourcePicture`]): centre and size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CropWindow {
    pub cx: f64,
    pub cy: f64,
    pub w: f64,
    pub h: f64,
}

impl CropWindow {
    pub const FULL: CropWindow = CropWindow {
        cx: 0.5,
        cy: 0.5,
        w: 1.0,
        h: 1.0,
    };

    pub fn is_full(&self) -> bool {
        self.w > 0.999 && self.h > 0.999
    }

    /// The same window narrowed by `zoom` (> 1 punches in) around `(cx, cy)`, kept inside
    /// the frame.
    pub fn zoomed(&self, zoom: f64, cx: f64, cy: f64) -> CropWindow {
        let w = (self.w / zoom).min(1.0);
        let h = (self.h / zoom).min(1.0);
        CropWindow {
            cx: cx.clamp(w / 2.0, 1.0 - w / 2.0),
            cy: cy.clamp(h / 2.0, 1.0 - h / 2.0),
            w,
            h,
        }
    }
}

/// The picture the plan frames: the source's active picture when the analysis found
/// letterbox or pillarbox bars ([`stylecut_types::Analysis::active_area`]), else the whole
/// displayed frame. The render cuts the bars off at the head of the graph (one whole-pixel
/// `crop` of the decoded frame), so every window, move and size of the plan is of the
/// active picture: the bars never reach the output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SourcePicture {
    /// Displayed size of the framed picture (rotation and pixel aspect honoured).
    pub display: (u32, u32),
    /// Size of the decoded frames the graph's branches receive (after the head crop).
    pub frame: (u32, u32),
    /// The head crop of the decoded frame: width, height, left, top (decoded pixels);
    /// None without bars.
    pub crop: Option<[u32; 4]>,
    /// The framed picture in fractions of the displayed frame (centre and size).
    pub area: CropWindow,
}

impl SourcePicture {
    /// The picture inside `active` (displayed pixels) of a `display` frame decoded at
    /// `frame` pixels (the coded size, turned by the autorotation). The crop is rounded
    /// inwards to even decoded pixels (4:2:0 chroma; at most a pixel of picture lost on
    /// each barred side, never a row of bar kept); an axis without bars is kept whole.
    /// No area, or one that leaves no picture: the whole frame.
    pub fn new(
        display: (u32, u32),
        frame: (u32, u32),
        active: Option<&stylecut_types::ActiveArea>,
    ) -> SourcePicture {
        let whole = SourcePicture {
            display,
            frame,
            crop: None,
            area: CropWindow::FULL,
        };
        let Some(a) = active else {
            return whole;
        };
        // Start and length of one axis in decoded pixels.
        let axis = |pos: u32, len: u32, disp: u32, full: u32| -> Option<(u32, u32)> {
            if disp == 0 || full == 0 {
                return None;
            }
            if pos == 0 && pos + len >= disp {
                return Some((0, full));
            }
            let k = f64::from(full) / f64::from(disp);
            let start = 2 * ((f64::from(pos) * k / 2.0 - 1e-9).ceil().max(0.0) as u32);
            let end = (2 * ((f64::from(pos + len) * k / 2.0 + 1e-9).floor() as u32)).min(full);
            (end >= start + 16).then(|| (start, end - start))
        };
        let (Some((x, w)), Some((y, h))) = (
            axis(a.x, a.width, display.0, frame.0),
            axis(a.y, a.height, display.1, frame.1),
        ) else {
            return whole;
        };
        if (x, w, y, h) == (0, frame.0, 0, frame.1) {
            return whole;
        }
        let disp = |len: u32, d: u32, f: u32| {
            ((f64::from(len) * f64::from(d) / f64::from(f)).round() as u32).max(1)
        };
        let (fw, fh) = (f64::from(frame.0), f64::from(frame.1));
        SourcePicture {
            display: (disp(w, display.0, frame.0), disp(h, display.1, frame.1)),
            frame: (w, h),
            crop: Some([w, h, x, y]),
            area: CropWindow {
                cx: (f64::from(x) + f64::from(w) / 2.0) / fw,
                cy: (f64::from(y) + f64::from(h) / 2.0) / fh,
                w: f64::from(w) / fw,
                h: f64::from(h) / fh,
            },
        }
    }

    /// A point in fractions of the displayed frame as fractions of the framed picture
    /// (clamped to it).
    pub fn to_picture(&self, x: f64, y: f64) -> (f64, f64) {
        let a = self.area;
        (
            ((x - (a.cx - a.w / 2.0)) / a.w).clamp(0.0, 1.0),
            ((y - (a.cy - a.h / 2.0)) / a.h).clamp(0.0, 1.0),
        )
    }
}

/// Parses `W:H`.
pub fn parse_aspect(s: &str) -> Option<f64> {
    let (w, h) = s.split_once(':')?;
    let (w, h): (f64, f64) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
    (w > 0.0 && h > 0.0).then(|| w / h)
}

/// Parses `W:H` with small integers, reduced (`16:9`, `9:16`, `1:1`).
pub fn parse_aspect_int(s: &str) -> Option<(u32, u32)> {
    let (w, h) = s.split_once(':')?;
    let (w, h): (u32, u32) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
    if w == 0 || h == 0 {
        return None;
    }
    let (mut a, mut b) = (w, h);
    while b != 0 {
        (a, b) = (b, a % b);
    }
    Some((w / a, h / a))
}

fn even(v: f64) -> u32 {
    ((v / 2.0).round() as u32).max(1) * 2
}

/// Picks the output format and the base crop window.
///
/// * aspect: the template's when framing applies, else the source's display aspect;
/// * size: short side = `cfg.resolution`, else the source's short side capped at 1080 and,
///   when cropping, at the crop window's short side (never upscale a crop);
/// * frame rate: the template's when framing applies, else the source's (`fps_src` as a
///   fraction).
pub fn choose(
    src_w: u32,
    src_h: u32,
    fps_src: (u32, u32),
    target_aspect: Option<&str>,
    target_fps: Option<i64>,
    cfg: &JobConfig,
) -> (OutputFormat, CropWindow) {
    let src_aspect = f64::from(src_w.max(1)) / f64::from(src_h.max(1));
    let (aspect_str, aspect) = match target_aspect.and_then(|a| parse_aspect(a).map(|v| (a, v))) {
        Some((s, v)) => (s.to_string(), v),
        None => (format!("{src_w}:{src_h}"), src_aspect),
    };
    let window = if cfg.letterbox || (aspect - src_aspect).abs() < 1e-3 {
        CropWindow::FULL
    } else if aspect < src_aspect {
        CropWindow {
            w: aspect / src_aspect,
            ..CropWindow::FULL
        }
    } else {
        CropWindow {
            h: src_aspect / aspect,
            ..CropWindow::FULL
        }
    };
    let crop_short = (f64::from(src_w) * window.w).min(f64::from(src_h) * window.h);
    let short = match cfg.resolution {
        Some(r) => f64::from(r.short_side()),
        None => f64::from(src_w.min(src_h))
            .min(1080.0)
            .min(crop_short.max(16.0)),
    };
    let exact = target_aspect.and_then(parse_aspect_int);
    let (width, height) = match exact {
        // W = a·k, H = b·k with both even: the aspect ratio is exact, not rounded.
        Some((a, b)) => {
            let step = if a % 2 == 1 || b % 2 == 1 { 2 } else { 1 };
            let k = ((short / f64::from(a.min(b))).floor() as u32 / step * step).max(step);
            (a * k, b * k)
        }
        None if aspect >= 1.0 => (even(short * aspect), even(short)),
        None => (even(short), even(short / aspect)),
    };
    let (fps_num, fps_den) = match target_fps {
        Some(f) if f > 0 => (f as u32, 1),
        _ => fps_src,
    };
    (
        OutputFormat {
            width,
            height,
            fps_num,
            fps_den,
            aspect: aspect_str,
            letterbox: cfg.letterbox,
        },
        window,
    )
}

/// A frame rate as a small fraction: integers stay integers, NTSC rates become x000/1001.
pub fn fps_fraction(fps: f64) -> (u32, u32) {
    if !(fps.is_finite() && fps > 0.0) {
        return (25, 1);
    }
    let r = fps.round();
    if (fps - r).abs() < 0.01 {
        return (r as u32, 1);
    }
    let ntsc = (fps * 1.001).round();
    if (fps - ntsc / 1.001).abs() < 0.01 {
        return ((ntsc * 1000.0) as u32, 1001);
    }
    ((fps * 1000.0).round() as u32, 1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use stylecut_types::config::Resolution;

    #[test]
    fn landscape_to_portrait_crops_and_never_upscales() {
        let cfg = JobConfig::default();
        let (f, w) = choose(1920, 1080, (25, 1), Some("9:16"), Some(30), &cfg);
        assert!((w.w - (9.0 / 16.0) / (16.0 / 9.0)).abs() < 1e-9 && w.h == 1.0);
        assert_eq!((f.width, f.height), (594, 1056));
        assert_eq!(f.width * 16, f.height * 9);
        assert_eq!((f.fps_num, f.fps_den), (30, 1));
        let cfg = JobConfig {
            resolution: Some(Resolution::P720),
            ..JobConfig::default()
        };
        let (f, _) = choose(1920, 1080, (25, 1), Some("16:9"), None, &cfg);
        assert_eq!((f.width, f.height, f.fps_num), (1280, 720, 25));
    }

    #[test]
    fn letterbox_keeps_the_whole_picture() {
        let cfg = JobConfig {
            letterbox: true,
            ..JobConfig::default()
        };
        let (f, w) = choose(1024, 576, (25, 1), Some("1:1"), Some(24), &cfg);
        assert!(w.is_full());
        assert_eq!((f.width, f.height), (576, 576));
        let (f, _) = choose(
            640,
            272,
            (25, 1),
            Some("9:16"),
            Some(30),
            &JobConfig::default(),
        );
        assert_eq!((f.width, f.height), (144, 256));
    }

    #[test]
    fn zoom_stays_inside_the_frame() {
        let w = CropWindow::FULL.zoomed(1.25, 0.95, 0.5);
        assert!((w.w - 0.8).abs() < 1e-9);
        assert!((w.cx - 0.6).abs() < 1e-9);
    }

    #[test]
    fn bars_are_cut_inwards_to_even_decoded_pixels() {
        use stylecut_types::ActiveArea;
        let area = |x, y, width, height| ActiveArea {
            x,
            y,
            width,
            height,
        };
        // No area, or one covering the frame: the whole frame, no crop.
        let whole = SourcePicture::new((640, 360), (640, 360), None);
        assert_eq!(
            (whole.display, whole.frame, whole.crop),
            ((640, 360), (640, 360), None)
        );
        let full = SourcePicture::new((640, 360), (640, 360), Some(&area(0, 0, 640, 360)));
        assert_eq!(full, whole);
        // A letterbox read a row inside the picture's edge: the crop rounds inwards, the
        // unbarred axis stays whole.
        let p = SourcePicture::new((384, 216), (384, 216), Some(&area(0, 29, 384, 159)));
        assert_eq!(p.crop, Some([384, 158, 0, 30]));
        assert_eq!((p.display, p.frame), ((384, 158), (384, 158)));
        assert!((p.area.cy - 109.0 / 216.0).abs() < 1e-12 && p.area.w == 1.0);
        // A point of the displayed frame in fractions of the picture (clamped).
        let (x, y) = p.to_picture(0.25, 30.0 / 216.0);
        assert!((x - 0.25).abs() < 1e-12 && y.abs() < 1e-12);
        assert_eq!(p.to_picture(0.5, 0.0), (0.5, 0.0));
        // Anamorphic (720x576 coded, 1024x576 displayed): a 4:3 pillarbox of the display
        // is cut in coded pixels, its displayed size kept.
        let a = SourcePicture::new((1024, 576), (720, 576), Some(&area(128, 0, 768, 576)));
        assert_eq!(a.crop, Some([540, 576, 90, 0]));
        assert_eq!(a.display, (768, 576));
        // An area that leaves (almost) no picture is ignored.
        let thin = SourcePicture::new((640, 360), (640, 360), Some(&area(0, 170, 640, 9)));
        assert_eq!(thin, whole);
    }

    #[test]
    fn fps_fractions() {
        assert_eq!(fps_fraction(25.0), (25, 1));
        assert_eq!(fps_fraction(29.97), (30000, 1001));
        assert_eq!(fps_fraction(23.976), (24000, 1001));
    }
}
