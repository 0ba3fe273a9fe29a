//! 大气 (air): joint air-pollution lookups that know the wind — which
//! jurisdictions lie 下风向 (downwind) of a source with the wind the user
//! gives, when the air arrives, over what share of their area, whether it
//! leaves Hubei, and whom clause 十四 says must be told (通报) through which
//! mechanism (the 襄荆荆宜 transmission corridor, a metropolitan area's joint
//! prevention, or the provincial committee).
//!
//! **Honest scope.** This is a kinematic sector/trajectory estimate: air is
//! carried at the given speed within ±`spread` degrees of the downwind
//! direction, hour by hour ([`plume`]). There is no dispersion model (no
//! concentrations), no terrain, no chemistry, no deposition, and the wind is
//! taken as uniform in space (one wind for the whole region at each hour,
//! directions from north at the source). It says where the air may go and
//! when, not how much pollution arrives.
//!
//! Parts: [`wind`] (input and validation), [`frame`] (the source's
//! azimuthal-equidistant frame on the ellipsoid), [`plume`] (sectors, their
//! Minkowski sums, arrival times), [`reach`] (units reached, shares),
//! [`notify`] (the rule of 十四), [`neighbours`] (the neighbouring
//! provinces), [`http`] and [`cli`].

pub mod cli;
pub mod frame;
pub mod http;
pub mod neighbours;
pub mod notify;
pub mod plume;
pub mod reach;
pub mod wind;

use serde::Serialize;
use serde_json::Value;

use crate::atlas::{Atlas, LayerKind, Unit};
use crate::budget::{Budget, Exhausted};
use crate::governance::actors::{self, ClauseRef};
use crate::governance::jurisdiction::{area_m2, round6};
use crate::governance::obligations::PlaceName;
use crate::governance::places::place;
use crate::governance::Rules;

pub use notify::Notify;
pub use reach::Source;
pub use wind::{SeriesEntry, Wind, WindError, WindInput};

/// The scope statement every answer carries.
pub const SCOPE: &str = "kinematic sector/trajectory estimate from the wind you give: air is carried at the given speed within ±spread degrees of the downwind direction, hour by hour; no dispersion model (no concentrations), no terrain, no chemistry, no deposition; the wind is taken as uniform in space, with directions from north at the source. It tells where the air may go and when, not how much pollution arrives.";

/// A unit reached (prefecture, county or neighbouring province).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reached {
    /// Adcode.
    pub adcode: String,
    /// Name.
    pub name: String,
    /// The prefecture (for counties).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefecture: Option<String>,
    /// Earliest arrival, hours after the release (0: the unit holds the source).
    pub arrival_hours: f64,
    /// Distance from the source to where the plume first arrives, km.
    pub distance_km: f64,
    /// Share of the unit's area the plume covers by the end of the period.
    pub share: f64,
    /// The area covered, km².
    pub area_km2: f64,
    /// Where the plume first arrives (`lon`, `lat`; `x`, `y` too with `crs`);
    /// absent for a unit holding the source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<Value>,
    /// The unit holds (part of) the source.
    pub source: bool,
}

/// The units reached, each list in order of arrival.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Downwind {
    /// Prefecture-level units (地级).
    pub prefectures: Vec<Reached>,
    /// County-level units (县级).
    pub counties: Vec<Reached>,
}

/// Where the plume leaves Hubei.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeavesHubei {
    /// Whether part of the plume lies outside Hubei.
    pub leaves: bool,
    /// Share of the plume's area outside Hubei.
    pub outside_share: f64,
    /// The neighbouring provinces reached (arrival, distance, area covered).
    pub provinces: Vec<Reached>,
    /// What that means for coordination.
    pub note: String,
}

/// Where the air comes from, as understood.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceInfo {
    /// `point` or `footprint`.
    pub kind: &'static str,
    /// The origin of the frame (the point, or the mean of the footprint's vertices).
    pub origin: Value,
    /// County-level units holding the source.
    pub counties: Vec<PlaceName>,
    /// Prefecture-level units holding the source.
    pub prefectures: Vec<PlaceName>,
    /// Whether the source touches Hubei.
    pub in_hubei: bool,
    /// The neighbouring province holding the origin, when it is outside Hubei.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<PlaceName>,
}

/// The answer of `/v1/air/downwind` and `liuyu downwind`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AirAnswer {
    /// The source.
    pub source: SourceInfo,
    /// The wind used (validated steps, spread, hours, travel).
    pub wind: Wind,
    /// The plume (GeoJSON Polygon or MultiPolygon; in the requested crs).
    pub plume: Value,
    /// Plume area, km².
    pub plume_area_km2: f64,
    /// Every prefecture and county reached.
    pub downwind: Downwind,
    /// The part outside Hubei.
    pub leaves_hubei: LeavesHubei,
    /// Whom to notify (十四).
    pub notify: Vec<Notify>,
    /// What this estimate is and is not.
    pub scope: &'static str,
    /// Model details and caveats.
    pub notes: Vec<String>,
    /// Every clause cited.
    pub basis: Vec<String>,
    /// Titles of the cited clauses.
    pub clauses: Vec<ClauseRef>,
    /// Content hash of the atlas that answered.
    pub data_version: String,
    /// The CRS echo, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crs: Option<Value>,
}

/// Why a downwind estimate was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AirError {
    /// The wind is invalid (400) or out of scope (422).
    #[error(transparent)]
    Wind(#[from] WindError),
    /// The work ran out of time or was cancelled (503).
    #[error(transparent)]
    Exhausted(#[from] Exhausted),
}

/// Metres to kilometres, to the metre.
fn km(m: f64) -> f64 {
    m.round() / 1000.0
}

fn hours(h: f64) -> f64 {
    (h * 1000.0).round() / 1000.0
}

fn lonlat(p: (f64, f64)) -> Value {
    serde_json::json!({"lon": round7(p.0), "lat": round7(p.1)})
}

fn round7(x: f64) -> f64 {
    (x * 1e7).round() / 1e7
}

fn reached(u: &Unit, h: &reach::Hit, prefecture: Option<String>) -> Reached {
    Reached {
        adcode: u.id.clone(),
        name: u.name.clone(),
        prefecture,
        arrival_hours: hours(h.arrival_hours),
        distance_km: km(h.distance_m),
        share: round6(h.share),
        area_km2: round6(h.area_m2 / 1e6),
        entry: h.entry.map(lonlat),
        source: h.source,
    }
}

fn by_arrival(v: &mut [Reached]) {
    v.sort_by(|a, b| {
        a.arrival_hours
            .total_cmp(&b.arrival_hours)
            .then_with(|| a.adcode.cmp(&b.adcode))
    });
}

/// The units of one layer the plume reaches.
fn hits(r: &reach::Reacher, units: &[Unit], budget: &Budget) -> Result<Vec<reach::Hit>, Exhausted> {
    let mut out = Vec::new();
    for (i, u) in units.iter().enumerate() {
        budget.check()?;
        out.extend(r.hit(i, u));
    }
    Ok(out)
}

/// Prefectures from their counties: the earliest county, the summed area.
fn prefectures(atlas: &Atlas, counties: &[(reach::Hit, &Unit)]) -> Vec<Reached> {
    let layer = atlas.layer(LayerKind::Prefecture);
    let mut out: Vec<Reached> = Vec::new();
    for p in &layer.units {
        let mine: Vec<&(reach::Hit, &Unit)> = counties
            .iter()
            .filter(|(_, c)| c.prop_str("prefecture") == Some(p.id.as_str()))
            .collect();
        let Some((first, _)) = mine
            .iter()
            .min_by(|a, b| a.0.arrival_hours.total_cmp(&b.0.arrival_hours))
        else {
            continue;
        };
        let covered: f64 = mine.iter().map(|(h, _)| h.area_m2).sum();
        let total = area_m2(&p.geometry);
        let h = reach::Hit {
            index: 0,
            share: if total > 0.0 {
                (covered / total).min(1.0)
            } else {
                0.0
            },
            area_m2: covered,
            source: mine.iter().any(|(h, _)| h.source),
            ..first.clone()
        };
        out.push(reached(p, &h, None));
    }
    by_arrival(&mut out);
    out
}

/// The downwind estimate (下风向估计) of `source` under `wind`: plume, units
/// reached, the part outside Hubei and whom to notify, with clauses.
pub fn downwind(
    rules: &Rules,
    atlas: &Atlas,
    source: &Source,
    wind: &Wind,
    budget: &Budget,
) -> Result<AirAnswer, AirError> {
    let model = reach::model(wind);
    let (r, est) = reach::Reacher::new(source, &model, wind.travel_m(), budget)?;
    let counties = atlas.layer(LayerKind::County);
    let county_hits: Vec<(reach::Hit, &Unit)> = hits(&r, &counties.units, budget)?
        .into_iter()
        .map(|h| {
            let u = &counties.units[h.index];
            (h, u)
        })
        .collect();
    let neighbours = neighbours::provinces(atlas);
    let province_hits = hits(&r, neighbours, budget)?;
    let mut county_list: Vec<Reached> = county_hits
        .iter()
        .map(|(h, u)| reached(u, h, u.prop_str("prefecture").map(str::to_string)))
        .collect();
    by_arrival(&mut county_list);
    let prefecture_list = prefectures(atlas, &county_hits);
    let covered: f64 = county_hits.iter().map(|(h, _)| h.area_m2).sum();
    let mut provinces: Vec<Reached> = province_hits
        .iter()
        .map(|h| reached(&neighbours[h.index], h, None))
        .collect();
    by_arrival(&mut provinces);
    let source_info = source_info(atlas, source, &county_hits);
    let source_prefs: Vec<String> = source_info
        .prefectures
        .iter()
        .map(|p| p.adcode.clone())
        .collect();
    let reached_prefs: Vec<(String, f64)> = prefecture_list
        .iter()
        .map(|p| (p.adcode.clone(), p.arrival_hours))
        .collect();
    let notify = notify::notify(rules, atlas, &source_prefs, &reached_prefs);
    let outside_share = if est.plume_area_m2 > 0.0 {
        round6((1.0 - covered / est.plume_area_m2).max(0.0))
    } else {
        0.0
    };
    let leaves = outside_share > 1e-6 || !provinces.is_empty();
    let notes = notes(atlas, &est, &source_info, leaves, &notify);
    let mut basis: Vec<String> = vec!["十四".into()];
    basis.extend(notify.iter().flat_map(|n| n.basis.clone()));
    actors::sort_basis(rules, &mut basis);
    Ok(AirAnswer {
        source: source_info,
        wind: wind.clone(),
        plume: geojson_geometry(&est.plume),
        plume_area_km2: round6(est.plume_area_m2 / 1e6),
        downwind: Downwind {
            prefectures: prefecture_list,
            counties: county_list,
        },
        leaves_hubei: LeavesHubei {
            leaves,
            outside_share,
            provinces,
            note: if leaves {
                "the plume leaves Hubei: inter-provincial coordination, which this document does not govern; the provincial committee coordinates the Hubei side (七, 二十)".into()
            } else {
                "the plume stays in Hubei".into()
            },
        },
        notify,
        scope: SCOPE,
        notes,
        clauses: actors::clause_refs(rules, &basis),
        basis,
        data_version: atlas.version().to_string(),
        crs: None,
    })
}

fn source_info(atlas: &Atlas, source: &Source, counties: &[(reach::Hit, &Unit)]) -> SourceInfo {
    let in_source: Vec<&Unit> = counties
        .iter()
        .filter(|(h, _)| h.source)
        .map(|(_, u)| *u)
        .collect();
    let mut prefs: Vec<PlaceName> = in_source
        .iter()
        .filter_map(|c| c.prop_str("prefecture"))
        .filter_map(|p| atlas.layer(LayerKind::Prefecture).get(p))
        .map(place)
        .collect();
    prefs.sort_by(|a, b| a.adcode.cmp(&b.adcode));
    prefs.dedup();
    let origin = source.origin();
    let in_hubei = !in_source.is_empty();
    SourceInfo {
        kind: match source {
            Source::Point { .. } => "point",
            Source::Footprint(_) => "footprint",
        },
        origin: lonlat(origin),
        counties: in_source.iter().map(|u| place(u)).collect(),
        prefectures: prefs,
        in_hubei,
        province: if in_hubei {
            None
        } else {
            neighbours::province_at(atlas, origin.0, origin.1).map(place)
        },
    }
}

fn notes(
    atlas: &Atlas,
    est: &reach::Estimate,
    src: &SourceInfo,
    leaves: bool,
    notify: &[Notify],
) -> Vec<String> {
    let mut n = vec![format!(
        "plume built in the source's azimuthal-equidistant frame on the WGS 84 ellipsoid (distances and bearings from the source are geodesics; arcs sampled every {:.3}°, within {} m of the circle; {} source piece(s)); returned with edges of at most {} km",
        est.arc_step_deg,
        plume::ARC_SAG_M,
        est.pieces,
        reach::MAX_EDGE_M / 1000.0
    )];
    n.push("arrival_hours: the earliest time any part of the unit lies inside the plume, counting from the release at hour 0; distance_km: from the source to that first point".into());
    if !src.in_hubei {
        n.push("the source lies outside Hubei: inter-provincial; the Hubei side is coordinated by the provincial committee (七, 二十)".into());
    }
    if leaves && !neighbours::known(atlas) {
        n.push(
            "the neighbouring provinces are not in this dataset, so those reached are not named"
                .into(),
        );
    }
    if notify
        .iter()
        .any(|x| x.mechanism.provenance.is_some() || x.also.iter().any(|l| l.provenance.is_some()))
    {
        n.push("the corridor and metro-area memberships behind some links are reconstructed or secondary (see each link's provenance)".into());
    }
    n
}

/// A MultiPolygon as a GeoJSON Polygon (one part) or MultiPolygon.
fn geojson_geometry(mp: &geo::MultiPolygon<f64>) -> Value {
    let ring = |l: &geo::LineString<f64>| -> Value {
        Value::Array(
            l.0.iter()
                .map(|c| serde_json::json!([round7(c.x), round7(c.y)]))
                .collect(),
        )
    };
    let poly = |p: &geo::Polygon<f64>| -> Value {
        let mut rings = vec![ring(p.exterior())];
        rings.extend(p.interiors().iter().map(ring));
        Value::Array(rings)
    };
    match mp.0.as_slice() {
        [one] => serde_json::json!({"type": "Polygon", "coordinates": poly(one)}),
        many => {
            serde_json::json!({"type": "MultiPolygon", "coordinates": many.iter().map(poly).collect::<Vec<_>>()})
        }
    }
}

/// The answer in a CRS (坐标系): the plume reprojected, `x`/`y` added next to
/// every `lon`/`lat` (the source's origin, every entry point), and the echo.
pub fn in_crs(
    mut answer: AirAnswer,
    crs: &crate::crs::Crs,
    echo: Value,
) -> Result<AirAnswer, crate::crs::CrsError> {
    use crate::crs::http::{add_xy, reproject_geojson};
    reproject_geojson(&mut answer.plume, crs)?;
    add_xy(&mut answer.source.origin, crs)?;
    let lists = [
        &mut answer.downwind.prefectures,
        &mut answer.downwind.counties,
        &mut answer.leaves_hubei.provinces,
    ];
    for list in lists {
        for r in list.iter_mut() {
            if let Some(e) = r.entry.as_mut() {
                add_xy(e, crs)?;
            }
        }
    }
    answer.crs = Some(echo);
    Ok(answer)
}
