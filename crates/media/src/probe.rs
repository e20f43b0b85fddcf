//! ffprobe output parsed into domain types. Display geometry honours the rotation
//! display matrix (±90° swaps width and height) and the sample aspect ratio
//! (anamorphic pixels widen or narrow the picture a viewer sees).

use std::path::Path;
use std::process::Command;

use serde::Deserialize;

use crate::process::{ffprobe_bin, run, MediaError, RunOpts};

#[derive(Debug, Clone, PartialEq)]
pub struct VideoInfo {
    pub codec: String,
    /// Coded (stored) size.
    pub coded_width: u32,
    pub coded_height: u32,
    /// Rotation in degrees from the display matrix, normalised to 0, 90, 180, 270.
    pub rotation: u32,
    /// Sample (pixel) aspect ratio.
    pub sar: (u32, u32),
    /// Size a viewer sees: SAR applied to the width, then rotation.
    pub display_width: u32,
    pub display_height: u32,
    /// Average frame rate (frames / duration); falls back to r_frame_rate.
    pub avg_frame_rate: f64,
    pub r_frame_rate: f64,
    pub nb_frames: Option<u64>,
    pub pix_fmt: Option<String>,
    pub bit_rate: Option<u64>,
    /// The stream's colour description (ffprobe's `color_*` fields).
    pub colour: Colour,
    /// Interlaced (ffprobe's `field_order` is `tt`, `bb`, `tb` or `bt`): each frame holds
    /// two fields from different instants.
    pub interlaced: bool,
    /// Interlaced with the bottom field shown first (`field_order` `bb` or `tb`).
    pub bottom_field_first: bool,
}

/// How a stream's Y'CbCr codes map to colours: ffprobe's `color_space` (matrix),
/// `color_range`, `color_transfer` and `color_primaries`, `None` when untagged
/// (`unknown`/`unspecified`/`reserved`). A `yuvj*` pixel format is full range whatever the
/// range tag says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Colour {
    pub matrix: Option<String>,
    pub range: Option<String>,
    pub transfer: Option<String>,
    pub primaries: Option<String>,
    /// Full-range (`pc`/JPEG) codes: the range tag says `pc` or the pixel format is `yuvj*`.
    pub full_range: bool,
    /// PQ only: the brightest the picture gets, in cd/m² (nits), from the stream's HDR10
    /// static metadata: its content light level (MaxCLL) when given, else the mastering
    /// display's peak; read from the stream's side data or, failing that, from the first
    /// frame's. None when the stream carries neither (or is not PQ).
    pub peak_nits: Option<f64>,
}

/// Transfer characteristics of high dynamic range video (HLG, PQ).
pub const HDR_TRANSFERS: [&str; 2] = ["arib-std-b67", "smpte2084"];

impl Colour {
    fn from_tags(
        space: Option<String>,
        range: Option<String>,
        transfer: Option<String>,
        primaries: Option<String>,
        pix_fmt: Option<&str>,
    ) -> Colour {
        let tag = |v: Option<String>| {
            v.filter(|t| !matches!(t.as_str(), "" | "unknown" | "unspecified" | "reserved"))
        };
        let range = tag(range);
        let full_range =
            range.as_deref() == Some("pc") || pix_fmt.is_some_and(|f| f.starts_with("yuvj"));
        Colour {
            matrix: tag(space),
            range,
            transfer: tag(transfer),
            primaries: tag(primaries),
            full_range,
            peak_nits: None,
        }
    }

    /// True for PQ (SMPTE ST 2084) video.
    pub fn is_pq(&self) -> bool {
        self.transfer.as_deref() == Some("smpte2084")
    }

    /// True for SDR video whose primaries are wider than BT.709's: BT.2020, or P3 (DCI
    /// `smpte431`, Display P3 `smpte432`). HDR video is BT.2020 too, but is converted by its
    /// own path ([`Colour::is_hdr`]).
    pub fn wide_gamut(&self) -> bool {
        !self.is_hdr()
            && matches!(
                self.primaries.as_deref(),
                Some("bt2020" | "smpte431" | "smpte432")
            )
    }

    /// True for HLG or PQ video (the transfer tag).
    pub fn is_hdr(&self) -> bool {
        self.transfer
            .as_deref()
            .is_some_and(|t| HDR_TRANSFERS.contains(&t))
    }

    /// The Y'CbCr matrix as swscale's `in_color_matrix` names it: `bt709`, `bt2020`,
    /// `fcc`, `smpte240m`, else (untagged, `bt470bg`, `smpte170m`) `bt601`, which is also
    /// what ffmpeg assumes for untagged video.
    pub fn sws_matrix(&self) -> &'static str {
        match self.matrix.as_deref() {
            Some("bt709") => "bt709",
            Some("bt2020nc") | Some("bt2020c") => "bt2020",
            Some("fcc") => "fcc",
            Some("smpte240m") => "smpte240m",
            _ => "bt601",
        }
    }

    /// swscale's range name: `pc` (full) or `tv` (limited, also for untagged video).
    pub fn sws_range(&self) -> &'static str {
        if self.full_range {
            "pc"
        } else {
            "tv"
        }
    }

    /// Short human-readable description, e.g. `bt709 limited`, `untagged (read as bt601)
    /// limited`, `HLG bt2020`.
    pub fn describe(&self) -> String {
        let m = match &self.matrix {
            Some(m) => m.clone(),
            None => format!("untagged (read as {})", self.sws_matrix()),
        };
        let r = if self.full_range { "full" } else { "limited" };
        match self.transfer.as_deref() {
            Some("arib-std-b67") => format!("HLG {m} {r}"),
            Some("smpte2084") => format!("PQ {m} {r}"),
            _ => format!("{m} {r}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AudioInfo {
    /// Which of the file's audio streams this is, counting audio streams only from 0:
    /// ffmpeg's stream specifier `a:N` (`-map 0:a:N`, `[0:a:N]`). The probe picks the
    /// stream flagged default (its disposition), else the first, as players do; the
    /// analysis decode and the render read this same stream.
    pub stream: usize,
    pub codec: String,
    pub sample_rate: u32,
    pub channels: u32,
    pub channel_layout: Option<String>,
}

impl AudioInfo {
    /// `-map` specifier of this stream in the first input: `0:a:N`.
    pub fn map_spec(&self) -> String {
        format!("0:a:{}", self.stream)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MediaInfo {
    /// ffprobe's `format_name`, e.g. `mov,mp4,m4a,3gp,3g2,mj2`.
    pub format_name: String,
    pub duration_s: f64,
    pub bit_rate: Option<u64>,
    pub size_bytes: Option<u64>,
    pub video: Option<VideoInfo>,
    pub audio: Option<AudioInfo>,
    pub subtitle_streams: usize,
}

impl MediaInfo {
    /// Container short name for the API: the entry of `format_name` matching the file
    /// extension when there is one (`mp4` for the mov family), else the first entry.
    pub fn container_for_extension(&self, ext: &str) -> String {
        let ext = ext.to_ascii_lowercase();
        let names: Vec<&str> = self.format_name.split(',').collect();
        if names.iter().any(|n| *n == ext) {
            return ext;
        }
        if ext == "mkv" && names.contains(&"matroska") {
            return "mkv".into();
        }
        names.first().copied().unwrap_or("unknown").to_string()
    }

    /// True for the Matroska family (`.mkv`, `.webm`).
    pub fn is_matroska(&self) -> bool {
        names_matroska(&self.format_name)
    }

    /// Overall bit rate in kb/s (container's, else estimated from size and duration).
    pub fn bitrate_kbps(&self) -> Option<u64> {
        self.bit_rate
            .or_else(|| {
                let size = self.size_bytes? as f64;
                (self.duration_s > 0.0).then(|| (size * 8.0 / self.duration_s) as u64)
            })
            .map(|b| (b + 500) / 1000)
    }
}

#[derive(Deserialize)]
struct RawProbe {
    #[serde(default)]
    streams: Vec<RawStream>,
    format: Option<RawFormat>,
}

#[derive(Deserialize)]
struct RawFormat {
    format_name: Option<String>,
    duration: Option<String>,
    bit_rate: Option<String>,
    size: Option<String>,
}

#[derive(Deserialize)]
struct RawStream {
    codec_type: Option<String>,
    codec_name: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    sample_aspect_ratio: Option<String>,
    r_frame_rate: Option<String>,
    avg_frame_rate: Option<String>,
    nb_frames: Option<String>,
    pix_fmt: Option<String>,
    bit_rate: Option<String>,
    duration: Option<String>,
    start_time: Option<String>,
    field_order: Option<String>,
    color_space: Option<String>,
    color_range: Option<String>,
    color_transfer: Option<String>,
    color_primaries: Option<String>,
    sample_rate: Option<String>,
    channels: Option<u32>,
    channel_layout: Option<String>,
    #[serde(default)]
    side_data_list: Vec<RawSideData>,
    #[serde(default)]
    tags: std::collections::HashMap<String, String>,
    #[serde(default)]
    disposition: std::collections::HashMap<String, i64>,
}

#[derive(Deserialize)]
struct RawSideData {
    rotation: Option<f64>,
    /// Content light level metadata: MaxCLL, cd/m².
    max_content: Option<f64>,
    /// Mastering display metadata: peak luminance, a rational string such as
    /// `10000000/10000` (cd/m²).
    max_luminance: Option<String>,
}

/// The HDR10 peak of a side-data list (see [`Colour::peak_nits`]): MaxCLL when positive,
/// else the mastering display's peak.
fn hdr_peak(side: &[RawSideData]) -> Option<f64> {
    let cll = side.iter().filter_map(|d| d.max_content).find(|&v| v > 0.0);
    let mastering = side
        .iter()
        .filter_map(|d| d.max_luminance.as_deref())
        .filter_map(|r| {
            let (n, d) = r.split_once('/').unwrap_or((r, "1"));
            let (n, d): (f64, f64) = (n.trim().parse().ok()?, d.trim().parse().ok()?);
            (d > 0.0).then(|| n / d)
        })
        .find(|&v| v > 0.0);
    cll.or(mastering)
}

#[derive(Deserialize)]
struct RawFrames {
    #[serde(default)]
    frames: Vec<RawFrame>,
}

#[derive(Deserialize)]
struct RawFrame {
    #[serde(default)]
    side_data_list: Vec<RawSideData>,
}

/// [`hdr_peak`] of ffprobe `-show_frames` JSON (the first frame that carries it).
pub fn parse_frame_peak_json(json: &[u8]) -> Option<f64> {
    let raw: RawFrames = serde_json::from_slice(json).ok()?;
    raw.frames.iter().find_map(|f| hdr_peak(&f.side_data_list))
}

fn parse_ratio(s: &str) -> Option<f64> {
    let (n, d) = s.split_once('/').unwrap_or((s, "1"));
    let n: f64 = n.trim().parse().ok()?;
    let d: f64 = d.trim().parse().ok()?;
    (d != 0.0 && n > 0.0).then_some(n / d)
}

fn parse_sar(s: Option<&str>) -> (u32, u32) {
    s.and_then(|s| {
        let (n, d) = s.split_once(':')?;
        let n: u32 = n.parse().ok()?;
        let d: u32 = d.parse().ok()?;
        (n > 0 && d > 0).then_some((n, d))
    })
    .unwrap_or((1, 1))
}

/// Parses ffprobe `-show_format -show_streams` JSON.
pub fn parse_probe_json(json: &[u8]) -> Result<MediaInfo, MediaError> {
    let raw: RawProbe = serde_json::from_slice(json).map_err(|e| MediaError::Parse {
        what: "ffprobe output".into(),
        message: e.to_string(),
    })?;
    let fmt = raw.format.ok_or_else(|| MediaError::BadInput {
        message: "no container format recognised".into(),
        stderr_tail: String::new(),
    })?;
    let mut video = None;
    let mut audio = None;
    let mut subtitle_streams = 0;
    let (mut audio_streams, mut audio_is_default) = (0usize, false);
    let mut stream_duration: Option<f64> = None;
    for s in raw.streams {
        match s.codec_type.as_deref() {
            // Cover art is a "video" stream with the attached_pic disposition: not a video.
            Some("video")
                if video.is_none() && s.disposition.get("attached_pic").copied() != Some(1) =>
            {
                let (Some(w), Some(h)) = (s.width, s.height) else {
                    continue;
                };
                if w == 0 || h == 0 {
                    continue;
                }
                let rot_raw = s
                    .side_data_list
                    .iter()
                    .find_map(|d| d.rotation)
                    .or_else(|| s.tags.get("rotate").and_then(|r| r.parse::<f64>().ok()))
                    .unwrap_or(0.0);
                let rotation =
                    ((rot_raw.round() as i64).rem_euclid(360) as u32 + 45) / 90 * 90 % 360;
                let sar = parse_sar(s.sample_aspect_ratio.as_deref());
                let mut dw = ((w as f64) * sar.0 as f64 / sar.1 as f64).round() as u32;
                let mut dh = h;
                if dw % 2 == 1 {
                    dw += 1;
                }
                if rotation == 90 || rotation == 270 {
                    std::mem::swap(&mut dw, &mut dh);
                }
                let r = s
                    .r_frame_rate
                    .as_deref()
                    .and_then(parse_ratio)
                    .unwrap_or(0.0);
                let avg = s
                    .avg_frame_rate
                    .as_deref()
                    .and_then(parse_ratio)
                    .unwrap_or(r);
                stream_duration = s.duration.as_deref().and_then(|d| d.parse().ok());
                let mut colour = Colour::from_tags(
                    s.color_space,
                    s.color_range,
                    s.color_transfer,
                    s.color_primaries,
                    s.pix_fmt.as_deref(),
                );
                if colour.is_pq() {
                    colour.peak_nits = hdr_peak(&s.side_data_list);
                }
                video = Some(VideoInfo {
                    codec: s.codec_name.unwrap_or_else(|| "unknown".into()),
                    coded_width: w,
                    coded_height: h,
                    rotation,
                    sar,
                    display_width: dw,
                    display_height: dh,
                    avg_frame_rate: if avg > 0.0 { avg } else { r },
                    r_frame_rate: r,
                    nb_frames: s.nb_frames.and_then(|n| n.parse().ok()),
                    pix_fmt: s.pix_fmt,
                    bit_rate: s.bit_rate.and_then(|b| b.parse().ok()),
                    colour,
                    interlaced: matches!(s.field_order.as_deref(), Some("tt" | "bb" | "tb" | "bt")),
                    bottom_field_first: matches!(s.field_order.as_deref(), Some("bb" | "tb")),
                });
            }
            Some("audio") => {
                let n = audio_streams;
                audio_streams += 1;
                let is_default = s.disposition.get("default").copied() == Some(1);
                // The first default-flagged stream wins; the first stream until one is.
                if audio.is_some() && (audio_is_default || !is_default) {
                    continue;
                }
                audio_is_default = is_default;
                audio = Some(AudioInfo {
                    stream: n,
                    codec: s.codec_name.unwrap_or_else(|| "unknown".into()),
                    sample_rate: s.sample_rate.and_then(|r| r.parse().ok()).unwrap_or(48_000),
                    channels: s.channels.unwrap_or(2),
                    channel_layout: s.channel_layout,
                });
            }
            Some("subtitle") => subtitle_streams += 1,
            _ => {}
        }
    }
    let duration_s = fmt
        .duration
        .as_deref()
        .and_then(|d| d.parse::<f64>().ok())
        .or(stream_duration)
        .unwrap_or(0.0);
    Ok(MediaInfo {
        format_name: fmt.format_name.unwrap_or_else(|| "unknown".into()),
        duration_s,
        bit_rate: fmt.bit_rate.and_then(|b| b.parse().ok()),
        size_bytes: fmt.size.and_then(|b| b.parse().ok()),
        video,
        audio,
        subtitle_streams,
    })
}

/// Runs ffprobe on `path`. A file ffprobe cannot read at all is [`MediaError::BadInput`].
pub fn probe(path: &Path, opts: &RunOpts) -> Result<MediaInfo, MediaError> {
    probe_with_span(path, opts).map(|(info, _)| info)
}

/// Probes and insists on a decodable video stream with a positive duration, whose data
/// reaches the end the file declares (see [`check_complete`]). A Matroska/WebM file that
/// declares no duration at all (written to a pipe or live, e.g. a browser's MediaRecorder)
/// gets the end of its demuxed packets as its duration, and is refused when its demuxer
/// reports it ended inside an element (cut short mid-cluster; see [`matroska_span`]).
pub fn probe_video(path: &Path, opts: &RunOpts) -> Result<MediaInfo, MediaError> {
    let (info, declared) = probe_video_unchecked(path, opts)?;
    if let Some(d) = declared {
        check_complete(path, &d, opts)?;
    }
    Ok(info)
}

/// [`probe_video`] without its last step, the completeness check: the probe, and the end
/// the file declares (None: nothing to check), for the caller to run [`check_complete`]
/// with. The analysis runs that check (one more ffprobe, ≈ 0.1 s of wall time, mostly
/// the tool's start) beside its decode instead of before it, and stops the decode when it
/// fails.
pub fn probe_video_unchecked(
    path: &Path,
    opts: &RunOpts,
) -> Result<(MediaInfo, Option<DeclaredEnd>), MediaError> {
    let (mut info, declared) = probe_with_span(path, opts)?;
    if info.video.is_none() {
        return Err(MediaError::BadInput {
            message: "the file has no video stream".into(),
            stderr_tail: String::new(),
        });
    }
    if declared.is_none()
        && info.is_matroska()
        && (info.duration_s.is_nan() || info.duration_s <= 0.0)
    {
        info.duration_s = matroska_span(path, opts)?;
    }
    if info.duration_s.is_nan() || info.duration_s <= 0.0 {
        return Err(MediaError::BadInput {
            message: "the video has no duration".into(),
            stderr_tail: String::new(),
        });
    }
    Ok((info, declared))
}

/// [`probe`], plus the end the container declares for its data (see [`declared_end`]).
fn probe_with_span(
    path: &Path,
    opts: &RunOpts,
) -> Result<(MediaInfo, Option<DeclaredEnd>), MediaError> {
    let mut cmd = Command::new(ffprobe_bin());
    cmd.args([
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
    ])
    .arg(path);
    let out = match run(cmd, "ffprobe", opts, |_| {}) {
        Ok(o) => o,
        Err(MediaError::ToolFailed { stderr_tail, .. }) => {
            let message = match probe_failure_reason(&stderr_tail, path) {
                Some(why) => format!("ffprobe could not read the file ({why})"),
                None => "ffprobe could not read the file".into(),
            };
            return Err(MediaError::BadInput {
                message,
                stderr_tail,
            });
        }
        Err(e) => return Err(e),
    };
    let mut info = parse_probe_json(&out.stdout)?;
    let declared = declared_end(&out.stdout);
    // HDR10 metadata usually rides in the first frame's SEI, not in the container: one
    // more (short) ffprobe for PQ video whose stream side data did not carry it.
    if let Some(v) = info.video.as_mut() {
        if v.colour.is_pq() && v.colour.peak_nits.is_none() {
            v.colour.peak_nits = probe_frame_peak(path, opts);
        }
    }
    Ok((info, declared))
}

/// Why ffprobe refused a file, from the last two lines of its error output, e.g.
/// "moov atom not found; Invalid data found when processing input". The lines are
/// stripped of the demuxer's `[mov,mp4,... @ 0x55…]` prefix and of the file's path, which
/// on the server is an internal storage path that must not reach a client.
fn probe_failure_reason(stderr_tail: &str, path: &Path) -> Option<String> {
    let shown = path.display().to_string();
    let lines: Vec<String> = stderr_tail
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let l = match (l.starts_with('['), l.find("] ")) {
                (true, Some(end)) => &l[end + 2..],
                _ => l,
            };
            let l = l.strip_prefix(&format!("{shown}: ")).unwrap_or(l);
            l.replace(&shown, "the file")
        })
        .collect();
    let mut last: Vec<String> = lines.into_iter().rev().take(2).collect();
    last.reverse();
    last.dedup();
    (!last.is_empty()).then(|| last.join("; "))
}

/// The HDR10 peak of the first video frame's side data; None when it carries none or
/// ffprobe fails (the tone-map then assumes its default peak).
fn probe_frame_peak(path: &Path, opts: &RunOpts) -> Option<f64> {
    let mut cmd = Command::new(ffprobe_bin());
    cmd.args([
        "-v",
        "error",
        "-select_streams",
        "v:0",
        "-read_intervals",
        "%+#1",
        "-show_frames",
        "-print_format",
        "json",
    ])
    .arg(path);
    let out = run(cmd, "ffprobe", opts, |_| {}).ok()?;
    parse_frame_peak_json(&out.stdout)
}

/// Where a file says its data ends, for [`check_complete`].
#[derive(Debug, Clone, PartialEq)]
pub struct DeclaredEnd {
    /// The first video stream's start time (where a whole-file demux that finds nothing
    /// leaves the data's end).
    pub start: f64,
    /// The declared end, seconds on the streams' time line.
    pub end: f64,
    /// True when `end` is the video stream's own; false when it is the container's (the
    /// latest stream's end), so that every stream's packets are compared with it.
    pub video_only: bool,
}

/// What the container declares about the end of its data. MP4/MOV: the first video
/// stream's `start_time + duration` (track durations). Matroska/WebM: no stream duration,
/// but the muxer's per-stream `DURATION` tag (ffmpeg and mkvmerge write the stream's end
/// time there) or, failing that, the segment's `Duration` element (ffprobe's format
/// duration, the end of the longest stream), both written when the file is finalised; so a
/// Matroska file cut short still declares the full length. None when neither is stated
/// (Matroska written to a pipe). AVI: its header states the video's frame count (the
/// stream header's length), which a file cut short keeps while ffprobe's durations shrink
/// to the data it finds, so the declared end is `start + frames / frame rate` when that is
/// later than the stream's duration. Other containers (MPEG-TS among them) declare nothing:
/// their format duration may be an estimate from the bit rate or the data itself, so a
/// file cut short is simply a shorter file. Cover art is not the video stream.
/// Whether ffprobe's `format_name` (a comma-separated list) names the Matroska demuxer
/// (`matroska,webm` for both Matroska and WebM files).
fn names_matroska(format_name: &str) -> bool {
    format_name.split(',').any(|n| n == "matroska")
}

fn declared_end(json: &[u8]) -> Option<DeclaredEnd> {
    let raw: RawProbe = serde_json::from_slice(json).ok()?;
    let format_name = raw.format.as_ref().and_then(|f| f.format_name.as_deref());
    let matroska = format_name.is_some_and(names_matroska);
    let avi = format_name.is_some_and(|n| n.split(',').any(|n| n == "avi"));
    let format_duration = raw
        .format
        .as_ref()
        .and_then(|f| f.duration.as_deref())
        .and_then(|d| d.parse::<f64>().ok());
    let s = raw.streams.into_iter().find(|s| {
        s.codec_type.as_deref() == Some("video")
            && s.disposition.get("attached_pic").copied() != Some(1)
    })?;
    let start: f64 = s.start_time.as_deref()?.parse().ok()?;
    let ok = |v: f64| v.is_finite() && v > 0.0;
    let duration = s.duration.as_deref().and_then(|d| d.parse::<f64>().ok());
    let counted = avi
        .then(|| avi_frames_span(&s))
        .flatten()
        .filter(|&v| ok(v));
    let duration = match (duration.filter(|&v| ok(v)), counted) {
        (Some(d), Some(c)) => Some(d.max(c)),
        (d, c) => d.or(c).or(duration),
    };
    if let Some(duration) = duration {
        return (start.is_finite() && ok(duration)).then_some(DeclaredEnd {
            start,
            end: start + duration,
            video_only: true,
        });
    }
    if !matroska || !start.is_finite() {
        return None;
    }
    let tag = s
        .tags
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("DURATION"))
        .and_then(|(_, v)| parse_clock(v))
        .filter(|&v| ok(v));
    match (tag, format_duration.filter(|&v| ok(v))) {
        (Some(end), _) => Some(DeclaredEnd {
            start,
            end,
            video_only: true,
        }),
        (None, Some(end)) => Some(DeclaredEnd {
            start,
            end,
            video_only: false,
        }),
        (None, None) => None,
    }
}

/// The length an AVI's header states for its video: the frame count (`nb_frames`, the
/// stream header's `dwLength`) over the frame rate (`avg_frame_rate`, else `r_frame_rate`;
/// AVI runs at a constant rate, a dropped frame being an empty chunk that still counts).
fn avi_frames_span(s: &RawStream) -> Option<f64> {
    let frames: f64 = s.nb_frames.as_deref()?.parse::<u64>().ok()? as f64;
    let fps = [s.avg_frame_rate.as_deref(), s.r_frame_rate.as_deref()]
        .into_iter()
        .flatten()
        .filter_map(parse_ratio)
        .find(|r| r.is_finite() && *r > 0.0)?;
    (frames > 0.0).then(|| frames / fps)
}

/// `HH:MM:SS.fffffffff` (Matroska's `DURATION` tag) in seconds.
fn parse_clock(s: &str) -> Option<f64> {
    let mut parts = s.trim().split(':').rev();
    let sec: f64 = parts.next()?.parse().ok()?;
    let min: f64 = parts.next().map_or(Some(0.0), |m| m.parse().ok())?;
    let hour: f64 = parts.next().map_or(Some(0.0), |h| h.parse().ok())?;
    if parts.next().is_some() {
        return None;
    }
    Some(hour * 3600.0 + min * 60.0 + sec)
}

/// What ffmpeg's Matroska demuxer logs (at error level) when the file ends inside an
/// element: a file cut short mid-cluster. The demuxer then drops the whole unfinished
/// cluster (up to 5 s of picture with ffmpeg's muxer), so such a file is not decodable up
/// to its cut either.
const MATROSKA_CUT_SHORT: &str = "File ended prematurely";

/// The end of the data of a Matroska file that declares no duration: every stream's
/// packets demuxed (no decoding), the latest `pts + duration`. Fails with
/// [`MediaError::BadInput`] when the demuxer reports the file cut short mid-element
/// ([`MATROSKA_CUT_SHORT`]), or when it finds no timed packet.
fn matroska_span(path: &Path, opts: &RunOpts) -> Result<f64, MediaError> {
    let (csv, tail) = demux_packets(path, None, false, opts)?;
    if tail.contains(MATROSKA_CUT_SHORT) {
        let upto = demuxed_end(&csv).map_or(String::new(), |e| format!(" after {e:.2} s"));
        return Err(MediaError::BadInput {
            message: format!(
                "the file is truncated: it declares no duration and its data is cut short \
                 mid-cluster{upto}"
            ),
            stderr_tail: tail,
        });
    }
    demuxed_end(&csv).ok_or_else(|| MediaError::BadInput {
        message: "the video has no duration".into(),
        stderr_tail: tail,
    })
}

/// Demuxes (no decoding) the packets of `path` from `from` seconds (the keyframe before
/// it; the whole file when None), the first video stream only or every stream; returns
/// ffprobe's `pts_time,duration_time` CSV lines and its stderr tail.
fn demux_packets(
    path: &Path,
    from: Option<f64>,
    video_only: bool,
    opts: &RunOpts,
) -> Result<(String, String), MediaError> {
    let mut cmd = Command::new(ffprobe_bin());
    cmd.args(["-v", "error"]);
    if video_only {
        cmd.args(["-select_streams", "v:0"]);
    }
    if let Some(t) = from {
        cmd.arg("-read_intervals").arg(format!("{t:.3}%"));
    }
    cmd.args([
        "-show_entries",
        "packet=pts_time,duration_time",
        "-of",
        "csv=p=0",
    ])
    .arg(path);
    let out = run(cmd, "ffprobe", opts, |_| {})?;
    Ok((
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.stderr_tail,
    ))
}

/// Declared video (seconds) a file may lack at its end before it counts as truncated: more
/// than a frame or two of rounding between a track's duration and its last packet, less
/// than anything a viewer would miss.
pub const TRUNCATION_TOLERANCE_S: f64 = 0.5;

/// Fails with [`MediaError::BadInput`] when the data stops well before the end the file
/// declares ([`DeclaredEnd`]): a file cut short after its index (an MP4 written with the
/// index first, `+faststart`, then truncated; any Matroska/WebM file, whose header states
/// the length and whose index comes last) probes with the full duration, and a decode
/// silently stops where the data does. Only the last two seconds are demuxed (from the
/// keyframe before them; no decoding), so the check costs one short ffprobe run; when that
/// finds no packet at all (the seek landed past the data; a Matroska file cut short has
/// lost its index, and its demuxer then reads clusters up to the target), the whole file
/// is demuxed.
pub fn check_complete(
    path: &Path,
    declared: &DeclaredEnd,
    opts: &RunOpts,
) -> Result<(), MediaError> {
    let DeclaredEnd {
        start,
        end: declared_end,
        video_only,
    } = *declared;
    let from = (declared_end - 2.0).max(start);
    let (mut csv, mut tail) = demux_packets(path, Some(from), video_only, opts)?;
    if csv.trim().is_empty() {
        // Nothing after the seek: the keyframe it lands on lies past the data, or the
        // format does not seek. Demux the whole file (still no decoding) to tell which.
        (csv, tail) = demux_packets(path, None, video_only, opts)?;
    }
    let end = if csv.trim().is_empty() {
        start
    } else {
        match demuxed_end(&csv) {
            Some(e) => e,
            // Packets without times: nothing to compare (the decode will tell).
            None => return Ok(()),
        }
    };
    if declared_end - end > TRUNCATION_TOLERANCE_S {
        let what = if video_only { "video data" } else { "data" };
        return Err(MediaError::BadInput {
            message: format!(
                "the file is truncated: its {what} stops at {end:.2} s of the {declared_end:.2} s it declares"
            ),
            stderr_tail: tail,
        });
    }
    Ok(())
}

/// The end (`pts + duration`) of the latest packet in ffprobe's `pts_time,duration_time`
/// CSV lines; packets without a time are skipped.
fn demuxed_end(csv: &str) -> Option<f64> {
    csv.lines()
        .filter_map(|l| {
            let mut it = l.split(',');
            let pts: f64 = it.next()?.trim().parse().ok()?;
            let d: f64 = it.next().and_then(|d| d.trim().parse().ok()).unwrap_or(0.0);
            Some(pts + d)
        })
        .filter(|e| e.is_finite())
        .reduce(f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ffprobe's own words reach the message, without the demuxer prefix or the path.
    #[test]
    fn a_refused_file_says_why_without_its_path() {
        let path = Path::new("/srv/stylecut/blobs/ab/cd/upload-1.mp4");
        let tail = "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x564824cf21c0] moov atom not found\n\
                    /srv/stylecut/blobs/ab/cd/upload-1.mp4: Invalid data found when processing input\n";
        let why = probe_failure_reason(tail, path).unwrap();
        assert_eq!(
            why,
            "moov atom not found; Invalid data found when processing input"
        );
        assert!(!why.contains("/srv"), "{why}");
        assert_eq!(probe_failure_reason("\n  \n", path), None);
    }

    /// HDR10 static metadata from ffprobe's frame side data: MaxCLL first, else the
    /// mastering display's peak; none when absent or zero.
    #[test]
    fn pq_peak_from_hdr10_metadata() {
        let both = br#"{"frames": [{"side_data_list": [
            {"side_data_type": "Mastering display metadata", "red_x": "34000/50000",
             "min_luminance": "1/10000", "max_luminance": "10000000/10000"},
            {"side_data_type": "Content light level metadata", "max_content": 203,
             "max_average": 100}]}]}"#;
        assert_eq!(parse_frame_peak_json(both), Some(203.0));
        let mastering = br#"{"frames": [{"side_data_list": [
            {"side_data_type": "Mastering display metadata", "max_luminance": "40000000/10000"},
            {"side_data_type": "Content light level metadata", "max_content": 0,
             "max_average": 0}]}]}"#;
        assert_eq!(parse_frame_peak_json(mastering), Some(4000.0));
        assert_eq!(parse_frame_peak_json(br#"{"frames": [{}]}"#), None);
        assert_eq!(parse_frame_peak_json(br#"{"frames": []}"#), None);
        assert_eq!(parse_frame_peak_json(b"not json"), None);
    }

    fn fixture(name: &str) -> MediaInfo {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        parse_probe_json(&std::fs::read(path).unwrap()).unwrap()
    }

    #[test]
    fn rotated_clip_swaps_display_size() {
        let i = fixture("issue-134-rotate.probe.json");
        let v = i.video.clone().unwrap();
        assert_eq!((v.coded_width, v.coded_height), (1280, 544));
        assert_eq!(v.rotation, 270);
        assert_eq!((v.display_width, v.display_height), (544, 1280));
        assert!((v.avg_frame_rate - 23.976).abs() < 0.01);
        assert_eq!(i.container_for_extension("mp4"), "mp4");
        assert!(i.audio.is_some());
    }

    #[test]
    fn anamorphic_clip_widens() {
        let i = fixture("issue-195-aspect-ratio.probe.json");
        let v = i.video.clone().unwrap();
        assert_eq!(v.sar, (16, 11));
        assert_eq!((v.display_width, v.display_height), (1024, 576));
    }

    #[test]
    fn webm_container_name() {
        let i = fixture("big_buck_bunny_0_30.probe.json");
        assert_eq!(i.container_for_extension("webm"), "webm");
        assert_eq!(i.video.as_ref().unwrap().codec, "vp8");
        assert!((i.duration_s - 30.0).abs() < 0.1);
    }

    #[test]
    fn colour_tags_are_parsed() {
        let j = |extra: &str| {
            format!(
                r#"{{"format": {{"format_name": "mp4", "duration": "1"}}, "streams": [{{
                "codec_type": "video", "codec_name": "h264", "width": 64, "height": 36{extra}}}]}}"#
            )
        };
        let c = |extra: &str| {
            parse_probe_json(j(extra).as_bytes())
                .unwrap()
                .video
                .unwrap()
                .colour
        };
        let untagged = c(r#", "pix_fmt": "yuv420p", "color_space": "unknown""#);
        assert_eq!(untagged.matrix, None);
        assert_eq!(
            (untagged.sws_matrix(), untagged.sws_range()),
            ("bt601", "tv")
        );
        assert!(!untagged.is_hdr());
        let full = c(r#", "pix_fmt": "yuvj420p", "color_space": "bt709""#);
        assert_eq!((full.sws_matrix(), full.sws_range()), ("bt709", "pc"));
        let hlg = c(
            r#", "pix_fmt": "yuv420p10le", "color_range": "tv", "color_space": "bt2020nc",
            "color_transfer": "arib-std-b67", "color_primaries": "bt2020""#,
        );
        assert!(hlg.is_hdr());
        assert_eq!((hlg.sws_matrix(), hlg.sws_range()), ("bt2020", "tv"));
        let f = crate::decode::to_sdr_bt709(&hlg).unwrap();
        assert!(
            f.starts_with("zscale=tin=arib-std-b67:min=2020_ncl:pin=bt2020:rin=limited"),
            "{f}"
        );
        assert!(crate::decode::to_sdr_bt709(&full).is_none());
        // SDR with wider primaries than BT.709's: converted in linear light, no tone map.
        let sdr2020 = c(
            r#", "pix_fmt": "yuv420p10le", "color_range": "tv", "color_space": "bt2020nc",
            "color_transfer": "bt2020-10", "color_primaries": "bt2020""#,
        );
        assert!(sdr2020.wide_gamut() && !sdr2020.is_hdr());
        let f = crate::decode::to_sdr_bt709(&sdr2020).unwrap();
        assert!(
            f.starts_with("zscale=tin=2020_10:min=2020_ncl:pin=bt2020:rin=limited:t=bt709")
                && !f.contains("tonemap"),
            "{f}"
        );
        let p3 = c(
            r#", "pix_fmt": "yuv420p", "color_space": "bt709", "color_transfer": "bt709",
            "color_primaries": "smpte432""#,
        );
        let f = crate::decode::to_sdr_bt709(&p3).unwrap();
        assert!(
            f.starts_with("zscale=tin=709:min=bt709:pin=smpte432"),
            "{f}"
        );
        // HDR is not "wide gamut": it has its own path.
        assert!(!hlg.wide_gamut());
        // PQ: reference white at 1, the stream's peak (stream side data here) at SDR
        // white; without metadata the default 1000 cd/m².
        let pq = c(
            r#", "pix_fmt": "yuv420p10le", "color_range": "tv", "color_space": "bt2020nc",
            "color_transfer": "smpte2084", "color_primaries": "bt2020", "side_data_list": [
            {"side_data_type": "Content light level metadata", "max_content": 1015,
             "max_average": 300}]"#,
        );
        assert!(pq.is_hdr() && pq.is_pq());
        assert_eq!(pq.peak_nits, Some(1015.0));
        let f = crate::decode::to_sdr_bt709(&pq).unwrap();
        assert!(f.contains(":t=linear:npl=203,"), "{f}");
        assert!(
            f.contains("tonemap=tonemap=mobius:param=0.6:peak=5.0000:desat=0"),
            "{f}"
        );
        let bare = Colour {
            peak_nits: None,
            ..pq.clone()
        };
        let f = crate::decode::to_sdr_bt709(&bare).unwrap();
        assert!(f.contains(":peak=4.9261:"), "{f}");
        // A peak below reference white does not brighten the picture.
        let dim = Colour {
            peak_nits: Some(100.0),
            ..pq
        };
        let f = crate::decode::to_sdr_bt709(&dim).unwrap();
        assert!(f.contains(":peak=1.0000:"), "{f}");
        assert!(hlg.peak_nits.is_none());
    }

    #[test]
    fn demuxed_end_is_the_latest_packet_end() {
        // B-frames come out of order; a packet without a time is skipped.
        let csv = "4.938000,0.033367\n5.005000,0.033367\n4.971633,0.033367\nN/A,N/A\n";
        assert!((demuxed_end(csv).unwrap() - 5.038367).abs() < 1e-9);
        assert_eq!(demuxed_end(""), None);
        assert_eq!(demuxed_end("N/A,N/A\n"), None);
    }

    #[test]
    fn declared_end_needs_a_stated_start_and_duration() {
        let j = |extra: &str| {
            format!(
                r#"{{"format": {{"format_name": "mp4", "duration": "6"}}, "streams": [
                {{"codec_type": "audio", "start_time": "0", "duration": "9"}},
                {{"codec_type": "video", "width": 64, "height": 36{extra}}}]}}"#
            )
        };
        assert_eq!(
            declared_end(j(r#", "start_time": "0.5", "duration": "6.006""#).as_bytes()),
            Some(DeclaredEnd {
                start: 0.5,
                end: 6.506,
                video_only: true
            })
        );
        // MP4 without a track duration: the format duration may be an estimate, no check.
        assert_eq!(declared_end(j(r#", "start_time": "0""#).as_bytes()), None);
        assert_eq!(declared_end(j("").as_bytes()), None);
    }

    /// An AVI cut short keeps its header's frame count while ffprobe's durations shrink to
    /// the data: the count over the frame rate is the declared end. MPEG-TS declares
    /// nothing of its own, so its measured duration is not a declaration to check.
    #[test]
    fn avi_declares_its_frame_count() {
        let j = |fmt: &str, frames: &str| {
            format!(
                r#"{{"format": {{"format_name": "{fmt}", "duration": "3.041667"}}, "streams": [
                {{"codec_type": "video", "width": 64, "height": 36, "start_time": "0.000000",
                  "duration": "3.041667", "avg_frame_rate": "24/1", "r_frame_rate": "24/1"{frames}}}]}}"#
            )
        };
        let cut = declared_end(j("avi", r#", "nb_frames": "145""#).as_bytes()).unwrap();
        assert!((cut.end - 145.0 / 24.0).abs() < 1e-9, "{cut:?}");
        assert!(cut.video_only);
        // A whole AVI: the count and the duration agree.
        let whole = declared_end(j("avi", r#", "nb_frames": "73""#).as_bytes()).unwrap();
        assert!((whole.end - 3.041667).abs() < 1e-9, "{whole:?}");
        // Without a count, or in another container, the stream's duration stands.
        let none = declared_end(j("avi", "").as_bytes()).unwrap();
        assert!((none.end - 3.041667).abs() < 1e-9);
        let ts = declared_end(j("mpegts", r#", "nb_frames": "145""#).as_bytes()).unwrap();
        assert!((ts.end - 3.041667).abs() < 1e-9);
    }

    /// Matroska states no stream duration: the video's `DURATION` tag (an end time) is
    /// its declared end; without it the segment's duration, compared with every stream.
    #[test]
    fn matroska_declares_its_end_in_tags_or_the_segment() {
        let j = |fmt_duration: &str, tags: &str| {
            format!(
                r#"{{"format": {{"format_name": "matroska,webm"{fmt_duration}}}, "streams": [
                {{"codec_type": "video", "width": 64, "height": 36, "start_time": "0.021",
                  "tags": {{{tags}}}}}]}}"#
            )
        };
        assert_eq!(
            declared_end(
                j(
                    r#", "duration": "6.027""#,
                    r#""DURATION": "00:00:06.027000000""#
                )
                .as_bytes()
            ),
            Some(DeclaredEnd {
                start: 0.021,
                end: 6.027,
                video_only: true
            })
        );
        assert_eq!(
            declared_end(j(r#", "duration": "30.003""#, "").as_bytes()),
            Some(DeclaredEnd {
                start: 0.021,
                end: 30.003,
                video_only: false
            })
        );
        assert_eq!(declared_end(j("", "").as_bytes()), None);
        assert_eq!(parse_clock("01:02:03.500000000"), Some(3723.5));
        assert_eq!(parse_clock("6.5"), Some(6.5));
        assert_eq!(parse_clock("x:00:01"), None);
    }

    #[test]
    fn garbage_json_is_a_parse_error() {
        assert!(matches!(
            parse_probe_json(b"{not json"),
            Err(MediaError::Parse { .. })
        ));
    }
}
