//! Ctrl-C (SIGINT) and SIGTERM for the one-shot commands (`analyze`, `extract`, `apply`,
//! `plan`, `compare`): the first signal cancels the running ffmpeg processes through the
//! shared cancel flag, so the command unwinds normally: the render's hidden partial MP4,
//! its scratch directory (chunk files, PCM: hundreds of MB on a long source) and the
//! analysis' temporary audio files are removed instead of being left behind by a killed
//! process. A second signal exits at once.

use std::sync::OnceLock;

use stylecut_media::RunOpts;

/// Exit status of a command stopped by a signal (128 + SIGINT), as shells report it.
pub const EXIT_INTERRUPTED: i32 = 130;

static OPTS: OnceLock<RunOpts> = OnceLock::new();

/// The run options every process of this command uses; the first call installs the
/// signal listener that cancels them.
pub fn run_opts() -> RunOpts {
    OPTS.get_or_init(|| {
        let opts = RunOpts::default();
        let cancel = opts.cancel.clone();
        let listener = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async {
                    next_signal().await;
                    eprintln!("\ninterrupted: stopping and cleaning up (again to quit at once)");
                    cancel.cancel();
                    next_signal().await;
                    std::process::exit(EXIT_INTERRUPTED);
                });
            });
        if let Err(e) = listener {
            eprintln!("warning: cannot listen for Ctrl-C: {e}");
        }
        opts
    })
    .clone()
}

/// True once a signal has cancelled the command.
pub fn interrupted() -> bool {
    OPTS.get().is_some_and(|o| o.cancel.is_cancelled())
}

/// Waits for SIGINT or (on Unix) SIGTERM.
async fn next_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
