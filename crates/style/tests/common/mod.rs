//! Shared helpers of the style integration tests: real media paths, ffmpeg fixture
//! generation, the analysis entry point, hand-built analyses and styles, and ffprobe/ebur128
//! measurements of rendered outputs (tests may call ffmpeg directly).
#![allow(dead_code)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use stylecut_media::{AudioInfo, MediaInfo, RunOpts, VideoInfo};
use stylecut_style::analyze::analyze_file;
use stylecut_types::{
    Analysis, AudioFeatures, AudioStyle, ColorGrade, Loudness, Span, StyleJson, TransitionStyle,
};

pub fn media(rel: &str) -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/media"
    ))
    .join(rel)
}

/// Runs ffmpeg with `args` (after `-y -v error`), panicking with its stderr on failure.
pub fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-y", "-v", "error"])
        .args(args)
        .output()
        .expect("ffmpeg runs");
    assert!(
        out.status.success(),
        "ffmpeg {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `secs` seconds of a 320×180 test picture at 25 fps with the sound of the `aevalsrc`
/// expression `expr` at 48 kHz (H.264 `ultrafast`, AAC at 192 kb/s).
pub fn picture_and_sound(path: &Path, secs: u32, expr: &str) {
    let p = path.to_str().expect("utf-8 path");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &format!("testsrc2=s=320x180:r=25:d={secs}"),
        "-f",
        "lavfi",
        "-i",
        &format!("aevalsrc='{expr}':s=48000:d={secs}"),
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-c:a",
        "aac",
        "-b:a",
        "192k",
        p,
    ]);
}

/// The sound of `path` decoded to 48 kHz 32-bit float samples, `channels` interleaved.
pub fn sound_f32(path: &Path, channels: u32) -> Vec<f32> {
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-v", "error", "-i"])
        .arg(path)
        .args([
            "-vn",
            "-f",
            "f32le",
            "-acodec",
            "pcm_f32le",
            "-ar",
            "48000",
            "-ac",
        ])
        .arg(channels.to_string())
        .arg("-");
    stdout_of(&mut cmd)
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// Raw frames of the still image `pattern` looped at 30 fps through the filtergraph
/// `graph` (one input, one output), as ffmpeg's `rawvideo` writes them: no encoder in
/// between, so what the filters draw is what is measured.
pub fn still_through(pattern: &Path, graph: &str, frames: usize) -> Vec<u8> {
    let mut cmd = Command::new("ffmpeg");
    cmd.args([
        "-v",
        "error",
        "-nostdin",
        "-loop",
        "1",
        "-framerate",
        "30",
        "-i",
    ])
    .arg(pattern)
    .args(["-frames:v", &frames.to_string(), "-filter_complex", graph])
    .args(["-f", "rawvideo", "-"]);
    stdout_of(&mut cmd)
}

/// What `cmd` writes to its standard output, panicking with its stderr on failure.
fn stdout_of(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().expect("ffmpeg runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

pub fn analyze(path: &Path) -> Analysis {
    analyze_file(path, &RunOpts::default(), None, &mut |_, _| {})
        .expect("analysis succeeds")
        .1
}

/// Hard-cut precision / recall / F1 of detected cut times against ground truth within
/// `tol_s`.
pub fn cut_scores(detected: &[f64], truth: &[f64], tol_s: f64) -> (usize, usize, usize, f64) {
    let mut used = vec![false; detected.len()];
    let mut tp = 0;
    for t in truth {
        if let Some(i) = (0..detected.len())
            .filter(|&i| !used[i] && (detected[i] - t).abs() <= tol_s)
            .min_by(|&a, &b| (detected[a] - t).abs().total_cmp(&(detected[b] - t).abs()))
        {
            used[i] = true;
            tp += 1;
        }
    }
    let fp = detected.len() - tp;
    let fn_ = truth.len() - tp;
    let f1 = if truth.is_empty() && detected.is_empty() {
        1.0
    } else {
        2.0 * tp as f64 / (2 * tp + fp + fn_) as f64
    };
    (tp, fp, fn_, f1)
}

pub fn cuts(a: &Analysis) -> Vec<f64> {
    a.transitions
        .iter()
        .filter(|t| t.kind == "cut")
        .map(|t| t.start_s)
        .collect()
}

pub fn analysis(duration_s: f64, w: u32, h: u32, fps: f64, cuts: &[f64]) -> Analysis {
    let mut edges = vec![0.0];
    edges.extend_from_slice(cuts);
    edges.push(duration_s);
    Analysis {
        duration_s,
        width: w,
        height: h,
        frame_rate: fps,
        shots: edges
            .windows(2)
            .map(|e| Span {
                start_s: e[0],
                end_s: e[1],
            })
            .collect(),
        transitions: vec![],
        tempo_bpm: None,
        beats: vec![],
        loudness: Loudness {
            integrated_lufs: None,
            range_lu: None,
            true_peak_dbtp: None,
        },
        speech_segments: vec![],
        speech_pauses: vec![],
        motion: vec![],
        color: vec![],
        color_grade: ColorGrade::NEUTRAL,
        audio: AudioFeatures::default(),
        has_subtitle_stream: false,
        burned_in_captions: false,
        saliency: vec![],
        picture_change: Default::default(),
        camera_track: Default::default(),
        key_frames: vec![],
        active_area: None,
    }
}

pub fn style(aspect: &str, fps: i64, cpm: f64) -> StyleJson {
    StyleJson {
        version: "1.0".into(),
        color_grade: ColorGrade::NEUTRAL,
        aspect_ratio: aspect.into(),
        frame_rate: fps,
        audio_style: AudioStyle {
            normalization_level: 0.6,
            compression_ratio: 2.0,
            bass_boost: 20.0,
            enhance_speech: false,
        },
        cut_frequency: cpm,
        motion_intensity: 0.0,
        zoom_usage: 0.0,
        primary_transition: TransitionStyle {
            kind: "cut".into(),
            duration_ms: 0,
            easing: "linear".into(),
        },
        secondary_transition: None,
        use_subtitles: false,
        detected_beats: vec![],
        tempo_bpm: None,
        music_genre: None,
        created_at: "2026-01-01T00:00:00Z".into(),
        source_duration_seconds: 30.0,
        extraction_confidence: 0.9,
    }
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run tool");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// ffprobe `stream=<entries>` of one stream type, as key=value pairs.
pub fn stream(path: &Path, sel: &str, entries: &str) -> Vec<(String, String)> {
    let s = run(Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            sel,
            "-show_entries",
            &format!("stream={entries}"),
            "-of",
            "default=nw=1",
        ])
        .arg(path));
    s.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn get(kv: &[(String, String)], k: &str) -> String {
    kv.iter()
        .find(|(a, _)| a == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// Stream durations (video, audio) in seconds, from packet timestamps.
pub fn durations(path: &Path) -> (f64, f64) {
    let v: f64 = get(&stream(path, "v:0", "duration"), "duration")
        .parse()
        .unwrap();
    let a: f64 = get(&stream(path, "a:0", "duration"), "duration")
        .parse()
        .unwrap();
    (v, a)
}

/// Integrated loudness of a file's audio (ffmpeg ebur128).
pub fn integrated_lufs(path: &Path) -> f64 {
    let log = run(Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args(["-map", "0:a:0", "-af", "ebur128", "-f", "null", "-"]));
    let tail = &log[log.rfind("Summary:").expect("ebur128 summary")..];
    let line = tail
        .lines()
        .find(|l| l.trim_start().starts_with("I:"))
        .unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Mean R, G, B (0..255) of a file's frames, sampled at 2 fps and scaled down.
pub fn mean_rgb(path: &Path, t_max: f64) -> [f64; 3] {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-t", &t_max.to_string(), "-i"])
        .arg(path)
        .args([
            "-vf",
            "fps=2,scale=32:18,format=rgb24",
            "-f",
            "rawvideo",
            "-",
        ])
        .output()
        .unwrap();
    let px = &out.stdout;
    let n = (px.len() / 3) as f64;
    let mut acc = [0.0; 3];
    for c in px.chunks(3) {
        for i in 0..3 {
            acc[i] += c[i] as f64;
        }
    }
    acc.map(|v| v / n)
}

/// Makes a test clip: `secs` of testsrc2 video muxed with `audio` (a file, or a sine when
/// None) into `dir/name`.
pub fn make_clip(dir: &Path, name: &str, secs: f64, audio: Option<&Path>) -> PathBuf {
    let out = dir.join(name);
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("testsrc2=s=320x240:r=25:d={secs}"));
    match audio {
        Some(a) => {
            cmd.arg("-i").arg(a);
        }
        None => {
            cmd.args(["-f", "lavfi", "-i"])
                .arg(format!("sine=f=440:r=44100:d={secs}"));
        }
    }
    cmd.args([
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-t",
        &secs.to_string(),
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-c:a",
        "aac",
    ])
    .arg(&out);
    run(&mut cmd);
    out
}

/// Switches a plan's encoder to `ultrafast` (keeps tests quick on shared cores).
pub fn fast(plan: &mut stylecut_style::apply::EditPlan) {
    let preset = plan.encoder.preset.clone();
    let chunk_args = plan
        .chunks
        .iter_mut()
        .flat_map(|c| c.chunks.iter_mut())
        .flat_map(|c| c.ffmpeg_args.iter_mut());
    for a in plan.ffmpeg_args.iter_mut().chain(chunk_args) {
        if a == &preset {
            *a = "ultrafast".into();
        }
    }
}

/// 6 s of a 320×180 picture with a loud sound: a 330 Hz tone swelling between −16 and
/// −10 dBFS and, every 0.5 s, a 4 ms full-scale 1 kHz square burst (hard-clipped
/// transients, whose true peak lies ≈ 3 dB above their samples): a loud target needs the
/// limiter and a sound-only re-encode (`delivered_loudness.rs`, `kept_sound.rs`).
pub fn clipped_burst_source(path: &Path) {
    let ch = "0.3*sin(2*PI*330*t)*(0.6+0.4*sin(2*PI*0.7*t))+if(lt(mod(t\\,0.5)\\,0.004)\\,sgn(sin(2*PI*1000*t))\\,0)";
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=gray:s=320x180:r=25:d=6",
        "-f",
        "lavfi",
        "-i",
        &format!("aevalsrc='{ch}|{ch}':s=48000:d=6"),
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-c:a",
        "pcm_f32le",
        "-shortest",
        path.to_str().unwrap(),
    ]);
}

/// The analysis and style of the clipped-burst renders (`delivered_loudness.rs`,
/// `kept_sound.rs`): 6 s at 320×180 and 25 fps with cuts at 2 and 4 s and sound, rendered to
/// −12 LUFS (`normalization_level` 0.8) with no compression and no bass shelf.
pub fn loud_burst_inputs() -> (Analysis, StyleJson) {
    let mut a = analysis(6.0, 320, 180, 25.0, &[2.0, 4.0]);
    a.audio.has_audio = true;
    let mut st = style("16:9", 25, 30.0);
    st.audio_style.normalization_level = 0.8;
    st.audio_style.compression_ratio = 1.0;
    st.audio_style.bass_boost = 0.0;
    (a, st)
}

/// Writes an executable shell script `path` that appends each run's arguments to `log`,
/// runs `extra` (shell, with the arguments in `"$@"`), then execs ffmpeg; point
/// `STYLECUT_FFMPEG` at it to see (and steer) the processes a render runs.
pub fn logging_ffmpeg_wrapper(path: &Path, log: &Path, extra: &str) {
    std::fs::write(
        path,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\n{extra}\nexec ffmpeg \"$@\"\n",
            log.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// The one-process plan of the loud-burst job ([`clipped_burst_source`] with
/// [`loud_burst_inputs`], fast encoder) rendered through a [`logging_ffmpeg_wrapper`]
/// running `extra`, which `STYLECUT_FFMPEG` now points at (for test binaries whose every
/// render may see it). Returns the plan, the wrapper's log and the source.
pub fn wrapped_burst_plan(
    dir: &Path,
    extra: &str,
) -> (stylecut_style::apply::EditPlan, PathBuf, PathBuf) {
    let src = dir.join("bursts.mkv");
    clipped_burst_source(&src);
    let log = dir.join("ffmpeg.log");
    let wrapper = dir.join("ffmpeg.sh");
    logging_ffmpeg_wrapper(&wrapper, &log, extra);
    std::env::set_var("STYLECUT_FFMPEG", &wrapper);
    let info = stylecut_media::probe::probe(&src, &stylecut_media::RunOpts::default()).unwrap();
    let (a, st) = loud_burst_inputs();
    let mut plan = stylecut_style::apply::plan(
        &src,
        &info,
        &a,
        Some(&st),
        &stylecut_types::config::JobConfig::default(),
    )
    .unwrap();
    fast(&mut plan);
    assert!(plan.chunks.is_none());
    (plan, log, src)
}

/// Speech over 0–4.9 s and 7.3–12 s of a 12 s source: the silent 4.9–7.3 s stretch is dead
/// air that pacing drops as a jump cut.
pub fn speech_around_a_gap() -> Vec<Span> {
    vec![
        Span {
            start_s: 0.0,
            end_s: 4.9,
        },
        Span {
            start_s: 7.3,
            end_s: 12.0,
        },
    ]
}

/// Dot-pattern geometry (the pan and reframe-window tests): magenta Gaussian dots of
/// [`DOT_SIGMA`] px every [`DOT_STEP`] px, off the pixel grid, on a dark ground.
pub const DOT_SIGMA: f64 = 3.0;
pub const DOT_STEP: f64 = 24.0;

/// Dot centres (continuous coordinates: pixel `i` covers `[i, i + 1)`) on a grid over the
/// whole `w × h` source, off the pixel grid.
pub fn dots(w: usize, h: usize) -> Vec<(f64, f64)> {
    let mut d = Vec::new();
    let mut y = DOT_STEP / 2.0 - 0.21;
    while y < h as f64 {
        let mut x = DOT_STEP / 2.0 + 0.37;
        while x < w as f64 {
            d.push((x, y));
            x += DOT_STEP;
        }
        y += DOT_STEP;
    }
    d
}

/// The pattern as an 8-bit RGB PPM: ground (16, 16, 16), dots up to (235, 16, 235).
pub fn write_dot_pattern(path: &Path, w: usize, h: usize) {
    let pts = dots(w, h);
    let mut px = vec![0u8; w * h * 3];
    for (i, p) in px.chunks_mut(3).enumerate() {
        let (x, y) = ((i % w) as f64 + 0.5, (i / w) as f64 + 0.5);
        let v: f64 = pts
            .iter()
            .filter(|(dx, dy)| (x - dx).abs() < 5.0 * DOT_SIGMA && (y - dy).abs() < 5.0 * DOT_SIGMA)
            .map(|(dx, dy)| {
                (-((x - dx).powi(2) + (y - dy).powi(2)) / (2.0 * DOT_SIGMA * DOT_SIGMA)).exp()
            })
            .sum();
        let c = (16.0 + 219.0 * v.min(1.0)).round() as u8;
        p.copy_from_slice(&[c, 16, c]);
    }
    let mut f = std::fs::File::create(path).unwrap();
    writeln!(f, "P6 {w} {h} 255").unwrap();
    f.write_all(&px).unwrap();
}

/// 4:2:0 frames (Y, then Cb at half size) of `pw × ph` of the still `pattern` through
/// `filters` ([`still_through`], no encoder).
pub fn yuv420_frames(
    pattern: &Path,
    filters: &str,
    frames: usize,
    pw: usize,
    ph: usize,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    let raw = still_through(
        pattern,
        &format!("format=yuv420p,{filters},format=yuv420p"),
        frames,
    );
    let (y, c) = (pw * ph, (pw / 2) * (ph / 2));
    assert_eq!(raw.len(), frames * (y + 2 * c), "{filters}");
    raw.chunks(y + 2 * c)
        .map(|f| (f[..y].to_vec(), f[y..y + c].to_vec()))
        .collect()
}

/// Centroid `(x, y)` of the dot near `(x, y)` in a `w`-wide plane whose ground is
/// `ground` (samples within 8 codes of it left out), None when it holds no dot.
pub fn dot_centroid(p: &[u8], w: usize, ground: f64, x: f64, y: f64, r: f64) -> Option<(f64, f64)> {
    let h = p.len() / w;
    let (x0, x1) = ((x - r).max(0.0) as usize, ((x + r) as usize + 1).min(w));
    let (y0, y1) = ((y - r).max(0.0) as usize, ((y + r) as usize + 1).min(h));
    let (mut s, mut sx, mut sy) = (0.0, 0.0, 0.0);
    for row in y0..y1 {
        for col in x0..x1 {
            let v = (f64::from(p[row * w + col]) - ground).abs();
            if v >= 8.0 {
                s += v;
                sx += v * (col as f64 + 0.5);
                sy += v * (row as f64 + 0.5);
            }
        }
    }
    (s > 0.0).then(|| (sx / s, sy / s))
}

/// ffprobe's facts of a hand-built source: H.264 `w`×`h` at `fps`, `dur` s, stereo AAC at
/// 44.1 kHz when `audio`.
pub fn info(w: u32, h: u32, fps: f64, dur: f64, audio: bool) -> MediaInfo {
    MediaInfo {
        format_name: "mov,mp4,m4a,3gp,3g2,mj2".into(),
        duration_s: dur,
        bit_rate: None,
        size_bytes: None,
        video: Some(VideoInfo {
            codec: "h264".into(),
            coded_width: w,
            coded_height: h,
            rotation: 0,
            sar: (1, 1),
            display_width: w,
            display_height: h,
            avg_frame_rate: fps,
            r_frame_rate: fps,
            nb_frames: None,
            pix_fmt: Some("yuv420p".into()),
            bit_rate: None,
            colour: Default::default(),
            interlaced: false,
            bottom_field_first: false,
        }),
        audio: audio.then(|| AudioInfo {
            stream: 0,
            codec: "aac".into(),
            sample_rate: 44_100,
            channels: 2,
            channel_layout: Some("stereo".into()),
        }),
        subtitle_streams: 0,
    }
}
