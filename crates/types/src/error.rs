//! Stable error codes of the wire contract, with their HTTP status.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    UnsupportedFormat,
    FileTooLarge,
    MissingField,
    InvalidMedia,
    ValidationError,
    VideoNotFound,
    JobNotFound,
    JobAlreadyProcessing,
    JobNotCancellable,
    Unauthorized,
    JobTimeout,
    /// A job failed in a stage for a reason inside the engine or its tools.
    ProcessingError,
    /// The job was interrupted too many times (process restarts) and gave up.
    WorkerLost,
    NotFound,
    /// A route that exists, called with a method it does not answer (HTTP 405).
    MethodNotAllowed,
    InternalError,
    ServiceUnavailable,
    /// **Beyond**: the disk holding the data directory (or the temp directory) is full: an
    /// upload that could not be stored (HTTP 507), or, inside a failed job, a job whose
    /// scratch or output could not be written.
    InsufficientStorage,
    /// **Beyond**: an `Idempotency-Key` already recorded for a request with another
    /// fingerprint (another file, other fields, another job body): HTTP 422.
    IdempotencyKeyMismatch,
    /// **Beyond**: a request with the `Idempotency-Key` of one still being processed
    /// (HTTP 409 with `Retry-After`): send it again once that one has been answered.
    IdempotencyKeyInFlight,
}

impl ErrorCode {
    pub fn http_status(self) -> u16 {
        use ErrorCode::*;
        match self {
            UnsupportedFormat
            | MissingField
            | InvalidMedia
            | ValidationError
            | IdempotencyKeyMismatch => 422,
            FileTooLarge => 413,
            VideoNotFound | JobNotFound | NotFound => 404,
            JobAlreadyProcessing | JobNotCancellable | IdempotencyKeyInFlight => 409,
            Unauthorized => 401,
            MethodNotAllowed => 405,
            ServiceUnavailable => 503,
            InsufficientStorage => 507,
            JobTimeout | ProcessingError | WorkerLost | InternalError => 500,
        }
    }

    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            UnsupportedFormat => "UNSUPPORTED_FORMAT",
            FileTooLarge => "FILE_TOO_LARGE",
            MissingField => "MISSING_FIELD",
            InvalidMedia => "INVALID_MEDIA",
            ValidationError => "VALIDATION_ERROR",
            VideoNotFound => "VIDEO_NOT_FOUND",
            JobNotFound => "JOB_NOT_FOUND",
            JobAlreadyProcessing => "JOB_ALREADY_PROCESSING",
            JobNotCancellable => "JOB_NOT_CANCELLABLE",
            Unauthorized => "UNAUTHORIZED",
            JobTimeout => "JOB_TIMEOUT",
            ProcessingError => "PROCESSING_ERROR",
            WorkerLost => "WORKER_LOST",
            NotFound => "NOT_FOUND",
            MethodNotAllowed => "METHOD_NOT_ALLOWED",
            InternalError => "INTERNAL_ERROR",
            ServiceUnavailable => "SERVICE_UNAVAILABLE",
            InsufficientStorage => "INSUFFICIENT_STORAGE",
            IdempotencyKeyMismatch => "IDEMPOTENCY_KEY_MISMATCH",
            IdempotencyKeyInFlight => "IDEMPOTENCY_KEY_IN_FLIGHT",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_name_matches_as_str() {
        for c in [
            ErrorCode::UnsupportedFormat,
            ErrorCode::JobAlreadyProcessing,
            ErrorCode::JobTimeout,
            ErrorCode::WorkerLost,
            ErrorCode::MethodNotAllowed,
            ErrorCode::InsufficientStorage,
            ErrorCode::IdempotencyKeyMismatch,
            ErrorCode::IdempotencyKeyInFlight,
        ] {
            let s = serde_json::to_string(&c).unwrap();
            assert_eq!(s, format!("\"{}\"", c.as_str()));
        }
    }
}
