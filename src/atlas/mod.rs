//! The Atlas (图集): every layer of the dataset, its provenance, a content
//! version and the point index, built once and then shared read-only.

mod layer;
mod load;
pub mod positions;
pub mod validate;

pub use layer::{Layer, LayerKind, Provenance, Unit};
pub use load::{
    parse_units, read_regular_file, Manifest, ManifestLayer, RawDataset, MAX_FILE_BYTES,
    NEIGHBOURS_ID,
};
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
        (
            "layers/neighbours.geojson",
            include_bytes!("../../data/layers/neighbours.geojson"),
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

/// The neighbouring provinces (相邻省份), each with the stripe index the
/// point locator uses for one unit.
///
/// A handful of polygons of a few thousand vertices each: an exact `geo`
/// test of every one took tens of microseconds, most of a `/v1/locate`
/// answer for a point outside Hubei. The stripe index answers in well under
/// a microsecond and exactly away from a boundary; within its 1 cm band the
/// exact `geo` test still decides, so answers are those of the exact test.
#[derive(Debug, Default)]
struct Neighbours {
    units: Vec<Unit>,
    index: Vec<crate::index::EdgeIndex>,
    provenance: Option<Provenance>,
}

impl Neighbours {
    fn parse(raw: Option<&(String, Vec<u8>, Provenance)>) -> Result<Self, AtlasError> {
        let Some((file, bytes, prov)) = raw else {
            return Ok(Neighbours::default());
        };
        let mut units = load::parse_units(file, bytes)?;
        units.sort_by(|a, b| a.id.cmp(&b.id));
        if let Some(w) = units.windows(2).find(|w| w[0].id == w[1].id) {
            return Err(AtlasError::Parse {
                file: file.clone(),
                message: format!("duplicate neighbour id `{}`", w[0].id),
            });
        }
        let index = units
            .iter()
            .map(|u| crate::index::EdgeIndex::new(&u.geometry))
            .collect();
        Ok(Neighbours {
            units,
            index,
            provenance: Some(prov.clone()),
        })
    }

    /// The first neighbour (in adcode order) whose polygon intersects the
    /// point, boundary included: `geo`'s `Intersects`, asked only when the
    /// point is within the stripe index's 1 cm boundary band.
    fn at(&self, lon: f64, lat: f64) -> Option<&Unit> {
        use crate::index::Position;
        use geo::Intersects;
        if !lon.is_finite() || !lat.is_finite() {
            return None;
        }
        self.units
            .iter()
            .zip(&self.index)
            .find(|(u, ix)| match ix.classify(lon, lat) {
                Position::Inside => true,
                Position::Outside => false,
                Position::Boundary => u.geometry.intersects(&geo::Point::new(lon, lat)),
            })
            .map(|(u, _)| u)
    }
}

/// Every layer, its provenance and its indexes: an immutable snapshot.
#[derive(Debug)]
pub struct Atlas {
    layers: Vec<Layer>,
    neighbours: Neighbours,
    locator: Locator,
    /// Rings and unit index for footprint overlays, built on first use.
    overlay: std::sync::OnceLock<crate::overlay::Prepared>,
    /// The neighbouring provinces prepared for overlays, built on first use.
    neighbours_overlay: std::sync::OnceLock<crate::overlay::Prepared>,
    /// Every unit's parts of a locate answer, serialised once at load.
    fragments: std::sync::OnceLock<crate::locate::fragments::Fragments>,
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
        let neighbours = Neighbours::parse(raw.neighbours.as_ref())?;
        let locator = Locator::new(&layers);
        let atlas = Atlas {
            layers,
            neighbours,
            locator,
            overlay: std::sync::OnceLock::new(),
            neighbours_overlay: std::sync::OnceLock::new(),
            fragments: std::sync::OnceLock::new(),
            version: raw.version,
            dataset: raw.manifest.dataset,
        };
        atlas.fragments();
        Ok(atlas)
    }

    fn fragments(&self) -> &crate::locate::fragments::Fragments {
        self.fragments
            .get_or_init(|| crate::locate::fragments::Fragments::new(self))
    }

    /// The JSON of [`Atlas::locate`] appended to `out`, written from fragments
    /// serialised at load: the same bytes as `serde_json::to_vec(&self.locate(lon, lat))`,
    /// without building the answer.
    pub fn locate_json(&self, lon: f64, lat: f64, out: &mut Vec<u8>) {
        thread_local! {
            static HITS: std::cell::RefCell<Vec<crate::index::Hit>> =
                const { std::cell::RefCell::new(Vec::new()) };
        }
        HITS.with_borrow_mut(|hits| {
            hits.clear();
            self.locator.locate_into(lon, lat, hits);
            self.fragments().write(self, lon, lat, hits, out);
        });
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

    /// The neighbouring provinces prepared for footprint overlays (slot =
    /// index in [`Atlas::neighbours`]), built on first use.
    pub fn neighbours_overlay(&self) -> &crate::overlay::Prepared {
        self.neighbours_overlay
            .get_or_init(|| crate::overlay::Prepared::of_units(&self.neighbours.units))
    }

    /// Exact all-layer lookup of a WGS 84 / CGCS2000 lon/lat point.
    pub fn locate(&self, lon: f64, lat: f64) -> Location {
        Location::build(self, lon, lat, &self.locator.locate(lon, lat))
    }

    /// The provinces bordering Hubei (相邻省份: 重庆, 陕西, 河南, 安徽, 江西, 湖南),
    /// sorted by adcode; empty when the dataset has no `neighbours` layer.
    /// Context for answers that leave the province: not one of the eight
    /// governance layers, so lookups, tiles, OGC collections and exports do
    /// not include it.
    pub fn neighbours(&self) -> &[Unit] {
        &self.neighbours.units
    }

    /// Provenance of the neighbours layer, when the dataset has one.
    pub fn neighbours_provenance(&self) -> Option<&Provenance> {
        self.neighbours.provenance.as_ref()
    }

    /// The neighbouring province containing a lon/lat point (its boundary
    /// included), or `None` (inside Hubei proper, or beyond the six). A point
    /// on the border between two neighbours gets the one with the smaller
    /// adcode; a point on Hubei's outline may also get its neighbour.
    pub fn neighbour_at(&self, lon: f64, lat: f64) -> Option<&Unit> {
        self.neighbours.at(lon, lat)
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
