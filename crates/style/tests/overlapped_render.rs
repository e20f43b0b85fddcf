//! The one-process render runs its picture and its sound side by side (session 12): the
//! picture's encode (the source opened for its video only) beside the sound's measuring
//! pass, check passes, AAC encode (from the kept sound) and delivered measure, then one
//! mux with both streams copied and `+faststart`. The MP4 must hold the same streams as
//! the plan's own one-process command gives (same H.264 packets, same AAC packets), with
//! its index first; a failing side must stop the render with its own step named and leave
//! no output; a cancel must stop both sides. Every ffmpeg the render runs goes through a
//! logging wrapper (`STYLECUT_FFMPEG`), the only test in this binary, so no other render
//! sees it.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use stylecut_media::{MediaError, RunOpts};
use stylecut_style::apply::{self, audio::MEASURED_PLACEHOLDER};
use stylecut_style::StyleError;

/// MD5 of `path`'s stream `sel` (`v`, `a`): its packets copied (`copy`) or decoded.
fn stream_md5(path: &Path, sel: &str, copy: bool) -> String {
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-v", "error", "-i"]).arg(path);
    cmd.args(["-map", &format!("0:{sel}")]);
    if copy {
        cmd.args(["-c", "copy"]);
    }
    let out = cmd.args(["-f", "md5", "-"]).output().expect("ffmpeg runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Byte offset of the top-level MP4 box `kind` (`moov`, `mdat`).
fn box_at(path: &Path, kind: &[u8; 4]) -> Option<u64> {
    let b = std::fs::read(path).unwrap();
    let mut at = 0usize;
    while at + 8 <= b.len() {
        let size = u32::from_be_bytes(b[at..at + 4].try_into().unwrap()) as usize;
        if &b[at + 4..at + 8] == kind {
            return Some(at as u64);
        }
        if size < 8 {
            return None;
        }
        at += size;
    }
    None
}

/// Hidden names in `dir` (a render's partial files).
fn hidden(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

#[test]
fn picture_and_sound_run_apart_and_mux_into_the_one_process_streams() {
    let dir = tempfile::tempdir().unwrap();
    let fail_sound = dir.path().join("fail-sound");
    // Logs each run's arguments; while `fail-sound` exists, the sound's AAC encode (the
    // run writing `sound.m4a` from the kept sound) fails.
    let (plan, log, src) = wrapped_burst_plan(
        dir.path(),
        &format!(
            "if [ -f '{}' ]; then case \"$*\" in *processed.wav*sound.m4a) echo 'refused by the test' >&2; exit 3 ;; esac; fi",
            fail_sound.display()
        ),
    );
    let out = dir.path().join("out.mp4");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let s = seen.clone();
    let d = apply::render(&plan, &out, &RunOpts::default(), move |f| {
        s.lock().unwrap().push(f)
    })
    .unwrap()
    .expect("a normalised render reports its sound");

    // The runs: the source is opened twice, once for its picture alone (the encode into
    // the scratch directory's video.mp4) and once for its sound alone (the measuring
    // pass); the sound is encoded from the kept PCM; the mux, last, copies both.
    let runs = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = runs.lines().collect();
    let src_s = src.display().to_string();
    let from_source: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.contains(&src_s))
        .collect();
    assert_eq!(from_source.len(), 2, "{runs}");
    let picture: Vec<&str> = from_source
        .iter()
        .copied()
        .filter(|l| l.contains(" -an ") && l.ends_with("/video.mp4"))
        .collect();
    assert_eq!(picture.len(), 1, "{runs}");
    assert!(
        !picture[0].contains("-c:a") && !picture[0].contains("[aout]"),
        "{}",
        picture[0]
    );
    assert!(
        picture[0].contains(" ultrafast "),
        "the plan's own x264 options: {}",
        picture[0]
    );
    assert!(
        from_source
            .iter()
            .any(|l| l.contains(" -vn ") && l.contains("processed.wav")),
        "{runs}"
    );
    let sound_encodes = lines
        .iter()
        .filter(|l| l.contains("processed.wav") && l.ends_with("/sound.m4a"))
        .count();
    assert_eq!(sound_encodes, 1 + d.sound_reencodes, "{runs}");
    let mux = lines.last().unwrap();
    assert!(
        mux.contains("/video.mp4 -i ")
            && mux.contains("/sound.m4a -map 0:v -map 1:a -c copy -movflags +faststart"),
        "the last run is the mux: {mux}"
    );

    // The same streams as the plan's one-process command, run by hand with the
    // normalisation the render ended with.
    let by_hand = dir.path().join("by_hand");
    std::fs::create_dir(&by_hand).unwrap();
    let scratch = by_hand.display().to_string();
    std::fs::write(
        by_hand.join(apply::GRAPH_FILE),
        plan.filtergraph
            .replace("{scratch}", &scratch)
            .replace(MEASURED_PLACEHOLDER, &d.normalization.filters()),
    )
    .unwrap();
    let one = by_hand.join("one.mp4");
    let one_s = one.display().to_string();
    let args: Vec<String> = plan
        .ffmpeg_args
        .iter()
        .map(|a| a.replace("{scratch}", &scratch).replace("{output}", &one_s))
        .collect();
    let st = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(&args)
        .status()
        .unwrap();
    assert!(st.success());
    assert_eq!(stream_md5(&out, "v", true), stream_md5(&one, "v", true));
    assert_eq!(stream_md5(&out, "a", true), stream_md5(&one, "a", true));
    assert_eq!(stream_md5(&out, "a", false), stream_md5(&one, "a", false));
    let (vo, ao) = durations(&out);
    let (v1, a1) = durations(&one);
    assert!(
        (vo - v1).abs() < 1e-6 && (ao - a1).abs() < 1e-6,
        "{vo} {ao} / {v1} {a1}"
    );
    // Index first.
    let (moov, mdat) = (
        box_at(&out, b"moov").unwrap(),
        box_at(&out, b"mdat").unwrap(),
    );
    assert!(moov < mdat, "moov at {moov}, mdat at {mdat}");
    // Progress never goes back and ends at 1.
    let seen = seen.lock().unwrap().clone();
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert_eq!(seen.last().copied(), Some(1.0));

    // The sound's side fails: its step is named, the picture's encode is stopped, and
    // an earlier file at the output survives, with no partial file beside it.
    let bad_dir = dir.path().join("bad");
    std::fs::create_dir(&bad_dir).unwrap();
    let bad = bad_dir.join("bad.mp4");
    std::fs::write(&bad, b"an earlier render").unwrap();
    std::fs::write(&fail_sound, b"").unwrap();
    let err = apply::render(&plan, &bad, &RunOpts::default(), |_| {})
        .unwrap_err()
        .to_string();
    std::fs::remove_file(&fail_sound).unwrap();
    assert!(err.contains("encoding the sound"), "{err}");
    assert_eq!(std::fs::read(&bad).unwrap(), b"an earlier render");
    assert!(hidden(&bad_dir).is_empty(), "{:?}", hidden(&bad_dir));

    // The picture's side fails: its step is named.
    let mut broken = plan.clone();
    broken.filtergraph = broken
        .filtergraph
        .replacen("[vout];", ",no_such_filter[vout];", 1);
    let err = apply::render(&broken, &bad, &RunOpts::default(), |_| {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("encoding the picture"), "{err}");
    assert_eq!(std::fs::read(&bad).unwrap(), b"an earlier render");
    assert!(hidden(&bad_dir).is_empty(), "{:?}", hidden(&bad_dir));

    // Cancelled while the picture encodes: both sides stop, the render fails as
    // cancelled, nothing is written.
    let opts = RunOpts::default();
    let cancel = opts.cancel.clone();
    let cut = bad_dir.join("cancelled.mp4");
    let err = apply::render(&plan, &cut, &opts, move |f| {
        if f > 0.0 {
            cancel.cancel();
        }
    })
    .unwrap_err();
    assert!(
        matches!(err, StyleError::Media(MediaError::Cancelled)),
        "{err}"
    );
    assert!(!cut.exists());
    assert!(hidden(&bad_dir).is_empty(), "{:?}", hidden(&bad_dir));
}
