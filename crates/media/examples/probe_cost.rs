//! Cost of the upload probe (bench program, docs/BENCHMARKS.md "Session 9: odd inputs"):
//! for each file, the wall time of `probe` (one ffprobe of the header, all main's probe
//! did for Matroska/WebM) and of `probe_video` (plus the completeness check), best of
//! `RUNS` (default 3), and probe_video's verdict.
//!
//!     cargo run --release -p stylecut-media --example probe_cost -- FILE...

use std::time::Instant;

use stylecut_media::{probe, RunOpts};

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(r);
    }
    (best, last.expect("at least one run"))
}

fn main() {
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3)
        .max(1);
    let opts = RunOpts::default();
    for path in std::env::args().skip(1) {
        let p = std::path::Path::new(&path);
        let (t_probe, _) = best_of(runs, || probe::probe(p, &opts));
        let (t_video, verdict) = best_of(runs, || probe::probe_video(p, &opts));
        let verdict = match verdict {
            Ok(i) => format!("ok {:.3} s", i.duration_s),
            Err(e) => format!("refused: {e}"),
        };
        println!("{path}\tprobe {t_probe:.3} s\tprobe_video {t_video:.3} s\t{verdict}");
    }
}
