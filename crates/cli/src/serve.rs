//! `stylecut serve`: the HTTP API and the workers in one process.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use stylecut_api::HttpOptions;
use stylecut_jobs::CancellationToken;
use stylecut_jobs::{webhook, worker};

use crate::runtime;
use crate::settings::Layers;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on [env: BIND] [default: 127.0.0.1:8000]; port 0 picks a free port.
    #[arg(long)]
    bind: Option<String>,
    /// Directory for the database and media [env: DATA_DIR] [default: ./data].
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Config file of KEY=value lines [env: STYLECUT_CONFIG].
    #[arg(long)]
    config: Option<PathBuf>,
    /// Serve the API only; jobs and webhooks are left to `stylecut worker` processes on the
    /// same data directory [env: API_ONLY=true].
    #[arg(long)]
    api_only: bool,
}

pub fn run(a: ServeArgs) -> anyhow::Result<()> {
    let layers = Layers::load(a.config.as_deref())?;
    runtime::init_logging(layers.get("LOG_LEVEL"))?;
    let rt = tokio::runtime::Runtime::new()?;
    let res = rt.block_on(serve(a, layers));
    runtime::let_go(rt);
    res
}

async fn serve(a: ServeArgs, layers: Layers) -> anyhow::Result<()> {
    let bind = a
        .bind
        .or_else(|| layers.get("BIND"))
        .unwrap_or_else(|| "127.0.0.1:8000".into());
    let data_dir = a
        .data_dir
        .or_else(|| layers.get("DATA_DIR").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("./data"));
    let listener = tokio::net::TcpListener::bind(&bind)
        .await
        .with_context(|| format!("binding {bind}"))?;
    let local = listener.local_addr()?;
    let base = layers
        .get("PUBLIC_BASE_URL")
        .unwrap_or_else(|| format!("http://{local}"))
        .trim_end_matches('/')
        .to_string();
    let settings = layers.settings(data_dir, base)?;
    let svc = crate::runtime::open_service(settings).await?;
    let http = HttpOptions {
        api_token: layers.get("API_TOKEN"),
        cors_origins: layers
            .get("CORS_ORIGINS")
            .map(|s| {
                s.split(',')
                    .map(|o| o.trim().to_string())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
    };
    let app = stylecut_api::router(svc.clone(), http);

    let shutdown = CancellationToken::new();
    runtime::on_shutdown_signal(shutdown.clone());
    let api_only = a.api_only || layers.flag("API_ONLY")?.unwrap_or(false);
    let mut background = Vec::new();
    if !api_only {
        let owner = runtime::owner_id();
        background.push(tokio::spawn(worker::run_pool(
            svc.clone(),
            owner,
            shutdown.clone(),
        )));
        background.push(tokio::spawn(worker::reclaim_loop(
            svc.clone(),
            shutdown.clone(),
        )));
        background.push(tokio::spawn(webhook::run_sender(
            svc.clone(),
            shutdown.clone(),
        )));
    }

    tracing::info!(data_dir = %svc.settings.data_dir.display(), "stylecut serving");
    // Tests and scripts read the real address (port 0) from this line.
    println!("stylecut listening on http://{local}");
    let stop = shutdown.clone();
    let server = tokio::spawn(stylecut_api::serve(listener, app, async move {
        stop.cancelled().await
    }));
    shutdown.cancelled().await;
    // Open event streams would hold the graceful shutdown forever: give requests a bound.
    if tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .is_err()
    {
        tracing::warn!("HTTP connections still open after 10 s; closing");
    }
    for task in background {
        let _ = task.await;
    }
    svc.db.close().await;
    tracing::info!("stopped");
    Ok(())
}
