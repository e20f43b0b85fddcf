//! Shared start-up: logging, the tokio runtime, the service, and shutdown signals.

use stylecut_jobs::CancellationToken;

pub fn init_logging(level: Option<String>) {
    let filter = tracing_subscriber::EnvFilter::try_new(level.unwrap_or_else(|| "info".into()))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
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
