//! Layers (图层) and their units.

use geo::{BoundingRect, MultiPolygon, Rect};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The kinds of layer the Atlas holds, in lookup order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerKind {
    /// 省 — the province outline.
    Province,
    /// 地级单位 — prefecture-level units (市, 州, 省直管市, 林区).
    Prefecture,
    /// 县级单位 — county-level units (区, 县, 县级市).
    County,
    /// 一级流域 — first-level basins (长江干流, 汉江, 清江).
    Basin,
    /// 二级流域片区 — second-level basin zones.
    Zone,
    /// 都市圈 — metropolitan areas.
    MetroArea,
    /// 城市群 — city clusters.
    CityCluster,
    /// 大气污染传输通道 — air-pollution transmission corridors.
    Corridor,
}

impl LayerKind {
    /// Every layer kind, in lookup order.
    pub const ALL: [LayerKind; 8] = [
        LayerKind::Province,
        LayerKind::Prefecture,
        LayerKind::County,
        LayerKind::Basin,
        LayerKind::Zone,
        LayerKind::MetroArea,
        LayerKind::CityCluster,
        LayerKind::Corridor,
    ];

    /// The layer's id, also its file name under `layers/`.
    pub fn id(self) -> &'static str {
        match self {
            LayerKind::Province => "province",
            LayerKind::Prefecture => "prefectures",
            LayerKind::County => "counties",
            LayerKind::Basin => "basins",
            LayerKind::Zone => "zones",
            LayerKind::MetroArea => "metro_areas",
            LayerKind::CityCluster => "city_clusters",
            LayerKind::Corridor => "corridors",
        }
    }

    /// Parse a layer id.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.id() == id)
    }

    /// Position in [`LayerKind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Where a layer comes from and how certain it is (来源).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// `official`, `secondary` or `reconstructed`.
    pub status: String,
    /// Source package or file.
    pub source: String,
    /// Source version.
    #[serde(default)]
    pub version: String,
    /// Licence of the source.
    #[serde(default)]
    pub licence: String,
    /// What was done to the source.
    #[serde(default)]
    pub transformation: String,
    /// Caveats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One unit of a layer: a county, a zone, a metro area...
#[derive(Debug, Clone)]
pub struct Unit {
    /// Stable id: the adcode for administrative units, else the id from the issues (`H7`, `wuhan`...).
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// Exact geometry, lon/lat degrees.
    pub geometry: MultiPolygon<f64>,
    /// All GeoJSON properties of the feature.
    pub properties: Map<String, Value>,
}

impl Unit {
    /// Member ids: `members` (prefecture adcodes) or `counties` (county adcodes).
    pub fn members(&self) -> Vec<&str> {
        ["members", "counties"]
            .iter()
            .find_map(|k| self.properties.get(*k).and_then(Value::as_array))
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// A string property.
    pub fn prop_str(&self, key: &str) -> Option<&str> {
        self.properties.get(key).and_then(Value::as_str)
    }

    /// The unit's bounding box.
    pub fn bbox(&self) -> Option<Rect<f64>> {
        self.geometry.bounding_rect()
    }

    /// The unit's provenance status (`official` unless its properties say otherwise).
    /// Answers use [`Layer::unit_provenance`], which falls back to the layer's status.
    pub fn provenance(&self) -> &str {
        self.prop_str("provenance").unwrap_or("official")
    }
}

/// A layer: its units and provenance.
#[derive(Debug, Clone)]
pub struct Layer {
    /// Which layer.
    pub kind: LayerKind,
    /// Units sorted by id.
    pub units: Vec<Unit>,
    /// Where it comes from.
    pub provenance: Provenance,
    pub(crate) by_id: HashMap<String, usize>,
}

impl Layer {
    /// Build a layer; units are sorted by id.
    pub fn new(kind: LayerKind, mut units: Vec<Unit>, provenance: Provenance) -> Self {
        units.sort_by(|a, b| a.id.cmp(&b.id));
        let by_id = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.clone(), i))
            .collect();
        Layer {
            kind,
            units,
            provenance,
            by_id,
        }
    }

    /// A unit by id.
    pub fn get(&self, id: &str) -> Option<&Unit> {
        self.by_id.get(id).map(|&i| &self.units[i])
    }

    /// The provenance status of one of this layer's units, the same in every
    /// answer (locate, profile, analysis, maps): the unit's own `provenance`
    /// property when it has one (it is more specific: 武汉都市圈 is `official`
    /// in a `secondary` layer), else the layer's status.
    pub fn unit_provenance<'a>(&'a self, u: &'a Unit) -> &'a str {
        u.prop_str("provenance")
            .unwrap_or(self.provenance.status.as_str())
    }

    /// Position of a unit by id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }
}
