//! Pauses between words inside speech segments.
//!
//! The Silero post-processing ([`super::vad::speech_timestamps`]) ends a segment only after
//! 100 ms below its negative threshold, and its LSTM carries the probability over short
//! gaps, so a talk reads as long segments that run through the pauses between phrases and
//! words. An editor cuts in those pauses. They are found on the level of the same 16 kHz
//! audio: 10 ms frames ([`FRAME`]) whose level is at least [`DEPTH_DB`] below the speech's
//! loud level (the 90th percentile of the frames inside speech segments), in runs of at
//! least [`MIN_PAUSE_S`] inside one segment (at its ends too: the model's hysteresis and
//! padding can hold a segment open past its last word). The length
//! keeps out the closures of stop consonants (`t`, `k`, `p`: 30–100 ms) inside words; the
//! depth is relative, so the test reads the same at any recording level, and a pause
//! under a music bed or room noise louder than the depth is simply not found (the segment
//! stays whole, as before).
//!
//! Measured on `issue-195-aspect-ratio.mp4` (a talk edited with cutaways): four of its
//! five picture cuts lie in pauses found this way, inside segments Silero reads as one.

use stylecut_types::Span;

use super::vad::RATE;

/// Samples per level frame (10 ms at 16 kHz).
pub const FRAME: usize = 160;
/// How far below the speech's loud level a pause lies, dB.
pub const DEPTH_DB: f32 = 20.0;
/// Shortest pause, seconds.
pub const MIN_PAUSE_S: f64 = 0.12;
/// Percentile of the frame levels inside speech taken as its loud level.
const LOUD_PERCENTILE: f64 = 0.9;

/// Mean square level of every 10 ms frame of a 16 kHz stream, fed in pieces of any size.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LevelTrack {
    sum: f64,
    n: usize,
    levels: Vec<f32>,
}

impl LevelTrack {
    pub fn push(&mut self, samples: &[f32]) {
        for &x in samples {
            let x = if x.is_finite() { f64::from(x) } else { 0.0 };
            self.sum += x * x;
            self.n += 1;
            if self.n == FRAME {
                self.levels.push((self.sum / FRAME as f64) as f32);
                self.sum = 0.0;
                self.n = 0;
            }
        }
    }

    /// Mean square of each complete frame (a last partial frame is left out).
    pub fn levels(&self) -> &[f32] {
        &self.levels
    }
}

/// Duration of one level frame, seconds.
fn frame_s() -> f64 {
    FRAME as f64 / f64::from(RATE)
}

/// Level in dB of a mean square (floored at −120 dB).
fn db(ms: f32) -> f32 {
    10.0 * ms.max(1e-12).log10()
}

/// Pauses inside `segments` from the frame levels `levels` (mean squares of [`FRAME`]
/// samples at [`RATE`]), in time order.
pub fn pauses(levels: &[f32], segments: &[Span]) -> Vec<Span> {
    let fs = frame_s();
    // Frames wholly inside a segment, per segment.
    let ranges: Vec<(usize, usize)> = segments
        .iter()
        .map(|s| {
            let a = (s.start_s / fs).ceil().max(0.0) as usize;
            let b = ((s.end_s / fs).floor().max(0.0) as usize).min(levels.len());
            (a, b.max(a))
        })
        .collect();
    let mut inside: Vec<f32> = ranges
        .iter()
        .flat_map(|&(a, b)| levels[a..b].iter().map(|&m| db(m)))
        .collect();
    if inside.is_empty() {
        return Vec::new();
    }
    inside.sort_by(f32::total_cmp);
    let k = ((inside.len() - 1) as f64 * LOUD_PERCENTILE).round() as usize;
    let quiet = inside[k] - DEPTH_DB;
    let min_frames = (MIN_PAUSE_S / fs).round() as usize;
    let mut out = Vec::new();
    for (a, b) in ranges {
        let mut i = a;
        while i < b {
            if db(levels[i]) > quiet {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < b && db(levels[j]) <= quiet {
                j += 1;
            }
            // Quiet at a segment's ends counts too: Silero's hysteresis and padding can
            // hold a segment open well past its last word.
            if j - i >= min_frames {
                out.push(Span {
                    start_s: i as f64 * fs,
                    end_s: j as f64 * fs,
                });
            }
            i = j;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frame levels from (frames, dB) runs.
    fn levels(spec: &[(usize, f32)]) -> Vec<f32> {
        spec.iter()
            .flat_map(|&(n, d)| std::iter::repeat_n(10f32.powf(d / 10.0), n))
            .collect()
    }

    fn span(a: f64, b: f64) -> Span {
        Span {
            start_s: a,
            end_s: b,
        }
    }

    #[test]
    fn a_deep_long_gap_inside_speech_is_a_pause_and_short_or_shallow_ones_are_not() {
        // Speech at −20 dB with: a 150 ms gap at −50 (a pause), a 60 ms gap at −60 (a stop
        // closure: too short), a 200 ms dip to −35 (only 15 dB down: a weak syllable).
        let l = levels(&[
            (50, -20.0),
            (15, -50.0),
            (50, -20.0),
            (6, -60.0),
            (50, -20.0),
            (20, -35.0),
            (50, -20.0),
        ]);
        let seg = [span(0.0, l.len() as f64 * 0.01)];
        let p = pauses(&l, &seg);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!((p[0].start_s - 0.50).abs() < 1e-9 && (p[0].end_s - 0.65).abs() < 1e-9);
        // The depth is relative: the same talk 30 dB quieter has the same pause.
        let q: Vec<f32> = l.iter().map(|m| m * 1e-3).collect();
        assert_eq!(pauses(&q, &seg), p);
    }

    #[test]
    fn quiet_at_a_segment_end_is_a_pause_and_gaps_outside_segments_are_not() {
        // A segment held open 150 ms past its last word, then a gap between segments and a
        // second segment that starts on its first word.
        let l = levels(&[
            (60, -20.0),
            (15, -60.0),
            (40, -60.0),
            (60, -20.0),
            (20, -60.0),
        ]);
        let seg = [span(0.0, 0.75), span(1.15, 1.75)];
        let p = pauses(&l, &seg);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!((p[0].start_s - 0.60).abs() < 1e-9 && (p[0].end_s - 0.75).abs() < 1e-9);
        // No speech at all: nothing.
        assert!(pauses(&l, &[]).is_empty());
    }

    #[test]
    fn the_track_frames_any_chunking_alike() {
        let x: Vec<f32> = (0..1_000)
            .map(|i| ((i % 37) as f32 - 18.0) / 40.0)
            .collect();
        let mut whole = LevelTrack::default();
        whole.push(&x);
        let mut parts = LevelTrack::default();
        for c in x.chunks(77) {
            parts.push(c);
        }
        assert_eq!(whole, parts);
        assert_eq!(whole.levels().len(), 1_000 / FRAME);
    }
}
