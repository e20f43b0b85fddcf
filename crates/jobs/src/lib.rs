//! The job service behind the HTTP API: uploads (streamed, measured with ffprobe), the
//! durable job queue's workers running the six-stage pipeline, cancellation and timeouts,
//! webhook delivery with retries, and the API views built from stored rows.
//!
//! Owns: what a job does and when. Does not own: SQL (`stylecut-store`), HTTP routing
//! (`stylecut-api`), spawning ffmpeg (`stylecut-media`) or style maths (`stylecut-style`).

pub mod error;
pub mod events;
pub mod idempotency;
pub mod pipeline;
pub mod service;
pub mod settings;
pub mod ssrf;
pub mod upload;
pub mod views;
pub mod webhook;
pub mod worker;

pub use error::ServiceError;
pub use service::Service;
pub use settings::Settings;
pub use tokio_util::sync::CancellationToken;
