//! The worker pool: claims queued jobs (at most `max_concurrent_jobs` at once), holds
//! each job's lease with a heartbeat, enforces the processing timeout and the stall
//! watchdog (`job_stall`), runs the pipeline on a blocking thread and records the
//! terminal state. A lost worker's job is reclaimed by
//! [`reclaim_loop`] once its lease lapses and its process is gone.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use stylecut_media::{CancelFlag, Pulse, RunOpts};
use stylecut_store::jobs::Artifact;
use stylecut_store::{time::now_ms, JobRow, StoreError, Terminal};
use stylecut_style::analyze::engine_id;
use stylecut_types::{config::JobConfig, ids, Analysis, Stage};
use tokio::sync::{mpsc, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::pipeline::{self, Input, Outcome, Report, Which};
use crate::service::{run_goes_on, JobScratch, Service};

/// Runs jobs until `shutdown`; then stops claiming, stops running jobs at their next
/// checkpoint and puts them back in the queue.
pub async fn run_pool(svc: Service, owner: String, shutdown: CancellationToken) {
    let permits = Arc::new(Semaphore::new(svc.settings.max_concurrent_jobs.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        let permit = tokio::select! {
            _ = shutdown.cancelled() => break,
            p = permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
        };
        let lease_until = now_ms() + svc.settings.lease.as_millis() as i64;
        match svc.db.claim_next_job(&owner, lease_until).await {
            Ok(Some(job)) => {
                let (svc, owner, stop) = (svc.clone(), owner.clone(), shutdown.clone());
                tasks.spawn(async move {
                    run_job(&svc, &owner, job, stop).await;
                    drop(permit);
                });
            }
            Ok(None) => {
                drop(permit);
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = svc.events.job_queued.notified() => {}
                    _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                }
            }
            Err(e) => {
                drop(permit);
                tracing::error!("claiming a job failed: {e}");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
}

/// How often [`reclaim_loop`] drops expired idempotency keys.
const KEY_PURGE_EVERY: Duration = Duration::from_secs(60);

/// Re-queues (or fails with `WORKER_LOST`) jobs whose lease expired and whose run does not
/// go on: neither this process nor another one on the data directory still runs them or
/// still waits to record their end ([`run_goes_on`]). A lease lapses while the database
/// cannot be written (its renewal is a write), so the lapse alone does not tell a dead
/// worker from one waiting for the database with a finished result. Also the service's
/// housekeeping: expired idempotency keys are dropped about once a minute.
pub async fn reclaim_loop(svc: Service, shutdown: CancellationToken) {
    let every = (svc.settings.lease / 2).max(Duration::from_millis(200));
    let mut purged: Option<std::time::Instant> = None;
    // Not less often than keys expire (a short retention is a test's or a small site's).
    let purge_every = KEY_PURGE_EVERY.min(svc.settings.idempotency_key_ttl);
    loop {
        // Expired idempotency keys, about once a minute (a key is ignored once expired).
        if purged.is_none_or(|t| t.elapsed() >= purge_every) {
            svc.purge_expired_keys().await;
            purged = Some(std::time::Instant::now());
        }
        let mut next_id = ids::new_delivery_id;
        let running = svc.events.running_ids();
        let data_dir = svc.settings.data_dir.clone();
        let alive = move |id: &str| running.iter().any(|r| r == id) || run_goes_on(&data_dir, id);
        match svc
            .db
            .reclaim_expired(svc.settings.max_job_attempts, &alive, &mut next_id)
            .await
        {
            Ok((requeued, failed)) => {
                for id in &requeued {
                    tracing::warn!(job = %id, "lease expired; job re-queued");
                    svc.job_changed(id).await;
                    svc.events.job_queued.notify_one();
                }
                for id in &failed {
                    tracing::error!(job = %id, "lease expired too often; job failed");
                    svc.job_changed(id).await;
                    svc.events.webhook_due.notify_one();
                }
            }
            Err(e) => tracing::error!("reclaiming leases failed: {e}"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// Stage artefacts the database did not take when the pipeline reported them (its disk
/// full, its file read-only, its lock held elsewhere): the latest value of each, written
/// again before the job's end is recorded. A stage or progress write that fails is only
/// logged: the next one, or the end, supersedes it.
#[derive(Debug, Default)]
struct Unrecorded {
    style: Option<Option<String>>,
    plan: Option<String>,
    /// The last stage the pipeline entered (recorded or not): the stage of the failure
    /// recorded in place of an end the database refuses for good.
    stage: Option<Stage>,
}

/// Writes pipeline reports to the database in order; what it could not write of the
/// job's artefacts.
async fn apply_reports(
    svc: &Service,
    job: &str,
    owner: &str,
    videos: (String, Option<String>),
    mut rx: mpsc::UnboundedReceiver<Report>,
) -> Unrecorded {
    let mut unrecorded = Unrecorded::default();
    while let Some(rep) = rx.recv().await {
        let res = match rep {
            Report::Stage(st, p) => {
                unrecorded.stage = Some(st);
                svc.db.set_stage(job, owner, st.as_str(), p as i64).await
            }
            Report::Progress(p) => svc.db.set_progress(job, owner, p as i64).await,
            Report::Style(v) => {
                let s = v.map(|v| v.to_string());
                let r = svc
                    .db
                    .set_artifact(job, owner, Artifact::Style, s.as_deref())
                    .await;
                unrecorded.style = r.is_err().then_some(s);
                r
            }
            Report::Plan(v) => {
                let p = v.to_string();
                let r = svc
                    .db
                    .set_artifact(job, owner, Artifact::Plan, Some(&p))
                    .await;
                unrecorded.plan = r.is_err().then_some(p);
                r
            }
            Report::Analysed(which, a) => {
                let video = match which {
                    Which::Source => Some(&videos.0),
                    Which::Template => videos.1.as_ref(),
                };
                store_analysis(svc, job, video, &a).await;
                continue;
            }
        };
        if let Err(e) = res {
            tracing::error!(job, "recording progress failed: {e}");
        }
        svc.job_changed(job).await;
    }
    unrecorded
}

/// Stores what a job measured of `video` for later jobs of this build (see
/// [`stored_analysis`]). A failure costs only the reuse: it is logged, the job goes on.
async fn store_analysis(svc: &Service, job: &str, video: Option<&String>, a: &Analysis) {
    let (Some(video), Some(engine)) = (video, engine_id()) else {
        return;
    };
    let res = match serde_json::to_string(a) {
        Ok(json) => svc.db.put_analysis(video, engine, &json).await,
        Err(e) => Err(StoreError::Corrupt(e.to_string())),
    };
    if let Err(e) = res {
        tracing::warn!(job, video, "storing the analysis failed: {e}");
    }
}

/// The analysis of `video` an earlier job of this build stored, if any. A stored
/// document that does not read back is ignored (logged): the job measures the video again.
async fn stored_analysis(svc: &Service, job: &str, video: &str) -> Option<Analysis> {
    let engine = engine_id()?;
    let json = match svc.db.get_analysis(video, engine).await {
        Ok(j) => j?,
        Err(e) => {
            tracing::warn!(job, video, "reading the stored analysis failed: {e}");
            return None;
        }
    };
    match serde_json::from_str(&json) {
        Ok(a) => {
            tracing::info!(job, video, "reusing the stored analysis");
            Some(a)
        }
        Err(e) => {
            tracing::warn!(job, video, "the stored analysis does not read back: {e}");
            None
        }
    }
}

async fn run_job(svc: &Service, owner: &str, job: JobRow, shutdown: CancellationToken) {
    let id = job.id.clone();
    tracing::info!(job = %id, attempt = job.attempts, "job started");
    svc.job_changed(&id).await;
    let cancel = CancelFlag::new();
    svc.events.register_running(&id, cancel.clone());
    let timed_out = Arc::new(AtomicBool::new(false));
    let requeue = Arc::new(AtomicBool::new(false));
    let done = CancellationToken::new();
    // The run's progress (see `Pulse`) and the stall watchdog's verdict.
    let pulse = Pulse::new();
    let stalled = CancellationToken::new();

    // Heartbeat: renew the lease; losing it (cancelled elsewhere, reclaimed) stops the run.
    // The stall watchdog: a run without progress for `job_stall` is stopped (its
    // processes killed through the cancel flag) and the lease no longer renewed.
    let hb = {
        let (svc, id, owner, cancel, done) = (
            svc.clone(),
            id.clone(),
            owner.to_string(),
            cancel.clone(),
            done.clone(),
        );
        let (timed_out, requeue, shutdown) = (timed_out.clone(), requeue.clone(), shutdown.clone());
        let (pulse, stalled) = (pulse.clone(), stalled.clone());
        let deadline = tokio::time::Instant::now() + svc.settings.processing_timeout;
        let stall = svc.settings.job_stall;
        tokio::spawn(async move {
            loop {
                let idle = pulse.idle();
                if !stall.is_zero() && idle >= stall {
                    tracing::warn!(job = %id, idle_s = idle.as_secs_f64(),
                        "no progress for JOB_STALL_SECONDS ({} s): the run stalled; stopping it",
                        stall.as_secs_f64());
                    stalled.cancel();
                    cancel.cancel();
                    return;
                }
                tokio::select! {
                    _ = done.cancelled() => return,
                    _ = tokio::time::sleep_until(deadline) => {
                        timed_out.store(true, Ordering::SeqCst);
                        cancel.cancel();
                        return;
                    }
                    _ = shutdown.cancelled() => {
                        requeue.store(true, Ordering::SeqCst);
                        cancel.cancel();
                        return;
                    }
                    _ = tokio::time::sleep(svc.settings.heartbeat.min(stall_check(stall, idle))) => {
                        let until = now_ms() + svc.settings.lease.as_millis() as i64;
                        if let Ok(false) = svc.db.heartbeat(&id, &owner, until).await {
                            cancel.cancel();
                            return;
                        }
                    }
                }
            }
        })
    };

    // The run's scratch, locked from here until its end is recorded (or handed back): its
    // held lock tells every process's reclaimer that the run goes on, also while the
    // database cannot be written and the lease lapses.
    let (scratch, scratch_err) = match svc.job_scratch(&id) {
        Ok(d) => (Some(d), None),
        Err(e) => (None, Some(e)),
    };
    let scratch_ref =
        match &scratch {
            Some(d) => Ok(d),
            None => Err(scratch_err
                .unwrap_or_else(|| std::io::Error::other("no scratch directory was made"))),
        };
    let mut run = Box::pin(execute(
        svc,
        owner,
        &job,
        (cancel.clone(), pulse),
        scratch_ref,
    ));
    let ran = tokio::select! {
        r = &mut run => Some(r),
        // Stopped by the watchdog: its processes are killed, it normally unwinds at once.
        // A thread wedged for good (a read in an uninterruptible sleep on a dead mount)
        // is left behind: the job is given back all the same (see `stall_end`).
        _ = stalled.cancelled() => tokio::time::timeout(stall_grace(svc), &mut run).await.ok(),
    };
    // Dropping an unfinished run detaches its thread and stops its report writer: nothing
    // of it reaches the database any more, and its cancel flag stops any process it
    // would start.
    drop(run);
    let abandoned = ran.is_none();
    if abandoned {
        tracing::error!(job = %id,
            "the stalled run did not unwind within {:?}; its thread is left behind and the job given back",
            stall_grace(svc));
    }
    let (result, unrecorded) = ran.unwrap_or_else(|| (Err((None, STALLED)), Unrecorded::default()));
    if let Some(dir) = &scratch {
        if let Err(e) = dir.clear() {
            tracing::warn!(job = %id, "clearing the run's scratch failed: {e}");
        }
    }
    done.cancel();
    let _ = hb.await;

    let end = match result {
        Ok(output_key) => Some(Terminal::Completed { output_key }),
        Err(_) if requeue.load(Ordering::SeqCst) => {
            match svc.db.requeue_job(&id, owner).await {
                Ok(_) => tracing::info!(job = %id, "job re-queued on shutdown"),
                Err(e) => tracing::error!(job = %id, "re-queue on shutdown failed: {e}"),
            }
            None
        }
        Err((stage, _)) if stalled.is_cancelled() => stall_end(svc, &job, owner, stage).await,
        Err((stage, _)) if timed_out.load(Ordering::SeqCst) => Some(Terminal::Failed {
            code: "JOB_TIMEOUT".into(),
            stage: stage.map(|s| s.as_str().to_string()),
            message: format!(
                "processing took longer than PROCESSING_TIMEOUT_SECONDS ({} s); its processes were killed",
                svc.settings.processing_timeout.as_secs()
            ),
        }),
        // Cancelled by a client, or the lease was lost: the job's state is already decided.
        Err(_) if cancel.is_cancelled() => None,
        Err((stage, e)) => Some(Terminal::Failed {
            code: e.0.to_string(),
            stage: stage.map(|s| s.as_str().to_string()),
            message: e.1,
        }),
    };
    if let Some(end) = end {
        let output = match &end {
            Terminal::Completed {
                output_key: Some(k),
            } => Some(k.clone()),
            _ => None,
        };
        let keep_output = match record_end(svc, &id, owner, &end, &unrecorded, &shutdown).await {
            Recorded::Yes => true,
            // A failure was recorded in place of the end: a failed job keeps no output.
            Recorded::Replaced => false,
            // Cancelled at the last moment: the output must not outlive the job. (No
            // other process can have taken the job meanwhile: this run's lock is held.)
            Recorded::NotMine => false,
            // Shutting down with the database still unwritable: the job stays processing
            // until its lease lapses and runs again then; its output is kept until the
            // new run replaces it, and no webhook went out for an end never recorded.
            Recorded::Shutdown(e) => {
                tracing::error!(job = %id,
                    "the end of the job could not be recorded before shutdown ({e}); it runs again after its lease lapses");
                true
            }
            // Neither the end nor a failure can be recorded: the job is handed to the
            // reclaimers (its lease lapses, its run's lock is let go below).
            Recorded::GaveUp(e) => {
                tracing::error!(job = %id,
                    "the database refuses to record the end of the job ({e}); it is left to the reclaimer once its lease lapses");
                false
            }
        };
        if let (Some(k), false) = (output, keep_output) {
            let _ = svc.blobs.delete(&k).await;
        }
    }
    drop(scratch);
    svc.events.unregister_running(&id);
    tracing::info!(job = %id, "job ended");
    svc.job_changed(&id).await;
    svc.events.webhook_due.notify_one();
}

/// The error standing for a stalled run that did not unwind (its code is not used: a
/// stalled run's end is [`stall_end`]'s).
const STALLED: (&str, String) = ("WORKER_LOST", String::new());

/// How long until the watchdog must look again: when the run would reach `stall` idle.
fn stall_check(stall: Duration, idle: Duration) -> Duration {
    if stall.is_zero() {
        Duration::MAX
    } else {
        stall.saturating_sub(idle).max(Duration::from_millis(50))
    }
}

/// How long a stopped stalled run gets to unwind (its processes are killed at once; it
/// normally ends within milliseconds) before it is left behind.
fn stall_grace(svc: &Service) -> Duration {
    svc.settings
        .job_stall
        .clamp(Duration::from_secs(1), Duration::from_secs(30))
}

/// What becomes of a job whose run stalled: re-queued for another run while it has
/// attempts left (the stalled run counts as one of `MAX_JOB_ATTEMPTS`), else failed with
/// `WORKER_LOST` and a message saying it stalled. Called while the run's lock is held and
/// the job registered as running here, so no reclaimer takes it meanwhile; a re-queue the
/// database refuses is left to the reclaimers (the lease is no longer renewed).
async fn stall_end(
    svc: &Service,
    job: &JobRow,
    owner: &str,
    stage: Option<Stage>,
) -> Option<Terminal> {
    let id = &job.id;
    let secs = svc.settings.job_stall.as_secs_f64();
    if job.attempts < svc.settings.max_job_attempts {
        match svc.db.requeue_stalled(id, owner).await {
            Ok(true) => {
                tracing::warn!(job = %id, attempt = job.attempts, "the run stalled; job re-queued");
                svc.events.job_queued.notify_one();
            }
            Ok(false) => {}
            Err(e) => tracing::error!(job = %id,
                "re-queueing the stalled job failed ({e}); it is left to the reclaimer once its lease lapses"),
        }
        return None;
    }
    let stage = match stage {
        Some(s) => Some(s.as_str().to_string()),
        None => svc
            .db
            .get_job(id)
            .await
            .ok()
            .flatten()
            .and_then(|j| j.current_stage),
    };
    Some(Terminal::Failed {
        code: "WORKER_LOST".into(),
        stage,
        message: format!(
            "the job's run stalled: no progress for JOB_STALL_SECONDS ({secs} s), so its \
             processes were killed; it had used its {} runs (MAX_JOB_ATTEMPTS); giving up",
            svc.settings.max_job_attempts
        ),
    })
}

/// A task aborted when this is dropped (the report writer of a run left behind).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// First delay between attempts to record a job's end; doubles up to [`RECORD_RETRY_MAX`].
const RECORD_RETRY_FIRST: Duration = Duration::from_millis(200);
const RECORD_RETRY_MAX: Duration = Duration::from_secs(5);

/// Tries of one end that fail with a permanent error ([`StoreError::transient`] false)
/// before it is given up: a few, in case the error was a fluke after all, then no more
/// (the same statement on the same data fails the same way).
const PERMANENT_TRIES: u32 = 3;

/// How [`record_end`] came out.
#[derive(Debug)]
enum Recorded {
    /// The end is recorded (its webhook queued).
    Yes,
    /// The database refused the end for good; a `PROCESSING_ERROR` failure saying so is
    /// recorded in its place (its webhook queued).
    Replaced,
    /// The job is no longer this worker's (cancelled meanwhile).
    NotMine,
    /// Shutdown came while the database still could not be written.
    Shutdown(StoreError),
    /// The database refused the end and the failure in its place for good.
    GaveUp(StoreError),
}

/// Records the end of job `id` (and the artefacts the database did not take while it
/// ran). While the database cannot be written now (its disk full, its file read-only, its
/// write lock held elsewhere: [`StoreError::transient`]) it tries again with backoff until
/// it can or shutdown comes. Each try renews the lease first; the lease may lapse all the
/// same, but the job stays registered as running in this process and the run's lock is
/// held ([`run_goes_on`]), so no reclaimer takes it: the result (the output blob is kept)
/// is recorded once the database takes writes again, then its webhook goes out; there is
/// no webhook for an end that was not recorded (the delivery is inserted in the
/// transaction that records it).
///
/// An error waiting does not cure (a constraint or trigger refusing the row, a value that
/// does not decode, a bug) ends the retries after [`PERMANENT_TRIES`]: the job is then
/// recorded failed with `PROCESSING_ERROR` and a message naming the error, without the
/// artefacts (they may be what is refused); when even that is refused for good, it gives
/// up and the job is left to the reclaimers once its lease lapses.
async fn record_end(
    svc: &Service,
    id: &str,
    owner: &str,
    end: &Terminal,
    unrecorded: &Unrecorded,
    shutdown: &CancellationToken,
) -> Recorded {
    let mut delay = RECORD_RETRY_FIRST;
    let mut tries = 0u32;
    let mut refused = 0u32;
    let mut end = end.clone();
    let mut replaced = false;
    loop {
        tries += 1;
        let res = async {
            let until = now_ms() + svc.settings.lease.as_millis() as i64;
            svc.db.heartbeat(id, owner, until).await?;
            if !replaced {
                if let Some(style) = &unrecorded.style {
                    svc.db
                        .set_artifact(id, owner, Artifact::Style, style.as_deref())
                        .await?;
                }
                if let Some(plan) = &unrecorded.plan {
                    svc.db
                        .set_artifact(id, owner, Artifact::Plan, Some(plan))
                        .await?;
                }
            }
            svc.db
                .finish_job(id, owner, &end, &ids::new_delivery_id())
                .await
        }
        .await;
        let e = match res {
            Ok(mine) => {
                if tries > 1 {
                    tracing::info!(job = id, tries, "the end of the job is recorded");
                }
                return match (mine, replaced) {
                    (false, _) => Recorded::NotMine,
                    (true, false) => Recorded::Yes,
                    (true, true) => Recorded::Replaced,
                };
            }
            Err(e) => e,
        };
        if !e.transient() {
            refused += 1;
            if refused >= PERMANENT_TRIES {
                if replaced {
                    return Recorded::GaveUp(e);
                }
                tracing::error!(
                    job = id,
                    tries,
                    "the database refuses the end of the job ({e}); recording it failed instead"
                );
                let stage = match &end {
                    Terminal::Failed { stage, .. } => stage.clone(),
                    Terminal::Completed { .. } => unrecorded.stage.map(|s| s.as_str().into()),
                };
                end = Terminal::Failed {
                    code: "PROCESSING_ERROR".into(),
                    stage,
                    message: format!(
                        "the job ran to its end but the database refused to record the result ({e}); \
                         no output is kept; this is a fault of the service, not of the media"
                    ),
                };
                replaced = true;
                refused = 0;
                delay = RECORD_RETRY_FIRST;
                continue;
            }
        }
        tracing::error!(
            job = id,
            tries,
            "recording the end of the job failed ({e}); trying again in {delay:?}"
        );
        tokio::select! {
            _ = shutdown.cancelled() => return Recorded::Shutdown(e),
            _ = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(RECORD_RETRY_MAX);
    }
}

type RunError = (Option<Stage>, (&'static str, String));

/// Loads the inputs and runs the pipeline: the output blob key on success, and the
/// artefacts the database did not take while it ran.
async fn execute(
    svc: &Service,
    owner: &str,
    job: &JobRow,
    run: (CancelFlag, Pulse),
    scratch: std::io::Result<&JobScratch>,
) -> (Result<Option<String>, RunError>, Unrecorded) {
    let mut unrecorded = Unrecorded::default();
    let res = run_pipeline(svc, owner, job, run, scratch, &mut unrecorded).await;
    (res, unrecorded)
}

async fn run_pipeline(
    svc: &Service,
    owner: &str,
    job: &JobRow,
    (cancel, pulse): (CancelFlag, Pulse),
    scratch_dir: std::io::Result<&JobScratch>,
    unrecorded: &mut Unrecorded,
) -> Result<Option<String>, RunError> {
    let internal = |m: String| (None, ("PROCESSING_ERROR", m));
    let config: JobConfig = serde_json::from_str(&job.config_json)
        .map_err(|e| internal(format!("stored config: {e}")))?;
    let source = svc
        .require_video(&job.video_id)
        .await
        .map_err(|e| internal(e.detail()))?;
    let template = match &job.template_video_id {
        Some(t) => Some(
            svc.require_video(t)
                .await
                .map_err(|e| internal(e.detail()))?,
        ),
        None => None,
    };
    let path = |k: &str| svc.blobs.path(k).map_err(|e| internal(e.to_string()));
    // Locked for the run: a process starting on this data directory meanwhile leaves the
    // directory alone; after a kill it is free, and the next start removes it.
    let scratch_dir = scratch_dir.map_err(|e| {
        let e = stylecut_style::StyleError::Io(e);
        match pipeline::failure(&e) {
            ("INSUFFICIENT_STORAGE", m) => (None, ("INSUFFICIENT_STORAGE", m)),
            _ => internal(format!("scratch dir: {e}")),
        }
    })?;
    let scratch = scratch_dir.path().to_path_buf();
    let source_analysis = stored_analysis(svc, &job.id, &source.id).await;
    let template_analysis = match &template {
        Some(t) => stored_analysis(svc, &job.id, &t.id).await,
        None => None,
    };
    let input = Input {
        source: path(&source.stored_key)?,
        template: template.as_ref().map(|t| path(&t.stored_key)).transpose()?,
        source_analysis,
        template_analysis,
        config,
        scratch: scratch.clone(),
        output: svc.blobs.staging_path("mp4"),
    };
    let opts = RunOpts {
        cancel,
        deadline: Some(std::time::Instant::now() + svc.settings.processing_timeout),
        pulse,
    };
    let (tx, rx) = mpsc::unbounded_channel();
    let mut writer = {
        let (svc, id, owner) = (svc.clone(), job.id.clone(), owner.to_string());
        let videos = (source.id.clone(), template.as_ref().map(|t| t.id.clone()));
        AbortOnDrop(tokio::spawn(async move {
            apply_reports(&svc, &id, &owner, videos, rx).await
        }))
    };
    let input = Arc::new(input);
    let run_input = input.clone();
    let res = tokio::task::spawn_blocking(move || pipeline::run(&run_input, &opts, tx)).await;
    if let Ok(u) = (&mut writer.0).await {
        *unrecorded = u;
    }
    let outcome = match res {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => {
            let _ = std::fs::remove_file(&input.output);
            return Err((Some(e.stage), pipeline::failure(&e.error)));
        }
        Err(join) => {
            let _ = std::fs::remove_file(&input.output);
            return Err(internal(format!("pipeline panicked: {join}")));
        }
    };
    match outcome {
        Outcome::ExtractOnly => Ok(None),
        Outcome::Rendered => {
            let key = format!("outputs/{}.mp4", job.id);
            if let Err(e) = svc.blobs.commit_file(&input.output, &key).await {
                let _ = std::fs::remove_file(&input.output);
                let code = match crate::error::ServiceError::from(e) {
                    crate::error::ServiceError::InsufficientStorage(m) => {
                        ("INSUFFICIENT_STORAGE", m)
                    }
                    other => ("PROCESSING_ERROR", other.detail()),
                };
                return Err((Some(Stage::Rendering), code));
            }
            Ok(Some(key))
        }
    }
}
