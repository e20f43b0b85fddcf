//! Ctrl-C during `stylecut apply`: the render stops, its hidden partial MP4 and its
//! scratch directory are removed, and the command exits with status 130.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::media;

/// Names in `dir` (hidden ones included).
fn names(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn an_interrupted_apply_cleans_up_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let (out_dir, tmp) = (dir.path().join("out"), dir.path().join("tmp"));
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::create_dir_all(&tmp).unwrap();
    // No style: the source's own look, re-edited (a one-process render).
    let mut child = Command::new(env!("CARGO_BIN_EXE_stylecut"))
        .arg("apply")
        .arg(media("video/moviepy-bbb/big_buck_bunny_0_30.webm"))
        .arg("-o")
        .arg(out_dir.join("out.mp4"))
        .env("TMPDIR", &tmp)
        .env_remove("RUST_BACKTRACE")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stylecut apply starts");
    // Wait for the render: its hidden partial output appears next to the output.
    let start = Instant::now();
    while !names(&out_dir).iter().any(|n| n.contains(".partial-")) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "apply ended before rendering"
        );
        assert!(
            start.elapsed() < Duration::from_secs(240),
            "no render began"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!names(&tmp).is_empty(), "the render's scratch directory");
    // SIGINT to stylecut alone (a terminal would signal ffmpeg too): the cancel flag
    // must stop ffmpeg.
    let pid = child.id() as libc::pid_t;
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let out = child.wait_with_output().expect("apply ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(names(&out_dir).is_empty(), "{:?}", names(&out_dir));
    assert!(names(&tmp).is_empty(), "{:?}", names(&tmp));
}

/// The same for `stylecut analyze`: the decode's temporary audio files go with it.
#[test]
fn an_interrupted_analysis_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_stylecut"))
        .arg("analyze")
        .arg(media("video/moviepy-bbb/big_buck_bunny_0_30.webm"))
        .env("TMPDIR", &tmp)
        .env_remove("RUST_BACKTRACE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stylecut analyze starts");
    // The decode's first temporary file marks the analysis under way.
    let start = Instant::now();
    while names(&tmp).is_empty() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "analyze ended before decoding"
        );
        assert!(start.elapsed() < Duration::from_secs(60), "no decode began");
        std::thread::sleep(Duration::from_millis(10));
    }
    let pid = child.id() as libc::pid_t;
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let out = child.wait_with_output().expect("analyze ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(out.stdout.is_empty(), "no analysis is printed");
    assert!(names(&tmp).is_empty(), "{:?}", names(&tmp));
}
