use super::*;
use crate::db::test_db;
use crate::videos::VideoRow;

async fn with_video(db: &Db) {
    db.insert_video(&VideoRow {
        id: "vid_a".into(),
        filename: "a.mp4".into(),
        stored_key: "uploads/vid_a.mp4".into(),
        size_bytes: 1,
        uploaded_at: now_iso(),
        metadata_json: "{}".into(),
        template_video_id: None,
        webhook_url: None,
    })
    .await
    .unwrap();
}

fn new_job(id: &str, cfg: &str, hook: Option<&str>) -> NewJob {
    NewJob {
        id: id.into(),
        video_id: "vid_a".into(),
        template_video_id: None,
        config_json: cfg.into(),
        webhook_url: hook.map(String::from),
    }
}

#[tokio::test]
async fn dedupe_only_while_active() {
    let (db, _d) = test_db().await;
    with_video(&db).await;
    let a = db
        .insert_job(&new_job("job_1", "{}", None))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.status, "queued");
    assert_eq!(a.created_at, a.updated_at);
    assert_eq!(
        db.insert_job(&new_job("job_2", "{}", None)).await.unwrap(),
        Err("job_1".to_string())
    );
    assert!(db
        .insert_job(&new_job("job_3", "{\"x\":1}", None))
        .await
        .unwrap()
        .is_ok());
    db.cancel_job("job_1", "whd_1").await.unwrap();
    assert_eq!(
        db.get_job("job_1").await.unwrap().unwrap().status,
        "cancelled"
    );
    assert!(db
        .insert_job(&new_job("job_4", "{}", None))
        .await
        .unwrap()
        .is_ok());
}

#[tokio::test]
async fn claim_lease_progress_finish() {
    let (db, _d) = test_db().await;
    with_video(&db).await;
    db.insert_job(&new_job("job_1", "{}", Some("http://r/")))
        .await
        .unwrap()
        .unwrap();
    let far = now_ms() + 60_000;
    let j = db.claim_next_job("w1", far).await.unwrap().unwrap();
    assert_eq!((j.status.as_str(), j.attempts), ("processing", 1));
    assert_eq!(j.current_stage.as_deref(), Some("video_analysis"));
    assert_eq!(j.progress_percent, 1);
    assert!(db.claim_next_job("w2", far).await.unwrap().is_none());
    assert!(db
        .set_stage("job_1", "w1", "video_analysis", 1)
        .await
        .unwrap());
    assert!(db.set_progress("job_1", "w1", 10).await.unwrap());
    assert!(db.set_progress("job_1", "w1", 5).await.unwrap());
    assert!(
        !db.set_progress("job_1", "w2", 50).await.unwrap(),
        "not the owner"
    );
    assert_eq!(
        db.get_job("job_1").await.unwrap().unwrap().progress_percent,
        10
    );
    let done = Terminal::Completed {
        output_key: Some("outputs/job_1.mp4".into()),
    };
    assert!(db.finish_job("job_1", "w1", &done, "whd_1").await.unwrap());
    assert!(!db.finish_job("job_1", "w1", &done, "whd_2").await.unwrap());
    let j = db.get_job("job_1").await.unwrap().unwrap();
    assert_eq!((j.status.as_str(), j.progress_percent), ("completed", 100));
    assert!(j.processing_time_seconds.is_some());
    let d = db.delivery_for_job("job_1").await.unwrap().unwrap();
    assert_eq!((d.id.as_str(), d.url.as_str()), ("whd_1", "http://r/"));
    assert_eq!(
        db.cancel_job("job_1", "whd_3").await.unwrap(),
        CancelOutcome::Terminal {
            status: "completed".into()
        }
    );
}

#[tokio::test]
async fn cancel_beats_a_late_finish() {
    let (db, _d) = test_db().await;
    with_video(&db).await;
    db.insert_job(&new_job("job_1", "{}", None))
        .await
        .unwrap()
        .unwrap();
    db.claim_next_job("w1", now_ms() + 60_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        db.cancel_job("job_1", "whd_1").await.unwrap(),
        CancelOutcome::Cancelled {
            was: "processing".into()
        }
    );
    assert!(!db.heartbeat("job_1", "w1", now_ms() + 1000).await.unwrap());
    let done = Terminal::Completed { output_key: None };
    assert!(!db.finish_job("job_1", "w1", &done, "whd_2").await.unwrap());
    let j = db.get_job("job_1").await.unwrap().unwrap();
    assert_eq!(j.status, "cancelled");
    // Cancelled while processing: the run never came to its end, no processing time.
    assert!(j.started_at.is_some());
    assert_eq!(j.processing_time_seconds, None);
    assert_eq!(
        db.cancel_job("nope", "whd_4").await.unwrap(),
        CancelOutcome::NotFound
    );
}

#[tokio::test]
async fn expired_leases_requeue_then_fail() {
    let (db, _d) = test_db().await;
    with_video(&db).await;
    db.insert_job(&new_job("job_1", "{}", Some("http://r/")))
        .await
        .unwrap()
        .unwrap();
    let mut n = 0;
    let mut ids = || {
        n += 1;
        format!("whd_{n}")
    };
    for attempt in 1..=2 {
        let j = db.claim_next_job("w", now_ms() - 1).await.unwrap().unwrap();
        assert_eq!(j.attempts, attempt);
        let (re, failed) = db.reclaim_expired(2, &|_| false, &mut ids).await.unwrap();
        if attempt < 2 {
            assert_eq!((re.len(), failed.len()), (1, 0));
        } else {
            assert_eq!((re.len(), failed.len()), (0, 1));
        }
    }
    let j = db.get_job("job_1").await.unwrap().unwrap();
    assert_eq!(j.status, "failed");
    assert_eq!(j.error_code.as_deref(), Some("WORKER_LOST"));
    assert!(db.delivery_for_job("job_1").await.unwrap().is_some());
}

/// A job whose run is known to go on (its process alive, only unable to renew the lease)
/// is left alone however long ago its lease lapsed; the others are re-queued.
#[tokio::test]
async fn expired_leases_of_runs_that_go_on_are_left_alone() {
    let (db, _d) = test_db().await;
    with_video(&db).await;
    for i in 0..2 {
        db.insert_job(&new_job(
            &format!("job_{i}"),
            &format!("{{\"i\":{i}}}"),
            None,
        ))
        .await
        .unwrap()
        .unwrap();
        db.claim_next_job("w", now_ms() - 1).await.unwrap().unwrap();
    }
    let mut ids = || "whd_1".to_string();
    let (re, failed) = db
        .reclaim_expired(3, &|id| id == "job_0", &mut ids)
        .await
        .unwrap();
    assert_eq!((re, failed), (vec!["job_1".to_string()], vec![]));
    assert_eq!(
        db.get_job("job_0").await.unwrap().unwrap().status,
        "processing"
    );
}

#[tokio::test]
async fn list_is_newest_first_with_total() {
    let (db, _d) = test_db().await;
    with_video(&db).await;
    for i in 0..5 {
        db.insert_job(&new_job(
            &format!("job_{i}"),
            &format!("{{\"i\":{i}}}"),
            None,
        ))
        .await
        .unwrap()
        .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let (rows, total) = db.list_jobs(2, 2).await.unwrap();
    assert_eq!(total, 5);
    let ids: Vec<_> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["job_2", "job_1"]);
}

#[tokio::test]
async fn cancel_racing_claims_never_errors() {
    let (db, _d) = test_db().await;
    with_video(&db).await;
    for i in 0..40 {
        let id = format!("job_{i}");
        db.insert_job(&new_job(&id, &format!("{{\"i\":{i}}}"), None))
            .await
            .unwrap()
            .unwrap();
        let (db2, id2) = (db.clone(), id.clone());
        let claim = tokio::spawn(async move { db2.claim_next_job("w", now_ms() + 60_000).await });
        let out = db.cancel_job(&id2, &format!("whd_{i}")).await.unwrap();
        assert!(matches!(out, CancelOutcome::Cancelled { .. }), "{out:?}");
        claim.await.unwrap().unwrap();
        assert_eq!(db.get_job(&id).await.unwrap().unwrap().status, "cancelled");
    }
}

/// A delivery whose attempt history refuses rows for good (a trigger) still moves on:
/// its state, attempt count, next attempt and last error are recorded without the
/// history row; a delivery the caller holds is not the next one due.
#[tokio::test]
async fn a_delivery_moves_on_without_its_attempt_history() {
    use crate::webhooks::AttemptOutcome;
    let (db, _d) = test_db().await;
    with_video(&db).await;
    for (job, hook) in [("job_1", "http://r/1"), ("job_2", "http://r/2")] {
        let cfg = format!("{{\"j\":\"{job}\"}}");
        db.insert_job(&new_job(job, &cfg, Some(hook)))
            .await
            .unwrap()
            .unwrap();
        let owner = format!("w-{job}");
        db.claim_next_job(&owner, now_ms() + 60_000).await.unwrap();
        let done = Terminal::Completed { output_key: None };
        let whd = format!("whd_{job}");
        assert!(db.finish_job(job, &owner, &done, &whd).await.unwrap());
    }
    sqlx::query(
        "CREATE TRIGGER refuse BEFORE INSERT ON webhook_attempts
         BEGIN SELECT RAISE(ABORT, 'refused'); END",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    let retry_at = now_ms() + 60_000;
    let failed = AttemptOutcome {
        status_code: Some(500),
        error: Some("receiver answered 500".into()),
        duration_ms: 3,
        retry_at_ms: Some(retry_at),
        delivered: false,
    };
    let e = db.record_attempt("whd_job_1", &failed).await.unwrap_err();
    assert!(!e.transient(), "{e}");
    db.record_attempt_without_history("whd_job_1", &failed)
        .await
        .unwrap();
    let d = db.delivery_for_job("job_1").await.unwrap().unwrap();
    assert_eq!((d.state.as_str(), d.attempts), ("pending", 1));
    assert_eq!(d.next_attempt_ms, retry_at);
    assert_eq!(d.last_error.as_deref(), Some("receiver answered 500"));
    assert!(d.lease_expires_ms.is_none());
    assert!(db
        .attempts_for_delivery("whd_job_1")
        .await
        .unwrap()
        .is_empty());
    let ok = AttemptOutcome {
        status_code: Some(200),
        error: None,
        duration_ms: 2,
        retry_at_ms: None,
        delivered: true,
    };
    db.record_attempt_without_history("whd_job_1", &ok)
        .await
        .unwrap();
    let d = db.delivery_for_job("job_1").await.unwrap().unwrap();
    assert_eq!((d.state.as_str(), d.attempts), ("delivered", 2));
    assert!(d.delivered_at.is_some() && d.last_error.is_none());
    let e = db
        .record_attempt_without_history("whd_none", &ok)
        .await
        .unwrap_err();
    assert!(!e.transient(), "{e}");

    // job_2's delivery is due now; held by the caller, it is not.
    let due = db.next_delivery_due_ms(&[]).await.unwrap().unwrap();
    assert!(due <= now_ms(), "{due}");
    let held = ["whd_job_2".to_string()];
    assert_eq!(db.next_delivery_due_ms(&held).await.unwrap(), None);
}
