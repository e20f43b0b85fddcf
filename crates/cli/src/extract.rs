//! `stylecut extract VIDEO`: analyses a template and prints its StyleJSON
//! (docs/STYLEJSON.md). `stylecut extract --from-analysis A.json` derives the
//! StyleJSON from an analysis document printed earlier by `stylecut analyze`
//! (no decoding), so a stored analysis can be re-read without the video.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::analyze::analyze_with_progress;

#[derive(Args)]
pub struct ExtractArgs {
    /// Template video to measure.
    #[arg(
        required_unless_present = "from_analysis",
        conflicts_with = "from_analysis"
    )]
    pub video: Option<PathBuf>,
    /// Read an analysis document (`stylecut analyze` output; `-` for stdin)
    /// instead of decoding a video.
    #[arg(long, value_name = "FILE")]
    pub from_analysis: Option<PathBuf>,
    /// Print progress to stderr.
    #[arg(long)]
    pub progress: bool,
}

fn read_analysis(path: &std::path::Path) -> anyhow::Result<stylecut_types::Analysis> {
    crate::paths::input_file(path, "analysis document")?;
    let mut text = String::new();
    if path.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text)?;
    } else {
        text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
    }
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not an analysis document", path.display()))
}

pub fn run(args: ExtractArgs) -> anyhow::Result<()> {
    let analysis = match (&args.from_analysis, &args.video) {
        (Some(file), _) => read_analysis(file)?,
        (None, Some(video)) => analyze_with_progress(video, args.progress)?,
        (None, None) => anyhow::bail!("give a VIDEO or --from-analysis FILE"),
    };
    let style = stylecut_style::extract::extract(&analysis)?;
    crate::output::line(serde_json::to_string_pretty(&style)?)?;
    Ok(())
}
