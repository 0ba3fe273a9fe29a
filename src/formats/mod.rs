//! Exchange formats (数据格式): exporting layers as GeoJSON, FlatGeobuf,
//! GeoParquet and Shapefile, and importing polygons from GeoJSON, FlatGeobuf
//! and Shapefile in pure Rust (any OGR format with the `gdal` feature).
//!
//! Writers take an [`ExportLayer`]: a named list of features (id, multipolygon
//! in WGS 84 lon/lat, JSON properties) plus layer provenance. The geometry is
//! converted to the requested CRS on the way out, and every format records the
//! CRS (GeoJSON `crs` only when not CRS84, FlatGeobuf header CRS, GeoParquet
//! `geo` metadata PROJJSON, Shapefile `.prj`).

pub mod cli;
pub mod crs_defs;
pub mod export;
pub mod fgb;
pub mod fgb_read;
#[cfg(feature = "gdal")]
pub mod gdal_read;
pub mod geojson_io;
pub mod geoparquet;
pub mod http;
pub mod import;
pub mod read;
pub mod schema;
pub mod shp;

use std::fmt;
use std::path::PathBuf;

use geo::MultiPolygon;
use serde_json::{Map, Value};

use crate::crs::{Crs, CrsError, CrsId};

pub use export::{atlas_layer, export_atlas, export_layer, export_layer_bytes};

/// Errors from reading or writing an exchange format.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// File-system error.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Coordinate conversion failed.
    #[error(transparent)]
    Crs(#[from] CrsError),
    /// The format library reported an error.
    #[error("{format}: {message}")]
    Codec {
        /// Which format.
        format: &'static str,
        /// What went wrong.
        message: String,
    },
    /// Unknown format name or file extension.
    #[error("unknown format {0:?}; expected geojson, flatgeobuf, geoparquet or shapefile")]
    UnknownFormat(String),
}

impl FormatError {
    pub(crate) fn codec(format: &'static str, e: impl fmt::Display) -> Self {
        Self::Codec {
            format,
            message: e.to_string(),
        }
    }
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}

/// An export/import format (文件格式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// RFC 7946 GeoJSON (`.geojson`).
    GeoJson,
    /// FlatGeobuf (`.fgb`), with a spatial index.
    FlatGeobuf,
    /// GeoParquet 1.1 (`.parquet`), WKB geometry column.
    GeoParquet,
    /// ESRI Shapefile (`.shp` + `.shx` + `.dbf` + `.prj` + `.cpg`).
    Shapefile,
}

impl Format {
    /// All formats.
    pub const ALL: [Format; 4] = [
        Format::GeoJson,
        Format::FlatGeobuf,
        Format::GeoParquet,
        Format::Shapefile,
    ];

    /// Parses a format name (`geojson`, `flatgeobuf`/`fgb`, `geoparquet`/`parquet`, `shapefile`/`shp`).
    pub fn parse(s: &str) -> Result<Self, FormatError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "geojson" | "json" => Ok(Self::GeoJson),
            "flatgeobuf" | "fgb" => Ok(Self::FlatGeobuf),
            "geoparquet" | "parquet" => Ok(Self::GeoParquet),
            "shapefile" | "shp" | "esri shapefile" => Ok(Self::Shapefile),
            other => Err(FormatError::UnknownFormat(other.to_string())),
        }
    }

    /// File extension (without dot).
    pub fn extension(self) -> &'static str {
        match self {
            Self::GeoJson => "geojson",
            Self::FlatGeobuf => "fgb",
            Self::GeoParquet => "parquet",
            Self::Shapefile => "shp",
        }
    }

    /// MIME type for HTTP downloads.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::GeoJson => "application/geo+json",
            Self::FlatGeobuf => "application/flatgeobuf",
            Self::GeoParquet => "application/vnd.apache.parquet",
            Self::Shapefile => "application/x-shapefile",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = FormatError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// One feature to export: stable id, geometry in WGS 84 lon/lat, properties.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportFeature {
    /// Stable identifier (adcode or zone/basin id).
    pub id: String,
    /// Geometry in WGS 84 (CRS84) longitude/latitude.
    pub geometry: MultiPolygon<f64>,
    /// All properties (written as columns; arrays/objects as JSON text).
    pub properties: Map<String, Value>,
}

/// A layer to export (图层), named after the file it becomes.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportLayer {
    /// Layer name, e.g. `counties`; files are `counties.fgb`, ...
    pub name: String,
    /// Features in WGS 84.
    pub features: Vec<ExportFeature>,
    /// Layer provenance (status, source, licence, ...) as a JSON object.
    pub provenance: Value,
}

/// Converts every vertex of `g` from WGS 84 to `crs`.
pub fn reproject(g: &MultiPolygon<f64>, crs: &Crs) -> Result<MultiPolygon<f64>, CrsError> {
    if crs.id().is_wgs84_lonlat() {
        return Ok(g.clone());
    }
    use geo::MapCoords;
    g.try_map_coords(|c| {
        let (x, y) = crs.from_wgs84(c.x, c.y)?;
        Ok(geo::coord! { x: x, y: y })
    })
}

/// Converts every vertex of `g` from `crs` to WGS 84.
pub fn reproject_to_wgs84(g: &MultiPolygon<f64>, crs: &Crs) -> Result<MultiPolygon<f64>, CrsError> {
    if crs.id().is_wgs84_lonlat() {
        return Ok(g.clone());
    }
    use geo::MapCoords;
    g.try_map_coords(|c| {
        let (x, y) = crs.to_wgs84(c.x, c.y)?;
        Ok(geo::coord! { x: x, y: y })
    })
}

/// The CRS recorded in exported files for `id` (GCJ-02 and BD-09 have none).
pub fn has_standard_definition(id: CrsId) -> bool {
    crs_defs::wkt1(id).is_some()
}
