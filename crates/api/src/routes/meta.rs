//! Health and the OpenAPI document.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::envelope::{ok, Envelope};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct ToolStatus {
    pub available: bool,
    pub version: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    /// `ok`, or `degraded` when ffmpeg/ffprobe or the database is unusable.
    pub status: String,
    pub version: String,
    pub ffmpeg: ToolStatus,
    pub ffprobe: ToolStatus,
    pub database: ToolStatus,
}

/// Service health; `status` is `degraded` (still 200) when ffmpeg, ffprobe or the
/// database is unusable.
#[utoipa::path(get, path = "/api/v1/health", tag = "meta",
    responses((status = 200, body = Envelope<HealthResponse>)))]
pub async fn health(State(st): State<AppState>) -> Response {
    let h = st.svc.health().await;
    let tool = |v: Option<String>| ToolStatus {
        available: v.is_some(),
        version: v,
    };
    let db_ok = h.database.is_ok();
    let healthy = h.ffmpeg.is_some() && h.ffprobe.is_some() && db_ok;
    let body = HealthResponse {
        status: if healthy { "ok" } else { "degraded" }.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        ffmpeg: tool(h.ffmpeg),
        ffprobe: tool(h.ffprobe),
        database: ToolStatus {
            available: db_ok,
            version: None,
        },
    };
    ok(if healthy { "Healthy" } else { "Degraded" }, body)
}

/// This document.
pub async fn openapi_json() -> Response {
    axum::Json(crate::openapi::document()).into_response()
}
