//! Ctrl-C during `stylecut apply`: the render stops, its hidden partial MP4 and its
//! scratch directory are removed, and the command exits with status 130.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::media;

/// Names in `dir` (hidden ones included).
fn names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// `stylecut ARGS` with its temporary files in `tmp`, output captured.
fn stylecut(args: &[&OsStr], tmp: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_stylecut"))
        .args(args)
        .env("TMPDIR", tmp)
        .env_remove("RUST_BACKTRACE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stylecut starts")
}

/// SIGINT to stylecut alone (a terminal would signal ffmpeg too: here only the cancel flag
/// can stop it); the command must end with status 130. Returns its output and stderr.
fn interrupt(child: Child) -> (Output, String) {
    let pid = child.id() as libc::pid_t;
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let out = child.wait_with_output().expect("stylecut ends");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    (out, stderr)
}

#[test]
fn an_interrupted_apply_cleans_up_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let (out_dir, tmp) = (dir.path().join("out"), dir.path().join("tmp"));
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::create_dir_all(&tmp).unwrap();
    // No style: the source's own look, re-edited (a one-process render).
    let src = media("video/moviepy-bbb/big_buck_bunny_0_30.webm");
    let out_file = out_dir.join("out.mp4");
    let mut child = stylecut(
        &[
            "apply".as_ref(),
            src.as_os_str(),
            "-o".as_ref(),
            out_file.as_os_str(),
        ],
        &tmp,
    );
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
    let (_, stderr) = interrupt(child);
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
    let src = media("video/moviepy-bbb/big_buck_bunny_0_30.webm");
    let mut child = stylecut(&["analyze".as_ref(), src.as_os_str()], &tmp);
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
    let (out, _) = interrupt(child);
    assert!(out.stdout.is_empty(), "no analysis is printed");
    assert!(names(&tmp).is_empty(), "{:?}", names(&tmp));
}
