//! GeoJSON writer (RFC 7946 FeatureCollection) with the layer provenance as a
//! foreign member; in a CRS other than CRS84 it adds the (pre-RFC, GDAL-read)
//! `crs` member naming the EPSG code.

use geo::MultiPolygon;
use serde_json::{json, Map, Value};

use super::export::Prepared;
use super::FormatError;

/// GeoJSON `coordinates` of a multipolygon.
pub fn multipolygon_coords(g: &MultiPolygon<f64>) -> Value {
    Value::Array(
        g.0.iter()
            .map(|p| {
                Value::Array(
                    std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .map(|r| Value::Array(r.coords().map(|c| json!([c.x, c.y])).collect()))
                        .collect(),
                )
            })
            .collect(),
    )
}

/// Encodes the prepared layer as a GeoJSON FeatureCollection.
pub fn write(p: &Prepared) -> Result<Vec<u8>, FormatError> {
    let mut fc = Map::new();
    fc.insert("type".into(), json!("FeatureCollection"));
    fc.insert("name".into(), json!(p.name));
    if !matches!(p.crs, crate::crs::CrsId::Crs84) {
        fc.insert("crs".into(), crate::crs::http::geojson_crs_member(p.crs));
    }
    fc.insert("provenance".into(), p.provenance.clone());
    let features: Vec<Value> = p
        .features
        .iter()
        .map(|f| {
            let mut props = f.properties.clone();
            props.insert("id".into(), json!(f.id));
            json!({
                "type": "Feature",
                "id": f.id,
                "properties": props,
                "geometry": {"type": "MultiPolygon", "coordinates": multipolygon_coords(&f.geometry)},
            })
        })
        .collect();
    fc.insert("features".into(), Value::Array(features));
    serde_json::to_vec(&Value::Object(fc)).map_err(|e| FormatError::codec("geojson", e))
}
