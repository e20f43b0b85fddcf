//! The success envelope `{"success": true, "message", "data"}`.

use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Envelope<T> {
    pub success: bool,
    pub message: String,
    pub data: T,
}

/// 200 with `data` wrapped in the envelope.
pub fn ok<T: Serialize>(message: &str, data: T) -> Response {
    Json(Envelope {
        success: true,
        message: message.to_string(),
        data,
    })
    .into_response()
}
