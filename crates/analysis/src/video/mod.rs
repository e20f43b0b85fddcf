//! Video analysers fed one reduced RGB frame at a time.
//!
//! [`VideoAnalyzer`] receives every decoded analysis frame once, in order, and keeps only
//! compact per-frame features ([`frame`]), the running global-motion estimate
//! ([`motion`]), colour samples for the grade ([`grade`]) and caption evidence
//! ([`captions`]). [`VideoAnalyzer::finish`] runs the shot/transition detectors over the
//! features and summarises motion and colour per shot. Pure code: no I/O.

pub mod camera;
pub mod cuts;
pub mod fades;
pub mod frame;
pub mod grade;
pub mod gradual;
pub mod models;
pub mod motion;
pub mod shots;

pub use frame::FrameRef;
pub use shots::{Gradual, ShotReport};

use frame::FrameFeatures;

/// Everything measured from the pictures of one input.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoReport {
    pub frame_count: usize,
    /// Frames per second of presentation time (frames / duration).
    pub frame_rate: f64,
    pub shots: ShotReport,
}

/// Streaming analyser: `push` every frame, then `finish`.
#[derive(Default)]
pub struct VideoAnalyzer {
    features: Vec<FrameFeatures>,
}

impl VideoAnalyzer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, f: &FrameRef<'_>) {
        self.features.push(FrameFeatures::compute(f));
    }

    /// `duration_s` is the container duration (the end of the last frame).
    pub fn finish(self, duration_s: f64) -> VideoReport {
        let n = self.features.len();
        let span = if duration_s > 0.0 {
            duration_s
        } else {
            self.features.last().map_or(0.0, |f| f.pts_s)
        };
        let frame_rate = if span > 0.0 { n as f64 / span } else { 0.0 };
        let shots = shots::segment(&self.features, frame_rate.max(1.0), span);
        VideoReport {
            frame_count: n,
            frame_rate,
            shots,
        }
    }
}
