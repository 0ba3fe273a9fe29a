//! From the [`Atlas`] to the map view ([`MapSource`]).
//!
//! Besides the Atlas's jurisdiction layers, the map view carries the embedded
//! river network (河流, one line feature per reach 河段, oriented downstream) and
//! lakes (湖泊, polygons) from `data/rivers/`; tiles, TileJSON, the style and the
//! OGC collections all read this one list.

use std::sync::{Arc, Mutex};

use geo::{Geometry, Point};
use serde_json::{json, Map, Value};

use super::service::SourceProvider;
use super::source::{layer_titles, GeometryKind, MapFeature, MapLayer, MapSource};
use crate::atlas::{Atlas, Layer, LayerKind};
use crate::hydro::graph::{EMBEDDED_LAKES, EMBEDDED_NETWORK, EMBEDDED_RIVERS};

fn polygon_layer(layer: &Layer) -> MapLayer {
    let id = layer.kind.id();
    let (title, title_zh) = layer_titles(id);
    let provenance = serde_json::to_value(&layer.provenance).unwrap_or(Value::Null);
    let features = layer
        .units
        .iter()
        .map(|u| {
            let mut props: Map<String, Value> = u.properties.clone();
            props.entry("name").or_insert_with(|| json!(u.name));
            // Every feature says where it comes from.
            props
                .entry("provenance")
                .or_insert_with(|| json!(layer.provenance.status));
            props.insert("provenance_source".into(), json!(layer.provenance.source));
            MapFeature::new(
                u.id.clone(),
                Geometry::MultiPolygon(u.geometry.clone()),
                props,
            )
        })
        .collect();
    MapLayer {
        id: id.to_string(),
        title: title.into(),
        title_zh: title_zh.into(),
        kind: GeometryKind::Polygon,
        features,
        provenance,
        ogc: true,
    }
}

/// The top-level `provenance` member of a JSON file; the rest of the file is
/// skipped, not built.
#[derive(serde::Deserialize)]
struct ProvenanceOnly {
    provenance: Option<Value>,
}

fn provenance_of(json: &str) -> Option<Value> {
    serde_json::from_str::<ProvenanceOnly>(json)
        .ok()
        .and_then(|p| p.provenance)
}

/// Rivers (河流, reaches) or lakes (湖泊) from the embedded `data/rivers/`
/// files. Every feature gets `provenance` (the status) and `provenance_source`
/// like the jurisdiction layers. The files are compiled in, reproduced byte for
/// byte by CI (`tools/build-rivers.sh --check`) and parsed by the river graph
/// at start-up, so a parse failure here cannot come from user input; it would
/// be logged and served as an empty layer with the reason in its provenance.
fn water_layer(id: &str, kind: GeometryKind, geojson: &str) -> MapLayer {
    // Lakes carry their own provenance; river reaches that of the network.
    let provenance = provenance_of(geojson)
        .or_else(|| provenance_of(EMBEDDED_NETWORK))
        .unwrap_or(Value::Null);
    let status = provenance.get("status").cloned().unwrap_or(Value::Null);
    let source = provenance.get("source").cloned().unwrap_or(Value::Null);
    match MapLayer::from_geojson(id, kind, geojson.as_bytes(), provenance.clone(), true) {
        Ok(mut layer) => {
            for f in &mut layer.features {
                f.properties
                    .entry("provenance")
                    .or_insert_with(|| status.clone());
                f.properties
                    .insert("provenance_source".into(), source.clone());
            }
            layer
        }
        Err(e) => {
            tracing::error!(layer = id, error = %e, "embedded water layer unreadable");
            let (title, title_zh) = layer_titles(id);
            MapLayer {
                id: id.to_string(),
                title: title.into(),
                title_zh: title_zh.into(),
                kind,
                features: Vec::new(),
                provenance: json!({"status": "unavailable", "error": e.to_string()}),
                ogc: true,
            }
        }
    }
}

/// Label points of the second-level zones (二级流域片区): an interior point of
/// each zone's largest polygon (geo's `InteriorPoint`), with `id`, `name`, `basin`.
fn zone_labels(atlas: &Atlas) -> Vec<MapFeature> {
    use geo::{Area, InteriorPoint};
    let mut out = Vec::new();
    for u in &atlas.layer(LayerKind::Zone).units {
        let largest = u
            .geometry
            .0
            .iter()
            .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()));
        let Some(p) = largest.and_then(|poly| poly.interior_point()) else {
            continue;
        };
        let basin = u.prop_str("basin").unwrap_or_default();
        let props = json!({"id": u.id, "name": u.name, "kind": "zone", "basin": basin});
        out.push(MapFeature::new(
            format!("zone-{}", u.id),
            Geometry::Point(p),
            props.as_object().cloned().unwrap_or_default(),
        ));
    }
    out
}

/// Label points of the named lakes (湖泊): one interior point of the largest
/// polygon of each, so a lake is labelled once rather than once per tile piece.
fn lake_labels(lakes: &MapLayer) -> Vec<MapFeature> {
    use geo::{Area, InteriorPoint};
    let mut out = Vec::new();
    for f in &lakes.features {
        let Some(name) = f.properties.get("name").and_then(Value::as_str) else {
            continue;
        };
        let p = match &f.geometry {
            Geometry::MultiPolygon(mp) => {
                mp.0.iter()
                    .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))
                    .and_then(|poly| poly.interior_point())
            }
            Geometry::Polygon(poly) => poly.interior_point(),
            _ => None,
        };
        let Some(p) = p else { continue };
        let props = json!({"id": f.id, "name": name, "kind": "lake"});
        out.push(MapFeature::new(
            format!("lake-{}", f.id),
            Geometry::Point(p),
            props.as_object().cloned().unwrap_or_default(),
        ));
    }
    out
}

/// Label anchor points (注记点) of prefectures and counties, from their
/// `label_lon`/`label_lat` properties, and of the zones. Tiles only (not an OGC collection).
fn label_layer(atlas: &Atlas) -> MapLayer {
    let mut features = Vec::new();
    for (kind, tag) in [
        (LayerKind::Prefecture, "prefecture"),
        (LayerKind::County, "county"),
    ] {
        for u in &atlas.layer(kind).units {
            let lon = u.properties.get("label_lon").and_then(Value::as_f64);
            let lat = u.properties.get("label_lat").and_then(Value::as_f64);
            let (Some(lon), Some(lat)) = (lon, lat) else {
                continue;
            };
            let name = u
                .prop_str("short_name")
                .filter(|_| tag == "prefecture")
                .unwrap_or(&u.name);
            let props = json!({"id": u.id, "name": name, "full_name": u.name, "kind": tag});
            features.push(MapFeature::new(
                u.id.clone(),
                Geometry::Point(Point::new(lon, lat)),
                props.as_object().cloned().unwrap_or_default(),
            ));
        }
    }
    features.extend(zone_labels(atlas));
    let (title, title_zh) = layer_titles("labels");
    MapLayer {
        id: "labels".into(),
        title: title.into(),
        title_zh: title_zh.into(),
        kind: GeometryKind::Point,
        features,
        provenance: json!({"status": "derived", "source": "label_lon/label_lat of prefectures and counties; an interior point of each zone and named lake"}),
        ogc: false,
    }
}

/// The map view of an Atlas: its eight layers (in drawing-friendly order), the
/// embedded lakes and rivers, and label points.
pub fn from_atlas(atlas: &Atlas) -> MapSource {
    let order = [
        LayerKind::Zone,
        LayerKind::Basin,
        LayerKind::County,
        LayerKind::Prefecture,
        LayerKind::Province,
        LayerKind::MetroArea,
        LayerKind::CityCluster,
        LayerKind::Corridor,
    ];
    let mut layers: Vec<MapLayer> = order
        .iter()
        .map(|k| polygon_layer(atlas.layer(*k)))
        .collect();
    let lakes = water_layer("lakes", GeometryKind::Polygon, EMBEDDED_LAKES);
    let mut labels = label_layer(atlas);
    labels.features.extend(lake_labels(&lakes));
    layers.push(lakes);
    layers.push(water_layer("rivers", GeometryKind::Line, EMBEDDED_RIVERS));
    layers.push(labels);
    MapSource {
        version: atlas.version().to_string(),
        layers,
    }
}

/// A provider that follows the current Atlas (`current` returns the live
/// snapshot), rebuilding the map view only when the data version changes (so a
/// reload changes every ETag).
pub fn atlas_provider(current: impl Fn() -> Arc<Atlas> + Send + Sync + 'static) -> SourceProvider {
    let cached: Mutex<Option<Arc<MapSource>>> = Mutex::new(None);
    Arc::new(move || {
        let a = current();
        let mut guard = cached.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_ref() {
            Some(s) if s.version == a.version() => s.clone(),
            _ => {
                let s = Arc::new(from_atlas(&a));
                *guard = Some(s.clone());
                s
            }
        }
    })
}

/// Zoom range of the committed archive `tiles/hubei.pmtiles`.
pub const ARCHIVE_ZOOMS: (u8, u8) = (0, 10);

/// Build the PMTiles archive of every layer (the `hubei` composite) at `out`.
pub fn build_archive(
    atlas: &Atlas,
    out: &std::path::Path,
    progress: impl FnMut(usize, usize),
) -> Result<super::pmtiles::BuildStats, super::pmtiles::PmtilesError> {
    let source = from_atlas(atlas);
    let layers: Vec<String> = source.layers.iter().map(|l| l.id.clone()).collect();
    let refs: Vec<&str> = layers.iter().map(String::as_str).collect();
    let (min_zoom, max_zoom) = ARCHIVE_ZOOMS;
    let b = super::tilejson::bounds(&source);
    let mut metadata = super::tilejson::tilejson(
        &source,
        super::http::COMPOSITE,
        &refs,
        "",
        min_zoom,
        max_zoom,
    );
    // Tile URLs depend on where the archive is served from; leave them out.
    if let Some(o) = metadata.as_object_mut() {
        o.remove("tiles");
    }
    let opts = super::pmtiles::BuildOptions {
        layers,
        min_zoom,
        max_zoom,
        bounds: (b[0], b[1], b[2], b[3]),
        metadata,
    };
    let tiles = super::TileSet::new(&source);
    super::pmtiles::build(&tiles, &opts, out, progress)
}
