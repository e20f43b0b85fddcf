//! The durable job queue. Every state change is one conditional UPDATE, so two actors
//! (a worker finishing, a client cancelling, a reclaimer) can never both win: the loser
//! sees zero affected rows. A terminal transition inserts the job's webhook delivery in
//! the same transaction, so a terminal job with a URL always gets exactly one delivery.

use sqlx::{FromRow, Sqlite, Transaction};

use crate::db::{Db, StoreError};
use crate::time::{now_iso, now_ms, seconds_between};

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct JobRow {
    pub id: String,
    pub video_id: String,
    pub template_video_id: Option<String>,
    /// Canonical JSON of the validated config (also the de-duplication key).
    pub config_json: String,
    pub webhook_url: Option<String>,
    pub status: String,
    pub progress_percent: i64,
    pub current_stage: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub style_json: Option<String>,
    pub plan_json: Option<String>,
    pub output_key: Option<String>,
    pub error_code: Option<String>,
    pub error_stage: Option<String>,
    pub error_message: Option<String>,
    pub processing_time_seconds: Option<f64>,
    pub attempts: i64,
    pub lease_owner: Option<String>,
    pub lease_expires_ms: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewJob {
    pub id: String,
    pub video_id: String,
    pub template_video_id: Option<String>,
    pub config_json: String,
    pub webhook_url: Option<String>,
}

/// How a processing job ends.
#[derive(Debug, Clone)]
pub enum Terminal {
    Completed {
        output_key: Option<String>,
    },
    Failed {
        code: String,
        stage: Option<String>,
        message: String,
    },
}

/// Result of a cancel request.
#[derive(Debug, Clone, PartialEq)]
pub enum CancelOutcome {
    /// Cancelled; the job was in this state before.
    Cancelled {
        was: String,
    },
    /// Already terminal in this state.
    Terminal {
        status: String,
    },
    NotFound,
}

/// Inserts the webhook delivery of a job that just became terminal, when it has a URL.
pub(crate) async fn enqueue_delivery(
    tx: &mut Transaction<'_, Sqlite>,
    job_id: &str,
    delivery_id: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, job_id, url, state, attempts, next_attempt_ms, created_at)
         SELECT ?, id, webhook_url, 'pending', 0, ?, ? FROM jobs
         WHERE id = ? AND webhook_url IS NOT NULL",
    )
    .bind(delivery_id)
    .bind(now_ms())
    .bind(now_iso())
    .bind(job_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Inserts queued job `j` on `conn` (a pooled connection or a transaction) unless an
/// equal one (same video, template and config) is still queued or processing; then
/// `Err(existing job id)`. One statement, so two concurrent identical requests cannot
/// both get in.
pub(crate) async fn insert_job_in(
    conn: &mut sqlx::SqliteConnection,
    j: &NewJob,
    now: &str,
) -> Result<Result<(), String>, StoreError> {
    let res = sqlx::query(
        "INSERT INTO jobs (id, video_id, template_video_id, config_json, webhook_url, status,
                           progress_percent, created_at, updated_at)
         SELECT ?, ?, ?, ?, ?, 'queued', 0, ?, ?
         WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE video_id = ? AND template_video_id IS ?
                           AND config_json = ? AND status IN ('queued', 'processing'))",
    )
    .bind(&j.id)
    .bind(&j.video_id)
    .bind(&j.template_video_id)
    .bind(&j.config_json)
    .bind(&j.webhook_url)
    .bind(now)
    .bind(now)
    .bind(&j.video_id)
    .bind(&j.template_video_id)
    .bind(&j.config_json)
    .execute(&mut *conn)
    .await?;
    if res.rows_affected() == 1 {
        return Ok(Ok(()));
    }
    let existing: Option<String> = sqlx::query_scalar(
        "SELECT id FROM jobs WHERE video_id = ? AND template_video_id IS ? AND config_json = ?
         AND status IN ('queued', 'processing') LIMIT 1",
    )
    .bind(&j.video_id)
    .bind(&j.template_video_id)
    .bind(&j.config_json)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(Err(existing.unwrap_or_default()))
}

impl Db {
    /// Inserts a queued job unless an equal one (same video, template and config) is still
    /// queued or processing; then returns `Err(existing job id)` ([`insert_job_in`]).
    pub async fn insert_job(&self, j: &NewJob) -> Result<Result<JobRow, String>, StoreError> {
        let now = now_iso();
        let mut conn = self.pool.acquire().await?;
        if let Err(existing) = insert_job_in(&mut conn, j, &now).await? {
            return Ok(Err(existing));
        }
        drop(conn);
        let row = self
            .get_job(&j.id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("job {} vanished", j.id)))?;
        Ok(Ok(row))
    }

    pub async fn get_job(&self, id: &str) -> Result<Option<JobRow>, StoreError> {
        Ok(
            sqlx::query_as::<_, JobRow>("SELECT * FROM jobs WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// One page of jobs, newest first, and the total count.
    pub async fn list_jobs(
        &self,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<JobRow>, i64), StoreError> {
        let rows = sqlx::query_as::<_, JobRow>(
            "SELECT * FROM jobs ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs")
            .fetch_one(&self.pool)
            .await?;
        Ok((rows, total))
    }

    /// Takes the oldest queued job for `owner` with a lease until `lease_until_ms`. The job
    /// enters the first stage at once: a processing job always has a stage.
    pub async fn claim_next_job(
        &self,
        owner: &str,
        lease_until_ms: i64,
    ) -> Result<Option<JobRow>, StoreError> {
        let now = now_iso();
        Ok(sqlx::query_as::<_, JobRow>(
            "UPDATE jobs SET status = 'processing', attempts = attempts + 1, lease_owner = ?,
                    lease_expires_ms = ?, started_at = ?, updated_at = ?,
                    current_stage = 'video_analysis', progress_percent = MAX(progress_percent, 1)
             WHERE id = (SELECT id FROM jobs WHERE status = 'queued'
                         ORDER BY created_at, id LIMIT 1) AND status = 'queued'
             RETURNING *",
        )
        .bind(owner)
        .bind(lease_until_ms)
        .bind(&now)
        .bind(&now)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Moves to `stage` (updates `updated_at`); progress never decreases.
    pub async fn set_stage(
        &self,
        id: &str,
        owner: &str,
        stage: &str,
        progress: i64,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE jobs SET current_stage = ?, progress_percent = MAX(progress_percent, ?),
                    updated_at = ?
             WHERE id = ? AND status = 'processing' AND lease_owner = ?",
        )
        .bind(stage)
        .bind(progress)
        .bind(now_iso())
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Raises progress inside the current stage (does not touch `updated_at`).
    pub async fn set_progress(
        &self,
        id: &str,
        owner: &str,
        progress: i64,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE jobs SET progress_percent = MAX(progress_percent, ?)
             WHERE id = ? AND status = 'processing' AND lease_owner = ?",
        )
        .bind(progress)
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Stores a stage artefact (`style_json` or `plan_json`) on a job this worker owns.
    pub async fn set_artifact(
        &self,
        id: &str,
        owner: &str,
        column: Artifact,
        json: Option<&str>,
    ) -> Result<bool, StoreError> {
        let sql = match column {
            Artifact::Style => {
                "UPDATE jobs SET style_json = ? WHERE id = ? AND status = 'processing' AND lease_owner = ?"
            }
            Artifact::Plan => {
                "UPDATE jobs SET plan_json = ? WHERE id = ? AND status = 'processing' AND lease_owner = ?"
            }
        };
        let r = sqlx::query(sql)
            .bind(json)
            .bind(id)
            .bind(owner)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Ends a processing job this worker owns; false when it no longer owns it.
    pub async fn finish_job(
        &self,
        id: &str,
        owner: &str,
        end: &Terminal,
        delivery_id: &str,
    ) -> Result<bool, StoreError> {
        let now = now_iso();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let started: Option<Option<String>> = sqlx::query_scalar(
            "SELECT started_at FROM jobs WHERE id = ? AND status = 'processing' AND lease_owner = ?",
        )
        .bind(id)
        .bind(owner)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(started) = started else {
            return Ok(false);
        };
        let secs = started.and_then(|s| seconds_between(&s, &now));
        let q = match end {
            Terminal::Completed { output_key } => sqlx::query(
                "UPDATE jobs SET status = 'completed', progress_percent = 100, current_stage = NULL,
                        output_key = ?, updated_at = ?, completed_at = ?,
                        processing_time_seconds = ?, lease_owner = NULL, lease_expires_ms = NULL
                 WHERE id = ? AND status = 'processing' AND lease_owner = ?",
            )
            .bind(output_key.clone()),
            Terminal::Failed {
                code,
                stage,
                message,
            } => sqlx::query(
                "UPDATE jobs SET status = 'failed', current_stage = NULL, error_code = ?,
                        error_stage = ?, error_message = ?, updated_at = ?, completed_at = ?,
                        processing_time_seconds = ?, lease_owner = NULL, lease_expires_ms = NULL
                 WHERE id = ? AND status = 'processing' AND lease_owner = ?",
            )
            .bind(code.clone())
            .bind(stage.clone())
            .bind(message.clone()),
        };
        let r = q
            .bind(&now)
            .bind(&now)
            .bind(secs)
            .bind(id)
            .bind(owner)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() != 1 {
            return Ok(false);
        }
        enqueue_delivery(&mut tx, id, delivery_id).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Cancels a queued or processing job (the worker notices through its heartbeat or
    /// the in-process cancel registry and kills its children).
    pub async fn cancel_job(
        &self,
        id: &str,
        delivery_id: &str,
    ) -> Result<CancelOutcome, StoreError> {
        let now = now_iso();
        // IMMEDIATE: take the write lock before reading the status, so a worker claiming
        // the job cannot slip in between the read and the update.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let was: Option<String> = sqlx::query_scalar("SELECT status FROM jobs WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(was) = was else {
            return Ok(CancelOutcome::NotFound);
        };
        if was != "queued" && was != "processing" {
            return Ok(CancelOutcome::Terminal { status: was });
        }
        // No `processing_time_seconds`: a cancelled job's processing run never came to
        // its end (a queued one never ran), so, as for every field a job does not have,
        // it is null (docs/API.md, "Job fields").
        let r = sqlx::query(
            "UPDATE jobs SET status = 'cancelled', current_stage = NULL, updated_at = ?,
                    completed_at = ?, processing_time_seconds = NULL, lease_owner = NULL,
                    lease_expires_ms = NULL
             WHERE id = ? AND status = ?",
        )
        .bind(&now)
        .bind(&now)
        .bind(id)
        .bind(&was)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() != 1 {
            return Err(StoreError::Corrupt(format!(
                "job {id} changed during cancel"
            )));
        }
        enqueue_delivery(&mut tx, id, delivery_id).await?;
        tx.commit().await?;
        Ok(CancelOutcome::Cancelled { was })
    }

    /// Jobs still queued or processing.
    pub async fn count_active_jobs(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'processing')",
            )
            .fetch_one(&self.pool)
            .await?,
        )
    }
}

/// Which stage artefact column [`Db::set_artifact`] writes.
#[derive(Debug, Clone, Copy)]
pub enum Artifact {
    Style,
    Plan,
}

#[cfg(test)]
#[path = "jobs_tests.rs"]
mod tests;
