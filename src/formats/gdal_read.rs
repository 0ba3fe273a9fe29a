//! Import through GDAL/OGR (cargo feature `gdal`, Debian `libgdal-dev`): any
//! vector format OGR reads (GeoPackage, Shapefile, FileGDB via OpenFileGDB,
//! KML, GeoJSON, ...), reprojected by OGR/PROJ to CGCS2000 lon/lat
//! (EPSG:4490, traditional GIS axis order).

use std::path::Path;

use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
use gdal::vector::{FieldValue, LayerAccess};
use gdal::Dataset;
use serde_json::{Map, Number, Value};

use super::read::{ImportFeature, ImportedLayer};
use super::FormatError;
use crate::crs::CrsId;

fn gd(e: gdal::errors::GdalError) -> FormatError {
    FormatError::codec("gdal", e)
}

fn value(v: Option<FieldValue>) -> Value {
    match v {
        None => Value::Null,
        Some(FieldValue::IntegerValue(x)) => Value::from(x),
        Some(FieldValue::Integer64Value(x)) => Value::from(x),
        Some(FieldValue::RealValue(x)) => Number::from_f64(x).map_or(Value::Null, Value::Number),
        Some(FieldValue::StringValue(s)) => Value::String(s),
        Some(FieldValue::IntegerListValue(v)) => Value::from(v),
        Some(FieldValue::Integer64ListValue(v)) => Value::from(v),
        Some(FieldValue::RealListValue(v)) => Value::from(v),
        Some(FieldValue::StringListValue(v)) => Value::from(v),
        Some(FieldValue::DateValue(d)) => Value::String(d.to_string()),
        Some(FieldValue::DateTimeValue(d)) => Value::String(d.to_rfc3339()),
    }
}

/// Reads layer `layer_name` (or the first layer) of `path`. When the layer
/// declares a CRS, geometry is reprojected to EPSG:4490 lon/lat and the
/// result's `crs` is CGCS2000; otherwise coordinates are returned as stored
/// with `crs: None` (the caller then needs `--from-crs`).
pub fn read_ogr(path: &Path, layer_name: Option<&str>) -> Result<ImportedLayer, FormatError> {
    let ds = Dataset::open(path).map_err(gd)?;
    let mut layer = match layer_name {
        Some(n) => ds.layer_by_name(n).map_err(gd)?,
        None => ds.layer(0).map_err(gd)?,
    };
    let declared_crs = layer
        .spatial_ref()
        .map(|s| match (s.auth_name(), s.auth_code()) {
            (Some(a), Ok(c)) => format!("{a}:{c}"),
            _ => s.name().unwrap_or_else(|| "unnamed CRS".into()),
        });
    let transform = match layer.spatial_ref() {
        Some(mut src) => {
            src.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
            let mut dst = SpatialRef::from_epsg(4490).map_err(gd)?;
            dst.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
            Some(CoordTransform::new(&src, &dst).map_err(gd)?)
        }
        None => None,
    };
    let mut features = Vec::new();
    for (i, f) in layer.features().enumerate() {
        let g = f
            .geometry()
            .ok_or_else(|| FormatError::codec("gdal", format!("feature {i} has no geometry")))?;
        let g = match &transform {
            Some(t) => g.transform(t).map_err(gd)?,
            None => g.clone(),
        };
        let geo = g.to_geo().map_err(gd)?;
        let geometry = match geo {
            geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
            geo::Geometry::MultiPolygon(m) => m,
            _ => {
                return Err(FormatError::codec(
                    "gdal",
                    format!("feature {i}: geometry is not a polygon"),
                ))
            }
        };
        let properties: Map<String, Value> = f.fields().map(|(k, v)| (k, value(v))).collect();
        features.push(ImportFeature {
            geometry,
            properties,
        });
    }
    Ok(ImportedLayer {
        features,
        crs: transform.map(|_| CrsId::Cgcs2000),
        declared_crs,
    })
}
