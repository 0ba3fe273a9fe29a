//! Step 8: where complaints go (六), the caveats, and every clause the answer
//! cites, in order.

use serde_json::{json, Value};

use crate::atlas::LayerKind;

use super::super::actors;
use super::super::body::Level;
use super::super::places::place;
use super::answer::{
    Analysis, CoordinatingBody, Crossing, MatterRef, MechanismItem, OtherProvince,
    SpecialInspection, SpecialisedCommittees,
};
use super::departments::Departments;
use super::jurisdictions::listing;
use super::Context;

/// The parts computed by the earlier steps.
pub(super) struct Parts {
    pub(super) crossings: Vec<Crossing>,
    pub(super) coordinating_body: CoordinatingBody,
    pub(super) depts: Departments,
    pub(super) special_inspection: SpecialInspection,
    pub(super) mechanisms: Vec<MechanismItem>,
    pub(super) other_provinces: Vec<OtherProvince>,
    pub(super) crs: Option<Value>,
}

/// 六: complaints about the matter go to its department in each county touched.
fn complaints(cx: &Context) -> Vec<Value> {
    let Some(d) = cx.matter.and_then(|m| cx.rules.department(&m.lead)) else {
        return Vec::new();
    };
    cx.touched_units(LayerKind::County)
        .iter()
        .map(|c| {
            json!({
                "county": place(c),
                "department": d.name_at(Level::County, &c.name),
                "basis": ["六"],
                "provenance": cx.rules.catalog.provenance,
            })
        })
        .collect()
}

/// 九: the specialised committees recorded for the matter.
fn specialised(cx: &Context) -> SpecialisedCommittees {
    let items = cx
        .matter
        .map(|m| m.specialised_committees.clone())
        .unwrap_or_default();
    SpecialisedCommittees {
        note: if items.is_empty() {
            "none recorded for this matter; a lead department may set one up with member departments once the committee approves it (pilots in some cities and counties first)".into()
        } else {
            "approved for this matter (catalog)".into()
        },
        items,
        basis: vec!["九".into()],
    }
}

/// Caveats on the whole answer.
fn caveats(cx: &mut Context, p: &Parts) {
    if cx.touches.leaves_province() {
        let names: Vec<String> = p
            .other_provinces
            .iter()
            .map(|o| format!("{} {:.1}%", o.name, o.share * 100.0))
            .collect();
        cx.notes.push(format!(
            "{:.1}% of the footprint lies outside Hubei{}: inter-provincial coordination, which this document does not govern; the answer covers the Hubei part",
            cx.touches.outside / cx.touches.total * 100.0,
            if names.is_empty() { String::new() } else { format!(" ({})", names.join(", ")) }
        ));
    }
    if p.coordinating_body.level == "metro" {
        cx.notes.push("metro level: no city's bodies act for another; each participant's own committee and departments act in its own area (coordinating_body.participants)".into());
    }
    let catalog = &cx.rules.catalog;
    if cx.matter.is_some() && catalog.provenance != "official" {
        cx.notes.push(format!(
            "lead and cooperating departments come from the {} matter catalog ({})",
            catalog.provenance, catalog.source
        ));
    }
    let zones = &cx.atlas.layer(LayerKind::Zone).provenance;
    if !cx.touches.layer(LayerKind::Zone).is_empty() && zones.status != "official" {
        cx.notes.push(format!(
            "basin zones and first-level basin extents are {}",
            zones.status
        ));
    }
    if let Some(f) = &cx.footprint {
        let kinds = [
            !f.points.0.is_empty(),
            !f.lines.0.is_empty(),
            !f.polygons.0.is_empty(),
        ];
        if kinds.iter().filter(|k| **k).count() > 1 {
            cx.notes.push(
                "mixed footprint: shares are measured on its highest-dimension parts only".into(),
            );
        }
    }
}

/// Every clause cited anywhere in the answer, sorted by number.
fn basis(cx: &Context, p: &Parts, parties_basis: &[String]) -> Vec<String> {
    let c = &p.coordinating_body;
    let mut b: Vec<String> = c.basis.clone();
    b.extend(c.escalation.iter().flat_map(|x| x.basis.clone()));
    b.extend(c.convened_by.iter().flat_map(|x| x.basis.clone()));
    b.extend(c.participants.iter().flat_map(|x| x.basis.clone()));
    b.push("八".into());
    b.push("九".into());
    if let Some(l) = &p.depts.lead {
        b.extend(l.role.basis.iter().cloned());
        b.push("四".into());
    }
    if let Some(d) = &p.depts.designation {
        b.extend(d.basis.iter().cloned());
    }
    if cx.matter.is_some() {
        b.extend(cx.rules.catalog.basis.iter().cloned());
    }
    for m in &p.mechanisms {
        b.extend(m.basis.iter().cloned());
    }
    b.extend(p.special_inspection.basis.iter().cloned());
    b.extend(cx.water.iter().flat_map(|w| w.basis.clone()));
    b.extend(parties_basis.iter().cloned());
    if cx.matter.is_some() && !cx.touches.layer(LayerKind::County).is_empty() {
        b.push("六".into());
    }
    b.retain(|id| cx.rules.clause(id).is_some());
    actors::sort_basis(cx.rules, &mut b);
    b
}

/// The answer.
pub(super) fn answer(mut cx: Context, p: Parts) -> Analysis {
    caveats(&mut cx, &p);
    let basis = basis(&cx, &p, &cx.parties.basis);
    let m = cx.matter;
    let catalog_prov = cx.rules.catalog.provenance.clone();
    Analysis {
        matter: MatterRef {
            requested: cx.requested.clone(),
            id: m.map(|m| m.id.clone()),
            name_zh: m.map(|m| m.name_zh.clone()),
            name_en: m.map(|m| m.name_en.clone()),
            known: m.is_some(),
            basin_related: m.is_some_and(|m| m.basin_related),
            water_context: m.is_some_and(|m| m.water_context),
            provenance: catalog_prov,
        },
        jurisdictions: listing(&cx),
        complaints: complaints(&cx),
        specialised_committees: specialised(&cx),
        clauses: actors::clause_refs(cx.rules, &basis),
        basis,
        data_version: cx.atlas.version().to_string(),
        crossings: p.crossings,
        coordinating_body: p.coordinating_body,
        lead_department: p.depts.lead,
        cooperating_departments: p.depts.cooperating,
        designation: p.depts.designation,
        mechanisms: p.mechanisms,
        special_inspection_eligible: p.special_inspection.eligible,
        special_inspection: p.special_inspection,
        inter_provincial: cx.touches.leaves_province(),
        other_provinces: p.other_provinces,
        crs: p.crs,
        downwind: None,
        parties: cx.parties,
        water_context: cx.water,
        notes: cx.notes,
    }
}
