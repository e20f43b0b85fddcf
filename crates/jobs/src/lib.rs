//! Durable job queue, workers running the staged pipeline, and webhook delivery.
