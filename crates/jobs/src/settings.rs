//! Runtime settings of the service (filled by the CLI from defaults, a config file,
//! environment variables and flags; see `docs/CONFIG.md`).

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    /// Base of absolute URLs handed to clients (`output_video_url`), no trailing slash.
    pub public_base_url: String,
    pub max_file_size_bytes: u64,
    pub processing_timeout: Duration,
    pub max_concurrent_jobs: usize,
    /// Attempts of a job whose worker was lost before it fails with `WORKER_LOST`.
    pub max_job_attempts: i64,
    /// Lease of a processing job; renewed every `heartbeat`.
    pub lease: Duration,
    pub heartbeat: Duration,
    /// A run that makes no progress for this long is stopped and its job re-queued (or
    /// failed `WORKER_LOST` after `max_job_attempts` runs); zero turns the watchdog off.
    pub job_stall: Duration,
    pub webhook_secret: Option<String>,
    pub webhook_allow_private: bool,
    pub webhook_timeout: Duration,
    /// First retry delay; doubles per attempt up to `webhook_backoff_max`.
    pub webhook_backoff_base: Duration,
    pub webhook_backoff_max: Duration,
    pub webhook_max_attempts: i64,
    /// How long an `Idempotency-Key` is remembered after the request that recorded it.
    pub idempotency_key_ttl: Duration,
}

impl Settings {
    /// Defaults for a data directory (the documented defaults of every other key).
    pub fn new(data_dir: PathBuf, public_base_url: String) -> Settings {
        Settings {
            data_dir,
            public_base_url,
            max_file_size_bytes: 1000 * 1024 * 1024,
            processing_timeout: Duration::from_secs(3600),
            max_concurrent_jobs: 2,
            max_job_attempts: 3,
            lease: Duration::from_secs(30),
            heartbeat: Duration::from_secs(1),
            job_stall: Duration::from_secs(300),
            webhook_secret: None,
            webhook_allow_private: false,
            webhook_timeout: Duration::from_secs(10),
            webhook_backoff_base: Duration::from_secs(5),
            webhook_backoff_max: Duration::from_secs(600),
            webhook_max_attempts: 15,
            idempotency_key_ttl: Duration::from_secs(24 * 3600),
        }
    }

    /// Delay before retry number `attempt` (1-based count of failed attempts so far).
    pub fn webhook_backoff(&self, attempt: i64) -> Duration {
        let shift = (attempt.max(1) - 1).min(20) as u32;
        self.webhook_backoff_base
            .saturating_mul(1u32 << shift)
            .min(self.webhook_backoff_max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let s = Settings::new("d".into(), "http://x".into());
        assert_eq!(s.webhook_backoff(1), Duration::from_secs(5));
        assert_eq!(s.webhook_backoff(3), Duration::from_secs(20));
        assert_eq!(s.webhook_backoff(40), Duration::from_secs(600));
        // Retries keep going past ten minutes of receiver downtime.
        let total: Duration = (1..s.webhook_max_attempts)
            .map(|a| s.webhook_backoff(a))
            .sum();
        assert!(total > Duration::from_secs(1800), "{total:?}");
    }
}
