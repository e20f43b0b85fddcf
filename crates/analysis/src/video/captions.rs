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
//! least once (its stroke signature differs, and the new text holds for 0.5 s): a
//! watermark or logo that never changes is not a caption, nor is its half-moved copy
//! during a slide, nor the same mark over a busier background (two signatures show the
//! same text when ≥ 80 % of the smaller one's strokes are in the other).
//!
//! On a static shot the background's edges are stable too and fill the region, hiding
//! the band. The band test is therefore also run on the stable edges that appeared
//! after the first frame (a caption's strokes appear together when it comes on, the still
//! background's have been there from the start); the band signature and centring then
//! read the same edges.

const REGION_TOP: f64 = 0.60;
const REGION_BOTTOM: f64 = 0.98;
const STEP: i32 = 48;
const STABLE_S: f32 = 0.4;
const ROW_DENSITY: f64 = 0.05;
const MIN_SHARE: f64 = 0.15;
/// A band text counts as a caption once it has held this long (seconds).
const CAPTION_MIN_S: f32 = 0.5;
/// Two signatures show the same text when this share of the smaller one's strokes is in the
/// other: the same text over a background whose own stable edges join the band (a still
/// textured shot behind a watermark) adds strokes but removes none.
const CONTAINED: f64 = 0.8;
/// Edges that turned on later than this after the first frame count as new.
const ONSET_AFTER_S: f32 = 0.1;

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
    /// Stroke signature (256 column bins per band row, as bit sets) of the last caption.
    last_sig: Option<Vec<u64>>,
    /// Number of distinct captions (signature changes).
    distinct: usize,
    /// A band text not yet held long enough to count: its signature and first time.
    pending: Option<(Vec<u64>, f32)>,
    /// Presentation time of the first frame.
    first_t: Option<f32>,
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
        let new_after = *self.first_t.get_or_insert(t) + ONSET_AFTER_S;
        let mut counts = vec![0usize; rows];
        let mut onset_counts = vec![0usize; rows];
        let luma =
            |p: &[u8]| -> i32 { (54 * p[0] as i32 + 183 * p[1] as i32 + 19 * p[2] as i32) >> 8 };
        for (r, (count, onset)) in counts.iter_mut().zip(onset_counts.iter_mut()).enumerate() {
            let y = top + r;
            let row = &rgb[y * width * 3..(y + 1) * width * 3];
            let since = &mut self.since[r * width..(r + 1) * width];
            let mut px = row.chunks_exact(3).map(luma);
            let mut prev = px.next().unwrap_or(0);
            for (cur, s) in px.zip(&mut since[1..]) {
                let edge = (cur - prev).abs() >= STEP;
                prev = cur;
                if edge {
                    if s.is_nan() {
                        *s = t;
                    } else if t - *s >= STABLE_S {
                        *count += 1;
                        if *s > new_after {
                            *onset += 1;
                        }
                    }
                } else {
                    *s = f32::NAN;
                }
            }
        }
        let band = self
            .caption_band(&counts, height, f32::NEG_INFINITY)
            .map(|ab| (ab, f32::NEG_INFINITY))
            .or_else(|| {
                self.caption_band(&onset_counts, height, new_after)
                    .map(|ab| (ab, new_after))
            });
        if let Some(((a, b), min_since)) = band {
            self.caption_frames += 1;
            let sig = self.signature(a, b, min_since, t - STABLE_S);
            let same_as_last = self.last_sig.as_ref().is_some_and(|old| similar(old, &sig));
            if same_as_last {
                self.pending = None;
            } else {
                match self.pending.take() {
                    // A new text counts once it has held for CAPTION_MIN_S: the half-moved
                    // strokes of a logo during a slide or wipe are not a new caption.
                    Some((first, since)) if similar(&first, &sig) => {
                        if t - since >= CAPTION_MIN_S {
                            self.distinct += 1;
                            self.last_sig = Some(sig);
                        } else {
                            self.pending = Some((first, since));
                        }
                    }
                    _ => self.pending = Some((sig, t)),
                }
            }
        }
    }

    /// Whether the region pixel `i` is an edge that turned on at `min_since` or later.
    fn on_since(&self, i: usize, min_since: f32) -> bool {
        self.since[i] >= min_since
    }

    /// Where the stable strokes of rows `a..b` are (edges on since `min_since` and at
    /// the latest `stable_by`): per band row, a 256-bin column bit set (different text
    /// puts its strokes elsewhere even at the same width; collapsing the rows would make
    /// any two centred lines look alike). Only stable edges count, so moving background
    /// behind a fixed caption or logo does not make it look new.
    fn signature(&self, a: usize, b: usize, min_since: f32, stable_by: f32) -> Vec<u64> {
        let mut sig = vec![0u64; 4 * (b - a)];
        for r in a..b {
            for x in 0..self.width {
                let i = r * self.width + x;
                if self.on_since(i, min_since) && self.since[i] <= stable_by {
                    let bin = x * 256 / self.width;
                    sig[4 * (r - a) + bin / 64] |= 1 << (bin % 64);
                }
            }
        }
        sig
    }

    fn caption_band(
        &self,
        counts: &[usize],
        height: usize,
        min_since: f32,
    ) -> Option<(usize, usize)> {
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
            if out_mean < 0.3 * band && self.centred(start, end, min_since) {
                return Some((start, end));
            }
        }
        None
    }

    /// The band's stable strokes are centred horizontally (captions are centred or span
    /// the width; a single object at one side is not a caption).
    fn centred(&self, start: usize, end: usize, min_since: f32) -> bool {
        let (mut sum, mut n) = (0f64, 0f64);
        for r in start..end {
            for x in 0..self.width {
                if self.on_since(r * self.width + x, min_since) {
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

/// Two band signatures show the same text: at the best vertical alignment (the band can
/// be found a row or two higher or lower), the strokes they share are at least half of
/// all their strokes.
fn similar(a: &[u64], b: &[u64]) -> bool {
    let rows = |s: &[u64]| s.len() / 4;
    let row = |s: &[u64], r: isize| -> [u64; 4] {
        if r < 0 || r as usize >= rows(s) {
            [0; 4]
        } else {
            let k = 4 * r as usize;
            [s[k], s[k + 1], s[k + 2], s[k + 3]]
        }
    };
    let total = |s: &[u64]| s.iter().map(|w| w.count_ones()).sum::<u32>();
    let (na, nb) = (total(a), total(b));
    (-2isize..=2).any(|shift| {
        let inter: u32 = (0..rows(a) as isize)
            .map(|r| {
                let (x, y) = (row(a, r), row(b, r + shift));
                (0..4).map(|k| (x[k] & y[k]).count_ones()).sum::<u32>()
            })
            .sum();
        let union = na + nb - inter;
        inter as f64 >= 0.5 * union.max(1) as f64
            || inter as f64 >= CONTAINED * na.min(nb).max(1) as f64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 5-row signature with strokes at the given column bins on every row.
    fn sig(bins: &[usize]) -> Vec<u64> {
        let mut s = vec![0u64; 4 * 5];
        for r in 0..5 {
            for &b in bins {
                s[4 * r + b / 64] |= 1 << (b % 64);
            }
        }
        s
    }

    #[test]
    fn the_same_text_over_a_busier_background_is_not_new() {
        // A watermark (40 stroke columns) and the same watermark with as many background
        // edges again in its rows (a still textured shot behind it): same text.
        let text: Vec<usize> = (60..200).step_by(7).collect();
        let mut busy = text.clone();
        busy.extend((3..250).step_by(6).filter(|b| b % 7 != 4));
        assert!(similar(&sig(&text), &sig(&busy)));
        // A different line of text at the same place: new.
        let other: Vec<usize> = (62..200).step_by(5).collect();
        assert!(!similar(&sig(&text), &sig(&other)));
        assert!(!similar(&sig(&other), &sig(&busy)));
    }

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

    /// A still, fully textured picture (shelves behind a speaker) with captions from
    /// frame `on` that change at frame 75, or a still object that appears at `on` and never
    /// changes (`changing = false`).
    fn still_frame(i: usize, on: Option<usize>, changing: bool) -> Vec<u8> {
        let (w, h) = (256usize, 144usize);
        let mut v = vec![0u8; w * h * 3];
        for y in 0..h {
            for x in 0..w {
                // Strong edges everywhere, the same in every frame.
                let val = if ((x / 7) + (y / 5)) % 2 == 0 {
                    40
                } else {
                    200
                };
                v[(y * w + x) * 3..(y * w + x) * 3 + 3].copy_from_slice(&[val, val, val]);
            }
        }
        if on.is_some_and(|s| i >= s) {
            let (x0, x1, period) = if changing && i >= 75 {
                (40, 150, 5)
            } else {
                (70, 186, 3)
            };
            for y in 116..128 {
                for x in 30..226 {
                    // A dark box behind the text (as subtitles often have), then the text.
                    let val = if (x0..x1).contains(&x) && (x / period) % 2 == 0 {
                        250
                    } else {
                        10
                    };
                    v[(y * w + x) * 3..(y * w + x) * 3 + 3].copy_from_slice(&[val, val, val]);
                }
            }
        }
        v
    }

    #[test]
    fn captions_over_a_still_textured_shot() {
        let run = |on: Option<usize>, changing: bool| {
            let mut d = CaptionDetector::default();
            for i in 0..125 {
                d.push(i as f64 / 25.0, &still_frame(i, on, changing), 256, 144);
            }
            d
        };
        // The background alone fills the region with stable edges: no band.
        let plain = run(None, false);
        assert!(!plain.has_captions(), "{}", plain.share());
        // Captions coming on at 0.8 s and changing at 3 s are found.
        let captions = run(Some(20), true);
        assert!(
            captions.has_captions(),
            "{} {}",
            captions.share(),
            captions.distinct()
        );
        // A still object that appears once and never changes is not a caption.
        let object = run(Some(20), false);
        assert!(
            !object.has_captions(),
            "{} {}",
            object.share(),
            object.distinct()
        );
    }
}
