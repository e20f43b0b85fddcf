//! The `stylecut` binary.

use clap::{Parser, Subcommand};

mod apply_cmd;
mod compare_cmd;
mod diff_cmd;

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
    /// Re-edit SOURCE in the style of a template video or a StyleJSON file.
    Apply(apply_cmd::ApplyArgs),
    /// Print the edit plan (EDL, filtergraph, ffmpeg arguments) as JSON.
    Plan(apply_cmd::PlanArgs),
    /// Field-by-field differences between two StyleJSON files.
    Diff(diff_cmd::DiffArgs),
    /// Contact sheet of template, source and output side by side.
    Compare(compare_cmd::CompareArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Apply(a) => apply_cmd::run_apply(a)?,
        Command::Plan(a) => apply_cmd::run_plan(a)?,
        Command::Diff(a) => diff_cmd::run(a)?,
        Command::Compare(a) => compare_cmd::run(a)?,
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
