//! Leases of processing jobs: the heartbeat that renews them, the hand-back on graceful
//! shutdown, and the reclaiming of jobs whose worker died (re-queued, or failed with
//! `WORKER_LOST` after too many attempts).

use crate::db::{Db, StoreError};
use crate::jobs::enqueue_delivery;
use crate::time::{now_iso, now_ms};

impl Db {
    /// Renews the lease; false when the job is no longer processing under `owner`
    /// (cancelled, reclaimed), which tells the worker to stop.
    pub async fn heartbeat(
        &self,
        id: &str,
        owner: &str,
        lease_until_ms: i64,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE jobs SET lease_expires_ms = ?
             WHERE id = ? AND status = 'processing' AND lease_owner = ?",
        )
        .bind(lease_until_ms)
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Gives a processing job back to the queue (graceful shutdown of its worker).
    pub async fn requeue_job(&self, id: &str, owner: &str) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE jobs SET status = 'queued', current_stage = NULL, lease_owner = NULL,
                    lease_expires_ms = NULL, attempts = MAX(attempts - 1, 0), updated_at = ?
             WHERE id = ? AND status = 'processing' AND lease_owner = ?",
        )
        .bind(now_iso())
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Gives a processing job whose run stalled back to the queue: the run counts as one
    /// of its attempts (unlike [`Db::requeue_job`]'s hand-back on shutdown).
    pub async fn requeue_stalled(&self, id: &str, owner: &str) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE jobs SET status = 'queued', current_stage = NULL, lease_owner = NULL,
                    lease_expires_ms = NULL, updated_at = ?
             WHERE id = ? AND status = 'processing' AND lease_owner = ?",
        )
        .bind(now_iso())
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Processing jobs whose lease expired (their worker died): re-queued, or failed with
    /// `WORKER_LOST` once they used `max_attempts`. Returns (requeued, failed) ids.
    ///
    /// `alive` tells jobs whose run is known to go on (the calling process, or another
    /// process on the same data directory, is still running them or still recording their
    /// end): their lease may have lapsed only because its renewal could not be written
    /// (the database's disk full, its file read-only, its lock held elsewhere), and taking
    /// them from their worker would throw away a result it is about to record.
    pub async fn reclaim_expired(
        &self,
        max_attempts: i64,
        alive: &(dyn Fn(&str) -> bool + Send + Sync),
        new_delivery_id: &mut (dyn FnMut() -> String + Send),
    ) -> Result<(Vec<String>, Vec<String>), StoreError> {
        let now = now_ms();
        let stale: Vec<(String, i64, Option<String>)> = sqlx::query_as(
            "SELECT id, attempts, current_stage FROM jobs
             WHERE status = 'processing' AND lease_expires_ms < ?",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        let (mut requeued, mut failed) = (Vec::new(), Vec::new());
        for (id, attempts, stage) in stale {
            if alive(&id) {
                continue;
            }
            let iso = now_iso();
            if attempts < max_attempts {
                let r = sqlx::query(
                    "UPDATE jobs SET status = 'queued', current_stage = NULL, lease_owner = NULL,
                            lease_expires_ms = NULL, updated_at = ?
                     WHERE id = ? AND status = 'processing' AND lease_expires_ms < ?",
                )
                .bind(&iso)
                .bind(&id)
                .bind(now)
                .execute(&self.pool)
                .await?;
                if r.rows_affected() == 1 {
                    requeued.push(id);
                }
                continue;
            }
            let mut tx = self.pool.begin().await?;
            let r = sqlx::query(
                "UPDATE jobs SET status = 'failed', current_stage = NULL, error_code = 'WORKER_LOST',
                        error_stage = ?, error_message = ?, updated_at = ?, completed_at = ?,
                        lease_owner = NULL, lease_expires_ms = NULL
                 WHERE id = ? AND status = 'processing' AND lease_expires_ms < ?",
            )
            .bind(&stage)
            .bind(format!(
                "the worker running this job stopped {attempts} times; giving up"
            ))
            .bind(&iso)
            .bind(&iso)
            .bind(&id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if r.rows_affected() == 1 {
                enqueue_delivery(&mut tx, &id, &new_delivery_id()).await?;
                tx.commit().await?;
                failed.push(id);
            }
        }
        Ok((requeued, failed))
    }
}
