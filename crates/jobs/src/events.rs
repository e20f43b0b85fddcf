//! In-process signals: each change of a job's stored state (for server-sent events), which
//! running job to cancel, and wake-ups for the worker pool and the webhook sender.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use stylecut_media::CancelFlag;
use tokio::sync::{broadcast, Notify};

use crate::views::JobResponse;

/// A job's state as stored right after one change, numbered: snapshots are read and sent
/// one at a time under [`Events::snapshots`], so a higher `seq` is a later (or the same)
/// stored state. Server-sent events replay them in order, so a stage that lasts less than
/// a client's read is still seen.
#[derive(Debug)]
pub struct JobChange {
    pub seq: u64,
    pub job: JobResponse,
}

#[derive(Clone)]
pub struct Events {
    changed: broadcast::Sender<Arc<JobChange>>,
    /// The last `seq` handed out; held while a snapshot is read and sent (and while a
    /// watcher reads the stored state), which orders snapshots and reads.
    pub(crate) snapshots: Arc<tokio::sync::Mutex<u64>>,
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
            snapshots: Arc::default(),
            running: Arc::default(),
            job_queued: Arc::default(),
            webhook_due: Arc::default(),
        }
    }
}

impl Events {
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<JobChange>> {
        self.changed.subscribe()
    }

    pub(crate) fn watched(&self) -> bool {
        self.changed.receiver_count() > 0
    }

    pub(crate) fn send(&self, change: JobChange) {
        let _ = self.changed.send(Arc::new(change));
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

    /// Jobs this process is running or still recording the end of.
    pub fn running_ids(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, CancelFlag>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }
}
