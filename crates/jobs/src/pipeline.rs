//! The six stages of a job, run on a blocking thread. Each stage reports through a
//! [`Report`] channel (stage entered, progress inside its range, artefacts), which the
//! async side writes to the database in order. Progress maps the real work fraction of
//! each step into the stage's contract range.

use std::path::PathBuf;

use stylecut_media::{probe, MediaError, Pulse, RunOpts};
use stylecut_style::analyze::{analyze_file, Phase};
use stylecut_style::{apply, extract, StyleError};
use stylecut_types::config::{JobConfig, Mode};
use stylecut_types::{Analysis, Stage, StyleJson};
use tokio::sync::mpsc::UnboundedSender;

/// What the pipeline tells the worker while it runs.
#[derive(Debug, Clone)]
pub enum Report {
    Stage(Stage, u8),
    Progress(u8),
    Style(Option<serde_json::Value>),
    Plan(serde_json::Value),
    /// An input this job measured (not one it was given in [`Input`]), for later jobs on
    /// the same video to reuse.
    Analysed(Which, Box<Analysis>),
}

/// One of the job's two inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Source,
    Template,
}

pub struct Input {
    pub source: PathBuf,
    pub template: Option<PathBuf>,
    /// Analyses of the source and the template stored by earlier jobs of this build: the
    /// job does not measure those inputs again (the source is still probed, for the
    /// render; the template's file is not read at all).
    pub source_analysis: Option<Analysis>,
    pub template_analysis: Option<Analysis>,
    pub config: JobConfig,
    pub scratch: PathBuf,
    /// Where `rendering` writes the output (a staging path).
    pub output: PathBuf,
}

/// A stage failure, attributed to its stage.
#[derive(Debug)]
pub struct StageError {
    pub stage: Stage,
    pub error: StyleError,
}

/// The pipeline result: whether an output file was written.
pub enum Outcome {
    Rendered,
    ExtractOnly,
}

fn phase_stage(p: Phase) -> Stage {
    match p {
        Phase::Video => Stage::VideoAnalysis,
        Phase::Audio => Stage::AudioAnalysis,
        Phase::Motion => Stage::MotionAnalysis,
    }
}

/// Sends stage changes once and progress only when the integer percent moves; every
/// call, moved or not, beats the run's [`Pulse`] (a long stage may sit on one percent
/// while it works).
struct Reporter {
    tx: UnboundedSender<Report>,
    stage: Option<Stage>,
    last: u8,
    pulse: Pulse,
}

impl Reporter {
    fn stage(&mut self, st: Stage, pct: u8) {
        self.pulse.beat();
        if self.stage != Some(st) {
            self.stage = Some(st);
            self.last = pct;
            let _ = self.tx.send(Report::Stage(st, pct));
        } else {
            self.progress(pct);
        }
    }

    fn progress(&mut self, pct: u8) {
        self.pulse.beat();
        if pct > self.last {
            self.last = pct;
            let _ = self.tx.send(Report::Progress(pct));
        }
    }
}

fn phase_index(p: Phase) -> usize {
    match p {
        Phase::Video => 0,
        Phase::Audio => 1,
        Phase::Motion => 2,
    }
}

/// An input's analysis, with the probe of its file when the job measured it.
type Analysed = (Option<stylecut_media::MediaInfo>, Analysis);

/// One input of the job: its file, and its analysis when an earlier job stored one.
struct Item<'a> {
    path: &'a std::path::Path,
    known: Option<&'a Analysis>,
}

/// Analyses the inputs without a stored analysis (the template, when there is one, and
/// the source) at the same time, one thread each, so that the three analysis stages run
/// once, in order, for the job: the job is in the earliest phase an input is still in,
/// and its progress inside that stage is the mean of the inputs' fractions of it (a
/// finished phase, or an input with a stored analysis, counts as done). When every
/// input has a stored analysis the three stages are passed through at their ends.
fn analyse_all(
    r: &mut Reporter,
    items: &[Item],
    input: &Input,
    opts: &RunOpts,
) -> Result<Vec<Analysed>, StageError> {
    if items.iter().all(|i| i.known.is_some()) {
        for p in [Phase::Video, Phase::Audio, Phase::Motion] {
            let st = phase_stage(p);
            r.stage(st, st.progress_at(1.0));
        }
    }
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Phase, f64)>();
    let results: Vec<Result<Analysed, StageError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .iter()
            .enumerate()
            .map(|(k, item)| {
                let tx = tx.clone();
                let (path, known) = (item.path, item.known);
                scope.spawn(move || {
                    if let Some(a) = known {
                        return Ok((None, a.clone()));
                    }
                    let mut current = Phase::Video;
                    let res = analyze_file(path, opts, Some(&input.scratch), &mut |phase, f| {
                        current = phase;
                        let _ = tx.send((k, phase, f));
                    });
                    res.map(|(info, a)| (Some(info), a))
                        .map_err(|error| StageError {
                            stage: phase_stage(current),
                            error,
                        })
                })
            })
            .collect();
        drop(tx);
        // done[k][phase] = fraction of that phase input k has finished.
        let mut done: Vec<[f64; 3]> = items
            .iter()
            .map(|i| [if i.known.is_some() { 1.0 } else { 0.0 }; 3])
            .collect();
        for (k, phase, f) in rx {
            let pi = phase_index(phase);
            for earlier in done[k].iter_mut().take(pi) {
                *earlier = 1.0;
            }
            done[k][pi] = done[k][pi].max(f);
            let job_phase = (0..3)
                .find(|&p| done.iter().any(|d| d[p] < 1.0))
                .unwrap_or(2);
            let frac = done.iter().map(|d| d[job_phase]).sum::<f64>() / done.len() as f64;
            let st = Stage::ALL[job_phase];
            r.stage(st, st.progress_at(frac));
        }
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(StageError {
                        stage: Stage::VideoAnalysis,
                        error: StyleError::Unsupported("analysis thread panicked".into()),
                    })
                })
            })
            .collect()
    });
    results.into_iter().collect()
}

/// Runs every stage. Cancellation and the deadline travel in `opts`.
pub fn run(
    input: &Input,
    opts: &RunOpts,
    tx: UnboundedSender<Report>,
) -> Result<Outcome, StageError> {
    let mut r = Reporter {
        tx,
        stage: None,
        last: 0,
        pulse: opts.pulse.clone(),
    };
    r.stage(Stage::VideoAnalysis, 1);
    let mut items = vec![Item {
        path: input.source.as_path(),
        known: input.source_analysis.as_ref(),
    }];
    if let Some(t) = &input.template {
        items.push(Item {
            path: t.as_path(),
            known: input.template_analysis.as_ref(),
        });
    }
    let mut analysed = analyse_all(&mut r, &items, input, opts)?.into_iter();
    let (info, source) = analysed.next().ok_or_else(|| StageError {
        stage: Stage::VideoAnalysis,
        error: StyleError::Unsupported("the source was not analysed".into()),
    })?;
    let template = analysed.next();
    // What this job measured, for later jobs on the same videos.
    if info.is_some() {
        let _ =
            r.tx.send(Report::Analysed(Which::Source, Box::new(source.clone())));
    }
    if let Some((Some(_), t)) = &template {
        let _ =
            r.tx.send(Report::Analysed(Which::Template, Box::new(t.clone())));
    }
    // A stored source analysis: the plan still needs the file's streams.
    let info = match info {
        Some(i) => i,
        None => probe::probe_video(&input.source, opts).map_err(|e| StageError {
            stage: Stage::VideoAnalysis,
            error: e.into(),
        })?,
    };

    let st = Stage::StyleExtraction;
    let at = |error: StyleError| StageError { stage: st, error };
    r.stage(st, st.progress_at(0.0));
    opts.check("pipeline").map_err(|e| at(e.into()))?;
    let style: Option<StyleJson> = match (&template, &input.config.style_json) {
        (Some((_, t)), _) => optional(extract::extract(t)).map_err(at)?,
        (None, Some(s)) => Some(s.clone()),
        (None, None) => optional(extract::extract(&source)).map_err(at)?,
    };
    let style_value = style
        .as_ref()
        .map(serde_json::to_value)
        .transpose()
        .map_err(|e| at(StyleError::Unsupported(e.to_string())))?;
    let _ = r.tx.send(Report::Style(style_value));
    r.progress(st.progress_at(1.0));
    if input.config.mode == Mode::ExtractOnly {
        return Ok(Outcome::ExtractOnly);
    }

    let st = Stage::StyleApplication;
    let at = |error: StyleError| StageError { stage: st, error };
    r.stage(st, st.progress_at(0.0));
    opts.check("pipeline").map_err(|e| at(e.into()))?;
    let plan =
        apply::plan(&input.source, &info, &source, style.as_ref(), &input.config).map_err(at)?;
    let plan_value =
        serde_json::to_value(&plan).map_err(|e| at(StyleError::Unsupported(e.to_string())))?;
    let _ = r.tx.send(Report::Plan(plan_value.clone()));
    r.progress(st.progress_at(1.0));

    let st = Stage::Rendering;
    r.stage(st, st.progress_at(0.0));
    let (tx, pulse) = (r.tx.clone(), opts.pulse.clone());
    let mut last = st.progress_at(0.0);
    let delivered = apply::render(&plan, &input.output, opts, move |f| {
        pulse.beat();
        let p = st.progress_at(f);
        if p > last {
            last = p;
            let _ = tx.send(Report::Progress(p));
        }
    })
    .map_err(|error| {
        let _ = std::fs::remove_file(&input.output);
        StageError { stage: st, error }
    })?;
    // The stored plan says what the encoded file's sound measured (`audio.delivered`),
    // not only the target it aimed at.
    if let (Some(d), serde_json::Value::Object(mut p)) = (delivered, plan_value) {
        if let (Some(serde_json::Value::Object(a)), Ok(d)) =
            (p.get_mut("audio"), serde_json::to_value(d))
        {
            a.insert("delivered".into(), d);
        }
        let _ = r.tx.send(Report::Plan(serde_json::Value::Object(p)));
    }
    Ok(Outcome::Rendered)
}

/// `NotAvailable` (that part of the engine is not there yet) means "no style", not failure.
fn optional(r: Result<StyleJson, StyleError>) -> Result<Option<StyleJson>, StyleError> {
    match r {
        Ok(s) => Ok(Some(s)),
        Err(StyleError::NotAvailable(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The wire code of a stage failure (cancellation and timeouts are decided by the caller,
/// which knows why the run was stopped).
pub fn error_code(e: &StyleError) -> &'static str {
    failure(e).0
}

/// The wire code and the message of a stage failure. A full disk is
/// `INSUFFICIENT_STORAGE` whatever step met it: ffmpeg failing to write its scratch or
/// output file would otherwise read as `INVALID_MEDIA` ("the audio could not be decoded")
/// or a bare `PROCESSING_ERROR`, and send the user looking for a fault in the video.
pub fn failure(e: &StyleError) -> (&'static str, String) {
    if let Some(what) = out_of_space(e) {
        return (
            "INSUFFICIENT_STORAGE",
            format!(
                "the disk is full: the job's scratch or output files (under DATA_DIR, and \
                 TMPDIR for renders) could not be written ({what}); the input media is not at \
                 fault: free space and submit the job again"
            ),
        );
    }
    let code = match e {
        StyleError::Media(MediaError::BadInput { .. }) => "INVALID_MEDIA",
        StyleError::Media(MediaError::Timeout { .. }) => "JOB_TIMEOUT",
        _ => "PROCESSING_ERROR",
    };
    (code, e.to_string())
}

/// What says that `e` came from a full disk: an i/o error ENOSPC/EDQUOT, or a tool's
/// stderr (ffmpeg prints `strerror`) naming it; `None` otherwise.
fn out_of_space(e: &StyleError) -> Option<String> {
    use crate::error::{is_out_of_space, mentions_out_of_space};
    let stderr = match e {
        StyleError::Io(io) | StyleError::Media(MediaError::Io(io)) => {
            return is_out_of_space(io).then(|| io.to_string());
        }
        StyleError::Media(MediaError::BadInput { stderr_tail, .. })
        | StyleError::Media(MediaError::ToolFailed { stderr_tail, .. }) => stderr_tail.as_str(),
        _ => "",
    };
    if let Some(line) = stderr.lines().rev().find(|l| mentions_out_of_space(l)) {
        return Some(format!("ffmpeg: {}", line.trim()));
    }
    let text = e.to_string();
    mentions_out_of_space(&text).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_codes() {
        let bad = StyleError::Media(MediaError::BadInput {
            message: "x".into(),
            stderr_tail: String::new(),
        });
        assert_eq!(error_code(&bad), "INVALID_MEDIA");
        let t = StyleError::Media(MediaError::Timeout {
            tool: "ffmpeg".into(),
            seconds: 1.0,
        });
        assert_eq!(error_code(&t), "JOB_TIMEOUT");
        assert_eq!(
            error_code(&StyleError::Unsupported("x".into())),
            "PROCESSING_ERROR"
        );
        // A full disk met by ffmpeg (here while writing the analysis audio to the job's
        // scratch, what a 8 MB tmpfs data directory gave) is not the media's fault.
        let full = StyleError::Media(MediaError::BadInput {
            message: "the audio could not be decoded".into(),
            stderr_tail: "[f32le @ 0x55] Error writing packet\n\
                av_interleaved_write_frame(): No space left on device\n\
                Error muxing a packet for output file #0"
                .into(),
        });
        let (code, message) = failure(&full);
        assert_eq!(code, "INSUFFICIENT_STORAGE");
        assert!(message.contains("the disk is full"), "{message}");
        assert!(message.contains("No space left on device"), "{message}");
        let failed_render = StyleError::Media(MediaError::ToolFailed {
            tool: "ffmpeg".into(),
            status: "exit status: 1".into(),
            stderr_tail: "out.mp4: No space left on device".into(),
        });
        assert_eq!(error_code(&failed_render), "INSUFFICIENT_STORAGE");
        let io = StyleError::Io(std::io::Error::from_raw_os_error(28));
        assert_eq!(error_code(&io), "INSUFFICIENT_STORAGE");
        // A media error without a full disk keeps its code and its own message.
        assert_eq!(
            failure(&bad),
            ("INVALID_MEDIA", "invalid media: x".to_string())
        );
        let ok: Result<StyleJson, StyleError> = Err(StyleError::NotAvailable("later".into()));
        assert_eq!(optional(ok).unwrap(), None);
    }
}
