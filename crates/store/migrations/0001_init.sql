-- Videos: one row per stored upload. `stored_key` is our own blob key, never the client's name.
CREATE TABLE videos (
    id                TEXT PRIMARY KEY NOT NULL,
    filename          TEXT NOT NULL,
    stored_key        TEXT NOT NULL,
    size_bytes        INTEGER NOT NULL,
    uploaded_at       TEXT NOT NULL,
    metadata_json     TEXT NOT NULL,
    template_video_id TEXT,
    webhook_url       TEXT
);

-- Jobs: the durable queue. A worker owns a processing job through a lease it renews
-- (heartbeat); an expired lease is reclaimed (re-queued, or failed after max attempts).
CREATE TABLE jobs (
    id                      TEXT PRIMARY KEY NOT NULL,
    video_id                TEXT NOT NULL REFERENCES videos(id),
    template_video_id       TEXT REFERENCES videos(id),
    config_json             TEXT NOT NULL,
    webhook_url             TEXT,
    status                  TEXT NOT NULL,
    progress_percent        INTEGER NOT NULL DEFAULT 0,
    current_stage           TEXT,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    started_at              TEXT,
    completed_at            TEXT,
    style_json              TEXT,
    plan_json               TEXT,
    output_key              TEXT,
    error_code              TEXT,
    error_stage             TEXT,
    error_message           TEXT,
    processing_time_seconds REAL,
    attempts                INTEGER NOT NULL DEFAULT 0,
    lease_owner             TEXT,
    lease_expires_ms        INTEGER
);
CREATE INDEX jobs_created ON jobs(created_at DESC, id DESC);
CREATE INDEX jobs_status ON jobs(status);
CREATE INDEX jobs_dedupe ON jobs(video_id, status);

-- Webhook deliveries: created in the same transaction as the terminal transition, so a
-- terminal job with a webhook URL always has exactly one delivery row.
CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY NOT NULL,
    job_id           TEXT NOT NULL UNIQUE REFERENCES jobs(id),
    url              TEXT NOT NULL,
    state            TEXT NOT NULL,  -- pending | delivered | failed
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms  INTEGER NOT NULL,
    lease_expires_ms INTEGER,
    created_at       TEXT NOT NULL,
    delivered_at     TEXT,
    last_error       TEXT
);
CREATE INDEX deliveries_due ON webhook_deliveries(state, next_attempt_ms);

CREATE TABLE webhook_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id),
    attempt     INTEGER NOT NULL,
    at          TEXT NOT NULL,
    status_code INTEGER,
    error       TEXT,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX attempts_delivery ON webhook_attempts(delivery_id, attempt);
