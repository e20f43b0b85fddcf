//! Idempotency keys: the `Idempotency-Key` a client sent with a creating request (an
//! upload, a job), the fingerprint of that request and the resource it created.
//!
//! A key's row is written in the same transaction as the resource's row, after a check
//! for a live row of the same key inside that transaction (taken with `BEGIN IMMEDIATE`,
//! so no other writer, in this process or another, can slip in between): two requests
//! with one key can never both create a resource. An expired row counts as absent and is
//! replaced; [`Db::purge_expired_keys`] drops them.

use sqlx::{FromRow, Sqlite, Transaction};

use crate::db::{Db, StoreError};
use crate::jobs::{JobRow, NewJob};
use crate::time::{now_iso, now_ms};
use crate::videos::VideoRow;

/// A recorded key.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct KeyRow {
    /// The operation the key belongs to (`upload`, `job`).
    pub scope: String,
    pub key: String,
    /// Fingerprint of the request that created the resource.
    pub fingerprint: String,
    /// The id of the video or job it created.
    pub resource_id: String,
    pub created_at: String,
    /// The key is forgotten from this instant (ms since the Unix epoch).
    pub expires_ms: i64,
}

/// A key to record with the resource a request creates.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub scope: String,
    pub key: String,
    pub fingerprint: String,
    pub expires_ms: i64,
}

/// What a keyed insert did.
#[derive(Debug, Clone, PartialEq)]
pub enum Keyed<T> {
    /// The key was not recorded (or had expired): the insert ran, with this outcome, and
    /// the key was recorded with the resource when one was made.
    Fresh(T),
    /// The key is recorded and live: nothing was written.
    Replay(KeyRow),
}

/// The live row of `key` in `scope`, read inside `tx`.
async fn live_key(
    tx: &mut Transaction<'_, Sqlite>,
    scope: &str,
    key: &str,
) -> Result<Option<KeyRow>, StoreError> {
    Ok(sqlx::query_as::<_, KeyRow>(
        "SELECT * FROM idempotency_keys WHERE scope = ? AND key = ? AND expires_ms > ?",
    )
    .bind(scope)
    .bind(key)
    .bind(now_ms())
    .fetch_optional(&mut **tx)
    .await?)
}

/// Records `k` for `resource_id` inside `tx`. The caller found no live row in the same
/// transaction, so a row already there has expired: it is replaced.
async fn put_key(
    tx: &mut Transaction<'_, Sqlite>,
    k: &NewKey,
    resource_id: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO idempotency_keys (scope, key, fingerprint, resource_id, created_at, expires_ms)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (scope, key) DO UPDATE SET fingerprint = excluded.fingerprint,
             resource_id = excluded.resource_id, created_at = excluded.created_at,
             expires_ms = excluded.expires_ms",
    )
    .bind(&k.scope)
    .bind(&k.key)
    .bind(&k.fingerprint)
    .bind(resource_id)
    .bind(now_iso())
    .bind(k.expires_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Db {
    /// The live (unexpired) row of `key` in `scope`, if any.
    pub async fn get_key(&self, scope: &str, key: &str) -> Result<Option<KeyRow>, StoreError> {
        Ok(sqlx::query_as::<_, KeyRow>(
            "SELECT * FROM idempotency_keys WHERE scope = ? AND key = ? AND expires_ms > ?",
        )
        .bind(scope)
        .bind(key)
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Inserts video `v` and records `key` for it in one transaction, unless `key` is
    /// recorded and live: then nothing is written and its row is returned.
    pub async fn insert_video_keyed(
        &self,
        v: &VideoRow,
        key: &NewKey,
    ) -> Result<Keyed<()>, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(row) = live_key(&mut tx, &key.scope, &key.key).await? {
            return Ok(Keyed::Replay(row));
        }
        crate::videos::insert_video_in(&mut tx, v).await?;
        put_key(&mut tx, key, &v.id).await?;
        tx.commit().await?;
        Ok(Keyed::Fresh(()))
    }

    /// [`Db::insert_job`] with `key` recorded for the new job in the same transaction,
    /// unless `key` is recorded and live: then nothing is written and its row is returned.
    /// A job refused as a duplicate of an active one (`Err(existing id)`) records no key.
    pub async fn insert_job_keyed(
        &self,
        j: &NewJob,
        key: &NewKey,
    ) -> Result<Keyed<Result<JobRow, String>>, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(row) = live_key(&mut tx, &key.scope, &key.key).await? {
            return Ok(Keyed::Replay(row));
        }
        let now = now_iso();
        if let Err(existing) = crate::jobs::insert_job_in(&mut tx, j, &now).await? {
            return Ok(Keyed::Fresh(Err(existing)));
        }
        put_key(&mut tx, key, &j.id).await?;
        tx.commit().await?;
        let row = self
            .get_job(&j.id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("job {} vanished", j.id)))?;
        Ok(Keyed::Fresh(Ok(row)))
    }

    /// Drops the keys expired at `now_ms`; how many.
    pub async fn purge_expired_keys(&self, now_ms: i64) -> Result<u64, StoreError> {
        let r = sqlx::query("DELETE FROM idempotency_keys WHERE expires_ms <= ?")
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::test_db;

    fn video(id: &str) -> VideoRow {
        VideoRow {
            id: id.into(),
            filename: "a.mp4".into(),
            stored_key: format!("uploads/{id}.mp4"),
            size_bytes: 1,
            uploaded_at: now_iso(),
            metadata_json: "{}".into(),
            template_video_id: None,
            webhook_url: None,
        }
    }

    fn key(scope: &str, k: &str, fp: &str, ttl_ms: i64) -> NewKey {
        NewKey {
            scope: scope.into(),
            key: k.into(),
            fingerprint: fp.into(),
            expires_ms: now_ms() + ttl_ms,
        }
    }

    async fn count(db: &Db, table: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(&db.pool)
            .await
            .unwrap()
    }

    /// The first insert under a key records the video and the key together; a second one
    /// under the same key writes nothing and names the first video, whatever it carries.
    #[tokio::test]
    async fn a_key_names_the_one_video_it_made() {
        let (db, _d) = test_db().await;
        let k = key("upload", "k1", "fp1", 60_000);
        assert_eq!(
            db.insert_video_keyed(&video("vid_1"), &k).await.unwrap(),
            Keyed::Fresh(())
        );
        let again = db.insert_video_keyed(&video("vid_2"), &k).await.unwrap();
        let Keyed::Replay(row) = again else {
            panic!("a second video under one key: {again:?}");
        };
        assert_eq!(
            (row.resource_id.as_str(), row.fingerprint.as_str()),
            ("vid_1", "fp1")
        );
        assert_eq!(count(&db, "videos").await, 1);
        assert!(db.get_video("vid_2").await.unwrap().is_none());
        // Keys are per operation: the same key for a job is another key.
        assert!(db.get_key("job", "k1").await.unwrap().is_none());
        assert_eq!(db.get_key("upload", "k1").await.unwrap(), Some(row));
    }

    /// A refused video insert (its id taken) records no key: the transaction is one.
    #[tokio::test]
    async fn a_refused_insert_records_no_key() {
        let (db, _d) = test_db().await;
        db.insert_video(&video("vid_1")).await.unwrap();
        let k = key("upload", "k1", "fp1", 60_000);
        assert!(db.insert_video_keyed(&video("vid_1"), &k).await.is_err());
        assert!(db.get_key("upload", "k1").await.unwrap().is_none());
        assert_eq!(count(&db, "idempotency_keys").await, 0);
    }

    /// Jobs: one job per key; a refused duplicate of an active job records no key.
    #[tokio::test]
    async fn a_key_names_the_one_job_it_made() {
        let (db, _d) = test_db().await;
        db.insert_video(&video("vid_a")).await.unwrap();
        let job = |id: &str, cfg: &str| NewJob {
            id: id.into(),
            video_id: "vid_a".into(),
            template_video_id: None,
            config_json: cfg.into(),
            webhook_url: None,
        };
        let k = key("job", "k1", "fp1", 60_000);
        let Keyed::Fresh(Ok(first)) = db.insert_job_keyed(&job("job_1", "{}"), &k).await.unwrap()
        else {
            panic!("the first keyed job was not made");
        };
        assert_eq!(first.status, "queued");
        let again = db.insert_job_keyed(&job("job_2", "{}"), &k).await.unwrap();
        assert!(
            matches!(&again, Keyed::Replay(r) if r.resource_id == "job_1"),
            "{again:?}"
        );
        // Another key, the same active job: refused as before, and no key kept for it.
        let k2 = key("job", "k2", "fp2", 60_000);
        assert_eq!(
            db.insert_job_keyed(&job("job_3", "{}"), &k2).await.unwrap(),
            Keyed::Fresh(Err("job_1".into()))
        );
        assert!(db.get_key("job", "k2").await.unwrap().is_none());
        assert_eq!(count(&db, "jobs").await, 1);
    }

    /// An expired key is absent: the next request under it makes a new resource (and
    /// takes the key over); the purge drops expired rows and only those.
    #[tokio::test]
    async fn expired_keys_are_absent_and_purged() {
        let (db, _d) = test_db().await;
        let old = key("upload", "k1", "fp1", -1);
        db.insert_video_keyed(&video("vid_1"), &old).await.unwrap();
        assert!(db.get_key("upload", "k1").await.unwrap().is_none());
        let new = key("upload", "k1", "fp2", 60_000);
        assert_eq!(
            db.insert_video_keyed(&video("vid_2"), &new).await.unwrap(),
            Keyed::Fresh(())
        );
        let row = db.get_key("upload", "k1").await.unwrap().unwrap();
        assert_eq!(
            (row.resource_id.as_str(), row.fingerprint.as_str()),
            ("vid_2", "fp2")
        );
        db.insert_video_keyed(&video("vid_3"), &key("upload", "k2", "x", -1))
            .await
            .unwrap();
        assert_eq!(count(&db, "idempotency_keys").await, 2);
        assert_eq!(db.purge_expired_keys(now_ms()).await.unwrap(), 1);
        assert_eq!(count(&db, "idempotency_keys").await, 1);
        assert!(db.get_key("upload", "k1").await.unwrap().is_some());
        // The videos stay: a key's expiry forgets the key, not what it made.
        assert_eq!(count(&db, "videos").await, 3);
    }

    /// Concurrent inserts under one key from separate connections: exactly one resource.
    #[tokio::test]
    async fn concurrent_inserts_under_one_key_make_one_video() {
        let (db, _d) = test_db().await;
        let k = key("upload", "k1", "fp1", 60_000);
        let tries = (0..8).map(|i| {
            let (db, k) = (db.clone(), k.clone());
            tokio::spawn(async move {
                db.insert_video_keyed(&video(&format!("vid_{i}")), &k)
                    .await
                    .unwrap()
            })
        });
        let mut fresh = 0;
        for t in tries {
            if t.await.unwrap() == Keyed::Fresh(()) {
                fresh += 1;
            }
        }
        assert_eq!(fresh, 1);
        assert_eq!(count(&db, "videos").await, 1);
    }
}
