//! The database cannot be written: its disk full (a small tmpfs holding only the
//! database, the data directory elsewhere), its write lock held by another process. A
//! running job keeps its result and records it once the database takes writes again (no
//! `WORKER_LOST`, no second run, no webhook before the end is recorded); an upload answers
//! 507 or 503 with `Retry-After` and leaves no blob; a webhook receiver that answered is
//! not sent the same event again; health says the database is not writable; nothing needs
//! a restart once space is freed or the lock released.
//!
//! The full-disk tests mount a tmpfs, which needs root (as the project's test machine
//! runs); elsewhere they say so and pass without testing anything.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Executor};

use crate::common::*;

/// A small tmpfs for the database alone; unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// `None` (the caller skips) when this process may not mount.
    fn mount(size_mb: u32) -> Option<Tmpfs> {
        Tmpfs::mount_with(&format!("size={size_mb}m"))
    }

    /// A tmpfs with mount options `opts` (`size=…`, `nr_inodes=…`).
    fn mount_with(opts: &str) -> Option<Tmpfs> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: mounting a tmpfs needs root");
            return None;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let st = Command::new("mount")
            .args(["-t", "tmpfs", "-o", opts, "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("mount");
        assert!(st.success(), "mount -t tmpfs failed: {st}");
        Some(Tmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills the file system: writes until ENOSPC. SQLite's write-ahead log is truncated
    /// first, so the next write of the database needs new space.
    async fn fill(&self, db: &Path) {
        truncate_wal(db).await;
        self.fill_only();
    }

    /// Fills the file system without truncating the write-ahead log (a log that was
    /// truncated earlier and has only grown since has no room either).
    fn fill_only(&self) {
        use std::io::Write;
        let mut f = std::fs::File::create(self.path().join("fill")).expect("fill file");
        let chunk = vec![0x5au8; 64 * 1024];
        loop {
            match f.write_all(&chunk) {
                Ok(()) => {}
                Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => break,
                Err(e) => panic!("filling the tmpfs: {e}"),
            }
        }
        let _ = f.sync_all();
    }

    fn free(&self) {
        std::fs::remove_file(self.path().join("fill")).expect("free the tmpfs");
    }

    /// Takes every inode left: makes empty files until ENOSPC.
    fn fill_inodes(&self) {
        for i in 0.. {
            match std::fs::File::create(self.path().join(format!("inode-{i}"))) {
                Ok(_) => {}
                Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => return,
                Err(e) => panic!("taking the tmpfs's inodes: {e}"),
            }
        }
    }

    fn free_inodes(&self) {
        for f in files_in(self.path()) {
            if f.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("inode-"))
            {
                std::fs::remove_file(&f).expect("free an inode");
            }
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// Checkpoints SQLite's write-ahead log into the database and truncates it to nothing.
async fn truncate_wal(db: &Path) {
    let mut c = connect(db).await;
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        .await
        .expect("checkpoint");
    c.close().await.expect("close");
}

async fn connect(db: &Path) -> SqliteConnection {
    let opts = SqliteConnectOptions::from_str("sqlite://")
        .expect("options")
        .filename(db)
        .busy_timeout(Duration::from_secs(10));
    SqliteConnection::connect_with(&opts)
        .await
        .expect("connect")
}

/// A server whose database (`DATA_DIR/stylecut.db`, a link SQLite resolves, so its log
/// goes beside it) lives on `fs`; blobs and scratch stay on the data directory's disk.
fn server_with_db_on(fs: &Tmpfs, env: &[(&str, &str)]) -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    std::os::unix::fs::symlink(fs.path().join("stylecut.db"), data.join("stylecut.db"))
        .expect("link");
    (Server::start_in(&data, env), dir)
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|r| r.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

async fn health_db(s: &Server) -> Value {
    let (st, h) = s.get("/api/v1/health").await;
    assert_eq!(st, 200, "{h}");
    h["data"].clone()
}

/// A webhook receiver counting every request; `on_hit` runs before it answers 200.
#[derive(Clone)]
struct Hook {
    url: String,
    hits: Arc<Mutex<Vec<Value>>>,
}

impl Hook {
    async fn start(on_hit: Arc<dyn Fn(usize) + Send + Sync>) -> Hook {
        let hits: Arc<Mutex<Vec<Value>>> = Arc::default();
        let n = Arc::new(AtomicUsize::new(0));
        let h = hits.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |body: axum::body::Bytes| {
                let (h, n, on_hit) = (h.clone(), n.clone(), on_hit.clone());
                async move {
                    let k = n.fetch_add(1, Ordering::SeqCst);
                    on_hit(k);
                    h.lock()
                        .unwrap()
                        .push(serde_json::from_slice(&body).unwrap_or(Value::Null));
                    axum::http::StatusCode::OK
                }
            }),
        );
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", l.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(l, app).await });
        Hook { url, hits }
    }

    fn hits(&self) -> Vec<Value> {
        self.hits.lock().unwrap().clone()
    }
}

async fn wait_for(what: &str, within: Duration, mut ok: impl FnMut() -> bool) {
    let t = Instant::now();
    while !ok() {
        assert!(t.elapsed() < within, "{what} within {within:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The database's disk fills while a job runs: its progress, artefacts and end cannot be
/// written. The job keeps its lease in this process (no `WORKER_LOST`, no re-run; main
/// failed it `WORKER_LOST` once its lease lapsed and space came back), health says the
/// database is not writable, no webhook goes out; once space is freed the job ends
/// `completed` with its plan, its output and one webhook, without a restart.
#[tokio::test]
async fn a_full_database_disk_during_a_job_keeps_its_result_until_it_can_be_recorded() {
    let Some(fs) = Tmpfs::mount(16) else { return };
    let hook = Hook::start(Arc::new(|_| {})).await;
    let (s, _dir) = server_with_db_on(
        &fs,
        &[("JOB_LEASE_SECONDS", "2"), ("MAX_JOB_ATTEMPTS", "1")],
    );
    let db = s.data.join("stylecut.db");
    let vid = s.video(&bikes()).await;
    let id = s
        .job(json!({"video_id": vid, "webhook_url": hook.url, "config": {"max_duration_seconds": 4}}))
        .await;
    let mut seen = Vec::new();
    s.wait_job(&id, Duration::from_secs(30), &mut seen, |j| {
        j["status"] == json!("processing")
    })
    .await;
    let output = s.data.join(format!("blobs/outputs/{id}.mp4"));
    assert!(!output.exists(), "the job ended before the disk filled");
    fs.fill(&db).await;

    // The pipeline ends (its output is on another disk) while nothing can be recorded.
    wait_for("the job's output", Duration::from_secs(60), || {
        output.exists()
    })
    .await;
    // Longer than the lease, and than a reclaimer's round.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let j = s.job_state(&id).await;
    assert_eq!(j["status"], json!("processing"), "{j}");
    let h_full = health_db(&s).await;
    assert!(hook.hits().is_empty(), "a webhook for an unrecorded end");

    fs.free();
    let done = s.wait_terminal(&id, Duration::from_secs(20)).await;
    assert_eq!(done["status"], json!("completed"), "{done}\n{}", s.log());
    let (st, plan) = s.get(&format!("/api/v1/jobs/{id}/plan")).await;
    assert_eq!(st, 200, "{plan}");
    assert!(plan["data"].is_object(), "the plan was lost: {plan}");
    assert!(output.exists(), "the output was removed");
    let (st, _) = s
        .send(reqwest::Method::GET, &format!("/api/v1/jobs/{id}/output"))
        .await;
    assert_eq!(st, 200);
    wait_for("the webhook", Duration::from_secs(10), || {
        !hook.hits().is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let hits = hook.hits();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["data"]["status"], json!("completed"), "{hits:?}");
    assert_eq!(
        s.log().matches("job started").count(),
        1,
        "the job ran again"
    );
    let h = health_db(&s).await;
    assert_eq!(h["database"]["writable"], json!(true), "{h}");
    // While the disk was full, health said so.
    assert_eq!(h_full["status"], json!("degraded"), "{h_full}");
    assert_eq!(h_full["database"]["writable"], json!(false), "{h_full}");
    assert!(
        h_full["database"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("full")),
        "{h_full}"
    );
}

/// An upload whose record cannot be written because the database's disk is full answers
/// 507 `INSUFFICIENT_STORAGE` and keeps none of the file; after space is freed the same
/// upload goes through.
#[tokio::test]
async fn an_upload_on_a_full_database_disk_is_507_and_leaves_no_blob() {
    let Some(fs) = Tmpfs::mount(16) else { return };
    let (s, _dir) = server_with_db_on(&fs, &[]);
    // The database exists (migrated) before the disk fills.
    assert_eq!(health_db(&s).await["database"]["available"], json!(true));
    fs.fill(&s.data.join("stylecut.db")).await;
    let (st, v) = s.upload(&bikes(), &[]).await;
    assert_error(st, &v, 507, "INSUFFICIENT_STORAGE");
    assert!(
        files_in(&s.data.join("blobs/uploads")).is_empty(),
        "an orphan blob"
    );
    let h = health_db(&s).await;
    assert_eq!(h["database"]["writable"], json!(false), "{h}");
    fs.free();
    let (st, v) = s.upload(&bikes(), &[]).await;
    assert_eq!(st, 200, "{v}");
    let h = health_db(&s).await;
    assert_eq!(h["database"]["writable"], json!(true), "{h}");
}

/// Another process holds the database's write lock past the busy timeout: an upload and a
/// job creation answer 503 `SERVICE_UNAVAILABLE` with `Retry-After` (main: 500), the
/// upload keeps no blob, health says the database is not writable; once the lock is
/// released both go through.
#[tokio::test]
async fn a_database_locked_by_another_process_is_503_with_retry_after() {
    let s = Server::start(&[]);
    let vid = s.video(&bikes()).await;
    let mut other = connect(&s.data.join("stylecut.db")).await;
    other
        .execute("BEGIN IMMEDIATE; CREATE TABLE lock_holder (x)")
        .await
        .expect("take the write lock");

    let started = Instant::now();
    let up = async {
        let (ct, body) = multipart(
            Some(("bikes.mp4", &std::fs::read(bikes()).unwrap()[..])),
            &[],
        );
        let r = s
            .req(reqwest::Method::POST, "/api/v1/videos/upload")
            .header("Content-Type", ct)
            .body(body)
            .send()
            .await
            .expect("upload");
        let retry = r
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string());
        (r.status().as_u16(), retry, r.json::<Value>().await.unwrap())
    };
    let create = s.create_job(json!({"video_id": vid, "config": {"max_duration_seconds": 2}}));
    let health = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        health_db(&s).await
    };
    let ((st, retry, v), (cst, cv), h) = tokio::join!(up, create, health);
    assert_error(st, &v, 503, "SERVICE_UNAVAILABLE");
    assert!(
        retry.is_some_and(|r| r.parse::<u64>().is_ok_and(|n| n > 0)),
        "no Retry-After"
    );
    assert_error(cst, &cv, 503, "SERVICE_UNAVAILABLE");
    assert_eq!(h["database"]["writable"], json!(false), "{h}");
    assert!(
        h["database"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("lock")),
        "{h}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    let uploads = files_in(&s.data.join("blobs/uploads"));
    assert_eq!(uploads.len(), 1, "an orphan blob: {uploads:?}");

    other.execute("ROLLBACK").await.expect("release");
    drop(other);
    let (st, v) = s.upload(&bikes(), &[]).await;
    assert_eq!(st, 200, "{v}");
    let (st, v) = s
        .create_job(json!({"video_id": vid, "config": {"max_duration_seconds": 2}}))
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(health_db(&s).await["database"]["writable"], json!(true));
}

/// The receiver answers 200 while the database's disk is full, so the attempt cannot be
/// recorded. The sender keeps it in hand and records it once space is freed: the
/// receiver is not sent the event a second time when the delivery's lease lapses (main
/// dropped the record and delivered again).
#[tokio::test]
async fn a_webhook_answered_while_the_database_disk_is_full_is_not_sent_again() {
    let Some(fs) = Tmpfs::mount(16) else { return };
    let fs = Arc::new(fs);
    let full = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let hook = {
        let (fs, full) = (fs.clone(), full.clone());
        Hook::start(Arc::new(move |k| {
            if k == 0 {
                fs.fill_only();
                full.store(true, Ordering::SeqCst);
            }
        }))
        .await
    };
    let (s, _dir) = server_with_db_on(&fs, &[("WEBHOOK_TIMEOUT_SECONDS", "1")]);
    let vid = s.video(&bikes()).await;
    // From here the log only grows: once the disk is full no write finds room in it.
    truncate_wal(&s.data.join("stylecut.db")).await;
    let id = s
        .job(json!({"video_id": vid, "webhook_url": hook.url,
                    "config": {"mode": "extract_only", "max_duration_seconds": 2}}))
        .await;
    let done = s.wait_terminal(&id, Duration::from_secs(60)).await;
    assert_eq!(done["status"], json!("completed"), "{done}");
    wait_for("the webhook", Duration::from_secs(20), || {
        full.load(Ordering::SeqCst)
    })
    .await;
    // Past the delivery's lease (WEBHOOK_TIMEOUT_SECONDS + 5 s).
    tokio::time::sleep(Duration::from_secs(7)).await;
    fs.free();
    let t = Instant::now();
    loop {
        let (st, b) = s.get(&format!("/api/v1/jobs/{id}/webhooks")).await;
        assert_eq!(st, 200, "{b}");
        if b["data"]["deliveries"][0]["state"] == json!("delivered") {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(15),
            "never recorded: {b}\n{:?}\n{}",
            hook.hits().len(),
            s.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(hook.hits().len(), 1, "{:?}", hook.hits());
}

/// Lines of `log` that contain `what`.
fn count_lines(log: &str, what: &str) -> usize {
    log.lines().filter(|l| l.contains(what)).count()
}

/// A trigger that aborts every completion of a job (SQLITE_CONSTRAINT, an error waiting
/// does not cure).
const REFUSE_COMPLETED: &str = "CREATE TRIGGER refuse_ends BEFORE UPDATE OF status ON jobs
     WHEN NEW.status = 'completed'
     BEGIN SELECT RAISE(ABORT, 'the test refuses this status'); END";

/// A trigger that aborts every end of a job, completed or failed.
const REFUSE_ENDS: &str = "CREATE TRIGGER refuse_ends BEFORE UPDATE OF status ON jobs
     WHEN NEW.status IN ('completed', 'failed')
     BEGIN SELECT RAISE(ABORT, 'the test refuses this status'); END";

/// Runs `sql` on the server's database from another connection.
async fn run_sql(s: &Server, sql: &'static str) {
    let mut c = connect(&s.data.join("stylecut.db")).await;
    c.execute(sql).await.expect(sql);
    c.close().await.expect("close");
}

/// The database refuses a job's end for good (a trigger aborts every completion: an error
/// that waiting does not cure). The job does not stay `processing` with its lease renewed
/// for ever (main retried until shutdown; the client never heard): after a few tries it
/// is recorded `failed` with `PROCESSING_ERROR` and a message naming the refusal, at the
/// stage it reached, without its output, and the webhook says so once.
#[tokio::test]
async fn an_end_the_database_refuses_for_good_is_recorded_as_a_processing_error() {
    let hook = Hook::start(Arc::new(|_| {})).await;
    let s = Server::start(&[]);
    let vid = s.video(&bikes()).await;
    run_sql(&s, REFUSE_COMPLETED).await;
    let id = s
        .job(json!({"video_id": vid, "webhook_url": hook.url, "config": {"max_duration_seconds": 2}}))
        .await;
    let output = s.data.join(format!("blobs/outputs/{id}.mp4"));
    wait_for("the job's output", Duration::from_secs(60), || {
        output.exists()
    })
    .await;
    let done = s.wait_terminal(&id, Duration::from_secs(10)).await;
    assert_eq!(done["status"], json!("failed"), "{done}");
    assert_eq!(done["error"]["code"], json!("PROCESSING_ERROR"), "{done}");
    assert_eq!(done["error"]["stage"], json!("rendering"), "{done}");
    let msg = done["error"]["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("refused to record") && msg.contains("the test refuses this status"),
        "{done}"
    );
    s.wait_job_ended(&id, Duration::from_secs(10)).await;
    assert!(!output.exists(), "a failed job kept its output");
    wait_for("the webhook", Duration::from_secs(10), || {
        !hook.hits().is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let hits = hook.hits();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["data"]["status"], json!("failed"), "{hits:?}");
    assert_eq!(count_lines(&s.log(), "job started"), 1, "{}", s.log());
}

/// The database refuses a job's end and the failure in its place for good. The worker
/// gives up and lets the job go: its lease lapses and the reclaimer re-queues it (main
/// held it `processing`, renewing its lease, until shutdown). Once the refusal is gone the
/// next run completes it.
#[tokio::test]
async fn a_job_whose_end_cannot_be_recorded_at_all_is_handed_back_to_the_queue() {
    let s = Server::start(&[("JOB_LEASE_SECONDS", "2"), ("MAX_JOB_ATTEMPTS", "3")]);
    let vid = s.video(&bikes()).await;
    run_sql(&s, REFUSE_ENDS).await;
    let id = s
        .job(json!({"video_id": vid, "config": {"max_duration_seconds": 2}}))
        .await;
    let t = Instant::now();
    while count_lines(&s.log(), "job started") < 2 {
        let j = s.job_state(&id).await;
        assert!(
            t.elapsed() < Duration::from_secs(40),
            "the job never ran again: {j}\n{}",
            s.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        count_lines(&s.log(), "refuses to record the end of the job") >= 1,
        "{}",
        s.log()
    );
    run_sql(&s, "DROP TRIGGER refuse_ends").await;
    let done = s.wait_terminal(&id, Duration::from_secs(40)).await;
    assert_eq!(done["status"], json!("completed"), "{done}\n{}", s.log());
    let (st, _) = s
        .send(reqwest::Method::GET, &format!("/api/v1/jobs/{id}/output"))
        .await;
    assert_eq!(st, 200);
}

/// A `worker` process on the same data directory as the server that runs a job, while
/// the database's disk is full past the job's lease: the server's worker waits with the
/// finished result (its retries back off to 5 s), and the disk is freed just after one of
/// its tries failed. The other process's reclaimer (every second) sees the lapsed lease
/// first, but the run's lock tells it the run goes on: the job ends `completed` with its
/// output and one webhook, run once (main: the worker process failed it `WORKER_LOST`, or
/// ran it again, and the finished result was thrown away).
#[tokio::test]
async fn another_process_leaves_a_job_waiting_for_the_database_to_its_worker() {
    let Some(fs) = Tmpfs::mount(16) else { return };
    let hook = Hook::start(Arc::new(|_| {})).await;
    let env = [("JOB_LEASE_SECONDS", "2"), ("MAX_JOB_ATTEMPTS", "1")];
    let (s, _dir) = server_with_db_on(&fs, &env);
    let db = s.data.join("stylecut.db");
    let vid = s.video(&bikes()).await;
    let id = s
        .job(json!({"video_id": vid, "webhook_url": hook.url, "config": {"max_duration_seconds": 4}}))
        .await;
    let mut seen = Vec::new();
    s.wait_job(&id, Duration::from_secs(30), &mut seen, |j| {
        j["status"] == json!("processing")
    })
    .await;
    // Started once the server has the job, so it is the server's.
    let _w = Worker::start(&s.data, &env);
    let worker_log =
        || std::fs::read_to_string(s.data.with_extension("worker.log")).unwrap_or_default();
    wait_for("the worker", Duration::from_secs(30), || {
        worker_log().contains("stylecut worker running")
    })
    .await;
    let output = s.data.join(format!("blobs/outputs/{id}.mp4"));
    assert!(!output.exists(), "the job ended before the disk filled");
    fs.fill(&db).await;
    wait_for("the job's output", Duration::from_secs(60), || {
        output.exists()
    })
    .await;
    wait_for(
        "a try of the end followed by 5 s of waiting",
        Duration::from_secs(30),
        || count_lines(&s.log(), "trying again in 5s") >= 1,
    )
    .await;
    fs.free();
    let done = s.wait_terminal(&id, Duration::from_secs(20)).await;
    assert_eq!(
        done["status"],
        json!("completed"),
        "{done}\n{}\n{}",
        s.log(),
        worker_log()
    );
    s.wait_job_ended(&id, Duration::from_secs(10)).await;
    assert!(output.exists(), "the output was removed");
    wait_for("the webhook", Duration::from_secs(10), || {
        !hook.hits().is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let hits = hook.hits();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["data"]["status"], json!("completed"), "{hits:?}");
    let started = count_lines(&s.log(), "job started") + count_lines(&worker_log(), "job started");
    assert_eq!(started, 1, "the job ran again");
}

/// A trigger that refuses every row of the webhook attempts' history.
const REFUSE_ATTEMPT_ROWS: &str = "CREATE TRIGGER refuse_attempts BEFORE INSERT ON webhook_attempts
     BEGIN SELECT RAISE(ABORT, 'the test refuses attempt rows'); END";

/// A trigger that refuses every change of a webhook delivery's state.
const REFUSE_DELIVERY_STATES: &str =
    "CREATE TRIGGER refuse_states BEFORE UPDATE OF state ON webhook_deliveries
     BEGIN SELECT RAISE(ABORT, 'the test refuses delivery states'); END";

/// A server (webhook lease 1 s + 5 s) whose database has the `refusals` triggers, and a
/// short `extract_only` job with a webhook to a receiver answering 200, run to `completed`.
async fn completed_job_with_webhook_refused(refusals: &[&'static str]) -> (Hook, Server, String) {
    let hook = Hook::start(Arc::new(|_| {})).await;
    let s = Server::start(&[("WEBHOOK_TIMEOUT_SECONDS", "1")]);
    let vid = s.video(&bikes()).await;
    for sql in refusals {
        run_sql(&s, sql).await;
    }
    let id = s
        .job(json!({"video_id": vid, "webhook_url": hook.url,
                    "config": {"mode": "extract_only", "max_duration_seconds": 2}}))
        .await;
    let done = s.wait_terminal(&id, Duration::from_secs(60)).await;
    assert_eq!(done["status"], json!("completed"), "{done}");
    (hook, s, id)
}

/// The database refuses the history row of a webhook attempt for good (a trigger: an
/// error waiting does not cure). The receiver answered 200; after a few tries the
/// delivery is recorded `delivered` without the attempt's row, and the receiver is not
/// sent the event again (main retried the record until shutdown: the delivery stayed
/// `pending` for ever).
#[tokio::test]
async fn a_webhook_attempt_whose_history_is_refused_still_records_the_delivery() {
    let (hook, s, id) = completed_job_with_webhook_refused(&[REFUSE_ATTEMPT_ROWS]).await;
    let t = Instant::now();
    let d = loop {
        let (st, b) = s.get(&format!("/api/v1/jobs/{id}/webhooks")).await;
        assert_eq!(st, 200, "{b}");
        let d = b["data"]["deliveries"][0].clone();
        if d["state"] == json!("delivered") {
            break d;
        }
        assert!(
            t.elapsed() < Duration::from_secs(15),
            "never recorded: {b}\nreceiver hits: {}\n{}",
            hook.hits().len(),
            s.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(d["attempts"], json!([]), "{d}");
    assert!(d["delivered_at"].is_string(), "{d}");
    assert!(
        count_lines(&s.log(), "recorded without its history row") == 1,
        "{}",
        s.log()
    );
    // Past the delivery's lease (WEBHOOK_TIMEOUT_SECONDS + 5 s): not sent again.
    tokio::time::sleep(Duration::from_secs(7)).await;
    let hits = hook.hits();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["data"]["status"], json!("completed"), "{hits:?}");
}

/// The database refuses both the attempt's history row and the delivery's new state for
/// good. The sender gives the delivery up in this process: it stops retrying the record
/// (main retried it every 5 s until shutdown) and never sends the event again, though the
/// delivery stays `pending` with its lease lapsed.
#[tokio::test]
async fn a_webhook_delivery_the_database_refuses_entirely_is_given_up_not_resent() {
    let (hook, s, id) =
        completed_job_with_webhook_refused(&[REFUSE_ATTEMPT_ROWS, REFUSE_DELIVERY_STATES]).await;
    wait_for("the webhook", Duration::from_secs(10), || {
        !hook.hits().is_empty()
    })
    .await;
    // Every try so far: 3 of the full record, 3 of the state alone; main's backoff
    // reaches 5 s after 6 tries, so 12 s cover at least two more of its tries.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let failures = |log: &str| {
        log.lines()
            .filter(|l| l.contains("recording") && l.contains("webhook"))
            .count()
    };
    let before = failures(&s.log());
    tokio::time::sleep(Duration::from_secs(8)).await;
    let log = s.log();
    assert_eq!(
        failures(&log),
        before,
        "the sender still retries the record:\n{log}"
    );
    assert_eq!(count_lines(&log, "gives it up"), 1, "{log}");
    let hits = hook.hits();
    assert_eq!(hits.len(), 1, "sent again: {hits:?}");
    let (st, b) = s.get(&format!("/api/v1/jobs/{id}/webhooks")).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["data"]["deliveries"][0]["state"], json!("pending"), "{b}");
}

/// Held spare scratch directories in `scratch`.
fn held_spares(scratch: &Path) -> usize {
    files_in(scratch)
        .iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".spare-"))
                && stylecut_held(p)
        })
        .count()
}

/// Whether a living process holds the `.owner.lock` of `dir` (its `flock` cannot be taken).
fn stylecut_held(dir: &Path) -> bool {
    use std::os::fd::AsRawFd;
    let Ok(f) = std::fs::File::open(dir.join(".owner.lock")) else {
        return false;
    };
    // SAFETY: flock on a descriptor we hold open.
    let rc = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    rc != 0
}

/// `DATA_DIR/scratch` has no inode left (a tmpfs), so no run can make its scratch
/// directory. The server made a spare one at start-up: the run renames it to be its own
/// and holds its lock (so no process's reclaimer would take the job while its end waits
/// for the database; main: no directory, no lock, the job failed at once) and, needing
/// no scratch file, completes; it leaves no scratch. Once inodes are free again the next
/// job completes and a spare is made again.
#[tokio::test]
async fn a_run_whose_scratch_cannot_be_made_holds_a_spare_directory() {
    let Some(fs) = Tmpfs::mount_with("size=16m,nr_inodes=64") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    std::os::unix::fs::symlink(fs.path(), data.join("scratch")).expect("link");
    let s = Server::start_in(&data, &[]);
    assert_eq!(held_spares(fs.path()), 1, "{:?}", files_in(fs.path()));
    let vid = s.video(&bikes()).await;
    fs.fill_inodes();
    let id = s
        .job(
            json!({"video_id": vid, "config": {"mode": "extract_only", "max_duration_seconds": 2}}),
        )
        .await;
    let done = s.wait_terminal(&id, Duration::from_secs(60)).await;
    s.wait_job_ended(&id, Duration::from_secs(10)).await;
    let log = s.log();
    // An extraction of 2 s writes no scratch file: the run completes in the spare
    // (main failed it INSUFFICIENT_STORAGE at once, without a lock).
    assert_eq!(done["status"], json!("completed"), "{done}\n{log}");
    assert!(
        log.lines()
            .any(|l| l.contains(&id) && l.contains("holds a spare one made ahead")),
        "{log}"
    );
    let runs: Vec<_> = files_in(fs.path())
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{id}-")))
        })
        .collect();
    assert!(runs.is_empty(), "the run's scratch is left: {runs:?}");
    assert_eq!(held_spares(fs.path()), 0);

    fs.free_inodes();
    let id = s
        .job(
            json!({"video_id": vid, "config": {"mode": "extract_only", "max_duration_seconds": 3}}),
        )
        .await;
    let done = s.wait_terminal(&id, Duration::from_secs(60)).await;
    assert_eq!(done["status"], json!("completed"), "{done}\n{}", s.log());
    assert_eq!(held_spares(fs.path()), 1, "{:?}", files_in(fs.path()));
}
