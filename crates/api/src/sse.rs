//! `GET /api/v1/jobs/{job_id}/events`: server-sent events. Each change of status, stage or
//! progress is one `job` event whose data is the JobResponse; the stream ends after the
//! terminal state. Changes made by a worker in another process are picked up by a
//! once-a-second re-read.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, Stream};
use stylecut_jobs::views::JobResponse;
use stylecut_jobs::Service;
use tokio::sync::broadcast;

use crate::error::{ApiError, ErrorEnvelope};
use crate::AppState;

struct Watch {
    svc: Service,
    id: String,
    rx: broadcast::Receiver<String>,
    last: Option<(String, Option<String>, u8)>,
    done: bool,
}

fn key(j: &JobResponse) -> (String, Option<String>, u8) {
    (
        j.status.as_str().to_string(),
        j.current_stage.map(|s| s.as_str().to_string()),
        j.progress_percent,
    )
}

async fn next_event(mut w: Watch) -> Option<(Result<Event, Infallible>, Watch)> {
    if w.done {
        return None;
    }
    loop {
        let job = match w.svc.get_job(&w.id).await {
            Ok(j) => j,
            Err(_) => return None,
        };
        let k = key(&job);
        if w.last.as_ref() != Some(&k) {
            w.last = Some(k);
            w.done = job.status.is_terminal();
            let ev = Event::default()
                .event("job")
                .json_data(&job)
                .unwrap_or_else(|_| Event::default().event("job"));
            return Some((Ok(ev), w));
        }
        let wait = tokio::time::sleep(Duration::from_secs(1));
        tokio::pin!(wait);
        loop {
            tokio::select! {
                _ = &mut wait => break,
                m = w.rx.recv() => match m {
                    Ok(id) if id == w.id => break,
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(_)) => break,
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
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
    let w = Watch {
        rx: st.svc.events.subscribe(),
        svc: st.svc.clone(),
        id,
        last: None,
        done: false,
    };
    let s: std::pin::Pin<Box<dyn Stream<Item = Result<Event, Infallible>> + Send>> =
        Box::pin(stream::unfold(w, next_event));
    Ok(Sse::new(s).keep_alive(KeepAlive::default()).into_response())
}
