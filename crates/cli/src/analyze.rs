//! `stylecut analyze VIDEO`: prints the full analysis document (docs/ANALYSIS.md) as JSON.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use stylecut_style::analyze::{analyze_file, Phase};

#[derive(Args)]
pub struct AnalyzeArgs {
    /// Video file to analyse.
    pub video: PathBuf,
    /// Print progress to stderr.
    #[arg(long)]
    pub progress: bool,
}

/// Runs the analysis and reports progress on stderr when asked.
pub fn analyze_with_progress(
    video: &std::path::Path,
    show: bool,
) -> anyhow::Result<stylecut_types::Analysis> {
    crate::paths::input_file(video, "video")?;
    let mut last = (None, -1i64);
    let mut report = |phase: Phase, f: f64| {
        let pct = (f * 100.0).round() as i64;
        if show && (last.0 != Some(phase) || pct >= last.1 + 10) {
            eprintln!("{phase:?}: {pct}%");
            last = (Some(phase), pct);
        }
    };
    let (_, analysis) = analyze_file(video, &crate::interrupt::run_opts(), None, &mut report)
        .with_context(|| format!("analysing {}", video.display()))?;
    Ok(analysis)
}

pub fn run(args: AnalyzeArgs) -> anyhow::Result<()> {
    let analysis = analyze_with_progress(&args.video, args.progress)?;
    crate::output::line(serde_json::to_string_pretty(&analysis)?)?;
    Ok(())
}
