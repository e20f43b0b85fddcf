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
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            detail: detail.into(),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        if let ServiceError::Internal(d) = &e {
            tracing::error!("internal error: {d}");
        }
        ApiError::new(e.code(), e.to_string(), e.detail())
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
        (status, Json(body)).into_response()
    }
}

pub async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        "Not found",
        format!("no route for {}", uri.path()),
    )
}

pub async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    let mut r = ApiError::new(
        ErrorCode::NotFound,
        "Method not allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
    .into_response();
    *r.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    r
}
