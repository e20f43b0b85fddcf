//! The service facade the HTTP layer calls: one method per use case, each returning a
//! view or a [`ServiceError`].

use std::sync::Arc;

use stylecut_store::jobs::CancelOutcome;
use stylecut_store::{BlobStore, Db, Keyed, NewJob};
use stylecut_types::{config::JobConfig, ids, JobStatus};

use crate::error::ServiceError;
use crate::events::{Events, JobChange};
use crate::idempotency::{fingerprint, KeyClaim};
use crate::settings::Settings;
use crate::views::{
    JobDetailResponse, JobListResponse, JobResponse, JobWebhooksResponse, WebhookDeliveryView,
};

/// A validated job creation request.
#[derive(Debug, Clone)]
pub struct CreateJob {
    pub video_id: String,
    pub template_video_id: Option<String>,
    pub config: serde_json::Value,
    pub webhook_url: Option<String>,
}

/// Health of the service's dependencies.
#[derive(Debug, Clone)]
pub struct HealthReport {
    pub ffmpeg: Option<String>,
    pub ffprobe: Option<String>,
    /// The database answers a read.
    pub database: Result<(), String>,
    /// The database takes a write now: a real write of its probe row within
    /// [`PROBE_TIMEOUT`], and at least [`MIN_DB_FREE_BYTES`] free on its file system
    /// (SQLite reuses its write-ahead log, so a small write can pass on a full disk while
    /// a job's result, an upload's record or a new log frame cannot).
    pub database_writable: Result<(), String>,
    /// Free bytes on the file system of the database (for the unprivileged user).
    pub database_free_bytes: Option<u64>,
}

/// How long the health check's write may wait for the database's write lock.
pub const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Below this much free space on its file system the database counts as unwritable.
pub const MIN_DB_FREE_BYTES: u64 = 1024 * 1024;

/// Free bytes for unprivileged users on the file system holding `path` (`statvfs`).
// `fsblkcnt_t` and `c_ulong` are `u64` on 64-bit Linux but narrower on other targets.
#[allow(clippy::unnecessary_cast)]
pub fn free_bytes(path: &std::path::Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut st = std::mem::MaybeUninit::<libc::statvfs>::zeroed();
    // SAFETY: `c` is a NUL-terminated path and `st` a writable statvfs buffer.
    let rc = unsafe { libc::statvfs(c.as_ptr(), st.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: statvfs succeeded, so it filled the buffer.
    let st = unsafe { st.assume_init() };
    Some((st.f_bavail as u64).saturating_mul(st.f_frsize as u64))
}

#[derive(Clone)]
pub struct Service {
    pub db: Db,
    pub blobs: BlobStore,
    pub settings: Arc<Settings>,
    pub events: Events,
    /// Locked scratch directories made ahead for runs whose own cannot be made.
    pub scratch_spares: ScratchSpares,
    /// `Idempotency-Key`s whose request this process is processing now.
    pub idempotency: crate::idempotency::InFlight,
}

impl Service {
    /// Opens the database and blob store under `settings.data_dir`.
    pub async fn open(settings: Settings) -> Result<Service, ServiceError> {
        std::fs::create_dir_all(&settings.data_dir)
            .map_err(|e| ServiceError::Internal(format!("data dir: {e}")))?;
        let db = Db::open(&settings.data_dir.join("stylecut.db")).await?;
        let blobs = BlobStore::open(&settings.data_dir.join("blobs"))?;
        sweep_orphaned_scratch(&settings.data_dir);
        let scratch_spares = ScratchSpares::default();
        scratch_spares.top_up(&settings.data_dir, settings.max_concurrent_jobs);
        Ok(Service {
            db,
            blobs,
            settings: Arc::new(settings),
            events: Events::default(),
            scratch_spares,
            idempotency: Default::default(),
        })
    }

    /// A scratch directory for a run of job `id`, locked ([`new_job_scratch`]). When it
    /// cannot be made (the disk full, no inodes left), a spare made ahead
    /// ([`ScratchSpares`]) is renamed to be the run's: the run holds its lock all the
    /// same ([`run_goes_on`]), so no process's reclaimer takes the job while its end
    /// (completed when it needs no scratch file, else most likely `INSUFFICIENT_STORAGE`)
    /// waits for the database. Without a spare left, the error.
    pub fn job_scratch(&self, id: &str) -> std::io::Result<JobScratch> {
        scratch_or_spare(
            &self.settings.data_dir,
            id,
            &self.scratch_spares,
            self.settings.max_concurrent_jobs,
            new_job_scratch,
        )
    }

    pub(crate) async fn require_video(
        &self,
        id: &str,
    ) -> Result<stylecut_store::VideoRow, ServiceError> {
        self.db
            .get_video(id)
            .await?
            .ok_or_else(|| ServiceError::VideoNotFound(format!("no video with id {id:?}")))
    }

    async fn require_job(&self, id: &str) -> Result<stylecut_store::JobRow, ServiceError> {
        self.db
            .get_job(id)
            .await?
            .ok_or_else(|| ServiceError::JobNotFound(format!("no job with id {id:?}")))
    }

    pub async fn create_job(&self, req: CreateJob) -> Result<JobResponse, ServiceError> {
        Ok(self.create_job_keyed(req, None).await?.0)
    }

    /// Creates a job, under the `Idempotency-Key` held by `claim` if any; the job and
    /// whether it is that of an earlier request with the key (then nothing new is made,
    /// and the answer is that job as it is now). The request's fingerprint is its body as
    /// the service reads it: `video_id`, `template_video_id` and `webhook_url` as given,
    /// `config` in its canonical form (ignored keys change nothing); a different one
    /// under a recorded key is `IDEMPOTENCY_KEY_MISMATCH`.
    pub async fn create_job_keyed(
        &self,
        req: CreateJob,
        claim: Option<KeyClaim>,
    ) -> Result<(JobResponse, bool), ServiceError> {
        let cfg = JobConfig::from_value(&req.config)
            .map_err(|e| ServiceError::Validation(format!("config: {e}")))?;
        // Canonical form of the validated config: equal configs give equal strings.
        let config_json =
            serde_json::to_string(&cfg).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let fp = claim.as_ref().map(|_| {
            fingerprint(&serde_json::json!([
                "job",
                req.video_id,
                req.template_video_id,
                config_json,
                req.webhook_url
            ]))
        });
        if let (Some(c), Some(fp)) = (&claim, &fp) {
            if let Some(row) = self.db.get_key(c.scope.as_str(), c.key.as_str()).await? {
                c.check(&row, fp)?;
                return Ok((self.get_job(&row.resource_id).await?, true));
            }
        }
        if let Some(u) = &req.webhook_url {
            let url = crate::ssrf::validate_url_syntax(u)?;
            crate::ssrf::check_target(&url, self.settings.webhook_allow_private).await?;
        }
        let video = self.require_video(&req.video_id).await?;
        let template = req.template_video_id.or(video.template_video_id.clone());
        if let Some(t) = &template {
            self.require_video(t).await?;
        }
        let new = NewJob {
            id: ids::new_job_id(),
            video_id: video.id.clone(),
            template_video_id: template,
            config_json,
            webhook_url: req.webhook_url.or(video.webhook_url),
        };
        let inserted = match (&claim, &fp) {
            (Some(c), Some(fp)) => {
                let key = c.new_key(fp, self.settings.idempotency_key_ttl);
                match self.db.insert_job_keyed(&new, &key).await? {
                    Keyed::Fresh(r) => r,
                    // Another request with the key (another process) made its job first.
                    Keyed::Replay(row) => {
                        c.check(&row, fp)?;
                        return Ok((self.get_job(&row.resource_id).await?, true));
                    }
                }
            }
            _ => self.db.insert_job(&new).await?,
        };
        match inserted {
            Ok(row) => {
                self.events.job_queued.notify_one();
                self.job_changed(&row.id).await;
                Ok((JobResponse::from_row(&row)?, false))
            }
            Err(job_id) => Err(ServiceError::AlreadyProcessing { job_id }),
        }
    }

    pub async fn get_job(&self, id: &str) -> Result<JobResponse, ServiceError> {
        JobResponse::from_row(&self.require_job(id).await?)
    }

    /// Announces that the stored state of job `id` changed: with anyone watching (server-
    /// sent events), its state as stored now goes out as the next numbered snapshot.
    pub async fn job_changed(&self, id: &str) {
        if !self.events.watched() {
            return;
        }
        let mut seq = self.events.snapshots.lock().await;
        match self.get_job(id).await {
            Ok(job) => {
                *seq += 1;
                self.events.send(JobChange { seq: *seq, job });
            }
            Err(e) => tracing::warn!(job = id, "reading the changed job failed: {e}"),
        }
    }

    /// The stored state of job `id` and the number of the last snapshot sent before it was
    /// read: every snapshot numbered higher is this state or a later one.
    pub async fn watch_job(&self, id: &str) -> Result<(u64, JobResponse), ServiceError> {
        let seq = self.events.snapshots.lock().await;
        let job = self.get_job(id).await?;
        Ok((*seq, job))
    }

    pub async fn job_result(&self, id: &str) -> Result<JobDetailResponse, ServiceError> {
        JobDetailResponse::from_row(&self.require_job(id).await?, &self.settings.public_base_url)
    }

    /// The stored edit plan of a job (null until `style_application` ends).
    pub async fn job_plan(&self, id: &str) -> Result<serde_json::Value, ServiceError> {
        let row = self.require_job(id).await?;
        match row.plan_json {
            Some(p) => serde_json::from_str(&p).map_err(|e| ServiceError::Internal(e.to_string())),
            None => Ok(serde_json::Value::Null),
        }
    }

    pub async fn list_jobs(
        &self,
        page: i64,
        page_size: i64,
    ) -> Result<JobListResponse, ServiceError> {
        if page < 1 {
            return Err(ServiceError::Validation(format!(
                "page must be >= 1, got {page}"
            )));
        }
        if !(1..=100).contains(&page_size) {
            return Err(ServiceError::Validation(format!(
                "page_size must be between 1 and 100, got {page_size}"
            )));
        }
        let offset = (page - 1).saturating_mul(page_size);
        let (rows, total) = self.db.list_jobs(page_size, offset).await?;
        let jobs = rows
            .iter()
            .map(JobResponse::from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(JobListResponse {
            jobs,
            total,
            page,
            page_size,
        })
    }

    pub async fn cancel_job(&self, id: &str) -> Result<JobResponse, ServiceError> {
        match self.db.cancel_job(id, &ids::new_delivery_id()).await? {
            CancelOutcome::NotFound => {
                Err(ServiceError::JobNotFound(format!("no job with id {id:?}")))
            }
            CancelOutcome::Terminal { status } => Err(ServiceError::NotCancellable {
                job_id: id.to_string(),
                status,
            }),
            CancelOutcome::Cancelled { .. } => {
                self.events.cancel_running(id);
                self.job_changed(id).await;
                self.events.webhook_due.notify_one();
                self.get_job(id).await
            }
        }
    }

    /// Local path of a completed job's output.
    pub async fn output_path(&self, id: &str) -> Result<std::path::PathBuf, ServiceError> {
        let row = self.require_job(id).await?;
        match (JobStatus::parse(&row.status), row.output_key) {
            (Some(JobStatus::Completed), Some(key)) => Ok(self.blobs.path(&key)?),
            _ => Err(ServiceError::NotFound(format!(
                "job {id} has no output (status {})",
                row.status
            ))),
        }
    }

    pub async fn job_webhooks(&self, id: &str) -> Result<JobWebhooksResponse, ServiceError> {
        let row = self.require_job(id).await?;
        let mut deliveries = Vec::new();
        if let Some(d) = self.db.delivery_for_job(id).await? {
            let attempts = self.db.attempts_for_delivery(&d.id).await?;
            deliveries.push(WebhookDeliveryView::from_rows(&d, &attempts));
        }
        Ok(JobWebhooksResponse {
            job_id: row.id,
            webhook_url: row.webhook_url,
            deliveries,
        })
    }

    pub async fn health(&self) -> HealthReport {
        let (ffmpeg, ffprobe) = tokio::task::spawn_blocking(|| {
            (
                stylecut_media::process::tool_version(&stylecut_media::process::ffmpeg_bin()),
                stylecut_media::process::tool_version(&stylecut_media::process::ffprobe_bin()),
            )
        })
        .await
        .unwrap_or((None, None));
        let database = self.db.ping().await.map_err(|e| e.to_string());
        // The file itself: SQLite resolves a symbolic link to the database, so its disk
        // may not be the data directory's.
        let db_path = self.settings.data_dir.join("stylecut.db");
        let db_path = std::fs::canonicalize(&db_path).unwrap_or(db_path);
        let database_free_bytes = free_bytes(&db_path);
        let probe = match tokio::time::timeout(PROBE_TIMEOUT, self.db.write_probe()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(ServiceError::from(e).detail()),
            Err(_) => Err(format!(
                "a write waited more than {} s for the database's write lock (another \
                 process or a long transaction holds it)",
                PROBE_TIMEOUT.as_secs()
            )),
        };
        let database_writable = probe.and_then(|()| match database_free_bytes {
            Some(free) if free < MIN_DB_FREE_BYTES => Err(format!(
                "the disk of the database is full ({free} bytes free): job results, uploads \
                 and webhook records cannot be written; free space on it"
            )),
            _ => Ok(()),
        });
        HealthReport {
            ffmpeg,
            ffprobe,
            database,
            database_writable,
            database_free_bytes,
        }
    }
}

/// Removes the scratch a killed process left: its jobs' `DATA_DIR/scratch/<job>-…` and its
/// renders' `$TMPDIR/stylecut-render-*`. Only directories whose owner process is gone are
/// removed (their lock can be taken, `stylecut_media::scratch`): a `worker` or `serve`
/// running beside this one on the same data directory, or a `stylecut apply`, keeps its
/// own.
pub fn sweep_orphaned_scratch(data_dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    use stylecut_media::scratch::sweep_orphans;
    let mut removed = sweep_orphans(&data_dir.join("scratch"), "");
    removed.extend(sweep_orphans(
        &std::env::temp_dir(),
        stylecut_style::apply::RENDER_SCRATCH_PREFIX,
    ));
    for d in &removed {
        tracing::info!(dir = %d.display(), "removed the scratch of a process that is gone");
    }
    removed
}

/// [`Service::job_scratch`]: the run's scratch made by `make` (then the spares topped up
/// to `n`), or else a spare renamed to be the run's.
fn scratch_or_spare(
    data: &std::path::Path,
    id: &str,
    spares: &ScratchSpares,
    n: usize,
    make: impl FnOnce(&std::path::Path, &str) -> std::io::Result<JobScratch>,
) -> std::io::Result<JobScratch> {
    let e = match make(data, id) {
        Ok(s) => {
            spares.top_up(data, n);
            return Ok(s);
        }
        Err(e) => e,
    };
    let Some(mut spare) = spares.take() else {
        tracing::error!(
            job = id,
            "making the run's scratch directory failed ({e}) and no spare is left"
        );
        return Err(e);
    };
    let to = data
        .join("scratch")
        .join(format!("{id}-{}", &ids::new_job_id()[4..]));
    match spare.rename(&to) {
        Ok(()) => {
            tracing::warn!(
                job = id,
                "making the run's scratch directory failed ({e}); the run holds a spare one made ahead"
            );
            Ok(JobScratch { dir: spare })
        }
        Err(re) => {
            tracing::error!(
                job = id,
                "making the run's scratch directory failed ({e}), and renaming a spare too ({re})"
            );
            spares.give_back(spare);
            Err(e)
        }
    }
}

/// Name prefix of the spare scratch directories in `DATA_DIR/scratch`.
pub const SPARE_PREFIX: &str = ".spare-";

/// Spare scratch directories, `DATA_DIR/scratch/.spare-<random>`, made and locked ahead
/// (one per job this process may run at once: at start-up, and again whenever a run's
/// own directory could be made) for a run whose own directory cannot be made: renamed to
/// `<job>-<random>`, it is the run's, its lock held throughout ([`Service::job_scratch`]).
/// Held by this process, they are left by every other one's start-up sweep; a dead
/// process's are swept as any orphaned scratch.
#[derive(Clone, Default)]
pub struct ScratchSpares(Arc<std::sync::Mutex<Vec<stylecut_media::scratch::LockedTempDir>>>);

impl ScratchSpares {
    fn spares(&self) -> std::sync::MutexGuard<'_, Vec<stylecut_media::scratch::LockedTempDir>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Makes spares under `data_dir` until there are `n` (at least one); a failure (the
    /// disk full) is logged and leaves fewer.
    pub fn top_up(&self, data_dir: &std::path::Path, n: usize) {
        let parent = data_dir.join("scratch");
        let mut spares = self.spares();
        while spares.len() < n.max(1) {
            let made = std::fs::create_dir_all(&parent).and_then(|()| {
                stylecut_media::scratch::LockedTempDir::new_in(&parent, SPARE_PREFIX)
            });
            match made {
                Ok(d) => spares.push(d),
                Err(e) => {
                    tracing::warn!("making a spare scratch directory failed: {e}");
                    return;
                }
            }
        }
    }

    /// How many spares are ready.
    pub fn len(&self) -> usize {
        self.spares().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn take(&self) -> Option<stylecut_media::scratch::LockedTempDir> {
        self.spares().pop()
    }

    fn give_back(&self, d: stylecut_media::scratch::LockedTempDir) {
        self.spares().push(d);
    }
}

/// The scratch directory of one run of a job, with its owner lock held; removed when
/// dropped.
#[derive(Debug)]
pub struct JobScratch {
    dir: stylecut_media::scratch::LockedTempDir,
}

impl JobScratch {
    pub fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Removes the run's scratch files but keeps the directory and its lock: held until the
    /// run's end is recorded, it tells every process on the data directory that the run
    /// goes on ([`run_goes_on`]).
    pub fn clear(&self) -> std::io::Result<()> {
        self.dir.clear()
    }
}

/// Whether a run of job `id` goes on in a living process on this data directory (this one
/// or another): the lock of one of its scratch directories ([`new_job_scratch`]) is held.
/// A worker holds it from the start of the run until the run's end is recorded (or handed
/// back), through any wait for the database; the kernel lets it go when the process ends,
/// however it ends.
pub fn run_goes_on(data_dir: &std::path::Path, id: &str) -> bool {
    stylecut_media::scratch::any_held(&data_dir.join("scratch"), &format!("{id}-"))
}

/// Makes and locks the scratch directory of a run of job `id`:
/// `DATA_DIR/scratch/<id>-<random>`, a new directory for every run. A job re-taken after
/// its process was killed never works in the directory of the killed run: a process
/// starting meanwhile may have judged that directory orphaned (its lock was free) and be
/// removing it, which would take the new run's files with it (taking the lock over by
/// renaming a new lock file in cannot stop a removal already decided). The killed run's
/// directory is left to the next start-up sweep.
pub fn new_job_scratch(data_dir: &std::path::Path, id: &str) -> std::io::Result<JobScratch> {
    let parent = data_dir.join("scratch");
    std::fs::create_dir_all(&parent)?;
    let dir = stylecut_media::scratch::LockedTempDir::new_in(&parent, &format!("{id}-"))?;
    Ok(JobScratch { dir })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A data directory under the system temp dir, removed when dropped.
    struct TempData(std::path::PathBuf);

    impl TempData {
        fn new() -> TempData {
            let root =
                std::env::temp_dir().join(format!("stylecut-jobs-test-{}", ids::new_job_id()));
            std::fs::create_dir(&root).unwrap();
            TempData(root)
        }
    }

    impl Drop for TempData {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Session 23's race: a process killed mid-job leaves `DATA_DIR/scratch` with the
    /// job's directory and a stale lock. A process starting on the data directory judges
    /// that directory orphaned (takes its stale lock) just as a running worker re-takes
    /// the job (its lease lapsed) and makes the run's scratch; the sweep then removes the
    /// directory it judged. The live run's scratch must survive: a re-taken job never
    /// works in the directory of an earlier run.
    #[test]
    fn a_start_up_sweep_never_removes_the_scratch_of_a_re_taken_job() {
        use stylecut_media::scratch::{hold, orphans};
        let data = TempData::new();
        let data = &data.0;
        let id = "job_01a233b03140772da1b64168f09ed9c0";
        // The killed run: its scratch, its lock released by the kernel.
        let killed = new_job_scratch(data.as_path(), id).unwrap();
        let killed_dir = killed.path().to_path_buf();
        std::fs::write(killed_dir.join("sc-mono-1.f32"), b"killed run").unwrap();
        std::mem::forget(killed); // a SIGKILL runs no destructor...
        drop(hold(&killed_dir).unwrap()); // ...and the kernel drops the lock
        let judged = orphans(&data.as_path().join("scratch"), "");
        assert_eq!(judged.len(), 1);

        let run = new_job_scratch(data.as_path(), id).unwrap();
        std::fs::write(run.path().join("sc-mono-2.f32"), b"live run").unwrap();
        for o in judged {
            let _ = o.remove();
        }
        assert!(
            run.path().join("sc-mono-2.f32").exists(),
            "the sweep removed the live run's scratch {}",
            run.path().display()
        );
        assert!(!killed_dir.exists(), "the killed run's scratch is removed");
        // The live run's directory is not an orphan while it runs, and goes with it.
        assert!(orphans(&data.as_path().join("scratch"), "").is_empty());
        let path = run.path().to_path_buf();
        drop(run);
        assert!(!path.exists());
    }

    /// A run whose scratch directory cannot be made takes a spare made ahead: renamed to
    /// the run's, its lock held, so every reclaimer sees the run go on (main: no scratch,
    /// no lock, the job taken from a run waiting for the database). Without a spare left,
    /// the error; a run whose directory can be made tops the spares up again.
    #[test]
    fn a_run_without_its_own_scratch_holds_a_spare() {
        let root = TempData::new();
        let data = root.0.as_path();
        let id = "job_01a233b03140772da1b64168f09ed9c1";
        let spares = ScratchSpares::default();
        spares.top_up(data, 1);
        assert_eq!(spares.len(), 1);
        let full = |_: &std::path::Path, _: &str| -> std::io::Result<JobScratch> {
            Err(std::io::Error::from_raw_os_error(libc::ENOSPC))
        };
        assert!(!run_goes_on(data, id));
        let run = scratch_or_spare(data, id, &spares, 1, full).unwrap();
        assert!(run
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(&format!("{id}-")));
        assert!(run_goes_on(data, id), "the run holds no lock");
        assert!(spares.is_empty());
        let e = scratch_or_spare(data, "job_b", &spares, 1, full).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENOSPC));
        drop(run);
        assert!(!run_goes_on(data, id));
        let other = scratch_or_spare(data, "job_c", &spares, 1, new_job_scratch).unwrap();
        assert!(run_goes_on(data, "job_c"));
        assert_eq!(spares.len(), 1);
        drop(other);
    }
}
