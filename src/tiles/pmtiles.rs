//! PMTiles v3 archives (单文件瓦片归档): written with the `pmtiles` crate,
//! read back by a small reader of our own (127-byte header, varint directories,
//! gzip-compressed internals) so the server can serve tiles from an archive.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use axum::body::Bytes;
use pmtiles::{Compression, PmTilesWriter, TileCoord, TileType};
use serde_json::Value;

use super::cache::{gunzip, gzip};
use super::mercator::TileId;
use super::mvt::{TileError, TileSet};

/// Length of a PMTiles v3 header.
pub const HEADER_LEN: usize = 127;
/// MIME type of a PMTiles archive.
pub const MIME: &str = "application/vnd.pmtiles";

/// Errors reading or writing an archive.
#[derive(Debug, thiserror::Error)]
pub enum PmtilesError {
    /// File system error.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The writer crate refused.
    #[error("PMTiles writer: {0}")]
    Write(#[from] pmtiles::PmtError),
    /// A tile failed to encode.
    #[error(transparent)]
    Tile(#[from] TileError),
    /// The bytes are not a PMTiles v3 archive we can read.
    #[error("not a readable PMTiles v3 archive: {0}")]
    Format(String),
}

/// The PMTiles tile id (Hilbert order within each zoom) of a tile.
pub fn tile_id(t: TileId) -> u64 {
    TileCoord::new(t.z, t.x, t.y)
        .map(|c| pmtiles::TileId::from(c).value())
        .unwrap_or(u64::MAX)
}

/// What `build` wrote.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BuildStats {
    /// Tiles visited (the covering of the bounds at every zoom).
    pub tiles_visited: usize,
    /// Non-empty tiles written.
    pub tiles_written: usize,
    /// Archive size in bytes.
    pub bytes: u64,
}

/// Settings of an archive build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Layer ids, in drawing order.
    pub layers: Vec<String>,
    /// Lowest zoom.
    pub min_zoom: u8,
    /// Highest zoom.
    pub max_zoom: u8,
    /// Bounds `(west, south, east, north)` in degrees.
    pub bounds: (f64, f64, f64, f64),
    /// The JSON metadata (TileJSON-like, with `vector_layers`).
    pub metadata: Value,
}

/// Write every non-empty tile of `opts.layers` covering the bounds to a PMTiles v3
/// archive at `out`. Tiles are gzip-compressed exactly as the server sends them.
/// `progress(done, total)` is called after each tile.
pub fn build(
    tiles: &TileSet,
    opts: &BuildOptions,
    out: &Path,
    mut progress: impl FnMut(usize, usize),
) -> Result<BuildStats, PmtilesError> {
    let (w, s, e, n) = opts.bounds;
    let mut all: Vec<TileId> = (opts.min_zoom..=opts.max_zoom)
        .flat_map(|z| TileId::covering(z, w, s, e, n))
        .collect();
    all.sort_by_key(|t| tile_id(*t));
    let layer_refs: Vec<&str> = opts.layers.iter().map(String::as_str).collect();
    let center = ((w + e) / 2.0, (s + n) / 2.0);
    let tmp = out.with_extension("pmtiles.tmp");
    let file = BufWriter::new(File::create(&tmp)?);
    let mut writer = PmTilesWriter::new(TileType::Mvt)
        .precompressed(Compression::Gzip)
        .internal_compression(Compression::Gzip)
        .min_zoom(opts.min_zoom)
        .max_zoom(opts.max_zoom)
        .bounds(w, s, e, n)
        .center(center.0, center.1)
        .center_zoom(opts.min_zoom.max(6).min(opts.max_zoom))
        .metadata(opts.metadata.to_string())
        .create(file)?;
    let mut stats = BuildStats {
        tiles_visited: all.len(),
        ..BuildStats::default()
    };
    for (i, t) in all.iter().enumerate() {
        let raw = tiles.render(&layer_refs, *t)?;
        if !raw.is_empty() {
            let coord = TileCoord::new(t.z, t.x, t.y)?;
            writer.add_tile(coord, &gzip(&raw))?;
            stats.tiles_written += 1;
        }
        progress(i + 1, all.len());
    }
    writer.finalize()?;
    std::fs::rename(&tmp, out)?;
    stats.bytes = std::fs::metadata(out)?.len();
    Ok(stats)
}

/// The fields of a PMTiles v3 header.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Header {
    /// Root directory offset and length.
    pub root: (u64, u64),
    /// JSON metadata offset and length.
    pub metadata: (u64, u64),
    /// Leaf directories offset and length.
    pub leaves: (u64, u64),
    /// Tile data offset and length.
    pub data: (u64, u64),
    /// Number of addressed tiles.
    pub addressed_tiles: u64,
    /// Internal compression (2 = gzip).
    pub internal_compression: u8,
    /// Tile compression (2 = gzip).
    pub tile_compression: u8,
    /// Tile type (1 = MVT).
    pub tile_type: u8,
    /// Zoom range.
    pub min_zoom: u8,
    /// Zoom range.
    pub max_zoom: u8,
    /// Bounds (west, south, east, north) in degrees.
    pub bounds: (f64, f64, f64, f64),
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

fn deg_at(b: &[u8], at: usize) -> f64 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[at..at + 4]);
    f64::from(i32::from_le_bytes(a)) / 1e7
}

impl Header {
    /// Parse the 127-byte header.
    pub fn parse(b: &[u8]) -> Result<Header, PmtilesError> {
        if b.len() < HEADER_LEN || &b[..7] != b"PMTiles" || b[7] != 3 {
            return Err(PmtilesError::Format("bad magic or version".into()));
        }
        Ok(Header {
            root: (u64_at(b, 8), u64_at(b, 16)),
            metadata: (u64_at(b, 24), u64_at(b, 32)),
            leaves: (u64_at(b, 40), u64_at(b, 48)),
            data: (u64_at(b, 56), u64_at(b, 64)),
            addressed_tiles: u64_at(b, 72),
            internal_compression: b[97],
            tile_compression: b[98],
            tile_type: b[99],
            min_zoom: b[100],
            max_zoom: b[101],
            bounds: (
                deg_at(b, 102),
                deg_at(b, 106),
                deg_at(b, 110),
                deg_at(b, 114),
            ),
        })
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    tile_id: u64,
    offset: u64,
    length: u64,
    run_length: u64,
}

fn varint(b: &[u8], pos: &mut usize) -> Result<u64, PmtilesError> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b
            .get(*pos)
            .ok_or_else(|| PmtilesError::Format("truncated varint".into()))?;
        *pos += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(PmtilesError::Format("varint too long".into()))
}

fn parse_directory(b: &[u8]) -> Result<Vec<Entry>, PmtilesError> {
    let mut pos = 0;
    let n = varint(b, &mut pos)? as usize;
    if n > b.len() {
        return Err(PmtilesError::Format(
            "directory entry count exceeds its size".into(),
        ));
    }
    let mut e = vec![
        Entry {
            tile_id: 0,
            offset: 0,
            length: 0,
            run_length: 0
        };
        n
    ];
    let mut last = 0u64;
    for x in e.iter_mut() {
        last = last
            .checked_add(varint(b, &mut pos)?)
            .ok_or_else(|| PmtilesError::Format("tile id overflow".into()))?;
        x.tile_id = last;
    }
    for x in e.iter_mut() {
        x.run_length = varint(b, &mut pos)?;
    }
    for x in e.iter_mut() {
        x.length = varint(b, &mut pos)?;
    }
    for i in 0..n {
        let v = varint(b, &mut pos)?;
        e[i].offset = if v == 0 && i > 0 {
            e[i - 1].offset + e[i - 1].length
        } else {
            v.saturating_sub(1)
        };
    }
    Ok(e)
}

/// State of a verification walk over the tile entries, in tile id order.
#[derive(Default)]
struct Walk {
    /// First tile id not yet covered by an entry.
    next_id: u64,
    tiles: u64,
    /// Data offsets already decompressed (deduplicated tiles share one).
    seen: std::collections::HashSet<u64>,
}

impl Walk {
    fn tile(&mut self, a: &Archive, e: &Entry) -> Result<(), PmtilesError> {
        if e.tile_id < self.next_id {
            return Err(PmtilesError::Format(format!(
                "tile id {} out of order or overlapping",
                e.tile_id
            )));
        }
        self.next_id = e.tile_id.saturating_add(e.run_length);
        self.tiles = self.tiles.saturating_add(e.run_length);
        let (doff, dlen) = a.header.data;
        if e.length == 0 || e.offset.checked_add(e.length).is_none_or(|end| end > dlen) {
            return Err(PmtilesError::Format(format!(
                "tile {} lies outside the data section",
                e.tile_id
            )));
        }
        if self.seen.insert(e.offset) {
            let gz = Archive::slice(&a.bytes, (doff.saturating_add(e.offset), e.length))?;
            gunzip(gz).map_err(|err| {
                PmtilesError::Format(format!("tile {} does not decompress: {err}", e.tile_id))
            })?;
        }
        Ok(())
    }
}

/// A PMTiles v3 archive held in memory (our own reader).
pub struct Archive {
    bytes: Bytes,
    header: Header,
    root: Vec<Entry>,
    metadata: Value,
}

impl Archive {
    /// Read an archive file (a regular file only) into memory and verify it
    /// whole ([`Archive::verify`]): a truncated or corrupted archive is refused here,
    /// not discovered tile by tile while serving.
    pub fn open(path: &Path) -> Result<Archive, PmtilesError> {
        let a = Archive::from_bytes(Bytes::from(crate::atlas::read_regular_file(path)?))?;
        a.verify()?;
        Ok(a)
    }

    /// Parse an archive from bytes.
    pub fn from_bytes(bytes: Bytes) -> Result<Archive, PmtilesError> {
        let header = Header::parse(&bytes)?;
        let root = parse_directory(&Self::internal(&bytes, &header, header.root)?)?;
        let metadata = serde_json::from_slice(&Self::internal(&bytes, &header, header.metadata)?)
            .map_err(|e| PmtilesError::Format(format!("metadata: {e}")))?;
        Ok(Archive {
            bytes,
            header,
            root,
            metadata,
        })
    }

    fn slice(bytes: &[u8], (off, len): (u64, u64)) -> Result<&[u8], PmtilesError> {
        let start = usize::try_from(off).map_err(|_| PmtilesError::Format("offset".into()))?;
        let end = start
            .checked_add(usize::try_from(len).map_err(|_| PmtilesError::Format("length".into()))?);
        end.and_then(|end| bytes.get(start..end))
            .ok_or_else(|| PmtilesError::Format("range outside the file".into()))
    }

    fn internal(bytes: &[u8], h: &Header, range: (u64, u64)) -> Result<Vec<u8>, PmtilesError> {
        let raw = Self::slice(bytes, range)?;
        match h.internal_compression {
            2 => Ok(gunzip(raw)?),
            1 | 0 => Ok(raw.to_vec()),
            c => Err(PmtilesError::Format(format!(
                "internal compression {c} not supported"
            ))),
        }
    }

    /// Checks the whole archive: the header (MVT, gzip, zooms 0-22, bounds),
    /// every section inside the file, every directory (root and leaves, at
    /// most 4 levels, tile ids ascending without overlap), every tile range
    /// inside the data section, and every tile decompresses; the tile count
    /// matches the header's. Returns the number of tiles addressed.
    pub fn verify(&self) -> Result<u64, PmtilesError> {
        let h = &self.header;
        let bad = |m: String| Err(PmtilesError::Format(m));
        if h.tile_type != 1 || h.tile_compression != 2 {
            return bad(format!(
                "tile type {} / compression {}: expected gzip MVT (1 / 2)",
                h.tile_type, h.tile_compression
            ));
        }
        if h.min_zoom > h.max_zoom || h.max_zoom > 22 {
            return bad(format!(
                "zooms {}-{} out of order or above 22",
                h.min_zoom, h.max_zoom
            ));
        }
        let (w, s, e, n) = h.bounds;
        if !(-180.0..=180.0).contains(&w)
            || !(-180.0..=180.0).contains(&e)
            || !(-90.0..=90.0).contains(&s)
            || !(-90.0..=90.0).contains(&n)
            || s > n
        {
            return bad(format!(
                "bounds {:?} are not longitudes and latitudes",
                h.bounds
            ));
        }
        for (name, range) in [
            ("root", h.root),
            ("metadata", h.metadata),
            ("leaves", h.leaves),
            ("data", h.data),
        ] {
            Self::slice(&self.bytes, range).map_err(|_| {
                PmtilesError::Format(format!("the {name} section lies outside the file"))
            })?;
        }
        let mut walk = Walk::default();
        self.verify_directory(&self.root, 0, &mut walk)?;
        if h.addressed_tiles != 0 && walk.tiles != h.addressed_tiles {
            return bad(format!(
                "the directories address {} tiles, the header says {}",
                walk.tiles, h.addressed_tiles
            ));
        }
        Ok(walk.tiles)
    }

    fn verify_directory(
        &self,
        dir: &[Entry],
        depth: usize,
        walk: &mut Walk,
    ) -> Result<(), PmtilesError> {
        if depth > 3 {
            return Err(PmtilesError::Format("directory nesting too deep".into()));
        }
        for e in dir {
            if e.run_length == 0 {
                let (lo, ll) = self.header.leaves;
                if e.offset.checked_add(e.length).is_none_or(|end| end > ll) {
                    return Err(PmtilesError::Format(
                        "leaf directory outside its section".into(),
                    ));
                }
                let leaf = parse_directory(&Self::internal(
                    &self.bytes,
                    &self.header,
                    (lo.saturating_add(e.offset), e.length),
                )?)?;
                self.verify_directory(&leaf, depth + 1, walk)?;
                continue;
            }
            walk.tile(self, e)?;
        }
        Ok(())
    }

    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The JSON metadata.
    pub fn metadata(&self) -> &Value {
        &self.metadata
    }

    /// The stored (gzip-compressed) bytes of a tile, or `None` when the archive has no such tile.
    pub fn get(&self, t: TileId) -> Result<Option<Bytes>, PmtilesError> {
        let id = tile_id(t);
        let mut dir = self.root.clone();
        for _ in 0..4 {
            let idx = dir.partition_point(|e| e.tile_id <= id);
            let Some(e) = idx.checked_sub(1).map(|i| dir[i]) else {
                return Ok(None);
            };
            if e.run_length == 0 {
                let (lo, ll) = self.header.leaves;
                if e.offset.checked_add(e.length).is_none_or(|end| end > ll) {
                    return Err(PmtilesError::Format(
                        "leaf directory outside its section".into(),
                    ));
                }
                dir = parse_directory(&Self::internal(
                    &self.bytes,
                    &self.header,
                    (lo.saturating_add(e.offset), e.length),
                )?)?;
                continue;
            }
            if id >= e.tile_id.saturating_add(e.run_length) {
                return Ok(None);
            }
            let (doff, dlen) = self.header.data;
            if e.offset.checked_add(e.length).is_none_or(|end| end > dlen) {
                return Err(PmtilesError::Format("tile outside the data section".into()));
            }
            let range = (doff.saturating_add(e.offset), e.length);
            Self::slice(&self.bytes, range)?;
            let start =
                usize::try_from(range.0).map_err(|_| PmtilesError::Format("offset".into()))?;
            let len =
                usize::try_from(e.length).map_err(|_| PmtilesError::Format("length".into()))?;
            return Ok(Some(self.bytes.slice(start..start + len)));
        }
        Err(PmtilesError::Format("directory nesting too deep".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tiles::source::{GeometryKind, MapFeature, MapLayer, MapSource};
    use geo::{Geometry, LineString, Polygon};
    use serde_json::json;

    fn source() -> MapSource {
        // A small grid of squares over central Hubei.
        let mut features = Vec::new();
        for i in 0..6 {
            for j in 0..4 {
                let (x0, y0) = (110.0 + i as f64, 29.5 + j as f64);
                let ring = LineString::from(vec![
                    (x0, y0),
                    (x0 + 1.0, y0),
                    (x0 + 1.0, y0 + 1.0),
                    (x0, y0 + 1.0),
                    (x0, y0),
                ]);
                let props = json!({"name": format!("cell {i}-{j}")})
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                features.push(MapFeature::new(
                    format!("{}", 420000 + i * 10 + j),
                    Geometry::Polygon(Polygon::new(ring, vec![])),
                    props,
                ));
            }
        }
        MapSource {
            version: "test".into(),
            layers: vec![MapLayer {
                id: "counties".into(),
                title: "Counties".into(),
                title_zh: "县级行政区".into(),
                kind: GeometryKind::Polygon,
                features,
                provenance: json!({}),
                ogc: true,
            }],
        }
    }

    #[test]
    fn archive_round_trip_matches_direct_rendering() {
        let ts = TileSet::new(&source());
        let dir = std::env::temp_dir().join(format!("liuyu-pmtiles-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("t.pmtiles");
        let opts = BuildOptions {
            layers: vec!["counties".into()],
            min_zoom: 0,
            max_zoom: 8,
            bounds: (110.0, 29.5, 116.0, 33.5),
            metadata: json!({"vector_layers": [{"id": "counties", "fields": {}}]}),
        };
        let mut calls = 0;
        let stats = build(&ts, &opts, &out, |_, _| calls += 1).unwrap();
        assert_eq!(calls, stats.tiles_visited);
        assert!(stats.tiles_written > 40, "{stats:?}");
        let bytes = std::fs::read(&out).unwrap();
        let a = Archive::from_bytes(Bytes::from(bytes.clone())).unwrap();
        let h = a.header();
        assert_eq!(
            (h.min_zoom, h.max_zoom, h.tile_type, h.tile_compression),
            (0, 8, 1, 2)
        );
        assert!((h.bounds.0 - 110.0).abs() < 1e-6 && (h.bounds.3 - 33.5).abs() < 1e-6);
        assert_eq!(a.metadata()["vector_layers"][0]["id"], "counties");
        let mut found = 0;
        for z in 0..=8u8 {
            for t in TileId::covering(z, 110.0, 29.5, 116.0, 33.5) {
                let direct = ts.render(&["counties"], t).unwrap();
                match a.get(t).unwrap() {
                    Some(gz) => {
                        assert_eq!(gunzip(&gz).unwrap(), direct, "tile {t:?}");
                        found += 1;
                    }
                    None => assert!(direct.is_empty(), "tile {t:?} missing from the archive"),
                }
            }
        }
        assert_eq!(found, stats.tiles_written);
        // A tile far away is absent.
        assert!(a.get(TileId::new(8, 0, 0).unwrap()).unwrap().is_none());
        // Deterministic: a second build gives the same bytes.
        build(&ts, &opts, &out, |_, _| {}).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), bytes);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn verify_refuses_truncated_and_bit_flipped_archives() {
        let ts = TileSet::new(&source());
        let dir = std::env::temp_dir().join(format!("liuyu-pmtiles-verify-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("t.pmtiles");
        let opts = BuildOptions {
            layers: vec!["counties".into()],
            min_zoom: 0,
            max_zoom: 7,
            bounds: (110.0, 29.5, 116.0, 33.5),
            metadata: json!({"vector_layers": []}),
        };
        let stats = build(&ts, &opts, &out, |_, _| {}).unwrap();
        let good = std::fs::read(&out).unwrap();
        let a = Archive::open(&out).unwrap();
        assert_eq!(a.verify().unwrap(), stats.tiles_written as u64);
        // Truncated anywhere in the data: refused by open (the structure may still parse).
        let h = Header::parse(&good).unwrap();
        for cut in [
            good.len() - 1,
            (h.data.0 + h.data.1 / 2) as usize,
            h.data.0 as usize + 10,
        ] {
            std::fs::write(&out, &good[..cut]).unwrap();
            assert!(Archive::open(&out).is_err(), "truncated at {cut}");
        }
        // A flipped bit in the middle of each tile in turn: gzip's CRC catches it.
        let tiles: Vec<Entry> = a
            .root
            .iter()
            .filter(|e| e.run_length > 0)
            .copied()
            .collect();
        assert!(tiles.len() > 20 && a.root.iter().all(|e| e.run_length > 0));
        for e in &tiles {
            let mut b = good.clone();
            b[(h.data.0 + e.offset + e.length / 2) as usize] ^= 0x10;
            let flipped = Archive::from_bytes(Bytes::from(b)).unwrap();
            assert!(flipped.verify().is_err(), "flip in tile {}", e.tile_id);
        }
        // Not a regular file: refused without blocking.
        assert!(Archive::open(&dir).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn garbage_is_refused_not_panicking() {
        assert!(Archive::from_bytes(Bytes::from_static(b"not an archive")).is_err());
        let mut h = b"PMTiles\x03".to_vec();
        h.resize(HEADER_LEN, 0xff);
        assert!(Archive::from_bytes(Bytes::from(h)).is_err());
    }

    /// Seeded random corruptions of a valid archive: errors or answers, never a panic.
    #[test]
    fn corrupted_archives_never_panic() {
        use rand::{Rng, SeedableRng};
        let ts = TileSet::new(&source());
        let dir = std::env::temp_dir().join(format!("liuyu-pmtiles-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("t.pmtiles");
        let opts = BuildOptions {
            layers: vec!["counties".into()],
            min_zoom: 0,
            max_zoom: 6,
            bounds: (110.0, 29.5, 116.0, 33.5),
            metadata: json!({"vector_layers": []}),
        };
        build(&ts, &opts, &out, |_, _| {}).unwrap();
        let good = std::fs::read(&out).unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        for _ in 0..400 {
            let mut b = good.clone();
            for _ in 0..rng.gen_range(1..8) {
                // Half the time hit the header and root directory.
                let hi = if rng.gen_bool(0.5) {
                    b.len().min(400)
                } else {
                    b.len()
                };
                let i = rng.gen_range(0..hi);
                b[i] = rng.gen();
            }
            if rng.gen_bool(0.2) {
                b.truncate(rng.gen_range(0..b.len()));
            }
            if let Ok(a) = Archive::from_bytes(Bytes::from(b)) {
                for z in 0..=6u8 {
                    for t in TileId::covering(z, 110.0, 29.5, 116.0, 33.5) {
                        let _ = a.get(t);
                    }
                }
            }
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}
