//! Webhooks against a local receiver: delivery on every terminal state, retries after
//! receiver errors, signatures, SSRF refusal, and durability across SIGKILL restarts.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::common::*;

#[derive(Clone, Debug)]
struct Hit {
    headers: HeaderMap,
    body: Vec<u8>,
    answered: u16,
}

/// A webhook receiver on 127.0.0.1 that fails the first `fail_first` requests with 500.
#[derive(Clone)]
struct Receiver {
    url: String,
    hits: Arc<Mutex<Vec<Hit>>>,
    fail_first: Arc<AtomicUsize>,
    /// Milliseconds the receiver takes to answer.
    delay_ms: Arc<AtomicU64>,
    /// Requests received (counted on arrival, before answering).
    arrived: Arc<AtomicUsize>,
}

impl Receiver {
    async fn start(fail_first: usize) -> Receiver {
        Receiver::start_at("127.0.0.1:0", fail_first).await
    }

    /// A receiver listening on `addr` (`127.0.0.1:0` for any free port).
    async fn start_at(addr: &str, fail_first: usize) -> Receiver {
        let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
        let fail = Arc::new(AtomicUsize::new(fail_first));
        let delay_ms = Arc::new(AtomicU64::new(0));
        let arrived = Arc::new(AtomicUsize::new(0));
        let (h, f, d, a) = (
            hits.clone(),
            fail.clone(),
            delay_ms.clone(),
            arrived.clone(),
        );
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let (h, f, d, a) = (h.clone(), f.clone(), d.clone(), a.clone());
                async move {
                    a.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(d.load(Ordering::SeqCst))).await;
                    let failing = f
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                    let code = if failing { 500 } else { 200 };
                    h.lock().unwrap().push(Hit {
                        headers,
                        body: body.to_vec(),
                        answered: code,
                    });
                    StatusCode::from_u16(code).unwrap()
                }
            }),
        );
        let l = tokio::net::TcpListener::bind(addr).await.unwrap();
        let url = format!("http://{}/hook", l.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(l, app).await });
        Receiver {
            url,
            hits,
            fail_first: fail,
            delay_ms,
            arrived,
        }
    }

    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    /// Deliveries the receiver accepted, de-duplicated by delivery id as a receiver would.
    fn accepted_unique(&self) -> Vec<Hit> {
        let mut seen = std::collections::HashSet::new();
        self.hits()
            .into_iter()
            .filter(|h| h.answered == 200)
            .filter(|h| {
                seen.insert(
                    h.headers["x-stylecut-delivery"]
                        .to_str()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect()
    }

    async fn wait_accepted(&self, n: usize, within: Duration) -> Vec<Hit> {
        let t = Instant::now();
        loop {
            let a = self.accepted_unique();
            if a.len() >= n {
                return a;
            }
            assert!(
                t.elapsed() < within,
                "webhook never arrived: {:?}",
                self.hits()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn wait_delivery_state(s: &Server, id: &str, state: &str) -> Value {
    let t = Instant::now();
    loop {
        let (st, b) = s.get(&format!("/api/v1/jobs/{id}/webhooks")).await;
        assert_eq!(st, 200, "{b}");
        if b["data"]["deliveries"][0]["state"] == json!(state) {
            return b["data"].clone();
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "delivery not {state}: {b}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn retries_after_errors_and_signs_the_payload() {
    let rx = Receiver::start(2).await;
    let s = Server::start(&[("WEBHOOK_SECRET", "s3cret")]);
    let vid = s.video(&bikes()).await;
    let id = s
        .job(json!({"video_id": vid, "webhook_url": rx.url, "config": {"mode": "extract_only"}}))
        .await;
    let done = s.wait_terminal(&id, Duration::from_secs(60)).await;
    assert_eq!(done["status"], json!("completed"));
    let got = rx.wait_accepted(1, Duration::from_secs(30)).await;
    let hits = rx.hits();
    assert_eq!(
        hits.iter().map(|h| h.answered).collect::<Vec<_>>(),
        vec![500, 500, 200]
    );
    // Every attempt carries the same delivery id.
    let ids: std::collections::HashSet<_> = hits
        .iter()
        .map(|h| h.headers["x-stylecut-delivery"].clone())
        .collect();
    assert_eq!(ids.len(), 1);

    let h = &got[0];
    let ts = h.headers["x-stylecut-timestamp"].to_str().unwrap();
    let sig = h.headers["x-stylecut-signature"].to_str().unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(b"s3cret").unwrap();
    mac.update(format!("{ts}.").as_bytes());
    mac.update(&h.body);
    let want = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(sig, want);
    let mut bad = Hmac::<Sha256>::new_from_slice(b"wrong").unwrap();
    bad.update(format!("{ts}.").as_bytes());
    bad.update(&h.body);
    assert_ne!(
        sig,
        format!("sha256={}", hex::encode(bad.finalize().into_bytes()))
    );

    let body: Value = serde_json::from_slice(&h.body).unwrap();
    assert_eq!(body["success"], json!(true));
    assert_eq!(body["data"]["job_id"], json!(id));
    assert_eq!(body["data"]["status"], json!("completed"));
    assert!(body["data"].as_object().unwrap().contains_key("style_json"));
    assert!(body["data"]
        .as_object()
        .unwrap()
        .contains_key("processing_time_seconds"));
    assert_eq!(h.headers["x-stylecut-event"], "job.completed");

    let d = wait_delivery_state(&s, &id, "delivered").await;
    let codes: Vec<_> = d["deliveries"][0]["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, vec![500, 500, 200]);
}

#[tokio::test]
async fn upload_webhook_is_used_and_cancel_fires_it() {
    let rx = Receiver::start(0).await;
    let s = Server::start(&[]);
    let (st, up) = s.upload(&bikes(), &[("webhook_url", &rx.url)]).await;
    assert_eq!(st, 200, "{up}");
    let vid = up["data"]["video_id"].as_str().unwrap();
    let id = s.job(json!({"video_id": vid})).await;
    let (st, _) = s
        .post(&format!("/api/v1/jobs/{id}/cancel"), &json!({}))
        .await;
    assert_eq!(st, 200);
    let got = rx.wait_accepted(1, Duration::from_secs(30)).await;
    let body: Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(body["data"]["status"], json!("cancelled"));
    assert_eq!(got[0].headers["x-stylecut-event"], "job.cancelled");
    assert!(got[0].headers.get("x-stylecut-signature").is_none());
}

/// A private target is refused when it is given (job creation and upload), naming the
/// field and the setting that allows it; a target that only becomes refused later (here
/// the server restarted without the setting; elsewhere DNS changed) is refused at delivery.
#[tokio::test]
async fn private_addresses_are_refused_by_default() {
    let rx = Receiver::start(0).await;
    let mut s = Server::start(&[]);
    let data = s.data.clone();
    let _keep = s.take_dir();
    // Allowed: the video remembers a loopback webhook.
    let (st, up) = s.upload(&bikes(), &[("webhook_url", &rx.url)]).await;
    assert_eq!(st, 200, "{up}");
    let vid = up["data"]["video_id"].as_str().unwrap().to_string();
    s.kill9();

    let s = Server::start_in(&data, &[("WEBHOOK_ALLOW_PRIVATE", "false")]);
    let named = rx.url.replace("127.0.0.1", "localhost");
    for url in [rx.url.as_str(), named.as_str(), "http://10.1.2.3/hook"] {
        let (st, b) = s
            .create_job(json!({"video_id": vid, "webhook_url": url}))
            .await;
        assert_error(st, &b, 422, "VALIDATION_ERROR");
        let detail = b["error"]["detail"].as_str().unwrap();
        assert!(
            detail.contains("webhook_url") && detail.contains("WEBHOOK_ALLOW_PRIVATE=true"),
            "{detail}"
        );
        let (st, b) = s.upload(&bikes(), &[("webhook_url", url)]).await;
        assert_error(st, &b, 422, "VALIDATION_ERROR");
        let detail = b["error"]["detail"].as_str().unwrap();
        assert!(
            detail.contains("webhook_url") && detail.contains("WEBHOOK_ALLOW_PRIVATE=true"),
            "{detail}"
        );
    }
    // Nothing was kept of the refused uploads.
    assert_eq!(staged_files(&s.data), 0);
    assert_eq!(count_files(&s.data.join("blobs/uploads")), 1);
    let (_, list) = s.get("/api/v1/jobs").await;
    assert_eq!(list["data"]["total"], json!(0), "{list}");

    // The video's own webhook (accepted before) is checked again at delivery.
    let id = s
        .job(json!({"video_id": vid, "config": {"mode": "extract_only"}}))
        .await;
    s.wait_terminal(&id, Duration::from_secs(60)).await;
    let d = wait_delivery_state(&s, &id, "failed").await;
    let a = &d["deliveries"][0]["attempts"];
    assert_eq!(
        a.as_array().unwrap().len(),
        1,
        "refusals are not retried: {d}"
    );
    assert!(a[0]["error"].as_str().unwrap().contains("refused"), "{d}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rx.hits().is_empty());
}

#[tokio::test]
async fn sigkill_mid_job_then_restart_finishes_it_and_delivers_once() {
    let rx = Receiver::start(0).await;
    let mut s = Server::start(&[]);
    let data = s.data.clone();
    let _keep = s.take_dir();
    let vid = s.video(&bikes()).await;
    let id = s
        .job(json!({"video_id": vid, "webhook_url": rx.url, "config": {"max_duration_seconds": 4}}))
        .await;
    let mut seen = Vec::new();
    s.wait_job(&id, Duration::from_secs(60), &mut seen, |j| {
        j["status"] == json!("processing")
    })
    .await;
    s.kill9();
    let s = Server::start_in(&data, &[]);
    let done = s.wait_terminal(&id, Duration::from_secs(120)).await;
    assert_eq!(done["status"], json!("completed"), "{done}\n{}", s.log());
    let got = rx.wait_accepted(1, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(rx.accepted_unique().len(), 1, "{got:?}");
    assert_eq!(count_files(&data.join("blobs/outputs")), 1);
}

#[tokio::test]
async fn pending_retries_survive_a_restart() {
    let rx = Receiver::start(usize::MAX).await;
    let mut s = Server::start(&[]);
    let data = s.data.clone();
    let _keep = s.take_dir();
    let vid = s.video(&bikes()).await;
    let id = s
        .job(json!({"video_id": vid, "webhook_url": rx.url, "config": {"mode": "extract_only"}}))
        .await;
    s.wait_terminal(&id, Duration::from_secs(60)).await;
    // Two failed attempts must be on record before the kill: a receiver hit
    // alone can precede the server's write of that attempt, and an attempt
    // killed in flight is (rightly) retried as if it never happened.
    let t = Instant::now();
    loop {
        let (st, b) = s.get(&format!("/api/v1/jobs/{id}/webhooks")).await;
        assert_eq!(st, 200, "{b}");
        let attempts = b["data"]["deliveries"][0]["attempts"]
            .as_array()
            .map_or(0, Vec::len);
        if attempts >= 2 {
            assert_eq!(b["data"]["deliveries"][0]["state"], json!("pending"), "{b}");
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(40), "{b}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    s.kill9();
    rx.fail_first.store(0, Ordering::SeqCst);
    let s = Server::start_in(&data, &[]);
    rx.wait_accepted(1, Duration::from_secs(30)).await;
    let d = wait_delivery_state(&s, &id, "delivered").await;
    assert!(
        d["deliveries"][0]["attempts"].as_array().unwrap().len() >= 3,
        "{d}"
    );
}

#[tokio::test]
async fn sigterm_finishes_the_webhook_attempt_in_flight() {
    let rx = Receiver::start(0).await;
    rx.delay_ms.store(1500, Ordering::SeqCst);
    let mut s = Server::start(&[]);
    let data = s.data.clone();
    let _keep = s.take_dir();
    let vid = s.video(&bikes()).await;
    let id = s
        .job(json!({"video_id": vid, "webhook_url": rx.url, "config": {"mode": "extract_only"}}))
        .await;
    let t = Instant::now();
    while rx.arrived.load(Ordering::SeqCst) == 0 {
        assert!(t.elapsed() < Duration::from_secs(60), "no webhook attempt");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    s.signal(libc::SIGTERM);
    let st = s.wait_exit_async(Duration::from_secs(15)).await;
    assert!(st.success(), "{st:?}");
    // The attempt in flight was answered and recorded before the process exited.
    assert_eq!(rx.accepted_unique().len(), 1, "{}", s.log());
    let s = Server::start_in(&data, &[]);
    let d = wait_delivery_state(&s, &id, "delivered").await;
    assert_eq!(
        d["deliveries"][0]["attempts"].as_array().unwrap().len(),
        1,
        "{d}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rx.hits().len(), 1);
}

/// The delivery's attempts as stored: `(at, status_code, error)`.
/// Seconds since the Unix epoch of a stored `YYYY-MM-DDTHH:MM:SS.mmmZ` timestamp.
fn epoch_seconds(iso: &str) -> f64 {
    let (date, time) = iso.trim_end_matches('Z').split_once('T').unwrap();
    let d: Vec<i64> = date.split('-').map(|x| x.parse().unwrap()).collect();
    let t: Vec<f64> = time.split(':').map(|x| x.parse().unwrap()).collect();
    // Days from the civil date (Howard Hinnant's algorithm).
    let (y, m) = if d[1] <= 2 {
        (d[0] - 1, d[1] + 9)
    } else {
        (d[0], d[1] - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d[2] - 1;
    let days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    days as f64 * 86400.0 + t[0] * 3600.0 + t[1] * 60.0 + t[2]
}

async fn attempts(s: &Server, id: &str) -> (Value, Vec<(f64, Option<i64>, Option<String>)>) {
    let (st, b) = s.get(&format!("/api/v1/jobs/{id}/webhooks")).await;
    assert_eq!(st, 200, "{b}");
    let d = b["data"]["deliveries"][0].clone();
    let list = d["attempts"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|a| {
                    (
                        epoch_seconds(a["at"].as_str().unwrap()),
                        a["status_code"].as_i64(),
                        a["error"].as_str().map(String::from),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (d, list)
}

/// A receiver that is down (nothing listens on its port: connection refused) for a while,
/// with the server SIGKILLed and restarted while it retries, then comes up: it gets the
/// delivery exactly once, the attempts before follow the documented backoff
/// (`WEBHOOK_RETRY_BASE_SECONDS` doubling up to `WEBHOOK_RETRY_MAX_SECONDS`), each failed
/// one recorded with its connection error, and the schedule continues after the restart.
#[tokio::test]
async fn a_receiver_down_then_up_gets_the_delivery_once_across_a_restart() {
    let env = [
        ("WEBHOOK_RETRY_BASE_SECONDS", "0.4"),
        ("WEBHOOK_RETRY_MAX_SECONDS", "1.6"),
        ("WEBHOOK_MAX_ATTEMPTS", "30"),
    ];
    // A port nobody listens on (taken, then freed).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let mut s = Server::start(&env);
    let data = s.data.clone();
    let _keep = s.take_dir();
    let vid = s.video(&bikes()).await;
    let id = s
        .job(json!({"video_id": vid, "webhook_url": url, "config": {"mode": "extract_only"}}))
        .await;
    s.wait_terminal(&id, Duration::from_secs(60)).await;
    let t = Instant::now();
    let before_kill = loop {
        let (d, a) = attempts(&s, &id).await;
        if a.len() >= 3 {
            assert_eq!(d["state"], json!("pending"), "{d}");
            break a;
        }
        assert!(t.elapsed() < Duration::from_secs(40), "{d}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    s.kill9();
    let s = Server::start_in(&data, &env);
    // Still down after the restart: the retries go on from the stored schedule.
    let t = Instant::now();
    loop {
        let (d, a) = attempts(&s, &id).await;
        if a.len() > before_kill.len() + 1 {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "no retry after restart: {d}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rx = Receiver::start_at(&format!("127.0.0.1:{port}"), 0).await;
    rx.wait_accepted(1, Duration::from_secs(30)).await;
    let (d, a) = loop {
        let (d, a) = attempts(&s, &id).await;
        if d["state"] == json!("delivered") {
            break (d, a);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        (epoch_seconds("2026-12-01T22:18:53.895Z") - 1796163533.895).abs() < 1e-3,
        "timestamp arithmetic"
    );
    // Exactly once: one request reached the receiver, and no more come.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(rx.hits().len(), 1, "{:?}", rx.hits());
    let (last, failed) = a.split_last().unwrap();
    assert_eq!(last.1, Some(200), "{d}");
    assert!(last.2.is_none(), "{d}");
    for (i, (_, code, err)) in failed.iter().enumerate() {
        assert_eq!(*code, None, "attempt {}: {d}", i + 1);
        assert!(
            err.as_deref().is_some_and(|e| !e.is_empty()),
            "attempt {}: {d}",
            i + 1
        );
    }
    // The backoff between attempts of one process: at least the documented delay
    // (0.4, 0.8, 1.6, 1.6 … s; 30 ms for the stored timestamps' rounding).
    for (i, w) in a.windows(2).enumerate() {
        if i + 1 == before_kill.len() {
            continue; // the gap spanning the kill and restart
        }
        let want = (0.4 * 2f64.powi(i as i32)).min(1.6);
        let gap = w[1].0 - w[0].0;
        assert!(
            gap >= want - 0.03,
            "gap {} = {gap} s < {want} s: {d}",
            i + 1
        );
    }
    assert_eq!(
        d["delivery_id"],
        json!(rx.hits()[0].headers["x-stylecut-delivery"]
            .to_str()
            .unwrap())
    );
}
