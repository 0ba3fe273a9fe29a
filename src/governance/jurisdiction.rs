//! 辖区: the jurisdictions an issue touches and the share of its footprint in
//! each — polygons by geodesic area, lines by geodesic length, points by count;
//! or, for a list of places, by the area of their county-level units.

use std::collections::{BTreeMap, BTreeSet};

use geo::{Geodesic, Length, LineString, MultiPolygon};
use serde::Serialize;

use crate::atlas::{Atlas, LayerKind};
use crate::budget::{Budget, Exhausted};
use crate::overlay::rings::{edge_integral, R};
use crate::overlay::{Cost, OverlayError, Rings, Stage, TooComplex};

use super::footprint::{Footprint, Measure};
use super::places::PROVINCE_ADCODE;

/// Intersections smaller than this (square metres) are slivers, not touches.
pub const MIN_AREA_M2: f64 = 1.0;
/// Clipped lines shorter than this (metres) are not touches.
pub const MIN_LENGTH_M: f64 = 0.01;
/// Work limit of the overlay of one footprint with the units, in vertices
/// clipped or overlaid (see [`crate::overlay`]): about a second of work on one
/// core. The embedded atlas never reaches it within the vertex limit of a
/// footprint; a user atlas of many fine units can.
pub const OVERLAY_BUDGET: u64 = 20_000_000;

/// How much of the footprint lies in each unit of each layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Touches {
    /// How the footprint is measured.
    pub measure: Measure,
    /// Total measure of the footprint (m², m or count).
    pub total: f64,
    /// Per layer (index = [`LayerKind::index`]): (unit position, measure), by unit id.
    pub by_layer: [Vec<(usize, f64)>; 8],
    /// Measure outside the province.
    pub outside: f64,
}

impl Touches {
    /// The touched units of a layer.
    pub fn layer(&self, kind: LayerKind) -> &[(usize, f64)] {
        &self.by_layer[kind.index()]
    }

    /// Whether part of the footprint lies outside the province.
    pub fn leaves_province(&self) -> bool {
        self.outside > 0.0
    }
}

/// Errors of the overlay.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JurisdictionError {
    /// Zero area or length.
    #[error("the footprint has zero {0}")]
    Degenerate(&'static str),
    /// Unknown adcodes in a list of places.
    #[error("unknown place adcode(s): {}", .0.join(", "))]
    UnknownPlaces(Vec<String>),
    /// The list of places is empty.
    #[error("the list of places is empty")]
    NoPlaces,
    /// The geometry engine failed on this input.
    #[error("the geometry engine could not overlay this footprint")]
    Overlay,
    /// The work ran out of time or was cancelled.
    #[error(transparent)]
    Exhausted(#[from] Exhausted),
    /// The overlay would need more work than one request may use (HTTP 422).
    #[error(transparent)]
    TooComplex(#[from] TooComplex),
}

impl From<OverlayError> for JurisdictionError {
    fn from(e: OverlayError) -> Self {
        match e {
            OverlayError::TooComplex(t) => JurisdictionError::TooComplex(t),
            OverlayError::Exhausted(x) => JurisdictionError::Exhausted(x),
        }
    }
}

fn empty() -> [Vec<(usize, f64)>; 8] {
    Default::default()
}

/// The touches of a geometric footprint, stopping early when `budget` runs out.
pub fn of_footprint(
    atlas: &Atlas,
    fp: &Footprint,
    budget: &Budget,
) -> Result<Touches, JurisdictionError> {
    // geo's overlay is robust on valid input; a panic would still be a bug,
    // so it is contained here and reported as an error, never a crash.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| overlay(atlas, fp, budget)))
        .map_err(|_| JurisdictionError::Overlay)?
}

fn overlay(atlas: &Atlas, fp: &Footprint, budget: &Budget) -> Result<Touches, JurisdictionError> {
    let measure = fp.measure();
    let prep = atlas.overlay();
    let mut by_layer = empty();
    let mut cost = Cost::new(Stage::Overlay, OVERLAY_BUDGET);
    let mut keep = |slot: usize, x: f64, min: f64| {
        if let Some((l, i)) = prep.owner(slot).filter(|_| x >= min) {
            by_layer[l].push((i, x));
        }
    };
    let (total, outside) = match measure {
        Measure::Area => {
            let total = area_m2(&fp.polygons);
            if total.is_nan() || total <= 0.0 {
                return Err(JurisdictionError::Degenerate("area"));
            }
            let rings = Rings::from_multipolygon(&fp.polygons);
            let s = crate::overlay::area_shares(prep, &rings, budget, &mut cost)?;
            for (slot, a) in s.by_slot {
                keep(slot, a, MIN_AREA_M2);
            }
            (total, at_least(s.outside, MIN_AREA_M2))
        }
        Measure::Length => {
            let total = Geodesic.length(&fp.lines);
            if total.is_nan() || total <= 0.0 {
                return Err(JurisdictionError::Degenerate("length"));
            }
            let s = crate::overlay::length_shares(prep, &fp.lines, budget, &mut cost)?;
            for (slot, l) in s.by_slot {
                keep(slot, l, MIN_LENGTH_M);
            }
            (total, at_least(s.outside, MIN_LENGTH_M))
        }
        Measure::Count => {
            let mut counts: BTreeMap<(usize, usize), f64> = BTreeMap::new();
            let mut out = 0.0;
            for (n, p) in fp.points.iter().enumerate() {
                if n % 1024 == 0 {
                    budget.check()?;
                }
                let hits = atlas.locator().locate(p.x(), p.y());
                if !hits.iter().any(|h| h.layer == LayerKind::Province) {
                    out += 1.0;
                }
                for h in hits {
                    *counts
                        .entry((h.layer.index(), h.unit as usize))
                        .or_default() += 1.0;
                }
            }
            for ((l, u), c) in counts {
                by_layer[l].push((u, c));
            }
            (fp.points.0.len() as f64, out)
        }
    };
    Ok(Touches {
        measure,
        total,
        by_layer,
        outside,
    })
}

fn at_least(x: f64, min: f64) -> f64 {
    if x >= min {
        x
    } else {
        0.0
    }
}

/// Area (m²) on the sphere of a region whose edges are straight lines in
/// lon/lat — exactly the region the planar overlay works on, so areas of the
/// pieces of a footprint add up to the area of the footprint.
///
/// By Green's theorem the area is `R² |∮ sin φ dλ|`; along a straight lon/lat
/// segment that integral is `Δλ · sin φm · sinc(Δφ/2)` (φm the mean latitude);
/// see [`crate::overlay::rings::signed_area_m2`].
pub fn area_m2(mp: &MultiPolygon<f64>) -> f64 {
    fn ring(r: &LineString<f64>) -> f64 {
        let s: f64 =
            r.0.windows(2)
                .map(|w| edge_integral([w[0].x, w[0].y], [w[1].x, w[1].y]))
                .sum();
        (s * R * R).abs()
    }
    mp.0.iter()
        .map(|p| ring(p.exterior()) - p.interiors().iter().map(ring).sum::<f64>())
        .sum()
}

/// The county-level units named by a list of adcodes: a county, a
/// prefecture (all its counties) or the province (all counties).
pub fn resolve_places(
    atlas: &Atlas,
    adcodes: &[String],
) -> Result<BTreeSet<String>, JurisdictionError> {
    if adcodes.is_empty() {
        return Err(JurisdictionError::NoPlaces);
    }
    let counties = &atlas.layer(LayerKind::County);
    let mut out = BTreeSet::new();
    let mut unknown = Vec::new();
    for a in adcodes {
        let a = a.trim();
        if counties.get(a).is_some() {
            out.insert(a.to_string());
        } else if atlas.layer(LayerKind::Prefecture).get(a).is_some() {
            out.extend(
                counties
                    .units
                    .iter()
                    .filter(|c| c.prop_str("prefecture") == Some(a))
                    .map(|c| c.id.clone()),
            );
        } else if a == PROVINCE_ADCODE || atlas.layer(LayerKind::Province).get(a).is_some() {
            out.extend(counties.units.iter().map(|c| c.id.clone()));
        } else {
            unknown.push(a.chars().take(20).collect());
        }
    }
    if !unknown.is_empty() {
        return Err(JurisdictionError::UnknownPlaces(unknown));
    }
    Ok(out)
}

/// The touches of a set of county-level units, by their area and the
/// membership tables of the atlas (exact when every layer is a union of counties).
pub fn of_counties(atlas: &Atlas, counties: &BTreeSet<String>) -> Touches {
    let mut acc: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    let mut total = 0.0;
    let mut add = |kind: LayerKind, id: &str, a: f64| {
        if let Some(i) = atlas.layer(kind).position(id) {
            *acc.entry((kind.index(), i)).or_default() += a;
        }
    };
    for c in counties {
        let (Some(unit), Some(m)) = (atlas.layer(LayerKind::County).get(c), atlas.memberships(c))
        else {
            continue;
        };
        let a = area_m2(&unit.geometry);
        total += a;
        for p in &atlas.layer(LayerKind::Province).units {
            add(LayerKind::Province, &p.id, a);
        }
        add(LayerKind::County, c, a);
        add(LayerKind::Prefecture, &m.prefecture, a);
        if let Some(z) = &m.zone {
            add(LayerKind::Zone, z, a);
        }
        if let Some(b) = &m.basin {
            add(LayerKind::Basin, b, a);
        }
        for g in &m.metro_areas {
            add(LayerKind::MetroArea, g, a);
        }
        for g in &m.city_clusters {
            add(LayerKind::CityCluster, g, a);
        }
        for g in &m.corridors {
            add(LayerKind::Corridor, g, a);
        }
    }
    let mut by_layer = empty();
    for ((l, u), a) in acc {
        by_layer[l].push((u, a));
    }
    Touches {
        measure: Measure::Area,
        total,
        by_layer,
        outside: 0.0,
    }
}

/// One touched unit in an answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Touched {
    /// Unit id (adcode or region id).
    pub id: String,
    /// Name.
    pub name: String,
    /// Share of the footprint in this unit (0..1; points on a border count on both sides).
    pub share: f64,
    /// The measure in this unit: km², km or number of points.
    pub amount: f64,
    /// Extra fields: `prefecture` for counties, `lead_city` for metro areas,
    /// `level` and `basin` for zones, `provenance` where not official.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Rounds to 6 decimals (shares) for stable output.
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Converts a raw measure to the unit used in answers (km², km, count).
pub fn amount(measure: Measure, x: f64) -> f64 {
    match measure {
        Measure::Area => round6(x / 1e6),
        Measure::Length => round6(x / 1e3),
        Measure::Count => x,
    }
}

#[cfg(test)]
mod tests {
    use super::area_m2;
    use geo::{polygon, GeodesicArea, MultiPolygon};

    #[test]
    fn area_agrees_with_geodesic_area_on_small_cells() {
        // A 0.01-degree cell at 30N: straight and geodesic edges nearly coincide.
        let p = polygon![(x: 114.0, y: 30.0), (x: 114.01, y: 30.0), (x: 114.01, y: 30.01), (x: 114.0, y: 30.01), (x: 114.0, y: 30.0)];
        let ours = area_m2(&MultiPolygon(vec![p.clone()]));
        let geodesic = p.geodesic_area_unsigned();
        assert!((ours / geodesic - 1.0).abs() < 5e-3, "{ours} vs {geodesic}");
        // A band between two parallels has the closed-form area 2πR²|sinφ2 - sinφ1|·Δλ/360°.
        let band = polygon![(x: 110.0, y: 29.0), (x: 116.0, y: 29.0), (x: 116.0, y: 33.0), (x: 110.0, y: 33.0), (x: 110.0, y: 29.0)];
        let exact = super::R
            * super::R
            * 6f64.to_radians()
            * (33f64.to_radians().sin() - 29f64.to_radians().sin());
        assert!((area_m2(&MultiPolygon(vec![band])) / exact - 1.0).abs() < 1e-12);
    }
}
