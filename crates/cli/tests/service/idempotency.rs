//! The `Idempotency-Key` header of `POST /api/v1/videos/upload` and `POST /api/v1/jobs`: a
//! retry whose first answer was lost makes no second video or job, a key reused for
//! another request is refused, concurrent duplicates make one resource, keys expire.

use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use serde_json::{json, Value};

use crate::common::*;

/// One answer: status, body, headers.
struct Answer {
    status: u16,
    body: Value,
    headers: HeaderMap,
}

impl Answer {
    fn replayed(&self) -> bool {
        self.headers
            .get("idempotent-replayed")
            .is_some_and(|v| v == "true")
    }

    fn id(&self, field: &str) -> String {
        assert_eq!(self.status, 200, "{}", self.body);
        self.body["data"][field].as_str().expect("id").to_string()
    }
}

async fn answer(r: reqwest::RequestBuilder) -> Answer {
    let r = r.send().await.expect("request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    Answer {
        status,
        body: r.json().await.unwrap_or(Value::Null),
        headers,
    }
}

/// A multipart upload of `bytes` with the header `Idempotency-Key: key` (raw bytes).
fn upload_req(
    s: &Server,
    key: Option<&[u8]>,
    name: &str,
    bytes: &[u8],
    fields: &[(&str, &str)],
) -> reqwest::RequestBuilder {
    let (ct, body) = multipart(Some((name, bytes)), fields);
    let r = s
        .req(reqwest::Method::POST, "/api/v1/videos/upload")
        .header("Content-Type", ct)
        .body(body);
    with_key(r, key)
}

fn with_key(r: reqwest::RequestBuilder, key: Option<&[u8]>) -> reqwest::RequestBuilder {
    match key {
        Some(k) => r.header(
            "Idempotency-Key",
            reqwest::header::HeaderValue::from_bytes(k).expect("header value"),
        ),
        None => r,
    }
}

async fn upload_keyed(
    s: &Server,
    key: Option<&[u8]>,
    name: &str,
    bytes: &[u8],
    fields: &[(&str, &str)],
) -> Answer {
    answer(upload_req(s, key, name, bytes, fields)).await
}

fn job_req(s: &Server, key: Option<&[u8]>, body: &Value) -> reqwest::RequestBuilder {
    with_key(s.req(reqwest::Method::POST, "/api/v1/jobs").json(body), key)
}

async fn job_keyed(s: &Server, key: Option<&[u8]>, body: &Value) -> Answer {
    answer(job_req(s, key, body)).await
}

/// Sends the requests at once (each on its own task); their answers.
async fn all_at_once(reqs: Vec<reqwest::RequestBuilder>) -> Vec<Answer> {
    let tasks: Vec<_> = reqs.into_iter().map(|r| tokio::spawn(answer(r))).collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("request task"));
    }
    out
}

/// Sends `send` again while it is refused as in flight (409 with `Retry-After`).
async fn until_not_in_flight<F, Fut>(send: F) -> Answer
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Answer>,
{
    let t = Instant::now();
    loop {
        let a = send().await;
        if a.status != 409 || a.body["error"]["code"] != json!("IDEMPOTENCY_KEY_IN_FLIGHT") {
            return a;
        }
        let wait: u64 = a
            .headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .expect("a 409 IDEMPOTENCY_KEY_IN_FLIGHT carries Retry-After");
        assert!(t.elapsed() < Duration::from_secs(60), "in flight for ever");
        tokio::time::sleep(Duration::from_secs(wait)).await;
    }
}

fn upload_blobs(s: &Server) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(s.data.join("blobs/uploads"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Waits until every upload commit has ended (nothing staged, as many blobs as rows).
async fn settled(s: &Server) -> Vec<String> {
    let t = Instant::now();
    loop {
        let rows = db_strings(s, "SELECT id FROM videos ORDER BY id").await;
        if staged_files(&s.data) == 0 && upload_blobs(s).len() == rows.len() {
            return rows;
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "uploads never settled: rows {rows:?}, blobs {:?}",
            upload_blobs(s)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The case users meet: the whole upload is sent, the connection drops before the answer,
/// and the client sends it again with the same key. One video and one blob per key, and
/// the retry answers that video (main: the header was ignored, a second video each time).
#[tokio::test]
async fn a_dropped_upload_answer_retried_with_its_key_makes_one_video() {
    let s = Server::start(&[]);
    let bytes = std::fs::read(bikes()).expect("media");
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut answered = Vec::new();
    let mut replayed = 0;
    // Dropped at once, the connection's end can reach the server before it has read the
    // whole body: that upload is dropped with nothing kept, and the retry is the first.
    let waits = [0u64, 150, 500, 1000];
    for (i, wait_ms) in waits.into_iter().enumerate() {
        let key = format!("drop-{i}-7c1e4a52-1d0b-4a47-9a51-0c1f3f1b2c{i:02}");
        let (ct, body) = multipart(Some(("bikes.mp4", &bytes[..])), &[]);
        // The answer is lost.
        let header = format!("Idempotency-Key: {key}\r\n");
        upload_and_leave(&addr, &header, &ct, &body, wait_ms).await;
        let again = until_not_in_flight(|| {
            upload_keyed(&s, Some(key.as_bytes()), "bikes.mp4", &bytes, &[])
        })
        .await;
        answered.push(again.id("video_id"));
        replayed += again.replayed() as usize;
        assert_eq!(
            again.body["data"]["file_size_bytes"].as_u64(),
            Some(bytes.len() as u64)
        );
    }
    let rows = settled(&s).await;
    answered.sort();
    assert_eq!(rows, answered, "videos stored vs answered");
    assert_eq!(
        upload_blobs(&s).len(),
        waits.len(),
        "{:?}",
        upload_blobs(&s)
    );
    // The case did happen: a first upload stored without its answer, answered to the retry.
    assert!(replayed >= 1, "no first upload was stored before its retry");
    // Without a key a repeat is a new upload, as before.
    let a = upload_keyed(&s, None, "bikes.mp4", &bytes, &[]).await;
    let b = upload_keyed(&s, None, "bikes.mp4", &bytes, &[]).await;
    assert_ne!(a.id("video_id"), b.id("video_id"));
    assert!(!a.replayed() && !b.replayed());
}

/// A retried job creation answers the job the first made, while it is queued and after it
/// ended, and makes no second job (main: 409 JOB_ALREADY_PROCESSING while it was active,
/// then a second job that ran again).
#[tokio::test]
async fn a_retried_job_creation_makes_one_job() {
    let s = Server::start(&[]);
    let vid = s.video(&bikes()).await;
    let body = json!({"video_id": vid, "config": {"mode": "extract_only"}});
    let key = b"job-3f0c6a1e-5f3b-4c8e-9d7a-2b1e0f9c8d7e";
    let first = job_keyed(&s, Some(key), &body).await;
    let id = first.id("job_id");
    assert!(!first.replayed());
    let again = until_not_in_flight(|| job_keyed(&s, Some(key), &body)).await;
    assert_eq!(again.id("job_id"), id, "{}", again.body);
    assert!(again.replayed());
    let end = s.wait_terminal(&id, Duration::from_secs(120)).await;
    assert_eq!(end["status"], json!("completed"), "{end}");
    // The answer is the job as it is now; the body shape is the creation's.
    let late = job_keyed(&s, Some(key), &body).await;
    assert_eq!(late.id("job_id"), id);
    assert_eq!(late.body["data"]["status"], json!("completed"));
    assert_eq!(late.body["message"], first.body["message"]);
    let keys = |v: &Value| {
        let mut k: Vec<String> = v["data"].as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&late.body), keys(&first.body));
    // Keys the service ignores change nothing: still the same request.
    let mut extra = body.clone();
    extra["clipzy_reference"] = json!("r-1");
    assert_eq!(job_keyed(&s, Some(key), &extra).await.id("job_id"), id);
    let (_, list) = s.get("/api/v1/jobs").await;
    assert_eq!(list["data"]["total"], json!(1), "{list}");
}

/// The same key with another request is refused and stores nothing: another file, another
/// file name, other form fields; another job body. Keys are per operation.
#[tokio::test]
async fn a_key_reused_for_another_request_is_refused() {
    let s = Server::start(&[]);
    let bytes = std::fs::read(bikes()).expect("media");
    let key = b"reuse-0d8f6b8e-2c1a-4a8e-8f1e-6c3b2a1f0e9d";
    let first = upload_keyed(&s, Some(key), "bikes.mp4", &bytes, &[]).await;
    let vid = first.id("video_id");
    let mut other = bytes.clone();
    other.truncate(bytes.len() - 1000);
    for (name, b, fields) in [
        ("bikes.mp4", &other[..], &[][..]),
        ("other.mp4", &bytes[..], &[][..]),
        (
            "bikes.mp4",
            &bytes[..],
            &[("template_video_id", vid.as_str())][..],
        ),
    ] {
        let a = upload_keyed(&s, Some(key), name, b, fields).await;
        assert_error(a.status, &a.body, 422, "IDEMPOTENCY_KEY_MISMATCH");
        let detail = a.body["error"]["detail"].as_str().unwrap();
        assert!(detail.contains(&vid), "names what the key made: {detail}");
    }
    assert_eq!(settled(&s).await, vec![vid.clone()]);
    assert_eq!(upload_blobs(&s).len(), 1);
    // The same request is still answered.
    let same = upload_keyed(&s, Some(key), "bikes.mp4", &bytes, &[]).await;
    assert_eq!(same.id("video_id"), vid);

    // Jobs: the upload's key is another key for a job.
    let body = json!({"video_id": vid, "config": {"mode": "extract_only"}});
    let job = job_keyed(&s, Some(key), &body).await;
    let jid = job.id("job_id");
    assert!(!job.replayed());
    for other in [
        json!({"video_id": vid, "config": {"mode": "extract_only", "quality": "low"}}),
        json!({"video_id": vid}),
        json!({"video_id": vid, "template_video_id": vid, "config": {"mode": "extract_only"}}),
    ] {
        let a = job_keyed(&s, Some(key), &other).await;
        assert_error(a.status, &a.body, 422, "IDEMPOTENCY_KEY_MISMATCH");
    }
    let (_, list) = s.get("/api/v1/jobs").await;
    assert_eq!(list["data"]["total"], json!(1), "{list}");
    assert_eq!(list["data"]["jobs"][0]["job_id"], json!(jid));
}

/// Duplicates sent at once: one resource; every other answer is that resource or 409
/// IDEMPOTENCY_KEY_IN_FLIGHT with Retry-After (main: six videos; for jobs, 409
/// JOB_ALREADY_PROCESSING, which tells the client nothing of its own request).
#[tokio::test]
async fn concurrent_duplicates_make_one_resource() {
    let s = Server::start(&[]);
    let bytes = std::fs::read(bikes()).expect("media");
    let key = b"conc-9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
    let tries = (0..6)
        .map(|_| upload_req(&s, Some(key), "bikes.mp4", &bytes, &[]))
        .collect();
    let answers = all_at_once(tries).await;
    let mut ids = Vec::new();
    for a in &answers {
        match a.status {
            200 => ids.push(a.id("video_id")),
            _ => {
                assert_error(a.status, &a.body, 409, "IDEMPOTENCY_KEY_IN_FLIGHT");
                assert!(a.headers.contains_key("retry-after"), "{}", a.body);
            }
        }
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(settled(&s).await, ids);
    assert_eq!(upload_blobs(&s).len(), 1);

    let body = json!({"video_id": ids[0], "config": {"mode": "extract_only"}});
    let tries = (0..6)
        .map(|_| job_req(&s, Some(b"conc-job-1"), &body))
        .collect();
    let mut jobs = Vec::new();
    for a in all_at_once(tries).await {
        match a.status {
            200 => jobs.push(a.id("job_id")),
            _ => assert_error(a.status, &a.body, 409, "IDEMPOTENCY_KEY_IN_FLIGHT"),
        }
    }
    jobs.dedup();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let (_, list) = s.get("/api/v1/jobs").await;
    assert_eq!(list["data"]["total"], json!(1), "{list}");
}

/// Invalid keys are VALIDATION_ERROR and make nothing: empty, longer than 255, a space, a
/// control or non-ASCII byte, a bad quoted string, two headers (main: ignored, 200).
#[tokio::test]
async fn invalid_keys_are_validation_errors() {
    let s = Server::start(&[]);
    let bytes = std::fs::read(bikes()).expect("media");
    let long = vec![b'k'; 256];
    let bad: [&[u8]; 6] = [b"", &long, b"a b", b"a\tb", b"cl\xc3\xa9", b"\"a\\nb\""];
    for k in bad {
        let a = upload_keyed(&s, Some(k), "bikes.mp4", &bytes, &[]).await;
        assert_error(a.status, &a.body, 422, "VALIDATION_ERROR");
        assert!(
            a.body["error"]["detail"]
                .as_str()
                .unwrap()
                .contains("Idempotency-Key"),
            "{}",
            a.body
        );
    }
    let (ct, body) = multipart(Some(("bikes.mp4", &bytes[..])), &[]);
    let r = s
        .req(reqwest::Method::POST, "/api/v1/videos/upload")
        .header("Content-Type", ct)
        .header("Idempotency-Key", "one")
        .header("Idempotency-Key", "two")
        .body(body);
    let a = answer(r).await;
    assert_error(a.status, &a.body, 422, "VALIDATION_ERROR");
    assert!(db_strings(&s, "SELECT id FROM videos").await.is_empty());
    assert_eq!(upload_blobs(&s).len(), 0);
    // The longest and a quoted key are fine.
    let ok = upload_keyed(&s, Some(&long[..255]), "bikes.mp4", &bytes, &[]).await;
    let vid = ok.id("video_id");
    let quoted = upload_keyed(&s, Some(b"\"q-1\""), "bikes.mp4", &bytes, &[]).await;
    let bare = upload_keyed(&s, Some(b"q-1"), "bikes.mp4", &bytes, &[]).await;
    assert_eq!(
        quoted.id("video_id"),
        bare.id("video_id"),
        "one key, two spellings"
    );

    let body = json!({"video_id": vid, "config": {"mode": "extract_only"}});
    for k in bad {
        let a = job_keyed(&s, Some(k), &body).await;
        assert_error(a.status, &a.body, 422, "VALIDATION_ERROR");
    }
    let (_, list) = s.get("/api/v1/jobs").await;
    assert_eq!(list["data"]["total"], json!(0), "{list}");
}

/// A key is remembered for IDEMPOTENCY_KEY_TTL_SECONDS: within it a repeat is the same
/// video, after it a new one; the reclaimer's housekeeping drops expired keys.
#[tokio::test]
async fn keys_expire_after_their_retention() {
    let s = Server::start(&[("IDEMPOTENCY_KEY_TTL_SECONDS", "4")]);
    let bytes = std::fs::read(bikes()).expect("media");
    let a = upload_keyed(&s, Some(b"ttl-a"), "bikes.mp4", &bytes, &[]).await;
    let b = upload_keyed(&s, Some(b"ttl-a"), "bikes.mp4", &bytes, &[]).await;
    assert_eq!(a.id("video_id"), b.id("video_id"));
    assert!(b.replayed());
    upload_keyed(&s, Some(b"ttl-b"), "bikes.mp4", &bytes, &[])
        .await
        .id("video_id");
    tokio::time::sleep(Duration::from_millis(4500)).await;
    let c = upload_keyed(&s, Some(b"ttl-a"), "bikes.mp4", &bytes, &[]).await;
    assert_ne!(
        c.id("video_id"),
        a.id("video_id"),
        "an expired key still answered"
    );
    assert!(!c.replayed());
    // ttl-b expired and is never used again: dropped within a few reclaimer rounds.
    let t = Instant::now();
    loop {
        let keys = db_strings(&s, "SELECT key FROM idempotency_keys ORDER BY key").await;
        if !keys.contains(&"ttl-b".to_string()) {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "expired keys kept: {keys:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
