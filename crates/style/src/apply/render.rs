//! Runs a plan: scratch files (graph, subtitles), then
//!
//! * a one-process plan with sound (since session 12): the picture's encode (the plan's
//!   video graph and x264 options, the source opened for its picture only; after the
//!   stabiliser's analysis pass when the plan has one) on one thread, and beside it the
//!   sound's passes on this one: the audio-only loudness measuring pass (which keeps the
//!   processed sound), the check passes, the AAC encode of the kept sound and the
//!   delivered sound's measure; then one mux, both streams copied, `+faststart`
//!   ([`Overlapped`]). Progress: the picture's encode 0..0.98, the mux the rest.
//! * otherwise (a silent source, a plan written before the loudness slot), the
//!   measuring pass (beside the stabiliser's analysis pass when the plan has one), then
//!   the single encode, or for a chunked plan ([`super::chunks`]) the chunks' sound
//!   (edited into PCM, before the measuring pass, which then reads it) and video one
//!   process after the other, and the join (video copied, the chunks' sound processed and
//!   encoded once). Progress: the measuring pass reports 0..0.1 (it decodes audio only),
//!   the encode 0.1..1 (chunked: the chunks by their frames up to 0.955, the join the
//!   rest).
//!
//! Progress never goes back.

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use stylecut_media::process::{ffmpeg_bin, run_streamed};
use stylecut_media::render::run_ffmpeg;
use stylecut_media::{MediaError, RunOpts};

use super::audio::{
    parse_integrated, parse_loudnorm, AudioPlan, DeliveredAudio, Normalization,
    MAX_LOUDNESS_PASSES, MAX_SOUND_REENCODES, MEASURED_PLACEHOLDER, TRUE_PEAK_ROUNDING_DB,
};
use super::graph::{SCRATCH, SUBS_FILE};
use super::{chunks, seeks, subs, EditPlan, SubtitleSource, GRAPH_FILE};
use crate::StyleError;
use stylecut_analysis::timings;

/// Share of the progress bar given to the measuring pass.
const MEASURE_SHARE: f64 = 0.1;
/// Share of the encode's part of the bar given to the join of a chunked render (the
/// video is copied, the sound encoded).
const JOIN_SHARE: f64 = 0.05;

/// File (in the scratch directory) holding the processed sound: what reaches the
/// loudness slot (edit, crossfades, chain), kept by the first measuring pass.
pub const PROCESSED_SOUND_FILE: &str = "processed.wav";

/// The processed sound, kept once: the first measuring pass writes what reaches the
/// loudness slot of its graph (the edit, the crossfades and the chain, before any gain)
/// as 32-bit float PCM into the scratch directory, beside its measure. The loudness check
/// passes and a one-process render's sound-only re-encode then read that file and run
/// only the slot and what follows it; before session 11 each of them decoded the source's
/// sound (or read a chunked render's PCM) and ran the edit and the chain again. The
/// delivered file's own sound is still decoded and measured: that is the point of it.
struct ProcessedSound {
    file: std::path::PathBuf,
    /// The measuring graph from its loudness slot on: `{measured},` the measuring
    /// filters, the exact length, `[aout]`.
    tail: String,
    /// The measuring filters in `tail` ([`AudioPlan::measure_filters`]).
    meter: String,
}

impl ProcessedSound {
    /// Where the measuring graph `graph` keeps its processed sound: None when the graph
    /// has no loudness slot followed by the measuring filters (plans written before
    /// session 10), whose passes keep reading the source.
    fn plan(graph: &str, audio: &AudioPlan, dir: &Path) -> Option<Self> {
        let meter = audio.measure_filters()?;
        let at = graph.find(MEASURED_PLACEHOLDER)?;
        let tail = &graph[at..];
        tail.strip_prefix(MEASURED_PLACEHOLDER)?
            .strip_prefix(',')?
            .starts_with(&meter)
            .then(|| Self {
                file: dir.join(PROCESSED_SOUND_FILE),
                tail: tail.to_string(),
                meter,
            })
    }

    /// The first measuring pass's graph: `graph` with its slot's input split, one copy
    /// to the measuring filters (slot `anull`), one to the label `[processed]`.
    fn first_pass_graph(&self, graph: &str) -> String {
        let head = &graph[..graph.len() - self.tail.len()];
        format!(
            "{head}asplit=2[processed][tometer];[tometer]{}",
            self.tail.replacen(MEASURED_PLACEHOLDER, "anull", 1)
        )
    }

    /// The first pass's extra output: `[processed]` into [`PROCESSED_SOUND_FILE`]
    /// (RF64 when it outgrows WAV's 4 GiB).
    fn output_args(&self) -> Vec<String> {
        let mut a: Vec<String> = [
            "-map",
            "[processed]",
            "-c:a",
            "pcm_f32le",
            "-rf64",
            "auto",
            "-f",
            "wav",
        ]
        .map(String::from)
        .to_vec();
        a.push(self.file.display().to_string());
        a
    }

    /// Input options and file of a pass reading the kept sound.
    fn input(&self) -> Vec<String> {
        vec!["-i".into(), self.file.display().to_string()]
    }

    /// A check pass's graph: candidate `n` in the slot, then the integrated-loudness
    /// meter only (`check_meter`, [`AudioPlan::loudness_meter`]; a check reads no true
    /// peak).
    fn check_graph(&self, n: &Normalization, check_meter: &str) -> String {
        format!(
            "[0:a]{}",
            self.tail
                .replacen(MEASURED_PLACEHOLDER, &n.filters(), 1)
                .replacen(&self.meter, check_meter, 1)
        )
    }

    /// The sound's graph for an encode with `slot` (the normalisation's filters, or
    /// `anull`) in the loudness slot, the measuring filters replaced by the output format
    /// (the render graph's own tail).
    fn encode_graph(&self, slot: &str) -> String {
        format!("[0:a]{}", self.render_tail(slot))
    }

    /// The render graph's sound from its loudness slot on, `slot` in it: the measuring
    /// graph's tail with the measuring filters replaced by the output format.
    fn render_tail(&self, slot: &str) -> String {
        self.tail.replacen(MEASURED_PLACEHOLDER, slot, 1).replacen(
            &self.meter,
            OUTPUT_AUDIO_FORMAT,
            1,
        )
    }
}

/// Renders `plan` to `output`, every frame and sample encoded once (see the module
/// doc for the processes); `progress` gets 0..1. An `output` that is
/// the source file itself (under any spelling of its path, or a hard link) is refused.
///
/// The MP4 is written under a hidden name next to `output` ([`partial_path`]) and renamed
/// over `output` only when the render has succeeded: a file already at `output` (an
/// earlier render) survives a failed or cancelled one, and nobody watching the folder
/// sees a half-written MP4 under the final name.
///
/// Returns the delivered sound's loudness and true peak, measured on the encoded file,
/// when the plan normalises loudness (None: no target, or silence).
pub fn render(
    plan: &EditPlan,
    output: &Path,
    opts: &RunOpts,
    progress: impl FnMut(f64) + Send + 'static,
) -> Result<Option<DeliveredAudio>, StyleError> {
    // ffmpeg (`-y`) would truncate the source while reading it, and a failed encode's
    // output is removed: either way the source would be lost.
    if same_file(&plan.source, output) {
        return Err(StyleError::Unsupported(format!(
            "the output {} is the source file; choose another output path",
            output.display()
        )));
    }
    let part = partial_path(output);
    let _t = timings::stage("render");
    match render_to(plan, &part, opts, progress) {
        Ok(delivered) => match std::fs::rename(&part, output) {
            Ok(()) => Ok(delivered),
            Err(e) => {
                let _ = std::fs::remove_file(&part);
                Err(StyleError::Io(e))
            }
        },
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            Err(e)
        }
    }
}

/// Prefix of a render's scratch directory in the system temp directory (`$TMPDIR`, else
/// `/tmp`). Each holds a [`stylecut_media::scratch::LOCK_FILE`] locked by the rendering
/// process; `serve` and `worker` remove, at start-up, those whose process is gone.
pub const RENDER_SCRATCH_PREFIX: &str = "stylecut-render-";

/// The hidden file a render of `output` writes before it is renamed into place: in the
/// same folder (so the rename is atomic), named after the output and this process.
pub fn partial_path(output: &Path) -> std::path::PathBuf {
    hidden_sibling(output, &format!("partial-{}", std::process::id()))
}

/// `.NAME.SUFFIX` in `path`'s folder: a hidden working file beside `path`, on the same
/// file system, so it can be renamed over `path`.
fn hidden_sibling(path: &Path, suffix: &str) -> std::path::PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{suffix}"))
}

/// [`render`] into `output` directly.
fn render_to(
    plan: &EditPlan,
    output: &Path,
    opts: &RunOpts,
    progress: impl FnMut(f64) + Send + 'static,
) -> Result<Option<DeliveredAudio>, StyleError> {
    // Never backwards: the passes and chunks report their own fractions, mapped onto
    // consecutive shares of the bar.
    let progress = Arc::new(Mutex::new((progress, 0.0f64)));
    let report = {
        let p = progress.clone();
        move |f: f64| {
            let mut g = p.lock().unwrap_or_else(|e| e.into_inner());
            let (cb, last) = &mut *g;
            let f = f.clamp(0.0, 1.0).max(*last);
            *last = f;
            (cb)(f);
        }
    };
    // Locked by this process while it renders: a `serve` or `worker` starting after this
    // process was killed removes it ([`RENDER_SCRATCH_PREFIX`]), never one in use.
    let scratch = stylecut_media::scratch::LockedTempDir::new_in(
        &std::env::temp_dir(),
        RENDER_SCRATCH_PREFIX,
    )?;
    let dir = scratch.path();
    if let Some(src) = &plan.subtitles {
        write_subtitles(plan, src, dir, opts)?;
    }
    let dir_arg = dir.display().to_string();
    // The two side passes read different streams of the source (the stabiliser the
    // picture, the loudness measure the sound) and write different files: they run at
    // once, so the measure (one core, audio only) hides behind the stabiliser's decode.
    // A chunked plan edits its sound chunk by chunk into PCM first; the measuring pass and
    // the join then read those files instead of the source.
    let audio_chunks = plan
        .chunks
        .as_ref()
        .map_or(&[][..], |c| c.audio_chunks.as_slice());
    let measure_graph = match &plan.chunks {
        Some(c) if !audio_chunks.is_empty() => c.audio_measure_graph.as_ref(),
        _ => plan.audio_measure_graph.as_ref(),
    };
    // The first measuring pass keeps the processed sound for the passes after it.
    let processed = measure_graph.and_then(|mg| ProcessedSound::plan(mg, &plan.audio, dir));
    // A one-process plan whose sound can be encoded from the kept sound: the picture's
    // encode starts at once, the sound's passes run beside it.
    if let (Some(p), Some(mg)) = (&processed, measure_graph) {
        if let Some(o) = Overlapped::plan(plan, p) {
            return render_overlapped(plan, &o, p, mg, output, dir, opts, report);
        }
    }
    // Picture inputs seek only to where the source decodes cleanly (`seeks`): the tries
    // run beside the side passes, which need no picture seek.
    let t = timings::stage("render: side passes (seek tries, stabiliser, audio chunks, measure)");
    let (stab, log, cleaned) = std::thread::scope(|scope| {
        let cleaned = scope.spawn(|| seeks::clean_plan(plan, opts));
        let stab = plan.stabilize_detect_graph.as_ref().map(|dg| {
            let dg = dg.replace(SCRATCH, &escape_graph_path(&dir_arg));
            scope.spawn(move || stabilize_detect(plan, &dg, dir, opts))
        });
        let log = (|| {
            // The audio chunks take the first half of the measuring pass's share (they
            // decode the same sound), the measure the rest.
            let measure_from = if audio_chunks.is_empty() {
                0.0
            } else {
                edit_audio_chunks(audio_chunks, dir, &dir_arg, opts, report.clone())?;
                MEASURE_SHARE / 2.0
            };
            measure_graph
                .map(|mg| {
                    let input = if audio_chunks.is_empty() {
                        source_input(plan)
                    } else {
                        concat_input(&dir.join(chunks::AUDIO_LIST))
                    };
                    measure(
                        plan,
                        mg,
                        &input,
                        processed.as_ref(),
                        dir,
                        opts,
                        measure_from,
                        report.clone(),
                    )
                })
                .transpose()
        })();
        let stab = stab.map(|h| {
            h.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        let cleaned = cleaned
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (stab, log, cleaned)
    });
    drop(t);
    if let Some(r) = stab {
        r?;
    }
    let cleaned = cleaned?;
    let plan = &cleaned;
    let measure_input = if audio_chunks.is_empty() {
        source_input(plan)
    } else {
        concat_input(&dir.join(chunks::AUDIO_LIST))
    };
    let first = log?
        .map(|log| {
            parse_loudnorm(&log).ok_or_else(|| {
                StyleError::Unsupported(format!(
                    "loudness measuring pass printed no loudnorm/ebur128 summary: {log}"
                ))
            })
        })
        .transpose()?;
    let norm = first.as_ref().and_then(|m| plan.audio.normalization(m));
    // The limiter takes loudness away: measure what it left and raise the gain.
    // What the check passes read: the kept sound, or (plans without the slot) the
    // source again through the whole measuring graph.
    let checked = match (&processed, measure_graph) {
        (Some(p), _) => Some(Checked::Kept(p)),
        (None, Some(mg)) => Some(Checked::Again {
            graph: mg,
            input: &measure_input,
        }),
        (None, None) => None,
    };
    let (norm, loudness_passes) = match (norm, &checked) {
        (Some(n), Some(c)) if n.limit_dbfs.is_some() => {
            let (n, passes) = make_up_loudness(plan, c, dir, opts, n)?;
            (Some(n), passes)
        }
        (n, ..) => (n, 0),
    };
    // The check passes again for a lowered limit (after the encoded sound passed the
    // ceiling); a plan without a measuring graph keeps its gain.
    let make_up = |n: Normalization| match &checked {
        Some(c) => make_up_loudness(plan, c, dir, opts, n),
        None => Ok((n, 0)),
    };
    let measured = norm
        .map(|n| n.filters())
        .or_else(|| first.as_ref().map(|_| "anull".to_string()));
    let fill = |graph: &str| {
        let g = graph.replace(SCRATCH, &escape_graph_path(&dir_arg));
        match &measured {
            Some(m) => g.replace(MEASURED_PLACEHOLDER, m),
            None => g,
        }
    };
    let out = output.display().to_string();
    let args = |a: &[String]| -> Vec<String> {
        a.iter()
            .map(|a| a.replace("{output}", &out).replace(SCRATCH, &dir_arg))
            .collect()
    };
    let start = if measure_graph.is_some() || !audio_chunks.is_empty() {
        MEASURE_SHARE
    } else {
        0.0
    };
    let Some(ch) = &plan.chunks else {
        std::fs::write(dir.join(GRAPH_FILE), fill(&plan.filtergraph))?;
        let r = report.clone();
        let _t = timings::stage("render: one-process encode and delivered measure");
        run_ffmpeg(
            &args(&plan.ffmpeg_args),
            output,
            plan.output_duration_s,
            opts,
            move |f| r(start + (1.0 - start) * f),
        )?;
        let delivered = norm
            .map(|n| {
                deliver(
                    plan,
                    output,
                    dir,
                    opts,
                    (n, loudness_passes),
                    make_up,
                    |n| reencode_sound(plan, output, processed.as_ref(), dir, opts, n),
                )
            })
            .transpose()?;
        report(1.0);
        return Ok(delivered);
    };
    // The bounded render: each chunk's video into the scratch directory, one after the
    // other (the bar advances by the chunks' frames), then the join.
    let n = ch.chunks.len();
    let total = ch.chunks.iter().map(|c| c.span.frames).sum::<u64>().max(1) as f64;
    let video_end = start + (1.0 - start) * (1.0 - JOIN_SHARE);
    let t = timings::stage("render: chunks' pictures");
    for (i, c) in ch.chunks.iter().enumerate() {
        std::fs::write(dir.join(chunks::chunk_graph_file(i)), fill(&c.graph))?;
        let (a, len) = (
            c.span.out_start_frame as f64 / total,
            c.span.frames as f64 / total,
        );
        let r = report.clone();
        run_ffmpeg(
            &args(&c.ffmpeg_args),
            &dir.join(chunks::chunk_file(i)),
            plan.format.frames_to_s(c.span.frames),
            opts,
            move |f| r(start + (video_end - start) * (a + len * f)),
        )
        .map_err(|e| chunk_error(e, i, n, &c.span))?;
    }
    drop(t);
    let _t = timings::stage("render: join and delivered measure");
    std::fs::write(
        dir.join(chunks::CHUNK_LIST),
        chunks::chunk_list(&ch.chunks, &plan.format),
    )?;
    std::fs::write(dir.join(chunks::JOIN_GRAPH_FILE), fill(&ch.join_graph))?;
    let r = report.clone();
    run_ffmpeg(
        &args(&ch.join_args),
        output,
        plan.output_duration_s,
        opts,
        move |f| r(video_end + (1.0 - video_end) * f),
    )
    .map_err(|e| naming_step(e, &format!("joining the {n} render chunks")))?;
    let delivered = norm
        .map(|nm| {
            deliver(
                plan,
                output,
                dir,
                opts,
                (nm, loudness_passes),
                make_up,
                |nm| {
                    // The join again with the new slot: the chunks' video copied, the
                    // sound processed and encoded once more.
                    let g = ch
                        .join_graph
                        .replace(SCRATCH, &escape_graph_path(&dir_arg))
                        .replace(MEASURED_PLACEHOLDER, &nm.filters());
                    std::fs::write(dir.join(chunks::JOIN_GRAPH_FILE), g)?;
                    run_ffmpeg(
                        &args(&ch.join_args),
                        output,
                        plan.output_duration_s,
                        opts,
                        |_| {},
                    )
                    .map_err(|e| naming_step(e, "encoding the sound again").into())
                },
            )
        })
        .transpose()?;
    report(1.0);
    Ok(delivered)
}

/// Graph script of the overlapped render's picture-only encode (scratch directory).
const VIDEO_GRAPH_FILE: &str = "video.txt";
/// The overlapped render's picture: H.264 alone, in MP4 (scratch directory).
const VIDEO_FILE: &str = "video.mp4";
/// The overlapped render's sound: AAC alone, in MP4 (scratch directory).
const SOUND_FILE: &str = "sound.m4a";
/// Share of the bar given to the overlapped render's picture encode; the mux (a copy of
/// both streams) has the rest.
const VIDEO_SHARE: f64 = 0.98;

/// A one-process plan's encode split in two processes that run at the same time: the
/// picture (the plan's video graph and x264 settings, no sound) and the sound (the kept
/// processed sound with the loudness slot filled, into AAC), muxed after with both
/// streams copied and `+faststart`.
///
/// Why: the sound's measuring pass, its check passes and the delivered sound's measure
/// each use one core for a fraction of a second, and before session 12 they ran before
/// and after the encode, while the x264 encode (the plain transcode the job is compared
/// with) keeps both cores busy. The picture does not depend on the loudness measure, so
/// its encode starts at once and the sound's passes hide behind it; what is left after the
/// encode is one stream copy. The streams are the same as the one-process encode's: the
/// same decoder, graph and x264 settings for the picture, and the same samples (the
/// kept PCM is 32-bit float, what the graph carried) through the same slot and AAC
/// encoder for the sound (`docs/BENCHMARKS.md`, "Session 12: job wall time").
#[derive(Debug, PartialEq)]
struct Overlapped {
    /// The plan's filtergraph up to `[vout]` (its video part).
    video_graph: String,
    /// The picture-only encode's arguments, with the `{scratch}` slot.
    video_args: Vec<String>,
}

impl Overlapped {
    /// The split of `plan`, or None when the plan is not one process with sound whose
    /// render graph ends in the kept sound's tail `p` (a chunked plan, a silent source, a
    /// graph of another shape): those render as before.
    fn plan(plan: &EditPlan, p: &ProcessedSound) -> Option<Self> {
        if plan.chunks.is_some() || !plan.audio.source_has_audio {
            return None;
        }
        let (video, sound) = plan.filtergraph.split_once("[vout];")?;
        // The render's sound must be what the kept sound gives through the slot: its
        // graph ends in the measuring graph's tail with the output format for the meter.
        if video.contains(MEASURED_PLACEHOLDER)
            || !sound.ends_with(&p.render_tail(MEASURED_PLACEHOLDER))
        {
            return None;
        }
        Some(Self {
            video_graph: format!("{video}[vout]"),
            video_args: picture_args(plan)?,
        })
    }
}

/// The picture-only encode's arguments, from the plan's own render command (so what the
/// plan prints, and a test's change to it, is what runs): the sound's input (the source
/// opened a second time, audio only: `planner::encode_args`), `-map [aout]` and the
/// sound's and container's output options taken out, the graph script and the output
/// replaced by the scratch directory's [`VIDEO_GRAPH_FILE`] and [`VIDEO_FILE`]. None when
/// the command is not of that shape.
fn picture_args(plan: &EditPlan) -> Option<Vec<String>> {
    let mut a = plan.ffmpeg_args.clone();
    let sound_input = source_input(plan);
    let at = a
        .windows(sound_input.len())
        .position(|w| w == sound_input.as_slice())?;
    a.drain(at..at + sound_input.len());
    // The picture's inputs left (one per `graph::picture_inputs` group since session 13),
    // each without its sound.
    let inputs = a.iter().filter(|x| *x == "-i").count();
    if inputs == 0 || a.iter().filter(|x| *x == "-an").count() != inputs {
        return None;
    }
    let graph = format!("{SCRATCH}/{GRAPH_FILE}");
    let mut out = Vec::with_capacity(a.len());
    let mut it = a.into_iter();
    while let Some(x) = it.next() {
        match x.as_str() {
            // The sound's and the container's options, with their values.
            "-c:a" | "-b:a" | "-ar" | "-ac" | "-movflags" => {
                it.next()?;
            }
            "-map" => {
                let v = it.next()?;
                if v != "[aout]" {
                    out.extend([x, v]);
                }
            }
            "{output}" => out.push(format!("{SCRATCH}/{VIDEO_FILE}")),
            _ if x == graph => out.push(format!("{SCRATCH}/{VIDEO_GRAPH_FILE}")),
            _ => out.push(x),
        }
    }
    let has = |k: &str, v: &str| out.windows(2).any(|w| w[0] == k && w[1] == v);
    (has("-map", "[vout]")
        && has(
            "-filter_complex_script",
            &format!("{SCRATCH}/{VIDEO_GRAPH_FILE}"),
        )
        && out.last().is_some_and(|l| l.ends_with(VIDEO_FILE)))
    .then_some(out)
}

/// Renders a one-process plan as [`Overlapped`]: on one thread the stabiliser's
/// analysis (when the plan has one) then the picture's encode; on this one the sound's
/// measuring pass (which keeps the processed sound), its check passes, its AAC encode
/// and the delivered sound's measure (with the sound-only re-encodes it may ask for);
/// then the mux into `output`. Each side runs with its own flag linked to `opts`'s: a
/// side that fails stops the other, and the caller's cancel stops both. Progress: the
/// picture's encode 0..[`VIDEO_SHARE`], the mux the rest.
#[allow(clippy::too_many_arguments)]
fn render_overlapped(
    plan: &EditPlan,
    o: &Overlapped,
    p: &ProcessedSound,
    measure_graph: &str,
    output: &Path,
    dir: &Path,
    opts: &RunOpts,
    report: impl Fn(f64) + Clone + Send + 'static,
) -> Result<Option<DeliveredAudio>, StyleError> {
    let dir_arg = dir.display().to_string();
    std::fs::write(
        dir.join(VIDEO_GRAPH_FILE),
        o.video_graph.replace(SCRATCH, &escape_graph_path(&dir_arg)),
    )?;
    let video_args: Vec<String> = o
        .video_args
        .iter()
        .map(|a| a.replace(SCRATCH, &dir_arg))
        .collect();
    let (video_file, sound_file) = (dir.join(VIDEO_FILE), dir.join(SOUND_FILE));
    let side = || opts.linked();
    let (vopts, aopts) = (side(), side());
    let (stop_video, stop_sound) = (vopts.cancel.clone(), aopts.cancel.clone());
    let (video_args, video_file, dir_arg) = (&video_args, &video_file, &dir_arg);
    let vreport = report.clone();
    let (video, sound) = std::thread::scope(|scope| {
        let video = scope.spawn(move || {
            let _t =
                timings::stage("render: picture side (thread: seek tries, stabiliser, encode)");
            let r = std::thread::scope(|inner| -> Result<(), StyleError> {
                // Picture inputs seek only to where the source decodes cleanly (`seeks`).
                // The tries run beside the stabiliser and the encode, which starts with
                // the plan's seeks: when a seek has to move (a false key frame, seldom),
                // that encode is stopped and the picture encoded again from the moved
                // seeks, so the tries never delay the common case.
                let tries = inner.spawn(|| -> Result<Vec<String>, StyleError> {
                    let mut a = video_args.clone();
                    seeks::clean_args(&mut [&mut a], &plan.source, &vopts)?;
                    Ok(a)
                });
                if let Some(dg) = &plan.stabilize_detect_graph {
                    let dg = dg.replace(SCRATCH, &escape_graph_path(dir_arg));
                    stabilize_detect(plan, &dg, dir, &vopts)?;
                }
                let encode = move |args: &[String], o: &RunOpts, r: Box<dyn Fn(f64) + Send>| {
                    run_ffmpeg(args, video_file, plan.output_duration_s, o, move |f| {
                        r(VIDEO_SHARE * f)
                    })
                    .map_err(|e| StyleError::from(naming_step(e, "encoding the picture")))
                };
                let first = vopts.linked();
                let stop_first = first.cancel.clone();
                let r = Box::new(vreport.clone());
                let first = inner.spawn(move || encode(video_args, &first, r));
                let cleaned = tries
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                if matches!(&cleaned, Ok(a) if a == video_args) {
                    return first
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                }
                stop_first.cancel();
                // Stopped (or failed): its partial file is removed; the moved seeks'
                // encode writes the file anew.
                let _ = first
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                encode(&cleaned?, &vopts, Box::new(vreport))
            });
            if r.is_err() {
                stop_sound.cancel();
            }
            r
        });
        let t = timings::stage("render: sound side (measure, checks, AAC, delivered measure)");
        let sound = overlapped_sound(plan, p, measure_graph, &sound_file, dir, &aopts);
        drop(t);
        if sound.is_err() {
            stop_video.cancel();
        }
        let video = video
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (video, sound)
    });
    let delivered = match (video, sound) {
        (Ok(()), Ok(d)) => d,
        // The side that failed first cancelled the other: its error is the one to report.
        (Err(StyleError::Media(MediaError::Cancelled)), Err(e)) | (Err(e), _) | (_, Err(e)) => {
            return Err(e)
        }
    };
    let mut args: Vec<String> = ["-i", &video_file.display().to_string()]
        .map(String::from)
        .to_vec();
    args.extend(["-i".to_string(), sound_file.display().to_string()]);
    args.extend(
        [
            "-map",
            "0:v",
            "-map",
            "1:a",
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
            &output.display().to_string(),
        ]
        .map(String::from),
    );
    let r = report.clone();
    let t = timings::stage("render: mux");
    run_ffmpeg(&args, output, plan.output_duration_s, opts, move |f| {
        r(VIDEO_SHARE + (1.0 - VIDEO_SHARE) * f)
    })
    .map_err(|e| naming_step(e, "muxing the picture and the sound"))?;
    drop(t);
    report(1.0);
    Ok(delivered)
}

/// The sound's side of [`render_overlapped`]: the first measuring pass from the source
/// (keeping the processed sound), the check passes when the limiter acts, the AAC encode
/// of the kept sound with the chosen normalisation into `out`, and, when the plan
/// normalises, the delivered measure of `out` (re-encoding it while its true peak is over
/// the ceiling, [`deliver`]). The same steps and numbers as the one-process render's.
fn overlapped_sound(
    plan: &EditPlan,
    p: &ProcessedSound,
    measure_graph: &str,
    out: &Path,
    dir: &Path,
    opts: &RunOpts,
) -> Result<Option<DeliveredAudio>, StyleError> {
    let input = source_input(plan);
    let t = timings::stage("render: sound: measuring pass");
    let log = measure(plan, measure_graph, &input, Some(p), dir, opts, 0.0, |_| {})?;
    drop(t);
    let first = parse_loudnorm(&log).ok_or_else(|| {
        StyleError::Unsupported(format!(
            "loudness measuring pass printed no loudnorm/ebur128 summary: {log}"
        ))
    })?;
    let checked = Checked::Kept(p);
    let (norm, loudness_passes) = match plan.audio.normalization(&first) {
        Some(n) if n.limit_dbfs.is_some() => {
            let (n, passes) = make_up_loudness(plan, &checked, dir, opts, n)?;
            (Some(n), passes)
        }
        n => (n, 0),
    };
    let slot = norm
        .as_ref()
        .map_or_else(|| "anull".to_string(), |n| n.filters());
    let t = timings::stage("render: sound: AAC encode");
    encode_sound(plan, p, &slot, out, dir, opts)?;
    drop(t);
    let _t = timings::stage("render: sound: delivered measure (and re-encodes)");
    norm.map(|n| {
        deliver(
            plan,
            out,
            dir,
            opts,
            (n, loudness_passes),
            |n| make_up_loudness(plan, &checked, dir, opts, n),
            |n| encode_sound(plan, p, &n.filters(), out, dir, opts),
        )
    })
    .transpose()
}

/// Encodes the kept sound `p` with `slot` in the loudness slot and the output format into
/// AAC (the plan's codec and rate), alone in an MP4 `out`.
fn encode_sound(
    plan: &EditPlan,
    p: &ProcessedSound,
    slot: &str,
    out: &Path,
    dir: &Path,
    opts: &RunOpts,
) -> Result<(), StyleError> {
    let script = dir.join("sound.txt");
    std::fs::write(&script, p.encode_graph(slot))?;
    let e = &plan.encoder;
    let mut args = p.input();
    args.extend(
        [
            "-filter_complex_script",
            &script.display().to_string(),
            "-map",
            "[aout]",
        ]
        .map(String::from),
    );
    args.extend(e.sound_args());
    args.extend(["-f".to_string(), "mp4".into(), out.display().to_string()]);
    run_ffmpeg(&args, out, plan.output_duration_s, opts, |_| {})
        .map_err(|e| naming_step(e, "encoding the sound"))?;
    Ok(())
}

/// What a loudness check pass reads.
enum Checked<'a> {
    /// The processed sound the first measuring pass kept: the slot and the loudness
    /// meter only.
    Kept(&'a ProcessedSound),
    /// The whole measuring graph from `input` again (a plan whose measuring graph has
    /// no slot before its measuring filters).
    Again { graph: &'a str, input: &'a [String] },
}

/// The check passes on the limited sound (at most [`MAX_LOUDNESS_PASSES`]): the
/// processed sound with candidate `n` in the loudness slot, its integrated loudness
/// measured, then the next candidate ([`Normalization::next`]) until one lands within
/// the tolerance or the limiter's cap is reached. Returns the normalisation to render
/// with and the passes run. A plan written before session 10 has no slot in its
/// measuring graph: nothing to check, `n` as it is.
fn make_up_loudness(
    plan: &EditPlan,
    checked: &Checked,
    dir: &Path,
    opts: &RunOpts,
    n: Normalization,
) -> Result<(Normalization, usize), StyleError> {
    let (Some(target), Some(loudness_meter)) =
        (plan.audio.target_lufs, plan.audio.loudness_meter())
    else {
        return Ok((n, 0));
    };
    if let Checked::Again { graph, .. } = checked {
        if !graph.contains(MEASURED_PLACEHOLDER) {
            return Ok((n, 0));
        }
    }
    let (mut cur, mut previous, mut passes) = (n, None, 0);
    while passes < MAX_LOUDNESS_PASSES {
        let log = match checked {
            Checked::Kept(p) => meter(
                &p.check_graph(&cur, &loudness_meter),
                &p.input(),
                dir,
                "check",
                opts,
            )?,
            Checked::Again { graph, input } => meter(
                &graph.replace(MEASURED_PLACEHOLDER, &cur.filters()),
                input,
                dir,
                "check",
                opts,
            )?,
        };
        passes += 1;
        let input_i = parse_integrated(&log).ok_or_else(|| {
            StyleError::Unsupported(format!(
                "loudness check pass printed no loudnorm summary: {log}"
            ))
        })?;
        match cur.next(input_i, target, n.gain_db, previous) {
            Some(next) => {
                previous = Some((cur, input_i));
                cur = next;
            }
            None => break,
        }
    }
    Ok((cur, passes))
}

/// Measures the encoded sound of `output` (decoded AAC: integrated loudness and true
/// peak) rendered with `n` after `loudness_passes` check passes; while its true peak is
/// over the plan's ceiling, lowers the limit by the excess
/// ([`Normalization::lowered`]), has `make_up` solve the gain again for it (the check
/// passes, [`make_up_loudness`]) and `reencode` write the sound again (at most
/// [`MAX_SOUND_REENCODES`] times). The encoder's overshoot is not known before the
/// encode (0.2 to 2.9 dB on transients, session 9), so it is measured, not predicted.
fn deliver(
    plan: &EditPlan,
    output: &Path,
    dir: &Path,
    opts: &RunOpts,
    (mut n, mut loudness_passes): (Normalization, usize),
    mut make_up: impl FnMut(Normalization) -> Result<(Normalization, usize), StyleError>,
    mut reencode: impl FnMut(&Normalization) -> Result<(), StyleError>,
) -> Result<DeliveredAudio, StyleError> {
    let ceiling = plan.audio.true_peak_dbtp;
    let filters = plan
        .audio
        .measure_filters()
        .ok_or_else(|| StyleError::Unsupported("no loudness target to verify".into()))?;
    let input: Vec<String> = ["-vn", "-sn", "-dn", "-i"]
        .iter()
        .map(|a| a.to_string())
        .chain([output.display().to_string()])
        .collect();
    let mut reencodes = 0;
    loop {
        let log = meter(
            &format!("[0:a]{filters}[aout]"),
            &input,
            dir,
            "delivered",
            opts,
        )?;
        let m = parse_loudnorm(&log).ok_or_else(|| {
            StyleError::Unsupported(format!(
                "measuring the delivered sound printed no loudnorm/ebur128 summary: {log}"
            ))
        })?;
        let delivered = DeliveredAudio {
            target_lufs: plan.audio.target_lufs.unwrap_or(m.input_i),
            integrated_lufs: m.input_i,
            true_peak_dbtp: m.input_tp,
            normalization: n,
            loudness_passes,
            sound_reencodes: reencodes,
        };
        if m.input_tp <= ceiling + TRUE_PEAK_ROUNDING_DB || reencodes == MAX_SOUND_REENCODES {
            return Ok(delivered);
        }
        // A lower limit takes loudness: the gain is solved again for it.
        let (next, passes) =
            make_up(n.lowered(m.input_tp, ceiling, plan.audio.limiter_limit_dbfs()))?;
        n = next;
        loudness_passes += passes;
        reencode(&n)?;
        reencodes += 1;
    }
}

/// Encodes the sound of a one-process render again with normalisation `n`: the processed
/// sound the first measuring pass kept (or, for a plan without the loudness slot, the
/// source's sound through the measuring graph's edit and chain) with `n` and the output
/// format (the measuring filters' place) into AAC, muxed with the picture of `output`
/// copied, into a file beside `output` that then replaces it (`+faststart` kept).
fn reencode_sound(
    plan: &EditPlan,
    output: &Path,
    processed: Option<&ProcessedSound>,
    dir: &Path,
    opts: &RunOpts,
    n: &Normalization,
) -> Result<(), StyleError> {
    let (graph, mut args) = match processed {
        Some(p) => (p.encode_graph(&n.filters()), p.input()),
        None => (source_sound_graph(plan, n)?, source_input(plan)),
    };
    let script = dir.join("sound.txt");
    std::fs::write(&script, graph)?;
    let tmp = hidden_sibling(output, "sound.tmp");
    let e = &plan.encoder;
    args.extend(["-i".to_string(), output.display().to_string()]);
    args.extend(
        [
            "-filter_complex_script",
            &script.display().to_string(),
            "-map",
            "1:v",
            "-map",
            "[aout]",
            "-c:v",
            "copy",
        ]
        .map(String::from),
    );
    args.extend(e.sound_args());
    args.extend(["-movflags", "+faststart", "-f", "mp4"].map(String::from));
    args.push(tmp.display().to_string());
    run_ffmpeg(&args, &tmp, plan.output_duration_s, opts, |_| {})
        .map_err(|e| naming_step(e, "encoding the sound again"))?;
    std::fs::rename(&tmp, output).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })?;
    Ok(())
}

/// The sound's graph of [`reencode_sound`] from the source: the measuring graph with its
/// measuring filters replaced by `n` and the output format.
fn source_sound_graph(plan: &EditPlan, n: &Normalization) -> Result<String, StyleError> {
    let (Some(graph), Some(meter)) = (&plan.audio_measure_graph, plan.audio.measure_filters())
    else {
        return Err(StyleError::Unsupported(
            "the plan has no loudness measuring graph to encode the sound from".into(),
        ));
    };
    if !graph.contains(&meter) {
        return Err(StyleError::Unsupported(
            "the plan's measuring graph does not end in its measuring filters".into(),
        ));
    }
    let graph = graph.replace(&meter, &format!("{},{}", n.filters(), OUTPUT_AUDIO_FORMAT));
    Ok(graph.replace(MEASURED_PLACEHOLDER, "anull"))
}

/// The output's sample format, rate and layout (the end of the render's loudness slot).
const OUTPUT_AUDIO_FORMAT: &str =
    "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo";

/// A failed chunk fails the render, naming the chunk (cancellation and time-outs pass
/// through unchanged).
fn chunk_error(e: MediaError, i: usize, n: usize, c: &chunks::ChunkSpan) -> MediaError {
    naming_step(
        e,
        &format!(
            "render chunk {} of {n}: segments {}-{}",
            i + 1,
            c.first,
            c.last
        ),
    )
}

/// A failed tool's error with the step of the render it ran (`ffmpeg (step)`), so the
/// job's error says which process failed; cancellation and time-outs pass through.
fn naming_step(e: MediaError, step: &str) -> MediaError {
    match e {
        MediaError::ToolFailed {
            tool,
            status,
            stderr_tail,
        } => MediaError::ToolFailed {
            tool: format!("{tool} ({step})"),
            status,
            stderr_tail,
        },
        e => e,
    }
}

/// Runs a chunked plan's audio chunks one after the other (each opens the source's sound
/// over its span and writes its edited sound into the scratch directory), then writes
/// their list for the concat demuxer. Progress: 0 .. half the measuring pass's share, by
/// the chunks' samples.
fn edit_audio_chunks(
    audio: &[chunks::AudioChunk],
    dir: &Path,
    dir_arg: &str,
    opts: &RunOpts,
    report: impl Fn(f64) + Clone + Send + 'static,
) -> Result<(), StyleError> {
    let n = audio.len();
    let total = audio.iter().map(|c| c.samples).sum::<u64>().max(1) as f64;
    let mut done = 0u64;
    for (i, c) in audio.iter().enumerate() {
        std::fs::write(dir.join(chunks::audio_graph_file(i)), &c.graph)?;
        let args: Vec<String> = c
            .ffmpeg_args
            .iter()
            .map(|a| a.replace(SCRATCH, dir_arg))
            .collect();
        let (a, len) = (done as f64 / total, c.samples as f64 / total);
        let r = report.clone();
        run_ffmpeg(
            &args,
            &dir.join(chunks::audio_file(i)),
            c.samples as f64 / 48_000.0,
            opts,
            move |f| r(MEASURE_SHARE / 2.0 * (a + len * f)),
        )
        .map_err(|e| naming_step(e, &format!("render audio chunk {} of {n}", i + 1)))?;
        done += c.samples;
    }
    std::fs::write(dir.join(chunks::AUDIO_LIST), chunks::audio_list(n))?;
    Ok(())
}

/// Input options and file of the measuring pass reading the source: up to the render's
/// own `-t` limit, and the demuxer drops video, subtitle and data packets, so nothing but
/// the audio is read past the container or decoded.
fn source_input(plan: &EditPlan) -> Vec<String> {
    // The render command's own sound input (`planner::encode_args`); since session 13
    // the picture's inputs before it carry their own, shorter `-t`.
    let mut a: Vec<String> = vec![
        "-t".into(),
        format!("{:.3}", super::planner::input_limit(&plan.segments)),
    ];
    a.extend(["-vn", "-sn", "-dn", "-i"].map(String::from));
    a.push(plan.source.display().to_string());
    a
}

/// Input options and file of a pass reading a concat demuxer list (the audio chunks).
fn concat_input(list: &Path) -> Vec<String> {
    let mut a: Vec<String> = ["-f", "concat", "-safe", "0", "-i"]
        .map(String::from)
        .to_vec();
    a.push(list.display().to_string());
    a
}

/// The audio-only pass: same trims, crossfades and processing as the render, then the
/// measuring filters ([`super::AudioPlan::measure_filters`]), reading `input` (the
/// source, or a chunked plan's audio chunks); with `keep`, it also writes the processed
/// sound ([`ProcessedSound`]). Progress from `from` to the end of the measuring pass's
/// share. Returns ffmpeg's log at `info` (loudnorm's JSON and the ebur128 summary).
#[allow(clippy::too_many_arguments)]
fn measure(
    plan: &EditPlan,
    graph: &str,
    input: &[String],
    keep: Option<&ProcessedSound>,
    dir: &Path,
    opts: &RunOpts,
    from: f64,
    report: impl Fn(f64) + Send + 'static,
) -> Result<String, StyleError> {
    // The first pass measures the sound before any gain.
    let graph = match keep {
        Some(k) => k.first_pass_graph(graph),
        None => graph.replace(MEASURED_PLACEHOLDER, "anull"),
    };
    let mut cmd = side_pass(
        &graph,
        &dir.join("measure.txt"),
        &["-progress", "pipe:1"],
        input,
        "[aout]",
    )?;
    if let Some(k) = keep {
        cmd.args(k.output_args());
    }
    // The whole log at `info` goes to a report file: loudnorm's JSON and the ebur128
    // summary together are about as long as the error tail `run` keeps.
    let report_file = dir.join("measure.log");
    cmd.env(
        "FFREPORT",
        format!(
            "file={}:level=32",
            escape_report_path(&report_file.display().to_string())
        ),
    );
    let total = plan.output_duration_s.max(1e-3);
    run_streamed(cmd, "ffmpeg", opts, move |line| {
        if let Some(us) = line
            .strip_prefix("out_time_us=")
            .and_then(|v| v.trim().parse::<i64>().ok())
        {
            report(from + (MEASURE_SHARE - from) * (us as f64 / 1e6 / total).clamp(0.0, 1.0));
        }
    })?;
    Ok(std::fs::read_to_string(&report_file)?)
}

/// A metering pass without progress (the loudness check passes, the delivered file's
/// measure): `graph` from `input` to the null muxer, its log at `info` through a report
/// file `{name}.log`, returned.
fn meter(
    graph: &str,
    input: &[String],
    dir: &Path,
    name: &str,
    opts: &RunOpts,
) -> Result<String, StyleError> {
    let mut cmd = side_pass(
        graph,
        &dir.join(format!("{name}.txt")),
        &[],
        input,
        "[aout]",
    )?;
    let report_file = dir.join(format!("{name}.log"));
    cmd.env(
        "FFREPORT",
        format!(
            "file={}:level=32",
            escape_report_path(&report_file.display().to_string())
        ),
    );
    run_streamed(cmd, "ffmpeg", opts, |_| {})?;
    Ok(std::fs::read_to_string(&report_file)?)
}

/// The stabiliser's analysis pass: decodes the source once more (video only) through the
/// stabilised segments' branches into `vidstabdetect`, which writes one motion file per
/// segment into the scratch directory for the render's `vidstabtransform`.
fn stabilize_detect(
    plan: &EditPlan,
    graph: &str,
    dir: &Path,
    opts: &RunOpts,
) -> Result<(), StyleError> {
    let mut input = source_input(plan);
    // The picture only: the same limit, audio instead of video dropped.
    let skip = input.iter().position(|a| a == "-vn").unwrap_or(0);
    input[skip] = "-an".into();
    let cmd = side_pass(graph, &dir.join("stabilize.txt"), &[], &input, "[vdet]")?;
    run_streamed(cmd, "ffmpeg", opts, |_| {})?;
    Ok(())
}

/// The ffmpeg command of a pass beside the render (the loudness measure, the stabiliser's
/// analysis): `graph` is written to `script`; `input` holds the input options and file,
/// and the graph's output `out` goes to the null muxer. `global` goes before the input.
fn side_pass(
    graph: &str,
    script: &Path,
    global: &[&str],
    input: &[String],
    out: &str,
) -> Result<Command, StyleError> {
    std::fs::write(script, graph)?;
    let mut cmd = Command::new(ffmpeg_bin());
    cmd.args(["-hide_banner", "-nostdin", "-nostats", "-v", "error"]);
    cmd.args(global);
    cmd.args(input);
    cmd.arg("-filter_complex_script").arg(script);
    cmd.args(["-map", out, "-f", "null", "-"]);
    Ok(cmd)
}

/// Escapes a file name for the `FFREPORT` variable: `%` is doubled (ffmpeg expands `%p`,
/// `%t` in the name), then a backslash goes before `\`, `'` and `:` (the value is a token of
/// `key=value` pairs split at `:`).
fn escape_report_path(p: &str) -> String {
    let mut s = String::new();
    for c in p.chars() {
        if matches!(c, '\\' | '\'' | ':') {
            s.push('\\');
        }
        s.push(c);
        if c == '%' {
            s.push('%');
        }
    }
    s
}

/// Writes `subs.srt` (cues re-timed onto the output timeline) into the scratch directory.
fn write_subtitles(
    plan: &EditPlan,
    src: &SubtitleSource,
    dir: &Path,
    opts: &RunOpts,
) -> Result<(), StyleError> {
    let text = match src {
        SubtitleSource::Sidecar { path } => std::fs::read_to_string(path)?,
        SubtitleSource::Stream { index } => {
            let extracted = dir.join("source.srt");
            let args: Vec<String> = vec![
                "-i".into(),
                plan.source.display().to_string(),
                "-map".into(),
                format!("0:s:{index}"),
                "-c:s".into(),
                "srt".into(),
                "-f".into(),
                "srt".into(),
                extracted.display().to_string(),
            ];
            run_ffmpeg(&args, &extracted, 1.0, opts, |_| {})?;
            std::fs::read_to_string(&extracted)?
        }
    };
    let cues = subs::retime(&subs::parse_srt(&text), &plan.segments);
    std::fs::write(dir.join(SUBS_FILE), subs::to_srt(&cues))?;
    Ok(())
}

/// True when both paths name one existing file (same device and inode on Unix; the same
/// canonical path elsewhere).
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        matches!(
            (std::fs::metadata(a), std::fs::metadata(b)),
            (Ok(x), Ok(y)) if (x.dev(), x.ino()) == (y.dev(), y.ino())
        )
    }
    #[cfg(not(unix))]
    {
        matches!(
            (std::fs::canonicalize(a), std::fs::canonicalize(b)),
            (Ok(x), Ok(y)) if x == y
        )
    }
}

/// Escapes a path for a filter option inside a filtergraph: first the option level
/// (`\ ' :`), then the graph level (`\ ' [ ] , ;`).
pub fn escape_graph_path(p: &str) -> String {
    let mut opt = String::new();
    for c in p.chars() {
        if matches!(c, '\\' | '\'' | ':') {
            opt.push('\\');
        }
        opt.push(c);
    }
    let mut g = String::new();
    for c in opt.chars() {
        if matches!(c, '\\' | '\'' | '[' | ']' | ',' | ';') {
            g.push('\\');
        }
        g.push(c);
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_file_is_found_under_another_spelling_or_a_hard_link() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.mp4");
        std::fs::write(&a, b"x").unwrap();
        let other = dir.path().join("b.mp4");
        std::fs::write(&other, b"x").unwrap();
        assert!(same_file(&a, &dir.path().join(".").join("a.mp4")));
        #[cfg(unix)]
        {
            let link = dir.path().join("link.mp4");
            std::fs::hard_link(&a, &link).unwrap();
            assert!(same_file(&a, &link));
        }
        assert!(!same_file(&a, &other));
        // An output that does not exist yet is never the source.
        assert!(!same_file(&a, &dir.path().join("new.mp4")));
    }

    #[test]
    fn escapes_both_levels() {
        assert_eq!(escape_graph_path("/tmp/a"), "/tmp/a");
        assert_eq!(escape_graph_path("/tmp/a:b"), "/tmp/a\\\\:b");
        assert_eq!(escape_graph_path("/tmp/x,y"), "/tmp/x\\,y");
    }

    #[test]
    fn escapes_the_report_file_name() {
        assert_eq!(
            escape_report_path("/tmp/a/measure.log"),
            "/tmp/a/measure.log"
        );
        assert_eq!(escape_report_path("/tmp/a:b/m.log"), "/tmp/a\\:b/m.log");
        assert_eq!(escape_report_path("/tmp/50%/it's"), "/tmp/50%%/it\\'s");
    }
}
