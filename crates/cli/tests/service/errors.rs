//! Every error code of the contract, with its HTTP status and the error envelope.

use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn upload_errors() {
    let s = Server::start(&[("MAX_FILE_SIZE_MB", "0.25")]);
    let bytes = std::fs::read(bikes()).unwrap();

    let (st, b) = s.upload_bytes("clip.txt", b"hello", &[]).await;
    assert_error(st, &b, 422, "UNSUPPORTED_FORMAT");
    let detail = b["error"]["detail"].as_str().unwrap();
    assert!(
        detail.contains("txt") && detail.contains("mp4, mov, avi, mkv, webm"),
        "{detail}"
    );

    // 500 kB against a 0.25 MiB limit: refused while streaming, nothing left behind.
    let (st, b) = s.upload_bytes("bikes.mp4", &bytes, &[]).await;
    assert_error(st, &b, 413, "FILE_TOO_LARGE");
    assert_eq!(staged_files(&s.data), 0);
    assert_eq!(count_files(&s.data.join("blobs/uploads")), 0);

    let (ct, body) = multipart(None, &[("webhook_url", "http://127.0.0.1:1/")]);
    let r = s
        .client
        .post(s.url("/api/v1/videos/upload"))
        .header("Content-Type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    let st = r.status().as_u16();
    assert_error(st, &r.json().await.unwrap(), 422, "MISSING_FIELD");

    let r = s
        .client
        .post(s.url("/api/v1/videos/upload"))
        .json(&json!({"file": "x"}))
        .send()
        .await
        .unwrap();
    let st = r.status().as_u16();
    assert_error(st, &r.json().await.unwrap(), 422, "MISSING_FIELD");
}

#[tokio::test]
async fn undecodable_files_are_invalid_media_and_leave_nothing() {
    let s = Server::start(&[]);
    let bytes = std::fs::read(bikes()).unwrap();
    // Truncated: the index (moov) at the end of this file is cut off.
    let (st, b) = s
        .upload_bytes("cut.mp4", &bytes[..bytes.len() / 2], &[])
        .await;
    assert_error(st, &b, 422, "INVALID_MEDIA");
    let garbage: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let (st, b) = s.upload_bytes("garbage.mkv", &garbage, &[]).await;
    assert_error(st, &b, 422, "INVALID_MEDIA");
    let (st, b) = s.upload_bytes("empty.mov", b"", &[]).await;
    assert_error(st, &b, 422, "INVALID_MEDIA");
    // Audio only: an allowed extension without a video stream.
    let wav = std::process::Command::new("ffmpeg")
        .args([
            "-v", "error", "-f", "lavfi", "-i", "sine=d=1", "-f", "webm", "-c:a", "libopus",
            "pipe:1",
        ])
        .output()
        .unwrap();
    assert!(wav.status.success());
    let (st, b) = s.upload_bytes("audio.webm", &wav.stdout, &[]).await;
    assert_error(st, &b, 422, "INVALID_MEDIA");
    assert_eq!(staged_files(&s.data), 0);
    assert_eq!(count_files(&s.data.join("blobs/uploads")), 0);
}

#[tokio::test]
async fn stored_names_never_come_from_the_client() {
    let s = Server::start(&[]);
    let bytes = std::fs::read(bikes()).unwrap();
    let (st, b) = s
        .upload_bytes("../../../../tmp/evil.mp4", &bytes, &[])
        .await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["data"]["filename"], json!("../../../../tmp/evil.mp4"));
    let vid = b["data"]["video_id"].as_str().unwrap();
    let stored: Vec<_> = std::fs::read_dir(s.data.join("blobs/uploads"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(stored, vec![format!("{vid}.mp4")]);
}

#[tokio::test]
async fn job_request_errors() {
    let s = Server::start(&[]);
    let vid = s.video(&bikes()).await;

    let (st, b) = s.create_job(json!({"config": {}})).await;
    assert_error(st, &b, 422, "MISSING_FIELD");
    let (st, b) = s.create_job(json!({"video_id": 42})).await;
    assert_error(st, &b, 422, "VALIDATION_ERROR");
    let r = s
        .client
        .post(s.url("/api/v1/jobs"))
        .header("Content-Type", "application/json")
        .body("{\"video_id\": ")
        .send()
        .await
        .unwrap();
    let st = r.status().as_u16();
    assert_error(st, &r.json().await.unwrap(), 422, "VALIDATION_ERROR");
    let (st, b) = s
        .create_job(json!({"video_id": vid, "config": {"bogus": 1}}))
        .await;
    assert_error(st, &b, 422, "VALIDATION_ERROR");
    let (st, b) = s
        .create_job(json!({"video_id": vid, "config": {"max_duration_seconds": -1}}))
        .await;
    assert_error(st, &b, 422, "VALIDATION_ERROR");
    let (st, b) = s
        .create_job(json!({"video_id": vid, "webhook_url": "ftp://example.com/"}))
        .await;
    assert_error(st, &b, 422, "VALIDATION_ERROR");

    let (st, b) = s.create_job(json!({"video_id": "vid_nope"})).await;
    assert_error(st, &b, 404, "VIDEO_NOT_FOUND");
    let (st, b) = s
        .create_job(json!({"video_id": vid, "template_video_id": "vid_nope"}))
        .await;
    assert_error(st, &b, 404, "VIDEO_NOT_FOUND");

    for path in [
        "/api/v1/jobs/job_nope",
        "/api/v1/jobs/job_nope/result",
        "/api/v1/jobs/job_nope/webhooks",
    ] {
        let (st, b) = s.get(path).await;
        assert_error(st, &b, 404, "JOB_NOT_FOUND");
    }
    let (st, b) = s.post("/api/v1/jobs/job_nope/cancel", &json!({})).await;
    assert_error(st, &b, 404, "JOB_NOT_FOUND");

    // Same video + template + config while the first is active: 409 naming it.
    let cfg = json!({"video_id": vid, "config": {"max_duration_seconds": 3}});
    let first = s.job(cfg.clone()).await;
    let (st, b) = s.create_job(cfg.clone()).await;
    assert_error(st, &b, 409, "JOB_ALREADY_PROCESSING");
    assert!(b["error"]["detail"].as_str().unwrap().contains(&first));
    // A different config is a different job.
    let (st, b) = s
        .create_job(
            json!({"video_id": vid, "config": {"max_duration_seconds": 3, "quality": "low"}}),
        )
        .await;
    assert_eq!(st, 200, "{b}");
    // Terminal jobs are not cancellable; after it ended, the same request is accepted again.
    let (st, _) = s
        .post(&format!("/api/v1/jobs/{first}/cancel"), &json!({}))
        .await;
    assert_eq!(st, 200);
    let (st, b) = s
        .post(&format!("/api/v1/jobs/{first}/cancel"), &json!({}))
        .await;
    assert_error(st, &b, 409, "JOB_NOT_CANCELLABLE");
    let (st, b) = s
        .send(reqwest::Method::DELETE, &format!("/api/v1/jobs/{first}"))
        .await;
    assert_error(st, &b, 409, "JOB_NOT_CANCELLABLE");
    let (st, b) = s.create_job(cfg).await;
    assert_eq!(st, 200, "{b}");
}

/// **Decision** (docs/API.md, Job creation body): keys of the body the contract does not
/// name are ignored, as Clipzy clients may send fields of their own; keys inside `config`
/// are ours and an unknown one is refused. An ignored key changes nothing: the same request
/// with and without it is the same job.
#[tokio::test]
async fn unknown_body_keys_are_ignored_unknown_config_keys_refused() {
    // HTTP only: the job stays queued, so the same request again must meet it.
    let s = Server::start(&[("API_ONLY", "true")]);
    let vid = s.video(&bikes()).await;
    let cfg = json!({"mode": "extract_only", "max_duration_seconds": 1});
    let (st, b) = s
        .create_job(json!({
            "video_id": vid,
            "config": cfg,
            "priority": "high",
            "client_reference": {"order": 17},
            "callback_headers": ["X-Clipzy: 1"],
        }))
        .await;
    assert_eq!(st, 200, "{b}");
    let job = b["data"]["job_id"].as_str().unwrap().to_string();
    assert!(b["data"].get("priority").is_none(), "{b}");
    let (st, b) = s.create_job(json!({"video_id": vid, "config": cfg})).await;
    assert_error(st, &b, 409, "JOB_ALREADY_PROCESSING");
    assert!(b["error"]["detail"].as_str().unwrap().contains(&job), "{b}");
    let (st, b) = s
        .create_job(
            json!({"video_id": vid, "config": {"mode": "extract_only", "priority": "high"}}),
        )
        .await;
    assert_error(st, &b, 422, "VALIDATION_ERROR");
    assert!(
        b["error"]["detail"].as_str().unwrap().contains("priority"),
        "{b}"
    );
    let (st, b) = s
        .post(&format!("/api/v1/jobs/{job}/cancel"), &json!({}))
        .await;
    assert_eq!(st, 200, "{b}");
}

#[tokio::test]
async fn list_pagination_bounds() {
    let s = Server::start(&[]);
    for q in [
        "page=0",
        "page_size=0",
        "page_size=101",
        "page=-1",
        "page=abc",
        "page_size=1.5",
    ] {
        let (st, b) = s.get(&format!("/api/v1/jobs?{q}")).await;
        assert_error(st, &b, 422, "VALIDATION_ERROR");
    }
    let vid = s.video(&bikes()).await;
    let mut ids = Vec::new();
    for i in 1..=3 {
        ids.push(
            s.job(json!({"video_id": vid, "config": {"mode": "extract_only", "max_duration_seconds": i}}))
                .await,
        );
    }
    let (st, b) = s.get("/api/v1/jobs?page=1&page_size=2").await;
    assert_eq!(st, 200);
    let d = &b["data"];
    assert_eq!(
        (
            d["total"].as_i64(),
            d["page"].as_i64(),
            d["page_size"].as_i64()
        ),
        (Some(3), Some(1), Some(2))
    );
    let got: Vec<_> = d["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["job_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, vec![ids[2].clone(), ids[1].clone()], "newest first");
    let (_, b) = s.get("/api/v1/jobs?page=2&page_size=2").await;
    assert_eq!(b["data"]["jobs"][0]["job_id"], json!(ids[0]));
    let (_, b) = s.get("/api/v1/jobs?page=9&page_size=100").await;
    assert_eq!(b["data"]["jobs"], json!([]));
    assert_eq!(b["data"]["total"], json!(3));
    for id in &ids {
        let _ = s
            .post(&format!("/api/v1/jobs/{id}/cancel"), &json!({}))
            .await;
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_get_the_envelope() {
    let s = Server::start(&[]);
    let (st, b) = s.get("/api/v1/nope").await;
    assert_error(st, &b, 404, "NOT_FOUND");
    let (st, b) = s.get("/").await;
    assert_error(st, &b, 404, "NOT_FOUND");
    let (st, b) = s.send(reqwest::Method::PUT, "/api/v1/jobs").await;
    assert_error(st, &b, 405, "METHOD_NOT_ALLOWED");
    let (st, b) = s.send(reqwest::Method::POST, "/api/v1/health").await;
    assert_error(st, &b, 405, "METHOD_NOT_ALLOWED");
}

#[tokio::test]
async fn upload_template_must_exist_and_is_remembered() {
    let s = Server::start(&[]);
    let (st, b) = s
        .upload(&bikes(), &[("template_video_id", "vid_nope")])
        .await;
    assert_error(st, &b, 404, "VIDEO_NOT_FOUND");
    assert_eq!(staged_files(&s.data), 0);
    assert_eq!(count_files(&s.data.join("blobs/uploads")), 0);
    let (st, b) = s.upload(&bikes(), &[("webhook_url", "not a url")]).await;
    assert_error(st, &b, 422, "VALIDATION_ERROR");

    let template = s
        .video(&media("video/pyscenedetect/goldeneye-vfr-drop3.mp4"))
        .await;
    let (st, b) = s
        .upload(&bikes(), &[("template_video_id", &template)])
        .await;
    assert_eq!(st, 200, "{b}");
    let vid = b["data"]["video_id"].as_str().unwrap();
    let id = s
        .job(json!({"video_id": vid, "config": {"mode": "extract_only"}}))
        .await;
    let done = s
        .wait_terminal(&id, std::time::Duration::from_secs(120))
        .await;
    assert_eq!(done["template_video_id"], json!(template), "{done}");
    assert_eq!(done["status"], json!("completed"), "{done}");
}
