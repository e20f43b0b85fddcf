//! A/V sync across every cut: a source whose picture flashes white exactly when its sound
//! beeps is re-edited (splits with punch-ins, jump cuts, dissolves, frame-rate change); in
//! the output every flash onset must still have a beep onset within one frame.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use stylecut_media::{probe, MediaError, RunOpts};
use stylecut_style::{apply, StyleError};
use stylecut_types::{config::JobConfig, TransitionStyle};

fn run_log(args: &[&str], input: &Path) -> String {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(input)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success());
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Output times where the picture turns bright.
fn flash_onsets(p: &Path) -> Vec<f64> {
    let log = run_log(
        &[
            "-vf",
            "signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-",
            "-an",
            "-f",
            "null",
            "-",
        ],
        p,
    );
    let mut t = 0.0;
    let mut prev = 0.0;
    let mut on = Vec::new();
    for l in log.lines() {
        if let Some(v) = l.split("pts_time:").nth(1) {
            t = v.trim().parse().unwrap_or(t);
        } else if let Some(v) = l.strip_prefix("lavfi.signalstats.YAVG=") {
            let y: f64 = v.trim().parse().unwrap();
            if y > 128.0 && prev <= 128.0 {
                on.push(t);
            }
            prev = y;
        }
    }
    on
}

/// Output times where the sound starts (ends of silence).
fn beep_onsets(p: &Path) -> Vec<f64> {
    let log = run_log(
        &[
            "-af",
            "silencedetect=n=-40dB:d=0.05",
            "-vn",
            "-f",
            "null",
            "-",
        ],
        p,
    );
    log.lines()
        .filter_map(|l| l.split("silence_end: ").nth(1))
        .filter_map(|v| v.split_whitespace().next()?.parse().ok())
        .collect()
}

/// Writes 12 s of `picture` (a 25 fps lavfi source) with a white flash and an 880 Hz
/// beep for 0.12 s at 0.52 s past every second, to `path`.
fn flash_beep_source(path: &Path, picture: &str) {
    flash_beep_source_at(path, picture, 48_000);
}

/// [`flash_beep_source`] with the sound at `rate` Hz.
fn flash_beep_source_at(path: &Path, picture: &str, rate: u32) {
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("{picture},drawbox=c=white:t=fill:enable='between(mod(t\\,1)\\,0.51\\,0.63)'"))
        .args(["-f", "lavfi", "-i"])
        .arg(format!("aevalsrc='if(between(mod(t\\,1)\\,0.52\\,0.639)\\,0.5*sin(2*PI*880*t)\\,0)':s={rate}:d=12"))
        .args(["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest"])
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn flashes_and_beeps_stay_together_through_the_edit() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("sync.mp4");
    // Flash and beep for 0.12 s at 0.52 s past every second (on the 25 fps frame grid; the
    // picture's window starts half a frame early so float rounding of `t` cannot drop it).
    flash_beep_source(&src, "color=c=black:s=320x180:r=25:d=12");
    let info = probe::probe(&src, &RunOpts::default()).unwrap();
    let mut a = analysis(
        12.0,
        320,
        180,
        25.0,
        &[1.52, 3.02, 4.52, 6.02, 7.52, 9.02, 10.52],
    );
    a.audio.has_audio = true;
    // Speech between the beeps of seconds 5–7 leaves a gap that is dropped as a jump cut.
    a.speech_segments = speech_around_a_gap();
    let mut st = style("16:9", 30, 40.0);
    st.primary_transition = TransitionStyle {
        kind: "dissolve".into(),
        duration_ms: 200,
        easing: "linear".into(),
    };
    st.audio_style.normalization_level = 0.6;
    st.audio_style.compression_ratio = 1.0;
    let mut plan = apply::plan(&src, &info, &a, Some(&st), &JobConfig::default()).unwrap();
    assert!(plan.segments.len() >= 6, "{:?}", plan.notes);
    // Joins outside speech dissolve; joins inside speech stay cuts.
    assert!(plan.transitions.iter().any(|t| t.frames > 0));
    assert!(plan.transitions.iter().any(|t| t.frames == 0));
    let out = dir.path().join("out.mp4");
    fast(&mut plan);
    apply::render(&plan, &out, &RunOpts::default(), |_| {}).unwrap();
    let flashes = flash_onsets(&out);
    let beeps = beep_onsets(&out);
    assert!(flashes.len() >= 5, "{flashes:?}");
    let frame = 1.0 / 30.0;
    for f in &flashes {
        assert!(
            beeps.iter().any(|b| (b - f).abs() <= frame + 0.005),
            "flash at {f:.3} has no beep within one frame: {beeps:?}"
        );
    }
}

/// Frame count, duration and frame rate of the video stream.
fn video_facts(p: &Path) -> (u64, f64, String) {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-count_frames",
            "-select_streams",
            "v",
            "-show_entries",
            "stream=nb_read_frames,duration,r_frame_rate",
            "-of",
            "default=nw=1",
        ])
        .arg(p)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k))
            .unwrap_or_else(|| panic!("no {k} in {text}"))
            .trim()
            .to_string()
    };
    (
        get("nb_read_frames=").parse().unwrap(),
        get("duration=").parse().unwrap(),
        get("r_frame_rate="),
    )
}

/// Per-frame PSNR (dB, 99 for identical frames) of `b`'s frame n against `a`'s frame
/// n + `shift`, paired by index (not by timestamp).
fn psnr_by_index(a: &Path, b: &Path, shift: usize) -> Vec<f64> {
    let dir = tempfile::tempdir().unwrap();
    let stats = dir.path().join("psnr.txt");
    let graph = format!(
        "[0:v]trim=start_frame={shift},settb=1/1000,setpts=N[a];[1:v]settb=1/1000,setpts=N[b];\
         [a][b]psnr=stats_file={}",
        stats.display()
    );
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-v", "error", "-i"])
        .arg(a)
        .arg("-i")
        .arg(b)
        .args(["-lavfi", &graph, "-f", "null", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&stats)
        .unwrap()
        .lines()
        .filter_map(|l| l.split("psnr_avg:").nth(1)?.split_whitespace().next())
        .map(|v| v.parse().unwrap_or(99.0))
        .collect()
}

/// The decoded sound of `p`, mono 32-bit float at 48 kHz.
fn pcm(p: &Path) -> Vec<f32> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(p)
        .args(["-vn", "-ac", "1", "-ar", "48000", "-f", "f32le", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    out.stdout
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Integrated loudness (LUFS) of `p`'s sound, from `ebur128`'s summary.
fn integrated_lufs(p: &Path) -> f64 {
    let log = run_log(&["-vn", "-af", "ebur128", "-f", "null", "-"], p);
    let i = log.rfind("Integrated loudness:").unwrap();
    log[i..]
        .lines()
        .find_map(|l| l.trim().strip_prefix("I:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap()
}

/// The bounded render (the video in chunks, joined with the video copied; the sound
/// edited in the same chunks, each from its own span of the source, then processed and
/// encoded once) gives the one-process render's output: same frame count, duration,
/// frame rate, A/V sync, every frame the one-process frame at the same index within the
/// encoder's tolerance (a frame dropped or repeated at a chunk join would shift the rest:
/// the moving test pattern makes neighbouring frames differ by far more than that
/// tolerance), and the same sound. The source's sound is at 44.1 kHz, so each audio
/// chunk's start is converted to the source's samples (`aresample`'s `first_pts`).
/// The chunked-render tests' input in `dir`: 12 s of a moving test pattern with flashes
/// and beeps (sound at 44.1 kHz), its analysis (eight 1.5 s shots, no speech, so every
/// join is a shot change that dissolves and a cut never blocks it: chunks must end inside
/// transitions; since session 27 a split of one shot is a hard cut, so the shots are
/// the source's, 40 cuts a minute with no split) and a 25 fps style (every output frame a
/// distinct source frame) with 200 ms dissolves.
fn chunk_test_input(
    dir: &Path,
    easing: &str,
) -> (
    std::path::PathBuf,
    stylecut_types::Analysis,
    stylecut_types::StyleJson,
) {
    let src = dir.join("sync.mp4");
    flash_beep_source_at(&src, "testsrc2=s=320x180:r=25:d=12", 44_100);
    let mut a = analysis(
        12.0,
        320,
        180,
        25.0,
        &[1.52, 3.02, 4.52, 6.02, 7.52, 9.02, 10.52],
    );
    a.audio.has_audio = true;
    a.speech_segments = Vec::new();
    let mut st = style("16:9", 25, 40.0);
    st.primary_transition = TransitionStyle {
        kind: "dissolve".into(),
        duration_ms: 200,
        easing: easing.into(),
    };
    (src, a, st)
}

/// The plan of `st` on `src` rendered in one process, and the same plan chunked at the
/// smallest segment limit that has a chunk ending inside a transition (rendered whole by
/// that chunk, the next one starting after the transition's frames). Both are the same
/// edit; only the render differs.
fn one_and_chunked_plans(
    src: &Path,
    a: &stylecut_types::Analysis,
    st: &stylecut_types::StyleJson,
) -> (apply::EditPlan, apply::EditPlan) {
    let info = probe::probe(src, &RunOpts::default()).unwrap();
    let cfg = JobConfig::default();
    let one = apply::plan_chunked(src, &info, a, Some(st), &cfg, 1000).unwrap();
    assert!(one.chunks.is_none());
    let chunked = (3..6)
        .map(|k| apply::plan_chunked(src, &info, a, Some(st), &cfg, k).unwrap())
        .find(|p| {
            p.chunks
                .as_ref()
                .is_some_and(|c| c.chunks.iter().any(|c| c.span.keep_tail.is_some()))
        })
        .unwrap_or_else(|| panic!("no chunking splits a transition: {:?}", one.transitions));
    assert_eq!(chunked.filtergraph, one.filtergraph);
    assert_eq!(chunked.segments, one.segments);
    let ch = chunked.chunks.as_ref().expect("chunked");
    assert!(ch.chunks.len() >= 2, "{:?}", one.notes);
    (one, chunked)
}

/// The chunked render `outc` has the one-process render `out1`'s frame count, frame rate
/// and duration (25 fps), and every frame is the one-process frame at its index within
/// the encoder's tolerance (a frame dropped or repeated at a chunk join would shift the
/// rest: a moving picture makes neighbouring frames differ by far more than that).
fn assert_same_frames(one: &apply::EditPlan, out1: &Path, outc: &Path) {
    let (n1, d1, r1) = video_facts(out1);
    let (nc, dc, rc) = video_facts(outc);
    let expected = (one.output_duration_s * 25.0).round() as u64;
    assert_eq!(n1, expected);
    assert_eq!(nc, n1, "frame count");
    assert_eq!(rc, r1, "frame rate");
    assert!(
        (dc - d1).abs() <= 1.0 / 25.0 + 1e-6,
        "duration {dc} vs {d1}"
    );
    let same = psnr_by_index(out1, outc, 0);
    assert_eq!(same.len() as u64, n1);
    let worst = same.iter().cloned().fold(f64::INFINITY, f64::min);
    assert!(
        worst >= 32.0,
        "frame {} differs: {worst:.1} dB",
        same.iter().position(|&v| v == worst).unwrap()
    );
    // The check can fail: the one-process render against itself one frame later.
    let shifted = psnr_by_index(out1, out1, 1);
    let below = shifted.iter().filter(|&&v| v < 32.0).count();
    assert!(
        below * 10 >= shifted.len() * 9,
        "{below} of {} shifted frames below 32 dB",
        shifted.len()
    );
}

#[test]
fn a_chunked_render_gives_the_one_process_frames() {
    let dir = tempfile::tempdir().unwrap();
    let (src, a, mut st) = chunk_test_input(dir.path(), "ease-out");
    st.audio_style.normalization_level = 0.6;
    st.audio_style.compression_ratio = 1.0;
    let (mut one, mut chunked) = one_and_chunked_plans(&src, &a, &st);
    assert!(one.transitions.iter().any(|t| t.frames > 0));
    fast(&mut one);
    fast(&mut chunked);
    let (out1, outc) = (dir.path().join("one.mp4"), dir.path().join("chunked.mp4"));
    apply::render(&one, &out1, &RunOpts::default(), |_| {}).unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let s2 = seen.clone();
    apply::render(&chunked, &outc, &RunOpts::default(), move |f| {
        s2.lock().unwrap().push(f)
    })
    .unwrap();
    // Progress never goes back across the chunks and ends at 1.
    let seen = seen.lock().unwrap();
    assert!(seen.windows(2).all(|w| w[1] >= w[0]), "{seen:?}");
    assert_eq!(seen.last(), Some(&1.0));
    assert_same_frames(&one, &out1, &outc);
    // The same sound: the audio chunks' edit, processed as one stream, is the one-process
    // render's (same samples into the same AAC encoder), and as loud.
    let (p1, pc) = (pcm(&out1), pcm(&outc));
    assert_eq!(pc.len(), p1.len(), "audio samples");
    let energy = |v: &[f32]| v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>();
    let diff: Vec<f32> = p1.iter().zip(&pc).map(|(a, b)| a - b).collect();
    let snr = 10.0 * (energy(&p1) / energy(&diff).max(1e-30)).log10();
    assert!(snr >= 60.0, "chunked sound differs: {snr:.1} dB SNR");
    let (l1, lc) = (integrated_lufs(&out1), integrated_lufs(&outc));
    assert!((l1 - lc).abs() <= 0.1, "loudness {lc} vs {l1}");
    let ch = chunked.chunks.as_ref().unwrap();
    assert_eq!(ch.audio_chunks.len(), ch.chunks.len());
    // A failed chunk fails the render, naming the chunk, and leaves no output: an earlier
    // file at the output path survives untouched.
    let mut broken = chunked.clone();
    let ch = broken.chunks.as_mut().unwrap();
    ch.chunks[1].graph = ch.chunks[1]
        .graph
        .replace("[vout]", ",no_such_filter[vout]");
    let bad = dir.path().join("broken.mp4");
    std::fs::write(&bad, b"an earlier render").unwrap();
    let err = apply::render(&broken, &bad, &RunOpts::default(), |_| {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("render chunk 2 of"), "{err}");
    assert_eq!(std::fs::read(&bad).unwrap(), b"an earlier render");
    // So does a failed audio chunk.
    let mut broken = chunked.clone();
    let ch = broken.chunks.as_mut().unwrap();
    ch.audio_chunks[1].graph = ch.audio_chunks[1]
        .graph
        .replace("[aout]", ",no_such_filter[aout]");
    let err = apply::render(&broken, &bad, &RunOpts::default(), |_| {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("render audio chunk 2 of"), "{err}");
    assert_eq!(std::fs::read(&bad).unwrap(), b"an earlier render");
    // And a join that fails after every chunk is done: the MP4 it had begun is dropped,
    // the earlier file stays.
    let mut broken = chunked.clone();
    let ch = broken.chunks.as_mut().unwrap();
    ch.join_graph = format!("{};no_such_filter", ch.join_graph);
    let err = apply::render(&broken, &bad, &RunOpts::default(), |_| {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("joining the"), "{err}");
    assert_eq!(std::fs::read(&bad).unwrap(), b"an earlier render");
    // Cancelled while the chunks run (past the measuring pass's share of the bar): the
    // running chunk is stopped and the render fails as cancelled, with no output.
    let opts = RunOpts::default();
    let cancel = opts.cancel.clone();
    let cut = dir.path().join("cancelled.mp4");
    let err = apply::render(&chunked, &cut, &opts, move |f| {
        if f > 0.3 {
            cancel.cancel();
        }
    })
    .unwrap_err();
    assert!(
        matches!(err, StyleError::Media(MediaError::Cancelled)),
        "{err}"
    );
    assert!(!cut.exists());
    // No half-written file is left behind in the output's folder.
    let hidden: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
    // A/V sync of the chunked render.
    let flashes = flash_onsets(&outc);
    let beeps = beep_onsets(&outc);
    assert!(flashes.len() >= 5, "{flashes:?}");
    for f in &flashes {
        assert!(
            beeps.iter().any(|b| (b - f).abs() <= 1.0 / 25.0 + 0.005),
            "flash at {f:.3} has no beep within one frame: {beeps:?}"
        );
    }
}

/// A chunked render draws the planned lateral pans (sub-pixel crops mixed by frame
/// number) as the one-process render does, in segments of different chunks, each from its
/// own segment's frame numbers.
#[test]
fn a_chunked_render_draws_pans_as_one_process() {
    let dir = tempfile::tempdir().unwrap();
    let (src, a, mut st) = chunk_test_input(dir.path(), "linear");
    // A lively template over still footage: lateral pans are planned.
    st.motion_intensity = 90.0;
    st.zoom_usage = 0.0;
    let (mut one, mut chunked) = one_and_chunked_plans(&src, &a, &st);
    let moved = |k: &str| {
        chunked
            .chunks
            .as_ref()
            .unwrap()
            .chunks
            .iter()
            .filter(|c| c.graph.contains(k))
            .count()
    };
    // Pans in at least two chunks (the `maskedmerge` of the sub-pixel pan).
    assert!(moved("maskedmerge=") >= 2, "{:?}", one.notes);
    fast(&mut one);
    fast(&mut chunked);
    let (out1, outc) = (dir.path().join("one.mp4"), dir.path().join("chunked.mp4"));
    apply::render(&one, &out1, &RunOpts::default(), |_| {}).unwrap();
    apply::render(&chunked, &outc, &RunOpts::default(), |_| {}).unwrap();
    assert_same_frames(&one, &out1, &outc);
}
