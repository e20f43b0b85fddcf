//! Video analysers fed one reduced RGB frame at a time.
//!
//! [`VideoAnalyzer`] receives every decoded analysis frame once, in order, and keeps only
//! compact per-frame features ([`frame`]), the running global-motion estimate
//! ([`motion`]), colour samples for the grade ([`grade`]) and caption evidence
//! ([`captions`]). [`VideoAnalyzer::finish`] runs the shot/transition detectors over the
//! features and summarises motion and colour per shot. Pure code, no I/O, except the
//! scratch files a long input's thumbnails and colour samples are spilled to when the
//! caller gives a directory ([`VideoAnalyzer::with_spill`], [`spill`]).

pub mod bars;
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
pub mod slide;
pub mod slowzoom;
pub mod spill;
pub mod zoomstep;

pub use frame::FrameRef;
pub use shots::{Gradual, ShotReport};
pub use spill::SpillConfig;

use std::sync::Arc;

use frame::FrameFeatures;
use rayon::prelude::*;
use stylecut_types::{
    CameraTrack, ChangeTrack, ColorGrade, SaliencyPoint, ShotColor, ShotMotion, Span,
};

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
    /// The camera on a [`CAMERA_STEP_S`] grid.
    pub camera_track: CameraTrack,
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

/// Grid step of [`VideoReport::camera_track`], seconds.
pub const CAMERA_STEP_S: f64 = 0.25;

/// The camera track ([`CameraTrack`]) of `pairs` over `shots`: each pair a shot counts
/// ([`camera::in_shot`], as [`camera::shot_motion`] reads them) added to the step its
/// later frame falls in. Sums are rounded to 1e-6 (zoom, pan, tilt)
/// and 1e-5 (residual), so the document stays short.
pub fn camera_track(pairs: &[motion::PairMotion], shots: &[Span], span_s: f64) -> CameraTrack {
    let steps = (span_s / CAMERA_STEP_S).ceil().max(0.0) as usize;
    let mut sums = vec![([0u32; 2], [0.0f64; 4]); steps];
    let counted = shots.iter().flat_map(|s| {
        pairs
            .iter()
            .filter(|p| camera::in_shot(p, s.start_s, s.end_s))
    });
    for p in counted {
        let k = (p.pts_s.max(0.0) / CAMERA_STEP_S + 1e-9) as usize;
        let Some((n, v)) = sums.get_mut(k) else {
            continue;
        };
        let z = f64::from(p.scale).log2();
        n[0] += 1;
        // The sign `camera::shot_motion` compares with (`signum`: +0.0 counts as growing).
        n[1] += u32::from(z.signum() > 0.0);
        v[0] += z;
        v[1] += f64::from(p.tx);
        v[2] += f64::from(p.ty);
        v[3] += f64::from(p.residual);
    }
    let round = |v: f64, k: f64| ((v * k).round() / k) as f32;
    let count = |n: u32| n.min(u32::from(u16::MAX)) as u16;
    CameraTrack {
        step_s: CAMERA_STEP_S,
        pairs: sums.iter().map(|(n, _)| count(n[0])).collect(),
        growing: sums.iter().map(|(n, _)| count(n[1])).collect(),
        zoom_log2: sums.iter().map(|(_, v)| round(v[0], 1e6)).collect(),
        pan: sums.iter().map(|(_, v)| round(v[1], 1e6)).collect(),
        tilt: sums.iter().map(|(_, v)| round(v[2], 1e6)).collect(),
        residual: sums.iter().map(|(_, v)| round(v[3], 1e5)).collect(),
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
    spill: Option<Spill>,
}

/// The spilling state of an analyser given a scratch directory.
struct Spill {
    config: SpillConfig,
    /// The thumbnails' file, once spilling started.
    thumbs: Option<spill::ThumbWriter>,
    /// Whether the colour samples went to their file.
    color: bool,
    /// The first error met: spilling stopped there and the rest stays in memory.
    error: Option<String>,
}

impl VideoAnalyzer {
    /// An analyser keeping everything in memory.
    pub fn new() -> Self {
        Self::default()
    }

    /// An analyser that spills the thumbnails and colour samples to scratch files in
    /// `config.dir` once it holds more than `config.after_frames` frames, keeping its
    /// memory bounded on long inputs; the report is the same as [`VideoAnalyzer::new`]'s.
    pub fn with_spill(config: SpillConfig) -> Self {
        VideoAnalyzer {
            spill: Some(Spill {
                config,
                thumbs: None,
                color: false,
                error: None,
            }),
            ..Self::default()
        }
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
        self.spill_new_frame();
    }

    /// Moves the newest frame's thumbnail to the scratch file, first creating the files
    /// (and moving everything held so far) when the frame count passes the threshold.
    fn spill_new_frame(&mut self) {
        let Some(sp) = &mut self.spill else {
            return;
        };
        if sp.error.is_some() || self.features.len() <= sp.config.after_frames {
            return;
        }
        if !sp.color {
            sp.color = true;
            if let Err(e) = self.color.spill_to(&sp.config.dir) {
                sp.error = Some(format!("colour samples: {e}"));
                return;
            }
        }
        let first = match &sp.thumbs {
            Some(_) => self.features.len() - 1,
            None => {
                // The file takes the frames of the newest frame's size (every frame of
                // an input has one size); others stay in memory.
                let Some((_, div)) = self.features.last().and_then(|f| f.sums_in_memory()) else {
                    return;
                };
                match spill::ThumbWriter::create(&sp.config.dir, Arc::clone(div)) {
                    Ok(w) => sp.thumbs = Some(w),
                    Err(e) => {
                        sp.error = Some(format!("thumbnails: {e}"));
                        return;
                    }
                }
                0
            }
        };
        let w = sp.thumbs.as_mut().expect("created above");
        for i in first..self.features.len() {
            let f = &mut self.features[i];
            let Some((sums, div)) = f.sums_in_memory() else {
                continue;
            };
            if !Arc::ptr_eq(div, &w.file().div) && **div != *w.file().div {
                continue;
            }
            match w.push(sums) {
                Ok(idx) => f.set_stored(Arc::clone(w.file()), idx),
                Err(e) => {
                    sp.error = Some(format!("thumbnails: {e}"));
                    break;
                }
            }
        }
        if sp.error.is_some() {
            Self::keep_pending(&mut self.features, w);
        }
    }

    /// After a failed write: the frames taken by `w` but not written are kept in memory
    /// again (the last ones marked stored, in file order).
    fn keep_pending(features: &mut [FrameFeatures], w: &spill::ThumbWriter) {
        let written = w.frames() - w.pending_sums().count();
        let div = Arc::clone(&w.file().div);
        let mut pending = w.pending_sums().enumerate();
        // Stored frames are in file order, so the pending ones are the last stored.
        let mut owners: Vec<&mut FrameFeatures> = features
            .iter_mut()
            .rev()
            .filter(|f| f.stored_index().is_some_and(|i| i >= written))
            .collect();
        owners.reverse();
        for f in owners {
            if let Some((_, sums)) = pending.next() {
                f.set_sums(sums, Arc::clone(&div));
            }
        }
    }

    /// Frames pushed so far.
    pub fn frames(&self) -> usize {
        self.features.len()
    }

    /// Bytes spilled to scratch files so far (thumbnails written and colour samples).
    pub fn spilled_bytes(&self) -> u64 {
        let thumbs = self
            .spill
            .as_ref()
            .and_then(|s| s.thumbs.as_ref())
            .map_or(0, spill::ThumbWriter::bytes);
        thumbs + self.color.spilled_bytes()
    }

    /// Why spilling stopped, if it did (the data it could not take stayed in memory).
    pub fn spill_error(&self) -> Option<&str> {
        self.spill.as_ref().and_then(|s| s.error.as_deref())
    }

    /// `duration_s` is the container duration (the end of the last frame);
    /// `progress` receives 0..1 over the summarising work.
    pub fn finish(mut self, duration_s: f64, progress: &mut dyn FnMut(f64)) -> VideoReport {
        // The last partial page of thumbnails goes to the file too; the writer goes (the
        // frames hold the file open until they are dropped at the end of this call).
        if let Some(sp) = &mut self.spill {
            if let Some(mut w) = sp.thumbs.take() {
                if w.flush().is_err() {
                    Self::keep_pending(&mut self.features, &w);
                }
            }
        }
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
        let t = crate::timings::stage("analysis: video finish: shots and transitions");
        let shots = shots::segment(&self.features, frame_rate.max(1.0), span);
        drop(t);
        // Slow zooms the background does not show are object motion (`slowzoom`).
        let t = crate::timings::stage("analysis: video finish: slow zooms");
        self.motion.clear_unseen_zooms(&shots.shots);
        drop(t);
        progress(0.4);
        let t = crate::timings::stage("analysis: video finish: motion, colour, tracks");
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
                let (grade, mean_lab) = self.color.shot_color(s.start_s, s.end_s)?;
                Some(ShotColor {
                    start_s: s.start_s,
                    end_s: s.end_s,
                    grade,
                    mean_lab,
                })
            })
            .collect();
        let grades: Vec<ColorGrade> = color.iter().map(|c| c.grade).collect();
        let color_grade = grade::aggregate(&grades);
        let picture_change = picture_change(&self.features, span);
        let camera_track = camera_track(&self.motion.pairs, &shots.shots, span);
        drop(t);
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
            camera_track,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camera_track_counts_the_fitted_pairs_inside_shots() {
        let pair = |pts_s: f64, scale: f32, tx: f32, valid: bool| motion::PairMotion {
            pts_s,
            tx,
            ty: 0.0,
            scale,
            residual: 0.001,
            valid,
        };
        let shots = [
            Span {
                start_s: 0.0,
                end_s: 0.5,
            },
            Span {
                start_s: 0.5,
                end_s: 1.0,
            },
        ];
        let pairs = [
            pair(0.0, 2.0, 0.0, true), // a shot's first frame: left out
            pair(0.1, 1.01, 0.01, true),
            pair(0.2, 0.99, 0.01, true),
            pair(0.3, 1.0, -0.02, false), // not fitted: left out
            pair(0.4, 1.02, 0.0, true),
            pair(0.5, 1.5, 0.0, true), // the pair into the second shot: left out
            pair(0.6, 1.0, 0.0, true),
        ];
        let t = camera_track(&pairs, &shots, 1.0);
        assert_eq!(t.step_s, CAMERA_STEP_S);
        assert_eq!(t.pairs, vec![2, 1, 1, 0]);
        // log2(1.01) > 0, log2(0.99) < 0; log2(1.0) = +0.0 counts as growing.
        assert_eq!(t.growing, vec![1, 1, 1, 0]);
        let l = |a: f32| f64::from(a).log2();
        let r = |v: f64| ((v * 1e6).round() / 1e6) as f32;
        assert_eq!(t.zoom_log2[0], r(l(1.01) + l(0.99)));
        assert_eq!(t.zoom_log2[1], r(l(1.02)));
        assert_eq!(t.pan, vec![0.02, 0.0, 0.0, 0.0]);
        assert_eq!(t.residual[0], 0.002);
    }

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

    /// `n` frames (128×72 at 30 fps) of six scenes: each its own colour and pattern,
    /// drifting a little every frame, so the detectors find cuts, shots and colours.
    fn scenes(v: &mut VideoAnalyzer, n: usize) {
        let (w, h) = (128usize, 72usize);
        for k in 0..n {
            let scene = (k * 6 / n) as f32;
            let t = k as f32;
            let rgb: Vec<u8> = (0..w * h)
                .flat_map(|p| {
                    let (x, y) = ((p % w) as f32, (p / w) as f32);
                    let a = ((x + 0.7 * t) * (0.05 + 0.02 * scene)).sin();
                    let b = ((y - 0.3 * t) * (0.09 - 0.01 * scene)).cos();
                    let base = 40.0 + 30.0 * scene;
                    [
                        base + 60.0 * a,
                        200.0 - base + 50.0 * b,
                        90.0 + 40.0 * a * b + 10.0 * scene,
                    ]
                    .map(|c| c.clamp(0.0, 255.0) as u8)
                })
                .collect();
            v.push(&FrameRef {
                pts_s: t as f64 / 30.0,
                width: w,
                height: h,
                rgb: &rgb,
            });
        }
    }

    /// File descriptors of this process open on a file under `dir` (an unnamed
    /// scratch file reads `dir/#inode (deleted)` or `dir/.tmpXXXX (deleted)`).
    fn open_under(dir: &std::path::Path) -> usize {
        std::fs::read_dir("/proc/self/fd")
            .unwrap()
            .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
            .filter(|t| t.starts_with(dir))
            .count()
    }

    /// Spilled (from frame 10 on, so the first frames move to the file when it is made),
    /// every thumbnail reads back bit for bit as held in memory, whatever the order and
    /// however many pages apart (the per-thread cache holds 8 pages of 16 frames), and the
    /// whole report (shots, transitions, per-shot colour from the spilled colour samples,
    /// picture change) is the same.
    #[test]
    fn spilled_features_read_back_like_memory() {
        let n = 16 * 14 + 5;
        let dir = tempfile::tempdir().unwrap();
        let mut mem = VideoAnalyzer::new();
        let mut spilled = VideoAnalyzer::with_spill(SpillConfig {
            dir: dir.path().to_path_buf(),
            after_frames: 10,
        });
        scenes(&mut mem, n);
        scenes(&mut spilled, n);
        assert_eq!(spilled.spill_error(), None);
        assert!(spilled.features.iter().all(FrameFeatures::is_spilled));
        assert!(!mem.features.iter().any(FrameFeatures::is_spilled));
        // The last partial page is written by `finish`; write it now to read it here.
        spilled
            .spill
            .as_mut()
            .unwrap()
            .thumbs
            .as_mut()
            .unwrap()
            .flush()
            .unwrap();
        let thumbs = n as u64 * frame::THUMB_LEN as u64 * 2;
        assert!(
            spilled.spilled_bytes() > thumbs,
            "{}",
            spilled.spilled_bytes()
        );
        let (a, b) = (&mem.features, &spilled.features);
        // A scattered order: 97 is coprime with n, so every frame comes up once.
        for i in (0..n).map(|k| k * 97 % n) {
            let (x, y) = (a[i].thumb(), b[i].thumb());
            assert!(
                x.iter().zip(&y).all(|(p, q)| p.to_bits() == q.to_bits()),
                "frame {i}"
            );
            for v in [0, 1, 700, frame::THUMB_LEN - 1] {
                assert_eq!(a[i].thumb_at(v).to_bits(), b[i].thumb_at(v).to_bits());
            }
            let j = (i * 31 + 7) % n;
            let d = frame::thumb_dist(&a[i], &a[j]).to_bits();
            assert_eq!(frame::thumb_dist(&b[i], &b[j]).to_bits(), d, "{i}-{j}");
            assert_eq!(frame::thumb_dist(&a[i], &b[j]).to_bits(), d, "{i}-{j}");
            let d = frame::frame_dist(&a[i], &a[j]).to_bits();
            assert_eq!(frame::frame_dist(&b[i], &b[j]).to_bits(), d);
        }
        let (rm, rs) = (
            mem.finish(8.0, &mut |_| {}),
            spilled.finish(8.0, &mut |_| {}),
        );
        assert!(rm.shots.shots.len() >= 3, "{:?}", rm.shots);
        assert!(!rm.color.is_empty());
        assert_eq!(rm, rs);
    }

    /// The scratch files are unnamed (nothing ever shows in the directory) and closed
    /// when the analysis ends, or when it is dropped half-way (an error or Ctrl-C unwinds
    /// so); a directory that cannot take them leaves everything in memory, same report.
    #[test]
    fn scratch_files_go_when_the_analysis_ends_or_fails() {
        let dir = tempfile::tempdir().unwrap();
        let config = SpillConfig {
            dir: dir.path().to_path_buf(),
            after_frames: 0,
        };
        let listed = || std::fs::read_dir(dir.path()).unwrap().count();
        let mut done = VideoAnalyzer::with_spill(config.clone());
        scenes(&mut done, 60);
        assert!(done.spilled_bytes() > 0);
        assert_eq!(
            open_under(dir.path()),
            2,
            "the thumbnails' and colour samples' files"
        );
        assert_eq!(listed(), 0);
        let report = done.finish(2.0, &mut |_| {});
        assert_eq!(open_under(dir.path()), 0);
        assert_eq!(listed(), 0);

        let mut failed = VideoAnalyzer::with_spill(config);
        scenes(&mut failed, 60);
        assert_eq!(open_under(dir.path()), 2);
        drop(failed);
        assert_eq!(open_under(dir.path()), 0);
        assert_eq!(listed(), 0);

        let mut nowhere = VideoAnalyzer::with_spill(SpillConfig {
            dir: dir.path().join("missing"),
            after_frames: 0,
        });
        scenes(&mut nowhere, 60);
        assert!(nowhere.spill_error().is_some());
        assert_eq!(nowhere.spilled_bytes(), 0);
        assert_eq!(nowhere.finish(2.0, &mut |_| {}), report);
    }
}
