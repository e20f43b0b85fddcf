//! Builds an [`EditPlan`] from a source analysis, a StyleJSON and the job config.

use std::path::Path;

use stylecut_media::MediaInfo;
use stylecut_types::config::{ApplySwitches, JobConfig};
use stylecut_types::{Analysis, ColorGrade, KeyFrame, SaliencyPoint, StyleJson, TransitionStyle};

use super::chunks;
use super::edl::{self, Segment};
use super::format::{self, fps_fraction, OutputFormat};
use super::graph::{self, GraphInput, SCRATCH};
use super::lut::{self, LutSpec, LUT_SIZE};
use super::motion;
use super::pacing::{self, PacingInput, Piece};
use super::reframe;
use super::transitions::{self, PlannedTransition};
use super::{
    audio, EditPlan, Encoder, SourceColour, SubtitleSource, GRAPH_FILE, PICTURE_FILTER_THREADS,
};
use crate::StyleError;

/// Zoom of the alternate framing used on cuts inside one continuous shot.
pub const PUNCH_IN_ZOOM: f64 = 1.25;
/// Most distinct per-shot LUTs in one plan (beyond that, one global LUT).
const MAX_LUTS: usize = 8;

/// Plans the render of `source` in `style` (None: keep the source's own style; the
/// config's resolution, duration cap and quality still apply). A plan with more segments
/// than one render process may hold ([`chunks::segments_per_process`] for the source's
/// decoded picture, or [`chunks::CHUNK_ENV`]) renders in chunks.
pub fn plan(
    source_path: &Path,
    info: &MediaInfo,
    source: &Analysis,
    style: Option<&StyleJson>,
    cfg: &JobConfig,
) -> Result<EditPlan, StyleError> {
    let _t = stylecut_analysis::timings::stage("plan");
    plan_with(
        source_path,
        info,
        source,
        style,
        cfg,
        chunks::chunk_segments_override(),
    )
}

/// What pacing is told about `source` when it is cut to `style`'s rate: the source's
/// speech, pauses, motion, camera track and picture change; its beats only when it carries
/// music (beats and a tempo, or a music share of at least 0.2); the shortest piece from the
/// target rate (30 / cuts per minute, 0.3–1 s); the overlap of the style's transitions when
/// `sw.transitions` (cuts otherwise); the style's motion and zoom usage when `sw.motion`.
/// `frame_s` is one output frame in seconds (the plan's chosen frame rate).
pub fn pacing_input<'a>(
    source: &'a Analysis,
    style: &StyleJson,
    sw: ApplySwitches,
    frame_s: f64,
) -> PacingInput<'a> {
    let music =
        !source.beats.is_empty() && (source.tempo_bpm.is_some() || source.audio.music_ratio >= 0.2);
    let target = style.cut_frequency;
    PacingInput {
        speech: &source.speech_segments,
        pauses: &source.speech_pauses,
        beats: if music {
            source.beats.iter().map(|b| b.time_s).collect()
        } else {
            Vec::new()
        },
        motion: &source.motion,
        track: &source.camera_track,
        fps: source.frame_rate,
        min_len_s: if target > 0.0 {
            (30.0 / target).clamp(0.3, 1.0)
        } else {
            1.0
        },
        frame_s,
        join_overlap_s: if sw.transitions {
            let d = |t: &TransitionStyle| {
                transitions::xfade_name(&t.kind).map_or(0.0, |_| t.duration_ms as f64 / 1000.0)
            };
            let p = d(&style.primary_transition);
            [p, style.secondary_transition.as_ref().map_or(p, d)]
        } else {
            [0.0; 2]
        },
        target_motion: sw
            .motion
            .then_some((style.motion_intensity, style.zoom_usage)),
    }
}

/// [`plan`] with at most `chunk_segments` segments per render process (at least 2).
pub fn plan_chunked(
    source_path: &Path,
    info: &MediaInfo,
    source: &Analysis,
    style: Option<&StyleJson>,
    cfg: &JobConfig,
    chunk_segments: usize,
) -> Result<EditPlan, StyleError> {
    plan_with(source_path, info, source, style, cfg, Some(chunk_segments))
}

/// [`plan`] with at most `chunk_segments` segments per render process (None: as many as
/// the memory budget allows for the source's decoded picture).
fn plan_with(
    source_path: &Path,
    info: &MediaInfo,
    source: &Analysis,
    style: Option<&StyleJson>,
    cfg: &JobConfig,
    chunk_segments: Option<usize>,
) -> Result<EditPlan, StyleError> {
    let v = info
        .video
        .as_ref()
        .ok_or_else(|| StyleError::Unsupported("the source has no video stream".into()))?;
    let sw = cfg.apply;
    let mut notes = Vec::new();
    let src_fps = if v.avg_frame_rate > 0.0 {
        v.avg_frame_rate
    } else {
        source.frame_rate
    };
    // Snap in points to the source frame grid only for constant frame rate sources.
    let grid_fps = if (v.r_frame_rate - v.avg_frame_rate).abs() < 0.01 * v.r_frame_rate.max(1.0) {
        v.r_frame_rate
    } else {
        0.0
    };
    // The decoded frame the graph receives (the coded size, turned by the autorotation).
    let decoded = if v.rotation % 180 == 90 {
        (v.coded_height, v.coded_width)
    } else {
        (v.coded_width, v.coded_height)
    };
    // The picture the plan frames: the active picture inside any bars the analysis found.
    let picture = format::SourcePicture::new(
        (v.display_width, v.display_height),
        decoded,
        source.active_area.as_ref(),
    );
    let display = picture.display;
    let framing = style.filter(|_| sw.framing);
    let (fmt, base) = format::choose(
        display.0,
        display.1,
        fps_fraction(src_fps),
        framing.map(|s| s.aspect_ratio.as_str()),
        framing.map(|s| s.frame_rate),
        cfg,
    );
    notes.push(format!(
        "format: {}x{} at {}/{} fps, aspect {}{}",
        fmt.width,
        fmt.height,
        fmt.fps_num,
        fmt.fps_den,
        fmt.aspect,
        if fmt.letterbox {
            " (letterboxed)"
        } else if base.is_full() {
            ""
        } else if source.saliency.is_empty() {
            " (centred crop)"
        } else {
            " (crop following the action)"
        }
    ));
    if picture.crop.is_some() {
        notes.push(format!(
            "framing: the source's {} bars are cut off: the active picture ({}x{} of {}x{}) is \
             the frame",
            match (display.0 < v.display_width, display.1 < v.display_height) {
                (true, true) => "window-box",
                (true, false) => "pillarbox",
                _ => "letterbox",
            },
            display.0,
            display.1,
            v.display_width,
            v.display_height
        ));
    }
    let dur = if source.duration_s > 0.0 {
        source.duration_s
    } else {
        info.duration_s
    };
    let work_end = cfg
        .max_duration_seconds
        .map_or(dur, |m| dur.min(m * 2.0 + 5.0));
    let mut pieces = match style {
        Some(_) => pacing::from_shots(&source.shots, work_end),
        None => vec![Piece::new(0.0, work_end, 0)],
    };
    if let Some(st) = style.filter(|_| sw.pacing) {
        let target = st.cut_frequency;
        let inp = pacing_input(source, st, sw, 1.0 / fmt.fps());
        // Under a cap the kept span is decided first and paced on its own.
        let (p, n) = match cfg.max_duration_seconds {
            Some(m) => pacing::pace_capped(pieces, target, m, &inp),
            None => pacing::pace(pieces, target, &inp),
        };
        pieces = p;
        notes.extend(n);
    }
    let shot_ends: Vec<f64> = source.shots.iter().map(|s| s.end_s).collect();
    let mut segs = edl::quantize(&pieces, &fmt, grid_fps, base, &shot_ends);
    if segs.is_empty() {
        return Err(StyleError::Unsupported(
            "the source is too short to render".into(),
        ));
    }
    for s in segs.iter_mut().filter(|s| s.punch_in) {
        s.crop = base.zoomed(PUNCH_IN_ZOOM, base.cx, 0.45);
    }
    let mut trans = plan_transitions(&segs, style.filter(|_| sw.transitions), source, &fmt);
    if let Some(m) = cfg.max_duration_seconds {
        let max_frames = (m * fmt.fps() + 1e-6).floor() as u64;
        let cut = edl::total_frames(&segs, &trans) > max_frames;
        edl::cap(
            &mut segs,
            &mut trans,
            &fmt,
            max_frames,
            fmt.s_to_frames(0.5),
        );
        // Never end mid-word: move the end back to a boundary or a speech gap.
        if cut {
            notes.extend(edl::end_outside_speech(
                &mut segs,
                &mut trans,
                &fmt,
                &source.speech_segments,
                &source.speech_pauses,
                fmt.s_to_frames(0.5),
            ));
        }
    }
    if let Some(st) = style.filter(|_| sw.transitions) {
        transitions_at_splits(&mut segs, &mut trans, st, &fmt);
    }
    if !source.saliency.is_empty() {
        // Saliency is in fractions of the displayed frame, windows of the framed picture.
        let saliency: Vec<SaliencyPoint> = match picture.crop {
            None => source.saliency.clone(),
            Some(_) => source
                .saliency
                .iter()
                .map(|p| {
                    let (x, y) = picture.to_picture(p.x, p.y);
                    SaliencyPoint { t_s: p.t_s, x, y }
                })
                .collect(),
        };
        let (mut off_centre, mut moving) = (0, 0);
        for s in segs.iter_mut() {
            let (w, path) = reframe::track(s, &saliency, &fmt);
            off_centre += usize::from(w != s.crop);
            moving += usize::from(!path.is_empty());
            s.crop = w;
            s.crop_path = path;
        }
        if off_centre + moving > 0 {
            notes.push(format!(
                "framing: crop window follows the action ({off_centre} placed off the base position, {moving} moving)"
            ));
        }
    }
    if let Some(st) = style.filter(|_| sw.motion) {
        let mut spans: Vec<motion::SegmentSpan> = segs
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let dur_s = fmt.frames_to_s(s.frames);
                let (window_pan, window_tilt) = reframe::window_speed(s, dur_s);
                motion::SegmentSpan {
                    before_punch_in: segs
                        .get(i + 1)
                        .is_some_and(|n| n.punch_in && !s.punch_in && n.shot == s.shot),
                    frame_w: s.crop.w,
                    frame_h: s.crop.h,
                    window_pan,
                    window_tilt,
                    ..motion::SegmentSpan::new(s.src_in_s, s.src_out_s, dur_s)
                }
            })
            .collect();
        let src = motion::SourceMotion {
            shots: &source.motion,
            track: &source.camera_track,
            fps: source.frame_rate,
        };
        let holdable: Vec<bool> = segs.iter().map(reframe::can_hold).collect();
        let (held, n) = motion::hold_windows(&mut spans, &holdable, &src, st.motion_intensity);
        for i in held {
            reframe::hold(&mut segs[i]);
        }
        notes.extend(n);
        let (moves, n) = motion::assign(&spans, &src, st.zoom_usage, st.motion_intensity);
        for (s, m) in segs.iter_mut().zip(moves) {
            s.motion = m;
        }
        notes.extend(n);
    }
    let luts = match style.filter(|_| sw.color) {
        Some(st) => assign_luts(&mut segs, source, &st.color_grade, &mut notes),
        None => {
            if style.is_some() {
                notes.push(
                    "color: no colour change: the config turns colour off (apply.color: false)"
                        .to_string(),
                );
            }
            Vec::new()
        }
    };
    let subtitles = choose_subtitles(source_path, info, style, cfg, &mut notes);
    let (mut audio_plan, n) = audio::plan(
        style.map(|s| &s.audio_style),
        source,
        info.audio.is_some(),
        sw.audio,
    );
    audio_plan.source_audio_stream = info.audio.as_ref().map_or(0, |a| a.stream);
    notes.extend(n);
    let output_duration_s = edl::place(&mut segs, &trans, &fmt);
    let source_colour = SourceColour::from_probe(&v.colour);
    notes.push(
        if source_colour.to_sdr_bt709.is_some() && v.colour.wide_gamut() {
            format!(
                "colour: the source is SDR with wide-gamut primaries ({}); they are converted to \
             BT.709 in linear light (zscale) before any other filter, and the output is SDR \
             BT.709 limited range",
                v.colour.describe()
            )
        } else if source_colour.to_sdr_bt709.is_some() {
            format!(
                "colour: the source is HDR ({}); it is tone-mapped to BT.709 SDR (zscale) before \
             any other filter, and the output is SDR BT.709 limited range",
                v.colour.describe()
            )
        } else {
            format!(
                "colour: source {}, converted to the output's BT.709 limited range (tagged)",
                v.colour.describe()
            )
        },
    );
    let gi = GraphInput {
        fmt: &fmt,
        segments: &segs,
        transitions: &trans,
        luts: &luts,
        audio: &audio_plan,
        subtitles: subtitles.is_some(),
        src_display: display,
        src_frame: picture.frame,
        active_crop: picture.crop,
        colour: &source_colour,
        deinterlace: v.interlaced,
    };
    if v.interlaced {
        notes.push(format!(
            "format: interlaced source, deinterlaced first ({})",
            graph::DEINTERLACE
        ));
    }
    let agraph = graph::audio_graph(&gi);
    let filtergraph = format!("{};{}", graph::video_graph(&gi), agraph);
    let audio_measure_graph = graph::audio_measure_graph(&gi);
    let stabilize_detect_graph = graph::stabilize_detect_graph(&gi);
    let (preset, crf, abr) = cfg.quality.encoder_settings();
    let encoder = Encoder {
        video_codec: "libx264".into(),
        preset: preset.into(),
        crf,
        audio_codec: "aac".into(),
        audio_kbps: abr,
    };
    // The deinterlacer reads the frame before a group's first one: no key-frame starts.
    let key_frames: &[KeyFrame] = if v.interlaced {
        &[]
    } else {
        &source.key_frames
    };
    let ffmpeg_args = encode_args(
        source_path,
        &segs,
        key_frames,
        &encoder,
        audio_plan.source_has_audio,
    );
    notes.push(format!(
        "edit: {} segments, {} transitions, {:.3} s",
        segs.len(),
        trans.iter().filter(|t| t.frames > 0).count(),
        output_duration_s
    ));
    let chunks = chunks::chunked(
        &gi,
        &source_path.display().to_string(),
        info.audio.as_ref().map(|a| a.sample_rate),
        &encoder,
        chunk_segments.unwrap_or_else(|| {
            chunks::segments_per_process(decoded, v.pix_fmt.as_deref(), (fmt.width, fmt.height))
        }),
    );
    if let Some(c) = &chunks {
        notes.push(format!(
            "render: {} chunks of at most {} segments (one ffmpeg each for the picture{}), \
             joined with the video copied and the sound processed and encoded once",
            c.chunks.len(),
            c.segments_per_chunk,
            if c.audio_chunks.is_empty() {
                ""
            } else {
                " and one for the sound's edit, into PCM"
            }
        ));
    }
    Ok(EditPlan {
        output_duration_s,
        ffmpeg_args,
        notes,
        source: source_path.to_path_buf(),
        format: fmt,
        encoder,
        segments: segs,
        transitions: trans,
        luts,
        audio: audio_plan,
        subtitles,
        filtergraph,
        audio_measure_graph,
        stabilize_detect_graph,
        source_colour,
        chunks,
    })
}

/// The render command. The picture is read from one input per [`graph::picture_inputs`]
/// group, each the source opened over its segments' span only (`-ss`/`-t` before the
/// input, accurate seek; on the group's key frame when `key_frames` has one that no kept
/// frame precedes, [`graph::start_on_key_frames`]; `-copyts -start_at_zero` keeps every input on the source's own
/// time line, so the graph's trims are those of a single input from 0 and the frames are
/// the same, see `docs/APPLY.md`); with audio the source is opened once more, after them
/// ([`graph::render_audio_input`]), for the sound (its video dropped), over
/// [`input_limit`]. Each chain then pulls its own demuxer: from one input, ffmpeg decoded
/// both streams in file order, and while one chain waited (a transition's second segment
/// lies further on in the source) the other stream's decoded frames piled up: the render
/// of a 10-minute 1080p source held 3.3 GB when stopped at a sixth of it, still rising;
/// opened twice, the whole render peaked at 1.40 GB (what is left grows with the number of
/// segments: `docs/BENCHMARKS.md`, "Session 7: memory").
fn encode_args(
    src: &Path,
    segs: &[Segment],
    key_frames: &[KeyFrame],
    e: &Encoder,
    has_audio: bool,
) -> Vec<String> {
    let src = src.display().to_string();
    let mut a: Vec<String> = vec!["-copyts".into(), "-start_at_zero".into()];
    let mut inputs = graph::picture_inputs(segs);
    graph::start_on_key_frames(&mut inputs, segs, key_frames);
    for inp in inputs {
        if inp.start_s > 0.0 {
            // A key frame's time to the microsecond (`graph::start_on_key_frames`).
            let ss = if inp.on_key_frame {
                format!("{:.6}", inp.start_s)
            } else {
                format!("{:.3}", inp.start_s)
            };
            a.extend(["-ss".into(), ss]);
        }
        a.extend(["-t".into(), format!("{:.3}", inp.duration_s)]);
        if has_audio {
            a.extend(["-an", "-sn", "-dn"].map(String::from));
        }
        a.extend(["-i".into(), src.clone()]);
    }
    if has_audio {
        a.extend([
            "-t".into(),
            format!("{:.3}", input_limit(segs)),
            "-vn".into(),
            "-sn".into(),
            "-dn".into(),
        ]);
        a.extend(["-i".into(), src]);
    }
    a.extend(PICTURE_FILTER_THREADS.map(String::from));
    a.extend([
        "-filter_complex_script".into(),
        format!("{SCRATCH}/{GRAPH_FILE}"),
        "-map".into(),
        "[vout]".into(),
        "-map".into(),
        "[aout]".into(),
    ]);
    a.extend(e.video_args());
    a.extend(e.output_tail_args());
    a
}

/// Seconds of source the sound's input (and the side passes: loudness measure,
/// stabiliser) read from the start: 1 s past the last segment's out point.
pub(crate) fn input_limit(segs: &[Segment]) -> f64 {
    segs.iter().map(|s| s.src_out_s).fold(0.0, f64::max) + 1.0
}

fn plan_transitions(
    segs: &[Segment],
    style: Option<&StyleJson>,
    source: &Analysis,
    fmt: &OutputFormat,
) -> Vec<PlannedTransition> {
    let cut = TransitionStyle {
        kind: "cut".into(),
        duration_ms: 0,
        easing: "linear".into(),
    };
    (0..segs.len().saturating_sub(1))
        .map(|k| {
            // A split (the next segment continues this one's shot and sound) is a hard cut
            // here; `transitions_at_splits` gives it the template's transition once the
            // edit's length is final.
            if edl::continues(&segs[k], &segs[k + 1]) {
                return transitions::plan_join(k, &cut, fmt.fps(), 0, false);
            }
            let t = style.map_or(&cut, |st| {
                transitions::style_for_join(
                    k,
                    &st.primary_transition,
                    st.secondary_transition.as_ref(),
                )
            });
            let max = edl::max_transition_frames(&segs[k], &segs[k + 1]);
            // The crossfaded audio spans D before the out point and D after the in point.
            let d = fmt
                .frames_to_s(((t.duration_ms as f64 / 1000.0 * fmt.fps()).round() as u64).min(max));
            let overlaps = |a: f64, b: f64| {
                source
                    .speech_segments
                    .iter()
                    .any(|s| s.start_s < b && s.end_s > a)
            };
            let blocked = overlaps(segs[k].src_out_s - d, segs[k].src_out_s)
                || overlaps(segs[k + 1].src_in_s, segs[k + 1].src_in_s + d);
            transitions::plan_join(k, t, fmt.fps(), max, blocked)
        })
        .collect()
}

/// The template's transition at each split (a join inside one continuous shot, where the
/// framing changes) when its kind shows there ([`transitions::shows_at_split`]: a fade
/// through black, a zoom; a dissolve, wipe or slide stays a hard cut), crossing the same
/// moment at two framings: the next segment starts
/// the transition's length earlier in the source (its head repeats the previous segment's
/// last frames at its own framing, [`Segment::repeat_frames`]), so the output keeps its
/// length and the sound runs on unbroken (the crossfade mixes a sound with itself, and
/// its gains sum to one). Joined without the repeat, the two pieces would cross two
/// moments `d` apart: a double image of anything moving and the sound laid over itself.
/// Called after the cap (the edit's length does not change); joins are numbered as in
/// [`plan_transitions`], so the primary/secondary proportion holds.
fn transitions_at_splits(
    segs: &mut [Segment],
    trans: &mut [PlannedTransition],
    st: &StyleJson,
    fmt: &OutputFormat,
) {
    for k in 0..trans.len().min(segs.len().saturating_sub(1)) {
        if trans[k].frames > 0 || !edl::continues(&segs[k], &segs[k + 1]) {
            continue;
        }
        let t = transitions::style_for_join(
            k,
            &st.primary_transition,
            st.secondary_transition.as_ref(),
        );
        if !transitions::shows_at_split(&t.kind) {
            continue;
        }
        let max = edl::max_transition_frames(&segs[k], &segs[k + 1]);
        let p = transitions::plan_join(k, t, fmt.fps(), max, false);
        if p.frames == 0 {
            continue;
        }
        let d = fmt.frames_to_s(p.frames);
        let b = &mut segs[k + 1];
        b.src_in_s -= d;
        b.video_in_s -= d;
        b.frames += p.frames;
        b.repeat_frames = p.frames;
        trans[k] = p;
    }
}

/// Per-segment LUTs: each segment's source grade is its shot's measured grade averaged
/// with the whole-video grade (per-shot estimates are noisy; the average keeps shots
/// consistent without per-frame change), rounded to 0.1 and deduplicated.
fn assign_luts(
    segs: &mut [Segment],
    source: &Analysis,
    to: &ColorGrade,
    notes: &mut Vec<String>,
) -> Vec<LutSpec> {
    let global = source.color_grade;
    let from_for = |s: &Segment| -> ColorGrade {
        let mid = 0.5 * (s.src_in_s + s.src_out_s);
        let shot = source
            .color
            .iter()
            .find(|c| c.start_s <= mid && mid < c.end_s)
            .map(|c| c.grade);
        let g = shot.map_or(global.as_array(), |sg| {
            let (a, b) = (sg.as_array(), global.as_array());
            std::array::from_fn(|i| 0.5 * (a[i] + b[i]))
        });
        ColorGrade::from_array(g.map(|v| (v * 10.0).round() / 10.0)).clamped()
    };
    let mut froms: Vec<ColorGrade> = segs.iter().map(from_for).collect();
    let mut distinct: Vec<ColorGrade> = Vec::new();
    for f in &froms {
        if !distinct.contains(f) {
            distinct.push(*f);
        }
    }
    if distinct.len() > MAX_LUTS {
        froms = vec![global; segs.len()];
    }
    let mut luts: Vec<LutSpec> = Vec::new();
    for (s, f) in segs.iter_mut().zip(&froms) {
        let target = lut::transfer_target(f, to);
        if lut::is_identity(f, &target) {
            continue;
        }
        let idx = match luts.iter().position(|l| l.from == *f) {
            Some(i) => i,
            None => {
                luts.push(LutSpec {
                    size: LUT_SIZE,
                    from: *f,
                    to: target,
                });
                luts.len() - 1
            }
        };
        s.lut = Some(idx);
    }
    let graded = segs.iter().filter(|s| s.lut.is_some()).count();
    notes.push(lut_note(luts.len(), graded, segs.len()));
    luts
}

/// The plan's note on colour, in words: whether the picture's colours change, on how many
/// segments, and with how many look-up tables (`luts`, of `LUT_SIZE`³ points).
fn lut_note(luts: usize, graded: usize, segments: usize) -> String {
    if luts == 0 {
        return "color: no colour change: the source's colours are already close to the \
                template's look (within what differs between ordinary scenes), so they are \
                left as they are"
            .to_string();
    }
    let tables = if luts == 1 {
        "one look-up table".to_string()
    } else {
        format!("{luts} look-up tables")
    };
    format!(
        "color: {graded} of {segments} segment(s) re-graded towards the template's look \
         ({tables} of {LUT_SIZE}^3 points)"
    )
}

fn choose_subtitles(
    source_path: &Path,
    info: &MediaInfo,
    style: Option<&StyleJson>,
    cfg: &JobConfig,
    notes: &mut Vec<String>,
) -> Option<SubtitleSource> {
    if !style.is_some_and(|s| s.use_subtitles) || !cfg.apply.subtitles {
        return None;
    }
    let sidecar = source_path.with_extension("srt");
    if sidecar.is_file() {
        notes.push(format!("subtitles: burn in {}", sidecar.display()));
        return Some(SubtitleSource::Sidecar { path: sidecar });
    }
    if info.subtitle_streams > 0 {
        notes.push("subtitles: burn in the source's first subtitle stream".into());
        return Some(SubtitleSource::Stream { index: 0 });
    }
    notes.push("subtitles: the template uses subtitles but the source has none".into());
    None
}
