//! Webhook delivery. A terminal transition stores a delivery row (same transaction); this
//! sender leases due deliveries, POSTs the envelope with the job's JobDetailResponse, and
//! records every attempt. Failures retry with capped exponential backoff; the schedule
//! lives in the database, so retries survive a restart.
//!
//! Headers: `X-Stylecut-Delivery` (stable id for de-duplication), `X-Stylecut-Event`,
//! `X-Stylecut-Timestamp` (Unix seconds) and, when `WEBHOOK_SECRET` is set,
//! `X-Stylecut-Signature: sha256=<hex HMAC-SHA256 of "{timestamp}.{body}">`.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use stylecut_store::time::now_ms;
use stylecut_store::webhooks::AttemptOutcome;
use stylecut_store::{DeliveryRow, StoreError};
use tokio_util::sync::CancellationToken;

use crate::service::Service;
use crate::ssrf;
use crate::views::JobDetailResponse;

pub const HEADER_DELIVERY: &str = "X-Stylecut-Delivery";
pub const HEADER_EVENT: &str = "X-Stylecut-Event";
pub const HEADER_TIMESTAMP: &str = "X-Stylecut-Timestamp";
pub const HEADER_SIGNATURE: &str = "X-Stylecut-Signature";

/// `sha256=<hex>` over `"{timestamp}.{body}"`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Delivers due webhooks until `shutdown`; attempts in flight are finished first.
pub async fn run_sender(svc: Service, shutdown: CancellationToken) {
    let mut inflight = tokio::task::JoinSet::new();
    // Deliveries with an attempt in hand (sent, or being recorded).
    let in_hand: Arc<Mutex<HashSet<String>>> = Arc::default();
    // Deliveries whose attempt the database refused to record for good, in every form
    // ([`Let::GaveUp`]): never sent again by this process.
    let given_up: Arc<Mutex<HashSet<String>>> = Arc::default();
    let ids = |h: &Arc<Mutex<HashSet<String>>>| {
        h.lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect::<Vec<_>>()
    };
    loop {
        // An attempt cannot outlast the request timeout (plus resolving the host), so a
        // delivery leased by a process that died is retried soon after that.
        let lease_until = now_ms() + (svc.settings.webhook_timeout.as_millis() as i64) + 5_000;
        let mut busy = ids(&in_hand);
        busy.extend(ids(&given_up));
        match svc.db.claim_due_deliveries(16, lease_until, &busy).await {
            Ok(due) => {
                for d in due {
                    let (svc, stop) = (svc.clone(), shutdown.clone());
                    let (in_hand, given_up) = (in_hand.clone(), given_up.clone());
                    hand_insert(&in_hand, &d.id);
                    inflight.spawn(async move {
                        let id = d.id.clone();
                        if let Let::GaveUp = deliver(&svc, d, &stop).await {
                            hand_insert(&given_up, &id);
                        }
                        in_hand
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .remove(&id);
                    });
                }
            }
            Err(e) => tracing::error!("claiming webhook deliveries failed: {e}"),
        }
        while inflight.try_join_next().is_some() {}
        let mut busy = ids(&in_hand);
        busy.extend(ids(&given_up));
        let wait = match svc.db.next_delivery_due_ms(&busy).await {
            Ok(Some(t)) => Duration::from_millis((t - now_ms()).clamp(50, 5_000) as u64),
            _ => Duration::from_secs(5),
        };
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = svc.events.webhook_due.notified() => {}
            _ = tokio::time::sleep(wait) => {}
            Some(_) = inflight.join_next(), if !inflight.is_empty() => {}
        }
    }
    while inflight.join_next().await.is_some() {}
}

fn hand_insert(h: &Arc<Mutex<HashSet<String>>>, id: &str) {
    h.lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id.to_string());
}

/// First delay between attempts to record a webhook attempt; doubles up to 5 s.
const RECORD_RETRY_FIRST: Duration = Duration::from_millis(200);

/// Tries of one record that fail with a permanent error ([`StoreError::transient`]
/// false) before the next fallback: a few, in case the error was a fluke after all.
const PERMANENT_TRIES: u32 = 3;

/// How a delivery is let go after an attempt.
#[derive(Debug, PartialEq, Eq)]
enum Let {
    /// Its attempt is recorded, in full or without its history row (or shutdown came
    /// first): the database says what is next.
    Go,
    /// The database refused the attempt and the delivery's new state for good: this
    /// process never claims the delivery again (after a restart it is sent again).
    GaveUp,
}

/// How recording one attempt in [`deliver`] ended.
#[derive(Debug, PartialEq, Eq)]
enum Record {
    Done,
    Shutdown,
    /// Refused for good ([`PERMANENT_TRIES`] permanent errors).
    Refused,
}

/// Writes `write` until it is recorded: with backoff (0.2 s doubling to 5 s) for as long
/// as the database cannot be written now ([`StoreError::transient`]), until shutdown; at
/// most [`PERMANENT_TRIES`] times while it fails with an error waiting does not cure.
async fn record_with_retries<F, Fut>(
    d: &DeliveryRow,
    what: &str,
    shutdown: &CancellationToken,
    mut write: F,
) -> Record
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), StoreError>>,
{
    let mut delay = RECORD_RETRY_FIRST;
    let mut refused = 0u32;
    loop {
        let e = match write().await {
            Ok(()) => return Record::Done,
            Err(e) => e,
        };
        if !e.transient() {
            refused += 1;
            if refused >= PERMANENT_TRIES {
                tracing::error!(delivery = %d.id, job = %d.job_id,
                    "the database refuses {what} ({e}), {refused} times");
                return Record::Refused;
            }
        }
        tracing::error!(delivery = %d.id,
            "recording {what} failed ({e}); trying again in {delay:?}");
        tokio::select! {
            _ = shutdown.cancelled() => return Record::Shutdown,
            _ = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

async fn deliver(svc: &Service, d: DeliveryRow, shutdown: &CancellationToken) -> Let {
    let started = Instant::now();
    let res = attempt(svc, &d).await;
    let duration_ms = started.elapsed().as_millis() as i64;
    let attempt_no = d.attempts + 1;
    let out = match res {
        Ok(code) if (200..300).contains(&code) => AttemptOutcome {
            status_code: Some(code as i64),
            error: None,
            duration_ms,
            retry_at_ms: None,
            delivered: true,
        },
        other => {
            let (status_code, error, retry) = match other {
                Ok(code) => (Some(code as i64), format!("receiver answered {code}"), true),
                Err(Failure::Refused(m)) => (None, m, false),
                Err(Failure::Transient(m)) => (None, m, true),
            };
            let retry_at_ms = (retry && attempt_no < svc.settings.webhook_max_attempts)
                .then(|| now_ms() + svc.settings.webhook_backoff(attempt_no).as_millis() as i64);
            AttemptOutcome {
                status_code,
                error: Some(error),
                duration_ms,
                retry_at_ms,
                delivered: false,
            }
        }
    };
    tracing::info!(delivery = %d.id, job = %d.job_id, attempt = attempt_no,
        status = ?out.status_code, error = ?out.error, "webhook attempt");
    // The attempt is recorded before the delivery is let go: a receiver that answered
    // 2xx while the database could not be written (its disk full, its lock held
    // elsewhere) is not sent the same event again when the delivery's lease lapses, and a
    // failed attempt is not lost from its history. While the database cannot be written
    // now, until shutdown; after a restart an unrecorded attempt is sent again
    // (receivers de-duplicate on the delivery id). An error waiting does not cure (a
    // constraint or trigger refusing the row, a bug) ends the tries after a few: then
    // the delivery's state is recorded without the attempt's history row, and if even
    // that is refused for good, this process lets the delivery be for good.
    let full = record_with_retries(&d, "a webhook attempt", shutdown, || {
        svc.db.record_attempt(&d.id, &out)
    })
    .await;
    if full != Record::Refused {
        return Let::Go;
    }
    let state = record_with_retries(
        &d,
        "the state of a webhook delivery (without its attempt's history)",
        shutdown,
        || svc.db.record_attempt_without_history(&d.id, &out),
    )
    .await;
    match state {
        Record::Done => {
            tracing::warn!(delivery = %d.id, job = %d.job_id, attempt = attempt_no,
                "the webhook attempt is recorded without its history row");
            Let::Go
        }
        Record::Shutdown => Let::Go,
        Record::Refused => {
            tracing::error!(delivery = %d.id, job = %d.job_id, attempt = attempt_no,
                "the database refuses every record of this webhook delivery; this process \
                 gives it up (not sent again until a restart)");
            Let::GaveUp
        }
    }
}

enum Failure {
    /// Never retried (SSRF refusal, unusable URL).
    Refused(String),
    Transient(String),
}

async fn attempt(svc: &Service, d: &DeliveryRow) -> Result<u16, Failure> {
    let job = svc
        .db
        .get_job(&d.job_id)
        .await
        .map_err(|e| Failure::Transient(e.to_string()))?
        .ok_or_else(|| Failure::Refused(format!("job {} no longer exists", d.job_id)))?;
    let detail = JobDetailResponse::from_row(&job, &svc.settings.public_base_url)
        .map_err(|e| Failure::Refused(e.detail()))?;
    let status = detail.job.status.as_str();
    let body = serde_json::to_vec(&serde_json::json!({
        "success": true,
        "message": format!("Job {status}"),
        "data": detail,
    }))
    .map_err(|e| Failure::Refused(e.to_string()))?;
    let url = ssrf::validate_url_syntax(&d.url).map_err(|e| Failure::Refused(e.detail()))?;
    let addr = ssrf::resolve_checked(&url, svc.settings.webhook_allow_private)
        .await
        .map_err(|m| {
            if m.starts_with("refused") {
                Failure::Refused(m)
            } else {
                Failure::Transient(m)
            }
        })?;
    let host = url.host_str().unwrap_or_default().to_string();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(svc.settings.webhook_timeout)
        .resolve(&host, addr)
        .build()
        .map_err(|e| Failure::Transient(e.to_string()))?;
    let ts = chrono::Utc::now().timestamp();
    let mut req = client
        .post(url)
        .header("Content-Type", "application/json")
        .header(
            "User-Agent",
            concat!("stylecut/", env!("CARGO_PKG_VERSION")),
        )
        .header(HEADER_DELIVERY, &d.id)
        .header(HEADER_EVENT, format!("job.{status}"))
        .header(HEADER_TIMESTAMP, ts.to_string());
    if let Some(secret) = &svc.settings.webhook_secret {
        req = req.header(HEADER_SIGNATURE, signature(secret, ts, &body));
    }
    let resp = req
        .body(body)
        .send()
        .await
        .map_err(|e| Failure::Transient(format!("request failed: {e}")))?;
    Ok(resp.status().as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Reference value computed independently:
        // printf '1700000000.{}' | openssl dgst -sha256 -hmac secret
        assert_eq!(
            signature("secret", 1_700_000_000, b"{}"),
            "sha256=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
        );
    }
}
