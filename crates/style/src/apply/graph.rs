//! The filtergraph: one branch per segment (trim → fps → exact length → crop → scale or
//! camera move → LUT), runs of hard cuts joined by `concat`, runs joined to each other by
//! `xfade` / `acrossfade` (eased joins retime the overlap so xfade's progress follows the
//! easing), then subtitles on the picture and the audio chain on the sound.
//!
//! Costly filters run on as few pixels as possible: `fps` drops or repeats frames before
//! any pixel work, `crop` is a pointer move, `scale` brings the picture to output size, and
//! the grade (the LUT's separable form, see [`super::lut`]) runs after it at output
//! resolution. File paths in the graph use the
//! `{scratch}` slot, which the render replaces with the escaped scratch directory.

use std::fmt::Write as _;

use super::audio::AudioPlan;
use super::chunks::ChunkSpan;
use super::edl::Segment;
use super::format::{CropWindow, OutputFormat};
use super::lut::LutSpec;
use super::motion::Motion;
use super::reframe::{path_expr, CropKey};
use super::transitions::PlannedTransition;
use super::SourceColour;
use stylecut_types::KeyFrame;

/// Placeholder for the render scratch directory inside the graph.
pub const SCRATCH: &str = "{scratch}";
/// File name of burned-in subtitles in the scratch directory.
pub const SUBS_FILE: &str = "subs.srt";

/// What the graph builder needs from the plan.
pub struct GraphInput<'a> {
    pub fmt: &'a OutputFormat,
    pub segments: &'a [Segment],
    pub transitions: &'a [PlannedTransition],
    pub luts: &'a [LutSpec],
    pub audio: &'a AudioPlan,
    pub subtitles: bool,
    /// Display size of the framed picture (letterbox fit): the source's, or its active
    /// picture's when bars are cut off (`active_crop`).
    pub src_display: (u32, u32),
    /// Size of the decoded frames each branch receives (the coded size, turned by the
    /// autorotation, after `active_crop`): a moving reframe window ([`moving_window`]) is
    /// placed in these pixels.
    pub src_frame: (u32, u32),
    /// The source's letterbox or pillarbox bars cut off at the head of the graph: width,
    /// height, left, top of the active picture in decoded pixels (None: no bars;
    /// `format::SourcePicture`).
    pub active_crop: Option<[u32; 4]>,
    /// The source's colour encoding (converted to BT.709 limited range in each branch).
    pub colour: &'a SourceColour,
    /// The source is interlaced: its fields are woven back into frames first ([`DEINTERLACE`]).
    pub deinterlace: bool,
}

/// Deinterlaces an interlaced source at the head of the graph, one frame per frame (the
/// output rate is set later by each branch's `fps`): `bwdif` (motion-adaptive, w3fdif
/// and yadif ideas combined), field order from the frames. Without it an interlaced
/// source's combing was scaled into the output (`idet` read 44 of 96 output frames as
/// interlaced on a true 25i clip).
pub const DEINTERLACE: &str = stylecut_media::decode::DEINTERLACE;

/// The filters every branch shares at the head of the graph: the deinterlacer, the crop
/// that cuts off the source's bars (whole pixels, a pointer move; after the deinterlacer,
/// which needs the whole field structure, and before the tone-map, which then converts
/// the picture only), then the HDR tone-map (None when none applies).
fn head(g: &GraphInput) -> Option<String> {
    let crop = g
        .active_crop
        .map(|[w, h, x, y]| format!("crop=w={w}:h={h}:x={x}:y={y}"));
    let parts: Vec<&str> = g
        .deinterlace
        .then_some(DEINTERLACE)
        .into_iter()
        .chain(crop.as_deref())
        .chain(g.colour.to_sdr_bt709.as_deref())
        .collect();
    (!parts.is_empty()).then(|| parts.join(","))
}

fn f6(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// Seconds of source the render's picture input opens before the first frame its
/// segments keep and after the last: the seek (`-ss` before the input, accurate, with
/// `-copyts -start_at_zero`) then never depends on timestamp rounding, and the graph's own
/// `trim` decides every frame, as in the single input it replaces. The decoder starts at
/// the key frame before the seek point whatever the margin.
/// 0.25 s holds a frame either side down to 4 fps, so the temporal deinterlacer at the head
/// of the graph sees each kept frame's neighbours, as it did.
pub const PICTURE_SEEK_MARGIN_S: f64 = 0.25;

/// A segment that starts at most this many seconds after the end of the previous one (in
/// output order, later in the source) shares its picture input: decoding a short gap on
/// the open decoder costs less than a new seek, which decodes from the key frame before
/// the segment (up to a whole GOP, often seconds). Jump cuts inside one shot stay on one
/// decoder.
pub const PICTURE_SHARE_GAP_S: f64 = 1.0;

/// One picture input of the render command: the source opened over the span of segments
/// `first..=last` only (see [`picture_inputs`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PictureInput {
    pub first: usize,
    pub last: usize,
    /// Seek point (`-ss`, seconds on the source's time line from its start), 0 for none.
    pub start_s: f64,
    /// Seconds read from `start_s` (`-t`).
    pub duration_s: f64,
    /// `start_s` is a key frame's exact time (microseconds), not a millisecond margin
    /// point: see [`start_on_key_frames`].
    pub on_key_frame: bool,
}

/// The render's picture inputs: consecutive segments (in output order) share one while
/// each starts in the source no earlier than the previous one and at most
/// [`PICTURE_SHARE_GAP_S`] after its end; every group opens the source over its own span
/// (with [`PICTURE_SEEK_MARGIN_S`] either side). Before session 13 the render decoded the
/// source once from 0 to 1 s past the last segment's end, the stretches the edit drops
/// included (the default benchmark job decoded 0–24 s to keep 2.0–11.8 and 15.7–23.0 s;
/// a 16 s edit of a 10-minute source decoded all ten minutes), and a segment taken from
/// earlier in the source than the one before it had its frames decoded, and held, first.
pub fn picture_inputs(segments: &[Segment]) -> Vec<PictureInput> {
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for (k, seg) in segments.iter().enumerate() {
        match groups.last_mut() {
            Some((_, last))
                if {
                    let prev = &segments[*last];
                    seg.video_in_s >= prev.video_in_s
                        && seg.video_in_s <= prev.video_out_s + PICTURE_SHARE_GAP_S
                } =>
            {
                *last = k
            }
            _ => groups.push((k, k)),
        }
    }
    groups
        .into_iter()
        .map(|(first, last)| {
            let part = &segments[first..=last];
            let lo = part
                .iter()
                .map(|s| s.video_in_s)
                .fold(f64::INFINITY, f64::min);
            let hi = part.iter().map(|s| s.video_out_s).fold(0.0, f64::max);
            // Millisecond steps, down at the start and up at the end: the arguments
            // print with 3 decimals and must not cut into the span.
            let start_s = ((lo - PICTURE_SEEK_MARGIN_S).max(0.0) * 1000.0).floor() / 1000.0;
            let end_s = ((hi + PICTURE_SEEK_MARGIN_S) * 1000.0).ceil() / 1000.0;
            PictureInput {
                first,
                last,
                start_s,
                duration_s: end_s - start_s,
                on_key_frame: false,
            }
        })
        .collect()
}

/// Seconds the frame before a key frame must lie before a group's first trim point for
/// the group's input to start on that key frame: the graph's `trim` prints its times with
/// 6 decimals and compares them in the stream's ticks, so a frame within a tenth of a
/// millisecond of the point is left to the margin.
const KEY_FRAME_CLEARANCE_S: f64 = 1e-4;

/// Moves each picture input to start on the latest key frame that no frame the group keeps
/// precedes, when that is later than the margin's seek point.
///
/// With the [`PICTURE_SEEK_MARGIN_S`] margin alone, a group whose first kept frame is a key
/// frame (shots start on cuts, where encoders put key frames) or lies just after one seeks
/// to a point before it, so the decoder starts at the key frame before that and decodes the
/// GOP in between for nothing: on the default benchmark job the second input sought
/// 15.409 s, landed on 11.8 s and decoded 3.9 s to reach the key frame at 15.67 s that is
/// its first kept frame. A key frame qualifies when the frame before it lies before the
/// group's first `trim` start (so it is that first frame or an earlier one); `key_frames`
/// come from the analysis decode, exact to the stream's time base. The seek is then `-ss`
/// at that time, which the demuxer's index finds and the accurate seek keeps (the frame is
/// not before the seek point); every frame the graph keeps is still decoded and its own
/// `trim` still decides them, so the frames are those of the margin seek
/// (`tests/seeked_inputs.rs`). When the demuxer cannot land there (an index without that
/// entry, or ffmpeg's earlier seek for streams with B-frames in formats that seek by
/// decode time) it lands on an earlier key frame: as slow as the margin, and as exact. Not
/// for sources the graph deinterlaces (the temporal deinterlacer reads the frame before
/// the first kept one); the planner passes no key frames then.
pub fn start_on_key_frames(
    inputs: &mut [PictureInput],
    segments: &[Segment],
    key_frames: &[KeyFrame],
) {
    for inp in inputs.iter_mut() {
        let lo = segments[inp.first..=inp.last]
            .iter()
            .map(|s| s.video_in_s)
            .fold(f64::INFINITY, f64::min);
        // The graph's trim point as it prints (`f6`).
        let lo = (lo * 1e6).round() / 1e6;
        let Some(k) = key_frames
            .iter()
            .filter(|k| k.prev_s.is_some_and(|p| p < lo - KEY_FRAME_CLEARANCE_S))
            .max_by(|a, b| a.pts_s.total_cmp(&b.pts_s))
        else {
            continue;
        };
        // Whole microseconds (what `-ss` reads), never after the key frame.
        let start_s = (k.pts_s * 1e6 + 1e-6).floor() / 1e6;
        if start_s <= inp.start_s {
            continue;
        }
        let end_s = inp.start_s + inp.duration_s;
        inp.start_s = start_s;
        // Up to the millisecond the argument prints with: never short of the old end.
        inp.duration_s = ((end_s - start_s) * 1000.0 - 1e-6).ceil() / 1000.0;
        inp.on_key_frame = true;
    }
}

/// Video part of the graph, from the picture inputs `[0:v]`, `[1:v]`, … (one per
/// [`picture_inputs`] group, each split into its segments' branches) to `[vout]`.
pub fn video_graph(g: &GraphInput) -> String {
    let mut s = String::new();
    let head = head(g);
    let head = head.as_deref();
    for (i, inp) in picture_inputs(g.segments).iter().enumerate() {
        let m = inp.last - inp.first + 1;
        if m == 1 {
            let _ = write!(s, "[{i}:v]{}[s{}];", head.unwrap_or("null"), inp.first);
        } else {
            let _ = match head {
                Some(h) => write!(s, "[{i}:v]{h},split={m}"),
                None => write!(s, "[{i}:v]split={m}"),
            };
            for k in inp.first..=inp.last {
                let _ = write!(s, "[s{k}]");
            }
            s.push(';');
        }
    }
    for (k, seg) in g.segments.iter().enumerate() {
        let _ = write!(s, "[s{k}]{}[v{k}];", video_branch(g, k, seg, false));
    }
    let joined = join(g, &mut s, 'v');
    if g.subtitles {
        let _ = write!(
            s,
            "[{joined}]subtitles=filename={SCRATCH}/{SUBS_FILE},format=yuv420p[vout]"
        );
    } else {
        let _ = write!(s, "[{joined}]null[vout]");
    }
    s
}

/// Video graph of one chunk of a chunked render (see [`super::chunks`]), from `[0:v]` (the
/// source opened over the chunk's span, timestamps as in the whole render: `-copyts
/// -start_at_zero`) to `[vout]`: the same branches as [`video_graph`] for segments
/// `c.first..=c.last` (labels keep the segment's index), the first one without its first
/// `c.skip_head` frames (the transition into it was rendered by the previous chunk), the
/// last one cut to its first `c.keep_tail` frames (the head the transition out of the
/// previous segment needs), joined as in the whole graph. Burned-in subtitles see the
/// frames at their time on the whole output (`setpts` by the chunk's first frame).
pub fn chunk_video_graph(g: &GraphInput, c: &ChunkSpan) -> String {
    let ks: Vec<usize> = (c.first..=c.last).collect();
    let m = ks.len();
    let mut s = String::new();
    // The whole graph's head (deinterlacer, tone-map): the chunk's input is the source
    // opened over the chunk's span with a second of margin, so a temporal deinterlacer
    // sees each kept frame's neighbours.
    let head = head(g);
    let head = head.as_deref();
    if m == 1 {
        let _ = write!(s, "[0:v]{}[s{}];", head.unwrap_or("null"), ks[0]);
    } else {
        let _ = match head {
            Some(h) => write!(s, "[0:v]{h},split={m}"),
            None => write!(s, "[0:v]split={m}"),
        };
        for &k in &ks {
            let _ = write!(s, "[s{k}]");
        }
        s.push(';');
    }
    let mut items = Vec::with_capacity(m);
    for &k in &ks {
        let seg = &g.segments[k];
        let mut frames = seg.frames;
        let mut extra = String::new();
        if k == c.first && c.skip_head > 0 {
            let _ = write!(
                extra,
                ",trim=start_frame={},setpts=PTS-STARTPTS",
                c.skip_head
            );
            frames -= c.skip_head;
        }
        if k == c.last {
            if let Some(t) = c.keep_tail {
                let _ = write!(extra, ",trim=end_frame={t}");
                frames = frames.min(t);
            }
        }
        let _ = write!(s, "[s{k}]{}{extra}[v{k}];", video_branch(g, k, seg, false));
        items.push((k, frames));
    }
    let joined = join_items(g.fmt, &items, &g.transitions[c.first..c.last], &mut s, 'v');
    if g.subtitles {
        let o = c.out_start_frame;
        let _ = write!(
            s,
            "[{joined}]setpts=PTS+{o},subtitles=filename={SCRATCH}/{SUBS_FILE},format=yuv420p,setpts=PTS-{o}[vout]"
        );
    } else {
        let _ = write!(s, "[{joined}]null[vout]");
    }
    s
}

/// Motion file `vidstabdetect` writes for segment `k` (in the scratch directory).
pub fn stab_file(k: usize) -> String {
    format!("{SCRATCH}/stab{k}.trf")
}

/// Graph of the stabiliser's analysis pass, when a segment is stabilised: each stabilised
/// segment's branch up to the picture at output size (the frames `vidstabtransform` will
/// see in the render), into `vidstabdetect` writing [`stab_file`]; the branches are
/// concatenated into `[vdet]` for one `-f null` run.
pub fn stabilize_detect_graph(g: &GraphInput) -> Option<String> {
    let ks: Vec<usize> = (0..g.segments.len())
        .filter(|&k| g.segments[k].motion == Motion::Stabilize)
        .collect();
    if ks.is_empty() {
        return None;
    }
    let mut s = match head(g).as_deref() {
        Some(h) => format!("[0:v]{h},split={}", ks.len()),
        None => format!("[0:v]split={}", ks.len()),
    };
    for j in 0..ks.len() {
        let _ = write!(s, "[d{j}]");
    }
    s.push(';');
    for (j, &k) in ks.iter().enumerate() {
        let _ = write!(
            s,
            "[d{j}]{}[e{j}];",
            video_branch(g, k, &g.segments[k], true)
        );
    }
    for j in 0..ks.len() {
        let _ = write!(s, "[e{j}]");
    }
    let _ = write!(s, "concat=n={}:v=1:a=0[vdet]", ks.len());
    Some(s)
}

/// The branch of segment `k`. `detect`: the stabiliser's analysis pass (stops after
/// `vidstabdetect`, see [`stabilize_detect_graph`]).
fn video_branch(g: &GraphInput, k: usize, seg: &Segment, detect: bool) -> String {
    let fmt = g.fmt;
    let (w, h) = (fmt.width, fmt.height);
    let mut f = vec![
        format!(
            "trim=start={}:end={}",
            f6(seg.video_in_s),
            f6(seg.video_out_s)
        ),
        // Time zero is the *audio* in point, not the first kept frame, so picture and sound
        // keep their source offset; fps then fills frame 0 onwards from there.
        format!("setpts=PTS-{}/TB", f6(seg.src_in_s)),
        format!("fps=fps={}/{}:start_time=0", fmt.fps_num, fmt.fps_den),
        // Quantisation may ask for a frame more than the window holds: repeat the last.
        "tpad=stop_mode=clone:stop=-1".into(),
        format!("trim=end_frame={}", seg.frames),
    ];
    let c = seg.crop;
    // The picture area: the whole frame, or the fitted source picture when letterboxing.
    let (pw, ph) = if fmt.letterbox {
        let (sw, sh) = g.src_display;
        let (cw, ch) = (f64::from(sw) * c.w, f64::from(sh) * c.h);
        let k = (f64::from(w) / cw.max(1.0)).min(f64::from(h) / ch.max(1.0));
        (even(cw * k).min(w), even(ch * k).min(h))
    } else {
        (w, h)
    };
    // Size the moving window is drawn at: what the camera move after it takes (see below).
    let (fw, fh) = g.src_frame;
    let target = match seg.motion {
        Motion::PushIn { .. } => (
            even(f64::from(fw) * c.w).min(fw & !1),
            even(f64::from(fh) * c.h).min(fh & !1),
        ),
        Motion::Pan { zoom, .. } => (even(f64::from(pw) * zoom), even(f64::from(ph) * zoom)),
        Motion::None | Motion::Stabilize => (pw, ph),
    };
    let moving = if c.is_full() {
        None
    } else {
        moving_window(&format!("rf{k}"), g.src_frame, &c, &seg.crop_path, target)
    };
    if let Some(mw) = &moving {
        f.push(mw.band.clone());
    } else if !c.is_full() {
        // A fixed window: one whole-pixel crop (the centre the tracker chose).
        f.push(format!(
            "crop=w=iw*{}:h=ih*{}:x=iw*{}:y=ih*{}",
            f6(c.w),
            f6(c.h),
            f6(c.cx - c.w / 2.0),
            f6(c.cy - c.h / 2.0),
        ));
    }
    // The working-space conversion (`SourceColour::to_working_space`) at `scale`, with
    // `cut` (whole-pixel crops and the `maskedmerge` blend, which commute with the
    // per-sample matrix conversion) before its `colorspace`, so that converts the kept
    // window only.
    let working = |scale: &str, cut: Vec<String>| -> Vec<String> {
        let mut ws = g.colour.to_working_space(scale);
        let at = ws
            .iter()
            .position(|f| f.starts_with("colorspace="))
            .unwrap_or(ws.len());
        ws.splice(at..at, cut);
        ws
    };
    let last = seg.frames.saturating_sub(1).max(1);
    // The first scale also brings the source's matrix and range to the working space
    // (BT.709, limited range, 8-bit 4:2:0), explicitly (`SourceColour::to_working_space`):
    // everything after it (the grade's Y'CbCr form and R'G'B' chain) is modelled there.
    // A moving window: its band scaled to `mw.scaled` and the window cut out of it at
    // sub-pixel positions, at the `target` size the move below takes.
    let (scaled, cut) = match moving {
        Some(mw) => (Some(mw.scaled), mw.cut),
        None => (None, Vec::new()),
    };
    match seg.motion {
        Motion::PushIn { zoom } => {
            // The push-in takes the picture at its own size, but the working-space
            // conversion needs even sides (`colorspace` refuses an odd size): an odd source (853×479)
            // or an odd crop of a 4:4:4 source (crop rounds to the chroma grid only) is
            // trimmed by its last column or row. Even sizes pass unchanged.
            let scale = scaled.map_or(
                "scale=w=trunc(iw/2)*2:h=trunc(ih/2)*2".into(),
                |(zw, zh)| format!("scale={zw}:{zh}"),
            );
            f.extend(working(&scale, cut));
            f.push(push_in_filters(zoom, last, pw, ph));
        }
        Motion::Pan {
            zoom,
            left_to_right,
        } => {
            let (zw, zh) = (even(f64::from(pw) * zoom), even(f64::from(ph) * zoom));
            // The window before the matrix conversion: `colorspace` (when the source's
            // matrix is not BT.709) then converts the kept window only, not the whole
            // upscaled picture (1.69× the pixels at zoom 1.3). The conversion is per
            // sample (Y from its co-sited chroma, no dither), so it commutes with the
            // window's whole-pixel crops; the sub-pixel blend rounds once before it.
            let mut cut = cut;
            cut.push(pan_crop(
                &format!("pan{k}"),
                zw,
                zh,
                pw,
                ph,
                left_to_right,
                last,
            ));
            let (sw, sh) = scaled.unwrap_or((zw, zh));
            f.extend(working(&format!("scale={sw}:{sh}"), cut));
        }
        Motion::None | Motion::Stabilize => {
            let (sw, sh) = scaled.unwrap_or((pw, ph));
            f.extend(working(&format!("scale={sw}:{sh}"), cut));
        }
    }
    if (pw, ph) != (w, h) {
        f.push(format!("pad={w}:{h}:(ow-iw)/2:(oh-ih)/2"));
    }
    if seg.motion == Motion::Stabilize {
        // Two passes (vid.stab): the motion measured by the analysis pass, smoothed over
        // ±10 frames, is compensated here; `optzoom=1` (default) zooms in just enough to
        // hide the moving borders, one fixed zoom per segment.
        if detect {
            f.push(format!("vidstabdetect=result={}", stab_file(k)));
            return f.join(",");
        }
        f.push(format!("vidstabtransform=input={}", stab_file(k)));
    }
    f.push("setsar=1".into());
    if let Some(l) = seg.lut.and_then(|i| g.luts.get(i)) {
        f.extend(l.filters());
    }
    f.push("format=yuv420p".into());
    f.join(",")
}

/// A push-in: the picture (at its own size) zoomed about its centre into `pw`×`ph`,
/// `z(n) = 1 + (zoom − 1)·n/last` on output frame `n` of the segment (`last` = its frames
/// − 1), by scaling the whole picture to `pw·z × ph·z` (`scale` evaluated per frame) and
/// keeping the centred `pw`×`ph` (`crop` at a per-frame corner). The scaled sides move in
/// steps of 4 px, so the corner `(S − pw)/2` is a whole even number: 4:2:0 `crop` rounds
/// an odd corner down to the chroma grid, and a corner that cannot sit at the centre
/// shifts the picture. The centre stays exact and the zoom is within 2 px of `pw·z`.
///
/// Until session 12 this was `zoompan` (window `iw/z` cut at whole source pixels, its
/// corner rounded down to even pixels, then scaled): on a test pattern its picture sat
/// up to 4.5 px from the exact zoom at 1280×720 → 1.5× and jumped by up to 3 px between
/// frames, a visible judder on a slow push-in that x264 also pays for (5 % more bits on
/// the BBB push-in). This form is within 0.74 px, never moves the centre, and costs about
/// the same (`docs/BENCHMARKS.md`, "Session 11: render speed").
pub fn push_in_filters(zoom: f64, last: u64, pw: u32, ph: u32) -> String {
    let last = last.max(1);
    // Half the growth of a side, in steps of 2 px: the corner of the centred window.
    let half = |side: u32| format!("2*round({side}*{}*n/{last}/4)", f6(zoom - 1.0));
    let (hx, hy) = (half(pw), half(ph));
    format!("scale=w='{pw}+2*{hx}':h='{ph}+2*{hy}':eval=frame,crop={pw}:{ph}:x='{hx}':y='{hy}'")
}

/// Sub-pixel steps of a moving crop window ([`moving_crop_x`]): its corner is placed to
/// 1/`CROP_STEPS` px. 4 puts the picture within 1/8 px of its path; 8 halves that for
/// ≈ 0.8 ms more filter CPU a 720p frame (measured with `mix`, the blend until session
/// 15: more instances to keep in step).
pub const CROP_STEPS: u32 = 4;

/// The pan's window: the source scaled to `zw × zh` (done before), the `pw × ph` window
/// moving at constant speed across it (`zw − pw` px over frames `0..=last`, vertically
/// centred), at sub-pixel positions ([`moving_crop_x`]).
///
/// Until session 14 this was one `crop` whose corner 4:2:0 rounds down to even pixels: a
/// pan of 0.43 px a frame (1280 px at zoom 1.05 over 5 s) stood still on 79 % of its
/// frames and jumped 2 px on the others, up to 1.5 px off its path
/// (`bench/pans/jitter.py`, docs/BENCHMARKS.md "Session 14: smooth pans and crop windows").
pub fn pan_crop(
    tag: &str,
    zw: u32,
    zh: u32,
    pw: u32,
    ph: u32,
    left_to_right: bool,
    last: u64,
) -> String {
    let last = last.max(1);
    let dz = zw.saturating_sub(pw);
    let x = if left_to_right {
        format!("{dz}*n/{last}")
    } else {
        format!("{dz}*(1-n/{last})")
    };
    // The row the whole-pixel crop used: the centred one, rounded down to the chroma grid.
    let y = (zh.saturating_sub(ph) / 2) & !1;
    moving_crop_x(tag, pw, ph, &x, y)
}

/// A `w × h` window of a 4:2:0 8-bit picture (the working space) at row `y` (even), its
/// left edge at `x(n)` input pixels, an ffmpeg expression of the frame number `n` that may
/// be fractional, drawn at 1/[`CROP_STEPS`] px: with `K = round(CROP_STEPS·x(n))`, the luma
/// is the whole-pixel crops at `⌊K/S⌋` and one pixel right mixed by `(K mod S)/S`, the
/// chroma (half the width) the even crops at `2⌊K/2S⌋` and two pixels right mixed by
/// `(K mod 2S)/2S`, so luma and chroma sit at the same `K/S` (bilinear in each plane).
/// `crop` alone rounds a 4:2:0 corner down to even pixels, so a slow move stood still and
/// jumped 2 px.
///
/// The mixing is `maskedmerge` (`b + (o − b)·m/255`, rounded; SIMD in ffmpeg) with a
/// constant mask of `m = 256·weight` in the planes it mixes, one instance per
/// weight, switched on by timeline `enable` on the frames that need it (the others pass
/// their first input through untouched): the choice is made from the frame number by the
/// filter itself, not by `sendcmd`, whose commands could reach the filter a frame early or
/// late. Each mask is one frame of a `color` source (made once, [`mask_source`]) that
/// maskedmerge's frame sync repeats for every later frame. Until session 15 the mixing was
/// `mix` (`weights`, per-pixel float arithmetic in C): ≈ 2.2 ms of CPU a 720p frame more
/// than the whole-pixel crop; with `maskedmerge` ≈ 0.6 ms (docs/BENCHMARKS.md "Session
/// 15: render speed"). Its weights are `m/255` (0.251 for ¼) and its ties round towards
/// the overlay: on a dot pattern the picture is within 0.144 px of its path (`mix`: 0.128)
/// and its codes differ from `mix`'s by at most one at the blend. One instance works on
/// each frame's luma and one on its chroma. `tag` makes the graph's link labels unique (one per
/// segment).
///
/// Every crop stays inside the picture while `0 ≤ x(n) ≤ iw − w` and `iw − w` is even;
/// at the far edge the pixels to the right are weighted 0.
pub fn moving_crop_x(tag: &str, w: u32, h: u32, x: &str, y: u32) -> String {
    let s = CROP_STEPS;
    let k = format!("round({s}*({x}))");
    let mut g = String::new();
    let _ = write!(
        g,
        "split=3[{tag}a][{tag}b][{tag}c];\
         [{tag}a]crop={w}:{h}:x='floor({k}/{s})':y={y}:exact=1[{tag}l0];\
         [{tag}b]crop={w}:{h}:x='floor({k}/{s})+1':y={y}:exact=1,split={}",
        s - 1
    );
    for i in 1..s {
        let _ = write!(g, "[{tag}b{i}]");
    }
    let _ = write!(
        g,
        ";[{tag}c]crop={w}:{h}:x='2*floor({k}/{})+2':y={y},split={}",
        2 * s,
        2 * s - 1
    );
    for j in 1..2 * s {
        let _ = write!(g, "[{tag}c{j}]");
    }
    g.push(';');
    // Mask `j` (1 ≤ j < 2S) carries the chroma weight j/2S and, for j < S, the luma
    // weight j/S: the luma instance `i` and the chroma instance `j = i` share it.
    // `m = 256·weight` (≥ 255·weight, `maskedmerge` divides by 255): a value halfway
    // between two codes goes towards the overlay on rising and falling edges alike, which
    // kept the picture closest to its path on `bench/pans/jitter.py` (0.144 px, jumps
    // 0.191 px; `round(255·w)` 0.144 px with jumps of 0.214 px, `floor` 0.151 px).
    let weight = |num: u32, den: u32| 256 * num / den;
    for j in 1..2 * s {
        let luma = if j < s { weight(j, s) } else { 0 };
        g.push_str(&mask_source(w, h, luma, weight(j, 2 * s)));
        if j < s {
            let _ = write!(g, ",split=2[{tag}k{j}][{tag}q{j}];");
        } else {
            let _ = write!(g, "[{tag}q{j}];");
        }
    }
    let mut cur = format!("{tag}l0");
    for i in 1..s {
        let next = format!("{tag}l{i}");
        let _ = write!(
            g,
            "[{cur}][{tag}b{i}][{tag}k{i}]maskedmerge=planes=1:enable='eq(mod({k},{s}),{i})'[{next}];",
        );
        cur = next;
    }
    for j in 1..2 * s {
        let _ = write!(
            g,
            "[{cur}][{tag}c{j}][{tag}q{j}]maskedmerge=planes=6:enable='eq(mod({k},{}),{j})'",
            2 * s
        );
        if j + 1 < 2 * s {
            let next = format!("{tag}m{j}");
            let _ = write!(g, "[{next}];");
            cur = next;
        }
    }
    g
}

/// One constant `w × h` 4:2:0 frame with luma `luma` and both chroma planes `chroma`
/// (a `maskedmerge` mask, [`moving_crop_x`]): one frame of `color`, set by `lutyuv` once.
/// maskedmerge's frame sync holds an input's last frame for the later frames of the
/// others, so one frame serves the whole segment (a mask at every frame would be one more
/// synced input per frame; a frame of masks costs 1.4 MB at 720p, made once).
fn mask_source(w: u32, h: u32, luma: u32, chroma: u32) -> String {
    format!("color=c=black:s={w}x{h}:r=1:d=1,format=yuv420p,lutyuv=y={luma}:u={chroma}:v={chroma}")
}

/// A reframe window that moves (see [`super::reframe`]), drawn at sub-pixel positions.
///
/// Until session 15 the window was one `crop` of the decoded picture at
/// `iw·(cx(n) − w/2)`, whose 4:2:0 corner rounds down to even pixels: a window sliding
/// 0.4 px a frame stood still on 80 % of its frames and jumped 2 px, 1.5 px off its path
/// (docs/BENCHMARKS.md, "Session 15: smooth reframe window"). Now, per axis that moves:
///
/// 1. `band`: a whole-pixel crop of the decoded picture (its own format, corner on a
///    multiple of 4 px so no chroma grid rounds it) a few pixels wider than the window and
///    holding it on every frame: only the pixels near the window reach the scaler, as
///    with the single crop;
/// 2. the band is scaled to `scaled` (with the working-space conversion, by the caller),
///    chosen so the window is exactly `target` pixels there; the window's offset inside
///    the scaled band is a per-frame expression;
/// 3. `cut`: the window cut out of the scaled band at 1/[`CROP_STEPS`] px by
///    [`moving_crop_x`]; a vertical move is the same cut between two `transpose`s.
///
/// The path is the segment's `crop_path` (frame, centre) keys, piecewise linear in the
/// branch's frame number `n` as before ([`path_expr`]); chunked renders draw each chunk's
/// frames from the same `n` (they trim after the branch), so a window crossing a chunk
/// boundary continues its path. None when no axis moves (a fixed crop suffices).
pub struct MovingWindow {
    /// The whole-pixel band of the decoded picture (a `crop` filter, source format).
    pub band: String,
    /// Size the band is scaled to in the working space (4:2:0 8-bit).
    pub scaled: (u32, u32),
    /// Filters cutting the `target`-sized window out of the scaled band.
    pub cut: Vec<String>,
}

/// See [`MovingWindow`]. `frame`: the decoded picture's size; `crop`: the window (its
/// size, and its centre when an axis does not move); `path`: the centre's keys;
/// `target`: the window's size after the cut (even sides). `tag` makes link labels unique.
pub fn moving_window(
    tag: &str,
    frame: (u32, u32),
    crop: &CropWindow,
    path: &[CropKey],
    target: (u32, u32),
) -> Option<MovingWindow> {
    let xs: Vec<(u64, f64)> = path.iter().map(|k| (k.frame, k.cx)).collect();
    let ys: Vec<(u64, f64)> = path.iter().map(|k| (k.frame, k.cy)).collect();
    let ax = window_axis(frame.0, crop.w, crop.cx, &xs, target.0);
    let ay = window_axis(frame.1, crop.h, crop.cy, &ys, target.1);
    if ax.offset.is_none() && ay.offset.is_none() {
        return None;
    }
    let band = format!(
        "crop=w={}:h={}:x='{}':y='{}'",
        ax.band, ay.band, ax.pos, ay.pos
    );
    let mut cut = Vec::new();
    if let Some(x) = &ax.offset {
        cut.push(moving_crop_x(&format!("{tag}x"), target.0, ay.scaled, x, 0));
    }
    if let Some(y) = &ay.offset {
        // Rows become columns: the same horizontal cut, then back.
        cut.push("transpose".into());
        cut.push(moving_crop_x(&format!("{tag}y"), target.1, target.0, y, 0));
        cut.push("transpose".into());
    }
    Some(MovingWindow {
        band,
        scaled: (ax.scaled, ay.scaled),
        cut,
    })
}

/// One axis of a [`MovingWindow`].
struct WindowAxis {
    /// Band size, decoded pixels.
    band: u32,
    /// Band corner: a number, or an expression of `n`.
    pos: String,
    /// Size the band is scaled to.
    scaled: u32,
    /// The window's offset in the scaled band (expression of `n`), None for a fixed axis.
    offset: Option<String>,
}

/// Grid of a moving band's corner, decoded pixels: a multiple of every chroma
/// subsampling's step (4:1:1 and 4:1:0 have 4), so `crop` never rounds it.
const BAND_GRID: u32 = 4;

/// An axis of `full` pixels, window `frac` of it, centre `centre` when still or the
/// `(frame, centre)` keys, drawn at `target` pixels.
fn window_axis(full: u32, frac: f64, centre: f64, keys: &[(u64, f64)], target: u32) -> WindowAxis {
    let top = full & !1;
    let exact = f64::from(full) * frac;
    let moves = keys.len() >= 2 && keys.iter().any(|k| (k.1 - keys[0].1).abs() > 1e-9);
    if !moves {
        // The fixed window of the whole-pixel crop: even size and corner, scaled whole.
        let band = ((exact as u32) & !1).clamp(2, top.max(2));
        let at = centre - frac / 2.0;
        let pos = ((f64::from(full) * at).max(0.0) as u32 & !1).min(full.saturating_sub(band) & !1);
        return WindowAxis {
            band,
            pos: pos.to_string(),
            scaled: target,
            offset: None,
        };
    }
    // The band holds the window wherever its corner falls between two grid points: at
    // least BAND_GRID px more than the window (in the band's own scale), or the whole
    // frame. Its scaled size is a whole number (of the target's parity, so the cut's
    // margin is even for 4:2:0 chroma), so the window it holds at `target` px is
    // `target·band/scaled` decoded px, which the nearest band is often 0.5–1 px off. The
    // band is the first of the next 32 sizes (that end on the frame's edge when its
    // corner is on the grid) whose window is at most 0.25 px under the
    // exact one (else the nearest under it): the window's centre then follows the path
    // exactly, also against the frame's edge, and its scale is within 0.25 px over the
    // window (1080p → 9:16: band 630 px for a 607.5 px window).
    let size = |band: u32| {
        let extra = f64::from(band) * f64::from(target) / exact - f64::from(target);
        let scaled = target + 2 * (extra / 2.0).round().max(0.0) as u32;
        (
            band,
            scaled,
            f64::from(target) * f64::from(band) / f64::from(scaled),
        )
    };
    // Sizes that end on the frame's (even) edge when the corner is on the grid.
    let first = 2 * (exact / 2.0).ceil() as u32 + BAND_GRID + 2;
    let first = (first + (top.saturating_sub(first)) % BAND_GRID).min(top);
    let fits: Vec<(u32, u32, f64)> = (0..32)
        .map(|i| first + BAND_GRID * i)
        .take_while(|&b| b <= top)
        .map(size)
        .filter(|&(b, _, win)| win <= exact + 1e-9 && f64::from(b) - win >= f64::from(BAND_GRID))
        .collect();
    let (band, scaled, win) = fits
        .iter()
        .find(|c| exact - c.2 <= 0.25)
        .or_else(|| fits.iter().min_by(|a, b| b.2.total_cmp(&a.2)))
        .copied()
        .unwrap_or_else(|| size(top));
    let max_pos = top - band;
    // Window corner in decoded pixels (inside the frame), kept in register 0, and the
    // band's corner on the grid at or before it.
    let corner = format!(
        "st(0,clip({full}*({})-{},0,{}))",
        path_expr(keys, f6),
        f6(win / 2.0),
        f6(f64::from(full) - win)
    );
    let g = BAND_GRID;
    let pos = format!("clip({g}*floor(ld(0)/{g}),0,{max_pos})");
    WindowAxis {
        band,
        pos: format!("{corner};{pos}"),
        scaled,
        offset: Some(format!(
            "{corner};clip((ld(0)-{pos})*{},0,{})",
            f6(f64::from(scaled) / f64::from(band)),
            scaled - target
        )),
    }
}

fn even(v: f64) -> u32 {
    ((v / 2.0).round() as u32).max(1) * 2
}

/// Joins the branch outputs `[v0]…` (or `[a0]…`): runs of cuts through concat, runs through
/// xfade/acrossfade. Returns the label of the joined stream.
fn join(g: &GraphInput, s: &mut String, kind: char) -> String {
    let items: Vec<(usize, u64)> = g
        .segments
        .iter()
        .enumerate()
        .map(|(k, seg)| (k, seg.frames))
        .collect();
    let n = items.len();
    join_items(g.fmt, &items, &g.transitions[..n - 1], s, kind)
}

/// [`join`] over `items` (branch index, frames its branch delivers): `trans[i]` sits
/// between `items[i]` and `items[i + 1]`. The labels of the runs and joins are local to
/// the graph being written (`r…`, `x…`).
fn join_items(
    fmt: &OutputFormat,
    items: &[(usize, u64)],
    trans: &[PlannedTransition],
    s: &mut String,
    kind: char,
) -> String {
    let n = items.len();
    let mut runs: Vec<(String, u64)> = Vec::new();
    let mut run: Vec<usize> = vec![0];
    let mut run_ends: Vec<usize> = Vec::new();
    for k in 0..n {
        // The last item, or a join that is a transition.
        let boundary = trans.get(k).is_none_or(|t| t.frames > 0);
        if boundary {
            let label = format!("r{kind}{}", runs.len());
            let frames: u64 = run.iter().map(|&i| items[i].1).sum();
            if run.len() == 1 {
                let filt = if kind == 'v' { "null" } else { "anull" };
                let _ = write!(s, "[{kind}{}]{filt}[{label}];", items[run[0]].0);
            } else {
                for &i in &run {
                    let _ = write!(s, "[{kind}{}]", items[i].0);
                }
                // concat outputs in microseconds; xfade needs both inputs in 1/fps.
                let (v, a, tb) = if kind == 'v' {
                    (1, 0, format!(",settb={}/{}", fmt.fps_den, fmt.fps_num))
                } else {
                    (0, 1, String::new())
                };
                let _ = write!(s, "concat=n={}:v={v}:a={a}{tb}[{label}];", run.len());
            }
            runs.push((label, frames));
            run_ends.push(k);
            run = vec![k + 1];
        } else {
            run.push(k + 1);
        }
    }
    let (mut cur, mut cur_frames) = runs[0].clone();
    for (r, (label, frames)) in runs.iter().enumerate().skip(1) {
        let t = &trans[run_ends[r - 1]];
        let out = format!("x{kind}{r}");
        if kind == 'v' {
            // Only the overlap goes through xfade: ffmpeg 5.1's xfade takes no 4:2:0
            // picture, so every frame it passes is converted to 4:4:4 and back (the
            // whole output, before session 11: ≈ 1.5 ms of CPU a 720p frame, and the
            // chroma softened by the round trip). A's last `d` frames and B's first `d`
            // are cut out (`split`, `trim`), crossed from offset 0 (the same frame pairs
            // at the same progress) and put back between the rest by concat.
            let (o, d) = (cur_frames - t.frames, t.frames);
            let (num, den) = (fmt.fps_num, fmt.fps_den);
            let tr = format!("transition={}", t.xfade.as_deref().unwrap_or("fade"));
            let xf = format!(
                "xfade={tr}:duration={}:offset=0",
                f6(fmt.frames_to_s(t.frames))
            );
            let mut pieces = Vec::new();
            if o > 0 {
                let _ = write!(
                    s,
                    "[{cur}]split[{out}a0][{out}a1];[{out}a0]trim=end_frame={o}[{out}ah];\
                     [{out}a1]trim=start_frame={o},setpts=PTS-STARTPTS[{out}at];"
                );
                pieces.push(format!("[{out}ah]"));
            } else {
                let _ = write!(s, "[{cur}]null[{out}at];");
            }
            let rest = *frames > d;
            if rest {
                let _ = write!(
                    s,
                    "[{label}]split[{out}b0][{out}b1];[{out}b0]trim=end_frame={d}[{out}bh];\
                     [{out}b1]trim=start_frame={d},setpts=PTS-STARTPTS[{out}br];"
                );
            } else {
                let _ = write!(s, "[{label}]null[{out}bh];");
            }
            match easing_expr(&t.easing) {
                None => {
                    let _ = write!(s, "[{out}at][{out}bh]{xf},format=yuv420p[{out}x];");
                }
                Some(e) => {
                    // xfade's progress follows the first input's timestamps: retime A's
                    // overlap frames to d·E(p) on a 1000× finer time base (exact
                    // integers), pair them with B's frames as usual, then put the crossed
                    // frames back on the 1/fps grid (frame n at pts n).
                    let fine = format!("settb={den}/{}", u64::from(num) * 1000);
                    let p = format!("clip(N/{d},0,1)");
                    let _ = write!(
                        s,
                        "[{out}at]{fine},setpts='round(1000*{d}*{})'[{out}e];\
                         [{out}bh]{fine}[{out}f];\
                         [{out}e][{out}f]{xf},settb={den}/{num},setpts=N,format=yuv420p[{out}x];",
                        e.replace('p', &p)
                    );
                }
            }
            pieces.push(format!("[{out}x]"));
            if rest {
                pieces.push(format!("[{out}br]"));
            }
            let _ = write!(
                s,
                "{}concat=n={}:v=1:a=0,settb={den}/{num}[{out}];",
                pieces.concat(),
                pieces.len()
            );
        } else {
            let (c1, c2) = audio_curves(&t.easing);
            let _ = write!(
                s,
                "[{cur}][{label}]acrossfade=ns={}:c1={c1}:c2={c2}[{out}];",
                fmt.frames_to_samples(t.frames)
            );
        }
        cur = out;
        cur_frames = cur_frames + frames - t.frames;
    }
    cur
}

/// `acrossfade` curves (outgoing, incoming) that give the sound the picture's mix: the
/// incoming gain follows the eased share E(p) and the outgoing gain is 1 − E(p), so the
/// gains always sum to one, like the picture's blend. acrossfade evaluates `c1` on the
/// reversed progress: ease-in `qua` (p²) against `ipar` (1 − (1 − q)²), ease-out the
/// mirror, ease-in-out `hsin` ((1 − cos πp)/2, within 0.011 of the picture's smoothstep)
/// on both; linear `tri`.
pub fn audio_curves(easing: &str) -> (&'static str, &'static str) {
    match easing {
        "ease-in" => ("ipar", "qua"),
        "ease-out" => ("qua", "ipar"),
        "ease-in-out" => ("hsin", "hsin"),
        _ => ("tri", "tri"),
    }
}

/// The eased share of the transition as an ffmpeg expression of the linear progress `p`
/// (None for linear): ease-in `p²`, ease-out `p(2−p)`, ease-in-out `p²(3−2p)`.
pub fn easing_expr(easing: &str) -> Option<&'static str> {
    match easing {
        "ease-in" => Some("p*p"),
        "ease-out" => Some("p*(2-p)"),
        "ease-in-out" => Some("p*p*(3-2*p)"),
        _ => None,
    }
}

/// Input of the render command the audio is read from: the render opens the source for
/// its picture (inputs `0..n`, [`picture_inputs`]) and once more for the sound, after
/// them (see [`super::planner`]'s `encode_args`), so each chain reads its own demuxer at
/// its own pace.
pub fn render_audio_input(segments: &[Segment]) -> usize {
    picture_inputs(segments).len()
}

/// Audio part of the render graph, from `[n:a:N]` (the source's input after the picture's,
/// see [`render_audio_input`], its audio stream `N` of [`AudioPlan::source_audio_stream`]:
/// a bare `[n:a]` would read the first audio stream, not the default-flagged one the
/// analysis measured; or a silent source) to `[aout]`.
pub fn audio_graph(g: &GraphInput) -> String {
    audio_graph_with(g, g.audio.loudness_filter(), render_audio_input(g.segments))
}

/// Graph of the loudness measuring pass (when normalisation applies): the same edit and
/// processing as [`audio_graph`], the measuring slot ([`AudioPlan::measure_slot`]: the
/// `{measured}` placeholder, then the measuring filters) in the loudness slot, from
/// `[0:a:N]` (the pass opens the source once, audio only).
pub fn audio_measure_graph(g: &GraphInput) -> Option<String> {
    g.audio
        .measure_slot()
        .map(|m| audio_graph_with(g, Some(m), 0))
}

fn audio_graph_with(g: &GraphInput, loudness: Option<String>, input: usize) -> String {
    let n = g.segments.len();
    let mut s = String::new();
    if !g.audio.source_has_audio {
        let total = g
            .fmt
            .frames_to_samples(super::edl::total_frames(g.segments, g.transitions));
        let _ = write!(
            s,
            "anullsrc=r=48000:cl=stereo,atrim=end_sample={total}[aout]"
        );
        return s;
    }
    let span = ChunkSpan {
        first: 0,
        last: n - 1,
        skip_head: 0,
        keep_tail: None,
        out_start_frame: 0,
        frames: 0,
    };
    let joined = audio_edit(g, &span, input, 0, &mut s);
    let _ = write!(s, "[{joined}]{}[aout]", audio_chain(g, loudness));
    s
}

/// The edit of the sound (no processing): the source's audio at 48 kHz on the render's
/// time line (`first_pts`: the time of the input's first sample, in samples of the
/// source's rate; 0 when the source is read from its start), one branch per segment `c.first..=c.last` (trimmed to
/// its source span, padded or cut to its exact sample count, the first without its first
/// `c.skip_head` frames' samples, the last cut to its first `c.keep_tail` frames'
/// samples), joined as the picture (concat, acrossfade). Returns the joined label.
fn audio_edit(
    g: &GraphInput,
    c: &ChunkSpan,
    input: usize,
    first_pts: u64,
    s: &mut String,
) -> String {
    let ks: Vec<usize> = (c.first..=c.last).collect();
    let m = ks.len();
    let _ = write!(
        s,
        "[{input}:a:{}]aresample=48000:async=1:first_pts={first_pts},aformat=sample_fmts=fltp:channel_layouts=stereo",
        g.audio.source_audio_stream
    );
    if m == 1 {
        let _ = write!(s, "[as{}];", ks[0]);
    } else {
        let _ = write!(s, ",asplit={m}");
        for &k in &ks {
            let _ = write!(s, "[as{k}]");
        }
        s.push(';');
    }
    let mut items = Vec::with_capacity(m);
    for &k in &ks {
        let seg = &g.segments[k];
        let samples = g.fmt.frames_to_samples(seg.frames);
        let mut frames = seg.frames;
        let mut extra = String::new();
        if k == c.first && c.skip_head > 0 {
            // The samples of the transition's frames, as the previous chunk's acrossfade
            // took them (`ns` = the same conversion).
            let _ = write!(
                extra,
                ",atrim=start_sample={},asetpts=PTS-STARTPTS",
                g.fmt.frames_to_samples(c.skip_head)
            );
            frames -= c.skip_head;
        }
        if k == c.last {
            if let Some(t) = c.keep_tail {
                let _ = write!(extra, ",atrim=end_sample={}", g.fmt.frames_to_samples(t));
                frames = frames.min(t);
            }
        }
        // A hard cut where the sound jumps (a jump cut, a dropped piece, a removed beat
        // interval) gets a short fade on each side, inside the segments' own samples: a
        // plain concat of two unrelated points of a waveform is a step, heard as a click.
        let mut splice = String::new();
        let fade = (samples / 4).min(SPLICE_FADE_SAMPLES);
        if fade > 0 && k > 0 && sound_jumps(g, k - 1) {
            let _ = write!(splice, ",afade=t=in:ss=0:ns={fade}");
        }
        if fade > 0 && sound_jumps(g, k) {
            let _ = write!(splice, ",afade=t=out:ss={}:ns={fade}", samples - fade);
        }
        let _ = write!(
            s,
            "[as{k}]atrim=start={}:end={},asetpts=PTS-STARTPTS,apad=whole_len={samples},atrim=end_sample={samples}{splice}{extra}[a{k}];",
            f6(seg.src_in_s),
            f6(seg.src_out_s)
        );
        items.push((k, frames));
    }
    join_items(g.fmt, &items, &g.transitions[c.first..c.last], s, 'a')
}

/// Samples (48 kHz) of the fade on each side of a hard cut where the sound jumps: 5 ms,
/// at most a quarter of the segment. Without it the join of two unrelated points of a
/// waveform is a sample step: in `wannaworktogether.mp4` cut to 90 joins a minute, two
/// removed beat intervals left steps of 0.22 and 0.13 full scale where the music's own
/// steps stay under 0.035 (`bench/qa_sweep.py`, docs/BENCHMARKS.md "Session 21").
pub const SPLICE_FADE_SAMPLES: u64 = 240;

/// The join after segment `k` is a hard cut whose sound does not continue: the next
/// segment's sound starts elsewhere in the source than where this one's ends (more than
/// half a sample apart).
fn sound_jumps(g: &GraphInput, k: usize) -> bool {
    let Some(next) = g.segments.get(k + 1) else {
        return false;
    };
    let hard = g.transitions.get(k).is_none_or(|t| t.frames == 0);
    hard && (next.src_in_s - g.segments[k].src_out_s).abs() > 0.5 / 48_000.0
}

/// The processing after the edit: the chain's filters, the loudness slot, then the exact
/// length of the whole output.
fn audio_chain(g: &GraphInput, loudness: Option<String>) -> String {
    let total = g
        .fmt
        .frames_to_samples(super::edl::total_frames(g.segments, g.transitions));
    let mut chain = g.audio.pre_filters();
    chain.extend(loudness);
    chain.push(format!("apad=whole_len={total}"));
    chain.push(format!("atrim=end_sample={total}"));
    chain.join(",")
}

/// Audio graph of one chunk of a chunked render (see [`super::chunks`]), from `[0:a:N]` (the
/// source's sound opened over the chunk's span from `start_s`, timestamps as in the whole
/// render: `-copyts -start_at_zero`) to `[aout]`: the edit of segments `c.first..=c.last`
/// exactly as [`audio_graph`] makes it (same branches, the transition that ends the chunk
/// whole, the one that starts it left out), with no processing: the chunks' sound, one
/// after the other, is the whole edit, which [`audio_tail_graph`] processes as one stream.
/// `source_rate` is the source's sample rate: `aresample`'s `first_pts` counts samples of
/// its *input* (checked on ffmpeg 5.1: `first_pts=2148480` on a 44.1 kHz input seeked
/// to 44.76 s dropped the first 3.96 s, i.e. it read 2148480 / 44100 = 48.72 s). With the
/// first sample's time given, a source whose sound starts after `start_s` is padded from
/// there, as the whole render pads it from 0. `start_s` should be a whole number of
/// samples at both rates (`chunks::AUDIO_START_STEP_S`).
pub fn chunk_audio_graph(g: &GraphInput, c: &ChunkSpan, start_s: f64, source_rate: u32) -> String {
    let mut s = String::new();
    let first_pts = (start_s * f64::from(source_rate)).round() as u64;
    let joined = audio_edit(g, c, 0, first_pts, &mut s);
    let _ = write!(s, "[{joined}]anull[aout]");
    s
}

/// The processing of a chunked render's sound, from `[{input}:a]` (the chunks' edited
/// sound read back one after the other, see [`chunk_audio_graph`]) to `[aout]`: samples
/// renumbered from 0 (the concat demuxer's file offsets are rounded to microseconds),
/// then the same chain, `loudness` slot and exact length as [`audio_graph`].
pub fn audio_tail_graph(g: &GraphInput, loudness: Option<String>, input: usize) -> String {
    format!(
        "[{input}:a]asetpts=N/SR/TB,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,{}[aout]",
        audio_chain(g, loudness)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_short_and_exact() {
        assert_eq!(f6(1.0), "1");
        assert_eq!(f6(0.133_333_333), "0.133333");
        assert_eq!(f6(-0.0), "0");
        assert_eq!(f6(2.5), "2.5");
    }

    /// The pan's sub-pixel blend is `maskedmerge` (SIMD) against one-frame constant masks,
    /// not `mix` (per-pixel float arithmetic, ≈ 1.6 ms more filter CPU a 720p frame): each
    /// weight's mask is made once, and its values are `256·weight` in the planes the
    /// instance mixes (its geometry is checked on real frames by `tests/pan_geometry.rs`).
    #[test]
    fn a_pan_blends_by_masked_merges_against_one_frame_masks() {
        let g = pan_crop("p0", 1664, 936, 1280, 720, true, 293);
        assert!(!g.contains("mix="), "{g}");
        let s = CROP_STEPS;
        let masks: Vec<&str> = g.split(';').filter(|c| c.starts_with("color=")).collect();
        assert_eq!(masks.len() as u32, 2 * s - 1, "{g}");
        for (j, m) in (1..).zip(&masks) {
            assert!(m.contains("s=1280x720:r=1:d=1,format=yuv420p"), "{m}");
            let luma = if j < s { 256 * j / s } else { 0 };
            let chroma = 128 * j / s;
            assert!(
                m.contains(&format!("lutyuv=y={luma}:u={chroma}:v={chroma}")),
                "mask {j}: {m}"
            );
        }
        let merges: Vec<&str> = g
            .split(';')
            .filter(|c| c.contains("maskedmerge="))
            .collect();
        assert_eq!(merges.len() as u32, (s - 1) + (2 * s - 1), "{g}");
        for (i, m) in (1..).zip(&merges) {
            // Three inputs: the picture so far, the shifted crop, the weight's mask.
            assert_eq!(
                m.matches('[').count(),
                if i < 3 * s - 2 { 4 } else { 3 },
                "{m}"
            );
            let planes = if i < s { "planes=1" } else { "planes=6" };
            assert!(m.contains(planes), "{m}");
        }
    }
}
