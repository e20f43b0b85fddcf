//! The one place where errors become HTTP: every non-2xx answer is
//! `{"success": false, "message", "error": {"code", "detail"}}` with the code's status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use stylecut_jobs::ServiceError;
use stylecut_types::ErrorCode;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable error code, e.g. `JOB_NOT_FOUND`.
    pub code: ErrorCode,
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    /// Always false.
    pub success: bool,
    pub message: String,
    pub error: ErrorBody,
}

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub detail: String,
    /// `Retry-After` (seconds) of an error that passes by itself (503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            detail: detail.into(),
            retry_after: None,
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        if let ServiceError::Internal(d) = &e {
            tracing::error!("internal error: {d}");
        }
        let mut a = ApiError::new(e.code(), e.to_string(), e.detail());
        a.retry_after = e.retry_after_seconds();
        a
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorEnvelope {
            success: false,
            message: self.message,
            error: ErrorBody {
                code: self.code,
                detail: self.detail,
            },
        };
        let mut resp = (status, Json(body)).into_response();
        if let Some(s) = self.retry_after {
            resp.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(s),
            );
        }
        resp
    }
}

pub async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        "Not found",
        format!("no route for {}", uri.path()),
    )
}

pub async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "Method not allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}

/// A request refused before its body was read (401 on an upload, 413 mid-stream) leaves
/// unread bytes on the connection, so the server closes it; `Connection: close` tells the
/// client not to reuse it for the next request.
pub async fn close_after_refused_body(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let has_body = req
        .headers()
        .contains_key(axum::http::header::TRANSFER_ENCODING)
        || req
            .headers()
            .get(axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v != "0");
    let mut resp = next.run(req).await;
    if has_body && (resp.status().is_client_error() || resp.status().is_server_error()) {
        resp.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
    }
    resp
}
