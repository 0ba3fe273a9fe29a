//! Layer export driver (图层导出): reprojects once, infers the attribute
//! schema, then hands the prepared layer to a format writer.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::schema::{self, Column};
use super::{
    fgb, geojson_io, geoparquet, reproject, shp, ExportFeature, ExportLayer, Format, FormatError,
};
use crate::crs::{Crs, CrsId};

/// A layer ready for writing: geometry already in the target CRS.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Layer name.
    pub name: String,
    /// Target CRS of the coordinates.
    pub crs: CrsId,
    /// Features with reprojected geometry; each has a `provenance` property
    /// (the layer status when the feature had none).
    pub features: Vec<ExportFeature>,
    /// Inferred columns (`id` first).
    pub columns: Vec<Column>,
    /// Layer provenance object.
    pub provenance: Value,
}

/// Reprojects `layer` to `crs` and infers its schema.
pub fn prepare(layer: &ExportLayer, crs: CrsId) -> Result<Prepared, FormatError> {
    let engine = Crs::new(crs)?;
    let status = layer
        .provenance
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or("unknown")
        .to_string();
    let features = layer
        .features
        .iter()
        .map(|f| {
            let mut properties = f.properties.clone();
            properties
                .entry("provenance")
                .or_insert_with(|| Value::String(status.clone()));
            Ok(ExportFeature {
                id: f.id.clone(),
                geometry: reproject(&f.geometry, &engine)?,
                properties,
            })
        })
        .collect::<Result<Vec<_>, FormatError>>()?;
    let columns = schema::infer(&features);
    Ok(Prepared {
        name: layer.name.clone(),
        crs,
        features,
        columns,
        provenance: layer.provenance.clone(),
    })
}

/// Writes `layer` in `format` and `crs` into `dir` as `<layer name>.<ext>`
/// (a Shapefile also writes `.shx`, `.dbf`, `.prj`, `.cpg`). Returns the
/// main file's path.
pub fn export_layer(
    layer: &ExportLayer,
    format: Format,
    crs: CrsId,
    dir: &Path,
) -> Result<PathBuf, FormatError> {
    std::fs::create_dir_all(dir).map_err(|e| FormatError::io(dir, e))?;
    let prepared = prepare(layer, crs)?;
    let path = dir.join(format!("{}.{}", layer.name, format.extension()));
    match format {
        Format::Shapefile => shp::write(&prepared, &path)?,
        other => {
            let bytes = encode(&prepared, other)?;
            std::fs::write(&path, bytes).map_err(|e| FormatError::io(&path, e))?;
        }
    }
    Ok(path)
}

/// Encodes `layer` in memory (GeoJSON, FlatGeobuf or GeoParquet; a
/// Shapefile is several files and is refused here).
pub fn export_layer_bytes(
    layer: &ExportLayer,
    format: Format,
    crs: CrsId,
) -> Result<Vec<u8>, FormatError> {
    encode(&prepare(layer, crs)?, format)
}

fn encode(p: &Prepared, format: Format) -> Result<Vec<u8>, FormatError> {
    match format {
        Format::GeoJson => geojson_io::write(p),
        Format::FlatGeobuf => fgb::write(p),
        Format::GeoParquet => geoparquet::write(p),
        Format::Shapefile => Err(FormatError::codec(
            "shapefile",
            "a Shapefile is several files; export it to a directory",
        )),
    }
}

/// The Atlas layer `kind` as an [`ExportLayer`] (layer provenance plus the
/// dataset's `data_version`).
pub fn atlas_layer(atlas: &crate::Atlas, kind: crate::LayerKind) -> ExportLayer {
    let layer = atlas.layer(kind);
    let mut provenance = serde_json::to_value(&layer.provenance).unwrap_or(Value::Null);
    if let Some(o) = provenance.as_object_mut() {
        o.insert(
            "data_version".into(),
            Value::String(atlas.version().to_string()),
        );
    }
    ExportLayer {
        name: kind.id().to_string(),
        features: layer
            .units
            .iter()
            .map(|u| {
                let mut properties = u.properties.clone();
                properties
                    .entry("name")
                    .or_insert_with(|| Value::String(u.name.clone()));
                ExportFeature {
                    id: u.id.clone(),
                    geometry: u.geometry.clone(),
                    properties,
                }
            })
            .collect(),
        provenance,
    }
}

/// Exports every Atlas layer into `dir`; returns the written main files.
pub fn export_atlas(
    atlas: &crate::Atlas,
    format: Format,
    crs: CrsId,
    dir: &Path,
) -> Result<Vec<PathBuf>, FormatError> {
    crate::LayerKind::ALL
        .iter()
        .map(|k| export_layer(&atlas_layer(atlas, *k), format, crs, dir))
        .collect()
}
