//! Tile routes: `/tiles/{layers}/{z}/{x}/{y}.mvt`, `/tiles/{layers}.json`
//! (TileJSON 3.0.0) and `/catalog`.

use std::sync::Arc;

use axum::extract::{Extension, Path};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::cache::{CachedTile, TileCache};
use super::mercator::TileId;
use super::pmtiles::Archive;
use super::service::MapsService;
use super::tilejson::{tilejson, MAX_ZOOM, MIN_ZOOM};
use super::MapSource;
use crate::server::headers::{accepts_gzip, base_url, etag_matches, CACHE_CONTROL};
use crate::server::problem::Problem;
use crate::server::Work;
use std::sync::atomic::Ordering;

/// MIME type of a Mapbox Vector Tile.
pub const MVT_MIME: &str = "application/vnd.mapbox-vector-tile";
/// Name of the composite of all layers.
pub const COMPOSITE: &str = "hubei";

/// The tile routes.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/tiles/{file}", get(tilejson_handler))
        .route("/tiles/{layers}/{z}/{x}/{y}", get(tile_handler))
        .route("/catalog", get(catalog))
}

/// Resolve a layers path segment to layer ids: `hubei` is every layer, else a
/// comma-separated list of known layer ids.
pub fn resolve_layers(source: &MapSource, spec: &str) -> Result<Vec<String>, String> {
    if spec == COMPOSITE {
        return Ok(source.layers.iter().map(|l| l.id.clone()).collect());
    }
    let ids: Vec<String> = spec.split(',').map(|s| s.trim().to_string()).collect();
    for id in &ids {
        if source.layer(id).is_none() {
            let known: Vec<&str> = source.layers.iter().map(|l| l.id.as_str()).collect();
            return Err(format!(
                "unknown layer '{id}'; known: {COMPOSITE}, {}",
                known.join(", ")
            ));
        }
    }
    Ok(ids)
}

async fn tilejson_handler(
    Extension(svc): Extension<Arc<MapsService>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(spec) = file.strip_suffix(".json") else {
        return Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "use /tiles/{layers}.json or /tiles/{layers}/{z}/{x}/{y}.mvt",
        )
        .into_response();
    };
    let source = svc.source();
    let layers = match resolve_layers(&source, spec) {
        Ok(l) => l,
        Err(e) => {
            return Problem::new(StatusCode::NOT_FOUND, "unknown-tile-source", e).into_response()
        }
    };
    let refs: Vec<&str> = layers.iter().map(String::as_str).collect();
    let (min, max) = match (&svc.archive, spec == COMPOSITE) {
        (Some(a), true) => (a.header().min_zoom, a.header().max_zoom),
        _ => (MIN_ZOOM, MAX_ZOOM),
    };
    let doc = tilejson(&source, spec, &refs, &base_url(&headers), min, max);
    (
        [
            (header::CACHE_CONTROL, "no-cache"),
            (header::VARY, "Host, X-Forwarded-Host, X-Forwarded-Proto"),
        ],
        Json(doc),
    )
        .into_response()
}

fn parse_tile(z: &str, x: &str, y: &str) -> Option<TileId> {
    let y = y
        .strip_suffix(".mvt")
        .or_else(|| y.strip_suffix(".pbf"))
        .unwrap_or(y);
    TileId::new(z.parse().ok()?, x.parse().ok()?, y.parse().ok()?)
}

/// The archive serving tile `t` of `spec`, if any (the composite layer within
/// the archive's zooms).
fn archive_for<'a>(svc: &'a MapsService, spec: &str, t: TileId) -> Option<&'a Archive> {
    svc.archive
        .as_ref()
        .filter(|a| spec == COMPOSITE && (a.header().min_zoom..=a.header().max_zoom).contains(&t.z))
}

/// The cache key of a tile: the archive's data version when the archive
/// serves it, else the source's.
fn tile_key(svc: &MapsService, source: &MapSource, spec: &str, t: TileId) -> String {
    let version = match archive_for(svc, spec, t) {
        Some(a) => a.metadata()["data_version"]
            .as_str()
            .unwrap_or("pmtiles")
            .to_string(),
        None => source.version.clone(),
    };
    TileCache::key(&version, spec, t.z, t.x, t.y)
}

/// A tile from the cache (cheap: no encoding).
pub fn cached_tile(
    svc: &MapsService,
    source: &MapSource,
    spec: &str,
    t: TileId,
) -> Option<Arc<CachedTile>> {
    svc.cache.get(&tile_key(svc, source, spec, t))
}

fn live_tile(
    svc: &MapsService,
    source: &MapSource,
    layers: &[String],
    t: TileId,
) -> Result<CachedTile, String> {
    let ts = svc.tileset(source);
    let refs: Vec<&str> = layers.iter().map(String::as_str).collect();
    let raw = ts.render(&refs, t).map_err(|e| e.to_string())?;
    Ok(CachedTile::new(&source.version, &raw))
}

/// Reads a tile from the archive, or encodes it (CPU-heavy: run it on the
/// server's work pool), and caches it. An archive read that fails is logged
/// and counted, and the tile is encoded live instead: never a 500.
pub fn produce_tile(
    svc: &MapsService,
    source: &MapSource,
    spec: &str,
    layers: &[String],
    t: TileId,
) -> Result<Arc<CachedTile>, String> {
    let key = tile_key(svc, source, spec, t);
    let archived = archive_for(svc, spec, t).map(|a| {
        let version = a.metadata()["data_version"].as_str().unwrap_or("pmtiles");
        match a.get(t).map_err(|e| e.to_string())? {
            Some(gz) => CachedTile::from_gzip(version, gz.to_vec()).map_err(|e| e.to_string()),
            None => Ok(CachedTile::new(version, &[])),
        }
    });
    let tile = match archived {
        Some(Ok(tile)) => tile,
        Some(Err(e)) => {
            svc.archive_errors.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(error = %e, tile = ?t, "PMTiles read failed; encoding the tile live");
            live_tile(svc, source, layers, t)?
        }
        None => live_tile(svc, source, layers, t)?,
    };
    let tile = Arc::new(tile);
    svc.cache.insert(key, tile.clone());
    Ok(tile)
}

/// Get a tile (from the cache, the archive, or by encoding it).
pub fn get_tile(
    svc: &MapsService,
    source: &MapSource,
    spec: &str,
    layers: &[String],
    t: TileId,
) -> Result<Arc<CachedTile>, String> {
    match cached_tile(svc, source, spec, t) {
        Some(hit) => Ok(hit),
        None => produce_tile(svc, source, spec, layers, t),
    }
}

async fn tile_handler(
    Extension(svc): Extension<Arc<MapsService>>,
    Path((spec, z, x, y)): Path<(String, String, String, String)>,
    work: Work,
    headers: HeaderMap,
) -> Response {
    let Some(t) = parse_tile(&z, &x, &y) else {
        return Problem::new(
            StatusCode::NOT_FOUND,
            "tile-out-of-range",
            format!("no tile {z}/{x}/{y}: zoom must be 0-22 and x, y below 2^zoom"),
        )
        .into_response();
    };
    let source = svc.source();
    let layers = match resolve_layers(&source, &spec) {
        Ok(l) => l,
        Err(e) => {
            return Problem::new(StatusCode::NOT_FOUND, "unknown-tile-source", e).into_response()
        }
    };
    if let Some(hit) = cached_tile(&svc, &source, &spec, t) {
        return tile_response(&headers, &hit);
    }
    let svc2 = svc.clone();
    match work
        .run(move |_| produce_tile(&svc2, &source, &spec, &layers, t))
        .await
    {
        Ok(Ok(tile)) => tile_response(&headers, &tile),
        Ok(Err(e)) => Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "tile-encoding-failed", e)
            .into_response(),
        Err(p) => p.into_response(),
    }
}

/// The HTTP response for a tile: 304 on a matching `If-None-Match`, 204 for an
/// empty tile, else the MVT (gzip when accepted).
pub fn tile_response(headers: &HeaderMap, tile: &CachedTile) -> Response {
    let common = [
        (header::ETAG, tile.etag.clone()),
        (header::CACHE_CONTROL, CACHE_CONTROL.to_string()),
        (header::VARY, "Accept-Encoding".to_string()),
    ];
    if etag_matches(headers, &tile.etag) {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    if tile.raw_len == 0 {
        return (StatusCode::NO_CONTENT, common).into_response();
    }
    if accepts_gzip(headers) {
        (
            StatusCode::OK,
            common,
            [
                (header::CONTENT_TYPE, MVT_MIME),
                (header::CONTENT_ENCODING, "gzip"),
            ],
            tile.gzip.clone(),
        )
            .into_response()
    } else {
        match tile.raw() {
            Ok(raw) => (
                StatusCode::OK,
                common,
                [(header::CONTENT_TYPE, MVT_MIME)],
                raw,
            )
                .into_response(),
            Err(e) => Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "tile-decoding-failed",
                e.to_string(),
            )
            .into_response(),
        }
    }
}

/// The catalog document (like Martin's `/catalog`).
pub fn catalog_doc(svc: &MapsService, source: &MapSource) -> Value {
    let mut tiles = serde_json::Map::new();
    tiles.insert(
        COMPOSITE.into(),
        json!({
            "content_type": MVT_MIME,
            "content_encoding": "gzip",
            "name": "湖北 all layers",
            "description": "All layers in one composite tile source",
            "layers": source.layers.iter().map(|l| l.id.clone()).collect::<Vec<_>>(),
            "tilejson": format!("/tiles/{COMPOSITE}.json"),
            "backend": if svc.archive.is_some() { "pmtiles" } else { "live" },
        }),
    );
    for l in &source.layers {
        tiles.insert(
            l.id.clone(),
            json!({
                "content_type": MVT_MIME,
                "content_encoding": "gzip",
                "name": format!("{} {}", l.title_zh, l.title),
                "description": format!("{} features", l.features.len()),
                "tilejson": format!("/tiles/{}.json", l.id),
                "provenance": l.provenance,
            }),
        );
    }
    json!({
        "tiles": tiles,
        "styles": {"liuyu": {"path": "/style.json"}},
        "ogc": {"landing": "/ogc", "collections": source.layers.iter().filter(|l| l.ogc).map(|l| l.id.clone()).collect::<Vec<_>>()},
        "data_version": source.version,
        "cache": {"max_bytes": svc.cache.max_bytes(), "bytes": svc.cache.bytes(), "tiles": svc.cache.len()},
    })
}

async fn catalog(Extension(svc): Extension<Arc<MapsService>>) -> Response {
    let source = svc.source();
    (
        [(header::CACHE_CONTROL, "no-cache")],
        Json(catalog_doc(&svc, &source)),
    )
        .into_response()
}
