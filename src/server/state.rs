//! Shared server state (服务状态): the current Atlas snapshot (swapped atomically
//! on reload), where it comes from, and the configuration of the map routes.

use crate::atlas::{Atlas, AtlasError};
use arc_swap::ArcSwap;
use std::path::PathBuf;
use std::sync::Arc;

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

/// Shared state of the server: the current Atlas snapshot, swapped atomically on reload.
#[derive(Clone)]
pub struct AppState {
    atlas: Arc<ArcSwap<Atlas>>,
    source: DataSource,
    maps: MapsConfig,
}

impl AppState {
    /// State serving `atlas`, loaded from `source`.
    pub fn new(atlas: Atlas, source: DataSource) -> Self {
        AppState {
            atlas: Arc::new(ArcSwap::from_pointee(atlas)),
            source,
            maps: MapsConfig::default(),
        }
    }

    /// The same state with this configuration of the map routes (tiles, OGC, page).
    pub fn with_maps(mut self, maps: MapsConfig) -> Self {
        self.maps = maps;
        self
    }

    /// Configuration of the map routes.
    pub fn maps(&self) -> &MapsConfig {
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
