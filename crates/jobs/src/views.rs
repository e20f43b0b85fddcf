//! What clients see (the contract's JobResponse, JobDetailResponse, VideoUploadResponse…),
//! built from stored rows. Stored fields that the contract hides stay hidden (lease,
//! attempts, blob keys); fields the contract ties to a state are nulled outside it.

use serde::{Deserialize, Serialize};
use stylecut_store::{AttemptRow, DeliveryRow, JobRow, VideoRow};
use stylecut_types::{JobStatus, Stage, StyleJson};
use utoipa::ToSchema;

use crate::error::ServiceError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VideoMetadata {
    /// Display width (rotation and pixel aspect applied).
    pub width: u32,
    pub height: u32,
    pub duration_seconds: f64,
    pub frame_rate: f64,
    pub codec: String,
    pub bitrate_kbps: u64,
    /// Container, e.g. `mp4`.
    pub format: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VideoUploadResponse {
    pub video_id: String,
    pub filename: String,
    pub file_size_bytes: u64,
    pub uploaded_at: String,
    pub storage_url: String,
    pub metadata: VideoMetadata,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct JobResponse {
    pub job_id: String,
    pub video_id: String,
    pub status: JobStatus,
    pub progress_percent: u8,
    /// Only while `processing`.
    pub current_stage: Option<Stage>,
    pub created_at: String,
    pub updated_at: String,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub template_video_id: Option<String>,
}

/// `error` of a failed job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct JobErrorView {
    /// e.g. `INVALID_MEDIA`, `JOB_TIMEOUT`, `PROCESSING_ERROR`, `WORKER_LOST`.
    pub code: String,
    pub stage: Option<Stage>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct JobDetailResponse {
    #[serde(flatten)]
    pub job: JobResponse,
    #[schema(value_type = Option<StyleJson>)]
    pub style_json: Option<serde_json::Value>,
    pub output_video_url: Option<String>,
    pub error: Option<JobErrorView>,
    /// Seconds from `started_at` to `completed_at` of a `completed` or `failed` job; null
    /// otherwise, including a `cancelled` job (its run was stopped or never started).
    pub processing_time_seconds: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JobListResponse {
    pub jobs: Vec<JobResponse>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookAttemptView {
    pub attempt: i64,
    pub at: String,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// The webhook delivery of a job (**Beyond**).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookDeliveryView {
    pub delivery_id: String,
    pub url: String,
    /// `pending`, `delivered` or `failed` (gave up or refused).
    pub state: String,
    pub attempts: Vec<WebhookAttemptView>,
    pub next_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JobWebhooksResponse {
    pub job_id: String,
    pub webhook_url: Option<String>,
    pub deliveries: Vec<WebhookDeliveryView>,
}

fn corrupt(what: &str, v: &str) -> ServiceError {
    ServiceError::Internal(format!("stored {what} {v:?} is not valid"))
}

impl JobResponse {
    pub fn from_row(r: &JobRow) -> Result<JobResponse, ServiceError> {
        let status = JobStatus::parse(&r.status).ok_or_else(|| corrupt("status", &r.status))?;
        let current_stage = match (&r.current_stage, status) {
            (Some(s), JobStatus::Processing) => {
                Some(Stage::parse(s).ok_or_else(|| corrupt("stage", s))?)
            }
            _ => None,
        };
        Ok(JobResponse {
            job_id: r.id.clone(),
            video_id: r.video_id.clone(),
            status,
            progress_percent: r.progress_percent.clamp(0, 100) as u8,
            current_stage,
            created_at: r.created_at.clone(),
            updated_at: r.updated_at.clone(),
            started_at: r.started_at.clone().filter(|_| status != JobStatus::Queued),
            completed_at: r.completed_at.clone().filter(|_| status.is_terminal()),
            template_video_id: r.template_video_id.clone(),
        })
    }
}

impl JobDetailResponse {
    pub fn from_row(r: &JobRow, public_base_url: &str) -> Result<Self, ServiceError> {
        let job = JobResponse::from_row(r)?;
        let style_json = match &r.style_json {
            Some(s) => Some(serde_json::from_str(s).map_err(|_| corrupt("style_json", s))?),
            None => None,
        };
        let output_video_url = (job.status == JobStatus::Completed && r.output_key.is_some())
            .then(|| format!("{public_base_url}/api/v1/jobs/{}/output", r.id));
        let error = match (&r.error_code, job.status) {
            (Some(code), JobStatus::Failed) => Some(JobErrorView {
                code: code.clone(),
                stage: r.error_stage.as_deref().and_then(Stage::parse),
                message: r.error_message.clone().unwrap_or_default(),
            }),
            _ => None,
        };
        // The length of a processing run that came to its end (completed, or failed:
        // how long it took to fail); null before, and for a cancelled job, whose run was
        // stopped (or never started) — even a row written before cancel stopped storing it.
        let processing_time_seconds = r
            .processing_time_seconds
            .filter(|_| matches!(job.status, JobStatus::Completed | JobStatus::Failed));
        Ok(JobDetailResponse {
            job,
            style_json,
            output_video_url,
            error,
            processing_time_seconds,
        })
    }
}

impl VideoUploadResponse {
    pub fn from_row(v: &VideoRow) -> Result<Self, ServiceError> {
        let metadata: VideoMetadata = serde_json::from_str(&v.metadata_json)
            .map_err(|_| corrupt("metadata", &v.metadata_json))?;
        Ok(VideoUploadResponse {
            video_id: v.id.clone(),
            filename: v.filename.clone(),
            file_size_bytes: v.size_bytes.max(0) as u64,
            uploaded_at: v.uploaded_at.clone(),
            storage_url: format!("local://{}", v.stored_key),
            metadata,
        })
    }
}

impl WebhookDeliveryView {
    pub fn from_rows(d: &DeliveryRow, attempts: &[AttemptRow]) -> Self {
        let next_attempt_at = (d.state == "pending")
            .then(|| chrono::DateTime::from_timestamp_millis(d.next_attempt_ms))
            .flatten()
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        WebhookDeliveryView {
            delivery_id: d.id.clone(),
            url: d.url.clone(),
            state: d.state.clone(),
            attempts: attempts
                .iter()
                .map(|a| WebhookAttemptView {
                    attempt: a.attempt,
                    at: a.at.clone(),
                    status_code: a.status_code,
                    error: a.error.clone(),
                    duration_ms: a.duration_ms,
                })
                .collect(),
            next_attempt_at,
            delivered_at: d.delivered_at.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: &str) -> JobRow {
        JobRow {
            id: "job_1".into(),
            video_id: "vid_1".into(),
            template_video_id: None,
            config_json: "{}".into(),
            webhook_url: None,
            status: status.into(),
            progress_percent: 40,
            current_stage: Some("motion_analysis".into()),
            created_at: "2026-01-01T00:00:00.000Z".into(),
            updated_at: "2026-01-01T00:00:01.000Z".into(),
            started_at: Some("2026-01-01T00:00:00.500Z".into()),
            completed_at: Some("2026-01-01T00:00:02.000Z".into()),
            style_json: None,
            plan_json: None,
            output_key: Some("outputs/job_1.mp4".into()),
            error_code: Some("INVALID_MEDIA".into()),
            error_stage: Some("video_analysis".into()),
            error_message: Some("bad".into()),
            processing_time_seconds: Some(1.5),
            attempts: 1,
            lease_owner: None,
            lease_expires_ms: None,
        }
    }

    #[test]
    fn fields_follow_the_state() {
        let q = JobDetailResponse::from_row(&row("queued"), "http://h").unwrap();
        assert_eq!(q.job.current_stage, None);
        assert_eq!(
            (q.job.started_at.as_deref(), q.job.completed_at.as_deref()),
            (None, None)
        );
        assert_eq!(
            (q.output_video_url, q.error, q.processing_time_seconds),
            (None, None, None)
        );

        let p = JobDetailResponse::from_row(&row("processing"), "http://h").unwrap();
        assert_eq!(p.job.current_stage, Some(Stage::MotionAnalysis));
        assert!(p.job.started_at.is_some() && p.job.completed_at.is_none());

        let c = JobDetailResponse::from_row(&row("completed"), "http://h").unwrap();
        assert_eq!(
            c.output_video_url.as_deref(),
            Some("http://h/api/v1/jobs/job_1/output")
        );
        assert_eq!((c.job.current_stage, c.error), (None, None));
        assert_eq!(c.processing_time_seconds, Some(1.5));

        let f = JobDetailResponse::from_row(&row("failed"), "http://h").unwrap();
        assert_eq!(f.output_video_url, None);
        let e = f.error.unwrap();
        assert_eq!(
            (e.code.as_str(), e.stage),
            ("INVALID_MEDIA", Some(Stage::VideoAnalysis))
        );

        assert_eq!(f.processing_time_seconds, Some(1.5));

        // A cancelled job's run never came to its end: no processing time, even when the
        // row holds one.
        let x = JobDetailResponse::from_row(&row("cancelled"), "http://h").unwrap();
        assert_eq!(
            (x.output_video_url, x.error, x.processing_time_seconds),
            (None, None, None)
        );

        assert!(JobResponse::from_row(&row("exploded")).is_err());
    }
}
