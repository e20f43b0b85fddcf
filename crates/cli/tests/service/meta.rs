//! Health, bearer auth, the OpenAPI document and graceful shutdown.

use std::time::Duration;

use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn health_reports_dependencies() {
    let s = Server::start(&[]);
    let (st, b) = s.get("/api/v1/health").await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["success"], json!(true));
    assert_eq!(b["data"]["status"], json!("ok"));
    assert_eq!(b["data"]["version"], json!(env!("CARGO_PKG_VERSION")));
    assert_eq!(b["data"]["ffmpeg"]["available"], json!(true));
    assert_eq!(b["data"]["database"]["available"], json!(true));
}

#[tokio::test]
async fn health_is_degraded_without_ffmpeg() {
    let s = Server::start(&[("STYLECUT_FFMPEG", "/nonexistent/ffmpeg")]);
    let (st, b) = s.get("/api/v1/health").await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["data"]["status"], json!("degraded"));
    assert_eq!(b["data"]["ffmpeg"]["available"], json!(false));
}

#[tokio::test]
async fn bearer_token_guards_everything_but_health() {
    let mut s = Server::start(&[("API_TOKEN", "tok-123")]);
    let (st, b) = s.get("/api/v1/jobs").await;
    assert_eq!(st, 200, "{b}");
    let (st, _) = s.get("/api/v1/health").await;
    assert_eq!(st, 200);
    s.token = None;
    let (st, _) = s.get("/api/v1/health").await;
    assert_eq!(st, 200);
    for path in [
        "/api/v1/jobs",
        "/api/v1/jobs/job_x",
        "/api/v1/openapi.json",
        "/api/v1/nope",
    ] {
        let (st, b) = s.get(path).await;
        assert_error(st, &b, 401, "UNAUTHORIZED");
    }
    let (st, b) = s.upload(&bikes(), &[]).await;
    assert_error(st, &b, 401, "UNAUTHORIZED");
    s.token = Some("wrong".into());
    let (st, b) = s.get("/api/v1/jobs").await;
    assert_error(st, &b, 401, "UNAUTHORIZED");
}

#[tokio::test]
async fn openapi_document_describes_the_api() {
    let s = Server::start(&[]);
    let (st, d) = s.get("/api/v1/openapi.json").await;
    assert_eq!(st, 200);
    assert!(d["openapi"].as_str().unwrap().starts_with("3."), "{d}");
    for p in [
        "/api/v1/health",
        "/api/v1/videos/upload",
        "/api/v1/jobs",
        "/api/v1/jobs/{job_id}",
        "/api/v1/jobs/{job_id}/result",
        "/api/v1/jobs/{job_id}/cancel",
        "/api/v1/jobs/{job_id}/output",
        "/api/v1/jobs/{job_id}/events",
        "/api/v1/jobs/{job_id}/webhooks",
    ] {
        assert!(d["paths"][p].is_object(), "missing {p}");
    }
    let schemas = &d["components"]["schemas"];
    for name in [
        "JobResponse",
        "JobDetailResponse",
        "VideoUploadResponse",
        "ErrorEnvelope",
        "StyleJson",
    ] {
        assert!(schemas[name].is_object(), "missing schema {name}");
    }
    // A full disk has its documented answer where a request writes (upload, job creation),
    // and its code is one of the schema's error codes.
    for (p, m) in [("/api/v1/videos/upload", "post"), ("/api/v1/jobs", "post")] {
        assert!(
            d["paths"][p][m]["responses"]["507"].is_object(),
            "{m} {p}: no 507 INSUFFICIENT_STORAGE"
        );
    }
    assert!(
        d.to_string().contains("\"INSUFFICIENT_STORAGE\""),
        "INSUFFICIENT_STORAGE is not among the error codes"
    );
    let job_props = &schemas["JobResponse"]["properties"];
    for f in [
        "job_id",
        "video_id",
        "status",
        "progress_percent",
        "current_stage",
        "created_at",
        "updated_at",
        "started_at",
        "completed_at",
        "template_video_id",
    ] {
        assert!(job_props[f].is_object(), "JobResponse.{f}");
    }
}

#[tokio::test]
async fn sigterm_requeues_the_running_job_and_exits() {
    let mut s = Server::start(&[]);
    let data = s.data.clone();
    let _keep = s.take_dir();
    let vid = s
        .video(&media("video/openboard-cc/wannaworktogether.mp4"))
        .await;
    let id = s.job(json!({"video_id": vid})).await;
    let mut seen = Vec::new();
    s.wait_job(&id, Duration::from_secs(60), &mut seen, |j| {
        j["status"] == json!("processing")
    })
    .await;
    s.signal(libc::SIGTERM);
    let st = s.wait_exit(Duration::from_secs(15));
    assert!(st.success(), "{st:?}\n{}", s.log());
    // Started again (with a tiny timeout so the test ends quickly), the job was queued,
    // not lost and not stuck in processing.
    let s = Server::start_in(&data, &[("PROCESSING_TIMEOUT_SECONDS", "0.5")]);
    let j = s.wait_terminal(&id, Duration::from_secs(30)).await;
    assert_eq!(j["error"]["code"], json!("JOB_TIMEOUT"), "{j}");
    let log = s.log();
    assert!(
        log.contains("shutdown requested") && log.contains("job re-queued on shutdown"),
        "{log}"
    );
}

/// A SIGTERM as soon as the server has announced its address is a clean shutdown, not the
/// signal's default action (the process killed on the spot). The gap this checks (the
/// signal handlers installed only after the address was printed) is short, so the start
/// and stop are repeated.
#[test]
fn sigterm_right_after_start_is_a_clean_shutdown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    for i in 0..30 {
        let mut s = Server::start_in(&data, &[]);
        s.signal(libc::SIGTERM);
        let st = s.wait_exit(Duration::from_secs(30));
        assert!(st.success(), "start {i}: {st:?}\n{}", s.log());
    }
}

#[tokio::test]
async fn a_log_written_to_a_file_has_no_colour_codes() {
    // The harness sends the server's stderr to `<data>.log`, as a supervisor or
    // `serve 2>>stylecut.log` would: the lines must be plain text there.
    let s = Server::start(&[]);
    let (st, _) = s.get("/api/v1/health").await;
    assert_eq!(st, 200);
    let log_path = s.data.with_extension("log");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let log = loop {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        if log.contains("stylecut serving") || std::time::Instant::now() > deadline {
            break log;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(log.contains("stylecut serving"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "escape codes in the log file: {log:?}"
    );
}
