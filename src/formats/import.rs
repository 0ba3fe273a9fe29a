//! `liuyu import` (官方数据导入): replace one layer of a dataset with polygons
//! from a user's file and write a new dataset directory that `serve --data`
//! loads.
//!
//! Rules:
//! - The file is read in pure Rust (GeoJSON, FlatGeobuf, Shapefile) or, with
//!   the `gdal` feature, by OGR (any format; `--layer-name` picks the layer).
//! - Coordinates are converted from the file's CRS (detected, or
//!   `--from-crs`) to WGS 84/CGCS2000 lon/lat and rounded to 1e-6 degree, the
//!   precision of the dataset; rings are oriented per RFC 7946.
//! - Unit ids come from `--id-field` (default `id`, then `adcode`), names
//!   from `--name-field` (default `name`). A unit that already exists keeps
//!   its other properties (memberships, labels) from the current dataset; a
//!   new unit gets the file's attributes.
//! - Importing `zones`: county memberships are derived by overlay — each
//!   county goes to the zone holding the largest share of its area — and the
//!   counties' `zone`/`basin`, the zones' `counties` and the basins'
//!   `counties` lists are updated. Counties split between zones (largest
//!   share below 99 %) are listed in the layer provenance note.
//! - The imported layer's provenance becomes the user's source; the new
//!   dataset is fully validated before it is moved into place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use geo::orient::{Direction, Orient};
use geo::{Area, BooleanOps, BoundingRect, Intersects, MapCoords, MultiPolygon};
use serde_json::{json, Map, Value};

use super::geojson_io::multipolygon_coords;
use super::read::{self, ImportedLayer};
use super::FormatError;
use crate::crs::{Crs, CrsId};
use crate::{Atlas, LayerKind};

/// Errors of an import.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Reading or converting the file failed.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// Bad options or content.
    #[error("{0}")]
    Usage(String),
    /// The resulting dataset does not validate.
    #[error("the imported dataset is invalid (nothing written to {out}): {report}")]
    Invalid {
        /// Output directory.
        out: PathBuf,
        /// Validation report.
        report: String,
    },
    /// File-system error.
    #[error("I/O error on {0}: {1}")]
    Io(PathBuf, std::io::Error),
}

impl ImportError {
    /// Whether the fault is in what the user gave (options, the file's content,
    /// the dataset it would make): exit status 2 on the command line. Reading
    /// or writing files failing is a runtime error (1).
    pub fn is_bad_input(&self) -> bool {
        match self {
            ImportError::Format(FormatError::Io { .. }) | ImportError::Io(..) => false,
            ImportError::Format(_) | ImportError::Usage(_) | ImportError::Invalid { .. } => true,
        }
    }
}

/// Options of an import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Which layer the file replaces.
    pub layer: LayerKind,
    /// The file.
    pub from: PathBuf,
    /// OGR layer name (GDAL builds; default the first layer).
    pub layer_name: Option<String>,
    /// Attribute holding the unit id.
    pub id_field: Option<String>,
    /// Attribute holding the unit name.
    pub name_field: Option<String>,
    /// CRS of the file when it declares none (or to override).
    pub from_crs: Option<CrsId>,
    /// Provenance status to record (default `official`).
    pub status: String,
    /// Output dataset directory.
    pub out: PathBuf,
}

/// What an import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportSummary {
    /// Layer replaced.
    pub layer: String,
    /// Units written.
    pub units: usize,
    /// CRS the file was read in.
    pub source_crs: String,
    /// Reader used (`pure-rust` or `gdal`).
    pub reader: &'static str,
    /// Counties whose zone changed (zones import).
    pub counties_moved: Vec<String>,
    /// Counties split between zones (largest share < 99 %).
    pub counties_split: Vec<String>,
    /// New dataset version (content hash).
    pub data_version: String,
    /// Output directory.
    pub out: PathBuf,
}

fn read_input(opts: &ImportOptions) -> Result<(ImportedLayer, &'static str), ImportError> {
    #[cfg(feature = "gdal")]
    {
        let pure = matches!(
            opts.from.extension().and_then(|e| e.to_str()),
            Some("geojson" | "fgb")
        ) && opts.layer_name.is_none();
        if !pure {
            return Ok((
                super::gdal_read::read_ogr(&opts.from, opts.layer_name.as_deref())?,
                "gdal",
            ));
        }
    }
    if opts.layer_name.is_some() {
        return Err(ImportError::Usage(
            "--layer-name needs the `gdal` feature (multi-layer formats)".into(),
        ));
    }
    Ok((read::read_path(&opts.from)?, "pure-rust"))
}

fn id_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(
            n.as_i64()
                .map(|i| i.to_string())
                .unwrap_or_else(|| n.to_string()),
        ),
        _ => None,
    }
}

fn round6(g: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    g.map_coords(|c| geo::coord! { x: (c.x * 1e6).round() / 1e6, y: (c.y * 1e6).round() / 1e6 })
        .orient(Direction::Default)
}

/// A unit of the new layer: id, name, properties, geometry.
struct NewUnit {
    id: String,
    properties: Map<String, Value>,
    geometry: MultiPolygon<f64>,
}

fn feature_json(u: &NewUnit) -> Value {
    json!({"type": "Feature", "id": u.id, "properties": u.properties,
           "geometry": {"type": "MultiPolygon", "coordinates": multipolygon_coords(&u.geometry)}})
}

fn layer_text(kind: LayerKind, units: &[NewUnit]) -> String {
    let feats: Vec<Value> = units.iter().map(feature_json).collect();
    crate::prep::build::feature_collection_text(kind.id(), &feats)
}

fn existing_units(atlas: &Atlas, kind: LayerKind) -> Vec<NewUnit> {
    atlas
        .layer(kind)
        .units
        .iter()
        .map(|u| NewUnit {
            id: u.id.clone(),
            properties: u.properties.clone(),
            geometry: u.geometry.clone(),
        })
        .collect()
}

/// The raw bytes of a base dataset file (a directory or the embedded copy).
fn base_file(data: Option<&Path>, name: &str) -> Result<Vec<u8>, ImportError> {
    match data {
        Some(d) => std::fs::read(d.join(name)).map_err(|e| ImportError::Io(d.join(name), e)),
        None => crate::atlas::embedded::FILES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| b.to_vec())
            .ok_or_else(|| ImportError::Usage(format!("embedded file {name} missing"))),
    }
}

/// Largest-area-share zone of each county: `county id -> (zone id, share)`.
fn overlay(counties: &[NewUnit], zones: &[NewUnit]) -> BTreeMap<String, (String, f64)> {
    let mut out = BTreeMap::new();
    for c in counties {
        let area = c.geometry.unsigned_area();
        let cb = c.geometry.bounding_rect();
        let mut best: Option<(String, f64)> = None;
        for z in zones {
            let overlaps = match (cb, z.geometry.bounding_rect()) {
                (Some(a), Some(b)) => a.intersects(&b),
                _ => false,
            };
            if !overlaps {
                continue;
            }
            let share = c.geometry.intersection(&z.geometry).unsigned_area() / area;
            if best.as_ref().is_none_or(|(_, s)| share > *s) {
                best = Some((z.id.clone(), share));
            }
        }
        if let Some(b) = best {
            out.insert(c.id.clone(), b);
        }
    }
    out
}

/// Runs an import on the dataset in `data` (or the embedded one).
pub fn run_import(data: Option<&Path>, opts: &ImportOptions) -> Result<ImportSummary, ImportError> {
    // The base dataset is loaded with the structural checks only (it is
    // already in service); the result gets the full validation below.
    let atlas = match data {
        Some(d) => {
            crate::atlas::RawDataset::read_dir(d).and_then(|raw| Atlas::from_raw(raw, false))
        }
        None => Atlas::embedded(),
    }
    .map_err(|e| ImportError::Usage(format!("cannot load the base dataset: {e}")))?;
    let (imported, reader) = read_input(opts)?;
    let crs_id = opts.from_crs.or(imported.crs).ok_or_else(|| {
        ImportError::Usage(format!(
            "{}: cannot tell the CRS of the file; pass --from-crs (e.g. EPSG:4547)",
            opts.from.display()
        ))
    })?;
    let crs = Crs::new(crs_id).map_err(FormatError::from)?;
    let source_crs = match (&imported.declared_crs, opts.from_crs) {
        (_, Some(c)) => c.to_string(),
        (Some(d), None) if reader == "gdal" => format!("{d} (reprojected by OGR/PROJ to {crs_id})"),
        (Some(d), None) => d.clone(),
        (None, None) => crs_id.to_string(),
    };
    let id_keys: Vec<String> = match &opts.id_field {
        Some(f) => vec![f.clone()],
        None => vec!["id".into(), "adcode".into()],
    };
    let name_key = opts.name_field.clone().unwrap_or_else(|| "name".into());
    let base = atlas.layer(opts.layer);
    let mut units: BTreeMap<String, NewUnit> = BTreeMap::new();
    for (i, f) in imported.features.iter().enumerate() {
        let id = id_keys
            .iter()
            .find_map(|k| f.properties.get(k).and_then(id_string))
            .ok_or_else(|| {
                ImportError::Usage(format!("feature {i}: no id in fields {id_keys:?}"))
            })?;
        let wgs = super::reproject_to_wgs84(&f.geometry, &crs).map_err(FormatError::from)?;
        let geometry = round6(&wgs);
        let properties = match base.get(&id) {
            Some(u) => u.properties.clone(),
            None => {
                let mut p = f.properties.clone();
                p.remove("id");
                if let Some(n) = f.properties.get(&name_key) {
                    p.insert("name".into(), n.clone());
                }
                p
            }
        };
        if let Some(prev) = units.insert(
            id.clone(),
            NewUnit {
                id: id.clone(),
                properties,
                geometry,
            },
        ) {
            return Err(ImportError::Usage(format!(
                "id {} appears twice in the file",
                prev.id
            )));
        }
    }
    if units.is_empty() {
        return Err(ImportError::Usage("the file has no features".into()));
    }
    let source = format!(
        "{}{}",
        opts.from
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("input"),
        opts.layer_name
            .as_deref()
            .map(|l| format!(" (layer {l})"))
            .unwrap_or_default()
    );
    let mut new_layers: BTreeMap<LayerKind, Vec<NewUnit>> = BTreeMap::new();
    let mut moved = Vec::new();
    let mut split = Vec::new();
    let mut units: Vec<NewUnit> = units.into_values().collect();
    if opts.layer == LayerKind::Zone {
        let mut counties = existing_units(&atlas, LayerKind::County);
        let shares = overlay(&counties, &units);
        let zone_basin: BTreeMap<String, Option<String>> = units
            .iter()
            .map(|z| {
                (
                    z.id.clone(),
                    z.properties
                        .get("basin")
                        .and_then(Value::as_str)
                        .map(String::from),
                )
            })
            .collect();
        for c in &mut counties {
            let Some((zone, share)) = shares.get(&c.id) else {
                continue;
            };
            if *share < 0.99 {
                split.push(format!("{} ({:.1} % in {zone})", c.id, share * 100.0));
            }
            if c.properties.get("zone").and_then(Value::as_str) != Some(zone) {
                moved.push(c.id.clone());
                c.properties.insert("zone".into(), json!(zone));
            }
            if let Some(Some(b)) = zone_basin.get(zone) {
                c.properties.insert("basin".into(), json!(b));
            }
        }
        for z in &mut units {
            let members: Vec<Value> = counties
                .iter()
                .filter(|c| c.properties.get("zone").and_then(Value::as_str) == Some(z.id.as_str()))
                .map(|c| json!(c.id))
                .collect();
            z.properties
                .insert("counties".into(), Value::Array(members));
            z.properties.insert("provenance".into(), json!(opts.status));
        }
        let mut basins = existing_units(&atlas, LayerKind::Basin);
        for b in &mut basins {
            let members: Vec<Value> = counties
                .iter()
                .filter(|c| {
                    c.properties.get("basin").and_then(Value::as_str) == Some(b.id.as_str())
                })
                .map(|c| json!(c.id))
                .collect();
            b.properties
                .insert("counties".into(), Value::Array(members));
        }
        if !moved.is_empty() {
            new_layers.insert(LayerKind::County, counties);
            new_layers.insert(LayerKind::Basin, basins);
        }
    }
    let count = units.len();
    new_layers.insert(opts.layer, units);

    // Manifest: the imported layer's provenance becomes the user's source.
    let mut manifest: Value = serde_json::from_slice(&base_file(data, "manifest.json")?)
        .map_err(|e| ImportError::Usage(format!("manifest: {e}")))?;
    let mut note = format!("imported by `liuyu import` from {source}");
    if !split.is_empty() {
        note.push_str(&format!(
            "; counties split between zones: {}",
            split.join(", ")
        ));
    }
    let transformation = format!(
        "read with the {reader} reader; {source_crs} -> OGC:CRS84, rounded to 1e-6 degree, rings oriented per RFC 7946{}",
        if opts.layer == LayerKind::Zone { "; county memberships by largest share of area (overlay)" } else { "" }
    );
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let entries = manifest
        .get_mut("layers")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| ImportError::Usage("manifest has no layers".into()))?;
    for entry in entries.iter_mut() {
        let id = entry
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let file = entry
            .get("file")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let kind = LayerKind::from_id(&id);
        let bytes = match kind.and_then(|k| new_layers.get(&k).map(|u| (k, u))) {
            Some((k, u)) => layer_text(k, u).into_bytes(),
            None => base_file(data, &file)?,
        };
        if kind == Some(opts.layer) {
            entry["provenance"] = json!({
                "status": opts.status, "source": source, "version": "",
                "licence": "see source", "transformation": transformation, "note": note,
            });
            entry["features"] = json!(count);
        }
        files.push((file, bytes));
    }
    let mut mtext =
        serde_json::to_string_pretty(&manifest).map_err(|e| ImportError::Usage(e.to_string()))?;
    mtext.push('\n');
    files.push(("manifest.json".into(), mtext.into_bytes()));
    for extra in ["SOURCES.md"] {
        if let Ok(b) = base_file(data, extra) {
            files.push((extra.into(), b));
        }
    }

    // Write to a scratch directory, validate fully, then move into place.
    let scratch = opts.out.with_extension("import-tmp");
    let _ = std::fs::remove_dir_all(&scratch);
    for (name, bytes) in &files {
        let p = scratch.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| ImportError::Io(parent.to_path_buf(), e))?;
        }
        std::fs::write(&p, bytes).map_err(|e| ImportError::Io(p.clone(), e))?;
    }
    let version = match Atlas::load_dir(&scratch) {
        Ok(a) => a.version().to_string(),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&scratch);
            return Err(ImportError::Invalid {
                out: opts.out.clone(),
                report: e.to_string(),
            });
        }
    };
    let _ = std::fs::remove_dir_all(&opts.out);
    std::fs::rename(&scratch, &opts.out).map_err(|e| ImportError::Io(opts.out.clone(), e))?;
    Ok(ImportSummary {
        layer: opts.layer.id().into(),
        units: count,
        source_crs,
        reader,
        counties_moved: moved,
        counties_split: split,
        data_version: version,
        out: opts.out.clone(),
    })
}
