//! `POST /api/v1/videos/upload`: multipart streamed to a staged blob.

use axum::extract::multipart::{Field, Multipart, MultipartError, MultipartRejection};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use stylecut_jobs::idempotency::Scope;
use stylecut_jobs::upload::{Upload, UploadFields};
use stylecut_jobs::views::VideoUploadResponse;
use stylecut_jobs::ServiceError;
use stylecut_types::ErrorCode;

use crate::envelope::{ok, Envelope};
use crate::error::{ApiError, ErrorEnvelope};
use crate::{idempotency, AppState};

/// Room for multipart boundaries and the small text fields around the file.
const MULTIPART_OVERHEAD: u64 = 1024 * 1024;
const TEXT_FIELD_MAX: usize = 4096;

fn bad_multipart(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ErrorCode::ValidationError,
        "Malformed multipart body",
        e.to_string(),
    )
}

/// A multipart body that could not be read, with the parser's reason (axum's own Display
/// is only "Error parsing `multipart/form-data` request"); a body that ends before its
/// closing boundary is named as an upload cut short.
fn bad_multipart_body(e: MultipartError) -> ApiError {
    let reason = e.body_text();
    let detail = if reason.contains("incomplete") {
        format!(
            "the body ended before the multipart closing boundary (upload cut short?): {reason}"
        )
    } else {
        reason
    };
    bad_multipart(detail)
}

async fn read_text(mut f: Field<'_>) -> Result<Option<String>, ApiError> {
    let mut buf = Vec::new();
    while let Some(c) = f.chunk().await.map_err(bad_multipart_body)? {
        buf.extend_from_slice(&c);
        if buf.len() > TEXT_FIELD_MAX {
            return Err(ApiError::new(
                ErrorCode::ValidationError,
                "Validation error",
                "form field too long",
            ));
        }
    }
    let s = String::from_utf8(buf).map_err(bad_multipart)?;
    let s = s.trim().to_string();
    Ok((!s.is_empty()).then_some(s))
}

/// Upload a video (fields: `file`, optional `template_video_id`, `webhook_url`).
#[utoipa::path(post, path = "/api/v1/videos/upload", tag = "videos",
    request_body(content_type = "multipart/form-data", description = "fields `file` (required), `template_video_id`, `webhook_url` (http(s); a non-public target is refused with VALIDATION_ERROR unless WEBHOOK_ALLOW_PRIVATE=true)"),
    params(("Idempotency-Key" = Option<String>, Header, description = crate::idempotency::DESCRIPTION)),
    responses(
        (status = 200, body = Envelope<VideoUploadResponse>, description = "the stored video; with `Idempotent-Replayed: true`, the video an earlier upload with the same Idempotency-Key made (this file was not kept)"),
        (status = 409, body = ErrorEnvelope, description = "IDEMPOTENCY_KEY_IN_FLIGHT: an upload with the same Idempotency-Key is still being processed; `Retry-After` says when to send it again"),
        (status = 413, body = ErrorEnvelope, description = "FILE_TOO_LARGE"),
        (status = 422, body = ErrorEnvelope, description = "UNSUPPORTED_FORMAT, MISSING_FIELD, INVALID_MEDIA, VALIDATION_ERROR (also a `webhook_url` to a non-public address without WEBHOOK_ALLOW_PRIVATE=true, an invalid Idempotency-Key), IDEMPOTENCY_KEY_MISMATCH (the key was used for another file or other fields)"),
        (status = 404, body = ErrorEnvelope, description = "VIDEO_NOT_FOUND (template)"),
        (status = 507, body = ErrorEnvelope, description = "INSUFFICIENT_STORAGE: the data directory's disk is full; nothing of the upload is kept"),
        (status = 503, body = ErrorEnvelope, description = "SERVICE_UNAVAILABLE: the database cannot be written now (its write lock held by another process past the busy timeout, or read-only); nothing of the upload is kept; `Retry-After` says when to send it again"),
    ))]
pub async fn upload(
    State(st): State<AppState>,
    headers: HeaderMap,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let limit = st.svc.settings.max_file_size_bytes;
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit + MULTIPART_OVERHEAD) {
        return Err(ServiceError::FileTooLarge { limit_bytes: limit }.into());
    }
    // Taken before the body is read: a repeat while the first is processed is refused
    // without receiving its file.
    let mut claim = idempotency::claim(&st.svc, &headers, Scope::Upload)?;
    let mut mp = mp.map_err(|e| {
        ApiError::new(
            ErrorCode::MissingField,
            "Missing required field",
            format!("expected multipart/form-data with a `file` part: {e}"),
        )
    })?;
    let mut fields = UploadFields::default();
    let mut upload: Option<Upload> = None;
    while let Some(mut field) = mp.next_field().await.map_err(bad_multipart_body)? {
        match field.name().unwrap_or_default() {
            "file" => {
                if upload.is_some() {
                    return Err(ApiError::new(
                        ErrorCode::ValidationError,
                        "Validation error",
                        "more than one `file` part",
                    ));
                }
                let name = field.file_name().unwrap_or_default().to_string();
                let mut up = st.svc.start_upload(&name, claim.take()).await?;
                while let Some(chunk) = field.chunk().await.map_err(bad_multipart_body)? {
                    up.write(&chunk).await?;
                }
                upload = Some(up);
            }
            "template_video_id" => fields.template_video_id = read_text(field).await?,
            "webhook_url" => fields.webhook_url = read_text(field).await?,
            _ => while field.chunk().await.map_err(bad_multipart_body)?.is_some() {},
        }
    }
    let up = upload.ok_or_else(|| {
        ApiError::from(ServiceError::MissingField(
            "the multipart body has no `file` part".into(),
        ))
    })?;
    let done = st.svc.finish_upload(up, fields).await?;
    Ok(idempotency::mark(
        ok("Video uploaded successfully", done.view),
        done.replayed,
    ))
}
