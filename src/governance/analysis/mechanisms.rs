//! Step 7: the mechanisms that apply (机制): basin coordination (十三), metro
//! joint work and the air corridor (十四), co-creation (十五), special
//! inspection (十六), judicial linkage (十八) and committee coordination
//! (七, 二十), each selected by the matter's themes and where the issue lies.

use serde_json::{json, Value};

use crate::atlas::{LayerKind, Unit};

use super::super::mechanism::{Mechanism, Scope};
use super::super::obligations::PlaceName;
use super::super::places::{self, place};
use super::answer::{CoordinatingBody, MechanismItem, SpecialInspection};
use super::{judicial, Context};

fn item(m: &Mechanism, applies_to: Value, provenance: Option<String>) -> MechanismItem {
    MechanismItem {
        id: m.id.clone(),
        name_zh: m.name_zh.clone(),
        name_en: m.name_en.clone(),
        basis: m.basis.clone(),
        features: m.features_zh.clone(),
        applies_to,
        provenance,
    }
}

/// Whether the matter has one of the mechanism's themes.
fn themed(cx: &Context, m: &Mechanism) -> bool {
    cx.matter
        .is_some_and(|x| m.themes.iter().any(|t| x.has_theme(t)))
}

/// The mechanisms of the issue, in the rules' order; notes on clusters.
pub(super) fn mechanisms(
    cx: &mut Context,
    c: &CoordinatingBody,
    inspection: &SpecialInspection,
) -> Vec<MechanismItem> {
    let mut out = Vec::new();
    for m in &cx.rules.mechanisms {
        let found = match m.scope {
            Scope::Committee => Some(committee(c, m)),
            Scope::CrossRegion if inspection.eligible => Some(item(
                m,
                json!({"reasons": inspection.reasons, "scope": inspection.scope}),
                inspection
                    .reasons
                    .iter()
                    .any(|r| r.reconstructed)
                    .then(|| "reconstructed".to_string()),
            )),
            Scope::Basin if themed(cx, m) => Some(basin(cx, m)),
            Scope::MetroArea if themed(cx, m) => metro(cx, m),
            Scope::Corridor if themed(cx, m) => corridor(cx, m),
            Scope::RuralCounty if themed(cx, m) => Some(rural(cx, m)),
            Scope::Judicial if judicial::applies(cx, m) => {
                Some(item(m, judicial::applies_to(cx, m), None))
            }
            _ => None,
        };
        out.extend(found);
    }
    let notes = cluster_notes(cx);
    cx.notes.extend(notes);
    out
}

/// 七, 二十: the committee that coordinates (for a metro: each participant's,
/// with the provincial office above).
fn committee(c: &CoordinatingBody, m: &Mechanism) -> MechanismItem {
    let committees: Vec<Value> = match c.level {
        "metro" => c.participants.iter().map(|p| json!(p.committee)).collect(),
        _ => vec![json!(c.committee)],
    };
    item(
        m,
        json!({"committees": committees, "office": c.office, "above": c.above}),
        None,
    )
}

/// 十三: the basins and zones touched; the river context is in `water_context`.
fn basin(cx: &Context, m: &Mechanism) -> MechanismItem {
    let list = |kind| -> Vec<Value> {
        cx.touched_units(kind)
            .iter()
            .map(|u| json!({"id": u.id, "name": u.name}))
            .collect()
    };
    let status = cx.atlas.layer(LayerKind::Zone).provenance.status.clone();
    let ud = match (&cx.water, cx.matter.is_some_and(|x| x.water_context)) {
        (Some(_), _) => json!("see water_context"),
        (None, true) => json!("not computed for this issue (see notes)"),
        (None, false) => json!("this matter gets no river context (catalog)"),
    };
    item(
        m,
        json!({
            "basins": list(LayerKind::Basin),
            "zones": list(LayerKind::Zone),
            "upstream_downstream": ud,
        }),
        (status != "official").then_some(status),
    )
}

/// Prefectures among the parties that belong to a group unit.
fn members_touched(cx: &Context, u: &Unit) -> Vec<PlaceName> {
    cx.party_units(LayerKind::Prefecture)
        .iter()
        .filter(|p| u.members().contains(&p.id.as_str()))
        .map(|p| place(p))
        .collect()
}

fn prefecture(cx: &Context, adcode: &str) -> Option<PlaceName> {
    cx.atlas.layer(LayerKind::Prefecture).get(adcode).map(place)
}

/// Metro areas of the parties.
fn group_units<'a>(cx: &'a Context, kind: LayerKind) -> Vec<&'a Unit> {
    cx.atlas
        .layer(kind)
        .units
        .iter()
        .filter(|u| !members_touched(cx, u).is_empty())
        .collect()
}

/// 十四: the metro areas of the parties, with their lead cities (推动).
fn metro(cx: &Context, m: &Mechanism) -> Option<MechanismItem> {
    let units = group_units(cx, LayerKind::MetroArea);
    if units.is_empty() {
        return None;
    }
    let metros: Vec<Value> = units
        .iter()
        .map(|u| {
            json!({
                "id": u.id,
                "name": u.name,
                "lead_city": prefecture(cx, u.prop_str("lead_city").unwrap_or_default()),
                "lead_city_role": "drives (推动) the joint work; each city acts in its own area",
                "members_touched": members_touched(cx, u),
                "provenance": places::provenance(cx.atlas, LayerKind::MetroArea, u),
            })
        })
        .collect();
    let prov = places::first_unofficial(cx.atlas, LayerKind::MetroArea, units);
    Some(item(m, json!({ "metro_areas": metros }), prov))
}

/// 十四: the 襄荆荆宜 air-pollution transmission corridor (传输通道).
fn corridor(cx: &Context, m: &Mechanism) -> Option<MechanismItem> {
    let units = group_units(cx, LayerKind::Corridor);
    if units.is_empty() {
        return None;
    }
    let corridors: Vec<Value> = units
        .iter()
        .map(|u| {
            let touched = members_touched(cx, u);
            let partners: Vec<PlaceName> = u
                .members()
                .iter()
                .filter(|a| !touched.iter().any(|t| t.adcode == **a))
                .filter_map(|a| prefecture(cx, a))
                .collect();
            json!({
                "id": u.id,
                "name": u.name,
                "cities_touched": touched,
                "partners": partners,
                "provenance": places::provenance(cx.atlas, LayerKind::Corridor, u),
            })
        })
        .collect();
    let prov = places::first_unofficial(cx.atlas, LayerKind::Corridor, units);
    Some(item(m, json!({ "corridors": corridors }), prov))
}

/// 十五: co-creation at township and village level in rural counties.
fn rural(cx: &Context, m: &Mechanism) -> MechanismItem {
    let rule = &cx.rules.co_creation_rule;
    let counties: Vec<Value> = cx
        .touched_units(LayerKind::County)
        .iter()
        .map(|c| json!({"county": place(c), "rural": rule.is_rural(&c.name)}))
        .collect();
    item(
        m,
        json!({ "counties": counties, "at": "township and village (乡镇、村)" }),
        Some(rule.provenance.clone()),
    )
}

/// Party prefectures in no metro area: say which city cluster they are in,
/// for which the text sets no coordination mechanism.
fn cluster_notes(cx: &Context) -> Vec<String> {
    let mut notes = Vec::new();
    for p in cx.party_units(LayerKind::Prefecture) {
        if !places::groups_of(cx.atlas, LayerKind::MetroArea, &p.id).is_empty() {
            continue;
        }
        let names: Vec<String> = places::groups_of(cx.atlas, LayerKind::CityCluster, &p.id)
            .iter()
            .filter_map(|c| cx.atlas.layer(LayerKind::CityCluster).get(c))
            .map(|c| c.name.clone())
            .collect();
        notes.push(if names.is_empty() {
            format!("{} is in no metropolitan area", p.name)
        } else {
            format!(
                "{} is in no metropolitan area; it is in the city cluster {}, for which the seed sets no coordination mechanism",
                p.name,
                names.join(", ")
            )
        });
    }
    notes
}
