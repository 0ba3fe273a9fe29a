//! 治理概况: the governance profile of a location — everything the point
//! lookup returns, plus the bodies of each level, the first responsible
//! persons by role, the committees and their offices, the mechanisms that
//! apply there and the reporting obligations of its prefecture.

use jiff::civil::Date;
use serde::Serialize;
use serde_json::{json, Value};

use crate::atlas::{Atlas, LayerKind, Unit};
use crate::locate::Location;

use super::actors::{self, BodyItem, ClauseRef, RoleItem};
use super::analysis::MechanismItem;
use super::body::Level;
use super::mechanism::{Mechanism, Scope};
use super::obligations::{self, Obligation, PlaceName};
use super::places::{self, place};
use super::water::{PlaceRef, UpstreamDownstream};
use super::Rules;

/// The bodies of one level at the location.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelProfile {
    /// Level.
    pub level: Level,
    /// The place.
    pub place: PlaceName,
    /// 党委.
    pub party_committee: Option<BodyItem>,
    /// 政府.
    pub government: Option<BodyItem>,
    /// 第一责任人, by role (三).
    pub first_responsible: Vec<RoleItem>,
    /// 生态环境保护委员会 (七, 二十).
    pub committee: Option<BodyItem>,
    /// Its office (二十).
    pub committee_office: Option<BodyItem>,
    /// Caveat (province-administered units).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The governance part of a profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GovernanceProfile {
    /// Province, prefecture and county, top down.
    pub levels: Vec<LevelProfile>,
    /// Mechanisms that apply at the location.
    pub mechanisms: Vec<MechanismItem>,
    /// Reporting obligations of the prefecture's party committee and government
    /// (十一) and of the local departments there (十二), as of `as_of`.
    pub reporting_obligations: Vec<Obligation>,
    /// The date the deadlines are computed for.
    pub as_of: String,
    /// Supervisors (十七).
    pub supervisors: Vec<Value>,
    /// Clauses framing every profile (一, 二).
    pub framing: Vec<ClauseRef>,
    /// Every clause cited, by number.
    pub basis: Vec<String>,
    /// Titles of the cited clauses.
    pub clauses: Vec<ClauseRef>,
    /// Caveats.
    pub notes: Vec<String>,
}

/// Where the point drains locally, checked against its county's zone (十三).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrainageCheck {
    /// The river the point drains to locally: the nearest line within the snap
    /// tolerance (or the first named river downstream of an unnamed one).
    pub river: PlaceRef,
    /// Distance from the point to that line, km.
    pub distance_km: f64,
    /// The first-level basin (一级流域) that river belongs to.
    pub basin: PlaceRef,
    /// The county's second-level zone (reconstructed) and its basin.
    pub zone: Option<Value>,
    /// Whether the zone's first-level basin is the one the point drains to.
    pub agrees_with_zone: Option<bool>,
    /// Why they may disagree.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Clauses.
    pub basis: Vec<String>,
    /// Provenance of the river data and of the zones.
    pub provenance: String,
}

/// A governance profile: the location answer plus its governance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    /// Everything `locate` returns.
    #[serde(flatten)]
    pub location: Location,
    /// Local drainage and whether it agrees with the zone; `null` outside
    /// Hubei or when no river line is within the snap tolerance.
    pub drainage: Option<DrainageCheck>,
    /// Governance; `null` outside Hubei.
    pub governance: Option<GovernanceProfile>,
}

/// The governance profile of a point (lon/lat already range-checked), with
/// reporting deadlines as of `date` and local drainage from `river`.
pub fn profile(
    rules: &Rules,
    atlas: &Atlas,
    river: &dyn UpstreamDownstream,
    lon: f64,
    lat: f64,
    date: Date,
) -> Profile {
    let location = atlas.locate(lon, lat);
    let mut governance = build(rules, atlas, &location, date);
    let drainage = governance
        .as_ref()
        .and_then(|_| drainage(atlas, river, &location, lon, lat));
    if let (Some(g), None) = (governance.as_mut(), &drainage) {
        g.notes.push(format!(
            "drainage: not checked: no river line within the snap tolerance of the point (river engine: {})",
            river.describe()
        ));
    }
    Profile {
        location,
        drainage,
        governance,
    }
}

/// 十三: the river the point drains to, its first-level basin, and whether
/// that agrees with the basin of the county's (whole-county) zone.
fn drainage(
    atlas: &Atlas,
    river: &dyn UpstreamDownstream,
    loc: &Location,
    lon: f64,
    lat: f64,
) -> Option<DrainageCheck> {
    let d = river.drainage(atlas, lon, lat)?;
    let zone_basin = loc
        .zone
        .as_ref()
        .and_then(|z| z.extra.get("basin"))
        .and_then(Value::as_str);
    let agrees = zone_basin.map(|b| b == d.basin.id);
    let straddles = loc
        .county
        .as_ref()
        .and_then(|c| atlas.layer(LayerKind::County).get(&c.adcode))
        .and_then(|c| c.properties.get("straddles_divide"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let note = (agrees == Some(false)).then(|| {
        format!(
            "the point drains to the {} ({}), but its county's zone {} lies in {}: zones are whole-county assignments (reconstructed){}",
            d.river.name,
            d.basin.name,
            loc.zone.as_ref().map(|z| format!("{} {}", z.id, z.name)).unwrap_or_default(),
            zone_basin.unwrap_or("another basin"),
            if straddles { ", and this county straddles a drainage divide" } else { "" }
        )
    });
    Some(DrainageCheck {
        river: d.river,
        distance_km: d.distance_km,
        basin: d.basin,
        zone: loc
            .zone
            .as_ref()
            .map(|z| json!({"id": z.id, "name": z.name, "basin": zone_basin})),
        agrees_with_zone: agrees,
        note,
        basis: vec!["十三".into()],
        provenance: "river lines reconstructed (WDBII, gazetteer orientation); zones reconstructed"
            .into(),
    })
}

/// The bodies of one level at a place (二, 三, 七, 二十).
fn level(rules: &Rules, level: Level, p: &PlaceName, note: Option<String>) -> LevelProfile {
    LevelProfile {
        level,
        place: p.clone(),
        party_committee: actors::body(rules, "party_committee", level, p),
        government: actors::body(rules, "government", level, p),
        first_responsible: actors::first_responsible(rules, p),
        committee: actors::body(rules, "committee", level, p),
        committee_office: actors::body(rules, "committee_office", level, p),
        note,
    }
}

/// Province, prefecture and county, top down (a province-administered unit
/// acts at prefecture level and has no separate county level).
fn levels(rules: &Rules, atlas: &Atlas, pref: &Unit, county: Option<&Unit>) -> Vec<LevelProfile> {
    let pref_place = place(pref);
    let mut out = vec![level(
        rules,
        Level::Province,
        &places::province(atlas),
        None,
    )];
    match county {
        Some(c) if c.id == pref.id => out.push(level(
            rules,
            Level::Prefecture,
            &pref_place,
            Some(format!(
                "{} is a province-administered county-level unit: it acts at prefecture level and has no separate county level",
                pref.name
            )),
        )),
        Some(c) => {
            out.push(level(rules, Level::Prefecture, &pref_place, None));
            out.push(level(rules, Level::County, &place(c), None));
        }
        None => out.push(level(rules, Level::Prefecture, &pref_place, None)),
    }
    out
}

/// Reporting obligations of the prefecture (十一) and of the local
/// departments of the prefecture and county (十二), as of `date`.
fn reporting(
    rules: &Rules,
    atlas: &Atlas,
    date: Date,
    pref: &Unit,
    county: Option<&Unit>,
) -> Vec<Obligation> {
    let mut out = obligations::obligations(rules, &places::places(atlas), date, Some(&pref.id))
        .map(|a| a.obligations)
        .unwrap_or_default();
    let here: Vec<&str> = [Some(pref.id.as_str()), county.map(|c| c.id.as_str())]
        .into_iter()
        .flatten()
        .collect();
    for o in &mut out {
        o.reports.retain(|r| {
            r.reporter
                .adcode
                .as_deref()
                .is_some_and(|a| here.contains(&a))
        });
    }
    out
}

/// Every clause the profile cites, sorted.
fn profile_basis(
    rules: &Rules,
    levels: &[LevelProfile],
    mechanisms: &[MechanismItem],
    reporting: &[Obligation],
) -> Vec<String> {
    let mut basis: Vec<String> = vec!["一".into(), "二".into()];
    for l in levels {
        let bodies = [
            &l.party_committee,
            &l.government,
            &l.committee,
            &l.committee_office,
        ];
        for b in bodies.into_iter().flatten() {
            basis.extend(b.basis.iter().cloned());
        }
        for r in &l.first_responsible {
            basis.extend(r.basis.iter().cloned());
        }
    }
    basis.extend(mechanisms.iter().flat_map(|m| m.basis.clone()));
    basis.extend(reporting.iter().flat_map(|o| o.basis.clone()));
    basis.extend(rules.supervisors.iter().flat_map(|s| s.basis.clone()));
    actors::sort_basis(rules, &mut basis);
    basis
}

fn build(rules: &Rules, atlas: &Atlas, loc: &Location, date: Date) -> Option<GovernanceProfile> {
    let pref = loc
        .prefecture
        .as_ref()
        .and_then(|p| atlas.layer(LayerKind::Prefecture).get(&p.adcode))?;
    let county = loc
        .county
        .as_ref()
        .and_then(|c| atlas.layer(LayerKind::County).get(&c.adcode));
    let mut notes = Vec::new();
    if loc.on_boundary {
        notes.push(
            "the point lies on a boundary: governance is shown for the units in the single-valued fields; `matches` lists every containing unit"
                .to_string(),
        );
    }
    let levels = levels(rules, atlas, pref, county);
    let mechanisms = mechanisms(rules, atlas, loc, pref, county, &mut notes);
    let reporting = reporting(rules, atlas, date, pref, county);
    let supervisors: Vec<Value> = rules
        .supervisors
        .iter()
        .map(|s| json!({"id": s.id, "name_zh": s.name_zh, "name_en": s.name_en, "basis": s.basis}))
        .collect();
    let basis = profile_basis(rules, &levels, &mechanisms, &reporting);
    Some(GovernanceProfile {
        framing: actors::clause_refs(rules, &["一".to_string(), "二".to_string()]),
        clauses: actors::clause_refs(rules, &basis),
        levels,
        mechanisms,
        reporting_obligations: reporting,
        as_of: date.to_string(),
        supervisors,
        basis,
        notes,
    })
}

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

/// The group units (metro areas, corridors) a prefecture belongs to.
fn groups<'a>(atlas: &'a Atlas, kind: LayerKind, pref: &Unit) -> Vec<&'a Unit> {
    places::groups_of(atlas, kind, &pref.id)
        .iter()
        .filter_map(|id| atlas.layer(kind).get(id))
        .collect()
}

/// 十四: the metro area of the prefecture and its lead city, or a note on
/// the city cluster, which has no mechanism of its own in the text.
fn metro(
    atlas: &Atlas,
    m: &Mechanism,
    pref: &Unit,
    notes: &mut Vec<String>,
) -> Option<MechanismItem> {
    let metros = groups(atlas, LayerKind::MetroArea, pref);
    if metros.is_empty() {
        let clusters: Vec<String> = groups(atlas, LayerKind::CityCluster, pref)
            .iter()
            .map(|c| c.name.clone())
            .collect();
        if !clusters.is_empty() {
            notes.push(format!(
                "{} is in no metropolitan area; it is in the city cluster {}, for which the seed sets no coordination mechanism",
                pref.name,
                clusters.join(", ")
            ));
        }
        return None;
    }
    let list: Vec<Value> = metros
        .iter()
        .map(|u| {
            let lead = u.prop_str("lead_city").unwrap_or_default();
            json!({
                "id": u.id,
                "name": u.name,
                "lead_city": atlas.layer(LayerKind::Prefecture).get(lead).map(place),
                "is_lead_city": lead == pref.id,
                "provenance": places::provenance(atlas, LayerKind::MetroArea, u),
            })
        })
        .collect();
    let prov = places::first_unofficial(atlas, LayerKind::MetroArea, metros);
    Some(item(m, json!({"metro_areas": list}), prov))
}

/// 十四: the air-pollution transmission channel (传输通道) and its partners.
fn corridor(atlas: &Atlas, m: &Mechanism, pref: &Unit) -> Option<MechanismItem> {
    let corridors = groups(atlas, LayerKind::Corridor, pref);
    if corridors.is_empty() {
        return None;
    }
    let list: Vec<Value> = corridors
        .iter()
        .map(|u| {
            let partners: Vec<PlaceName> = u
                .members()
                .iter()
                .filter(|a| **a != pref.id)
                .filter_map(|a| atlas.layer(LayerKind::Prefecture).get(a))
                .map(place)
                .collect();
            json!({"id": u.id, "name": u.name, "partners": partners, "provenance": places::provenance(atlas, LayerKind::Corridor, u)})
        })
        .collect();
    let prov = places::first_unofficial(atlas, LayerKind::Corridor, corridors);
    Some(item(m, json!({"corridors": list}), prov))
}

/// The mechanisms that apply at the location.
fn mechanisms(
    rules: &Rules,
    atlas: &Atlas,
    loc: &Location,
    pref: &Unit,
    county: Option<&Unit>,
    notes: &mut Vec<String>,
) -> Vec<MechanismItem> {
    let mut out = Vec::new();
    for m in &rules.mechanisms {
        let found = match m.scope {
            Scope::Basin if loc.basin.is_some() || loc.zone.is_some() => {
                let status = atlas.layer(LayerKind::Zone).provenance.status.clone();
                Some(item(
                    m,
                    json!({"basin": loc.basin, "zone": loc.zone}),
                    (status != "official").then_some(status),
                ))
            }
            Scope::MetroArea => metro(atlas, m, pref, notes),
            Scope::Corridor => corridor(atlas, m, pref),
            Scope::RuralCounty => county
                .filter(|c| rules.co_creation_rule.is_rural(&c.name))
                .map(|c| {
                    item(
                        m,
                        json!({"county": place(c), "rural": true, "at": "township and village (乡镇、村)"}),
                        Some(rules.co_creation_rule.provenance.clone()),
                    )
                }),
            Scope::Committee => Some(item(
                m,
                json!({"levels": ["province", "prefecture", "county"]}),
                None,
            )),
            _ => None,
        };
        out.extend(found);
    }
    out
}
