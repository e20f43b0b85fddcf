//! Shared start-up: logging, the tokio runtime, the service, and shutdown signals.

use stylecut_jobs::CancellationToken;

/// The log filter of `LOG_LEVEL`: a level (`error`…`trace`, any case, also the names of
/// the original's Python logging, `WARNING` and `CRITICAL`) or a `tracing` filter. Left to
/// `tracing` alone, `WARNING` would read as a target name and switch every log line off.
pub fn log_filter(level: Option<String>) -> anyhow::Result<tracing_subscriber::EnvFilter> {
    let raw = level.unwrap_or_else(|| "info".into());
    let spec = match raw.trim().to_ascii_lowercase().as_str() {
        "warning" => "warn".to_string(),
        "critical" | "fatal" => "error".to_string(),
        _ => raw.trim().to_string(),
    };
    tracing_subscriber::EnvFilter::try_new(&spec)
        .map_err(|e| anyhow::anyhow!("LOG_LEVEL={raw:?} is not a log level or filter: {e}"))
}

pub fn init_logging(level: Option<String>) -> anyhow::Result<()> {
    let filter = log_filter(level)?;
    // Colours only on a terminal: a log file, a pipe or journald gets plain text.
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    Ok(())
}

/// Cancels `token` on SIGTERM or Ctrl-C.
///
/// The signal streams are made here, in the caller, not in the task that waits on them:
/// a stream registers its handler with the OS when it is made, and a spawned task may first
/// run only after `serve` has announced its address. A SIGTERM in that gap (a supervisor
/// stopping a server it has just started) met the default action: the process died at once
/// instead of shutting down (running jobs re-queued, webhook attempts in flight recorded).
pub fn on_shutdown_signal(token: CancellationToken) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut int), Ok(mut term)) => {
                tokio::spawn(async move {
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                    tracing::info!("shutdown requested");
                    token.cancel();
                });
            }
            (Err(e), _) | (_, Err(e)) => {
                tracing::error!("cannot listen for SIGINT/SIGTERM: {e}");
            }
        }
    }
    #[cfg(not(unix))]
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutdown requested");
        token.cancel();
    });
}

/// A worker identity unique to this process.
pub fn owner_id() -> String {
    format!(
        "pid{}-{}",
        std::process::id(),
        &stylecut_types::ids::new_job_id()[4..]
    )
}

/// Opens the service on `settings`' data directory. The service's Display of an internal
/// error is the API's terse "Internal error"; an operator starting it needs the cause (an
/// unwritable or full data directory, a database that cannot be opened, ...).
pub async fn open_service(
    settings: stylecut_jobs::Settings,
) -> anyhow::Result<stylecut_jobs::Service> {
    let dir = settings.data_dir.clone();
    stylecut_jobs::Service::open(settings).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot open the data directory {}: {}",
            dir.display(),
            e.detail()
        )
    })
}

/// Ends the runtime of `serve`/`worker` once its work is done, without waiting for a
/// blocking thread that does not return: a stalled run's thread left behind (docs/API.md
/// "When a run stalls") would otherwise hold the exit for as long as it is wedged (a
/// dropped runtime waits for every blocking task). Anything else still blocking gets a
/// few seconds.
pub fn let_go(rt: tokio::runtime::Runtime) {
    rt.shutdown_timeout(std::time::Duration::from_secs(5));
}

#[cfg(test)]
mod tests {
    use super::log_filter;
    use tracing_subscriber::filter::LevelFilter;

    #[test]
    fn log_level_names_of_the_original_keep_their_meaning() {
        let hint = |v: &str| log_filter(Some(v.into())).unwrap().max_level_hint();
        assert_eq!(hint("WARNING"), Some(LevelFilter::WARN));
        assert_eq!(hint("warning"), Some(LevelFilter::WARN));
        assert_eq!(hint("CRITICAL"), Some(LevelFilter::ERROR));
        assert_eq!(hint("DEBUG"), Some(LevelFilter::DEBUG));
        assert_eq!(hint("info"), Some(LevelFilter::INFO));
        // A tracing filter still passes through.
        assert_eq!(hint("stylecut_jobs=debug,warn"), Some(LevelFilter::DEBUG));
        assert!(log_filter(Some("stylecut_jobs=loud".into())).is_err());
    }
}
