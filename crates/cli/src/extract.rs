//! `stylecut extract VIDEO`: analyses a template and prints its StyleJSON
//! (docs/STYLEJSON.md).

use std::path::PathBuf;

use clap::Args;

use crate::analyze::analyze_with_progress;

#[derive(Args)]
pub struct ExtractArgs {
    /// Template video to measure.
    pub video: PathBuf,
    /// Print progress to stderr.
    #[arg(long)]
    pub progress: bool,
}

pub fn run(args: ExtractArgs) -> anyhow::Result<()> {
    let analysis = analyze_with_progress(&args.video, args.progress)?;
    let style = stylecut_style::extract::extract(&analysis)?;
    println!("{}", serde_json::to_string_pretty(&style)?);
    Ok(())
}
