//! Webhook deliveries and their attempts. A delivery is leased while an attempt is in
//! flight, so a restarted process (or a second worker) retries it only after the lease
//! lapses; receivers de-duplicate on the delivery id.

use sqlx::FromRow;

use crate::db::{Db, StoreError};
use crate::time::{now_iso, now_ms};

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct DeliveryRow {
    pub id: String,
    pub job_id: String,
    pub url: String,
    /// `pending`, `delivered` or `failed` (gave up).
    pub state: String,
    pub attempts: i64,
    pub next_attempt_ms: i64,
    pub lease_expires_ms: Option<i64>,
    pub created_at: String,
    pub delivered_at: Option<String>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct AttemptRow {
    pub delivery_id: String,
    pub attempt: i64,
    pub at: String,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// What happened to one attempt.
#[derive(Debug, Clone)]
pub struct AttemptOutcome {
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
    /// `Some(ms)`: retry at that time; `None` with `delivered`: done; else give up.
    pub retry_at_ms: Option<i64>,
    pub delivered: bool,
}

impl Db {
    /// Leases up to `limit` due deliveries until `lease_until_ms`, none of `busy` (the
    /// deliveries the caller still has in hand: an attempt whose record is waiting for the
    /// database to take writes again must not be sent a second time when its lease lapses).
    pub async fn claim_due_deliveries(
        &self,
        limit: i64,
        lease_until_ms: i64,
        busy: &[String],
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        let now = now_ms();
        let busy = serde_json::to_string(busy).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(sqlx::query_as::<_, DeliveryRow>(
            "UPDATE webhook_deliveries SET lease_expires_ms = ?
             WHERE id IN (SELECT id FROM webhook_deliveries
                          WHERE state = 'pending' AND next_attempt_ms <= ?
                            AND (lease_expires_ms IS NULL OR lease_expires_ms < ?)
                            AND id NOT IN (SELECT value FROM json_each(?))
                          ORDER BY next_attempt_ms LIMIT ?)
             RETURNING *",
        )
        .bind(lease_until_ms)
        .bind(now)
        .bind(now)
        .bind(busy)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records an attempt and moves the delivery on (delivered, retry later, or failed).
    pub async fn record_attempt(
        &self,
        delivery_id: &str,
        out: &AttemptOutcome,
    ) -> Result<(), StoreError> {
        self.record(delivery_id, out, true).await
    }

    /// What [`Db::record_attempt`] records of an attempt but its row in the history: the
    /// delivery's count of attempts, its state (delivered, retry later, or failed), its
    /// next attempt and its last error. The fallback when the history refuses the attempt
    /// for good (the same insert fails the same way every time): the receiver that
    /// answered is not sent the event again, the schedule of retries goes on.
    pub async fn record_attempt_without_history(
        &self,
        delivery_id: &str,
        out: &AttemptOutcome,
    ) -> Result<(), StoreError> {
        self.record(delivery_id, out, false).await
    }

    /// One transaction: the delivery's attempt count, the attempt's history row when
    /// `history`, the delivery moved on.
    async fn record(
        &self,
        delivery_id: &str,
        out: &AttemptOutcome,
        history: bool,
    ) -> Result<(), StoreError> {
        let now = now_iso();
        let mut tx = self.pool.begin().await?;
        let attempt: i64 = sqlx::query_scalar(
            "UPDATE webhook_deliveries SET attempts = attempts + 1 WHERE id = ? RETURNING attempts",
        )
        .bind(delivery_id)
        .fetch_one(&mut *tx)
        .await?;
        if history {
            sqlx::query(
                "INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(delivery_id)
            .bind(attempt)
            .bind(&now)
            .bind(out.status_code)
            .bind(&out.error)
            .bind(out.duration_ms)
            .execute(&mut *tx)
            .await?;
        }
        move_delivery_on(&mut tx, delivery_id, out, &now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delivery_for_job(&self, job_id: &str) -> Result<Option<DeliveryRow>, StoreError> {
        Ok(
            sqlx::query_as::<_, DeliveryRow>("SELECT * FROM webhook_deliveries WHERE job_id = ?")
                .bind(job_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn attempts_for_delivery(
        &self,
        delivery_id: &str,
    ) -> Result<Vec<AttemptRow>, StoreError> {
        Ok(sqlx::query_as::<_, AttemptRow>(
            "SELECT delivery_id, attempt, at, status_code, error, duration_ms
             FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt",
        )
        .bind(delivery_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Earliest time a pending delivery is due, if any (the sender sleeps until then),
    /// none of `busy` (those [`Db::claim_due_deliveries`] would not take: a delivery the
    /// caller holds whose lease lapsed would otherwise be "due" at once, and the sender
    /// would wake every few milliseconds for it).
    pub async fn next_delivery_due_ms(&self, busy: &[String]) -> Result<Option<i64>, StoreError> {
        let busy = serde_json::to_string(busy).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(sqlx::query_scalar(
            "SELECT MIN(MAX(next_attempt_ms, COALESCE(lease_expires_ms, 0)))
             FROM webhook_deliveries
             WHERE state = 'pending' AND id NOT IN (SELECT value FROM json_each(?))",
        )
        .bind(busy)
        .fetch_one(&self.pool)
        .await?)
    }
}

/// Moves delivery `delivery_id` on after an attempt (inside the caller's transaction):
/// delivered, pending until the retry, or failed (gave up); its lease let go.
async fn move_delivery_on(
    tx: &mut sqlx::SqliteConnection,
    delivery_id: &str,
    out: &AttemptOutcome,
    now: &str,
) -> Result<(), StoreError> {
    let (state, next) = match (out.delivered, out.retry_at_ms) {
        (true, _) => ("delivered", now_ms()),
        (false, Some(t)) => ("pending", t),
        (false, None) => ("failed", now_ms()),
    };
    let done = sqlx::query(
        "UPDATE webhook_deliveries SET state = ?, next_attempt_ms = ?, lease_expires_ms = NULL,
                last_error = ?, delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE NULL END
         WHERE id = ?",
    )
    .bind(state)
    .bind(next)
    .bind(&out.error)
    .bind(state)
    .bind(now)
    .bind(delivery_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(sqlx::Error::RowNotFound.into());
    }
    Ok(())
}
