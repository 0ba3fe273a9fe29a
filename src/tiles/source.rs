//! The map-facing view of the data (地图数据源): named layers of features with
//! properties and provenance, in lon/lat.
//!
//! Tiles, the OGC API and the style all read this view, never the Atlas directly,
//! so new layers (rivers 河流, lakes 湖泊) plug in by pushing a [`MapLayer`] in
//! [`MapSource::from_atlas`] — the one extension point.

use geo::{BoundingRect, Geometry, Rect};
use serde_json::{Map, Value};

/// One feature (要素) of a map layer.
#[derive(Debug, Clone)]
pub struct MapFeature {
    /// Stable id (adcode for administrative units, the issue's ids otherwise).
    pub id: String,
    /// Geometry in lon/lat degrees (CRS84 axis order).
    pub geometry: Geometry<f64>,
    /// All properties, including provenance.
    pub properties: Map<String, Value>,
    /// Bounding box in lon/lat, cached.
    pub bbox: Option<Rect<f64>>,
}

impl MapFeature {
    /// A feature; the bbox is computed here.
    pub fn new(
        id: impl Into<String>,
        geometry: Geometry<f64>,
        properties: Map<String, Value>,
    ) -> Self {
        let bbox = geometry.bounding_rect();
        MapFeature {
            id: id.into(),
            geometry,
            properties,
            bbox,
        }
    }
}

/// The kind of geometry a layer carries, for styles and TileJSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeometryKind {
    /// Areas (面).
    Polygon,
    /// Lines (线), e.g. rivers.
    Line,
    /// Points (点), e.g. label anchors.
    Point,
}

/// A named layer (图层).
#[derive(Debug, Clone)]
pub struct MapLayer {
    /// Layer id as used in URLs (`counties`, `zones`, ...).
    pub id: String,
    /// English title.
    pub title: String,
    /// Chinese title.
    pub title_zh: String,
    /// Geometry kind.
    pub kind: GeometryKind,
    /// Features in the data's order.
    pub features: Vec<MapFeature>,
    /// Layer provenance as JSON (status, source, version, licence, transformation, note).
    pub provenance: Value,
    /// Whether this layer is offered as an OGC API collection.
    pub ogc: bool,
}

impl MapLayer {
    /// The feature with this id, if any.
    pub fn get(&self, id: &str) -> Option<&MapFeature> {
        self.features.iter().find(|f| f.id == id)
    }

    /// Union of the feature bboxes in lon/lat.
    pub fn bbox(&self) -> Option<Rect<f64>> {
        union_bbox(self.features.iter().filter_map(|f| f.bbox))
    }
}

/// Everything the map interfaces serve, for one data version.
#[derive(Debug, Clone)]
pub struct MapSource {
    /// The data version (content hash of the Atlas); part of every ETag.
    pub version: String,
    /// Layers in drawing order (bottom first).
    pub layers: Vec<MapLayer>,
}

impl MapSource {
    /// The layer with this id.
    pub fn layer(&self, id: &str) -> Option<&MapLayer> {
        self.layers.iter().find(|l| l.id == id)
    }

    /// Union of all layer bboxes in lon/lat.
    pub fn bbox(&self) -> Option<Rect<f64>> {
        union_bbox(self.layers.iter().filter_map(MapLayer::bbox))
    }
}

fn union_bbox(rects: impl Iterator<Item = Rect<f64>>) -> Option<Rect<f64>> {
    rects.reduce(|a, b| {
        Rect::new(
            geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
            geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
        )
    })
}

/// Layer titles (English, Chinese) by id.
pub fn layer_titles(id: &str) -> (&'static str, &'static str) {
    match id {
        "province" => ("Province", "省"),
        "prefectures" => ("Prefectures", "地级行政区"),
        "counties" => ("Counties", "县级行政区"),
        "basins" => ("First-level basins", "一级流域"),
        "zones" => ("Second-level basin zones", "二级流域片区"),
        "metro_areas" => ("Metropolitan areas", "都市圈"),
        "city_clusters" => ("City clusters", "城市群"),
        "corridors" => ("Corridors", "大气污染传输通道"),
        "rivers" => ("Rivers", "河流"),
        "lakes" => ("Lakes", "湖泊"),
        "labels" => ("Label points", "注记点"),
        _ => ("Layer", "图层"),
    }
}

/// Errors reading a GeoJSON layer.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// Not a GeoJSON FeatureCollection.
    #[error("layer {layer}: {message}")]
    GeoJson {
        /// Layer id.
        layer: String,
        /// What is wrong.
        message: String,
    },
}

impl MapLayer {
    /// A layer from a GeoJSON FeatureCollection (lon/lat): each feature needs an
    /// `id` (member or property) and a geometry. For plugging in rivers (lines)
    /// and lakes (polygons) from their own files.
    pub fn from_geojson(
        id: &str,
        kind: GeometryKind,
        bytes: &[u8],
        provenance: Value,
        ogc: bool,
    ) -> Result<MapLayer, SourceError> {
        let err = |m: String| SourceError::GeoJson {
            layer: id.to_string(),
            message: m,
        };
        let fc: geojson::FeatureCollection = serde_json::from_slice(bytes)
            .map_err(|e| err(format!("not a FeatureCollection: {e}")))?;
        let mut features = Vec::with_capacity(fc.features.len());
        for (i, f) in fc.features.into_iter().enumerate() {
            let props = f.properties.clone().unwrap_or_default();
            let fid = match (&f.id, props.get("id")) {
                (Some(geojson::feature::Id::String(s)), _) => s.clone(),
                (Some(geojson::feature::Id::Number(n)), _) => n.to_string(),
                (None, Some(Value::String(s))) => s.clone(),
                (None, Some(v @ Value::Number(_))) => v.to_string(),
                _ => return Err(err(format!("feature {i} has no id"))),
            };
            let g = f
                .geometry
                .ok_or_else(|| err(format!("feature {fid} has no geometry")))?;
            let geom: Geometry<f64> = g
                .try_into()
                .map_err(|e| err(format!("feature {fid}: {e}")))?;
            features.push(MapFeature::new(fid, geom, props));
        }
        let (title, title_zh) = layer_titles(id);
        Ok(MapLayer {
            id: id.to_string(),
            title: title.into(),
            title_zh: title_zh.into(),
            kind,
            features,
            provenance,
            ogc,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geojson_layer_for_rivers() {
        let fc = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","id":"hanjiang-1","properties":{"name":"汉江"},
             "geometry":{"type":"LineString","coordinates":[[111.0,32.5],[112.1,32.0],[114.2,30.55]]}},
            {"type":"Feature","properties":{"id":"x2","name":"清江"},
             "geometry":{"type":"MultiLineString","coordinates":[[[109.5,30.3],[111.0,30.4]]]}}]}"#;
        let l = MapLayer::from_geojson(
            "rivers",
            GeometryKind::Line,
            fc.as_bytes(),
            Value::Null,
            true,
        )
        .unwrap();
        assert_eq!(l.title_zh, "河流");
        assert_eq!(l.features.len(), 2);
        assert_eq!(l.features[1].id, "x2");
        let b = l.bbox().unwrap();
        assert_eq!((b.min().x, b.max().y), (109.5, 32.5));
        let no_id = br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}]}"#;
        assert!(
            MapLayer::from_geojson("lakes", GeometryKind::Polygon, no_id, Value::Null, true)
                .is_err()
        );
        assert!(
            MapLayer::from_geojson("lakes", GeometryKind::Polygon, b"[]", Value::Null, true)
                .is_err()
        );
    }
}
