//! Analysis of one file: probe, one decode pass per stream kind, every analyser fed from it.
//!
//! The picture's decode streams reduced RGB frames into [`VideoAnalyzer`] one at a time (no
//! frame is kept: the analyser stores ≈ 3.7 KB of features per frame, see
//! [`stylecut_analysis::video::frame`], and past
//! [`DEFAULT_SPILL_AFTER`] frames (or [`SPILL_AFTER_ENV`]) moves the
//! thumbnails and colour samples to unnamed scratch files in the scratch directory, so it
//! holds ≈ 0.2 KB a frame: [`stylecut_analysis::video::spill`]). Beside it, a second ffmpeg process decodes the
//! audio (mono to a scratch file, full rate to a pipe) and a thread analyses
//! it while the picture is still decoding: the full-rate audio is metered
//! ([`LoudnessMeter`]) chunk by chunk as it comes out of ffmpeg's pipe (never written to
//! disk), the 16 kHz speech audio (a second scratch file) streamed through the Silero
//! voice activity model ([`audio::vad`]) and the mono audio (a scratch file, streamed back
//! in chunks) analysed ([`audio::AudioAnalyzer`], its spectrogram rows spilled past
//! ≈ 48 s). Last, the video analyser summarises shots, transitions, motion
//! and colour (beside whatever is left of the audio analysis).
//!
//! Progress phases: `Video` follows the decode (it carries the per-frame video work:
//! features, motion estimation, colour samples, captions), `Audio` the loudness meter
//! and the audio analysis (reported once the picture is decoded, so phases stay in
//! order), `Motion` the per-shot summaries (transition models, camera motion, grade).

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::mpsc;

use stylecut_analysis::audio::{self, LoudnessMeter};
use stylecut_analysis::timings;
use stylecut_analysis::video::bars::{self, ActiveArea};
use stylecut_analysis::video::spill::DEFAULT_SPILL_AFTER;
use stylecut_analysis::video::{FrameRef, SpillConfig, VideoAnalyzer};
use stylecut_media::{
    decode, decode_audio_streamed, decode_key_frames, decode_until, probe, Crop, DecodeEnd,
    DecodeSpec, DecodedAudio, Frame, MediaInfo, RunOpts,
};
use stylecut_types::{Analysis, AudioFeatures, KeyFrame, Loudness};

use crate::StyleError;

/// Which job stage a progress report belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Video,
    Audio,
    Motion,
}

/// The picture's duration: the end of its last frame (last timestamp plus the mean frame
/// interval), capped by the container duration. A container is as long as its longest
/// stream, so a soundtrack that runs past the last picture must not lengthen the video:
/// shots, `cut_frequency` and the frame rate are about the picture, and an edit planned
/// past the last frame would render frozen or missing pictures.
fn video_duration(container_s: f64, first_pts: f64, last_pts: f64, frames: usize) -> f64 {
    let end = match frames {
        0 => return container_s.max(0.0),
        1 => {
            return if container_s > 0.0 {
                container_s
            } else {
                last_pts
            }
        }
        n => last_pts + (last_pts - first_pts) / (n - 1) as f64,
    };
    if container_s > 0.0 {
        container_s.min(end)
    } else {
        end
    }
}

/// Environment variable setting the frame count past which the analysis spills its
/// thumbnails and colour samples to scratch files (default [`DEFAULT_SPILL_AFTER`]; `0`
/// spills every input from its first frame, which the benchmarks use to compare the
/// spilled analysis with the in-memory one on short clips).
pub const SPILL_AFTER_ENV: &str = "STYLECUT_SPILL_AFTER";

/// [`SPILL_AFTER_ENV`] when set to a number, else [`DEFAULT_SPILL_AFTER`].
fn spill_after() -> usize {
    match std::env::var(SPILL_AFTER_ENV) {
        Ok(v) => v.trim().parse().unwrap_or_else(|_| {
            tracing::warn!(
                "{SPILL_AFTER_ENV}={v:?} is not a frame count: using {DEFAULT_SPILL_AFTER}"
            );
            DEFAULT_SPILL_AFTER
        }),
        Err(_) => DEFAULT_SPILL_AFTER,
    }
}

/// Names the build that measures: this crate's version and the executable's size and
/// modification time. The service stores each video's analysis under it and reuses it
/// only in jobs of the same build: a rebuilt or upgraded binary measures again, as its
/// analysers may read differently (and older documents lack newer fields). None when the
/// executable cannot be inspected; nothing is reused then.
pub fn engine_id() -> Option<&'static str> {
    static ID: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let meta = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
        let t = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        Some(format!(
            "{}+{:x}.{:x}.{:x}",
            env!("CARGO_PKG_VERSION"),
            meta.len(),
            t.as_secs(),
            t.subsec_nanos()
        ))
    })
    .as_deref()
}

/// Sample frames per loudness chunk.
const LOUDNESS_CHUNK: usize = 48_000;

/// Analyses `path`. `progress(phase, fraction)` reports work inside each phase in order
/// Video → Audio → Motion. `scratch` holds temporary decode files and the analysis'
/// spilled features (default: the system's temporary directory).
pub fn analyze_file(
    path: &Path,
    opts: &RunOpts,
    scratch: Option<&Path>,
    progress: &mut dyn FnMut(Phase, f64),
) -> Result<(MediaInfo, Analysis), StyleError> {
    // The completeness check (a short ffprobe of the file's last seconds) runs beside the
    // decode, not before it: it was ≈ 0.1 s of wall time on one core before anything
    // else started. The analysis runs with its own flag linked to the caller's, so a
    // failed check stops the decode at once, and its error is the one reported.
    let _whole = timings::stage("analysis");
    let t = timings::stage("analysis: probe");
    let (info, declared) = probe::probe_video_unchecked(path, opts)?;
    drop(t);
    let caller = opts;
    let linked = caller.linked();
    let opts = &linked;
    let v = info
        .video
        .clone()
        .ok_or_else(|| StyleError::Unsupported("the file has no video stream".into()))?;
    // The audio is decoded by a second ffmpeg process and analysed on its own thread
    // while the picture decodes: its work fills the cores the frame-threaded video
    // decode leaves idle instead of running after it, and the video process's main
    // thread (demuxing, scaling, writing frames) no longer decodes and resamples audio.
    // The samples are the same as from one process (same decoder and resampler).
    let spec = DecodeSpec {
        scratch_dir: scratch.map(Path::to_path_buf),
        audio: false,
        ..DecodeSpec::default()
    };
    let (audio_tx, audio_rx) = mpsc::channel::<f64>();
    let (motion_tx, motion_rx) = mpsc::channel::<f64>();
    let (audio_report, report) = std::thread::scope(|scope| {
        let complete = declared.map(|d| {
            let stop = opts.cancel.clone();
            scope.spawn(move || {
                let _t = timings::stage("analysis: completeness check");
                let r = probe::check_complete(path, &d, caller);
                if r.is_err() {
                    stop.cancel();
                }
                r
            })
        });
        let analysed = (|| {
            let audio_job = if info.audio.is_some() {
                let (info, rate) = (&info, spec.mono_rate);
                Some(scope.spawn(move || {
                    let _t = timings::stage("analysis: audio (thread)");
                    let report = analyze_audio(path, info, rate, scratch, opts, &mut |f| {
                        let _ = audio_tx.send(f);
                    });
                    // The audio work is done long before a long picture is: hand what it
                    // freed back to the system, or the allocator keeps it under the peak.
                    release_freed_memory();
                    report
                }))
            } else {
                drop(audio_tx);
                None
            };
            let video_report = decode_video(path, &info, &spec, opts, progress).map(|video| {
                // The picture's detectors (shots, transitions, per-shot colour) run beside
                // whatever is left of the audio analysis.
                scope.spawn(move || {
                    let _t = timings::stage("analysis: video finish (thread)");
                    let duration_s = video.duration_s;
                    let report = video.analyzer.finish(duration_s, &mut |f| {
                        let _ = motion_tx.send(f);
                    });
                    (duration_s, report, video.key_frames, video.area)
                })
            });
            // Progress keeps the order Video → Audio → Motion.
            for f in audio_rx.iter() {
                progress(Phase::Audio, f);
            }
            let audio_report = match audio_job {
                Some(job) => job
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                    .map(Some),
                None => Ok(None),
            };
            let video_job = video_report?;
            progress(Phase::Audio, 1.0);
            for f in motion_rx.iter() {
                progress(Phase::Motion, f);
            }
            let report = video_job
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            audio_report.map(|a| (a, report))
        })();
        // A truncated file is refused as such, whatever its cut-short decode did.
        if let Some(c) = complete {
            c.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        }
        analysed
    })?;
    let (duration_s, mut report, key_frames, area) = report;
    progress(Phase::Motion, 1.0);
    // Saliency was read inside the active picture: back to fractions of the frame.
    for p in &mut report.saliency {
        p.x = area.x + p.x * area.width;
        p.y = area.y + p.y * area.height;
    }
    let active_area = (!area.is_full()).then(|| {
        let (w, h) = (f64::from(v.display_width), f64::from(v.display_height));
        stylecut_types::ActiveArea {
            x: (area.x * w).round() as u32,
            y: (area.y * h).round() as u32,
            width: (area.width * w).round() as u32,
            height: (area.height * h).round() as u32,
        }
    });

    let (loudness, tempo_bpm, beats, (speech_segments, speech_pauses), audio_features) =
        match audio_report {
            Some(r) => (
                r.loudness,
                r.tempo_bpm,
                r.beats,
                (r.speech_segments, r.speech_pauses),
                r.features,
            ),
            None => (
                Loudness {
                    integrated_lufs: None,
                    range_lu: None,
                    true_peak_dbtp: None,
                },
                None,
                Vec::new(),
                (Vec::new(), Vec::new()),
                AudioFeatures::default(),
            ),
        };
    let analysis = Analysis {
        duration_s,
        width: v.display_width,
        height: v.display_height,
        frame_rate: report.frame_rate,
        shots: report.shots.shots,
        transitions: report.shots.transitions,
        tempo_bpm,
        beats,
        loudness,
        speech_segments,
        speech_pauses,
        motion: report.motion,
        color: report.color,
        color_grade: report.color_grade,
        audio: audio_features,
        has_subtitle_stream: info.subtitle_streams > 0,
        burned_in_captions: report.burned_in_captions,
        saliency: report.saliency,
        picture_change: report.picture_change,
        camera_track: report.camera_track,
        key_frames,
        active_area,
    };
    Ok((info, analysis))
}

/// Decodes the audio and analyses it: loudness on the full-rate signal, metered chunk by
/// chunk while ffmpeg decodes (streamed through a pipe, never stored), everything else on
/// the mono mix. `progress` receives the fraction of the audio analysis done.
fn analyze_audio(
    path: &Path,
    info: &MediaInfo,
    rate: u32,
    scratch: Option<&Path>,
    opts: &RunOpts,
    progress: &mut dyn FnMut(f64),
) -> Result<audio::AudioReport, StyleError> {
    let (full_rate, channels) = info
        .audio
        .as_ref()
        .map_or((0, 0), |a| (a.sample_rate, a.channels));
    // A layout the meter cannot take fails before anything is decoded.
    let mut meter = LoudnessMeter::new(full_rate, channels)
        .map_err(|e| StyleError::Unsupported(e.to_string()))?;
    let mut meter_err = None;
    let t = timings::stage("analysis: audio decode and loudness");
    let decoded: DecodedAudio =
        decode_audio_streamed(path, info, rate, scratch, opts, LOUDNESS_CHUNK, |chunk| {
            if meter_err.is_none() {
                if let Err(e) = meter.add(chunk) {
                    meter_err = Some(e);
                }
            }
        })?;
    if let Some(e) = meter_err {
        return Err(StyleError::Unsupported(e.to_string()));
    }
    progress(0.2);
    let loudness = meter.finish();
    drop(t);
    let t = timings::stage("analysis: speech (VAD)");
    let speech = detect_speech(&decoded, opts)?;
    drop(t);
    progress(0.4);
    // The mono mix is streamed from its scratch file in chunks and the spectrogram's
    // rows spill past a minute, so the analysis holds ≈ 0.1 KB per 11.6 ms hop of the
    // programme, not its samples and spectrogram (`docs/BENCHMARKS.md`, session 12).
    let dir = scratch
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir);
    let mut analyzer = audio::AudioAnalyzer::new(
        decoded.mono_rate,
        Some(SpillConfig {
            dir,
            after_frames: audio_spill_after(),
        }),
    );
    // Cancellation and the deadline are checked between chunks, as in the decode: a job
    // past PROCESSING_TIMEOUT_SECONDS stops here, not after its whole programme.
    let mut stopped = None;
    let t = timings::stage("analysis: audio spectrum");
    decoded.for_each_mono_chunk(MONO_CHUNK, |c| {
        if stopped.is_none() {
            match opts.check("audio analysis") {
                Ok(()) => analyzer.push(c),
                Err(e) => stopped = Some(e),
            }
        }
    })?;
    drop(t);
    if let Some(e) = stopped {
        return Err(e.into());
    }
    if let Some(e) = analyzer.spill_error() {
        tracing::warn!(
            "audio analysis kept its spectrogram in memory past a scratch file error: {e}"
        );
    }
    let mut audio_progress = |f: f64| progress(0.4 + 0.6 * f);
    let mut report = analyzer.finish(loudness, speech.segments, &mut audio_progress);
    report.speech_pauses = speech.pauses;
    Ok(report)
}

/// Mono samples read and analysed at a time (64 KiB).
const MONO_CHUNK: usize = 16_384;

/// Mel rows the audio analysis holds before it spills them (≈ 48 s at 22.05 kHz, 1 MiB):
/// templates and short clips never touch the disk.
const AUDIO_SPILL_AFTER: usize = 4096;

/// [`SPILL_AFTER_ENV`] when set to a number (the same override as the picture's: `0`
/// spills from the first row), else [`AUDIO_SPILL_AFTER`].
fn audio_spill_after() -> usize {
    match std::env::var(SPILL_AFTER_ENV) {
        Ok(v) => v.trim().parse().unwrap_or(AUDIO_SPILL_AFTER),
        Err(_) => AUDIO_SPILL_AFTER,
    }
}

/// Speech segments (and the pauses inside them) of the decoded audio: its 16 kHz mono is streamed from the scratch
/// file through the Silero voice activity model ([`audio::vad::Vad`]), 32 ms at a time,
/// never held whole; cancellation and the deadline stop it between chunks.
fn detect_speech(decoded: &DecodedAudio, opts: &RunOpts) -> Result<audio::vad::Speech, StyleError> {
    let vad_err = |e: audio::vad::VadError| StyleError::Unsupported(e.to_string());
    let mut vad = audio::vad::Vad::new().map_err(vad_err)?;
    let mut failed = None;
    let mut stopped = None;
    decoded.for_each_speech_chunk(SPEECH_CHUNK, |c| {
        if failed.is_none() && stopped.is_none() {
            match opts.check("speech detection") {
                Ok(()) => failed = vad.push(c).err(),
                Err(e) => stopped = Some(e),
            }
        }
    })?;
    if let Some(e) = stopped {
        return Err(e.into());
    }
    if let Some(e) = failed {
        return Err(vad_err(e));
    }
    vad.finish(&audio::vad::Params::default()).map_err(vad_err)
}

/// Samples read from the speech scratch file at a time (256 ms at 16 kHz).
const SPEECH_CHUNK: usize = 4096;

/// Returns the heap memory freed so far to the system (glibc's `malloc_trim`; nothing
/// elsewhere). The audio analysis frees its per-frame values (band powers, onset
/// envelopes; until session 12 also the spectrogram and the mono samples) long before a long
/// picture's decode ends, but glibc keeps freed small blocks in the thread's arena, so
/// that memory stayed resident under the features the picture's analysis was still
/// adding. Trimming returns it (the peak of a 10-minute 1080p30 analysis went from 234 to
/// 202 MiB, `bench/memory.sh`, `docs/BENCHMARKS.md`); nothing is computed differently.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator's arenas.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The decoded picture: the analyser holding every frame's features, and the duration.
struct DecodedVideo {
    analyzer: VideoAnalyzer,
    duration_s: f64,
    key_frames: Vec<KeyFrame>,
    /// The active picture the frames were cropped to ([`ActiveArea::FULL`]: none).
    area: ActiveArea,
}

/// The active picture of `path` ([`bars::find_active_area`]) from up to
/// [`stylecut_media::decode::KEY_FRAME_PROBE_MAX`] of its key frames, decoded alone before
/// a cropped analysis decode. A failed probe reads as no bars (the decode then reports
/// what is wrong with the file). Only run when the analysis decode's first key frames
/// could not rule the bars out ([`BarsGate`]).
fn probe_active_area(
    path: &Path,
    info: &MediaInfo,
    spec: &DecodeSpec,
    opts: &RunOpts,
) -> ActiveArea {
    let _t = timings::stage("analysis: bars probe (key frames)");
    let mut frames = Vec::new();
    let read = decode_key_frames(
        path,
        info,
        spec,
        opts,
        stylecut_media::decode::KEY_FRAME_PROBE_MAX,
        |f| frames.push((f.width as usize, f.height as usize, f.rgb.clone())),
    );
    if let Err(e) = read {
        tracing::debug!("bars probe failed, reading the whole frame: {e}");
        return ActiveArea::FULL;
    }
    bars::find_active_area(frames.iter().map(|(w, h, rgb)| FrameRef {
        pts_s: 0.0,
        width: *w,
        height: *h,
        rgb,
    }))
}

/// The analysis decode's frames going into the analyser, with their times and key frames.
struct PictureSink {
    video: VideoAnalyzer,
    first_pts: f64,
    last_pts: f64,
    frames: usize,
    /// Key frames with the exact time of the frame before each (`Analysis::key_frames`);
    /// a frame without an exact time breaks the chain, so no key frame is listed after a
    /// neighbour whose time is unknown.
    key_frames: Vec<KeyFrame>,
    prev_exact: Option<Option<f64>>,
}

impl PictureSink {
    fn new(spec: &DecodeSpec) -> Self {
        let dir = spec.scratch_dir.clone().unwrap_or_else(std::env::temp_dir);
        PictureSink {
            video: VideoAnalyzer::with_spill(SpillConfig {
                dir,
                after_frames: spill_after(),
            }),
            first_pts: 0.0,
            last_pts: 0.0,
            frames: 0,
            key_frames: Vec::new(),
            prev_exact: None,
        }
    }

    fn push(&mut self, f: &Frame) {
        if self.frames == 0 {
            self.first_pts = f.pts_s;
        }
        self.frames += 1;
        self.last_pts = f.pts_s;
        if let Some(t) = f.exact_pts_s {
            match self.prev_exact {
                Some(Some(p)) if f.key && p < t => self.key_frames.push(KeyFrame {
                    pts_s: t,
                    prev_s: Some(p),
                }),
                None if f.key => self.key_frames.push(KeyFrame {
                    pts_s: t,
                    prev_s: None,
                }),
                _ => {}
            }
        }
        self.prev_exact = Some(f.exact_pts_s);
        self.video.push(&frame_ref(f));
    }

    fn finish(self, info: &MediaInfo, area: ActiveArea) -> DecodedVideo {
        if let Some(e) = self.video.spill_error() {
            tracing::warn!("analysis kept its features in memory past a scratch file error: {e}");
        }
        DecodedVideo {
            duration_s: video_duration(info.duration_s, self.first_pts, self.last_pts, self.frames),
            analyzer: self.video,
            key_frames: self.key_frames,
            area,
        }
    }
}

fn frame_ref(f: &Frame) -> FrameRef<'_> {
    FrameRef {
        pts_s: f.pts_s,
        width: f.width as usize,
        height: f.height as usize,
        rgb: &f.rgb,
    }
}

/// Whole frames held back from the analyser, at most, while the first key frames of the
/// decode cannot yet rule the bars out (a solid first key frame: a black leader, a fade's
/// start): 24 MiB, 227 frames of a 256×144 analysis (7.6 s at 30 fps).
const BARS_HOLD_BYTES: usize = 24 << 20;

/// What lets the analysis read the bars from its own decode of the whole frame instead of
/// a key-frame probe before it: the decode starts uncropped, and its key frames that the
/// probe would read ([`KeyFrameChoice`]) go to a [`bars::AreaSearch`]. Once the search is
/// [`bars::AreaSearch::settled_full`] (no later frame can give a bar: the first key frame
/// with picture up to its edges settles it), the frames held so far and every later one go
/// to the analyser as they are: the one decode, the analysis the probe's. A key frame with
/// a possible bar (or [`BARS_HOLD_BYTES`] of frames held before one says anything) stops
/// the decode, and the probe and a decode cropped to its area run as before.
struct BarsGate {
    choice: KeyFrameChoice,
    search: bars::AreaSearch,
    held: Vec<Frame>,
    held_bytes: usize,
    open: bool,
}

/// What the gate makes of one frame.
enum GateStep {
    /// Held back (the bars are undecided).
    Held,
    /// The bars are ruled out: these frames (the held ones, then this one) go on.
    Open(Vec<Frame>),
    /// Give up: a bar is possible, or too much is held. With the active picture when
    /// every key frame the probe reads was read (no probe needed, only the cropped decode).
    Stop(Option<ActiveArea>),
}

impl BarsGate {
    fn new(info: &MediaInfo) -> Self {
        BarsGate {
            choice: KeyFrameChoice::new(info),
            search: bars::AreaSearch::default(),
            held: Vec::new(),
            held_bytes: 0,
            open: false,
        }
    }

    /// Takes the next frame of an undecided decode (not called once open).
    fn step(&mut self, f: &Frame) -> GateStep {
        if self.choice.take(f) {
            self.search.push(&frame_ref(f));
            let no_picture_left = self.choice.exhausted() && !self.search.has_picture();
            if self.search.settled_full() || no_picture_left {
                return self.open_with(f);
            }
            if self.choice.exhausted() {
                // Every key frame the probe reads was read: its answer is the search's.
                let area = self.search.finish();
                if area.is_full() {
                    return self.open_with(f);
                }
                return GateStep::Stop(Some(area));
            }
            // A bar of one colour is possible: stop now. When only a blurred-copy surround
            // is undecided (soft edges in the first key frames are common in ordinary
            // footage), later key frames usually rule it out: hold on, within the budget.
            if self.search.has_picture() && !self.search.bars_settled() {
                return GateStep::Stop(None);
            }
        }
        if self.held_bytes + f.rgb.len() > BARS_HOLD_BYTES {
            return GateStep::Stop(None);
        }
        self.held_bytes += f.rgb.len();
        self.held.push(f.clone());
        GateStep::Held
    }

    fn open_with(&mut self, f: &Frame) -> GateStep {
        self.open = true;
        self.held_bytes = 0;
        let mut frames = std::mem::take(&mut self.held);
        frames.push(f.clone());
        GateStep::Open(frames)
    }

    /// The decode ended undecided, having read every key frame the probe reads: no key
    /// frame said where the picture is (the probe reads that as no bar), or only a
    /// blurred-copy surround was left undecided. The held frames (the whole input) go on
    /// when the search's answer is the whole frame; else the active picture, for the
    /// cropped decode.
    fn end(&mut self) -> Result<Vec<Frame>, ActiveArea> {
        let area = self.search.finish();
        if !area.is_full() {
            return Err(area);
        }
        self.open = true;
        Ok(std::mem::take(&mut self.held))
    }
}

/// The key frames [`decode_key_frames`] reads, picked from a full decode's frames: the
/// first key frame, then each key frame at least the probe's step after the last picked
/// (its `select` filter on the frame's time), at most
/// [`stylecut_media::decode::KEY_FRAME_PROBE_MAX`].
struct KeyFrameChoice {
    step: f64,
    last: Option<f64>,
    taken: usize,
}

impl KeyFrameChoice {
    fn new(info: &MediaInfo) -> Self {
        KeyFrameChoice {
            step: stylecut_media::decode::key_frame_probe_step(
                info,
                stylecut_media::decode::KEY_FRAME_PROBE_MAX,
            ),
            last: None,
            taken: 0,
        }
    }

    fn take(&mut self, f: &Frame) -> bool {
        if !f.key || self.exhausted() {
            return false;
        }
        let t = f.exact_pts_s.unwrap_or(f.pts_s);
        if self.last.is_some_and(|last| t - last < self.step) {
            return false;
        }
        self.last = Some(t);
        self.taken += 1;
        true
    }

    fn exhausted(&self) -> bool {
        self.taken >= stylecut_media::decode::KEY_FRAME_PROBE_MAX
    }
}

/// Decodes the picture (no audio) into a [`VideoAnalyzer`]. Reports [`Phase::Video`].
///
/// The decode reads the whole frame; its first key frames decide whether the input can
/// have bars at all ([`BarsGate`]). Only when it can is that decode stopped and the
/// key-frame probe ([`probe_active_area`]) and a decode cropped to the active picture run.
fn decode_video(
    path: &Path,
    info: &MediaInfo,
    spec: &DecodeSpec,
    opts: &RunOpts,
    progress: &mut dyn FnMut(Phase, f64),
) -> Result<DecodedVideo, StyleError> {
    opts.check("analysis")?;
    // The active picture, when the first decode read every key frame the probe reads.
    let mut known: Option<ActiveArea> = None;
    {
        let _t = timings::stage("analysis: picture decode and per-frame analysers");
        let mut sink = PictureSink::new(spec);
        let mut gate = BarsGate::new(info);
        let open = std::cell::Cell::new(false);
        let end = decode_until(
            path,
            info,
            spec,
            opts,
            |f| {
                if gate.open {
                    sink.push(f);
                    return ControlFlow::Continue(());
                }
                match gate.step(f) {
                    GateStep::Held => ControlFlow::Continue(()),
                    GateStep::Open(frames) => {
                        open.set(true);
                        for h in &frames {
                            sink.push(h);
                        }
                        ControlFlow::Continue(())
                    }
                    GateStep::Stop(area) => {
                        known = area;
                        ControlFlow::Break(())
                    }
                }
            },
            |f| {
                if open.get() {
                    progress(Phase::Video, f);
                }
            },
        )?;
        if let DecodeEnd::Finished(_) = end {
            if gate.open {
                progress(Phase::Video, 1.0);
                return Ok(sink.finish(info, ActiveArea::FULL));
            }
            match gate.end() {
                Ok(frames) => {
                    for h in &frames {
                        sink.push(h);
                    }
                    progress(Phase::Video, 1.0);
                    return Ok(sink.finish(info, ActiveArea::FULL));
                }
                Err(area) => known = Some(area),
            }
        }
    }
    let area = match known {
        Some(area) => area,
        None => probe_active_area(path, info, spec, opts),
    };
    opts.check("analysis")?;
    let cropped;
    let spec = if area.is_full() {
        spec
    } else {
        cropped = DecodeSpec {
            crop: Some(Crop {
                x: area.x,
                y: area.y,
                width: area.width,
                height: area.height,
            }),
            ..spec.clone()
        };
        &cropped
    };
    let _t = timings::stage("analysis: picture decode and per-frame analysers");
    let mut sink = PictureSink::new(spec);
    decode(
        path,
        info,
        spec,
        opts,
        |f| sink.push(f),
        |f| progress(Phase::Video, f),
    )?;
    progress(Phase::Video, 1.0);
    Ok(sink.finish(info, area))
}

#[cfg(test)]
mod tests {
    use super::video_duration;

    #[test]
    fn a_longer_soundtrack_does_not_lengthen_the_picture() {
        // 720 frames at 24 fps in a container stretched to 30.093 s by its audio.
        let d = video_duration(30.093, 0.0, 719.0 / 24.0, 720);
        assert!((d - 30.0).abs() < 1e-9, "{d}");
    }

    #[test]
    fn the_container_caps_and_stands_in() {
        // Container shorter than the frame grid (last frame cut short): the container wins.
        assert!((video_duration(29.99, 0.0, 719.0 / 24.0, 720) - 29.99).abs() < 1e-9);
        // One frame or none: the container duration is all there is.
        assert_eq!(video_duration(5.0, 0.0, 0.0, 1), 5.0);
        assert_eq!(video_duration(5.0, 0.0, 0.0, 0), 5.0);
        // No container duration: the frame grid.
        assert!((video_duration(0.0, 0.0, 9.0, 10) - 10.0).abs() < 1e-9);
    }
}
