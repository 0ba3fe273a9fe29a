//! Step 1: the matter by name, the footprint's jurisdictions with shares (辖区),
//! the parties, and the neighbouring provinces it reaches into.

use serde_json::{json, Map};

use crate::atlas::{Atlas, LayerKind};
use crate::budget::Budget;
use crate::overlay::{self, Cost, Rings, Stage};

use super::super::footprint::{self, Footprint, Measure};
use super::super::jurisdiction::{self, amount, round6, JurisdictionError, Touched, Touches};
use super::super::matter::Matter;
use super::super::names::{self, PlaceKind};
use super::super::places;
use super::super::Rules;
use super::answer::{Jurisdictions, OtherProvince, Parties, Party};
use super::request::{bad_crs, AnalyzeError, AnalyzeRequest};
use super::Context;

/// The matter asked for, by id, alias or name (五, 七): the catalog entry, or
/// `None` for a matter to be designated; and the name as asked (trimmed).
pub(super) fn matter<'a>(
    rules: &'a Rules,
    asked: &str,
) -> Result<(Option<&'a Matter>, String), AnalyzeError> {
    let asked = asked.trim();
    if asked.is_empty() || asked.chars().count() > 64 {
        return Err(AnalyzeError::BadRequest(
            "`matter` must be a non-empty matter id or name of at most 64 characters".into(),
        ));
    }
    let m = names::resolve_matter(rules, asked).map_err(|error| AnalyzeError::Name {
        parameter: "matter",
        error,
    })?;
    Ok((m, asked.to_string()))
}

/// The overlay of the footprint, or of the places named, on every layer.
pub(super) fn overlay(
    atlas: &Atlas,
    req: &AnalyzeRequest,
    crs: crate::crs::CrsId,
    max_vertices: usize,
    budget: &Budget,
) -> Result<(Touches, Option<Footprint>), AnalyzeError> {
    let (touches, fp) = match (&req.footprint, &req.places) {
        (Some(f), None) => {
            let engine = crate::crs::Crs::new(crs).map_err(bad_crs)?;
            let fp = footprint::parse_within(f, "footprint", max_vertices, &engine, budget)?;
            (jurisdiction::of_footprint(atlas, &fp, budget)?, Some(fp))
        }
        (None, Some(p)) => {
            if p.len() > 500 {
                return Err(AnalyzeError::BadRequest("at most 500 places".into()));
            }
            let adcodes = place_adcodes(atlas, p)?;
            let counties = jurisdiction::resolve_places(atlas, &adcodes)?;
            (jurisdiction::of_counties(atlas, &counties), None)
        }
        _ => {
            return Err(AnalyzeError::BadRequest(
                "give exactly one of `footprint` (GeoJSON) or `places` (adcodes or names)".into(),
            ))
        }
    };
    if touches.layer(LayerKind::County).is_empty() {
        return Err(AnalyzeError::OutsideHubei);
    }
    Ok((touches, fp))
}

/// Adcodes of the places named: each an adcode or the name or alias of the
/// province, a prefecture or a county; ambiguous or unknown names are refused
/// with the candidates.
pub fn place_adcodes(atlas: &Atlas, asked: &[String]) -> Result<Vec<String>, AnalyzeError> {
    if asked.is_empty() {
        return Err(JurisdictionError::NoPlaces.into());
    }
    let all = names::admin_places(atlas);
    let kinds = [
        PlaceKind::Province,
        PlaceKind::Prefecture,
        PlaceKind::County,
    ];
    asked
        .iter()
        .map(|q| {
            names::resolve(&all, q, &kinds, "place in Hubei")
                .map(|p| p.id.clone())
                .map_err(|error| AnalyzeError::Name {
                    parameter: "places",
                    error,
                })
        })
        .collect()
}

/// The touched units of one layer, with shares and the fields answers show.
fn touched(cx: &Context, kind: LayerKind) -> Vec<Touched> {
    let layer = cx.atlas.layer(kind);
    let t = &cx.touches;
    t.layer(kind)
        .iter()
        .filter_map(|(i, m)| {
            let u = layer.units.get(*i)?;
            let mut extra = Map::new();
            let keys: &[&str] = match kind {
                LayerKind::County => &["prefecture"],
                LayerKind::Zone => &["basin", "level"],
                LayerKind::Basin => &["level"],
                LayerKind::MetroArea => &["lead_city", "lead_city_name"],
                _ => &[],
            };
            for k in keys {
                if let Some(v) = u.properties.get(*k) {
                    extra.insert(k.to_string(), v.clone());
                }
            }
            let p = places::provenance(cx.atlas, kind, u);
            if p != "official" {
                extra.insert("provenance".into(), json!(p));
            }
            Some(Touched {
                id: u.id.clone(),
                name: u.name.clone(),
                share: round6(*m / t.total),
                amount: amount(t.measure, *m),
                extra,
            })
        })
        .collect()
}

/// Every layer's touched units.
pub(super) fn listing(cx: &Context) -> Jurisdictions {
    let t = &cx.touches;
    Jurisdictions {
        measure: t.measure,
        total: amount(t.measure, t.total),
        outside_hubei_share: round6(t.outside / t.total),
        counties: touched(cx, LayerKind::County),
        prefectures: touched(cx, LayerKind::Prefecture),
        zones: touched(cx, LayerKind::Zone),
        basins: touched(cx, LayerKind::Basin),
        metro_areas: touched(cx, LayerKind::MetroArea),
        city_clusters: touched(cx, LayerKind::CityCluster),
        corridors: touched(cx, LayerKind::Corridor),
    }
}

/// The parties (十三 左右岸协同): the county- and prefecture-level units the
/// footprint lies in, plus — for a matter with river context — both banks of
/// every boundary river the footprint lies on (its bank pairs within the snap
/// tolerance), inside Hubei.
pub(super) fn parties(cx: &Context) -> Parties {
    let mut p = Parties::default();
    let add = |list: &mut Vec<Party>, adcode: &str, name: &str, why, river: Option<&str>| {
        if !list.iter().any(|x| x.adcode == adcode) {
            list.push(Party {
                adcode: adcode.to_string(),
                name: name.to_string(),
                why,
                river: river.map(str::to_string),
            });
        }
    };
    for u in cx.touched_units(LayerKind::County) {
        add(&mut p.counties, &u.id, &u.name, "footprint", None);
    }
    for u in cx.touched_units(LayerKind::Prefecture) {
        add(&mut p.prefectures, &u.id, &u.name, "footprint", None);
    }
    let banks = cx.water.iter().flat_map(|w| &w.bank_pairs);
    for b in banks {
        for side in [&b.left, &b.right] {
            if let Some(c) = &side.county {
                add(
                    &mut p.counties,
                    &c.id,
                    &c.name,
                    "opposite_bank",
                    Some(&b.river_name),
                );
            }
            if let Some(f) = &side.prefecture {
                add(
                    &mut p.prefectures,
                    &f.id,
                    &f.name,
                    "opposite_bank",
                    Some(&b.river_name),
                );
            }
        }
    }
    if p.counties.iter().any(|x| x.why == "opposite_bank") {
        p.basis = vec!["十三".into()];
    }
    p
}

/// The neighbouring provinces the footprint reaches into (相邻省份), with the
/// share of the footprint in each; empty when it stays in Hubei.
pub(super) fn other_provinces(
    cx: &Context,
    budget: &Budget,
) -> Result<Vec<OtherProvince>, AnalyzeError> {
    let (Some(fp), true) = (&cx.footprint, cx.touches.leaves_province()) else {
        return Ok(Vec::new());
    };
    let t = &cx.touches;
    let mut out = Vec::new();
    for (i, m) in neighbour_measures(cx.atlas, fp, t.measure, budget)? {
        let n = &cx.atlas.neighbours()[i];
        let share = round6(m / t.total);
        if share > 0.0 {
            out.push(OtherProvince {
                adcode: n.id.clone(),
                name: n.name.clone(),
                share,
                amount: amount(t.measure, m),
            });
        }
    }
    out.sort_by(|a, b| b.share.total_cmp(&a.share).then(a.adcode.cmp(&b.adcode)));
    Ok(out)
}

/// The footprint's area, length or point count in each neighbouring province
/// (index in [`Atlas::neighbours`]), by the same overlay as the layers
/// (`crate::overlay`, on [`Atlas::neighbours_overlay`]) under its own work
/// bound: candidates by box, clipping down a quadtree, i_overlay only where
/// both boundaries pass.
fn neighbour_measures(
    atlas: &Atlas,
    fp: &Footprint,
    measure: Measure,
    budget: &Budget,
) -> Result<Vec<(usize, f64)>, AnalyzeError> {
    let prep = atlas.neighbours_overlay();
    let mut cost = Cost::new(Stage::Overlay, jurisdiction::OVERLAY_BUDGET);
    let by_slot = match measure {
        Measure::Area => {
            let rings = Rings::from_multipolygon(&fp.polygons);
            overlay::area_shares(prep, &rings, budget, &mut cost)
                .map_err(JurisdictionError::from)?
                .by_slot
        }
        Measure::Length => {
            overlay::length_shares(prep, &fp.lines, budget, &mut cost)
                .map_err(JurisdictionError::from)?
                .by_slot
        }
        Measure::Count => {
            budget.check().map_err(JurisdictionError::from)?;
            let mut counts = vec![0.0; atlas.neighbours().len()];
            for p in &fp.points {
                if let Some(n) = atlas.neighbour_at(p.x(), p.y()) {
                    if let Some(i) = atlas.neighbours().iter().position(|u| u.id == n.id) {
                        counts[i] += 1.0;
                    }
                }
            }
            counts.into_iter().enumerate().collect()
        }
    };
    Ok(by_slot
        .into_iter()
        .filter_map(|(slot, m)| Some((prep.owner(slot)?.1, m)))
        .collect())
}
