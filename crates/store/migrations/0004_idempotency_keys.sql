-- Idempotency keys (`Idempotency-Key` request header, docs/API.md "Retrying safely"): the
-- key a client sent with a creating request, scoped per operation (`upload`, `job`), the
-- fingerprint of that request and the id of the resource it created. A row is written in
-- the same transaction as the resource's row, so a key names a resource that exists, and a
-- resource made under a key always has its row; it is dropped after `expires_ms`.
CREATE TABLE idempotency_keys (
    scope       TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_ms  INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys(expires_ms);
