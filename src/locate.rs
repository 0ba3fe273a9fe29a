//! The answer to "which units govern this location?" (所在单元).

pub mod http;

use crate::atlas::{Atlas, LayerKind, Unit};
use crate::index::Hit;
use serde::Serialize;
use serde_json::{json, Map, Value};

/// Check a lon/lat pair before a lookup: finite and within [-180, 180] x [-90, 90].
pub fn check_lon_lat(lon: f64, lat: f64) -> Result<(), String> {
    if !lon.is_finite() || !lat.is_finite() {
        return Err(format!(
            "coordinates must be finite numbers, got lon={lon}, lat={lat}"
        ));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(format!("lon must be within [-180, 180], got {lon}"));
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(format!("lat must be within [-90, 90], got {lat}"));
    }
    Ok(())
}

/// An administrative unit in an answer.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AdminRef {
    /// Adcode.
    pub adcode: String,
    /// Chinese name.
    pub name: String,
}

/// A governance region (basin, zone, metro area...) in an answer.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RegionRef {
    /// Region id.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// Extra fields (level, lead city, provenance...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One containing unit of any layer, with the border flag.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Match {
    /// Layer id.
    pub layer: &'static str,
    /// Unit id.
    pub id: String,
    /// Unit name.
    pub name: String,
    /// The point lies on this unit's boundary (within 1e-7 degree).
    pub on_boundary: bool,
}

/// The all-layer answer for one point. Field names are the API contract.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Location {
    /// Longitude (WGS 84 / CGCS2000).
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// Inside (or on the outline of) Hubei.
    pub inside_hubei: bool,
    /// The point lies on a boundary of some unit; single-valued fields then hold the
    /// unit with the smallest id and `matches` lists every containing unit.
    pub on_boundary: bool,
    /// 省.
    pub province: Option<AdminRef>,
    /// 相邻省份: outside Hubei (or on its outline), the neighbouring province
    /// the point lies in (重庆, 陕西, 河南, 安徽, 江西 or 湖南); null inside
    /// Hubei proper and beyond the six neighbours.
    pub neighbouring_province: Option<AdminRef>,
    /// 地级单位.
    pub prefecture: Option<AdminRef>,
    /// 县级单位.
    pub county: Option<AdminRef>,
    /// 一级流域.
    pub basin: Option<RegionRef>,
    /// 二级流域片区.
    pub zone: Option<RegionRef>,
    /// 都市圈.
    pub metro_areas: Vec<RegionRef>,
    /// 城市群.
    pub city_clusters: Vec<RegionRef>,
    /// 大气污染传输通道.
    pub corridors: Vec<RegionRef>,
    /// Every containing unit of every layer, with its border flag.
    pub matches: Vec<Match>,
    /// Caveats about reconstructed or secondary-source units in this answer.
    pub notes: Vec<String>,
    /// Content hash of the dataset that answered.
    pub data_version: String,
}

fn admin(u: &Unit) -> AdminRef {
    AdminRef {
        adcode: u.id.clone(),
        name: u.name.clone(),
    }
}

fn region(atlas: &Atlas, kind: LayerKind, u: &Unit) -> RegionRef {
    let mut extra = Map::new();
    let copy = |extra: &mut Map<String, Value>, k: &str| {
        if let Some(v) = u.properties.get(k) {
            extra.insert(k.to_string(), v.clone());
        }
    };
    match kind {
        LayerKind::Basin => {
            extra.insert("level".into(), json!(1));
            copy(&mut extra, "name_en");
        }
        LayerKind::Zone => {
            extra.insert("level".into(), json!(2));
            copy(&mut extra, "basin");
        }
        LayerKind::MetroArea => {
            copy(&mut extra, "lead_city");
            copy(&mut extra, "lead_city_name");
            copy(&mut extra, "members");
        }
        LayerKind::CityCluster | LayerKind::Corridor => copy(&mut extra, "members"),
        _ => {}
    }
    extra.insert(
        "provenance".into(),
        json!(atlas.layer(kind).unit_provenance(u)),
    );
    RegionRef {
        id: u.id.clone(),
        name: u.name.clone(),
        extra,
    }
}

/// Caveats on reconstructed zones and on group units that are not official.
fn region_notes<'a>(
    atlas: &Atlas,
    has_zone: bool,
    groups: impl Iterator<Item = &'a RegionRef>,
) -> Vec<String> {
    let mut notes = Vec::new();
    if has_zone {
        let p = &atlas.layer(LayerKind::Zone).provenance;
        if p.status != "official" {
            notes.push(format!(
                "zone and basin extents are {}. {}",
                p.status,
                p.note.as_deref().unwrap_or("see the dataset's SOURCES")
            ));
        }
    }
    for r in groups {
        let prov = r
            .extra
            .get("provenance")
            .and_then(Value::as_str)
            .unwrap_or("official");
        if prov != "official" {
            notes.push(format!("{} ({}) membership is {prov}", r.name, r.id));
        }
    }
    notes
}

impl Location {
    /// Shape the hits of the locator into the answer.
    pub fn build(atlas: &Atlas, lon: f64, lat: f64, hits: &[Hit]) -> Location {
        let unit = |h: &Hit| &atlas.layer(h.layer).units[h.unit as usize];
        let first = |k: LayerKind| hits.iter().find(|h| h.layer == k).map(unit);
        let all = |k: LayerKind| -> Vec<RegionRef> {
            hits.iter()
                .filter(|h| h.layer == k)
                .map(|h| region(atlas, k, unit(h)))
                .collect()
        };
        let zone = first(LayerKind::Zone).map(|u| region(atlas, LayerKind::Zone, u));
        let basin = first(LayerKind::Basin).map(|u| region(atlas, LayerKind::Basin, u));
        let (metro_areas, city_clusters, corridors) = (
            all(LayerKind::MetroArea),
            all(LayerKind::CityCluster),
            all(LayerKind::Corridor),
        );
        let mut notes = region_notes(
            atlas,
            zone.is_some(),
            metro_areas.iter().chain(&city_clusters).chain(&corridors),
        );
        let inside_hubei = first(LayerKind::Province).is_some();
        let on_outline = hits
            .iter()
            .any(|h| h.layer == LayerKind::Province && h.on_boundary);
        let neighbouring_province = (!inside_hubei || on_outline)
            .then(|| atlas.neighbour_at(lon, lat))
            .flatten()
            .map(admin);
        if let (false, Some(n)) = (inside_hubei, &neighbouring_province) {
            notes.push(format!(
                "outside Hubei, in the neighbouring province {} ({}); the Hubei document does not govern there",
                n.name, n.adcode
            ));
        }
        Location {
            lon,
            lat,
            inside_hubei,
            neighbouring_province,
            on_boundary: hits.iter().any(|h| h.on_boundary),
            province: first(LayerKind::Province).map(admin),
            prefecture: first(LayerKind::Prefecture).map(admin),
            county: first(LayerKind::County).map(admin),
            basin,
            zone,
            metro_areas,
            city_clusters,
            corridors,
            matches: hits
                .iter()
                .map(|h| {
                    let u = unit(h);
                    Match {
                        layer: h.layer.id(),
                        id: u.id.clone(),
                        name: u.name.clone(),
                        on_boundary: h.on_boundary,
                    }
                })
                .collect(),
            notes,
            data_version: atlas.version().to_string(),
        }
    }
}
