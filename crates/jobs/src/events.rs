//! In-process signals: which job changed (for server-sent events), which running job to
//! cancel, and wake-ups for the worker pool and the webhook sender.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use stylecut_media::CancelFlag;
use tokio::sync::{broadcast, Notify};

#[derive(Clone)]
pub struct Events {
    changed: broadcast::Sender<String>,
    running: Arc<Mutex<HashMap<String, CancelFlag>>>,
    /// A job was queued.
    pub job_queued: Arc<Notify>,
    /// A webhook delivery became due.
    pub webhook_due: Arc<Notify>,
}

impl Default for Events {
    fn default() -> Self {
        Events {
            changed: broadcast::channel(1024).0,
            running: Arc::default(),
            job_queued: Arc::default(),
            webhook_due: Arc::default(),
        }
    }
}

impl Events {
    /// Announces that the stored state of `job_id` changed.
    pub fn job_changed(&self, job_id: &str) {
        let _ = self.changed.send(job_id.to_string());
    }

    pub fn subscribe(&self) -> broadcast::Receiver<String> {
        self.changed.subscribe()
    }

    pub fn register_running(&self, job_id: &str, flag: CancelFlag) {
        self.lock().insert(job_id.to_string(), flag);
    }

    pub fn unregister_running(&self, job_id: &str) {
        self.lock().remove(job_id);
    }

    /// Kills the children of a job running in this process (no-op elsewhere: a worker in
    /// another process notices through its lease heartbeat).
    pub fn cancel_running(&self, job_id: &str) {
        if let Some(f) = self.lock().get(job_id) {
            f.cancel();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, CancelFlag>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }
}
