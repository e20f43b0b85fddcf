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
///
/// The listener's handlers are registered with the OS before this returns, not later on
/// the listener thread: a signal that came between the return and that thread's first run
/// would otherwise meet the default action, which kills the command at once and leaves
/// its partial output and temporary files behind (the first temporary file of an analysis
/// is made within milliseconds of this call).
pub fn run_opts() -> RunOpts {
    OPTS.get_or_init(|| {
        let opts = RunOpts::default();
        let cancel = opts.cancel.clone();
        let listener = Signals::install().and_then(|(rt, mut signals)| {
            std::thread::Builder::new()
                .name("signals".into())
                .spawn(move || {
                    rt.block_on(async {
                        signals.next().await;
                        eprintln!(
                            "\ninterrupted: stopping and cleaning up (again to quit at once)"
                        );
                        cancel.cancel();
                        signals.next().await;
                        std::process::exit(EXIT_INTERRUPTED);
                    })
                })
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

/// SIGINT and SIGTERM streams: each registers its handler with the OS when it is made.
struct Signals {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Signals {
    /// The streams, and the runtime that drives them.
    fn install() -> std::io::Result<(tokio::runtime::Runtime, Signals)> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        #[cfg(unix)]
        let signals = {
            use tokio::signal::unix::{signal, SignalKind};
            let _in_rt = rt.enter();
            Signals {
                int: signal(SignalKind::interrupt())?,
                term: signal(SignalKind::terminate())?,
            }
        };
        #[cfg(not(unix))]
        let signals = Signals {};
        Ok((rt, signals))
    }

    /// Waits for SIGINT or (on Unix) SIGTERM.
    async fn next(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.int.recv() => {}
            _ = self.term.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::time::{Duration, Instant};

    /// A Ctrl-C that comes as soon as the command has its run options is a cancel, not the
    /// default action (which would end this test process with SIGINT).
    #[test]
    fn a_signal_right_after_run_opts_cancels_the_command() {
        let opts = super::run_opts();
        // SAFETY: raising a signal in this process; its handler is installed above.
        assert_eq!(unsafe { libc::raise(libc::SIGINT) }, 0);
        let t = Instant::now();
        while !opts.cancel.is_cancelled() {
            assert!(t.elapsed() < Duration::from_secs(30), "the signal was lost");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(super::interrupted());
    }
}
