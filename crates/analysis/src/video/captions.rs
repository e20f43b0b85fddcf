//! Burned-in caption detection.
//!
//! Captions are high-contrast glyph strokes that sit still in a narrow horizontal band
//! of the lower part of the frame while the picture behind them moves. Per frame, on the
//! bottom 40 % of the picture, strong horizontal luma steps (vertical strokes) are
//! marked; an edge pixel is *stable* once it has been on continuously for 0.4 s. A frame
//! shows a caption when the stable edges form a band: consecutive rows with a stroke
//! density of at least 5 % of the width, a band height of 2–15 % of the frame, a
//! horizontally centred mass, and rows just above and below it far emptier (a static
//! textured background fills the whole region instead). The video has burned-in captions
//! when such frames cover at least 15 % of its duration and the band's text changes at
//! least once (its column signature differs): a watermark or logo that never changes is
//! not a caption.

const REGION_TOP: f64 = 0.60;
const REGION_BOTTOM: f64 = 0.98;
const STEP: i32 = 48;
const STABLE_S: f32 = 0.4;
const ROW_DENSITY: f64 = 0.05;
const MIN_SHARE: f64 = 0.15;

/// Streaming caption detector.
#[derive(Default)]
pub struct CaptionDetector {
    width: usize,
    top: usize,
    rows: usize,
    /// Presentation time at which each region pixel's edge turned on (NaN = off).
    since: Vec<f32>,
    frames: usize,
    caption_frames: usize,
    /// Stroke signature (256 column bins × band rows, as bit sets) of the last caption.
    last_sig: Option<Vec<u64>>,
    /// Number of distinct captions (signature changes).
    distinct: usize,
}

impl CaptionDetector {
    pub fn push(&mut self, pts_s: f64, rgb: &[u8], width: usize, height: usize) {
        let top = (height as f64 * REGION_TOP) as usize;
        let bottom = ((height as f64 * REGION_BOTTOM) as usize).min(height);
        let rows = bottom.saturating_sub(top);
        if self.width != width || self.rows != rows || self.top != top {
            self.width = width;
            self.top = top;
            self.rows = rows;
            self.since = vec![f32::NAN; width * rows];
        }
        self.frames += 1;
        if rows < 4 || width < 16 {
            return;
        }
        let t = pts_s as f32;
        let mut counts = vec![0usize; rows];
        let luma = |x: usize, y: usize| -> i32 {
            let p = &rgb[(y * width + x) * 3..(y * width + x) * 3 + 3];
            (54 * p[0] as i32 + 183 * p[1] as i32 + 19 * p[2] as i32) >> 8
        };
        for (r, count) in counts.iter_mut().enumerate() {
            let y = top + r;
            let mut prev = luma(0, y);
            for x in 1..width {
                let cur = luma(x, y);
                let edge = (cur - prev).abs() >= STEP;
                prev = cur;
                let s = &mut self.since[r * width + x];
                if edge {
                    if s.is_nan() {
                        *s = t;
                    } else if t - *s >= STABLE_S {
                        *count += 1;
                    }
                } else {
                    *s = f32::NAN;
                }
            }
        }
        if let Some((a, b)) = self.caption_band(&counts, height) {
            self.caption_frames += 1;
            let sig = self.signature(a, b);
            let new = match &self.last_sig {
                None => true,
                Some(old) => {
                    let inter: u32 = old
                        .iter()
                        .zip(&sig)
                        .map(|(x, y)| (x & y).count_ones())
                        .sum();
                    let union: u32 = old
                        .iter()
                        .zip(&sig)
                        .map(|(x, y)| (x | y).count_ones())
                        .sum();
                    (inter as f64) < 0.5 * union.max(1) as f64
                }
            };
            if new {
                self.distinct += 1;
            }
            self.last_sig = Some(sig);
        }
    }

    /// Where the strokes of rows `a..b` are: one 256-bin column bit set for the band
    /// (different text puts its strokes elsewhere even at the same width).
    fn signature(&self, a: usize, b: usize) -> Vec<u64> {
        let mut sig = vec![0u64; 4];
        for r in a..b {
            for x in 0..self.width {
                if !self.since[r * self.width + x].is_nan() {
                    let bin = x * 256 / self.width;
                    sig[bin / 64] |= 1 << (bin % 64);
                }
            }
        }
        sig
    }

    fn caption_band(&self, counts: &[usize], height: usize) -> Option<(usize, usize)> {
        let need = (self.width as f64 * ROW_DENSITY).max(3.0) as usize;
        let (max_h, min_h) = (
            ((height as f64) * 0.15).ceil() as usize,
            ((height as f64) * 0.02).floor().max(2.0) as usize,
        );
        let mut r = 0;
        while r < counts.len() {
            if counts[r] < need {
                r += 1;
                continue;
            }
            let start = r;
            while r < counts.len() && counts[r] >= need {
                r += 1;
            }
            let (end, h) = (r, r - start);
            if h < min_h || h > max_h {
                continue;
            }
            let band: f64 = counts[start..end].iter().sum::<usize>() as f64 / h as f64;
            let margin = h.max(2);
            let outside: Vec<usize> = (start.saturating_sub(margin)..start)
                .chain(end..(end + margin).min(counts.len()))
                .map(|i| counts[i])
                .collect();
            let out_mean = if outside.is_empty() {
                0.0
            } else {
                outside.iter().sum::<usize>() as f64 / outside.len() as f64
            };
            if out_mean < 0.3 * band && self.centred(start, end) {
                return Some((start, end));
            }
        }
        None
    }

    /// The band's stable strokes are centred horizontally (captions are centred or span
    /// the width; a single object at one side is not a caption).
    fn centred(&self, start: usize, end: usize) -> bool {
        let (mut sum, mut n) = (0f64, 0f64);
        for r in start..end {
            for x in 0..self.width {
                if !self.since[r * self.width + x].is_nan() {
                    sum += x as f64;
                    n += 1.0;
                }
            }
        }
        n > 0.0 && ((sum / n) / self.width as f64 - 0.5).abs() < 0.2
    }

    /// Share of frames that showed a caption band.
    pub fn share(&self) -> f64 {
        if self.frames == 0 {
            0.0
        } else {
            self.caption_frames as f64 / self.frames as f64
        }
    }

    /// Number of distinct captions seen (a static watermark or logo counts once).
    pub fn distinct(&self) -> usize {
        self.distinct
    }

    pub fn has_captions(&self) -> bool {
        self.share() >= MIN_SHARE && self.distinct >= 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Moving noise background with optional static "text" strokes in the lower third.
    fn frame(i: usize, text: bool) -> Vec<u8> {
        // The "caption" changes at frame 25 (different stroke positions).
        let (x0, x1, period) = if i < 25 { (70, 186, 3) } else { (40, 150, 5) };
        let (w, h) = (256usize, 144usize);
        let mut v = vec![0u8; w * h * 3];
        for y in 0..h {
            for x in 0..w {
                let n = ((x * 7 + y * 13 + i * 31) % 97) as u8;
                let val = 60 + n / 2;
                v[(y * w + x) * 3..(y * w + x) * 3 + 3].copy_from_slice(&[val, val, val]);
            }
        }
        if text {
            for y in 118..128 {
                for x in x0..x1 {
                    if (x / period) % 2 == 0 {
                        v[(y * w + x) * 3..(y * w + x) * 3 + 3].copy_from_slice(&[250, 250, 250]);
                    }
                }
            }
        }
        v
    }

    #[test]
    fn static_strokes_in_a_band_read_as_captions() {
        let mut with = CaptionDetector::default();
        let mut without = CaptionDetector::default();
        for i in 0..60 {
            with.push(i as f64 / 25.0, &frame(i, true), 256, 144);
            without.push(i as f64 / 25.0, &frame(i, false), 256, 144);
        }
        assert!(with.has_captions(), "{}", with.share());
        assert!(!without.has_captions(), "{}", without.share());
    }
}
