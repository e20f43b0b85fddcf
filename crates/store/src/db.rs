//! Opening the SQLite database and the store's error type.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

/// Why a database write could not be made, as far as it is not a fault of the data: what
/// the service tells a client, and whether waiting helps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unwritable {
    /// SQLITE_FULL, or ENOSPC/EDQUOT under it: the database's disk is full.
    Full,
    /// SQLITE_BUSY/SQLITE_LOCKED after the busy timeout, or no pooled connection came
    /// free in time: another process (or a long transaction) holds the write lock.
    Locked,
    /// SQLITE_READONLY, or SQLITE_CANTOPEN/SQLITE_IOERR: the file, its directory or its
    /// file system cannot be written now.
    ReadOnly,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Whether this error says the database cannot be written now (and which way), as
    /// opposed to a bad statement or corrupt data. SQLite's primary result code is the low
    /// byte of the extended code sqlx reports.
    pub fn unwritable(&self) -> Option<Unwritable> {
        let StoreError::Db(e) = self else {
            return None;
        };
        match e {
            sqlx::Error::PoolTimedOut => return Some(Unwritable::Locked),
            sqlx::Error::Io(io) => {
                return Some(match io.raw_os_error() {
                    Some(28 | 122) => Unwritable::Full,
                    _ => Unwritable::ReadOnly,
                })
            }
            _ => {}
        }
        let code = e
            .as_database_error()
            .and_then(|d| d.code())
            .and_then(|c| c.parse::<i64>().ok())?;
        match code & 0xff {
            13 => Some(Unwritable::Full),
            5 | 6 => Some(Unwritable::Locked),
            8 | 10 | 14 => Some(Unwritable::ReadOnly),
            _ => None,
        }
    }
}

impl StoreError {
    /// Whether waiting can make this error go away: the database cannot be written *now*
    /// ([`StoreError::unwritable`]: its disk full, its file or file system read-only or
    /// failing I/O, its write lock held elsewhere, no pooled connection free in time).
    /// Everything else is permanent: the same statement on the same data fails the same
    /// way (a constraint or trigger refusing it, a column that does not decode, a row or
    /// table that is not there, corrupt stored data, a bug), so retrying it only hides it.
    pub fn transient(&self) -> bool {
        self.unwritable().is_some()
    }
}

/// Handle on the metadata database; cheap to clone.
#[derive(Clone)]
pub struct Db {
    pub(crate) pool: SqlitePool,
}

impl Db {
    /// Opens (creating if needed) `path` in WAL mode and applies pending migrations.
    pub async fn open(path: &Path) -> Result<Db, StoreError> {
        let opts = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .after_release(|conn, _meta| {
                Box::pin(async move {
                    // Run what is queued on the connection first (the rollback of a
                    // transaction dropped after an error), then keep it only when it is
                    // out of every transaction. A COMMIT that fails on a full disk can
                    // be rolled back by SQLite itself; the rollback sqlx then sends
                    // fails ("no transaction is active") and sqlx goes on counting the
                    // transaction as open, so the connection's next transaction would be
                    // a SAVEPOINT, whose "rollback" after another failed commit leaves a
                    // real transaction open: the write lock held for good, every other
                    // writer "database is locked" after space was freed. Such a
                    // connection is closed instead (a new one is opened on demand).
                    sqlx::query("SELECT 1").execute(&mut *conn).await?;
                    Ok(!sqlx::Connection::is_in_transaction(conn))
                })
            })
            .connect_with(opts)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Db { pool })
    }

    /// Cheap liveness check for `/health`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// A real write (the write lock, a WAL frame, a commit) of the one row of
    /// `write_probe`: fails when the database cannot be written now.
    pub async fn write_probe(&self) -> Result<(), StoreError> {
        sqlx::query("INSERT OR REPLACE INTO write_probe (id, at) VALUES (1, ?)")
            .bind(crate::time::now_iso())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
pub(crate) async fn test_db() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(&dir.path().join("t.db")).await.expect("open");
    (db, dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A write refused by SQLite itself reads as what it is: a read-only database
    /// (SQLITE_READONLY), a write lock held by another connection past the busy timeout
    /// (SQLITE_BUSY); a bad statement is none of them.
    #[tokio::test]
    async fn unwritable_databases_are_told_apart() {
        let (db, dir) = test_db().await;
        let path = dir.path().join("t.db");
        let ro = SqliteConnectOptions::from_str("sqlite://")
            .unwrap()
            .filename(&path)
            .read_only(true);
        let ro = SqlitePoolOptions::new().connect_with(ro).await.unwrap();
        let e: StoreError = sqlx::query("INSERT INTO write_probe (id, at) VALUES (1, 'x')")
            .execute(&ro)
            .await
            .unwrap_err()
            .into();
        assert_eq!(e.unwritable(), Some(Unwritable::ReadOnly), "{e}");

        let short = SqliteConnectOptions::from_str("sqlite://")
            .unwrap()
            .filename(&path)
            .busy_timeout(Duration::from_millis(100));
        let other = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(short)
            .await
            .unwrap();
        let mut holder = db.pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
        sqlx::query("INSERT OR REPLACE INTO write_probe (id, at) VALUES (1, 'held')")
            .execute(&mut *holder)
            .await
            .unwrap();
        let e: StoreError =
            sqlx::query("INSERT OR REPLACE INTO write_probe (id, at) VALUES (1, 'y')")
                .execute(&other)
                .await
                .unwrap_err()
                .into();
        assert_eq!(e.unwritable(), Some(Unwritable::Locked), "{e}");
        holder.rollback().await.unwrap();
        db.write_probe().await.unwrap();

        let e: StoreError = sqlx::query("INSERT INTO no_such_table VALUES (1)")
            .execute(&db.pool)
            .await
            .unwrap_err()
            .into();
        assert_eq!(e.unwritable(), None, "{e}");
        assert!(!e.transient(), "{e}");
    }

    /// Errors that waiting does not cure are not transient: a trigger or constraint
    /// refusing the write (SQLITE_CONSTRAINT), a value that does not decode, a row that is
    /// not there; those of an unwritable database are.
    #[tokio::test]
    async fn permanent_errors_are_not_transient() {
        let (db, _dir) = test_db().await;
        let e: StoreError = sqlx::query("INSERT INTO write_probe (id, at) VALUES (1, NULL)")
            .execute(&db.pool)
            .await
            .unwrap_err()
            .into();
        assert!(!e.transient(), "{e}");
        sqlx::query(
            "CREATE TRIGGER refuse BEFORE INSERT ON write_probe
             BEGIN SELECT RAISE(ABORT, 'refused'); END",
        )
        .execute(&db.pool)
        .await
        .unwrap();
        let e = db.write_probe().await.unwrap_err();
        assert!(e.to_string().contains("refused"), "{e}");
        assert!(!e.transient(), "{e}");
        let e: StoreError = sqlx::query_scalar::<_, i64>("SELECT 'not a number'")
            .fetch_one(&db.pool)
            .await
            .unwrap_err()
            .into();
        assert!(!e.transient(), "{e}");
        let e: StoreError = sqlx::query("SELECT 1 WHERE 0")
            .fetch_one(&db.pool)
            .await
            .unwrap_err()
            .into();
        assert!(!e.transient(), "{e}");
        assert!(!StoreError::Corrupt("x".into()).transient());
        let busy: StoreError = sqlx::Error::PoolTimedOut.into();
        assert!(busy.transient());
        let full: StoreError = sqlx::Error::Io(std::io::Error::from_raw_os_error(28)).into();
        assert!(full.transient());
    }
}
