//! Route handlers, one module per resource.

pub mod jobs;
pub mod meta;
pub mod videos;
