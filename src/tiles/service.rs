//! Shared state of the map routes (地图服务): where the data comes from, the
//! prepared tile set for the current data version, the tile cache, an optional
//! PMTiles archive, and the configuration ([`MapsConfig`]).

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use crate::server::MapsConfig;
use crate::tiles::pmtiles::{Archive, PmtilesError};
use crate::tiles::{MapSource, TileCache, TileSet};

/// Returns the current map source (cheap; called per request).
pub type SourceProvider = Arc<dyn Fn() -> Arc<MapSource> + Send + Sync>;

/// State behind every map route.
pub struct MapsService {
    provider: SourceProvider,
    tileset: Mutex<Option<Arc<TileSet>>>,
    /// Encoded tiles, bounded by bytes.
    pub cache: TileCache,
    /// The archive given with `--pmtiles`.
    pub archive: Option<Archive>,
    /// Archive reads that failed (each answered by live encoding instead).
    pub archive_errors: AtomicU64,
    /// The configuration.
    pub config: MapsConfig,
}

impl MapsService {
    /// A service over a source provider.
    pub fn new(provider: SourceProvider, config: MapsConfig) -> Result<MapsService, PmtilesError> {
        let archive = config.pmtiles.as_deref().map(Archive::open).transpose()?;
        Ok(MapsService {
            provider,
            tileset: Mutex::new(None),
            cache: TileCache::new(config.cache_bytes),
            archive,
            archive_errors: AtomicU64::new(0),
            config,
        })
    }

    /// The service for the server's state: follows its Atlas (hot reloads change
    /// the data version and so every ETag). An archive that fails to open is
    /// logged and the tiles are encoded live instead (the CLI refuses to start
    /// on it first, see [`Archive::open`]).
    pub fn for_state(state: &crate::server::AppState) -> Arc<MapsService> {
        let st = state.clone();
        let provider = crate::tiles::atlas::atlas_provider(move || st.atlas());
        let config = state.maps().clone();
        match MapsService::new(provider.clone(), config.clone()) {
            Ok(s) => Arc::new(s),
            Err(e) => {
                tracing::error!(
                    "cannot open PMTiles archive {:?}: {e}; encoding tiles live",
                    config.pmtiles
                );
                let config = MapsConfig {
                    pmtiles: None,
                    ..config
                };
                Arc::new(MapsService {
                    provider,
                    tileset: Mutex::new(None),
                    cache: TileCache::new(config.cache_bytes),
                    archive: None,
                    archive_errors: AtomicU64::new(0),
                    config,
                })
            }
        }
    }

    /// A service over one fixed source.
    pub fn fixed(source: MapSource, config: MapsConfig) -> Result<MapsService, PmtilesError> {
        let s = Arc::new(source);
        MapsService::new(Arc::new(move || s.clone()), config)
    }

    /// The current map source.
    pub fn source(&self) -> Arc<MapSource> {
        (self.provider)()
    }

    /// The tile set prepared for this source's version (rebuilt when the version changes).
    pub fn tileset(&self, source: &MapSource) -> Arc<TileSet> {
        let mut guard = self.tileset.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_ref() {
            Some(ts) if ts.version() == source.version => ts.clone(),
            _ => {
                let ts = Arc::new(TileSet::new(source));
                *guard = Some(ts.clone());
                ts
            }
        }
    }
}
