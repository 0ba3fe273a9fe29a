//! A tile cache bounded by bytes (瓦片缓存): LRU-like eviction (`quick_cache`'s
//! CLOCK-Pro) weighted by the size of each gzip-compressed tile.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Bytes;
use flate2::{read::GzDecoder, write::GzEncoder, Compression};
use quick_cache::{sync::Cache, Weighter};
use sha2::{Digest, Sha256};

/// One encoded tile, ready to serve.
#[derive(Debug, Clone)]
pub struct CachedTile {
    /// Gzip-compressed MVT bytes (empty for an empty tile).
    pub gzip: Bytes,
    /// Length of the uncompressed MVT.
    pub raw_len: usize,
    /// Strong ETag (quoted), a hash of the data version and the tile bytes.
    pub etag: String,
}

impl CachedTile {
    /// Compress and tag raw MVT bytes produced from data version `version`.
    pub fn new(version: &str, raw: &[u8]) -> CachedTile {
        CachedTile {
            gzip: Bytes::from(gzip(raw)),
            raw_len: raw.len(),
            etag: etag(version, raw),
        }
    }

    /// Build from already-gzipped bytes (as stored in a PMTiles archive).
    pub fn from_gzip(version: &str, gz: Vec<u8>) -> std::io::Result<CachedTile> {
        let raw = gunzip(&gz)?;
        Ok(CachedTile {
            gzip: Bytes::from(gz),
            raw_len: raw.len(),
            etag: etag(version, &raw),
        })
    }

    /// The uncompressed MVT bytes.
    pub fn raw(&self) -> std::io::Result<Vec<u8>> {
        gunzip(&self.gzip)
    }
}

/// Gzip-compress bytes (deterministic: no file name or time in the header).
pub fn gzip(raw: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(
        Vec::with_capacity(raw.len() / 2 + 32),
        Compression::default(),
    );
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(raw);
    enc.finish().unwrap_or_default()
}

/// Decompress gzip bytes; empty input gives empty output.
pub fn gunzip(gz: &[u8]) -> std::io::Result<Vec<u8>> {
    if gz.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    GzDecoder::new(gz).read_to_end(&mut out)?;
    Ok(out)
}

/// A strong, quoted ETag over the data version and the content.
pub fn etag(version: &str, content: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(version.as_bytes());
    h.update([0u8]);
    h.update(content);
    format!("\"{}\"", &hex::encode(h.finalize())[..20])
}

#[derive(Clone)]
struct TileWeight;

impl Weighter<String, Arc<CachedTile>> for TileWeight {
    fn weight(&self, key: &String, val: &Arc<CachedTile>) -> u64 {
        // Bytes held plus a fixed per-entry overhead, never zero.
        (val.gzip.len() + key.len() + 96) as u64
    }
}

/// Memory-bounded cache of encoded tiles keyed by data version, layers and z/x/y,
/// so a data reload never serves stale tiles.
pub struct TileCache {
    inner: Option<Cache<String, Arc<CachedTile>, TileWeight>>,
    max_bytes: u64,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl TileCache {
    /// A cache holding at most `max_bytes` (0 disables caching).
    pub fn new(max_bytes: u64) -> TileCache {
        let inner = (max_bytes > 0).then(|| Cache::with_weighter(4096, max_bytes, TileWeight));
        TileCache {
            inner,
            max_bytes,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The cache key for a tile.
    pub fn key(version: &str, layers: &str, z: u8, x: u32, y: u32) -> String {
        format!("{version}/{layers}/{z}/{x}/{y}")
    }

    /// A cached tile.
    pub fn get(&self, key: &str) -> Option<Arc<CachedTile>> {
        let hit = self.inner.as_ref().and_then(|c| c.get(key));
        match hit {
            Some(_) => &self.hits,
            None => &self.misses,
        }
        .fetch_add(1, Ordering::Relaxed);
        hit
    }

    /// Lookups answered from the cache since it was made.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Lookups the cache could not answer since it was made.
    pub fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }

    /// Remember a tile.
    pub fn insert(&self, key: String, tile: Arc<CachedTile>) {
        if let Some(c) = &self.inner {
            c.insert(key, tile);
        }
    }

    /// Current weight in bytes.
    pub fn bytes(&self) -> u64 {
        self.inner.as_ref().map_or(0, |c| c.weight())
    }

    /// Number of cached tiles.
    pub fn len(&self) -> usize {
        self.inner.as_ref().map_or(0, |c| c.len())
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The configured bound in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngCore, SeedableRng};

    #[test]
    fn gzip_round_trip_and_etag_depends_on_version_and_content() {
        let raw = b"hello tiles".repeat(50);
        let t = CachedTile::new("v1", &raw);
        assert_eq!(t.raw().unwrap(), raw);
        assert!(t.gzip.len() < raw.len());
        assert_ne!(t.etag, CachedTile::new("v2", &raw).etag);
        assert_ne!(t.etag, CachedTile::new("v1", b"other").etag);
        assert_eq!(t.etag, CachedTile::new("v1", &raw).etag);
        assert!(t.etag.starts_with('"') && t.etag.ends_with('"'));
    }

    #[test]
    fn memory_bound_holds_under_load() {
        let cache = TileCache::new(200_000);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        for i in 0..2000u32 {
            let mut raw = vec![0u8; 1000];
            rng.fill_bytes(&mut raw); // incompressible
            cache.insert(
                TileCache::key("v", "all", 10, i, 0),
                Arc::new(CachedTile::new("v", &raw)),
            );
            assert!(
                cache.bytes() <= 200_000,
                "weight {} over bound",
                cache.bytes()
            );
        }
        assert!(cache.len() > 50 && cache.len() < 2000);
        let disabled = TileCache::new(0);
        disabled.insert("k".into(), Arc::new(CachedTile::new("v", b"x")));
        assert!(disabled.get("k").is_none());
    }
}
