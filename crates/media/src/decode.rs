//! The single decode pass per input.
//!
//! One ffmpeg process demuxes and decodes the file once and writes three outputs:
//! reduced RGB24 frames on stdout (after autorotation and a scale that honours the pixel
//! aspect ratio), mono f32 analysis audio, and full-rate interleaved f32 audio for
//! loudness metering (both to temporary files). Each frame's presentation time comes
//! from the `showinfo` filter on stderr, so variable-frame-rate input keeps real times;
//! `-fps_mode passthrough` stops ffmpeg from duplicating or dropping frames. The decoder
//! skips the deblocking filter of B-frames only (see [`SkipLoopFilter`]).

use std::io::Read;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::probe::{AudioInfo, Colour, MediaInfo, VideoInfo};
use crate::process::{
    ffmpeg_bin, read_stderr, spawn, widen_pipe, CancelWatch, MediaError, RunOpts, StderrTail,
};

/// What the analysers need from a decode.
#[derive(Debug, Clone)]
pub struct DecodeSpec {
    /// Width of analysis frames (display orientation); height follows the display aspect.
    pub analysis_width: u32,
    /// Decode audio (when the input has it).
    pub audio: bool,
    /// Sample rate of the mono analysis audio.
    pub mono_rate: u32,
    /// Also write full-rate, all-channel audio for loudness metering.
    pub full_audio: bool,
    /// Stop after this many seconds of input (None = whole file).
    pub max_seconds: Option<f64>,
    /// Where temporary audio files go (system temp dir when None).
    pub scratch_dir: Option<PathBuf>,
    /// Frames whose in-loop deblocking filter the decoder skips.
    pub skip_loop_filter: SkipLoopFilter,
    /// Decode only this part of the picture (the active picture inside letterbox or
    /// pillarbox bars); the analysis frames are `analysis_width` wide across it.
    pub crop: Option<Crop>,
}

/// A part of the displayed picture, in fractions of its width and height from the top
/// left (display geometry: after rotation and pixel aspect).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crop {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Crop {
    /// The `crop` filter cutting this part out of the frame the filter chain sees (the
    /// decoded, rotated and, for interlaced input, single-field picture: fractions hold
    /// for each), its edges rounded inwards to even pixels.
    pub fn filter(&self) -> String {
        format!(
            "crop=w=trunc(iw*{x1:.6}/2)*2-ceil(iw*{x0:.6}/2)*2:\
             h=trunc(ih*{y1:.6}/2)*2-ceil(ih*{y0:.6}/2)*2:\
             x=ceil(iw*{x0:.6}/2)*2:y=ceil(ih*{y0:.6}/2)*2:exact=1",
            x0 = self.x,
            y0 = self.y,
            x1 = self.x + self.width,
            y1 = self.y + self.height,
        )
    }

    /// The displayed size of this part of a `w`×`h` picture.
    pub fn display_size(&self, w: u32, h: u32) -> (u32, u32) {
        let f = |v: u32, s: f64| ((v as f64 * s).round() as u32).max(2);
        (f(w, self.width), f(h, self.height))
    }
}

/// Frames whose in-loop deblocking filter the video decoder skips (ffmpeg's
/// `-skip_loop_filter`, honoured by ffmpeg's H.264 decoder; decoders without the option
/// ignore it). Every frame is still decoded; a skipped filter leaves block edges in that
/// frame's picture, and in frames predicted from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipLoopFilter {
    /// Deblock every frame (a bare decode).
    None,
    /// Skip frames no other frame predicts from (`noref`).
    NonRef,
    /// Skip every B-frame (`bidir`): the non-reference ones and the B-frames that only
    /// other B-frames of the same group predict from (x264's B-pyramid), so the error
    /// stops at the next P- or I-frame and never drifts through a GOP. Measured on 90
    /// frames of the 1080p30 x264 benchmark clip (valgrind instruction counts of the
    /// analysis decode): 17 % below a full decode, 7 % below `NonRef`; shots and
    /// transitions of the 9 shared videos and 121 synthetic clips identical to
    /// `NonRef`'s. Skipping P-frames too (`all`, 24 % below) lets the error drift until
    /// the next keyframe and adds false cuts there (cockatoo 7.25 s, wannaworktogether
    /// 42.6 s).
    Bidir,
}

impl SkipLoopFilter {
    /// The value of ffmpeg's `-skip_loop_filter` input option.
    pub fn ffmpeg_value(self) -> &'static str {
        match self {
            SkipLoopFilter::None => "default",
            SkipLoopFilter::NonRef => "noref",
            SkipLoopFilter::Bidir => "bidir",
        }
    }
}

impl Default for DecodeSpec {
    fn default() -> Self {
        DecodeSpec {
            analysis_width: 256,
            audio: true,
            mono_rate: 22_050,
            full_audio: true,
            max_seconds: None,
            scratch_dir: None,
            skip_loop_filter: SkipLoopFilter::Bidir,
            crop: None,
        }
    }
}

/// One decoded analysis frame.
#[derive(Debug, Clone)]
pub struct Frame {
    /// 0-based index in decode order.
    pub index: usize,
    /// Presentation time in seconds from the start of the stream.
    pub pts_s: f64,
    pub width: u32,
    pub height: u32,
    /// Packed RGB24, `width * height * 3` bytes.
    pub rgb: Vec<u8>,
    /// The decoder flagged this frame a key frame (showinfo's `iskey:1`): a seek that
    /// lands on it decodes nothing before it (the render's picture inputs start there,
    /// see [`ShowinfoFrame::exact_s`]).
    pub key: bool,
    /// The presentation time from the integer timestamp and the stream's time base
    /// (`pts_s` is showinfo's 6-significant-digit `pts_time`, which the analysis keeps
    /// reading so its results do not move); None when either was not printed.
    pub exact_pts_s: Option<f64>,
}

/// What one showinfo line says about a frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShowinfoFrame {
    /// `pts_time:` as printed (`%.6g`: 6 significant digits).
    pub pts_s: f64,
    /// `pts:`, the integer timestamp in the link's time base.
    pub pts: Option<i64>,
    /// `iskey:1`.
    pub key: bool,
}

impl ShowinfoFrame {
    /// The exact time of the frame: `pts` in the time base `tb` (numerator, denominator)
    /// printed by showinfo's `config in time_base:` line. A seek must hit a key frame to
    /// the tick, which `pts_time`'s 6 significant digits cannot promise past 10 s.
    pub fn exact_s(&self, tb: Option<(i64, i64)>) -> Option<f64> {
        let (num, den) = tb?;
        (den > 0 && num > 0).then(|| self.pts.map(|p| p as f64 * num as f64 / den as f64))?
    }
}

/// Audio written by the decode pass.
#[derive(Debug)]
pub struct DecodedAudio {
    pub mono_rate: u32,
    /// Mono mix at `mono_rate`; empty when the samples stayed in their scratch file
    /// ([`decode_audio_streamed`]): [`DecodedAudio::for_each_mono_chunk`] reads either.
    pub mono: Vec<f32>,
    /// The mono mix, not read back ([`decode_audio_streamed`]).
    mono_file: Option<tempfile::TempPath>,
    pub full_rate: u32,
    pub channels: u32,
    pub channel_layout: Option<String>,
    /// Interleaved f32 at `full_rate`, `channels` channels (None when not requested).
    full_file: Option<tempfile::TempPath>,
    /// Mono f32 at [`SPEECH_RATE`] for the voice activity model ([`decode_audio`] and
    /// [`decode_audio_streamed`] write it; [`decode`] does not).
    speech_file: Option<tempfile::TempPath>,
}

/// Rate of the speech-detection audio: the Silero VAD model reads 16 kHz. ffmpeg
/// resamples it as a second mono output of the same audio decode (no resampler is in
/// our dependency tree, and the audio is decoded once).
pub const SPEECH_RATE: u32 = 16_000;

impl DecodedAudio {
    /// Streams the full-rate interleaved audio in chunks of `frames` sample frames (the
    /// last one may be shorter).
    pub fn for_each_full_chunk(
        &self,
        frames: usize,
        f: impl FnMut(&[f32]),
    ) -> Result<(), MediaError> {
        let Some(path) = &self.full_file else {
            return Ok(());
        };
        let file = std::fs::File::open(path)?;
        read_chunks(file, frames, self.channels as usize, f)
    }

    /// Hands the mono mix to `f` in chunks of `frames` samples (the last one may be
    /// shorter), from memory or streamed from its scratch file a chunk at a time.
    pub fn for_each_mono_chunk(
        &self,
        frames: usize,
        mut f: impl FnMut(&[f32]),
    ) -> Result<(), MediaError> {
        match &self.mono_file {
            Some(path) => read_chunks(std::fs::File::open(path)?, frames, 1, f),
            None => {
                self.mono.chunks(frames.max(1)).for_each(&mut f);
                Ok(())
            }
        }
    }

    pub fn has_full(&self) -> bool {
        self.full_file.is_some()
    }

    /// Streams the mono [`SPEECH_RATE`] audio in chunks of `frames` samples (the last one
    /// may be shorter). Returns false, calling nothing, when this decode wrote none.
    pub fn for_each_speech_chunk(
        &self,
        frames: usize,
        f: impl FnMut(&[f32]),
    ) -> Result<bool, MediaError> {
        let Some(path) = &self.speech_file else {
            return Ok(false);
        };
        let file = std::fs::File::open(path)?;
        read_chunks(file, frames, 1, f)?;
        Ok(true)
    }
}

/// Analysis frame size for a display size: `width` wide (never upscaled), even sides.
pub fn analysis_size(display_w: u32, display_h: u32, width: u32) -> (u32, u32) {
    let w = width.min(display_w).max(16) & !1;
    let h = ((w as f64) * display_h as f64 / display_w as f64 / 2.0).round() as u32 * 2;
    (w, h.max(2))
}

/// PQ reference white, cd/m² (ITU-R BT.2408: HDR graphics white and diffuse white). The
/// PQ tone-map puts it at SDR white.
pub const PQ_REFERENCE_WHITE_NITS: f64 = 203.0;
/// The peak a PQ stream is taken to reach when it carries no HDR10 metadata (cd/m²): the
/// usual mastering display of HDR10 video.
pub const PQ_DEFAULT_PEAK_NITS: f64 = 1000.0;
/// Share of reference white below which the PQ tone curve (`mobius`) leaves the picture
/// unchanged; brighter light rolls off smoothly so the stream's peak lands on SDR white.
pub const PQ_KNEE: f64 = 0.6;

/// Filters that bring an HDR (HLG or PQ, BT.2020) or wide-gamut SDR picture to BT.709 SDR
/// Y'CbCr, limited range, at `w`×`h` (`None`: the source size), or None for SDR video with
/// BT.709 primaries (or untagged ones, read as BT.709). HLG is converted by zscale directly
/// (HLG's SDR-compatible rendering at a nominal peak of 100 nits: what reaches above SDR
/// white clips). PQ goes to linear light scaled so that reference white
/// ([`PQ_REFERENCE_WHITE_NITS`]) is 1, BT.709 primaries, the `mobius` tone curve (unchanged
/// below [`PQ_KNEE`] of reference white, the stream's peak ([`Colour::peak_nits`], else
/// [`PQ_DEFAULT_PEAK_NITS`]) at SDR white), then the BT.709 transfer. SDR with BT.2020 or P3
/// primaries ([`Colour::wide_gamut`]) has its primaries converted in linear light by zscale
/// (its transfer undone and redone); read as BT.709 it looked washed out, the wider
/// primaries' colours pulled towards grey. Colours outside BT.709 clip. Measured against the
/// SDR original of test pictures: docs/BENCHMARKS.md (colour, sessions 8 and 11).
/// The render's form: at the source's size, 8-bit 4:2:0 out.
pub fn to_sdr_bt709(c: &Colour) -> Option<String> {
    sdr_head(c, "yuv420p")
}

/// [`to_sdr_bt709`]'s filters at the incoming picture's size, ending in `out_pix`.
fn sdr_head(c: &Colour, out_pix: &str) -> Option<String> {
    if !c.is_hdr() && !c.wide_gamut() {
        return None;
    }
    let pin = match c.primaries.as_deref() {
        Some("bt709") => "bt709",
        Some(p @ ("smpte432" | "smpte431")) => p,
        _ => "bt2020",
    };
    let min = match c.matrix.as_deref() {
        Some("bt709") => "bt709",
        Some("bt2020c") => "2020_cl",
        Some("smpte170m" | "bt470bg") => "170m",
        _ => "2020_ncl",
    };
    let rin = if c.full_range { "full" } else { "limited" };
    Some(match c.transfer.as_deref() {
        Some("smpte2084") => {
            let peak =
                (c.peak_nits.unwrap_or(PQ_DEFAULT_PEAK_NITS) / PQ_REFERENCE_WHITE_NITS).max(1.0);
            format!(
                "zscale=tin=smpte2084:min={min}:pin={pin}:rin={rin}:t=linear:\
                 npl={PQ_REFERENCE_WHITE_NITS},format=gbrpf32le,zscale=p=bt709,\
                 tonemap=tonemap=mobius:param={PQ_KNEE}:peak={peak:.4}:desat=0,\
                 zscale=t=bt709:m=bt709:r=limited,format={out_pix}"
            )
        }
        Some("arib-std-b67") => format!(
            "zscale=tin=arib-std-b67:min={min}:pin={pin}:rin={rin}:\
             t=bt709:m=bt709:p=bt709:r=limited:npl=100,format={out_pix}"
        ),
        sdr => {
            // zscale's names for the SDR transfers ffprobe reports; untagged is BT.709's.
            let tin = match sdr {
                Some("smpte170m" | "bt470bg") => "601",
                Some("bt2020-10") => "2020_10",
                Some("bt2020-12") => "2020_12",
                Some("iec61966-2-1") => "iec61966-2-1",
                Some("linear") => "linear",
                _ => "709",
            };
            format!(
                "zscale=tin={tin}:min={min}:pin={pin}:rin={rin}:\
                 t=bt709:m=bt709:p=bt709:r=limited,format={out_pix}"
            )
        }
    })
}

/// Deinterlacer of the render (`style::apply::graph`): `bwdif` (w3fdif and yadif ideas
/// combined), one frame out per frame in, field order from the frames.
pub const DEINTERLACE: &str = "bwdif=mode=send_frame:parity=auto:deint=all";

/// The analysis decode's deinterlacer of an interlaced source (ffprobe's `field_order` says
/// so, [`crate::probe::VideoInfo::interlaced`]; None for progressive video): the field shown
/// first, alone (`field`, stride arithmetic, no copy). The area scale to 256 px wide
/// otherwise averaged each frame's two fields (two instants 20 ms apart in 25i) into one
/// ghosted picture. The analysis frames have far fewer lines than one field, so the field's
/// half height loses nothing the analysers see. Measured on a 25i `testsrc2` clip against the
/// progressive frames of the first field's instant (256 px): 34.4 dB without deinterlacing,
/// 41.7 dB with one field, 43.4 dB with the render's `bwdif`, which cost 44 % more CPU for
/// the whole analysis of a 1080i clip; one field costs no more than no deinterlacing
/// (docs/BENCHMARKS.md, "Session 9: odd inputs").
pub fn analysis_deinterlace(video: &VideoInfo) -> Option<&'static str> {
    match (video.interlaced, video.bottom_field_first) {
        (false, _) => None,
        (true, false) => Some("field=type=top"),
        (true, true) => Some("field=type=bottom"),
    }
}

/// The analysis decode's scale to `w`×`h` R'G'B': the source's Y'CbCr matrix and range
/// given to swscale explicitly (untagged video is read as BT.601 limited range, as swscale
/// does by default). HDR and wide-gamut sources ([`to_sdr_bt709`]) are first reduced to the
/// analysis size in their own Y'CbCr (area average, 4:4:4, 10 bits), then converted to
/// BT.709 SDR there. Until session 11 the conversion ran first, resizing with zscale's
/// bilinear filter and subsampling the chroma again: on the colour bars that smeared the
/// saturated edges (p99 19.8 ΔE) and the grey-edge white balance, which reads edges, found
/// a tint of 2 where the untagged bars read 100 (docs/BENCHMARKS.md, "Session 11: wide-gamut
/// and HDR sources in the analysis").
pub fn rgb_scale(c: &Colour, w: u32, h: u32) -> String {
    match sdr_head(c, "yuv444p") {
        // The first scale keeps the codes' range (a `yuvj` source would otherwise be
        // moved to limited range while zscale still reads it as full).
        Some(t) => format!(
            "scale={w}:{h}:flags=area:in_range={r}:out_range={r},format=yuv444p10le,{t},\
             scale={w}:{h}:flags=area:in_color_matrix=bt709:in_range=tv:out_range=pc",
            r = c.sws_range()
        ),
        None => format!(
            "scale={w}:{h}:flags=area:in_color_matrix={}:in_range={}:out_range=pc",
            c.sws_matrix(),
            c.sws_range()
        ),
    }
}

/// Reads a little-endian f32 file in 64 KiB chunks, so the peak is the samples alone
/// (reading the whole file first held it twice: 2 × 53 MB for 10 min of 22.05 kHz mono).
fn read_f32_file(path: &Path) -> Result<Vec<f32>, MediaError> {
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len() as usize;
    let mut out = Vec::with_capacity(len / 4);
    let mut buf = vec![0u8; 1 << 16];
    let mut carry = 0usize;
    loop {
        let n = match file.read(&mut buf[carry..]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        let avail = carry + n;
        let whole = avail / 4 * 4;
        out.extend(
            buf[..whole]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        );
        buf.copy_within(whole..avail, 0);
        carry = avail - whole;
    }
    Ok(out)
}

/// Parses `pts_time:` from a showinfo line.
#[cfg(test)]
fn showinfo_pts(line: &str) -> Option<f64> {
    showinfo_frame(line).map(|f| f.pts_s)
}

/// Parses a showinfo frame line: `pts_time:`, `pts:` and `iskey:`.
fn showinfo_frame(line: &str) -> Option<ShowinfoFrame> {
    if !line.contains("Parsed_showinfo") || !line.contains(" n:") {
        return None;
    }
    let field = |name: &str| -> Option<&str> {
        let at = line.find(name)? + name.len();
        line[at..].split_whitespace().next()
    };
    Some(ShowinfoFrame {
        pts_s: field("pts_time:")?.parse().ok()?,
        pts: field(" pts:").and_then(|v| v.parse().ok()),
        key: field(" iskey:") == Some("1"),
    })
}

/// Parses showinfo's `config in time_base: N/D` line (printed once, before the frames).
fn showinfo_time_base(line: &str) -> Option<(i64, i64)> {
    if !line.contains("Parsed_showinfo") {
        return None;
    }
    let rest = &line[line.find("config in time_base:")? + 20..];
    let (n, d) = rest.split(',').next()?.trim().split_once('/')?;
    Some((n.trim().parse().ok()?, d.trim().parse().ok()?))
}

/// Probes `path` and decodes its picture only (the default analysis size, no audio, no
/// progress), handing each frame to `on_frame`: what the evaluation examples and the
/// detector tests need. Returns the probe.
pub fn decode_picture(
    path: &Path,
    opts: &RunOpts,
    on_frame: impl FnMut(&Frame),
) -> Result<MediaInfo, MediaError> {
    let info = crate::probe::probe_video(path, opts)?;
    let spec = DecodeSpec {
        audio: false,
        ..DecodeSpec::default()
    };
    decode(path, &info, &spec, opts, on_frame, |_| {})?;
    Ok(info)
}

/// At most this many key frames are read by [`decode_key_frames`].
pub const KEY_FRAME_PROBE_MAX: usize = 32;

/// The least time between two key frames [`decode_key_frames`] reads (`max_frames` over
/// the input's duration), in seconds, as its `select` filter reads it (three decimals).
pub fn key_frame_probe_step(info: &MediaInfo, max_frames: usize) -> f64 {
    let step = (info.duration_s / max_frames.max(1) as f64).max(0.0);
    format!("{step:.3}").parse().unwrap_or(0.0)
}

/// Decodes key frames only (the decoder skips every other frame: `-skip_frame nokey`), at
/// most `max_frames` of them spread over the input (one per `duration / max_frames` at
/// most), at the analysis size and colour of [`decode`] (`spec`'s width and crop are
/// ignored: the whole frame), and hands each to `on_frame` (`index` counts the frames
/// read, `pts_s` is 0). What the analysis reads letterbox bars from before its decode.
/// An intra-only input (every frame a key frame) decodes every frame here.
pub fn decode_key_frames(
    path: &Path,
    info: &MediaInfo,
    spec: &DecodeSpec,
    opts: &RunOpts,
    max_frames: usize,
    mut on_frame: impl FnMut(&Frame),
) -> Result<(), MediaError> {
    let video = info.video.as_ref().ok_or_else(|| MediaError::BadInput {
        message: "the file has no video stream".into(),
        stderr_tail: String::new(),
    })?;
    let (w, h) = analysis_size(
        video.display_width,
        video.display_height,
        spec.analysis_width,
    );
    let step = key_frame_probe_step(info, max_frames);
    let mut cmd = Command::new(ffmpeg_bin());
    cmd.args([
        "-hide_banner",
        "-nostdin",
        "-v",
        "error",
        "-skip_frame",
        "nokey",
    ]);
    cmd.args(["-skip_loop_filter", spec.skip_loop_filter.ffmpeg_value()]);
    cmd.arg("-i").arg(path);
    cmd.args([
        "-map",
        "0:v:0",
        "-vf",
        &format!(
            "select=isnan(prev_selected_t)+gte(t-prev_selected_t\\,{step:.3}),{}{},format=rgb24",
            analysis_deinterlace(video).map_or(String::new(), |f| format!("{f},")),
            rgb_scale(&video.colour, w, h)
        ),
        "-frames:v",
        &max_frames.to_string(),
        "-fps_mode",
        "passthrough",
        "-f",
        "rawvideo",
        "pipe:1",
    ]);
    let out = crate::process::run(cmd, "ffmpeg", opts, |_| {})?;
    let frame_bytes = (w * h * 3) as usize;
    for (index, rgb) in out.stdout.chunks_exact(frame_bytes).enumerate() {
        on_frame(&Frame {
            index,
            pts_s: 0.0,
            width: w,
            height: h,
            rgb: rgb.to_vec(),
            key: true,
            exact_pts_s: None,
        });
    }
    Ok(())
}

/// Decodes `path` once. Every analysis frame goes to `on_frame` in order; `on_progress`
/// receives the fraction of the input decoded (0..1). Returns the audio (None when the
/// input has none or `spec.audio` is false).
pub fn decode(
    path: &Path,
    info: &MediaInfo,
    spec: &DecodeSpec,
    opts: &RunOpts,
    mut on_frame: impl FnMut(&Frame),
    on_progress: impl FnMut(f64),
) -> Result<Option<DecodedAudio>, MediaError> {
    let end = decode_until(
        path,
        info,
        spec,
        opts,
        |f| {
            on_frame(f);
            ControlFlow::Continue(())
        },
        on_progress,
    )?;
    Ok(match end {
        DecodeEnd::Finished(audio) => audio,
        DecodeEnd::Stopped => None,
    })
}

/// How [`decode_until`] ended.
#[derive(Debug)]
pub enum DecodeEnd {
    /// Every frame was decoded; the audio as [`decode`] returns it.
    Finished(Option<DecodedAudio>),
    /// `on_frame` asked to stop: ffmpeg was stopped, no further frame came.
    Stopped,
}

/// [`decode`], with `on_frame` able to stop the decode early ([`ControlFlow::Break`]): the
/// ffmpeg process is ended at once and [`DecodeEnd::Stopped`] returned.
pub fn decode_until(
    path: &Path,
    info: &MediaInfo,
    spec: &DecodeSpec,
    opts: &RunOpts,
    mut on_frame: impl FnMut(&Frame) -> ControlFlow<()>,
    mut on_progress: impl FnMut(f64),
) -> Result<DecodeEnd, MediaError> {
    let video = info.video.as_ref().ok_or_else(|| MediaError::BadInput {
        message: "the file has no video stream".into(),
        stderr_tail: String::new(),
    })?;
    let (dw, dh) = spec
        .crop
        .map_or((video.display_width, video.display_height), |c| {
            c.display_size(video.display_width, video.display_height)
        });
    let (w, h) = analysis_size(dw, dh, spec.analysis_width);
    let duration = spec
        .max_seconds
        .map_or(info.duration_s, |m| m.min(info.duration_s));
    let scratch = spec.scratch_dir.clone().unwrap_or_else(std::env::temp_dir);
    let want_audio = spec.audio && info.audio.is_some();
    let mono_file = if want_audio {
        Some(
            tempfile::Builder::new()
                .prefix("sc-mono-")
                .tempfile_in(&scratch)?
                .into_temp_path(),
        )
    } else {
        None
    };
    let full_file = if want_audio && spec.full_audio {
        Some(
            tempfile::Builder::new()
                .prefix("sc-full-")
                .tempfile_in(&scratch)?
                .into_temp_path(),
        )
    } else {
        None
    };

    let mut cmd = Command::new(ffmpeg_bin());
    cmd.args(["-hide_banner", "-nostdin", "-v", "info", "-y"]);
    // Input option (see `SkipLoopFilter`).
    cmd.args(["-skip_loop_filter", spec.skip_loop_filter.ffmpeg_value()]);
    cmd.arg("-i").arg(path);
    if let Some(m) = spec.max_seconds {
        cmd.args(["-t", &format!("{m:.3}")]);
    }
    // setsar=1 after the scale: the frame is already in display geometry. The scale also
    // converts to RGB (format negotiation passes rgb24 through setsar and showinfo), with
    // the source's matrix and range made explicit (see `rgb_scale`).
    cmd.args([
        "-map",
        "0:v:0",
        "-vf",
        &format!(
            "{}{}{},setsar=1,showinfo=checksum=0,format=rgb24",
            analysis_deinterlace(video).map_or(String::new(), |f| format!("{f},")),
            spec.crop
                .map_or(String::new(), |c| format!("{},", c.filter())),
            rgb_scale(&video.colour, w, h)
        ),
        "-fps_mode",
        "passthrough",
        "-f",
        "rawvideo",
        "pipe:1",
    ]);
    // The probe's audio stream (the default-flagged one), as in the render.
    let amap = info
        .audio
        .as_ref()
        .map_or("0:a:0".into(), AudioInfo::map_spec);
    if let Some(mf) = &mono_file {
        cmd.args(["-map", &amap, "-ac", "1", "-ar"])
            .arg(spec.mono_rate.to_string())
            .args(["-f", "f32le"])
            .arg(mf.as_os_str());
    }
    if let Some(ff) = &full_file {
        cmd.args(["-map", &amap, "-f", "f32le"]).arg(ff.as_os_str());
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    opts.check("ffmpeg")?;
    let mut child = spawn(cmd, "ffmpeg")?;
    // A hung ffmpeg leaves the loop below waiting for a frame that never comes: the
    // cancel (a client's, the stall watchdog's) and the deadline kill it from here.
    let watch = CancelWatch::start(child.child.id(), opts, "ffmpeg");
    let tail = StderrTail::default();
    let (pts_tx, pts_rx) = mpsc::channel::<(ShowinfoFrame, Option<f64>)>();
    let mut time_base = None;
    let err_thread = read_stderr(
        child.child.stderr.take().expect("stderr piped"),
        tail.clone(),
        move |line| {
            if let Some(f) = showinfo_frame(line) {
                let _ = pts_tx.send((f, f.exact_s(time_base)));
            } else if let Some(tb) = showinfo_time_base(line) {
                time_base = Some(tb);
            }
        },
    );
    let stdout = child.child.stdout.take().expect("stdout piped");
    // ffmpeg writes whole frames ahead instead of blocking twice a frame (see `widen_pipe`).
    widen_pipe(&stdout);
    let frame_bytes = (w * h * 3) as usize;
    let nominal_fps = if video.avg_frame_rate > 0.0 {
        video.avg_frame_rate
    } else {
        25.0
    };
    // A reader thread drains the pipe into a few frame buffers, so ffmpeg never waits on
    // a full pipe while the analysers work on a frame: the decode and the analysis
    // overlap instead of taking turns.
    let (frame_tx, frame_rx) = mpsc::sync_channel::<Vec<u8>>(READ_AHEAD_FRAMES);
    let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();
    let reader = std::thread::spawn(move || read_frames(stdout, frame_bytes, frame_tx, free_rx));
    let mut index = 0usize;
    let mut cancelled = None;
    let mut stopped = false;
    for buf in frame_rx.iter() {
        opts.pulse.beat();
        if let Err(e) = opts.check("ffmpeg") {
            let _ = child.child.kill();
            cancelled = Some(e);
            break;
        }
        // showinfo prints a frame's line before the frame reaches the muxer, so the
        // time is normally already queued; fall back to the nominal rate if not.
        let (pts, key, exact_pts_s) = pts_rx
            .recv_timeout(Duration::from_secs(2))
            .map(|(f, exact)| (f.pts_s, f.key, exact))
            .unwrap_or_else(|_| (index as f64 / nominal_fps, false, None));
        let frame = Frame {
            index,
            pts_s: pts.max(0.0),
            width: w,
            height: h,
            rgb: buf,
            key,
            exact_pts_s,
        };
        let flow = on_frame(&frame);
        let _ = free_tx.send(frame.rgb);
        index += 1;
        if flow.is_break() {
            let _ = child.child.kill();
            stopped = true;
            break;
        }
        if duration > 0.0 {
            on_progress((frame.pts_s / duration).clamp(0.0, 1.0));
        }
    }
    drop(frame_rx);
    let read_result = reader.join().unwrap_or_else(|_| {
        Err(MediaError::Io(std::io::Error::other(
            "the frame reader thread panicked",
        )))
    });
    let killed = watch.finish();
    if let Some(e) = cancelled.or(killed) {
        let _ = child.child.wait();
        let _ = err_thread.join();
        return Err(e);
    }
    if stopped {
        // The killed process's broken pipe or status says nothing about the input.
        let _ = child.child.wait();
        let _ = err_thread.join();
        return Ok(DecodeEnd::Stopped);
    }
    read_result?;
    let status = child.child.wait()?;
    let _ = err_thread.join();
    if !status.success() {
        let stderr_tail = tail.text();
        return Err(if index == 0 {
            MediaError::BadInput {
                message: "the video stream could not be decoded".into(),
                stderr_tail,
            }
        } else {
            MediaError::ToolFailed {
                tool: "ffmpeg".into(),
                status: status.to_string(),
                stderr_tail,
            }
        });
    }
    if index == 0 {
        return Err(MediaError::BadInput {
            message: "no video frame could be decoded".into(),
            stderr_tail: tail.text(),
        });
    }
    on_progress(1.0);
    let audio = match (mono_file, info.audio.as_ref()) {
        (Some(mf), Some(ai)) => Some(DecodedAudio {
            mono_rate: spec.mono_rate,
            mono: read_f32_file(&mf)?,
            mono_file: None,
            full_rate: ai.sample_rate,
            channels: ai.channels,
            channel_layout: ai.channel_layout.clone(),
            full_file,
            speech_file: None,
        }),
        _ => None,
    };
    Ok(DecodeEnd::Finished(audio))
}

/// The scratch files [`mono_audio_command`] has ffmpeg write.
struct MonoFiles {
    /// Mono f32 at the analysis rate.
    mono: tempfile::TempPath,
    /// Mono f32 at [`SPEECH_RATE`].
    speech: tempfile::TempPath,
}

/// What [`decode_audio`] and [`decode_audio_streamed`] share: the audio stream's info, the
/// scratch directory, scratch files for the mono analysis audio and the speech-detection
/// audio and the ffmpeg command writing them there (mono f32 at `rate` and at
/// [`SPEECH_RATE`]); the caller adds the full-rate output.
fn mono_audio_command<'a>(
    path: &Path,
    info: &'a MediaInfo,
    rate: u32,
    scratch: Option<&Path>,
) -> Result<(&'a AudioInfo, PathBuf, MonoFiles, Command), MediaError> {
    let ai = info.audio.as_ref().ok_or_else(|| MediaError::BadInput {
        message: "the file has no audio stream".into(),
        stderr_tail: String::new(),
    })?;
    let scratch = scratch
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir);
    let mono_file = tempfile::Builder::new()
        .prefix("sc-mono-")
        .tempfile_in(&scratch)?
        .into_temp_path();
    let mut cmd = Command::new(ffmpeg_bin());
    cmd.args(["-hide_banner", "-nostdin", "-v", "error", "-y", "-i"])
        .arg(path)
        .arg("-map")
        .arg(ai.map_spec())
        .args(["-ac", "1", "-ar"])
        .arg(rate.to_string())
        .args(["-f", "f32le"])
        .arg(mono_file.as_os_str());
    let speech_file = tempfile::Builder::new()
        .prefix("sc-speech-")
        .tempfile_in(&scratch)?
        .into_temp_path();
    cmd.arg("-map")
        .arg(ai.map_spec())
        .args(["-ac", "1", "-ar"])
        .arg(SPEECH_RATE.to_string())
        .args(["-f", "f32le"])
        .arg(speech_file.as_os_str());
    let files = MonoFiles {
        mono: mono_file,
        speech: speech_file,
    };
    Ok((ai, scratch, files, cmd))
}

/// Decodes only the audio of a file (music files, or the audio of a video) as mono f32
/// at `rate` and at [`SPEECH_RATE`], plus full-rate audio when `full` is set.
pub fn decode_audio(
    path: &Path,
    info: &MediaInfo,
    rate: u32,
    full: bool,
    scratch: Option<&Path>,
    opts: &RunOpts,
) -> Result<DecodedAudio, MediaError> {
    let (ai, scratch, files, mut cmd) = mono_audio_command(path, info, rate, scratch)?;
    let full_file = if full {
        Some(
            tempfile::Builder::new()
                .prefix("sc-full-")
                .tempfile_in(&scratch)?
                .into_temp_path(),
        )
    } else {
        None
    };
    if let Some(ff) = &full_file {
        cmd.arg("-map")
            .arg(ai.map_spec())
            .args(["-f", "f32le"])
            .arg(ff.as_os_str());
    }
    crate::process::run(cmd, "ffmpeg", opts, |_| {}).map_err(|e| match e {
        MediaError::ToolFailed { stderr_tail, .. } => MediaError::BadInput {
            message: "the audio could not be decoded".into(),
            stderr_tail,
        },
        e => e,
    })?;
    Ok(DecodedAudio {
        mono_rate: rate,
        mono: read_f32_file(&files.mono)?,
        mono_file: None,
        full_rate: ai.sample_rate,
        channels: ai.channels,
        channel_layout: ai.channel_layout.clone(),
        full_file,
        speech_file: Some(files.speech),
    })
}

/// [`decode_audio`] with the full-rate audio streamed instead of stored: ffmpeg writes the
/// mono analysis audio to a scratch file (not read back: the caller streams it with
/// [`DecodedAudio::for_each_mono_chunk`], so 10 minutes of it are not 53 MB of memory),
/// the 16 kHz speech-detection audio to another (streamed back by
/// [`DecodedAudio::for_each_speech_chunk`]; 3.8 MB per minute) and
/// the full-rate interleaved f32 audio to a pipe, which is handed to `on_full` in chunks
/// of exactly `chunk_frames` sample frames (the last one may be shorter) while ffmpeg
/// decodes. Nothing of the full-rate audio is written to disk or kept: a scratch file of
/// it grew by 21 MB per minute of 44.1 kHz stereo (1.3 GB per hour), per input. The
/// returned audio has no full-rate file ([`DecodedAudio::has_full`] is false).
pub fn decode_audio_streamed(
    path: &Path,
    info: &MediaInfo,
    rate: u32,
    scratch: Option<&Path>,
    opts: &RunOpts,
    chunk_frames: usize,
    on_full: impl FnMut(&[f32]),
) -> Result<DecodedAudio, MediaError> {
    let (ai, _, files, mut cmd) = mono_audio_command(path, info, rate, scratch)?;
    cmd.arg("-map")
        .arg(ai.map_spec())
        .args(["-f", "f32le", "pipe:1"]);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    opts.check("ffmpeg")?;
    let mut child = spawn(cmd, "ffmpeg")?;
    // Kills a hung ffmpeg while the read below waits on its pipe (see `decode_until`).
    let watch = CancelWatch::start(child.child.id(), opts, "ffmpeg");
    let tail = StderrTail::default();
    let err_thread = read_stderr(
        child.child.stderr.take().expect("stderr piped"),
        tail.clone(),
        |_| {},
    );
    let stdout = child.child.stdout.take().expect("stdout piped");
    widen_pipe(&stdout);
    // Cancellation and the deadline are checked between chunks: when they stop the
    // decode, ffmpeg is killed at once and nothing more is read from its pipe.
    let mut on_full = on_full;
    let mut stopped = None;
    let proc = &mut child.child;
    let read = read_chunks_until(stdout, chunk_frames, ai.channels as usize, |c| {
        opts.pulse.beat();
        match opts.check("ffmpeg") {
            Ok(()) => {
                on_full(c);
                ControlFlow::Continue(())
            }
            Err(e) => {
                let _ = proc.kill();
                stopped = Some(e);
                ControlFlow::Break(())
            }
        }
    });
    if read.is_err() {
        let _ = child.child.kill();
    }
    let killed = watch.finish();
    let status = child.child.wait()?;
    let _ = err_thread.join();
    if let Some(e) = stopped.or(killed) {
        return Err(e);
    }
    read?;
    if !status.success() {
        return Err(MediaError::BadInput {
            message: "the audio could not be decoded".into(),
            stderr_tail: tail.text(),
        });
    }
    Ok(DecodedAudio {
        mono_rate: rate,
        mono: Vec::new(),
        mono_file: Some(files.mono),
        full_rate: ai.sample_rate,
        channels: ai.channels,
        channel_layout: ai.channel_layout.clone(),
        full_file: None,
        speech_file: Some(files.speech),
    })
}

/// Frames the reader thread may hold ahead of the analysers (≈ 110 KB each at 256×144).
const READ_AHEAD_FRAMES: usize = 8;

/// Reads whole frames from ffmpeg's stdout until it ends (a short last frame is dropped)
/// or the receiver hangs up. Buffers handed back on `free` are reused.
fn read_frames(
    mut stdout: impl Read,
    frame_bytes: usize,
    frames: mpsc::SyncSender<Vec<u8>>,
    free: mpsc::Receiver<Vec<u8>>,
) -> Result<(), MediaError> {
    loop {
        let mut buf = free.try_recv().unwrap_or_else(|_| vec![0u8; frame_bytes]);
        if read_full(&mut stdout, &mut buf)? < frame_bytes {
            return Ok(());
        }
        if frames.send(buf).is_err() {
            return Ok(());
        }
    }
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> Result<usize, MediaError> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(got)
}

/// Reads little-endian interleaved f32 audio of `channels` channels from `r` until it ends
/// and hands it to `f` in chunks of exactly `frames` sample frames (the last one may be
/// shorter; a partial last sample frame is dropped), however the reads split the bytes:
/// the same chunks from a file or from a pipe, in one buffer of one chunk.
fn read_chunks(
    r: impl Read,
    frames: usize,
    channels: usize,
    mut f: impl FnMut(&[f32]),
) -> Result<(), MediaError> {
    read_chunks_until(r, frames, channels, |c| {
        f(c);
        ControlFlow::Continue(())
    })
}

/// [`read_chunks`] that stops reading as soon as `f` breaks (no byte after that chunk is
/// read).
fn read_chunks_until(
    mut r: impl Read,
    frames: usize,
    channels: usize,
    mut f: impl FnMut(&[f32]) -> ControlFlow<()>,
) -> Result<(), MediaError> {
    let ch = channels.max(1);
    let mut bytes = vec![0u8; frames.max(1) * ch * 4];
    let mut samples: Vec<f32> = Vec::with_capacity(frames.max(1) * ch);
    loop {
        let got = read_full(&mut r, &mut bytes)?;
        let whole = got / (4 * ch) * (4 * ch);
        samples.clear();
        samples.extend(
            bytes[..whole]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        );
        if !samples.is_empty() && f(&samples).is_break() {
            return Ok(());
        }
        if got < bytes.len() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The analysis keeps the field shown first: top for `tt`/`bt`, bottom for `bb`/`tb`;
    /// nothing for progressive or untagged video.
    #[test]
    fn analysis_keeps_the_first_field() {
        let field = |order: &str| {
            let j = format!(
                r#"{{"format": {{"format_name": "mp4", "duration": "1"}}, "streams": [{{
                "codec_type": "video", "width": 720, "height": 576{order}}}]}}"#
            );
            let info = crate::probe::parse_probe_json(j.as_bytes()).unwrap();
            analysis_deinterlace(&info.video.unwrap())
        };
        assert_eq!(field(r#", "field_order": "tt""#), Some("field=type=top"));
        assert_eq!(field(r#", "field_order": "bt""#), Some("field=type=top"));
        assert_eq!(field(r#", "field_order": "bb""#), Some("field=type=bottom"));
        assert_eq!(field(r#", "field_order": "tb""#), Some("field=type=bottom"));
        assert_eq!(field(r#", "field_order": "progressive""#), None);
        assert_eq!(field(""), None);
    }

    #[test]
    fn showinfo_line_parses() {
        let l = "[Parsed_showinfo_0 @ 0x55] n:  12 pts:  12512 pts_time:0.521333 duration:512 fmt:yuv420p";
        assert_eq!(showinfo_pts(l), Some(0.521333));
        assert_eq!(showinfo_pts("frame=  10 fps=0.0"), None);
    }

    #[test]
    fn showinfo_key_frames_and_time_base_parse() {
        // ffmpeg 5.1's lines: the time base once, then a line per frame.
        let tb = "[Parsed_showinfo_0 @ 0x55c1] config in time_base: 1/90000, frame_rate: 30/1";
        assert_eq!(showinfo_time_base(tb), Some((1, 90000)));
        assert_eq!(
            showinfo_time_base(
                "[Parsed_showinfo_0 @ 0x5] config out time_base: 0/0, frame_rate: 0/0"
            ),
            None
        );
        let key = "[Parsed_showinfo_0 @ 0x55c1] n: 470 pts:1410000 pts_time:15.6667 pos:  4416 fmt:yuv420p sar:1/1 s:1280x720 i:P iskey:1 type:I ";
        let f = showinfo_frame(key).unwrap();
        assert!(f.key);
        assert_eq!(f.pts, Some(1_410_000));
        assert_eq!(f.pts_s, 15.6667);
        // The exact time, not the 6 digits printed: 1410000 / 90000 = 15.666…
        let exact = f.exact_s(Some((1, 90000))).unwrap();
        assert!((exact - 47.0 / 3.0).abs() < 1e-12, "{exact}");
        assert_eq!(f.exact_s(None), None);
        let inter = key.replace("iskey:1 type:I", "iskey:0 type:P");
        assert!(!showinfo_frame(&inter).unwrap().key);
    }

    #[test]
    fn f32_file_reads_back_across_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.f32");
        let v: Vec<f32> = (0..40_000).map(|i| i as f32 * 0.25 - 3.0).collect();
        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        std::fs::write(&p, &bytes).unwrap();
        assert_eq!(read_f32_file(&p).unwrap(), v);
    }

    /// A reader that hands out at most `max` bytes per read, in a varying pattern (a pipe
    /// returns whatever the writer has written so far).
    struct Trickle {
        data: Vec<u8>,
        pos: usize,
        max: usize,
        k: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.k += 1;
            let n = (1 + (self.k * 7919) % self.max)
                .min(buf.len())
                .min(self.data.len() - self.pos);
            buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }

    #[test]
    fn audio_chunks_do_not_depend_on_how_reads_split_the_bytes() {
        // 2 channels, 10 000 sample frames and a stray half sample at the end.
        let v: Vec<f32> = (0..20_000).map(|i| (i as f32 * 0.37).sin()).collect();
        let mut bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        bytes.extend([1, 2]);
        let chunks_of = |r: &mut dyn Read| {
            let mut sizes = Vec::new();
            let mut all = Vec::new();
            read_chunks(r, 4096, 2, |c| {
                sizes.push(c.len());
                all.extend_from_slice(c);
            })
            .unwrap();
            (sizes, all)
        };
        let whole = chunks_of(&mut std::io::Cursor::new(bytes.clone()));
        let trickled = chunks_of(&mut Trickle {
            data: bytes,
            pos: 0,
            max: 5000,
            k: 0,
        });
        assert_eq!(whole.0, vec![8192, 8192, 3616]);
        assert_eq!(trickled.0, whole.0);
        assert_eq!(whole.1, v);
        assert_eq!(trickled.1, v);
    }

    #[test]
    fn a_stopped_read_takes_nothing_past_its_chunk() {
        // 10 chunks of 4096 stereo frames; the reader stops at the first: the rest of the
        // pipe stays unread (a cancelled decode is not drained).
        let chunk = 4096 * 2 * 4;
        let mut r = std::io::Cursor::new(vec![0u8; 10 * chunk]);
        let mut calls = 0;
        read_chunks_until(&mut r, 4096, 2, |_| {
            calls += 1;
            ControlFlow::Break(())
        })
        .unwrap();
        assert_eq!(calls, 1);
        assert_eq!(r.position(), chunk as u64);
        // Going on reads it all.
        let mut r = std::io::Cursor::new(vec![0u8; 10 * chunk]);
        read_chunks_until(&mut r, 4096, 2, |_| ControlFlow::Continue(())).unwrap();
        assert_eq!(r.position(), 10 * chunk as u64);
    }

    #[test]
    fn skip_loop_filter_values_are_ffmpeg_options() {
        assert_eq!(SkipLoopFilter::None.ffmpeg_value(), "default");
        assert_eq!(SkipLoopFilter::NonRef.ffmpeg_value(), "noref");
        assert_eq!(SkipLoopFilter::Bidir.ffmpeg_value(), "bidir");
        assert_eq!(
            DecodeSpec::default().skip_loop_filter,
            SkipLoopFilter::Bidir
        );
    }

    #[test]
    fn analysis_size_keeps_aspect_and_is_even() {
        assert_eq!(analysis_size(1920, 1080, 256), (256, 144));
        assert_eq!(analysis_size(544, 1280, 256), (256, 602));
        assert_eq!(analysis_size(100, 50, 256), (100, 50));
    }
}
