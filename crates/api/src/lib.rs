//! HTTP layer of stylecut (axum): routes, authentication, the response envelope, error
//! mapping, server-sent events and the OpenAPI document. Handlers stay thin: parse and
//! validate the request, make one `stylecut_jobs::Service` call, wrap the view.
//!
//! Owns: HTTP concerns only. Does not own: job logic (`stylecut-jobs`), SQL, ffmpeg.

pub mod auth;
pub mod envelope;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod openapi;
pub mod routes;
pub mod sse;

use axum::routing::{get, post};
use axum::Router;
use stylecut_jobs::Service;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

/// Options of the HTTP layer itself.
#[derive(Debug, Clone, Default)]
pub struct HttpOptions {
    /// Bearer token required on every endpoint but health.
    pub api_token: Option<String>,
    /// Allowed browser origins; `*` allows any; empty sends no CORS headers.
    pub cors_origins: Vec<String>,
}

#[derive(Clone)]
pub struct AppState {
    pub svc: Service,
    pub opts: std::sync::Arc<HttpOptions>,
}

/// The complete router.
pub fn router(svc: Service, opts: HttpOptions) -> Router {
    let cors = cors_layer(&opts.cors_origins);
    let state = AppState {
        svc,
        opts: std::sync::Arc::new(opts),
    };
    let api = Router::new()
        .route("/health", get(routes::meta::health))
        .route("/openapi.json", get(routes::meta::openapi_json))
        .route("/videos/upload", post(routes::videos::upload))
        .route("/jobs", post(routes::jobs::create).get(routes::jobs::list))
        .route(
            "/jobs/{job_id}",
            get(routes::jobs::get).delete(routes::jobs::delete),
        )
        .route("/jobs/{job_id}/cancel", post(routes::jobs::cancel))
        .route("/jobs/{job_id}/result", get(routes::jobs::result))
        .route("/jobs/{job_id}/output", get(routes::jobs::output))
        .route("/jobs/{job_id}/plan", get(routes::jobs::plan))
        .route("/jobs/{job_id}/webhooks", get(routes::jobs::webhooks))
        .route("/jobs/{job_id}/events", get(sse::job_events))
        .layer(axum::extract::DefaultBodyLimit::disable());
    let app = Router::new()
        .nest("/api/v1", api)
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_token,
        ))
        .layer(axum::middleware::from_fn(error::close_after_refused_body))
        .with_state(state);
    match cors {
        Some(c) => app.layer(c),
        None => app,
    }
}

fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let base = CorsLayer::new().allow_methods(Any).allow_headers(Any);
    if origins.iter().any(|o| o == "*") {
        return Some(base.allow_origin(Any));
    }
    let list: Vec<_> = origins.iter().filter_map(|o| o.parse().ok()).collect();
    Some(base.allow_origin(AllowOrigin::list(list)))
}

/// Serves `app` on `listener` until `shutdown` resolves, then finishes open requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
