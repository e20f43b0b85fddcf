//! Cancellation (queued and processing), the processing timeout, server-sent events, and a
//! server killed mid-render.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::*;

/// 180 s of video: long enough to be caught while processing.
fn long_clip() -> std::path::PathBuf {
    media("video/openboard-cc/wannaworktogether.mp4")
}

/// ffmpeg/ffprobe processes whose parent is `pid`.
pub fn media_children(pid: u32) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid ...
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        let comm = &stat[stat.find('(').unwrap_or(0) + 1..close];
        let ppid: u32 = stat[close + 2..]
            .split_whitespace()
            .nth(1)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if ppid == pid && (comm.starts_with("ffmpeg") || comm.starts_with("ffprobe")) {
            out.push(format!("{} {comm}", e.file_name().to_string_lossy()));
        }
    }
    out
}

async fn wait_no_children(s: &Server, within: Duration) {
    let t = Instant::now();
    loop {
        let c = media_children(s.pid());
        if c.is_empty() {
            return;
        }
        assert!(t.elapsed() < within, "ffmpeg children still alive: {c:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_processing_with_child(s: &Server, id: &str) {
    let t = Instant::now();
    loop {
        let j = s.job_state(id).await;
        assert!(
            j["status"] == json!("processing") || j["status"] == json!("queued"),
            "{j}"
        );
        if j["status"] == json!("processing") && !media_children(s.pid()).is_empty() {
            return;
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "never processing: {j}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn cancel_queued_and_processing_jobs() {
    let s = Server::start(&[("MAX_CONCURRENT_JOBS", "1")]);
    let vid = s.video(&long_clip()).await;
    let running = s.job(json!({"video_id": vid})).await;
    let queued = s
        .job(json!({"video_id": vid, "config": {"quality": "low"}}))
        .await;
    wait_processing_with_child(&s, &running).await;

    let (st, b) = s
        .post(&format!("/api/v1/jobs/{queued}/cancel"), &json!({}))
        .await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["data"]["status"], json!("cancelled"));
    assert!(b["data"]["completed_at"].is_string());
    // Cancelled while queued: it never ran.
    let j = s.job_state(&queued).await;
    assert_eq!(j["processing_time_seconds"], Value::Null, "{j}");
    assert_eq!(j["started_at"], Value::Null, "{j}");

    let t = Instant::now();
    let (st, b) = s
        .send(reqwest::Method::DELETE, &format!("/api/v1/jobs/{running}"))
        .await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["data"]["status"], json!("cancelled"));
    assert_eq!(b["data"]["current_stage"], Value::Null);
    // Its ffmpeg goes at once; the bound is loose for a loaded machine (the 180 s job it
    // stops would run for minutes).
    wait_no_children(&s, Duration::from_secs(10)).await;
    assert!(t.elapsed() < Duration::from_secs(10));
    // The cancelled job stays cancelled and leaves no partial output once its run has
    // ended (the answer comes before the run unwinds: it may be between two ffmpeg
    // processes, in code that sees the cancel at its next check).
    s.wait_job_ended(&running, Duration::from_secs(60)).await;
    let j = s.job_state(&running).await;
    assert_eq!(j["status"], json!("cancelled"), "{j}");
    assert_eq!(j["output_video_url"], Value::Null);
    // Its run was stopped, not ended: no processing time (it did start).
    assert_eq!(j["processing_time_seconds"], Value::Null, "{j}");
    assert!(j["started_at"].is_string(), "{j}");
    assert_eq!(staged_files(&s.data), 0);
    assert_eq!(count_files(&s.data.join("blobs/outputs")), 0);
    assert_eq!(run_scratch_dirs(&s.data), 0);
}

#[tokio::test]
async fn timeout_fails_the_job_and_kills_ffmpeg() {
    let s = Server::start(&[("PROCESSING_TIMEOUT_SECONDS", "1.5")]);
    let vid = s.video(&long_clip()).await;
    let id = s.job(json!({"video_id": vid})).await;
    let done = s.wait_terminal(&id, Duration::from_secs(30)).await;
    assert_eq!(done["status"], json!("failed"), "{done}");
    assert_eq!(done["error"]["code"], json!("JOB_TIMEOUT"), "{done}");
    assert!(done["error"]["stage"].is_string(), "{done}");
    assert!(done["error"]["message"]
        .as_str()
        .unwrap()
        .contains("PROCESSING_TIMEOUT_SECONDS"));
    assert!(done["processing_time_seconds"].as_f64().unwrap() < 10.0);
    wait_no_children(&s, Duration::from_secs(2)).await;
    assert_eq!(staged_files(&s.data), 0);
}

#[tokio::test]
async fn server_sent_events_follow_the_job_to_the_end() {
    let s = Server::start(&[]);
    let vid = s.video(&bikes()).await;
    let id = s
        .job(json!({"video_id": vid, "config": {"max_duration_seconds": 1}}))
        .await;
    let mut r = s
        .client
        .get(s.url(&format!("/api/v1/jobs/{id}/events")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let mut text = String::new();
    let t = Instant::now();
    while let Some(chunk) = tokio::time::timeout(Duration::from_secs(120), r.chunk())
        .await
        .expect("events stalled")
        .unwrap()
    {
        text.push_str(&String::from_utf8_lossy(&chunk));
        assert!(t.elapsed() < Duration::from_secs(120));
    }
    let events: Vec<Value> = text
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    assert!(events.len() >= 3, "{text}");
    assert_eq!(
        events.last().unwrap()["status"],
        json!("completed"),
        "{text}"
    );
    assert!(
        events
            .iter()
            .any(|e| e["current_stage"] == json!("rendering")),
        "{text}"
    );
    let p: Vec<u64> = events
        .iter()
        .map(|e| e["progress_percent"].as_u64().unwrap())
        .collect();
    assert!(p.windows(2).all(|w| w[0] <= w[1]), "{p:?}");
    let (st, b) = s.get("/api/v1/jobs/job_nope/events").await;
    assert_error(st, &b, 404, "JOB_NOT_FOUND");
}

#[tokio::test]
async fn at_most_max_concurrent_jobs_run_at_once() {
    let s = Server::start(&[("MAX_CONCURRENT_JOBS", "2")]);
    let vid = s.video(&long_clip()).await;
    let mut ids = Vec::new();
    for q in ["low", "medium", "high"] {
        ids.push(
            s.job(json!({"video_id": vid, "config": {"quality": q}}))
                .await,
        );
    }
    // Watched until two run at once (however long the claims take on a loaded machine),
    // and then for 4 s more: never three.
    let t = Instant::now();
    let mut two_since: Option<Instant> = None;
    while two_since.is_none_or(|at| at.elapsed() < Duration::from_secs(4)) {
        let (_, b) = s.get("/api/v1/jobs").await;
        let n = b["data"]["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|j| j["status"] == json!("processing"))
            .count();
        assert!(n <= 2, "{b}");
        if n == 2 && two_since.is_none() {
            two_since = Some(Instant::now());
        }
        assert!(
            two_since.is_some() || t.elapsed() < Duration::from_secs(60),
            "never two jobs processing at once: {b}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for id in &ids {
        let (st, b) = s
            .post(&format!("/api/v1/jobs/{id}/cancel"), &json!({}))
            .await;
        assert_eq!(st, 200, "{b}");
    }
    wait_no_children(&s, Duration::from_secs(10)).await;
}

#[tokio::test]
async fn api_only_server_with_a_separate_worker_process() {
    let mut s = Server::start(&[]);
    let data = s.data.clone();
    let _keep = s.take_dir();
    s.kill9();
    let s = Server::start_with(&data, &[], &["--api-only"]);
    let vid = s.video(&bikes()).await;
    let quick = s
        .job(json!({"video_id": vid, "config": {"max_duration_seconds": 1}}))
        .await;
    // Nothing runs jobs yet.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(s.job_state(&quick).await["status"], json!("queued"));
    let w = Worker::start(&data, &[]);
    let done = s.wait_terminal(&quick, Duration::from_secs(60)).await;
    assert_eq!(done["status"], json!("completed"), "{done}");
    // The output URL points at the API server, which serves the worker's output.
    let r = s
        .client
        .get(done["output_video_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);

    // A cancel through the API reaches the job in the worker process (lease heartbeat).
    let long = s.video(&long_clip()).await;
    let id = s.job(json!({"video_id": long})).await;
    let t = Instant::now();
    while media_children(w.0.id()).is_empty()
        || s.job_state(&id).await["status"] != json!("processing")
    {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "worker never started the job"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (st, _) = s
        .post(&format!("/api/v1/jobs/{id}/cancel"), &json!({}))
        .await;
    assert_eq!(st, 200);
    // The worker learns of it at its next heartbeat (every second); the bound leaves room
    // for a loaded machine, far below the job's minutes.
    let t = Instant::now();
    while !media_children(w.0.id()).is_empty() {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "worker kept running the cancelled job"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The render scratch directories (`stylecut-render-*`) in `tmp`.
fn render_dirs(tmp: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(tmp)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("stylecut-render-"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Whether process `pid` still exists as a live (not zombie) `ffmpeg`/`ffprobe`.
fn media_alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let Some(close) = stat.rfind(')') else {
        return false;
    };
    let comm = &stat[stat.find('(').unwrap_or(0) + 1..close];
    let state = stat[close + 2..].chars().next().unwrap_or('?');
    (comm.starts_with("ffmpeg") || comm.starts_with("ffprobe")) && state != 'Z'
}

/// SIGKILL of `serve` in the middle of a render: its ffmpeg processes die with it (they
/// do not run on, orphaned, for the rest of the render), a `worker` starting beside it on
/// the same data directory before the kill leaves its scratch alone, and the restarted
/// server removes the killed one's scratch (the render's `stylecut-render-*`, the job's
/// `scratch/<job>`) and completes the job.
#[tokio::test]
async fn sigkill_mid_render_kills_its_ffmpeg_and_a_restart_clears_its_scratch() {
    // The server's temp directory, where its renders make their scratch.
    let tmp = tempfile::tempdir().unwrap();
    let tmpdir = tmp.path().to_str().unwrap().to_string();
    let env = [("TMPDIR", tmpdir.as_str())];
    let mut s = Server::start(&env);
    let data = s.data.clone();
    let _keep = s.take_dir();
    let vid = s
        .video(&media("video/moviepy-bbb/big_buck_bunny_0_30.webm"))
        .await;
    // Measured once, so that the next job goes straight to a long render.
    let first = s
        .job(json!({"video_id": vid, "config": {"mode": "extract_only"}}))
        .await;
    let done = s.wait_terminal(&first, Duration::from_secs(300)).await;
    assert_eq!(done["status"], json!("completed"), "{done}");
    let id = s
        .job(json!({"video_id": vid, "config": {"resolution": "1080p", "quality": "high"}}))
        .await;
    let t = Instant::now();
    let kids = loop {
        let j = s.job_state(&id).await;
        assert!(
            j["status"] == json!("processing") || j["status"] == json!("queued"),
            "{j}"
        );
        let kids = media_children(s.pid());
        if j["current_stage"] == json!("rendering")
            && !kids.is_empty()
            && !render_dirs(tmp.path()).is_empty()
        {
            break kids;
        }
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "never rendering: {j}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let kid_pids: Vec<u32> = kids
        .iter()
        .filter_map(|k| k.split(' ').next()?.parse().ok())
        .collect();
    let render = render_dirs(tmp.path());
    // The run's scratch: `scratch/<job>-<random>`, a new directory for every run.
    let runs: Vec<_> = std::fs::read_dir(data.join("scratch"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{id}-"))
        })
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    let job_scratch = runs[0].clone();
    assert!(job_scratch.is_dir());

    // A worker starting on the same data directory meanwhile keeps its hands off them.
    let w = Worker::start(&data, &env);
    let t = Instant::now();
    while !std::fs::read_to_string(data.with_extension("worker.log"))
        .unwrap_or_default()
        .contains("stylecut worker running")
    {
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "worker never started"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(w);
    assert!(render.iter().all(|d| d.is_dir()), "{render:?}");
    assert!(job_scratch.is_dir());
    assert!(
        kid_pids.iter().any(|&p| media_alive(p)),
        "the render stopped"
    );

    s.kill9();
    // The kernel kills them (PR_SET_PDEATHSIG from the spawner thread) as the server dies.
    let t = Instant::now();
    while let Some(p) = kid_pids.iter().find(|&&p| media_alive(p)) {
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "ffmpeg {p} outlived its killed server"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Nothing ran the killed server's clean-up.
    assert!(render.iter().all(|d| d.is_dir()), "{render:?}");
    assert!(job_scratch.is_dir());

    // The restarted server has removed them by the time it listens.
    let s = Server::start_in(&data, &env);
    assert!(render.iter().all(|d| !d.exists()), "{render:?}");
    assert!(!job_scratch.exists());
    let done = s.wait_terminal(&id, Duration::from_secs(300)).await;
    assert_eq!(done["status"], json!("completed"), "{done}\n{}", s.log());
    assert_eq!(render_dirs(tmp.path()), Vec::<std::path::PathBuf>::new());
    assert_eq!(run_scratch_dirs(&data), 0);
    assert_eq!(staged_files(&data), 0);
}
