//! Job routes: create, get, list, result, cancel, output download, plan, webhooks.

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use stylecut_jobs::idempotency::Scope;
use stylecut_jobs::service::CreateJob;
use stylecut_jobs::views::{JobDetailResponse, JobListResponse, JobResponse, JobWebhooksResponse};
use tower::ServiceExt;
use utoipa::{IntoParams, ToSchema};

use crate::envelope::{ok, Envelope};
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{ApiJson, ApiQuery};
use crate::{idempotency, AppState};

/// Body of `POST /api/v1/jobs`. Keys other than these four are ignored (**Decision**:
/// Clipzy clients may send fields of their own); unknown keys inside `config` are refused.
#[derive(Debug, Deserialize, ToSchema)]
pub struct JobCreateRequest {
    pub video_id: String,
    pub template_video_id: Option<String>,
    /// Processing configuration; unknown keys are rejected.
    #[schema(value_type = Option<stylecut_types::config::JobConfig>)]
    pub config: Option<serde_json::Value>,
    /// http(s) URL notified when the job ends. A loopback, private or otherwise non-public
    /// target (a literal IP, `localhost`, or a name resolving to one now) is refused with
    /// `VALIDATION_ERROR` unless the server runs with `WEBHOOK_ALLOW_PRIVATE=true`; delivery
    /// checks again.
    pub webhook_url: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// 1-based page (default 1).
    pub page: Option<i64>,
    /// 1..=100 (default 10).
    pub page_size: Option<i64>,
}

/// Create a job.
#[utoipa::path(post, path = "/api/v1/jobs", tag = "jobs", request_body = JobCreateRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = crate::idempotency::DESCRIPTION)),
    responses(
        (status = 200, body = Envelope<JobResponse>, description = "the new job (`queued`); with `Idempotent-Replayed: true`, the job an earlier request with the same Idempotency-Key made, as it is now"),
        (status = 404, body = ErrorEnvelope, description = "VIDEO_NOT_FOUND"),
        (status = 409, body = ErrorEnvelope, description = "JOB_ALREADY_PROCESSING; IDEMPOTENCY_KEY_IN_FLIGHT (a request with the same Idempotency-Key is still being processed; `Retry-After` says when to send it again)"),
        (status = 422, body = ErrorEnvelope, description = "VALIDATION_ERROR (also a `webhook_url` to a non-public address without WEBHOOK_ALLOW_PRIVATE=true, an invalid Idempotency-Key), MISSING_FIELD, IDEMPOTENCY_KEY_MISMATCH (the key was used for another body)"),
        (status = 507, body = ErrorEnvelope, description = "INSUFFICIENT_STORAGE: the data directory's disk is full; the job was not recorded"),
        (status = 503, body = ErrorEnvelope, description = "SERVICE_UNAVAILABLE: the database cannot be written now (its write lock held by another process past the busy timeout, or read-only); the job was not recorded; `Retry-After` says when to send it again"),
    ))]
pub async fn create(
    State(st): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<JobCreateRequest>,
) -> Result<Response, ApiError> {
    let claim = idempotency::claim(&st.svc, &headers, Scope::Job)?;
    let (job, replayed) = st
        .svc
        .create_job_keyed(
            CreateJob {
                video_id: req.video_id,
                template_video_id: req.template_video_id.filter(|s| !s.is_empty()),
                config: req.config.unwrap_or(serde_json::Value::Null),
                webhook_url: req.webhook_url.filter(|s| !s.is_empty()),
            },
            claim,
        )
        .await?;
    Ok(idempotency::mark(ok("Job created", job), replayed))
}

/// List jobs, newest first.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", params(ListQuery),
    responses(
        (status = 200, body = Envelope<JobListResponse>),
        (status = 422, body = ErrorEnvelope, description = "VALIDATION_ERROR"),
    ))]
pub async fn list(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let v = st
        .svc
        .list_jobs(q.page.unwrap_or(1), q.page_size.unwrap_or(10))
        .await?;
    Ok(ok("Jobs retrieved", v))
}

/// Get a job.
#[utoipa::path(get, path = "/api/v1/jobs/{job_id}", tag = "jobs",
    params(("job_id" = String, Path)),
    responses((status = 200, body = Envelope<JobResponse>),
              (status = 404, body = ErrorEnvelope, description = "JOB_NOT_FOUND")))]
pub async fn get(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    Ok(ok("Job retrieved", st.svc.get_job(&id).await?))
}

/// Job with result fields (any state; unavailable fields are null).
#[utoipa::path(get, path = "/api/v1/jobs/{job_id}/result", tag = "jobs",
    params(("job_id" = String, Path)),
    responses((status = 200, body = Envelope<JobDetailResponse>),
              (status = 404, body = ErrorEnvelope, description = "JOB_NOT_FOUND")))]
pub async fn result(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(ok("Job result retrieved", st.svc.job_result(&id).await?))
}

/// Cancel a queued or processing job (also `DELETE /api/v1/jobs/{job_id}`).
#[utoipa::path(post, path = "/api/v1/jobs/{job_id}/cancel", tag = "jobs",
    params(("job_id" = String, Path)),
    responses((status = 200, body = Envelope<JobResponse>),
              (status = 404, body = ErrorEnvelope, description = "JOB_NOT_FOUND"),
              (status = 409, body = ErrorEnvelope, description = "JOB_NOT_CANCELLABLE")))]
pub async fn cancel(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(ok("Job cancelled", st.svc.cancel_job(&id).await?))
}

/// Cancel a queued or processing job (same as `POST /api/v1/jobs/{job_id}/cancel`).
#[utoipa::path(delete, path = "/api/v1/jobs/{job_id}", tag = "jobs",
    params(("job_id" = String, Path)),
    responses((status = 200, body = Envelope<JobResponse>),
              (status = 404, body = ErrorEnvelope, description = "JOB_NOT_FOUND"),
              (status = 409, body = ErrorEnvelope, description = "JOB_NOT_CANCELLABLE")))]
pub async fn delete(state: State<AppState>, id: Path<String>) -> Result<Response, ApiError> {
    cancel(state, id).await
}

/// The output video (`video/mp4`, HTTP Range supported).
#[utoipa::path(get, path = "/api/v1/jobs/{job_id}/output", tag = "jobs",
    params(("job_id" = String, Path)),
    responses((status = 200, content_type = "video/mp4", description = "the output video"),
              (status = 206, content_type = "video/mp4", description = "a byte range"),
              (status = 404, body = ErrorEnvelope, description = "JOB_NOT_FOUND or no output")))]
pub async fn output(
    State(st): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    let path = st.svc.output_path(&id).await?;
    let served = tower_http::services::ServeFile::new(path)
        .oneshot(req)
        .await
        .map_err(|e| ApiError::from(stylecut_jobs::ServiceError::Internal(e.to_string())))?;
    Ok(served.map(Body::new).into_response())
}

/// The edit plan of a job (**Beyond**; null until `style_application` ends).
#[utoipa::path(get, path = "/api/v1/jobs/{job_id}/plan", tag = "jobs",
    params(("job_id" = String, Path)),
    responses((status = 200, body = Envelope<Object>),
              (status = 404, body = ErrorEnvelope, description = "JOB_NOT_FOUND")))]
pub async fn plan(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(ok("Job plan retrieved", st.svc.job_plan(&id).await?))
}

/// Webhook deliveries of a job and their attempts (**Beyond**).
#[utoipa::path(get, path = "/api/v1/jobs/{job_id}/webhooks", tag = "jobs",
    params(("job_id" = String, Path)),
    responses((status = 200, body = Envelope<JobWebhooksResponse>),
              (status = 404, body = ErrorEnvelope, description = "JOB_NOT_FOUND")))]
pub async fn webhooks(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(ok(
        "Job webhooks retrieved",
        st.svc.job_webhooks(&id).await?,
    ))
}
