//! Video analysers fed one reduced RGB frame at a time.
//!
//! [`VideoAnalyzer`] receives every decoded analysis frame once, in order, and keeps only
//! compact per-frame features ([`frame`]), the running global-motion estimate
//! ([`motion`]), colour samples for the grade ([`grade`]) and caption evidence
//! ([`captions`]). [`VideoAnalyzer::finish`] runs the shot/transition detectors over the
//! features and summarises motion and colour per shot. Pure code: no I/O.

pub mod camera;
pub mod captions;
pub mod cuts;
pub mod edge;
pub mod fades;
pub mod frame;
pub mod grade;
pub mod gradual;
pub mod models;
pub mod motion;
pub mod saliency;
pub mod shots;

pub use frame::FrameRef;
pub use shots::{Gradual, ShotReport};

use frame::FrameFeatures;
use rayon::prelude::*;
use stylecut_types::{ChangeTrack, ColorGrade, SaliencyPoint, ShotColor, ShotMotion};

/// Everything measured from the pictures of one input.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoReport {
    pub frame_count: usize,
    /// Frames per second of presentation time (frames / duration).
    pub frame_rate: f64,
    pub shots: ShotReport,
    /// Camera motion per shot (same order as `shots.shots`).
    pub motion: Vec<ShotMotion>,
    /// Colour per shot with a grade estimate (shots with too few samples are left out).
    pub color: Vec<ShotColor>,
    /// Median of the per-shot grade estimates.
    pub color_grade: ColorGrade,
    /// Share of frames showing a caption band, and the decision.
    pub caption_share: f64,
    pub burned_in_captions: bool,
    /// Saliency centre per [`saliency::BUCKET_S`] of frames.
    pub saliency: Vec<SaliencyPoint>,
    /// Picture change on a [`CHANGE_STEP_S`] grid.
    pub picture_change: ChangeTrack,
}

/// Grid step of [`VideoReport::picture_change`], seconds.
pub const CHANGE_STEP_S: f64 = 0.1;

/// The largest thumbnail change of the frame pairs ending in each grid step (rounded to
/// 1e-4, so the document stays short).
pub fn picture_change(f: &[FrameFeatures], span_s: f64) -> ChangeTrack {
    let steps = (span_s / CHANGE_STEP_S).ceil().max(0.0) as usize;
    let mut values = vec![0.0f32; steps];
    for w in f.windows(2) {
        let k = (w[1].pts_s.max(0.0) / CHANGE_STEP_S + 1e-9) as usize;
        if let Some(v) = values.get_mut(k) {
            *v = v.max(frame::thumb_dist(&w[0], &w[1]));
        }
    }
    for v in &mut values {
        *v = (*v * 1e4).round() / 1e4;
    }
    ChangeTrack {
        step_s: CHANGE_STEP_S,
        values,
    }
}

/// Streaming analyser: `push` every frame in presentation order, then `finish`.
#[derive(Default)]
pub struct VideoAnalyzer {
    features: Vec<FrameFeatures>,
    motion: motion::MotionTracker,
    color: grade::ColorSampler,
    captions: captions::CaptionDetector,
    saliency: saliency::SaliencyTracker,
}

impl VideoAnalyzer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, f: &FrameRef<'_>) {
        if f.width == 0 || f.height == 0 || f.rgb.len() < f.width * f.height * 3 {
            return;
        }
        self.features.push(FrameFeatures::compute(f));
        let pairs_before = self.motion.pairs.len();
        self.motion.push(f.pts_s, f.rgb, f.width, f.height);
        let pair = self.motion.pairs[pairs_before..].last();
        if let (Some(m), Some(g)) = (pair.filter(|m| m.valid), self.features.last_mut()) {
            g.shift = [m.tx * frame::THUMB_W as f32, m.ty * frame::THUMB_H as f32];
        }
        self.saliency.push(f.pts_s, f.rgb, f.width, f.height, pair);
        self.color.push(f.pts_s, f.rgb, f.width, f.height);
        self.captions.push(f.pts_s, f.rgb, f.width, f.height);
    }

    /// Frames pushed so far.
    pub fn frames(&self) -> usize {
        self.features.len()
    }

    /// `duration_s` is the container duration (the end of the last frame);
    /// `progress` receives 0..1 over the summarising work.
    pub fn finish(self, duration_s: f64, progress: &mut dyn FnMut(f64)) -> VideoReport {
        let n = self.features.len();
        let span = if duration_s > 0.0 {
            duration_s
        } else {
            self.features.last().map_or(0.0, |f| f.pts_s)
        };
        // Frames over the time they cover: a picture whose first frame comes late (the
        // sound starts first, an edit that delays the video) does not count the gap before
        // it, or 180 frames at 29.97 fps starting at 2 s read as 22.5 fps.
        let first = self.features.first().map_or(0.0, |f| f.pts_s.max(0.0));
        let covered = if span - first > 0.0 {
            span - first
        } else {
            span
        };
        let frame_rate = if covered > 0.0 {
            n as f64 / covered
        } else {
            0.0
        };
        let shots = shots::segment(&self.features, frame_rate.max(1.0), span);
        progress(0.4);
        let motion: Vec<ShotMotion> = shots
            .shots
            .iter()
            .map(|s| camera::shot_motion(&self.motion.pairs, s.start_s, s.end_s))
            .collect();
        progress(0.6);
        // Shots are estimated independently, in parallel; the list keeps shot order.
        let color: Vec<ShotColor> = shots
            .shots
            .par_iter()
            .filter_map(|s| {
                let thumbs = self.color.range(s.start_s, s.end_s);
                grade::estimate(&thumbs).map(|g| ShotColor {
                    start_s: s.start_s,
                    end_s: s.end_s,
                    grade: g,
                    mean_lab: grade::mean_lab(&grade::pixels(&thumbs)),
                })
            })
            .collect();
        let grades: Vec<ColorGrade> = color.iter().map(|c| c.grade).collect();
        let color_grade = grade::aggregate(&grades);
        let picture_change = picture_change(&self.features, span);
        progress(1.0);
        VideoReport {
            frame_count: n,
            frame_rate,
            shots,
            motion,
            color,
            color_grade,
            caption_share: self.captions.share(),
            burned_in_captions: self.captions.has_captions(),
            saliency: self.saliency.finish(),
            picture_change,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` frames at `fps` from `start_s`, a moving gradient (32×18).
    fn push_frames(v: &mut VideoAnalyzer, n: usize, fps: f64, start_s: f64) {
        let (w, h) = (32usize, 18usize);
        for k in 0..n {
            let rgb: Vec<u8> = (0..w * h * 3)
                .map(|i| ((i / 3 % w) * 6 + k) as u8)
                .collect();
            v.push(&FrameRef {
                pts_s: start_s + k as f64 / fps,
                width: w,
                height: h,
                rgb: &rgb,
            });
        }
    }

    #[test]
    fn frame_rate_does_not_count_a_late_start() {
        // 120 frames at 30 fps from 2 s (the audio starts at 0): the container runs to 6 s.
        let mut late = VideoAnalyzer::new();
        push_frames(&mut late, 120, 30.0, 2.0);
        let r = late.finish(6.0, &mut |_| {});
        assert!((r.frame_rate - 30.0).abs() < 0.01, "{}", r.frame_rate);
        // From 0: unchanged.
        let mut zero = VideoAnalyzer::new();
        push_frames(&mut zero, 120, 30.0, 0.0);
        let r = zero.finish(4.0, &mut |_| {});
        assert!((r.frame_rate - 30.0).abs() < 1e-9, "{}", r.frame_rate);
    }
}
