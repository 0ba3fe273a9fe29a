//! Reading a dataset (manifest + GeoJSON layers) from the embedded copy or a directory.

use super::layer::{Layer, LayerKind, Provenance, Unit};
use super::AtlasError;
use geo::MultiPolygon;
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::path::Path;

/// `manifest.json` of a dataset.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    /// Dataset name.
    pub dataset: String,
    /// Layer entries.
    pub layers: Vec<ManifestLayer>,
}

/// One layer entry of the manifest.
#[derive(Debug, Clone, Deserialize)]
pub struct ManifestLayer {
    /// Layer id (`counties`...).
    pub id: String,
    /// File, relative to the dataset directory.
    pub file: String,
    /// Provenance of the layer.
    pub provenance: Provenance,
}

/// Raw files of a dataset: the manifest and one GeoJSON text per layer.
pub struct RawDataset {
    /// Parsed manifest.
    pub manifest: Manifest,
    /// `(layer kind, file name, bytes)` in [`LayerKind::ALL`] order.
    pub layers: Vec<(LayerKind, String, Vec<u8>)>,
    /// The `neighbours` context layer (相邻省份), when the manifest lists one:
    /// `(file name, bytes, provenance)`. Not a [`LayerKind`]: it lies outside
    /// the province and governs nothing.
    pub neighbours: Option<(String, Vec<u8>, Provenance)>,
    /// Content hash over the manifest and layer bytes.
    pub version: String,
}

/// Manifest id of the neighbouring-provinces context layer.
pub const NEIGHBOURS_ID: &str = "neighbours";

/// A manifest file path must stay inside the dataset.
fn check_inside(file: &str) -> Result<(), AtlasError> {
    if file.contains("..") || file.starts_with('/') {
        return Err(AtlasError::Manifest(format!(
            "layer file `{file}` must stay inside the dataset"
        )));
    }
    Ok(())
}

impl RawDataset {
    /// Read from a lookup function (file name -> bytes).
    pub fn read_with(
        read: impl Fn(&str) -> Result<Vec<u8>, AtlasError>,
    ) -> Result<RawDataset, AtlasError> {
        let mbytes = read("manifest.json")?;
        let manifest: Manifest =
            serde_json::from_slice(&mbytes).map_err(|e| AtlasError::Parse {
                file: "manifest.json".into(),
                message: e.to_string(),
            })?;
        let mut hasher = Sha256::new();
        hasher.update(&mbytes);
        let mut layers = Vec::new();
        for kind in LayerKind::ALL {
            let entries: Vec<&ManifestLayer> = manifest
                .layers
                .iter()
                .filter(|l| l.id == kind.id())
                .collect();
            let entry = match entries.as_slice() {
                [e] => *e,
                [] => {
                    return Err(AtlasError::Manifest(format!(
                        "layer `{}` is missing",
                        kind.id()
                    )))
                }
                _ => {
                    return Err(AtlasError::Manifest(format!(
                        "layer `{}` is listed twice",
                        kind.id()
                    )))
                }
            };
            check_inside(&entry.file)?;
            let bytes = read(&entry.file)?;
            hash_file(&mut hasher, &entry.file, &bytes);
            layers.push((kind, entry.file.clone(), bytes));
        }
        let neighbours = match manifest
            .layers
            .iter()
            .filter(|l| l.id == NEIGHBOURS_ID)
            .collect::<Vec<_>>()
            .as_slice()
        {
            [] => None,
            [e] => {
                check_inside(&e.file)?;
                let bytes = read(&e.file)?;
                hash_file(&mut hasher, &e.file, &bytes);
                Some((e.file.clone(), bytes, e.provenance.clone()))
            }
            _ => {
                return Err(AtlasError::Manifest(format!(
                    "layer `{NEIGHBOURS_ID}` is listed twice"
                )))
            }
        };
        if let Some(unknown) = manifest
            .layers
            .iter()
            .find(|l| LayerKind::from_id(&l.id).is_none() && l.id != NEIGHBOURS_ID)
        {
            tracing::debug!(layer = %unknown.id, "manifest lists a layer this Atlas does not load");
        }
        let version = hex::encode(&hasher.finalize()[..8]);
        Ok(RawDataset {
            manifest,
            layers,
            neighbours,
            version,
        })
    }

    /// Read from a directory with the layout of `data/`.
    pub fn read_dir(dir: &Path) -> Result<RawDataset, AtlasError> {
        Self::read_with(|name| {
            let path = dir.join(name);
            read_regular_file(&path).map_err(|e| AtlasError::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            })
        })
    }

    /// Parse the layers.
    pub fn parse(&self) -> Result<Vec<Layer>, AtlasError> {
        self.layers
            .iter()
            .map(|(kind, file, bytes)| {
                let entry = self
                    .manifest
                    .layers
                    .iter()
                    .find(|l| l.id == kind.id())
                    .ok_or_else(|| {
                        AtlasError::Manifest(format!("layer `{}` is missing", kind.id()))
                    })?;
                let units = parse_units(file, bytes)?;
                Ok(Layer::new(*kind, units, entry.provenance.clone()))
            })
            .collect()
    }
}

/// Largest data file read (1 GiB): anything bigger is refused, not read.
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// Reads a whole file that must be a regular file (数据文件只读普通文件). A FIFO,
/// socket, device or directory is refused instead of read: it is opened
/// without blocking and checked on the open descriptor (no window between
/// check and read), so a FIFO put in place of a layer cannot hang a reload.
pub fn read_regular_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut opts, libc::O_NONBLOCK);
    let file = opts.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{} is not a regular file", path.display()),
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{} is larger than {MAX_FILE_BYTES} bytes", path.display()),
        ));
    }
    let mut out = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES).read_to_end(&mut out)?;
    Ok(out)
}

fn hash_file(hasher: &mut Sha256, file: &str, bytes: &[u8]) {
    hasher.update((file.len() as u64).to_le_bytes());
    hasher.update(file.as_bytes());
    hasher.update((bytes.len() as u64).to_le_bytes());
    hasher.update(bytes);
}

fn parse_err(file: &str, message: impl Into<String>) -> AtlasError {
    AtlasError::Parse {
        file: file.to_string(),
        message: message.into(),
    }
}

/// Parse a GeoJSON FeatureCollection of (Multi)Polygons into units.
pub fn parse_units(file: &str, bytes: &[u8]) -> Result<Vec<Unit>, AtlasError> {
    let text = std::str::from_utf8(bytes).map_err(|e| parse_err(file, e.to_string()))?;
    let gj: geojson::GeoJson = text
        .parse()
        .map_err(|e: geojson::Error| parse_err(file, e.to_string()))?;
    let fc = match gj {
        geojson::GeoJson::FeatureCollection(fc) => fc,
        _ => return Err(parse_err(file, "expected a FeatureCollection")),
    };
    let mut units = Vec::with_capacity(fc.features.len());
    for (i, f) in fc.features.into_iter().enumerate() {
        let properties: Map<String, Value> = f.properties.clone().unwrap_or_default();
        let id = match &f.id {
            Some(geojson::feature::Id::String(s)) => s.clone(),
            Some(geojson::feature::Id::Number(n)) => n.to_string(),
            None => properties
                .get("id")
                .or_else(|| properties.get("adcode"))
                .and_then(|v| v.as_str().map(str::to_string))
                .ok_or_else(|| parse_err(file, format!("feature #{i} has no id")))?,
        };
        let name = properties
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| parse_err(file, format!("feature `{id}` has no name")))?
            .to_string();
        let geometry = f
            .geometry
            .ok_or_else(|| parse_err(file, format!("feature `{id}` has no geometry")))?;
        super::positions::check_positions(&geometry)
            .map_err(|e| parse_err(file, format!("feature `{id}`: {e}")))?;
        let geometry: MultiPolygon<f64> = match geo::Geometry::<f64>::try_from(geometry) {
            Ok(geo::Geometry::MultiPolygon(mp)) => mp,
            Ok(geo::Geometry::Polygon(p)) => MultiPolygon::new(vec![p]),
            Ok(other) => {
                return Err(parse_err(
                    file,
                    format!(
                        "feature `{id}`: expected a Polygon or MultiPolygon, got {}",
                        geometry_name(&other)
                    ),
                ))
            }
            Err(e) => return Err(parse_err(file, format!("feature `{id}`: {e}"))),
        };
        units.push(Unit {
            id,
            name,
            geometry,
            properties,
        });
    }
    Ok(units)
}

fn geometry_name(g: &geo::Geometry<f64>) -> &'static str {
    match g {
        geo::Geometry::Point(_) => "Point",
        geo::Geometry::Line(_) => "Line",
        geo::Geometry::LineString(_) => "LineString",
        geo::Geometry::Polygon(_) => "Polygon",
        geo::Geometry::MultiPoint(_) => "MultiPoint",
        geo::Geometry::MultiLineString(_) => "MultiLineString",
        geo::Geometry::MultiPolygon(_) => "MultiPolygon",
        geo::Geometry::GeometryCollection(_) => "GeometryCollection",
        geo::Geometry::Rect(_) => "Rect",
        geo::Geometry::Triangle(_) => "Triangle",
    }
}
