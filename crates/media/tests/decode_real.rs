//! Decode pass against real files in ../shared/media.

use std::path::PathBuf;

use stylecut_media::{
    decode, decode_audio, decode_audio_streamed, probe, DecodeSpec, MediaError, RunOpts,
    SkipLoopFilter,
};

fn media(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/media")
        .join(rel)
}

#[test]
fn vfr_clip_keeps_presentation_times() {
    let p = media("video/pyscenedetect/goldeneye-vfr-drop3.mp4");
    let info = probe::probe_video(&p, &RunOpts::default()).unwrap();
    let mut pts = Vec::new();
    let mut dims = (0, 0);
    let audio = decode(
        &p,
        &info,
        &DecodeSpec::default(),
        &RunOpts::default(),
        |f| {
            pts.push(f.pts_s);
            dims = (f.width, f.height);
            assert_eq!(f.rgb.len(), (f.width * f.height * 3) as usize);
        },
        |_| {},
    )
    .unwrap();
    assert!(audio.is_none(), "the clip has no audio");
    assert_eq!(pts.len(), 160);
    assert_eq!(dims, (256, 108));
    // Decoded frame 60 is the first frame of the second shot, at 3.754 s.
    assert!((pts[60] - 3.754).abs() < 0.01, "{}", pts[60]);
    assert!(pts.windows(2).all(|w| w[1] > w[0]));
}

#[test]
fn rotated_clip_decodes_upright_with_audio() {
    let p = media("video/pyscenedetect/issue-134-rotate.mp4");
    let info = probe::probe_video(&p, &RunOpts::default()).unwrap();
    let mut n = 0;
    let mut dims = (0, 0);
    let audio = decode(
        &p,
        &info,
        &DecodeSpec::default(),
        &RunOpts::default(),
        |f| {
            n += 1;
            dims = (f.width, f.height);
        },
        |_| {},
    )
    .unwrap()
    .expect("audio");
    assert_eq!(n, 240);
    assert_eq!(dims, (256, 602));
    let secs = audio.mono.len() as f64 / audio.mono_rate as f64;
    assert!((secs - 10.0).abs() < 0.2, "{secs}");
    let mut full = 0usize;
    audio
        .for_each_full_chunk(4096, |c| full += c.len())
        .unwrap();
    assert!((full as f64 / 2.0 / 44_100.0 - secs).abs() < 0.1);
}

#[test]
fn streamed_audio_is_the_stored_audio_and_stops_when_cancelled() {
    let p = media("video/pyscenedetect/issue-134-rotate.mp4");
    let opts = RunOpts::default();
    let info = probe::probe(&p, &opts).unwrap();
    let stored = decode_audio(&p, &info, 22_050, true, None, &opts).unwrap();
    let mut want = Vec::new();
    stored
        .for_each_full_chunk(4096, |c| want.extend_from_slice(c))
        .unwrap();
    let mut got = Vec::new();
    let mut sizes = Vec::new();
    let streamed = decode_audio_streamed(&p, &info, 22_050, None, &opts, 4096, |c| {
        sizes.push(c.len());
        got.extend_from_slice(c);
    })
    .unwrap();
    assert!(!streamed.has_full());
    // The mono mix stays in its scratch file and reads back in chunks as stored.
    assert!(streamed.mono.is_empty());
    let mut mono = Vec::new();
    streamed
        .for_each_mono_chunk(1000, |c| {
            assert!(c.len() <= 1000);
            mono.extend_from_slice(c)
        })
        .unwrap();
    assert!(stored.mono.len() > 22_050 * 9);
    assert_eq!(mono, stored.mono);
    // Both write the 16 kHz speech audio, the same samples, as long as the mono audio.
    let speech = |d: &stylecut_media::DecodedAudio| {
        let mut v = Vec::new();
        assert!(d
            .for_each_speech_chunk(1000, |c| v.extend_from_slice(c))
            .unwrap());
        v
    };
    let (s16, st16) = (speech(&streamed), speech(&stored));
    assert_eq!(s16, st16);
    let secs = stored.mono.len() as f64 / 22_050.0;
    assert!(
        (s16.len() as f64 / 16_000.0 - secs).abs() < 0.05,
        "{} samples",
        s16.len()
    );
    assert!(s16.iter().any(|&x| x.abs() > 0.01));
    assert!(want.len() > 2 * 44_100 * 9, "{}", want.len());
    assert_eq!(got, want);
    // Whole chunks of 4096 stereo sample frames but the last.
    assert!(sizes[..sizes.len() - 1].iter().all(|&n| n == 2 * 4096));
    // Cancelled after the first chunk: no more chunks, and the error says so.
    let cancel = RunOpts::default();
    let mut chunks = 0;
    let err = decode_audio_streamed(&p, &info, 22_050, None, &cancel, 4096, |_| {
        chunks += 1;
        cancel.cancel.cancel();
    })
    .unwrap_err();
    assert_eq!(chunks, 1);
    assert!(!matches!(err, MediaError::BadInput { .. }), "{err:?}");
}

#[test]
fn cancelled_streamed_audio_stops_the_decode() {
    // 20 minutes of 48 kHz stereo (silence, FLAC: small and quick to write): draining its
    // 460 MB of f32 after a cancel would take seconds.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("long.flac");
    let st = std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "anullsrc=r=48000:cl=stereo",
        ])
        .args(["-t", "1200", "-c:a", "flac"])
        .arg(&p)
        .status()
        .unwrap();
    assert!(st.success());
    let info = probe::probe(&p, &RunOpts::default()).unwrap();
    let opts = RunOpts::default();
    let mut chunks = 0;
    let err = decode_audio_streamed(&p, &info, 22_050, Some(dir.path()), &opts, 4096, |_| {
        chunks += 1;
        opts.cancel.cancel();
    })
    .unwrap_err();
    // ffmpeg killed and its pipe left unread after the cancel (not drained: the drain
    // took 1.4 s at load 5 before the kill moved into the chunk loop). That nothing past
    // the chunk is read is checked without a clock by the unit test
    // `a_stopped_read_takes_nothing_past_its_chunk` (`decode.rs`).
    assert!(matches!(err, MediaError::Cancelled), "{err:?}");
    assert_eq!(chunks, 1);
}

#[test]
fn garbage_file_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.mp4");
    std::fs::write(&p, b"this is not a video at all").unwrap();
    let err = probe::probe_video(&p, &RunOpts::default()).unwrap_err();
    assert!(
        matches!(err, stylecut_media::MediaError::BadInput { .. }),
        "{err:?}"
    );
}

#[test]
fn cancelling_mid_decode_stops_promptly() {
    // The frame reader runs on its own thread: a cancel seen by the consumer must still
    // end the decode at once (no hang on a full channel, no frames after the cancel).
    let p = media("video/pyscenedetect/issue-134-rotate.mp4");
    let info = probe::probe_video(&p, &RunOpts::default()).unwrap();
    let opts = RunOpts::default();
    let flag = opts.cancel.clone();
    let mut seen = 0usize;
    let started = std::time::Instant::now();
    let err = decode(
        &p,
        &info,
        &DecodeSpec::default(),
        &opts,
        |_| {
            seen += 1;
            if seen == 5 {
                flag.cancel();
            }
        },
        |_| {},
    )
    .unwrap_err();
    assert!(
        matches!(err, stylecut_media::MediaError::Cancelled),
        "{err:?}"
    );
    assert_eq!(seen, 5, "no frame is delivered after the cancel");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

/// Decodes every analysis frame of `p` with `skip`: (presentation times, pixels).
fn frames_with(p: &std::path::Path, skip: SkipLoopFilter) -> (Vec<f64>, Vec<Vec<u8>>) {
    let info = probe::probe_video(p, &RunOpts::default()).unwrap();
    let spec = DecodeSpec {
        audio: false,
        skip_loop_filter: skip,
        ..DecodeSpec::default()
    };
    let (mut pts, mut rgb) = (Vec::new(), Vec::new());
    decode(
        p,
        &info,
        &spec,
        &RunOpts::default(),
        |f| {
            pts.push(f.pts_s);
            rgb.push(f.rgb.clone());
        },
        |_| {},
    )
    .unwrap();
    (pts, rgb)
}

#[test]
fn skipping_the_b_frames_deblocking_keeps_frames_and_times() {
    // VFR H.264 with B-frames (33 B of the first 45 frames).
    let p = media("video/pyscenedetect/goldeneye-vfr-drop3.mp4");
    assert_eq!(
        DecodeSpec::default().skip_loop_filter,
        SkipLoopFilter::Bidir
    );
    let (pts_full, full) = frames_with(&p, SkipLoopFilter::None);
    let (pts_skip, skip) = frames_with(&p, SkipLoopFilter::Bidir);
    assert_eq!(pts_full.len(), 160);
    assert_eq!(pts_full, pts_skip, "same frames at the same times");
    // Mean absolute difference per frame, in 8-bit levels of the analysis frame.
    let mad: Vec<f64> = full
        .iter()
        .zip(&skip)
        .map(|(a, b)| {
            let s: u64 = a.iter().zip(b).map(|(x, y)| x.abs_diff(*y) as u64).sum();
            s as f64 / a.len() as f64
        })
        .collect();
    let worst = mad.iter().copied().fold(0.0, f64::max);
    let changed = mad.iter().filter(|&&d| d > 0.0).count();
    // The option takes effect (the B-frames' pictures change) ...
    assert!(changed >= 40, "{changed} frames changed");
    // ... by much less than a level on average after the reduction to 256 px wide.
    assert!(
        worst < 0.5,
        "worst frame differs by {worst} levels on average"
    );
}

/// An MP4 with its index first (`+faststart`) cut to 30 %: ffprobe reads the whole index
/// (full duration) and the decode used to stop silently where the data does, so a job
/// "completed" on 1 s of a 6 s upload. It is invalid media, at the probe already.
#[test]
fn truncated_file_with_its_index_first_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.mp4");
    let out = std::process::Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-nostdin",
            "-y",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg("testsrc2=s=320x180:r=30:d=6")
        .args(["-c:v", "libx264", "-preset", "ultrafast", "-g", "30"])
        .args(["-movflags", "+faststart"])
        .arg(&whole)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&whole).unwrap();
    // The complete file passes.
    probe::probe_video(&whole, &RunOpts::default()).unwrap();
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() * 3 / 10]).unwrap();
    // ffprobe alone sees the full declared duration.
    let info = probe::probe(&cut, &RunOpts::default()).unwrap();
    assert!(info.duration_s > 5.9, "{}", info.duration_s);
    let err = probe::probe_video(&cut, &RunOpts::default()).unwrap_err();
    match err {
        MediaError::BadInput { message, .. } => {
            assert!(message.contains("truncated"), "{message}")
        }
        e => panic!("{e:?}"),
    }
}

/// Runs ffmpeg with `args` (quiet, overwriting), panicking with its stderr on failure.
fn ffmpeg(args: &[&str]) {
    let out = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-y", "-v", "error"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn assert_truncated(p: &std::path::Path) {
    match probe::probe_video(p, &RunOpts::default()) {
        Err(MediaError::BadInput { message, .. }) => {
            assert!(message.contains("truncated"), "{}: {message}", p.display())
        }
        other => panic!("{}: {other:?}", p.display()),
    }
}

/// Matroska and WebM cut in half, mid-cluster: the header still declares the full 6 s (the
/// segment's duration, the streams' `DURATION` tags) and the demuxer drops the unfinished
/// cluster, so main's probe accepted them and the analysis read 1–3 s. Refused now, and
/// the complete files pass. A Matroska file written to a pipe declares no duration: it is
/// measured by demuxing (6 s), and refused when it is cut short mid-cluster.
#[test]
fn truncated_matroska_and_webm_are_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n);
    let src = "testsrc2=s=320x180:r=30:d=6";
    let tone = "sine=f=440:d=6";
    let mkv = d("whole.mkv");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        src,
        "-f",
        "lavfi",
        "-i",
        tone,
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-g",
        "30",
        "-c:a",
        "aac",
        mkv.to_str().unwrap(),
    ]);
    let webm = d("whole.webm");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        src,
        "-f",
        "lavfi",
        "-i",
        tone,
        "-c:v",
        "libvpx",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-g",
        "30",
        "-c:a",
        "libopus",
        webm.to_str().unwrap(),
    ]);
    // Written to a pipe: no duration, no index.
    let piped = d("piped.mkv");
    let out = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-v", "error", "-i"])
        .arg(&mkv)
        .args(["-c", "copy", "-f", "matroska", "pipe:1"])
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::write(&piped, &out.stdout).unwrap();
    for whole in [&mkv, &webm, &piped] {
        assert_six_seconds(whole);
        assert_truncated(&first_half(whole));
    }
}

/// A generated 6 s file probes as 6 s.
fn assert_six_seconds(whole: &std::path::Path) {
    let info = probe::probe_video(whole, &RunOpts::default()).unwrap();
    assert!(
        (info.duration_s - 6.0).abs() < 0.1,
        "{}: {}",
        whole.display(),
        info.duration_s
    );
}

/// The first half of `whole`'s bytes, written beside it as `cut-NAME`.
fn first_half(whole: &std::path::Path) -> std::path::PathBuf {
    let bytes = std::fs::read(whole).unwrap();
    let name = whole.file_name().unwrap().to_str().unwrap();
    let cut = whole.with_file_name(format!("cut-{name}"));
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    cut
}

/// An AVI cut in half (its index, at the end, gone): ffprobe's durations shrink to the data
/// it finds (3 s), so main's probe accepted it and the analysis read half the upload as if
/// it were the whole. Its header still counts every frame: refused now. MPEG-TS declares no
/// length at all, so half a transport stream is a shorter, valid file (documented in
/// docs/ANALYSIS.md); the complete files pass.
#[test]
fn truncated_avi_is_bad_input_and_a_cut_transport_stream_is_shorter() {
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n);
    let avi = d("whole.avi");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=320x180:r=24:d=6",
        "-f",
        "lavfi",
        "-i",
        "sine=f=440:d=6",
        "-c:v",
        "mpeg4",
        "-q:v",
        "5",
        "-c:a",
        "pcm_s16le",
        avi.to_str().unwrap(),
    ]);
    let ts = d("whole.ts");
    ffmpeg(&[
        "-i",
        avi.to_str().unwrap(),
        "-c:v",
        "copy",
        "-c:a",
        "mp2",
        "-f",
        "mpegts",
        ts.to_str().unwrap(),
    ]);
    for whole in [&avi, &ts] {
        assert_six_seconds(whole);
    }
    assert_truncated(&first_half(&avi));
    let cut_ts = first_half(&ts);
    let info = probe::probe_video(&cut_ts, &RunOpts::default()).unwrap();
    assert!(
        info.duration_s > 1.0 && info.duration_s < 4.5,
        "{}",
        info.duration_s
    );
}

/// The analysis frames of `p` (256 px wide RGB).
fn analysis_frames(p: &std::path::Path) -> Vec<Vec<u8>> {
    let info = probe::probe_video(p, &RunOpts::default()).unwrap();
    let spec = DecodeSpec {
        audio: false,
        ..DecodeSpec::default()
    };
    let mut frames = Vec::new();
    decode(
        p,
        &info,
        &spec,
        &RunOpts::default(),
        |f| frames.push(f.rgb.clone()),
        |_| {},
    )
    .unwrap();
    frames
}

/// A true 25i clip (`testsrc2` at 50p woven into top-field-first frames) decodes for the
/// analysis as the progressive 25p clip of its top fields' instants does: deinterlaced
/// first (its top field). Before, the area scale to 256 px averaged each frame's two fields
/// (two instants) into a ghosted picture, 1.52 levels from the progressive frame on average
/// over the whole picture, most of it still (1.05 with the top field, 0.86 with the
/// render's `bwdif`).
#[test]
fn an_interlaced_source_is_deinterlaced_for_the_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    let p50 = d("50p.mkv");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=720x576:r=50:d=2",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-qp",
        "0",
        &p50,
    ]);
    let i25 = d("25i.mp4");
    ffmpeg(&[
        "-i",
        &p50,
        "-vf",
        "tinterlace=mode=interleave_top,setfield=tff",
        "-flags",
        "+ildct+ilme",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-x264-params",
        "tff=1",
        "-pix_fmt",
        "yuv420p",
        &i25,
    ]);
    let p25 = d("25p.mp4");
    ffmpeg(&[
        "-i",
        &p50,
        "-vf",
        "select='not(mod(n\\,2))',setpts=N/25/TB",
        "-r",
        "25",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        &p25,
    ]);
    let info = probe::probe_video(std::path::Path::new(&i25), &RunOpts::default()).unwrap();
    assert!(info.video.unwrap().interlaced);
    let (fi, fp) = (
        analysis_frames(std::path::Path::new(&i25)),
        analysis_frames(std::path::Path::new(&p25)),
    );
    assert_eq!(fi.len(), fp.len());
    let (mut sum, mut n) = (0u64, 0u64);
    for (a, b) in fi.iter().zip(&fp) {
        assert_eq!(a.len(), b.len());
        sum += a
            .iter()
            .zip(b)
            .map(|(x, y)| x.abs_diff(*y) as u64)
            .sum::<u64>();
        n += a.len() as u64;
    }
    let mad = sum as f64 / n as f64;
    assert!(mad < 1.25, "mean absolute difference {mad:.2} levels");
}

/// `decode_until` stops ffmpeg at the frame `on_frame` breaks on: no frame after it, no
/// error, and promptly (the clip has 160 frames).
#[test]
fn decode_until_stops_where_asked() {
    use std::ops::ControlFlow;
    let p = media("video/pyscenedetect/goldeneye-vfr-drop3.mp4");
    let info = probe::probe_video(&p, &RunOpts::default()).unwrap();
    let mut seen = 0;
    let end = stylecut_media::decode_until(
        &p,
        &info,
        &DecodeSpec::default(),
        &RunOpts::default(),
        |_| {
            seen += 1;
            if seen == 5 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        },
        |_| {},
    )
    .unwrap();
    assert!(matches!(end, stylecut_media::DecodeEnd::Stopped), "{end:?}");
    assert_eq!(seen, 5);
    // Never stopped: every frame, and the audio.
    let mut all = 0;
    let end = stylecut_media::decode_until(
        &p,
        &info,
        &DecodeSpec::default(),
        &RunOpts::default(),
        |_| {
            all += 1;
            ControlFlow::Continue(())
        },
        |_| {},
    )
    .unwrap();
    assert!(
        matches!(end, stylecut_media::DecodeEnd::Finished(None)),
        "{end:?}"
    );
    assert_eq!(all, 160);
}

/// The key frames the bars probe decodes alone (`decode_key_frames`) are, pixel for pixel,
/// the full decode's key frames picked by the probe's rule (the first key frame, then each
/// one at least `key_frame_probe_step` after the last picked): what lets the analysis read
/// the bars from its own decode (`stylecut_style::analyze`'s `BarsGate`) with the probe's
/// result.
#[test]
fn the_key_frame_probe_reads_the_full_decodes_key_frames() {
    use stylecut_media::decode::{decode_key_frames, key_frame_probe_step, KEY_FRAME_PROBE_MAX};
    for clip in [
        "video/pyscenedetect/goldeneye-vfr-drop3.mp4",
        "video/pyscenedetect/testvideo.mp4",
    ] {
        let p = media(clip);
        let info = probe::probe_video(&p, &RunOpts::default()).unwrap();
        let spec = DecodeSpec {
            audio: false,
            ..DecodeSpec::default()
        };
        let mut probed = Vec::new();
        decode_key_frames(
            &p,
            &info,
            &spec,
            &RunOpts::default(),
            KEY_FRAME_PROBE_MAX,
            |f| probed.push(f.rgb.clone()),
        )
        .unwrap();
        let step = key_frame_probe_step(&info, KEY_FRAME_PROBE_MAX);
        let mut picked = Vec::new();
        let mut last: Option<f64> = None;
        decode(
            &p,
            &info,
            &spec,
            &RunOpts::default(),
            |f| {
                let t = f.exact_pts_s.unwrap_or(f.pts_s);
                if f.key && picked.len() < KEY_FRAME_PROBE_MAX && last.is_none_or(|l| t - l >= step)
                {
                    last = Some(t);
                    picked.push(f.rgb.clone());
                }
            },
            |_| {},
        )
        .unwrap();
        assert!(probed.len() >= 3, "{clip}: {} key frames", probed.len());
        assert_eq!(probed.len(), picked.len(), "{clip}");
        for (k, (a, b)) in probed.iter().zip(&picked).enumerate() {
            assert!(a == b, "{clip}: key frame {k} differs");
        }
    }
}
