//! The `stylecut` binary.

mod analyze;
mod extract;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "stylecut",
    version,
    about = "Learn the editing style of a template video and apply it to other footage"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print version and tool availability.
    Doctor,
    /// Analyse a video and print the analysis document as JSON.
    Analyze(analyze::AnalyzeArgs),
    /// Measure a template video and print its StyleJSON.
    Extract(extract::ExtractArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze(args) => analyze::run(args)?,
        Command::Extract(args) => extract::run(args)?,
        Command::Doctor => {
            println!("stylecut {}", env!("CARGO_PKG_VERSION"));
            for bin in [
                stylecut_media::process::ffmpeg_bin(),
                stylecut_media::process::ffprobe_bin(),
            ] {
                match stylecut_media::process::tool_version(&bin) {
                    Some(v) => println!("{bin}: {v}"),
                    None => println!("{bin}: NOT FOUND (install ffmpeg)"),
                }
            }
        }
    }
    Ok(())
}
