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
pub fn on_shutdown_signal(token: CancellationToken) {
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::error!("cannot listen for SIGTERM: {e}");
                        let _ = ctrl_c.await;
                        token.cancel();
                        return;
                    }
                };
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
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
