//! Step 4: who coordinates (协调主体; 七, 十四, 二十), over the party
//! jurisdictions inside Hubei:
//!
//! - one county-level unit: its committee;
//! - one prefecture-level unit (or one province-administered unit): its committee;
//! - several prefectures all inside one metropolitan area: the metro's joint
//!   mechanism, which the lead city's government convenes and drives (推动,
//!   十四) without authority over the other cities' bodies; every prefecture
//!   takes part in its own area through its own committee and departments,
//!   with the provincial committee office above (二十);
//! - otherwise: the provincial committee (七, 二十).
//!
//! When the issue leaves Hubei, the same rule applies to the Hubei part: the
//! document governs only that part.

use crate::atlas::{LayerKind, Unit};

use super::super::actors::{self, BodyItem};
use super::super::body::Level;
use super::super::obligations::PlaceName;
use super::super::places::{self, place};
use super::answer::{CoordinatingBody, MetroCoordination, Participant};
use super::departments::own_departments;
use super::Context;

/// The coordinating body for the parties.
pub(super) fn coordinator(cx: &Context) -> CoordinatingBody {
    let counties = cx.party_units(LayerKind::County);
    let prefs = cx.party_units(LayerKind::Prefecture);
    let hubei_part = if cx.touches.leaves_province() {
        " in the Hubei part"
    } else {
        ""
    };
    match (counties.as_slice(), prefs.as_slice()) {
        ([c], [p]) if c.id == p.id => committee_of(
            cx,
            Level::Prefecture,
            p,
            format!("one province-administered unit{hubei_part} ({}), which acts as a prefecture-level unit", p.name),
        ),
        ([c], [_]) => committee_of(cx, Level::County, c, format!("one county-level unit{hubei_part} ({})", c.name)),
        (_, [p]) => committee_of(
            cx,
            Level::Prefecture,
            p,
            format!("{} county-level units{hubei_part}, all in {}", counties.len(), p.name),
        ),
        _ => match common_metro(cx, &prefs) {
            Some(m) => metro(cx, m, &prefs),
            None => province(cx, &prefs),
        },
    }
}

/// Party committee and government of a place, as escalation targets (八).
fn escalation(cx: &Context, level: Level, p: &PlaceName) -> Vec<BodyItem> {
    ["party_committee", "government"]
        .into_iter()
        .filter_map(|b| actors::body(cx.rules, b, level, p))
        .map(|mut b| {
            b.basis = vec!["八".into()];
            b
        })
        .collect()
}

/// A committee (and its office) coordinating at one level for one place (七, 二十).
fn committee_body(cx: &Context, level: Level, p: PlaceName, reason: String) -> CoordinatingBody {
    let committee = actors::body(cx.rules, "committee", level, &p);
    CoordinatingBody {
        level: level.id(),
        name_zh: committee
            .as_ref()
            .map(|c| c.name_zh.clone())
            .unwrap_or_default(),
        name_en: committee
            .as_ref()
            .map(|c| c.name_en.clone())
            .unwrap_or_default(),
        office: actors::body(cx.rules, "committee_office", level, &p),
        escalation: escalation(cx, level, &p),
        committee,
        place: p,
        metro: None,
        convened_by: None,
        participants: Vec::new(),
        above: None,
        reason,
        basis: vec!["七".into(), "二十".into()],
    }
}

fn committee_of(cx: &Context, level: Level, u: &Unit, reason: String) -> CoordinatingBody {
    committee_body(cx, level, place(u), reason)
}

/// The provincial committee, for prefectures not all in one metro area.
fn province(cx: &Context, prefs: &[&Unit]) -> CoordinatingBody {
    let names: Vec<&str> = prefs.iter().map(|p| p.name.as_str()).collect();
    committee_body(
        cx,
        Level::Province,
        places::province(cx.atlas),
        format!(
            "{} prefecture-level units not all within one metropolitan area ({}): the provincial committee coordinates with provincial departments",
            prefs.len(),
            names.join(", ")
        ),
    )
}

/// The metro area holding every party prefecture, if any.
fn common_metro<'a>(cx: &'a Context, prefs: &[&Unit]) -> Option<&'a Unit> {
    cx.atlas.layer(LayerKind::MetroArea).units.iter().find(|m| {
        let members = m.members();
        prefs.iter().all(|p| members.contains(&p.id.as_str()))
    })
}

/// One participating prefecture, with its own committee and departments.
fn participant(cx: &Context, p: &Unit) -> Participant {
    let pl = place(p);
    let (lead_department, cooperating_departments) = own_departments(cx, &pl);
    Participant {
        committee: actors::body(cx.rules, "committee", Level::Prefecture, &pl),
        lead_department,
        cooperating_departments,
        basis: vec!["七".into(), "八".into()],
        adcode: pl.adcode,
        name: pl.name,
    }
}

/// The metro's joint mechanism (十四), convened by the lead city's government,
/// each prefecture acting in its own area, the provincial office above (二十).
fn metro(cx: &Context, m: &Unit, prefs: &[&Unit]) -> CoordinatingBody {
    let prefecture = |a: &str| cx.atlas.layer(LayerKind::Prefecture).get(a).map(place);
    let lead_id = m.prop_str("lead_city").unwrap_or_default();
    let lead = prefecture(lead_id).unwrap_or(PlaceName {
        adcode: lead_id.to_string(),
        name: m.prop_str("lead_city_name").unwrap_or_default().to_string(),
    });
    let convened_by =
        actors::body(cx.rules, "government", Level::Prefecture, &lead).map(|mut b| {
            b.basis = vec!["十四".into()];
            b
        });
    let above = actors::body(
        cx.rules,
        "committee_office",
        Level::Province,
        &places::province(cx.atlas),
    );
    CoordinatingBody {
        level: "metro",
        name_zh: format!("{}跨界协同治理联动机制", m.name),
        name_en: format!(
            "{} joint cross-boundary mechanism, driven by {}",
            m.prop_str("name_en").unwrap_or(&m.name),
            lead.name
        ),
        committee: None,
        office: None,
        metro: Some(MetroCoordination {
            id: m.id.clone(),
            name: m.name.clone(),
            lead_city: lead.clone(),
            members: m.members().iter().filter_map(|a| prefecture(a)).collect(),
            provenance: places::provenance(cx.atlas, LayerKind::MetroArea, m),
        }),
        convened_by,
        participants: prefs.iter().map(|p| participant(cx, p)).collect(),
        above,
        escalation: Vec::new(),
        reason: format!(
            "{} prefecture-level units, all in {}: its joint mechanism, which {} drives (推动); each city acts in its own area through its own committee and departments, and the provincial committee office stands above",
            prefs.len(),
            m.name,
            lead.name
        ),
        place: lead,
        basis: vec!["七".into(), "十四".into(), "二十".into()],
    }
}
