//! Process wrapper: every ffmpeg/ffprobe invocation goes through here.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// How many stderr lines an error keeps.
const STDERR_TAIL_LINES: usize = 30;

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The program is not installed or not executable.
    #[error(
        "{tool} is not installed or not on PATH (install ffmpeg, e.g. `apt-get install -y ffmpeg`)"
    )]
    ToolMissing { tool: String },
    /// The input cannot be read as media: a client error.
    #[error("invalid media: {message}")]
    BadInput {
        message: String,
        stderr_tail: String,
    },
    /// The tool failed on input we believed valid: our fault or the machine's.
    #[error("{tool} failed ({status}): {stderr_tail}")]
    ToolFailed {
        tool: String,
        status: String,
        stderr_tail: String,
    },
    #[error("{tool} timed out after {seconds:.0} s")]
    Timeout { tool: String, seconds: f64 },
    #[error("cancelled")]
    Cancelled,
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    #[error("could not parse {what}: {message}")]
    Parse { what: String, message: String },
}

/// Shared cancellation flag; set it and every process run with it is killed promptly.
///
/// A flag made by [`CancelFlag::linked`] also reads as cancelled when the flag it was
/// made from is: work split over several processes at once (the render's picture and
/// sound) gives each part a linked flag, so a part that fails can stop its sibling
/// without cancelling the caller's flag (which would turn the failure into a
/// cancellation for a job), while the caller's cancel still reaches every part.
#[derive(Debug, Clone, Default)]
pub struct CancelFlag {
    own: Arc<AtomicBool>,
    /// The flags this one was linked from (and theirs), read but never set.
    upstream: Vec<Arc<AtomicBool>>,
}

impl CancelFlag {
    pub fn new() -> Self {
        Self::default()
    }
    /// Cancels this flag and every flag linked from it (not the flags it was linked from).
    pub fn cancel(&self) {
        self.own.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.own.load(Ordering::SeqCst) || self.upstream.iter().any(|f| f.load(Ordering::SeqCst))
    }
    /// A new flag that reads as cancelled when it or `self` is cancelled; cancelling it
    /// leaves `self` as it is.
    pub fn linked(&self) -> CancelFlag {
        let mut upstream = self.upstream.clone();
        upstream.push(self.own.clone());
        CancelFlag {
            own: Arc::default(),
            upstream,
        }
    }
}

/// The last moment a run did real work: a line an ffmpeg/ffprobe child wrote (a
/// `-progress` tick, a probe's output, a log line), a decoded frame or chunk of samples
/// read from its pipe, CPU time a quiet child used, or a step the caller reports itself
/// ([`Pulse::beat`]). Clones share the instant; a job's stall watchdog reads
/// [`Pulse::idle`] and stops a run that sits still for too long, whatever its percent.
#[derive(Debug, Clone)]
pub struct Pulse {
    origin: Instant,
    /// Milliseconds from `origin` to the last beat.
    last_ms: Arc<AtomicU64>,
}

impl Default for Pulse {
    fn default() -> Self {
        Pulse {
            origin: Instant::now(),
            last_ms: Arc::default(),
        }
    }
}

impl Pulse {
    pub fn new() -> Self {
        Self::default()
    }
    /// Work was done now.
    pub fn beat(&self) {
        let ms = self.origin.elapsed().as_millis() as u64;
        self.last_ms.fetch_max(ms, Ordering::Relaxed);
    }
    /// How long since the last beat (since the pulse was made if none came).
    pub fn idle(&self) -> Duration {
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        self.origin.elapsed().saturating_sub(last)
    }
}

/// Options common to every run.
#[derive(Debug, Clone, Default)]
pub struct RunOpts {
    pub cancel: CancelFlag,
    /// Absolute deadline; the process is killed when it passes.
    pub deadline: Option<Instant>,
    /// Beaten by every process run with these options as it works (see [`Pulse`]).
    pub pulse: Pulse,
}

impl RunOpts {
    pub fn with_timeout(timeout: Duration) -> Self {
        RunOpts {
            cancel: CancelFlag::new(),
            deadline: Some(Instant::now() + timeout),
            pulse: Pulse::new(),
        }
    }

    /// These options with their own cancel flag linked to this one's
    /// ([`CancelFlag::linked`]): the same deadline and pulse.
    pub fn linked(&self) -> RunOpts {
        RunOpts {
            cancel: self.cancel.linked(),
            deadline: self.deadline,
            pulse: self.pulse.clone(),
        }
    }

    /// Err when cancelled or past the deadline.
    pub fn check(&self, tool: &str) -> Result<(), MediaError> {
        if self.cancel.is_cancelled() {
            return Err(MediaError::Cancelled);
        }
        if let Some(d) = self.deadline {
            if Instant::now() >= d {
                return Err(MediaError::Timeout {
                    tool: tool.to_string(),
                    seconds: 0.0,
                });
            }
        }
        Ok(())
    }
}

/// Path of the ffmpeg binary (`STYLECUT_FFMPEG` overrides).
pub fn ffmpeg_bin() -> String {
    std::env::var("STYLECUT_FFMPEG").unwrap_or_else(|_| "ffmpeg".into())
}

/// Path of the ffprobe binary (`STYLECUT_FFPROBE` overrides).
pub fn ffprobe_bin() -> String {
    std::env::var("STYLECUT_FFPROBE").unwrap_or_else(|_| "ffprobe".into())
}

/// Capacity asked for a pipe that streams decoded frames or samples out of ffmpeg: 1 MiB,
/// Linux's default `/proc/sys/fs/pipe-max-size`, ≈ 9 analysis frames at 256×144 RGB.
pub const WIDE_PIPE_BYTES: usize = 1 << 20;

/// Widens the pipe behind `fd` to [`WIDE_PIPE_BYTES`] (`fcntl(F_SETPIPE_SZ)`) and returns
/// the capacity it has afterwards. Why: with the default 64 KiB pipe every 110 KB analysis
/// frame took ffmpeg two blocking writes and the reader two wake-ups (the pipe's lock
/// spun on between them), ≈ 0.1 s of kernel CPU on a 30 s 720p source, on the cores
/// the CPU-bound analysis decode needs; a wide pipe lets ffmpeg write whole frames ahead.
/// The bytes read are the same. `None` when the call fails (a user past its pipe quota,
/// or not a pipe): the pipe keeps its size and the decode works as before.
#[cfg(target_os = "linux")]
pub fn widen_pipe(fd: &impl std::os::fd::AsRawFd) -> Option<usize> {
    let fd = fd.as_raw_fd();
    // SAFETY: fcntl on a descriptor the caller holds open; F_SETPIPE_SZ / F_GETPIPE_SZ take
    // and return an int and touch no memory of ours.
    let set = unsafe { libc::fcntl(fd, libc::F_SETPIPE_SZ, WIDE_PIPE_BYTES as libc::c_int) };
    if set < 0 {
        return None;
    }
    // SAFETY: as above.
    let got = unsafe { libc::fcntl(fd, libc::F_GETPIPE_SZ) };
    usize::try_from(got).ok()
}

/// Off Linux pipes keep their size.
#[cfg(not(target_os = "linux"))]
pub fn widen_pipe<T>(_fd: &T) -> Option<usize> {
    None
}

/// A running child that is killed (and reaped) when dropped.
pub struct KillOnDrop {
    pub child: Child,
    pub tool: String,
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// Starts `cmd` so that the child dies with this process.
///
/// On Linux the child asks for SIGKILL when its parent dies (`PR_SET_PDEATHSIG`). The
/// kernel's "parent" there is the *thread* that forked it, not the process: a child forked
/// from a tokio blocking thread or a scoped analysis thread would be killed whenever that
/// thread ends (tokio retires idle blocking threads), in the middle of a job. So every
/// child is forked by one thread that lives as long as the process ([`spawner`]): it ends
/// only when the process does, and its death signal then reaches every ffmpeg and ffprobe
/// still running, however the process ended (SIGKILL, the OOM killer, an abort). A child
/// whose parent died between the fork and the `prctl` (the signal would never come) sees
/// another parent id and exits at once.
fn spawn_child(mut cmd: Command) -> std::io::Result<Child> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        let parent = std::process::id() as libc::pid_t;
        // SAFETY: prctl and getppid are async-signal-safe, allocate nothing and touch no
        // memory of the parent; this runs in the forked child before exec.
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(
                    libc::PR_SET_PDEATHSIG,
                    libc::SIGKILL as libc::c_ulong,
                    0,
                    0,
                    0,
                ) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::getppid() != parent {
                    return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
                }
                Ok(())
            });
        }
    }
    let (reply, answer) = mpsc::channel();
    if spawner().send((cmd, reply)).is_err() {
        return Err(std::io::Error::other("the process spawner thread is gone"));
    }
    answer
        .recv()
        .unwrap_or_else(|_| Err(std::io::Error::other("the process spawner thread is gone")))
}

type SpawnRequest = (Command, mpsc::Sender<std::io::Result<Child>>);

/// The thread that forks every child (see [`spawn_child`]); started on first use, it
/// lives until the process ends (its channel's sender is never dropped).
fn spawner() -> &'static mpsc::Sender<SpawnRequest> {
    static SPAWNER: std::sync::OnceLock<mpsc::Sender<SpawnRequest>> = std::sync::OnceLock::new();
    SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnRequest>();
        std::thread::Builder::new()
            .name("stylecut-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
            })
            .expect("the process spawner thread starts");
        tx
    })
}

/// Spawns `cmd` (from the spawner thread: the child dies with this process), mapping "not
/// found" to [`MediaError::ToolMissing`].
pub fn spawn(cmd: Command, tool: &str) -> Result<KillOnDrop, MediaError> {
    match spawn_child(cmd) {
        Ok(child) => Ok(KillOnDrop {
            child,
            tool: tool.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(MediaError::ToolMissing {
            tool: tool.to_string(),
        }),
        Err(e) => Err(MediaError::Io(e)),
    }
}

/// A bounded tail of a process's stderr, filled by a reader thread.
#[derive(Clone, Default)]
pub struct StderrTail(Arc<Mutex<VecDeque<String>>>);

impl StderrTail {
    pub fn push(&self, line: &str) {
        let mut q = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if q.len() == STDERR_TAIL_LINES {
            q.pop_front();
        }
        q.push_back(line.to_string());
    }
    pub fn text(&self) -> String {
        let q = self.0.lock().unwrap_or_else(|p| p.into_inner());
        q.iter().cloned().collect::<Vec<_>>().join("\n")
    }
}

/// Reads stderr line by line on a thread, keeping a tail and passing lines to `on_line`.
pub fn read_stderr<R: Read + Send + 'static>(
    stderr: R,
    tail: StderrTail,
    mut on_line: impl FnMut(&str) + Send + 'static,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut r = BufReader::new(stderr);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match r.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buf);
                    let line = line.trim_end();
                    on_line(line);
                    // Per-frame filter chatter is not worth keeping in an error tail.
                    if !line.contains("Parsed_showinfo") {
                        tail.push(line);
                    }
                }
            }
        }
    })
}

/// How often a running child is checked for its exit, cancellation and the deadline.
const POLL: Duration = Duration::from_millis(25);

/// Sleeps between two checks of a running child: up to [`POLL`], but wakes as soon as
/// both its pipe readers ended (every sender of `closed` dropped: the child closed its
/// output, i.e. it is exiting), then checks every millisecond until it is reaped. Why:
/// with a fixed 25 ms sleep every ffmpeg run on the job's path (the probe, the picture's
/// encode, the mux) ended on average 12.5 ms after the process did.
fn wait_for_exit(closed: &mpsc::Receiver<()>) {
    match closed.recv_timeout(POLL) {
        Err(mpsc::RecvTimeoutError::Disconnected) => std::thread::sleep(Duration::from_millis(1)),
        Ok(()) | Err(mpsc::RecvTimeoutError::Timeout) => {}
    }
}

/// CPU time (user + system, in clock ticks) process `pid` has used; `None` when it cannot
/// be read (not Linux, the process gone).
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // pid (comm) state ppid ...: utime and stime are the 14th and 15th fields, the 12th
    // and 13th after the comm.
    let mut rest = stat.get(stat.rfind(')')? + 1..)?.split_whitespace();
    let utime: u64 = rest.nth(11)?.parse().ok()?;
    let stime: u64 = rest.next()?.parse().ok()?;
    Some(utime + stime)
}

/// How often a quiet child's CPU time is read for [`Pulse`].
const CPU_EVERY: Duration = Duration::from_millis(250);

/// Beats a [`Pulse`] while a child uses CPU time: a child that writes only to files (an
/// audio decode, a stabiliser's analysis pass) says nothing on its pipes for a long time
/// but works; a stopped or hung one (a stuck mount, SIGSTOP) uses none.
struct CpuWatch {
    pid: u32,
    last: Option<u64>,
    read_at: Option<Instant>,
}

impl CpuWatch {
    fn new(pid: u32) -> CpuWatch {
        CpuWatch {
            pid,
            last: None,
            read_at: None,
        }
    }

    fn check(&mut self, pulse: &Pulse) {
        if self.read_at.is_some_and(|t| t.elapsed() < CPU_EVERY) {
            return;
        }
        self.read_at = Some(Instant::now());
        let now = cpu_ticks(self.pid);
        if now.is_some() && self.last.is_some_and(|l| Some(l) < now) {
            pulse.beat();
        }
        self.last = now.or(self.last);
    }
}

/// Kills child `pid` (SIGKILL) as soon as its run options are cancelled or past their
/// deadline, from a thread of its own: for a caller that reads the child's pipes and is
/// blocked in a read while the child hangs (it would never see the cancel). Also beats
/// the options' pulse while the child uses CPU time. [`CancelWatch::finish`] it before
/// the child is reaped (the pid cannot have been reused meanwhile).
pub struct CancelWatch {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Option<MediaError>>>,
}

impl CancelWatch {
    pub fn start(pid: u32, opts: &RunOpts, tool: &str) -> CancelWatch {
        let (stop, stopped) = mpsc::channel::<()>();
        let (opts, tool) = (opts.clone(), tool.to_string());
        let thread = std::thread::spawn(move || {
            let mut cpu = CpuWatch::new(pid);
            loop {
                match stopped.recv_timeout(POLL) {
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    _ => return None,
                }
                if let Err(e) = opts.check(&tool) {
                    // SAFETY: a signal to our own child, not yet reaped (see `finish`).
                    #[cfg(unix)]
                    unsafe {
                        libc::kill(pid as libc::pid_t, libc::SIGKILL);
                    }
                    return Some(e);
                }
                cpu.check(&opts.pulse);
            }
        });
        CancelWatch {
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Stops watching; the cancel or timeout that made it kill the child, if it did.
    pub fn finish(mut self) -> Option<MediaError> {
        self.end()
    }

    fn end(&mut self) -> Option<MediaError> {
        drop(self.stop.take());
        self.thread.take().and_then(|t| t.join().ok().flatten())
    }
}

impl Drop for CancelWatch {
    fn drop(&mut self) {
        self.end();
    }
}

/// Output of a completed run.
#[derive(Debug)]
pub struct RunOutput {
    pub stdout: Vec<u8>,
    pub stderr_tail: String,
}

/// Runs a command to completion, honouring cancellation and the deadline. Stdout is
/// collected; each stdout line also goes to `on_stdout_line` (used for `-progress pipe:1`).
/// A non-zero exit is returned as [`MediaError::ToolFailed`]; callers that can tell a bad
/// input from our own fault re-map it.
pub fn run(
    cmd: Command,
    tool: &str,
    opts: &RunOpts,
    on_stdout_line: impl FnMut(&str) + Send + 'static,
) -> Result<RunOutput, MediaError> {
    run_inner(cmd, tool, opts, true, on_stdout_line)
}

/// [`run`] for a command whose stdout only streams lines to `on_stdout_line` (ffmpeg's
/// `-progress pipe:1`): the lines are not kept ([`RunOutput::stdout`] is empty), so memory
/// does not grow with the length of the run (ffmpeg's progress is a ≈ 180-byte block every
/// 0.5 s of wall time: ≈ 1.3 MB per hour of rendering, kept until the render ended).
pub fn run_streamed(
    cmd: Command,
    tool: &str,
    opts: &RunOpts,
    on_stdout_line: impl FnMut(&str) + Send + 'static,
) -> Result<RunOutput, MediaError> {
    run_inner(cmd, tool, opts, false, on_stdout_line)
}

fn run_inner(
    mut cmd: Command,
    tool: &str,
    opts: &RunOpts,
    keep_stdout: bool,
    mut on_stdout_line: impl FnMut(&str) + Send + 'static,
) -> Result<RunOutput, MediaError> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    opts.check(tool)?;
    let mut child = spawn(cmd, tool)?;
    let tail = StderrTail::default();
    // Each pipe reader holds a sender of `closed`; both end when the child closes its
    // stdout and stderr, that is when it exits, and the wait below wakes then instead of
    // at its next 25 ms poll (see `wait_for_exit`).
    let (closed_tx, closed) = mpsc::channel::<()>();
    let held_by_err = closed_tx.clone();
    let err_pulse = opts.pulse.clone();
    let err_thread = read_stderr(
        child.child.stderr.take().expect("stderr piped"),
        tail.clone(),
        move |_| {
            let _held = &held_by_err;
            err_pulse.beat();
        },
    );
    let mut stdout = child.child.stdout.take().expect("stdout piped");
    let out_pulse = opts.pulse.clone();
    let out_thread = std::thread::spawn(move || {
        let _held = closed_tx;
        let mut all = Vec::new();
        let mut r = BufReader::new(&mut stdout);
        let mut line = Vec::new();
        loop {
            line.clear();
            match r.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    out_pulse.beat();
                    on_stdout_line(String::from_utf8_lossy(&line).trim_end());
                    if keep_stdout {
                        all.extend_from_slice(&line);
                    }
                }
            }
        }
        all
    });
    let started = Instant::now();
    let mut cpu = CpuWatch::new(child.child.id());
    let status = loop {
        if let Some(st) = child.child.try_wait()? {
            break st;
        }
        cpu.check(&opts.pulse);
        if let Err(e) = opts.check(tool) {
            let _ = child.child.kill();
            let _ = child.child.wait();
            let _ = err_thread.join();
            let _ = out_thread.join();
            return Err(match e {
                MediaError::Timeout { tool, .. } => MediaError::Timeout {
                    tool,
                    seconds: started.elapsed().as_secs_f64(),
                },
                e => e,
            });
        }
        wait_for_exit(&closed);
    };
    let _ = err_thread.join();
    let stdout = out_thread.join().unwrap_or_default();
    let stderr_tail = tail.text();
    if !status.success() {
        return Err(MediaError::ToolFailed {
            tool: tool.to_string(),
            status: status.to_string(),
            stderr_tail,
        });
    }
    Ok(RunOutput {
        stdout,
        stderr_tail,
    })
}

/// `Some(version line)` when the tool runs.
pub fn tool_version(bin: &str) -> Option<String> {
    let out = Command::new(bin)
        .arg("-version")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .map(|s| s.to_string())
}

/// The ffmpeg filters a render can use (`stylecut apply`'s filtergraphs, the loudness
/// measure and the stabiliser pass); `stylecut doctor` checks that `ffmpeg` has each one.
pub const RENDER_FILTERS: &[&str] = &[
    "trim",
    "setpts",
    "settb",
    "fps",
    "scale",
    "crop",
    "pad",
    "setsar",
    "zoompan",
    "bwdif",
    "tpad",
    "format",
    "colorspace",
    "zscale",
    "tonemap",
    "hue",
    "lutrgb",
    "lutyuv",
    "colorcorrect",
    "vidstabdetect",
    "vidstabtransform",
    "subtitles",
    "xfade",
    // A pan's sub-pixel window (`graph::moving_crop_x`): the mixing and its masks.
    "maskedmerge",
    "color",
    // A vertical moving reframe window (`graph::moving_window`).
    "transpose",
    "concat",
    "split",
    "null",
    "atrim",
    "asetpts",
    "aresample",
    "aformat",
    "asplit",
    "acrossfade",
    "volume",
    "loudnorm",
    "acompressor",
    "bass",
    "equalizer",
    "highpass",
    "afftdn",
    "alimiter",
    "ebur128",
    "anull",
    "apad",
    "anullsrc",
];

/// Which of `names` the ffmpeg at `bin` lacks, from `ffmpeg -filters` (`None` when it
/// cannot be run).
pub fn missing_filters(bin: &str, names: &[&str]) -> Option<Vec<String>> {
    let out = Command::new(bin)
        .args(["-hide_banner", "-filters"])
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    // Lines look like ` TSC xfade             VV->V      Cross fade one video with another.`
    let have: std::collections::HashSet<&str> = text
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    Some(
        names
            .iter()
            .filter(|n| !have.contains(*n))
            .map(|n| n.to_string())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run's pulse beats with its child's output lines and with the CPU time a quiet
    /// child uses, and stays still while a child sits silent and idle.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_pulse_follows_a_childs_work_not_its_silence() {
        let opts = RunOpts::default();
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo tick; sleep 1.2"]);
        run(cmd, "sh", &opts, |_| {}).unwrap();
        // The tick came at the start; the silent second after it did not beat.
        assert!(
            opts.pulse.idle() >= Duration::from_millis(900),
            "{:?}",
            opts.pulse.idle()
        );
        // Busy without a word (a decode writing to a file): its CPU time beats.
        let opts = RunOpts::default();
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "i=0; while [ $i -lt 1500000 ]; do i=$((i+1)); done"]);
        let t = Instant::now();
        run(cmd, "sh", &opts, |_| {}).unwrap();
        assert!(
            t.elapsed() > Duration::from_millis(600),
            "{:?}",
            t.elapsed()
        );
        assert!(
            opts.pulse.idle() < Duration::from_millis(500),
            "{:?}",
            opts.pulse.idle()
        );
    }

    /// A reader blocked on the pipe of a child that hangs is freed by the cancel: the
    /// watch kills the child and reports the cancel.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_cancel_kills_a_hung_child_whose_pipe_is_being_read() {
        let opts = RunOpts::default();
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo hi; exec sleep 600"])
            .stdout(Stdio::piped());
        let mut child = spawn(cmd, "sh").unwrap();
        let watch = CancelWatch::start(child.child.id(), &opts, "sh");
        let mut out = child.child.stdout.take().unwrap();
        let cancel = opts.cancel.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            cancel.cancel();
        });
        let t = Instant::now();
        let mut got = Vec::new();
        out.read_to_end(&mut got).unwrap();
        assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
        assert_eq!(got, b"hi\n");
        assert!(matches!(watch.finish(), Some(MediaError::Cancelled)));
    }

    /// A child's stdout pipe is widened to 1 MiB, and what goes through it is unchanged.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_decode_pipe_is_widened_to_one_mebibyte() {
        use std::io::Write;
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        // SAFETY: F_GETPIPE_SZ on an open pipe.
        let before =
            unsafe { libc::fcntl(std::os::fd::AsRawFd::as_raw_fd(&out), libc::F_GETPIPE_SZ) };
        assert!(
            before > 0 && (before as usize) < WIDE_PIPE_BYTES,
            "{before}"
        );
        assert_eq!(widen_pipe(&out), Some(WIDE_PIPE_BYTES));
        let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut stdin = child.stdin.take().unwrap();
        let sent = data.clone();
        let writer = std::thread::spawn(move || stdin.write_all(&sent));
        let mut got = Vec::new();
        BufReader::new(out).read_to_end(&mut got).unwrap();
        writer.join().unwrap().unwrap();
        child.wait().unwrap();
        assert_eq!(got, data);
    }

    /// A child that closes its stdout and stderr long before it exits is still waited
    /// for (the wake-up on closed pipes then checks every millisecond), and its exit
    /// status and the output it wrote before are the ones returned.
    #[test]
    fn a_child_closing_its_pipes_early_is_waited_for() {
        let mut cmd = Command::new("sh");
        cmd.args([
            "-c",
            "echo out; echo err >&2; exec >&- 2>&-; sleep 0.3; exit 3",
        ]);
        let err = run(cmd, "sh", &RunOpts::default(), |_| {}).unwrap_err();
        match err {
            MediaError::ToolFailed {
                status,
                stderr_tail,
                ..
            } => {
                assert!(status.contains('3'), "{status}");
                assert_eq!(stderr_tail, "err");
            }
            e => panic!("{e}"),
        }
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo out; exec >&- 2>&-; sleep 0.2"]);
        let out = run(cmd, "sh", &RunOpts::default(), |_| {}).unwrap();
        assert_eq!(out.stdout, b"out\n");
    }

    /// A child started from a thread that then ends keeps running: its death signal is
    /// tied to the long-lived spawner thread, not to the caller's thread (which a tokio
    /// blocking pool retires when idle).
    #[cfg(target_os = "linux")]
    #[test]
    fn a_child_outlives_the_thread_that_asked_for_it() {
        let mut child = std::thread::spawn(|| {
            let mut cmd = Command::new("sleep");
            cmd.arg("30");
            spawn(cmd, "sleep").unwrap()
        })
        .join()
        .unwrap();
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            matches!(child.child.try_wait(), Ok(None)),
            "the child died with the thread"
        );
    }

    #[test]
    fn a_linked_flag_follows_its_origin_but_not_back() {
        let job = CancelFlag::new();
        let (a, b) = (job.linked(), job.linked());
        let a2 = a.linked();
        a.cancel();
        assert!(a.is_cancelled() && a2.is_cancelled());
        assert!(!job.is_cancelled() && !b.is_cancelled());
        job.cancel();
        assert!(b.is_cancelled());
        // A clone shares the flag.
        let c = CancelFlag::new();
        let c2 = c.clone();
        c2.cancel();
        assert!(c.is_cancelled());
    }

    #[test]
    fn the_installed_ffmpeg_has_every_render_filter() {
        let missing = missing_filters(&ffmpeg_bin(), RENDER_FILTERS).expect("ffmpeg runs");
        assert!(missing.is_empty(), "ffmpeg lacks {missing:?}");
        let bogus = missing_filters(&ffmpeg_bin(), &["scale", "no_such_filter_sc"]).unwrap();
        assert_eq!(bogus, vec!["no_such_filter_sc".to_string()]);
    }

    #[test]
    fn missing_tool_is_distinct() {
        let cmd = Command::new("definitely-not-a-real-binary-stylecut");
        let err = run(cmd, "nope", &RunOpts::default(), |_| {}).unwrap_err();
        assert!(matches!(err, MediaError::ToolMissing { .. }), "{err:?}");
    }

    #[test]
    fn timeout_kills_the_child() {
        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        let t = Instant::now();
        let err = run(
            cmd,
            "sleep",
            &RunOpts::with_timeout(Duration::from_millis(200)),
            |_| {},
        )
        .unwrap_err();
        assert!(matches!(err, MediaError::Timeout { .. }), "{err:?}");
        assert!(t.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn cancel_kills_the_child() {
        let opts = RunOpts::default();
        let c = opts.cancel.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(150));
            c.cancel();
        });
        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        let t = Instant::now();
        let err = run(cmd, "sleep", &opts, |_| {}).unwrap_err();
        assert!(matches!(err, MediaError::Cancelled), "{err:?}");
        assert!(t.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn streamed_run_passes_lines_on_without_keeping_them() {
        let script = "i=0; while [ $i -lt 2000 ]; do echo out_time_us=$i; i=$((i+1)); done";
        let seen = Arc::new(Mutex::new(0usize));
        let s = seen.clone();
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]);
        let out = run_streamed(cmd, "sh", &RunOpts::default(), move |l| {
            assert!(l.starts_with("out_time_us="));
            *s.lock().unwrap() += 1;
        })
        .unwrap();
        assert_eq!(*seen.lock().unwrap(), 2000);
        assert!(out.stdout.is_empty());
        // `run` keeps them (ffprobe's JSON is read from there).
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]);
        let out = run(cmd, "sh", &RunOpts::default(), |_| {}).unwrap();
        assert_eq!(out.stdout.iter().filter(|&&b| b == b'\n').count(), 2000);
    }

    #[test]
    fn failure_keeps_stderr_tail() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo boom >&2; exit 3"]);
        match run(cmd, "sh", &RunOpts::default(), |_| {}).unwrap_err() {
            MediaError::ToolFailed { stderr_tail, .. } => assert!(stderr_tail.contains("boom")),
            e => panic!("{e:?}"),
        }
    }
}
