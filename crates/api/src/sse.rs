//! `GET /api/v1/jobs/{job_id}/events`: server-sent events. Each change of status, stage or
//! progress is one `job` event whose data is the JobResponse; the stream ends after the
//! terminal state. Changes made in this process arrive as numbered snapshots of the stored
//! state ([`stylecut_jobs::events::JobChange`]) and are replayed in order, so a stage
//! shorter than the client's reads is still seen. Changes made by a worker in another
//! process are picked up by a once-a-second re-read (a stage shorter than that can be
//! missed there).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, Stream, StreamExt};
use stylecut_jobs::events::JobChange;
use stylecut_jobs::views::JobResponse;
use stylecut_jobs::Service;
use tokio::sync::broadcast;

use crate::error::{ApiError, ErrorEnvelope};
use crate::AppState;

struct Watch {
    svc: Service,
    id: String,
    rx: broadcast::Receiver<Arc<JobChange>>,
    /// Number of the newest state taken (snapshot or re-read): older snapshots are stale.
    seen: u64,
    /// A snapshot received and not yet sent.
    next: Option<JobResponse>,
    last: Option<(String, Option<String>, u8)>,
    done: bool,
}

impl Watch {
    fn new(svc: &Service, id: String) -> Watch {
        Watch {
            rx: svc.events.subscribe(),
            svc: svc.clone(),
            id,
            seen: 0,
            next: None,
            last: None,
            done: false,
        }
    }
}

fn key(j: &JobResponse) -> (String, Option<String>, u8) {
    (
        j.status.as_str().to_string(),
        j.current_stage.map(|s| s.as_str().to_string()),
        j.progress_percent,
    )
}

/// The job's next state to send, or none after the terminal one.
async fn next_state(mut w: Watch) -> Option<(JobResponse, Watch)> {
    if w.done {
        return None;
    }
    loop {
        if w.next.is_none() && w.last.is_some() && !w.wait().await? {
            continue;
        }
        let job = match w.next.take() {
            Some(j) => j,
            None => match w.svc.watch_job(&w.id).await {
                Ok((seq, j)) => {
                    w.seen = w.seen.max(seq);
                    j
                }
                Err(_) => return None,
            },
        };
        let k = key(&job);
        if w.last.as_ref() != Some(&k) {
            w.last = Some(k);
            w.done = job.status.is_terminal();
            return Some((job, w));
        }
    }
}

impl Watch {
    /// Waits for this job's next snapshot (then in `next`) or for a reason to re-read the
    /// stored state: a second without one (a worker in another process) or dropped
    /// snapshots (lagged). Queued snapshots go first (`biased`), so a re-read never skips
    /// one. Some(false): a snapshot of an older state was dropped, wait again; None: the
    /// service is shutting down.
    async fn wait(&mut self) -> Option<bool> {
        let wait = tokio::time::sleep(Duration::from_secs(1));
        tokio::pin!(wait);
        loop {
            tokio::select! {
                biased;
                m = self.rx.recv() => match m {
                    Ok(c) if c.job.job_id == self.id => {
                        if c.seq <= self.seen {
                            return Some(false);
                        }
                        self.seen = c.seq;
                        self.next = Some(c.job.clone());
                        return Some(true);
                    }
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(_)) => return Some(true),
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = &mut wait => return Some(true),
            }
        }
    }
}

/// Server-sent events of a job's status, stage and progress.
#[utoipa::path(get, path = "/api/v1/jobs/{job_id}/events", tag = "jobs",
    params(("job_id" = String, Path)),
    responses((status = 200, content_type = "text/event-stream", description = "`job` events with a JobResponse as data"),
              (status = 404, body = ErrorEnvelope, description = "JOB_NOT_FOUND")))]
pub async fn job_events(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    st.svc.get_job(&id).await?;
    let w = Watch::new(&st.svc, id);
    let s: std::pin::Pin<Box<dyn Stream<Item = Result<Event, Infallible>> + Send>> =
        Box::pin(stream::unfold(w, next_state).map(|job| {
            Ok(Event::default()
                .event("job")
                .json_data(&job)
                .unwrap_or_else(|_| Event::default().event("job")))
        }));
    Ok(Sse::new(s).keep_alive(KeepAlive::default()).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use stylecut_jobs::events::Events;
    use stylecut_jobs::settings::Settings;
    use stylecut_store::{BlobStore, Db, NewJob, Terminal, VideoRow};

    /// A client that reads nothing until the job has ended still gets every stage in
    /// order: the states are replayed from the snapshots, not re-read at the end.
    #[tokio::test]
    async fn a_slow_reader_gets_every_stage_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let svc = Service {
            db: Db::open(&dir.path().join("db.sqlite")).await.unwrap(),
            blobs: BlobStore::open(&dir.path().join("blobs")).unwrap(),
            settings: Arc::new(Settings::new(dir.path().into(), "http://localhost".into())),
            events: Events::default(),
            scratch_spares: Default::default(),
            idempotency: Default::default(),
        };
        svc.db
            .insert_video(&VideoRow {
                id: "vid_a".into(),
                filename: "a.mp4".into(),
                stored_key: "uploads/vid_a.mp4".into(),
                size_bytes: 1,
                uploaded_at: "2026-12-01T00:00:00Z".into(),
                metadata_json: "{}".into(),
                template_video_id: None,
                webhook_url: None,
            })
            .await
            .unwrap();
        let job = NewJob {
            id: "job_a".into(),
            video_id: "vid_a".into(),
            template_video_id: None,
            config_json: "{}".into(),
            webhook_url: None,
        };
        svc.db.insert_job(&job).await.unwrap().unwrap();
        let mut states = Box::pin(stream::unfold(Watch::new(&svc, "job_a".into()), next_state));
        assert_eq!(states.next().await.unwrap().progress_percent, 0);
        // The whole run happens before the client reads again.
        svc.db.claim_next_job("w", i64::MAX).await.unwrap().unwrap();
        svc.job_changed("job_a").await;
        let stages = [
            ("audio_analysis", 30),
            ("motion_analysis", 45),
            ("style_extraction", 60),
            ("style_application", 70),
            ("rendering", 80),
        ];
        for (stage, p) in stages {
            assert!(svc.db.set_stage("job_a", "w", stage, p).await.unwrap());
            svc.job_changed("job_a").await;
        }
        let end = Terminal::Completed { output_key: None };
        assert!(svc
            .db
            .finish_job("job_a", "w", &end, "dlv_a")
            .await
            .unwrap());
        svc.job_changed("job_a").await;
        let seen: Vec<(Option<&str>, u8)> = states
            .collect::<Vec<_>>()
            .await
            .iter()
            .map(|j| (j.current_stage.map(|s| s.as_str()), j.progress_percent))
            .collect();
        let mut want = vec![(Some("video_analysis"), 1)];
        want.extend(stages.iter().map(|&(s, p)| (Some(s), p as u8)));
        want.push((None, 100));
        assert_eq!(seen, want);
    }
}
