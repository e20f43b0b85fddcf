-- One row the health check rewrites: a real write (a WAL frame, the write lock), so
-- /health says "unwritable" when the database's disk is full, its file or file system is
-- read-only, or another process holds the write lock.
CREATE TABLE write_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at TEXT NOT NULL
);
