//! The stall watchdog (`JOB_STALL_SECONDS`): a run whose ffmpeg hangs without exiting is
//! stopped and its job re-queued (or failed `WORKER_LOST` after its attempts) long before
//! `PROCESSING_TIMEOUT_SECONDS`; a slow run that keeps working is left alone.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::*;

/// A fake `ffmpeg` in `dir`: the real one, except for the first run whose arguments
/// contain `when` (a shell `case` pattern), which does `act` instead (then, if `act`
/// returns, the real ffmpeg). `once` false: every such run does `act`.
fn fake_ffmpeg(dir: &Path, when: &str, act: &str, once: bool) -> PathBuf {
    let mark = dir.join("acted");
    let guard = if once {
        format!("mkdir {:?} 2>/dev/null", mark)
    } else {
        "true".into()
    };
    let script = format!(
        "#!/bin/sh\ncase \" $* \" in\n  {when}) if {guard}; then {act}; fi;;\nesac\nexec ffmpeg \"$@\"\n"
    );
    let path = dir.join("ffmpeg");
    std::fs::write(&path, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// An analysis decode (its frames or samples stream to `pipe:1`).
const DECODE: &str = "*\" pipe:1 \"*";

/// Processing timeout of these tests: far above the stall window, below the waits.
const TIMEOUT: &str = "40";

fn server(ffmpeg: &Path, extra: &[(&str, &str)]) -> Server {
    let mut env = vec![
        ("STYLECUT_FFMPEG", ffmpeg.to_str().unwrap()),
        ("JOB_STALL_SECONDS", "2"),
        ("PROCESSING_TIMEOUT_SECONDS", TIMEOUT),
        ("MAX_CONCURRENT_JOBS", "1"),
    ];
    env.extend_from_slice(extra);
    Server::start(&env)
}

/// An ffmpeg that says a word and then hangs (its process alive, silent, using no CPU)
/// stalls the run: it is killed, the job re-queued, and its next run completes, within
/// seconds instead of at `PROCESSING_TIMEOUT_SECONDS`. On main the job stays
/// `processing` (the decode waits for a frame that never comes, past the timeout too).
#[tokio::test]
async fn a_hung_ffmpeg_stalls_the_run_and_the_job_runs_again() {
    let dir = tempfile::tempdir().unwrap();
    let ff = fake_ffmpeg(
        dir.path(),
        DECODE,
        "echo 'fake ffmpeg: hanging' >&2; exec sleep 600",
        true,
    );
    let s = server(&ff, &[]);
    let vid = s.video(&bikes()).await;
    let t = Instant::now();
    let id = s.job(json!({"video_id": vid})).await;
    let done = s.wait_terminal(&id, Duration::from_secs(35)).await;
    let took = t.elapsed();
    assert_eq!(done["status"], json!("completed"), "{done}\n{}", s.log());
    let log = s.log();
    assert!(log.contains("the run stalled; job re-queued"), "{log}");
    assert!(dir.path().join("acted").exists());
    // The stall cost about its window, not the processing timeout.
    assert!(took < Duration::from_secs(30), "{took:?}");
    assert_eq!(run_scratch_dirs(&s.data), 0);
}

/// A run whose thread is wedged for good (the hung ffmpeg's own child keeps its pipes
/// open, so killing ffmpeg does not end the read the decode waits in) still gives the
/// job back: the run is left behind after its grace, the only slot of
/// `MAX_CONCURRENT_JOBS=1` is free again, and the next run completes; the server then
/// shuts down without waiting for that thread.
#[tokio::test]
async fn a_wedged_run_still_gives_its_job_and_its_slot_back() {
    let dir = tempfile::tempdir().unwrap();
    // `sleep` (not exec'd) holds the pipes after the shell is killed; 45 s bounds it.
    let ff = fake_ffmpeg(dir.path(), DECODE, "sleep 45", true);
    let mut s = server(&ff, &[]);
    let vid = s.video(&bikes()).await;
    let id = s.job(json!({"video_id": vid})).await;
    let done = s.wait_terminal(&id, Duration::from_secs(35)).await;
    assert_eq!(done["status"], json!("completed"), "{done}\n{}", s.log());
    let log = s.log();
    assert!(log.contains("its thread is left behind"), "{log}");
    assert!(log.contains("the run stalled; job re-queued"), "{log}");
    // The thread left behind (wedged for 45 s) does not hold a graceful shutdown.
    s.signal(libc::SIGTERM);
    s.wait_exit_async(Duration::from_secs(15)).await;
}

/// A run that stalls on every attempt fails with `WORKER_LOST` and a message saying it
/// stalled once it used `MAX_JOB_ATTEMPTS` runs.
#[tokio::test]
async fn a_job_that_stalls_every_run_fails_worker_lost() {
    let dir = tempfile::tempdir().unwrap();
    let ff = fake_ffmpeg(dir.path(), DECODE, "exec sleep 600", false);
    let s = server(&ff, &[("MAX_JOB_ATTEMPTS", "2")]);
    let vid = s.video(&bikes()).await;
    let t = Instant::now();
    let id = s.job(json!({"video_id": vid})).await;
    let done = s.wait_terminal(&id, Duration::from_secs(35)).await;
    assert_eq!(done["status"], json!("failed"), "{done}");
    assert_eq!(done["error"]["code"], json!("WORKER_LOST"), "{done}");
    let msg = done["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("stalled") && msg.contains("JOB_STALL_SECONDS"),
        "{msg}"
    );
    assert!(done["error"]["stage"].is_string(), "{done}");
    assert!(t.elapsed() < Duration::from_secs(30));
    // Two runs: one re-queue, then the failure.
    assert_eq!(s.log().matches("the run stalled; job re-queued").count(), 1);
}

/// A render that sits on one percent for longer than the stall window but keeps
/// ticking (`-progress` blocks that do not move the percent, every second for 5 s) is
/// not a stall: the job completes in its first run.
#[tokio::test]
async fn a_slow_run_that_keeps_ticking_is_not_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let ff = fake_ffmpeg(
        dir.path(),
        "*\" -progress \"*",
        "for i in 1 2 3 4 5; do echo progress=continue; sleep 1; done",
        true,
    );
    let s = server(&ff, &[]);
    let vid = s.video(&bikes()).await;
    let id = s.job(json!({"video_id": vid})).await;
    let done = s.wait_terminal(&id, Duration::from_secs(35)).await;
    assert_eq!(done["status"], json!("completed"), "{done}\n{}", s.log());
    assert!(
        dir.path().join("acted").exists(),
        "the slow render never ran"
    );
    let log = s.log();
    assert!(!log.contains("stalled"), "{log}");
}

/// `JOB_STALL_SECONDS` is validated like the other settings: `serve` refuses to start.
#[test]
fn a_bad_stall_setting_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_stylecut"))
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("JOB_STALL_SECONDS", "-1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let t = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if t.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("serve started with JOB_STALL_SECONDS=-1");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(!status.success());
    let mut err = String::new();
    use std::io::Read;
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(err.contains("JOB_STALL_SECONDS"), "{err}");
}
