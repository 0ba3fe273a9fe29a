//! HTTP API (axum): `/v1/*`, `/health`, `/ready`; every error is RFC 9457 problem+json.

pub mod locate;
pub mod problem;

use crate::atlas::{Atlas, AtlasError};
use arc_swap::ArcSwap;
use axum::extract::{DefaultBodyLimit, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};

/// Largest accepted request body (1 MiB); larger bodies get a 413 problem.
pub const BODY_LIMIT: usize = 1 << 20;

/// Where the served dataset comes from (for reloads).
#[derive(Debug, Clone)]
pub enum DataSource {
    /// The embedded default.
    Embedded,
    /// A dataset directory.
    Dir(PathBuf),
}

impl DataSource {
    /// Load and validate an Atlas from this source.
    pub fn load(&self) -> Result<Atlas, AtlasError> {
        match self {
            DataSource::Embedded => Atlas::embedded(),
            DataSource::Dir(d) => Atlas::load_dir(d),
        }
    }
}

/// Shared state of the server: the current Atlas snapshot, swapped atomically on reload.
#[derive(Clone)]
pub struct AppState {
    atlas: Arc<ArcSwap<Atlas>>,
    source: DataSource,
    maps: crate::web::MapsConfig,
}

impl AppState {
    /// State serving `atlas`, loaded from `source`.
    pub fn new(atlas: Atlas, source: DataSource) -> Self {
        AppState {
            atlas: Arc::new(ArcSwap::from_pointee(atlas)),
            source,
            maps: crate::web::MapsConfig::default(),
        }
    }

    /// The same state with this configuration of the map routes (tiles, OGC, page).
    pub fn with_maps(mut self, maps: crate::web::MapsConfig) -> Self {
        self.maps = maps;
        self
    }

    /// Configuration of the map routes.
    pub fn maps(&self) -> &crate::web::MapsConfig {
        &self.maps
    }

    /// The current snapshot.
    pub fn atlas(&self) -> Arc<Atlas> {
        self.atlas.load_full()
    }

    /// Where the data comes from (the governance rules load from the same place).
    pub fn source(&self) -> &DataSource {
        &self.source
    }

    /// Reload from the data source. On failure the old Atlas keeps serving and the
    /// error is returned; on success the new one is swapped in atomically.
    pub fn reload(&self) -> Result<String, AtlasError> {
        let atlas = self.source.load()?;
        let v = atlas.version().to_string();
        self.atlas.store(Arc::new(atlas));
        Ok(v)
    }
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

async fn ready(State(state): State<AppState>) -> Json<serde_json::Value> {
    let a = state.atlas();
    Json(json!({
        "status": "ready",
        "dataset": a.dataset(),
        "data_version": a.version(),
        "layers": a.layers().iter().map(|l| json!({"id": l.kind.id(), "units": l.units.len(), "provenance": l.provenance.status})).collect::<Vec<_>>(),
    }))
}

/// The full router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/v1/locate", get(locate::locate))
        .merge(crate::governance::http::routes_with(std::sync::Arc::new(
            crate::hydro::water::RiverWater,
        )))
        .merge(crate::formats::http::routes())
        .merge(crate::air::http::routes())
        .merge(crate::hydro::http::routes())
        .merge(crate::web::routes(crate::web::MapsService::for_state(
            &state,
        )))
        .fallback(|| async { problem::Problem::not_found("no such resource") })
        .with_state(state)
        .layer(axum::middleware::from_fn(problem::ensure_problem_json))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(tracing::Level::INFO))
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
}

/// Serve until SIGINT/SIGTERM (graceful: in-flight requests finish). On Unix,
/// SIGHUP reloads the data source; a failed reload keeps the old data serving.
pub async fn serve(addr: SocketAddr, state: AppState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, data_version = %state.atlas().version(), "liuyu serving");
    #[cfg(unix)]
    {
        let st = state.clone();
        tokio::spawn(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let Ok(mut hup) = signal(SignalKind::hangup()) else {
                return;
            };
            while hup.recv().await.is_some() {
                match tokio::task::spawn_blocking({
                    let st = st.clone();
                    move || st.reload()
                })
                .await
                {
                    Ok(Ok(v)) => tracing::info!(data_version = %v, "reloaded"),
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "reload failed; keeping the old data")
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "reload task failed; keeping the old data")
                    }
                }
            }
        });
    }
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
