//! The service's error type. Every variant has a stable wire code; `stylecut-api` maps
//! codes to HTTP statuses in one place.

use stylecut_store::{BlobError, StoreError, Unwritable};
use stylecut_types::ErrorCode;

/// `Retry-After` of a 503: a few seconds, the order of the database's busy timeout.
pub const RETRY_AFTER_SECONDS: u64 = 5;

/// `Retry-After` of a 409 `IDEMPOTENCY_KEY_IN_FLIGHT`: the first request is being stored
/// or probed (an upload) or recorded (a job); a second is usually enough.
pub const KEY_IN_FLIGHT_RETRY_AFTER_SECONDS: u64 = 1;

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
    /// The disk is full: what was being written could not be stored (nothing partial is
    /// kept). The detail says which write and what to do.
    #[error("Insufficient storage")]
    InsufficientStorage(String),
    /// The database cannot be written now (its write lock held elsewhere past the busy
    /// timeout, its file or file system read-only): nothing was recorded; the same request
    /// can be sent again later (HTTP 503 with `Retry-After`).
    #[error("Service unavailable")]
    Unavailable(String),
    /// The `Idempotency-Key` is recorded for a request with another fingerprint.
    #[error("Idempotency-Key already used for a different request")]
    KeyMismatch(String),
    /// A request with the same `Idempotency-Key` is still being processed.
    #[error("A request with this Idempotency-Key is still being processed")]
    KeyInFlight(String),
}

impl ServiceError {
    /// Seconds a client should wait before sending the same request again, for an error
    /// that passes by itself (the `Retry-After` header of a 503).
    pub fn retry_after_seconds(&self) -> Option<u64> {
        match self {
            ServiceError::Unavailable(_) => Some(RETRY_AFTER_SECONDS),
            ServiceError::KeyInFlight(_) => Some(KEY_IN_FLIGHT_RETRY_AFTER_SECONDS),
            _ => None,
        }
    }

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
            InsufficientStorage(_) => ErrorCode::InsufficientStorage,
            Unavailable(_) => ErrorCode::ServiceUnavailable,
            KeyMismatch(_) => ErrorCode::IdempotencyKeyMismatch,
            KeyInFlight(_) => ErrorCode::IdempotencyKeyInFlight,
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
            MissingField(s)
            | InvalidMedia(s)
            | Validation(s)
            | VideoNotFound(s)
            | JobNotFound(s)
            | NotFound(s)
            | Internal(s)
            | InsufficientStorage(s)
            | Unavailable(s)
            | KeyMismatch(s)
            | KeyInFlight(s) => s.clone(),
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        let text = e.to_string();
        // SQLite's SQLITE_FULL: "database or disk is full".
        let kind = e.unwritable().or_else(|| {
            (text.contains("disk is full") || mentions_out_of_space(&text))
                .then_some(Unwritable::Full)
        });
        match kind {
            Some(Unwritable::Full) => ServiceError::InsufficientStorage(format!(
                "the disk of the data directory is full: the database could not be written \
                 ({text}); nothing was recorded; free space on it and try again"
            )),
            Some(Unwritable::Locked) => ServiceError::Unavailable(format!(
                "the database is locked by another process or a long transaction and could \
                 not be written within its busy timeout ({text}); nothing was recorded; try \
                 again later"
            )),
            Some(Unwritable::ReadOnly) => ServiceError::Unavailable(format!(
                "the database cannot be written (its file, directory or file system is \
                 read-only or failing: {text}); nothing was recorded; try again once it is \
                 writable"
            )),
            None => ServiceError::Internal(text),
        }
    }
}

impl From<BlobError> for ServiceError {
    fn from(e: BlobError) -> Self {
        match &e {
            BlobError::Io(io) if is_out_of_space(io) => ServiceError::InsufficientStorage(format!(
                "the disk of the data directory is full: the file could not be stored and \
                     nothing of it was kept ({io}); free space on it and try again"
            )),
            _ => ServiceError::Internal(e.to_string()),
        }
    }
}

/// Whether an i/o error means the disk (or the user's quota) is full.
pub fn is_out_of_space(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull
        || matches!(
            e.raw_os_error(),
            Some(libc_codes::ENOSPC | libc_codes::EDQUOT)
        )
}

/// Whether a message (an error's text, a tool's stderr) reports a full disk, as the
/// C library words ENOSPC and EDQUOT (ffmpeg prints `strerror`).
pub fn mentions_out_of_space(text: &str) -> bool {
    text.contains("No space left on device") || text.contains("Disk quota exceeded")
}

/// The two errno values of a full disk on Linux (asm-generic, every architecture).
mod libc_codes {
    pub const ENOSPC: i32 = 28;
    pub const EDQUOT: i32 = 122;
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

    /// A write that fails because the disk is full is `507 INSUFFICIENT_STORAGE` saying
    /// so, not a bare `500 INTERNAL_ERROR`; other i/o errors stay internal.
    #[test]
    fn a_full_disk_is_insufficient_storage() {
        for errno in [28, 122] {
            let e = ServiceError::from(BlobError::Io(std::io::Error::from_raw_os_error(errno)));
            assert_eq!(e.code(), ErrorCode::InsufficientStorage, "{e:?}");
            assert_eq!(e.code().http_status(), 507);
            assert!(
                e.detail().contains("disk of the data directory is full"),
                "{e:?}"
            );
        }
        let other = ServiceError::from(BlobError::Io(std::io::Error::from_raw_os_error(5)));
        assert_eq!(other.code(), ErrorCode::InternalError);
        let db = ServiceError::from(StoreError::Corrupt(
            "error returned from database: (code: 13) database or disk is full".into(),
        ));
        assert_eq!(db.code(), ErrorCode::InsufficientStorage);
    }

    /// A database that cannot be written now is 503 with `Retry-After` when waiting helps
    /// (locked, read-only) and 507 when the disk is full; other database errors stay 500.
    #[tokio::test]
    async fn an_unwritable_database_is_503_or_507() {
        let dir = std::env::temp_dir().join(format!("stylecut-err-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.db");
        let db = stylecut_store::Db::open(&path).await.unwrap();
        db.write_probe().await.unwrap();
        let ro = sqlx_readonly_write(&path).await;
        let e = ServiceError::from(ro);
        assert_eq!(e.code(), ErrorCode::ServiceUnavailable, "{e:?}");
        assert_eq!(e.code().http_status(), 503);
        assert_eq!(e.retry_after_seconds(), Some(RETRY_AFTER_SECONDS));
        assert!(e.detail().contains("nothing was recorded"), "{e:?}");
        let full = ServiceError::from(StoreError::Corrupt("database or disk is full".into()));
        assert_eq!(full.code(), ErrorCode::InsufficientStorage);
        assert_eq!(full.retry_after_seconds(), None);
        let other = ServiceError::from(StoreError::Corrupt("bad row".into()));
        assert_eq!(other.code(), ErrorCode::InternalError);
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The error of a write through a read-only connection to `path`.
    async fn sqlx_readonly_write(path: &std::path::Path) -> StoreError {
        use std::str::FromStr;
        let opts = sqlx::sqlite::SqliteConnectOptions::from_str("sqlite://")
            .unwrap()
            .filename(path)
            .read_only(true);
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .connect_with(opts)
            .await
            .unwrap();
        let e = sqlx::query("INSERT OR REPLACE INTO write_probe (id, at) VALUES (1, 'x')")
            .execute(&pool)
            .await
            .unwrap_err();
        pool.close().await;
        e.into()
    }

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
