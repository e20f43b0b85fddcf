//! Metadata (SQLite embedded) and blobs (local disk through the object_store seam).
