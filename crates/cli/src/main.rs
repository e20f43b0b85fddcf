//! The `stylecut` binary.

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
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
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
