//! Runs an ffmpeg render and reports ffmpeg's own progress (`-progress pipe:1`).

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use crate::process::{ffmpeg_bin, run_streamed, MediaError, RunOpts};

/// Runs `ffmpeg <args>` (the caller gives inputs, filters and output; this adds
/// `-progress pipe:1 -nostats` and `-y`). `on_progress` gets the fraction of
/// `expected_duration_s` written so far. On failure a partially written `output` is removed.
pub fn run_ffmpeg(
    args: &[String],
    output: &Path,
    expected_duration_s: f64,
    opts: &RunOpts,
    on_progress: impl FnMut(f64) + Send + 'static,
) -> Result<(), MediaError> {
    let mut cmd = Command::new(ffmpeg_bin());
    cmd.args([
        "-hide_banner",
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-progress",
        "pipe:1",
        "-nostats",
    ]);
    cmd.args(args);
    let on_progress = Arc::new(Mutex::new(on_progress));
    let cb = on_progress.clone();
    let total = expected_duration_s.max(1e-3);
    let res = run_streamed(cmd, "ffmpeg", opts, move |line| {
        if let Some(v) = parse_out_time_s(line) {
            let mut f = cb.lock().unwrap_or_else(|p| p.into_inner());
            (f)((v / total).clamp(0.0, 1.0));
        }
    });
    match res {
        Ok(_) => {
            let mut f = on_progress.lock().unwrap_or_else(|p| p.into_inner());
            (f)(1.0);
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_file(output);
            Err(e)
        }
    }
}

/// `out_time_us=` (and the misnamed `out_time_ms=`, also microseconds) in seconds.
fn parse_out_time_s(line: &str) -> Option<f64> {
    let v = line
        .strip_prefix("out_time_us=")
        .or_else(|| line.strip_prefix("out_time_ms="))?;
    let us: i64 = v.trim().parse().ok()?;
    (us >= 0).then(|| us as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_progress_lines() {
        assert_eq!(parse_out_time_s("out_time_us=1500000"), Some(1.5));
        assert_eq!(parse_out_time_s("out_time_ms=2000000"), Some(2.0));
        assert_eq!(parse_out_time_s("out_time_us=N/A"), None);
        assert_eq!(parse_out_time_s("frame=10"), None);
    }
}
