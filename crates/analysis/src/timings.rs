//! Stage timings of a job, for profiling: with `STYLECUT_TIMINGS` set (to anything but
//! `0`), every [`stage`] prints one line to stderr when it ends —
//! `timing NAME: at A s, wall W s, thread cpu C s, process cpu P s` — where `at` is the
//! stage's start from the first stage of the process, `wall` its length, `thread cpu` the
//! CPU time of the thread that ran it (`/proc/thread-self/schedstat`: work handed to the
//! rayon or rten pools is not in it) and `process cpu` that of every thread of the process
//! during the stage (`/proc/self/stat`, 10 ms ticks; concurrent stages share it). Child
//! processes (ffmpeg, ffprobe) are in neither: `bench/README.md` ("Stage timings") shows how
//! to time those. Off, a stage is a `None`: one cached environment look-up, nothing printed,
//! nothing measured.

use std::sync::OnceLock;
use std::time::Instant;

/// The environment variable switching the stage timings on.
pub const TIMINGS_ENV: &str = "STYLECUT_TIMINGS";

/// Whether [`TIMINGS_ENV`] is set (to anything but `0` or an empty value).
pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os(TIMINGS_ENV).is_some_and(|v| !v.is_empty() && v != "0"))
}

/// The time every stage's start is counted from: the first stage's start.
fn epoch() -> Instant {
    static T0: OnceLock<Instant> = OnceLock::new();
    *T0.get_or_init(Instant::now)
}

/// The calling thread's CPU time so far, nanoseconds (Linux; None elsewhere).
fn thread_cpu_ns() -> Option<u64> {
    schedstat_cpu_ns(&std::fs::read_to_string("/proc/thread-self/schedstat").ok()?)
}

/// The CPU time (ns) in a `schedstat` line: its first field.
fn schedstat_cpu_ns(line: &str) -> Option<u64> {
    line.split_whitespace().next()?.parse().ok()
}

/// The process's CPU time so far (user + system, every thread), nanoseconds.
fn process_cpu_ns() -> Option<u64> {
    stat_cpu_ns(&std::fs::read_to_string("/proc/self/stat").ok()?)
}

/// Clock ticks per second of `/proc/*/stat` (`USER_HZ`, fixed at 100 in Linux's ABI).
const USER_HZ: u64 = 100;

/// User + system time (ns) of a `/proc/PID/stat` line: fields 14 and 15, counted after the
/// command name's closing parenthesis (the name may hold spaces and parentheses).
fn stat_cpu_ns(line: &str) -> Option<u64> {
    let rest = &line[line.rfind(')')? + 1..];
    // After the name: state (field 3) is the first; utime (14) the 12th, stime (15) the 13th.
    let mut f = rest.split_whitespace().skip(11);
    let utime: u64 = f.next()?.parse().ok()?;
    let stime: u64 = f.next()?.parse().ok()?;
    Some((utime + stime) * (1_000_000_000 / USER_HZ))
}

/// A running stage: prints its line when dropped.
pub struct Stage {
    name: &'static str,
    t0: Instant,
    cpu0: Option<u64>,
    process0: Option<u64>,
}

/// Starts timing stage `name` on this thread; None when the timings are off.
pub fn stage(name: &'static str) -> Option<Stage> {
    if !enabled() {
        return None;
    }
    epoch();
    Some(Stage {
        name,
        t0: Instant::now(),
        cpu0: thread_cpu_ns(),
        process0: process_cpu_ns(),
    })
}

impl Drop for Stage {
    fn drop(&mut self) {
        let wall = self.t0.elapsed().as_secs_f64();
        let at = self.t0.duration_since(epoch()).as_secs_f64();
        let secs = |a: Option<u64>, b: Option<u64>| match (a, b) {
            (Some(a), Some(b)) => format!("{:.3}", b.saturating_sub(a) as f64 / 1e9),
            _ => "?".into(),
        };
        let cpu = secs(self.cpu0, thread_cpu_ns());
        let process = secs(self.process0, process_cpu_ns());
        eprintln!(
            "timing {}: at {at:.3} s, wall {wall:.3} s, thread cpu {cpu} s, process cpu {process} s",
            self.name
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_user_and_system_time_past_a_name_with_spaces_and_parentheses() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
        // utime stime cutime cstime ...
        let line = "4242 (a (b) c) R 1 4242 4242 0 -1 4194304 100 0 0 0 250 37 9 9 20 0 3 0";
        assert_eq!(stat_cpu_ns(line), Some(287 * 10_000_000));
        assert_eq!(stat_cpu_ns("4242 (x) R 1 2"), None);
    }

    #[test]
    fn reads_the_first_schedstat_field() {
        assert_eq!(schedstat_cpu_ns("123456789 5000 12\n"), Some(123_456_789));
        assert_eq!(schedstat_cpu_ns(""), None);
    }

    #[test]
    fn the_process_and_thread_clocks_advance_with_work() {
        // Linux only: both files exist and a busy loop moves both clocks.
        let (Some(p0), Some(t0)) = (process_cpu_ns(), thread_cpu_ns()) else {
            return;
        };
        let start = Instant::now();
        let mut x = 0u64;
        while start.elapsed().as_millis() < 60 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        std::hint::black_box(x);
        assert!(thread_cpu_ns().unwrap() > t0);
        assert!(process_cpu_ns().unwrap() >= p0);
    }
}
