//! `stylecut worker`: job workers and webhook delivery without HTTP, for running more
//! workers on the same data directory as a `serve` process.

use std::path::PathBuf;

use clap::Args;
use stylecut_jobs::CancellationToken;
use stylecut_jobs::{webhook, worker};

use crate::runtime;
use crate::settings::Layers;

#[derive(Args)]
pub struct WorkerArgs {
    /// Directory for the database and media [env: DATA_DIR] [default: ./data].
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Config file of KEY=value lines [env: STYLECUT_CONFIG].
    #[arg(long)]
    config: Option<PathBuf>,
}

pub fn run(a: WorkerArgs) -> anyhow::Result<()> {
    let layers = Layers::load(a.config.as_deref())?;
    runtime::init_logging(layers.get("LOG_LEVEL"))?;
    let data_dir = a
        .data_dir
        .or_else(|| layers.get("DATA_DIR").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("./data"));
    let base = layers
        .get("PUBLIC_BASE_URL")
        .unwrap_or_else(|| "http://127.0.0.1:8000".into());
    let settings = layers.settings(data_dir, base.trim_end_matches('/').to_string())?;
    let rt = tokio::runtime::Runtime::new()?;
    let res = rt.block_on(async move {
        let svc = crate::runtime::open_service(settings).await?;
        let shutdown = CancellationToken::new();
        runtime::on_shutdown_signal(shutdown.clone());
        let reclaim = tokio::spawn(worker::reclaim_loop(svc.clone(), shutdown.clone()));
        let sender = tokio::spawn(webhook::run_sender(svc.clone(), shutdown.clone()));
        tracing::info!("stylecut worker running");
        worker::run_pool(svc.clone(), runtime::owner_id(), shutdown).await;
        let _ = reclaim.await;
        let _ = sender.await;
        svc.db.close().await;
        anyhow::Ok(())
    });
    runtime::let_go(rt);
    res
}
