//! The service's error type. Every variant has a stable wire code; `stylecut-api` maps
//! codes to HTTP statuses in one place.

use stylecut_store::{BlobError, StoreError};
use stylecut_types::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("Unsupported file format")]
    UnsupportedFormat { ext: String },
    #[error("File too large")]
    FileTooLarge { limit_bytes: u64 },
    #[error("Missing required field")]
    MissingField(String),
    #[error("Invalid media file")]
    InvalidMedia(String),
    #[error("Validation error")]
    Validation(String),
    #[error("Video not found")]
    VideoNotFound(String),
    #[error("Job not found")]
    JobNotFound(String),
    #[error("A job for this video, template and config is already queued or processing")]
    AlreadyProcessing { job_id: String },
    #[error("Job cannot be cancelled")]
    NotCancellable { job_id: String, status: String },
    #[error("Not found")]
    NotFound(String),
    #[error("Internal error")]
    Internal(String),
}

impl ServiceError {
    pub fn code(&self) -> ErrorCode {
        use ServiceError::*;
        match self {
            UnsupportedFormat { .. } => ErrorCode::UnsupportedFormat,
            FileTooLarge { .. } => ErrorCode::FileTooLarge,
            MissingField(_) => ErrorCode::MissingField,
            InvalidMedia(_) => ErrorCode::InvalidMedia,
            Validation(_) => ErrorCode::ValidationError,
            VideoNotFound(_) => ErrorCode::VideoNotFound,
            JobNotFound(_) => ErrorCode::JobNotFound,
            AlreadyProcessing { .. } => ErrorCode::JobAlreadyProcessing,
            NotCancellable { .. } => ErrorCode::JobNotCancellable,
            NotFound(_) => ErrorCode::NotFound,
            Internal(_) => ErrorCode::InternalError,
        }
    }

    /// Technical detail for the envelope's `error.detail`.
    pub fn detail(&self) -> String {
        use ServiceError::*;
        match self {
            UnsupportedFormat { ext } => format!(
                "received extension {:?}; allowed: {}",
                ext,
                crate::upload::ALLOWED_EXTENSIONS.join(", ")
            ),
            FileTooLarge { limit_bytes } => format!(
                "the upload exceeds MAX_FILE_SIZE_MB ({} MB)",
                mib(*limit_bytes)
            ),
            AlreadyProcessing { job_id } => format!("existing job: {job_id}"),
            NotCancellable { job_id, status } => format!("job {job_id} is already {status}"),
            MissingField(s) | InvalidMedia(s) | Validation(s) | VideoNotFound(s)
            | JobNotFound(s) | NotFound(s) | Internal(s) => s.clone(),
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        ServiceError::Internal(e.to_string())
    }
}

impl From<BlobError> for ServiceError {
    fn from(e: BlobError) -> Self {
        ServiceError::Internal(e.to_string())
    }
}

/// `bytes` in MiB as `MAX_FILE_SIZE_MB` is written: whole numbers plain, fractions (the
/// setting allows them) to at most three decimals.
fn mib(bytes: u64) -> String {
    let v = bytes as f64 / (1024.0 * 1024.0);
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_limit_is_named_as_configured() {
        let detail = |limit_bytes| ServiceError::FileTooLarge { limit_bytes }.detail();
        assert!(detail(1000 * 1024 * 1024).contains("(1000 MB)"));
        // MAX_FILE_SIZE_MB=0.5 and 1.25: not "0 MB" and "1 MB".
        assert!(
            detail(512 * 1024).contains("(0.5 MB)"),
            "{}",
            detail(512 * 1024)
        );
        assert!(detail(1280 * 1024).contains("(1.25 MB)"));
    }
}
