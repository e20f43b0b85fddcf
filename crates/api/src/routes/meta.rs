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
    /// `ok`, or `degraded` when ffmpeg/ffprobe is missing or the database cannot be read
    /// or written.
    pub status: String,
    pub version: String,
    pub ffmpeg: ToolStatus,
    pub ffprobe: ToolStatus,
    pub database: DatabaseStatus,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DatabaseStatus {
    /// The database answers a read.
    pub available: bool,
    /// Always null (kept beside `ffmpeg`/`ffprobe`'s shape).
    pub version: Option<String>,
    /// The database takes a write now (a real write within 2 s, and at least 1 MiB free
    /// on its disk). False: job results, uploads and webhook records wait (running jobs
    /// keep their result and record it once it is writable again).
    pub writable: bool,
    /// Free bytes on the database's disk.
    pub free_bytes: Option<u64>,
    /// Why the database is not available or not writable.
    pub error: Option<String>,
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
    let db_ok = h.database.is_ok() && h.database_writable.is_ok();
    let healthy = h.ffmpeg.is_some() && h.ffprobe.is_some() && db_ok;
    let body = HealthResponse {
        status: if healthy { "ok" } else { "degraded" }.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        ffmpeg: tool(h.ffmpeg),
        ffprobe: tool(h.ffprobe),
        database: DatabaseStatus {
            available: h.database.is_ok(),
            version: None,
            writable: h.database_writable.is_ok(),
            free_bytes: h.database_free_bytes,
            error: h.database.err().or(h.database_writable.err()),
        },
    };
    ok(if healthy { "Healthy" } else { "Degraded" }, body)
}

/// This document.
pub async fn openapi_json() -> Response {
    axum::Json(crate::openapi::document()).into_response()
}
