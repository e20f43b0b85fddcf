//! Extractors whose rejections are contract errors: malformed JSON and wrong types are
//! `VALIDATION_ERROR`, a missing required field is `MISSING_FIELD`.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use stylecut_types::ErrorCode;

use crate::error::ApiError;

pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(json_rejection(rej)),
        }
    }
}

fn json_rejection(rej: JsonRejection) -> ApiError {
    let detail = rej.body_text();
    match rej {
        JsonRejection::JsonDataError(_) if detail.contains("missing field") => {
            ApiError::new(ErrorCode::MissingField, "Missing required field", detail)
        }
        JsonRejection::JsonSyntaxError(_) => {
            ApiError::new(ErrorCode::ValidationError, "Malformed JSON", detail)
        }
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            ErrorCode::ValidationError,
            "Expected a JSON body",
            "Content-Type must be application/json",
        ),
        _ => ApiError::new(ErrorCode::ValidationError, "Validation error", detail),
    }
}

pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(rej) => {
                let rej: QueryRejection = rej;
                Err(ApiError::new(
                    ErrorCode::ValidationError,
                    "Invalid query parameters",
                    rej.body_text(),
                ))
            }
        }
    }
}
