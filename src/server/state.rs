//! Shared server state (服务状态): the served [`Snapshot`] (swapped atomically
//! on reload), where it comes from, the last reload's outcome, the limits, the
//! work pool, the metrics, and the configuration of the map routes.

use crate::atlas::{Atlas, AtlasError};
use arc_swap::ArcSwap;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::limits::Limits;
use super::metrics::Metrics;
use super::snapshot::{Snapshot, SnapshotError};
use super::work::WorkPool;

/// Configuration of the map routes.
#[derive(Debug, Clone)]
pub struct MapsConfig {
    /// Tile cache bound in bytes (0 disables the cache).
    pub cache_bytes: u64,
    /// Serve the composite `hubei` tiles from this PMTiles archive.
    pub pmtiles: Option<PathBuf>,
    /// Extra allowed CORS origins (same origin and localhost are always allowed);
    /// `*` allows every origin.
    pub cors_origins: Vec<String>,
}

impl Default for MapsConfig {
    fn default() -> Self {
        MapsConfig {
            cache_bytes: 64 * 1024 * 1024,
            pmtiles: None,
            cors_origins: Vec::new(),
        }
    }
}

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

/// The outcome of the last reload, shown by `/ready`.
#[derive(Debug, Clone, Serialize)]
pub struct ReloadStatus {
    /// When it was attempted (RFC 3339, UTC).
    pub at: String,
    /// `ok`, `failed` or `timeout`.
    pub result: &'static str,
    /// Why it failed.
    pub error: Option<String>,
    /// How long it took, ms.
    pub duration_ms: u64,
    /// The data version serving after it.
    pub data_version: String,
}

#[derive(Default)]
struct Reloads {
    last: Mutex<Option<ReloadStatus>>,
    ok: AtomicU64,
    failed: AtomicU64,
    abandoned: AtomicU64,
    /// Taken to swap a new snapshot in, or to abandon a reload that timed out.
    gate: Mutex<()>,
}

/// Shared state of the server. Cloning is cheap (every member is shared).
#[derive(Clone)]
pub struct AppState {
    snapshot: Arc<ArcSwap<Snapshot>>,
    source: DataSource,
    maps: MapsConfig,
    register: Option<Arc<crate::register::Register>>,
    limits: Arc<Limits>,
    pool: Arc<WorkPool>,
    metrics: Arc<Metrics>,
    reloads: Arc<Reloads>,
}

impl AppState {
    /// State serving `atlas`, loaded from `source`. The other parts of the
    /// snapshot (governance rules, river graph) are built now; one that fails
    /// is kept as its error, its routes answer 503 and `/ready` names it. See
    /// [`AppState::load`] for the strict start.
    pub fn new(atlas: Atlas, source: DataSource) -> Self {
        let snapshot = Snapshot::lenient(Arc::new(atlas), &source, None, &super::router::parts());
        Self::with_snapshot(snapshot, source)
    }

    /// Loads the Atlas and every part from `source`; any failure is an error
    /// (the server does not start on bad data).
    pub fn load(source: DataSource) -> Result<Self, SnapshotError> {
        let snapshot = build_strict(&source, None)?;
        Ok(Self::with_snapshot(snapshot, source))
    }

    fn with_snapshot(snapshot: Snapshot, source: DataSource) -> Self {
        let limits = Limits::default();
        AppState {
            snapshot: Arc::new(ArcSwap::from_pointee(snapshot)),
            source,
            maps: MapsConfig::default(),
            register: None,
            pool: Arc::new(WorkPool::new(limits.heavy_workers, limits.heavy_queue)),
            limits: Arc::new(limits),
            metrics: Arc::new(Metrics::new()),
            reloads: Arc::new(Reloads::default()),
        }
    }

    /// The same state with these limits (and a work pool sized by them).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.pool = Arc::new(WorkPool::new(limits.heavy_workers, limits.heavy_queue));
        self.limits = Arc::new(limits);
        self
    }

    /// The same state with this configuration of the map routes (tiles, OGC, page).
    pub fn with_maps(mut self, maps: MapsConfig) -> Self {
        self.maps = maps;
        self
    }

    /// The same state with a register of filings and cases (登记簿).
    pub fn with_register(mut self, register: crate::register::Register) -> Self {
        self.register = Some(Arc::new(register));
        self
    }

    /// The register, when one is configured (`--state` or `--database`).
    pub fn register(&self) -> Option<&Arc<crate::register::Register>> {
        self.register.as_ref()
    }

    /// Configuration of the map routes.
    pub fn maps(&self) -> &MapsConfig {
        &self.maps
    }

    /// The limits in force.
    pub fn limits(&self) -> &Arc<Limits> {
        &self.limits
    }

    /// The pool for CPU-heavy work.
    pub fn pool(&self) -> &Arc<WorkPool> {
        &self.pool
    }

    /// The metrics registry.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The current snapshot (Atlas and parts, always from one load).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    /// The current Atlas.
    pub fn atlas(&self) -> Arc<Atlas> {
        self.snapshot.load().atlas().clone()
    }

    /// Where the data comes from (the governance rules load from the same place).
    pub fn source(&self) -> &DataSource {
        &self.source
    }

    /// The last reload's outcome (none yet: `None`), and the counts of
    /// successful and failed reloads.
    pub fn reload_status(&self) -> (Option<ReloadStatus>, u64, u64) {
        // Read under the lock `record` holds while it stores and counts.
        let last = self.reloads.last.lock().unwrap_or_else(|p| p.into_inner());
        let r = &self.reloads;
        (
            last.clone(),
            r.ok.load(Ordering::Relaxed),
            r.failed.load(Ordering::Relaxed),
        )
    }

    /// Reloads that timed out and later finished (their snapshot dropped, never swapped in).
    pub fn reloads_abandoned(&self) -> u64 {
        self.reloads.abandoned.load(Ordering::Relaxed)
    }

    /// Reloads the Atlas and every part from the data source, all or nothing:
    /// on success the new snapshot replaces the old one in one atomic swap and
    /// its data version is returned; on failure the old snapshot keeps
    /// serving. Either way the outcome is logged and shown by `/ready`.
    pub fn reload(&self) -> Result<String, SnapshotError> {
        let started = Instant::now();
        let outcome = self.build_and_swap(&Mutex::new(false));
        self.record(started, &outcome);
        outcome
    }

    /// [`AppState::reload`] on a blocking thread, given up after `timeout`: the
    /// reload then counts as failed, and its snapshot, should it ever finish,
    /// is dropped instead of swapped in.
    pub async fn reload_within(&self, timeout: Duration) -> Result<String, SnapshotError> {
        let started = Instant::now();
        let abandoned = Arc::new(Mutex::new(false));
        let (st, flag) = (self.clone(), abandoned.clone());
        let job = tokio::task::spawn_blocking(move || st.build_and_swap(&flag));
        let outcome = match tokio::time::timeout(timeout, job).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => Err(SnapshotError::Atlas(format!("the reload task failed: {e}"))),
            Err(_) => {
                let _gate = self.reloads.gate.lock().unwrap_or_else(|p| p.into_inner());
                *abandoned.lock().unwrap_or_else(|p| p.into_inner()) = true;
                Err(SnapshotError::Timeout(timeout.as_secs()))
            }
        };
        self.record(started, &outcome);
        outcome
    }

    fn build_and_swap(&self, abandoned: &Mutex<bool>) -> Result<String, SnapshotError> {
        let previous = self.snapshot();
        let snapshot = build_strict(&self.source, Some(&previous))?;
        let _gate = self.reloads.gate.lock().unwrap_or_else(|p| p.into_inner());
        if *abandoned.lock().unwrap_or_else(|p| p.into_inner()) {
            self.reloads.abandoned.fetch_add(1, Ordering::Relaxed);
            tracing::warn!("a reload that timed out has finished; its snapshot is dropped");
            return Err(SnapshotError::Timeout(self.limits.reload_timeout.as_secs()));
        }
        let v = snapshot.atlas().version().to_string();
        self.snapshot.store(Arc::new(snapshot));
        Ok(v)
    }

    fn record(&self, started: Instant, outcome: &Result<String, SnapshotError>) {
        let status = ReloadStatus {
            at: jiff::Timestamp::now().to_string(),
            result: match outcome {
                Ok(_) => "ok",
                Err(SnapshotError::Timeout(_)) => "timeout",
                Err(_) => "failed",
            },
            error: outcome.as_ref().err().map(ToString::to_string),
            duration_ms: started.elapsed().as_millis() as u64,
            data_version: self.atlas().version().to_string(),
        };
        match outcome {
            Ok(v) => tracing::info!(data_version = %v, ms = status.duration_ms, "reloaded"),
            Err(e) => tracing::error!(error = %e, "reload failed; the old data keeps serving"),
        }
        // The outcome and its counter change under one lock, so `/ready` never shows a
        // counted reload whose outcome is not stored yet.
        let mut last = self.reloads.last.lock().unwrap_or_else(|p| p.into_inner());
        *last = Some(status);
        let counter = if outcome.is_ok() {
            &self.reloads.ok
        } else {
            &self.reloads.failed
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// The Atlas and every part from `source`, any failure an error.
fn build_strict(
    source: &DataSource,
    previous: Option<&Snapshot>,
) -> Result<Snapshot, SnapshotError> {
    let atlas = source
        .load()
        .map_err(|e| SnapshotError::Atlas(e.to_string()))?;
    Snapshot::strict(Arc::new(atlas), source, previous, &super::router::parts())
}
