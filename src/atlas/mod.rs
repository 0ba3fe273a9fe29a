//! The Atlas (图集): every layer of the dataset, its provenance, a content
//! version and the point index, built once and then shared read-only.

mod layer;
mod load;
pub mod validate;

pub use layer::{Layer, LayerKind, Provenance, Unit};
pub use load::{parse_units, Manifest, ManifestLayer, RawDataset};
pub use validate::{Finding, Report, AREA_TOLERANCE};

use crate::index::Locator;
use crate::locate::Location;
use serde::Serialize;
use std::path::Path;
use thiserror::Error;

/// Why a dataset could not be loaded. Loading never yields a partial Atlas.
#[derive(Debug, Error)]
pub enum AtlasError {
    /// A file could not be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        message: String,
    },
    /// A file is not valid JSON/GeoJSON of the expected shape.
    #[error("{file}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// The cause.
        message: String,
    },
    /// The manifest is inconsistent.
    #[error("manifest: {0}")]
    Manifest(String),
    /// The data failed validation.
    #[error("invalid dataset: {0}")]
    Invalid(Report),
}

/// The embedded default dataset (`data/`), compiled into the binary.
pub mod embedded {
    /// `(file name, bytes)` of every file the manifest may reference.
    pub const FILES: &[(&str, &[u8])] = &[
        ("manifest.json", include_bytes!("../../data/manifest.json")),
        (
            "layers/province.geojson",
            include_bytes!("../../data/layers/province.geojson"),
        ),
        (
            "layers/prefectures.geojson",
            include_bytes!("../../data/layers/prefectures.geojson"),
        ),
        (
            "layers/counties.geojson",
            include_bytes!("../../data/layers/counties.geojson"),
        ),
        (
            "layers/basins.geojson",
            include_bytes!("../../data/layers/basins.geojson"),
        ),
        (
            "layers/zones.geojson",
            include_bytes!("../../data/layers/zones.geojson"),
        ),
        (
            "layers/metro_areas.geojson",
            include_bytes!("../../data/layers/metro_areas.geojson"),
        ),
        (
            "layers/city_clusters.geojson",
            include_bytes!("../../data/layers/city_clusters.geojson"),
        ),
        (
            "layers/corridors.geojson",
            include_bytes!("../../data/layers/corridors.geojson"),
        ),
    ];
}

/// Memberships of one county-level unit in every other layer (by table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Memberships {
    /// County adcode.
    pub county: String,
    /// Prefecture adcode.
    pub prefecture: String,
    /// Second-level zone id.
    pub zone: Option<String>,
    /// First-level basin id.
    pub basin: Option<String>,
    /// Metro area ids.
    pub metro_areas: Vec<String>,
    /// City cluster ids.
    pub city_clusters: Vec<String>,
    /// Corridor ids.
    pub corridors: Vec<String>,
}

/// Every layer, its provenance and its indexes: an immutable snapshot.
#[derive(Debug)]
pub struct Atlas {
    layers: Vec<Layer>,
    locator: Locator,
    /// Rings and unit index for footprint overlays, built on first use.
    overlay: std::sync::OnceLock<crate::overlay::Prepared>,
    version: String,
    dataset: String,
}

impl Atlas {
    /// Load the embedded default dataset.
    ///
    /// It is validated by the data build and by the test suite; at start-up its
    /// structure and references are checked, the area checks are skipped (they
    /// cost about a second; `liuyu data validate` runs them).
    pub fn embedded() -> Result<Atlas, AtlasError> {
        let raw = RawDataset::read_with(|name| {
            embedded::FILES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, b)| b.to_vec())
                .ok_or_else(|| AtlasError::Io {
                    path: format!("<embedded>/{name}"),
                    message: "not embedded".into(),
                })
        })?;
        Self::from_raw(raw, false)
    }

    /// Load and fully validate a dataset directory with the layout of `data/`.
    pub fn load_dir(dir: &Path) -> Result<Atlas, AtlasError> {
        Self::from_raw(RawDataset::read_dir(dir)?, true)
    }

    /// Build from raw files; `full` runs the area (partition) checks too.
    pub fn from_raw(raw: RawDataset, full: bool) -> Result<Atlas, AtlasError> {
        let layers = raw.parse()?;
        let report = if full {
            validate::validate(&layers)
        } else {
            validate::validate_structure(&layers)
        };
        if !report.is_ok() {
            return Err(AtlasError::Invalid(report));
        }
        let locator = Locator::new(&layers);
        Ok(Atlas {
            layers,
            locator,
            overlay: std::sync::OnceLock::new(),
            version: raw.version,
            dataset: raw.manifest.dataset,
        })
    }

    /// Run every validation rule (including the area checks) on this Atlas.
    pub fn validate(&self) -> Report {
        validate::validate(&self.layers)
    }

    /// A layer.
    pub fn layer(&self, kind: LayerKind) -> &Layer {
        &self.layers[kind.index()]
    }

    /// All layers in [`LayerKind::ALL`] order.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Content hash of the dataset (`data_version`).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Dataset name from the manifest.
    pub fn dataset(&self) -> &str {
        &self.dataset
    }

    /// The point index.
    pub fn locator(&self) -> &Locator {
        &self.locator
    }

    /// Every unit prepared for footprint overlays (叠加), built on first use
    /// (about a millisecond for the embedded data).
    pub fn overlay(&self) -> &crate::overlay::Prepared {
        self.overlay
            .get_or_init(|| crate::overlay::Prepared::new(self))
    }

    /// Exact all-layer lookup of a WGS 84 / CGCS2000 lon/lat point.
    pub fn locate(&self, lon: f64, lat: f64) -> Location {
        Location::build(self, lon, lat, &self.locator.locate(lon, lat))
    }

    /// Memberships of a county-level unit, from the layer tables.
    pub fn memberships(&self, county_adcode: &str) -> Option<Memberships> {
        let c = self.layer(LayerKind::County).get(county_adcode)?;
        let prefecture = c.prop_str("prefecture")?.to_string();
        let groups = |k: LayerKind| -> Vec<String> {
            self.layer(k)
                .units
                .iter()
                .filter(|g| g.members().contains(&prefecture.as_str()))
                .map(|g| g.id.clone())
                .collect()
        };
        Some(Memberships {
            county: c.id.clone(),
            zone: c.prop_str("zone").map(str::to_string),
            basin: c.prop_str("basin").map(str::to_string),
            metro_areas: groups(LayerKind::MetroArea),
            city_clusters: groups(LayerKind::CityCluster),
            corridors: groups(LayerKind::Corridor),
            prefecture,
        })
    }
}
