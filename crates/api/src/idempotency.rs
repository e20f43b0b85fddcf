//! The `Idempotency-Key` request header (**Beyond**; `stylecut_jobs::idempotency`).

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::Response;
use stylecut_jobs::idempotency::{IdempotencyKey, KeyClaim, Scope};
use stylecut_jobs::{Service, ServiceError};

use crate::error::ApiError;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// Set to `true` on the answer to a repeated request (the resource an earlier request with
/// the same key made; nothing new was made).
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// Description of the header in the OpenAPI document.
pub const DESCRIPTION: &str = "Optional. 1 to 255 visible ASCII characters (a UUID is best), \
bare or as a quoted string. A repeat of a request that made a resource, with the same key \
within IDEMPOTENCY_KEY_TTL_SECONDS (24 h), answers that resource (200, header \
`Idempotent-Replayed: true`) and makes nothing new; the same key with a different request \
is 422 IDEMPOTENCY_KEY_MISMATCH; while the first request is still being processed, 409 \
IDEMPOTENCY_KEY_IN_FLIGHT with Retry-After; an invalid key is 422 VALIDATION_ERROR.";

/// The request's key, if it has one, taken for this request in `scope`: refused with
/// `VALIDATION_ERROR` when invalid or sent twice, `IDEMPOTENCY_KEY_IN_FLIGHT` while
/// another request of this process holds it.
pub fn claim(
    svc: &Service,
    headers: &HeaderMap,
    scope: Scope,
) -> Result<Option<KeyClaim>, ApiError> {
    let mut values = headers.get_all(IDEMPOTENCY_KEY).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ServiceError::Validation(
            "more than one Idempotency-Key header; send one".into(),
        )
        .into());
    }
    let key = IdempotencyKey::parse(first.as_bytes())?;
    Ok(Some(svc.claim_key(scope, key)?))
}

/// Marks `resp` as the answer of an earlier request when `replayed`.
pub fn mark(mut resp: Response, replayed: bool) -> Response {
    if replayed {
        resp.headers_mut()
            .insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    resp
}
