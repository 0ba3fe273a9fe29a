//! Validation (校验) of a dataset before it may serve.
//!
//! Rules, each producing a finding in the report:
//! - every coordinate finite and within lon [-180, 180], lat [-90, 90]; every ring
//!   closed with at least four positions; every polygon valid (geo's `Validation`:
//!   no self-intersection, holes inside shells...);
//! - ids non-empty and unique per layer; exactly one province;
//! - references resolve: county -> prefecture, zone, basin; zone -> basin and
//!   counties; basin -> zones; group (metro area, city cluster, corridor) ->
//!   member prefectures and lead city;
//! - partitions: counties, prefectures and zones each cover the province with no
//!   gap or overlap beyond [`AREA_TOLERANCE`] (relative to the province area for
//!   the sum of areas, relative to the smaller unit for each pairwise overlap);
//!   every county is listed in exactly one zone and lies mostly (more than half of
//!   its area) inside it, and inside its prefecture.

use super::layer::{Layer, LayerKind};
use geo::{Area, BooleanOps, BoundingRect, Intersects, MultiPolygon, Validation};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Relative area tolerance of the partition checks (1e-5: about 1.9 km² of Hubei's
/// 185,900 km² for the sum; the embedded dataset meets it exactly).
pub const AREA_TOLERANCE: f64 = 1e-5;

/// One problem found in a dataset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Layer id.
    pub layer: String,
    /// Unit id, when the finding is about one unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// The result of validating a dataset.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Problems; empty means valid.
    pub findings: Vec<Finding>,
}

impl Report {
    fn add(&mut self, layer: LayerKind, unit: Option<&str>, message: impl Into<String>) {
        self.findings.push(Finding {
            layer: layer.id().to_string(),
            unit: unit.map(str::to_string),
            message: message.into(),
        });
    }

    /// Whether the dataset is valid.
    pub fn is_ok(&self) -> bool {
        self.findings.is_empty()
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{} problem(s):", self.findings.len())?;
        for x in self.findings.iter().take(50) {
            match &x.unit {
                Some(u) => writeln!(f, "  - {}/{}: {}", x.layer, u, x.message)?,
                None => writeln!(f, "  - {}: {}", x.layer, x.message)?,
            }
        }
        if self.findings.len() > 50 {
            writeln!(f, "  ... and {} more", self.findings.len() - 50)?;
        }
        Ok(())
    }
}

/// Structural checks only: coordinates, rings, ids, the single province and
/// references. Cheap; used at start-up for the embedded dataset.
pub fn validate_structure(layers: &[Layer]) -> Report {
    let mut r = Report::default();
    for l in layers {
        geometry_checks(l, &mut r, false);
    }
    if r.is_ok() {
        province_and_references(layers, &mut r);
    }
    r
}

fn province_and_references(layers: &[Layer], r: &mut Report) {
    let n = layers[LayerKind::Province.index()].units.len();
    if n != 1 {
        r.add(
            LayerKind::Province,
            None,
            format!("expected exactly one province, found {n}"),
        );
        return;
    }
    reference_checks(layers, r);
}

/// Every rule: structure, polygon validity, references, partitions and containment.
pub fn validate(layers: &[Layer]) -> Report {
    let mut r = Report::default();
    let layer = |k: LayerKind| &layers[k.index()];
    for l in layers {
        geometry_checks(l, &mut r, true);
    }
    if !r.is_ok() {
        // Broken geometry makes the area checks meaningless.
        return r;
    }
    province_and_references(layers, &mut r);
    if !r.is_ok() {
        return r;
    }
    let province_area = layer(LayerKind::Province).units[0].geometry.unsigned_area();
    for k in [LayerKind::Prefecture, LayerKind::County, LayerKind::Zone] {
        partition_check(layer(k), province_area, &mut r);
    }
    for k in [
        LayerKind::Basin,
        LayerKind::MetroArea,
        LayerKind::CityCluster,
        LayerKind::Corridor,
    ] {
        overlap_check(layer(k), &mut r);
    }
    containment_checks(layers, &mut r);
    r
}

fn geometry_checks(l: &Layer, r: &mut Report, polygon_validity: bool) {
    let mut seen = HashSet::new();
    for u in &l.units {
        if u.id.trim().is_empty() {
            r.add(l.kind, None, "a unit has an empty id");
        } else if !seen.insert(u.id.as_str()) {
            r.add(l.kind, Some(&u.id), "duplicate id");
        }
        if u.geometry.0.is_empty() {
            r.add(l.kind, Some(&u.id), "empty geometry");
            continue;
        }
        let mut bad_coord = false;
        for p in &u.geometry.0 {
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                if ring.0.len() < 4 || ring.0.first() != ring.0.last() {
                    r.add(
                        l.kind,
                        Some(&u.id),
                        "a ring is not closed or has fewer than four positions",
                    );
                }
                for c in &ring.0 {
                    if !(c.x.is_finite()
                        && c.y.is_finite()
                        && (-180.0..=180.0).contains(&c.x)
                        && (-90.0..=90.0).contains(&c.y))
                    {
                        bad_coord = true;
                    }
                }
            }
        }
        if bad_coord {
            r.add(
                l.kind,
                Some(&u.id),
                "a coordinate is not finite or out of lon/lat range",
            );
            continue;
        }
        if !polygon_validity {
            continue;
        }
        if let Err(e) = u.geometry.check_validation() {
            r.add(l.kind, Some(&u.id), format!("invalid polygon: {e}"));
        }
    }
}

fn reference_checks(layers: &[Layer], r: &mut Report) {
    let layer = |k: LayerKind| &layers[k.index()];
    let exists = |k: LayerKind, id: &str| layer(k).get(id).is_some();
    for c in &layer(LayerKind::County).units {
        for (key, k) in [
            ("prefecture", LayerKind::Prefecture),
            ("zone", LayerKind::Zone),
            ("basin", LayerKind::Basin),
        ] {
            match c.prop_str(key) {
                Some(id) if exists(k, id) => {}
                Some(id) => r.add(
                    LayerKind::County,
                    Some(&c.id),
                    format!("{key} `{id}` does not exist"),
                ),
                None => r.add(
                    LayerKind::County,
                    Some(&c.id),
                    format!("missing property `{key}`"),
                ),
            }
        }
    }
    let mut zone_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for z in &layer(LayerKind::Zone).units {
        match z.prop_str("basin") {
            Some(b) if exists(LayerKind::Basin, b) => {}
            other => r.add(
                LayerKind::Zone,
                Some(&z.id),
                format!("basin {other:?} does not exist"),
            ),
        }
        for c in z.members() {
            if !exists(LayerKind::County, c) {
                r.add(
                    LayerKind::Zone,
                    Some(&z.id),
                    format!("county `{c}` does not exist"),
                );
            }
            zone_of.entry(c).or_default().push(&z.id);
        }
    }
    for c in &layer(LayerKind::County).units {
        let zs = zone_of.get(c.id.as_str()).cloned().unwrap_or_default();
        if zs.len() != 1 {
            r.add(
                LayerKind::County,
                Some(&c.id),
                format!("listed in {} zones {zs:?}, expected exactly one", zs.len()),
            );
        } else if c.prop_str("zone") != Some(zs[0]) {
            r.add(
                LayerKind::County,
                Some(&c.id),
                format!(
                    "property zone {:?} disagrees with zone {} listing it",
                    c.prop_str("zone"),
                    zs[0]
                ),
            );
        }
    }
    for b in &layer(LayerKind::Basin).units {
        if let Some(zs) = b.properties.get("zones").and_then(|v| v.as_array()) {
            for z in zs.iter().filter_map(|v| v.as_str()) {
                if !exists(LayerKind::Zone, z) {
                    r.add(
                        LayerKind::Basin,
                        Some(&b.id),
                        format!("zone `{z}` does not exist"),
                    );
                }
            }
        }
    }
    for k in [
        LayerKind::MetroArea,
        LayerKind::CityCluster,
        LayerKind::Corridor,
    ] {
        for g in &layer(k).units {
            let members = g.members();
            if members.is_empty() {
                r.add(k, Some(&g.id), "no members");
            }
            for m in &members {
                if !exists(LayerKind::Prefecture, m) {
                    r.add(
                        k,
                        Some(&g.id),
                        format!("member prefecture `{m}` does not exist"),
                    );
                }
            }
            if let Some(lead) = g.prop_str("lead_city") {
                if !members.contains(&lead) {
                    r.add(
                        k,
                        Some(&g.id),
                        format!("lead city `{lead}` is not a member"),
                    );
                }
            }
        }
    }
}

/// Pairwise overlaps above tolerance between units of one layer.
fn overlap_check(l: &Layer, r: &mut Report) {
    let boxes: Vec<_> = l.units.iter().map(|u| u.geometry.bounding_rect()).collect();
    for i in 0..l.units.len() {
        for j in i + 1..l.units.len() {
            let (Some(a), Some(b)) = (boxes[i], boxes[j]) else {
                continue;
            };
            if !a.intersects(&b) {
                continue;
            }
            let (ua, ub) = (&l.units[i], &l.units[j]);
            let overlap = ua.geometry.intersection(&ub.geometry).unsigned_area();
            let smaller = ua.geometry.unsigned_area().min(ub.geometry.unsigned_area());
            if overlap > AREA_TOLERANCE * smaller {
                r.add(
                    l.kind,
                    Some(&ua.id),
                    format!(
                        "overlaps `{}` by {:.3}% of the smaller unit",
                        ub.id,
                        100.0 * overlap / smaller
                    ),
                );
            }
        }
    }
}

fn partition_check(l: &Layer, province_area: f64, r: &mut Report) {
    let sum: f64 = l.units.iter().map(|u| u.geometry.unsigned_area()).sum();
    let rel = (sum - province_area).abs() / province_area;
    if rel > AREA_TOLERANCE {
        r.add(
            l.kind,
            None,
            format!(
                "units cover {:.6}% of the province area (gap or overlap beyond tolerance)",
                100.0 * sum / province_area
            ),
        );
    }
    overlap_check(l, r);
}

fn share_inside(part: &MultiPolygon<f64>, whole: &MultiPolygon<f64>) -> f64 {
    let a = part.unsigned_area();
    if a == 0.0 {
        return 0.0;
    }
    part.intersection(whole).unsigned_area() / a
}

fn containment_checks(layers: &[Layer], r: &mut Report) {
    let layer = |k: LayerKind| &layers[k.index()];
    for c in &layer(LayerKind::County).units {
        for (key, k) in [
            ("prefecture", LayerKind::Prefecture),
            ("zone", LayerKind::Zone),
        ] {
            if let Some(parent) = c.prop_str(key).and_then(|id| layer(k).get(id)) {
                let share = share_inside(&c.geometry, &parent.geometry);
                if share <= 0.5 {
                    r.add(
                        LayerKind::County,
                        Some(&c.id),
                        format!(
                            "only {:.1}% of its area lies in its {key} `{}`",
                            100.0 * share,
                            parent.id
                        ),
                    );
                }
            }
        }
    }
}
