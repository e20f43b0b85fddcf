//! Persistence of stylecut's service: metadata in SQLite (videos, the durable job queue with
//! leases, webhook deliveries and their attempts) and blobs (uploads, outputs) on local disk
//! behind the [`blobs::BlobStore`] seam.
//!
//! This crate owns the schema (`migrations/`) and every SQL statement. Rows are storage
//! types, not API views: the `jobs` crate turns them into what clients see. Nothing here
//! spawns processes or knows HTTP.

pub mod blobs;
pub mod db;
pub mod idempotency;
pub mod jobs;
pub mod leases;
pub mod time;
pub mod videos;
pub mod webhooks;

pub use blobs::{BlobError, BlobStore, BlobWriter};
pub use db::{Db, StoreError, Unwritable};
pub use idempotency::{KeyRow, Keyed, NewKey};
pub use jobs::{JobRow, NewJob, Terminal};
pub use videos::VideoRow;
pub use webhooks::{AttemptRow, DeliveryRow};
