//! Optional bearer-token authentication (`API_TOKEN`); health stays open.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use stylecut_types::ErrorCode;

use crate::error::ApiError;
use crate::AppState;

/// Compares without an early exit on the first differing byte.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub async fn require_token(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let Some(token) = st.opts.api_token.as_deref() else {
        return next.run(req).await;
    };
    if req.uri().path() == "/api/v1/health" || req.method() == axum::http::Method::OPTIONS {
        return next.run(req).await;
    }
    let given = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match given {
        Some(g) if same(g.trim().as_bytes(), token.as_bytes()) => next.run(req).await,
        Some(_) => ApiError::new(
            ErrorCode::Unauthorized,
            "Unauthorized",
            "wrong bearer token",
        )
        .into_response(),
        None => ApiError::new(
            ErrorCode::Unauthorized,
            "Unauthorized",
            "missing Authorization: Bearer <token>",
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn constant_time_compare() {
        assert!(super::same(b"abc", b"abc"));
        assert!(!super::same(b"abc", b"abd"));
        assert!(!super::same(b"abc", b"abcd"));
    }
}
