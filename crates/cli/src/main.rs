//! The `stylecut` binary. Each subcommand lives in its own module.

mod doctor;
mod interrupt;
mod output;
mod paths;
mod runtime;
mod serve;
mod settings;
mod worker;

mod analyze;
mod extract;

mod apply_cmd;
mod compare_cmd;
mod diff_cmd;

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
    /// Run the HTTP API and the job workers in one process.
    Serve(serve::ServeArgs),
    /// Run job workers and webhook delivery only (no HTTP), sharing a data directory.
    Worker(worker::WorkerArgs),
    /// Analyse a video and print the analysis document as JSON.
    Analyze(analyze::AnalyzeArgs),
    /// Measure a template video and print its StyleJSON.
    Extract(extract::ExtractArgs),
    /// Re-edit SOURCE in the style of a template video or a StyleJSON file (with neither,
    /// SOURCE keeps its own style; the config's resolution, duration cap and quality apply).
    Apply(apply_cmd::ApplyArgs),
    /// Print the edit plan (EDL, filtergraph, ffmpeg arguments) as JSON.
    Plan(apply_cmd::PlanArgs),
    /// Field-by-field differences between two StyleJSON files (exit status 0 same, 1
    /// different, 2 trouble, as diff(1)).
    Diff(diff_cmd::DiffArgs),
    /// Contact sheet of template, source and output side by side.
    Compare(compare_cmd::CompareArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Doctor => doctor::run(),
        Command::Serve(a) => serve::run(a),
        Command::Worker(a) => worker::run(a),
        Command::Analyze(args) => interruptible(analyze::run(args)),
        Command::Extract(args) => interruptible(extract::run(args)),
        Command::Apply(a) => interruptible(apply_cmd::run_apply(a)),
        Command::Plan(a) => interruptible(apply_cmd::run_plan(a)),
        Command::Diff(a) => std::process::exit(diff_cmd::exit_status(diff_cmd::run(a))),
        Command::Compare(a) => interruptible(compare_cmd::run(a)),
    };
    if let Err(e) = result {
        eprint!("{}", error_report(&e));
        std::process::exit(1);
    }
}

/// What a failed command prints: the error and its causes, as `anyhow` words them, but
/// never a stack trace. (Returning the error from `main` prints one whenever
/// `RUST_BACKTRACE` is set, as it is on many developers' machines: thirty frames of
/// tokio and std under "video x.mp4: no such file".)
fn error_report(e: &anyhow::Error) -> String {
    let mut out = format!("Error: {e}\n");
    let causes: Vec<String> = e.chain().skip(1).map(|c| c.to_string()).collect();
    match causes.as_slice() {
        [] => {}
        [one] => out.push_str(&format!("\nCaused by:\n    {one}\n")),
        many => {
            out.push_str("\nCaused by:\n");
            for (i, c) in many.iter().enumerate() {
                out.push_str(&format!("    {i}: {c}\n"));
            }
        }
    }
    out
}

/// A command's result, or the interrupted exit status when a signal cancelled it (the
/// error it ended with is then only the cancellation's echo).
fn interruptible(r: anyhow::Result<()>) -> anyhow::Result<()> {
    if r.is_err() && interrupt::interrupted() {
        eprintln!("interrupted");
        std::process::exit(interrupt::EXIT_INTERRUPTED);
    }
    r
}
