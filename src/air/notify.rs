//! 通报 (who must be told), clause 十四: every prefecture the plume reaches
//! outside the source's own, with the mechanism that links it to the source.
//!
//! One rule, in order:
//! 1. both the source's prefecture and the reached one are cities of the
//!    襄荆荆宜 air-pollution transmission corridor → `air_corridor` (统一调度、
//!    共同应对, 十四);
//! 2. both are in one metropolitan area → `metro_joint_prevention`, driven by
//!    the metro's lead city (大气联防联控, 十四);
//! 3. otherwise → `committee_coordination`: the provincial committee and its
//!    office coordinate (七, 二十).
//!
//! When a corridor link holds, a shared metro area is listed under `also`.
//! A source outside Hubei is inter-provincial: the provincial committee
//! coordinates the Hubei side (this document governs only Hubei).

use serde::Serialize;

use crate::atlas::{Atlas, LayerKind, Unit};
use crate::governance::actors::{self, BodyItem, DepartmentItem};
use crate::governance::body::Level;
use crate::governance::mechanism::{AIR_CORRIDOR, COMMITTEE_COORDINATION, METRO_JOINT_PREVENTION};
use crate::governance::obligations::PlaceName;
use crate::governance::places::{self, place};
use crate::governance::Rules;

/// A mechanism linking the source to a reached prefecture.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    /// Mechanism id (`air_corridor`, `metro_joint_prevention`, `committee_coordination`).
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The corridor or metro area that links them (`None` for the committee).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<PlaceName>,
    /// Who drives it: the metro's lead city, or the provincial committee.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driven_by: Option<PlaceName>,
    /// Features (统一调度, the four unifications...).
    pub features: Vec<String>,
    /// Provenance of the membership it rests on, when not official.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<String>,
    /// Clauses.
    pub basis: Vec<String>,
}

/// One prefecture to notify.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notify {
    /// The prefecture reached.
    pub prefecture: PlaceName,
    /// When the plume first arrives there (hours).
    pub arrival_hours: f64,
    /// The mechanism that links it to the source.
    pub mechanism: Link,
    /// Further mechanisms that also link them.
    pub also: Vec<Link>,
    /// Whom to tell there: the committee office (二十) and the lead department
    /// for air matters at prefecture level (from the matter catalog).
    pub contacts: Contacts,
    /// Clauses.
    pub basis: Vec<String>,
}

/// The bodies to tell in a reached prefecture.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contacts {
    /// The prefecture's committee office.
    pub committee_office: Option<BodyItem>,
    /// The department leading air matters there.
    pub department: Option<DepartmentItem>,
}

/// The kind of link, before it is named from the rules.
#[derive(Debug, Clone, Copy)]
enum Kind<'a> {
    Corridor(&'a Unit),
    Metro(&'a Unit),
    Province,
}

/// The groups of `kind` holding both a source prefecture and `target` (十四).
fn shared<'a>(
    atlas: &'a Atlas,
    kind: LayerKind,
    sources: &[String],
    target: &str,
) -> Vec<&'a Unit> {
    atlas
        .layer(kind)
        .units
        .iter()
        .filter(|g| {
            let m = g.members();
            m.contains(&target) && sources.iter().any(|s| m.contains(&s.as_str()))
        })
        .collect()
}

/// The links between the source's prefectures and `target`, strongest first (十四, 七, 二十).
fn links<'a>(atlas: &'a Atlas, sources: &[String], target: &str) -> Vec<Kind<'a>> {
    let mut out: Vec<Kind> = shared(atlas, LayerKind::Corridor, sources, target)
        .into_iter()
        .map(Kind::Corridor)
        .collect();
    out.extend(
        shared(atlas, LayerKind::MetroArea, sources, target)
            .into_iter()
            .map(Kind::Metro),
    );
    if out.is_empty() {
        out.push(Kind::Province);
    }
    out
}

fn named(rules: &Rules, atlas: &Atlas, kind: Kind) -> Link {
    let (id, layer, unit) = match kind {
        Kind::Corridor(u) => (AIR_CORRIDOR, Some(LayerKind::Corridor), Some(u)),
        Kind::Metro(u) => (METRO_JOINT_PREVENTION, Some(LayerKind::MetroArea), Some(u)),
        Kind::Province => (COMMITTEE_COORDINATION, None, None),
    };
    let m = rules.mechanism(id);
    let driven_by = match kind {
        Kind::Metro(u) => u
            .prop_str("lead_city")
            .and_then(|c| atlas.layer(LayerKind::Prefecture).get(c))
            .map(place),
        Kind::Province => Some(places::province(atlas)),
        Kind::Corridor(_) => None,
    };
    let provenance = match (layer, unit) {
        (Some(l), Some(u)) => Some(places::provenance(atlas, l, u)).filter(|p| p != "official"),
        _ => None,
    };
    Link {
        id: id.to_string(),
        name_zh: m.map(|m| m.name_zh.clone()).unwrap_or_default(),
        name_en: m.map(|m| m.name_en.clone()).unwrap_or_default(),
        via: unit.map(place),
        driven_by,
        features: m.map(|m| m.features_zh.clone()).unwrap_or_default(),
        provenance,
        basis: m.map(|m| m.basis.clone()).unwrap_or_default(),
    }
}

fn contacts(rules: &Rules, p: &PlaceName) -> Contacts {
    let department = rules
        .matter("air")
        .and_then(|m| rules.department(&m.lead))
        .map(|d| actors::department(d, Level::Prefecture, p));
    Contacts {
        committee_office: actors::body(rules, "committee_office", Level::Prefecture, p),
        department,
    }
}

/// Whom to notify (十四): each reached prefecture (adcode, arrival hours) not
/// among `sources` (the source's own prefectures), in order of arrival.
pub fn notify(
    rules: &Rules,
    atlas: &Atlas,
    sources: &[String],
    reached: &[(String, f64)],
) -> Vec<Notify> {
    reached
        .iter()
        .filter(|(id, _)| !sources.contains(id))
        .filter_map(|(id, t)| {
            let p = atlas.layer(LayerKind::Prefecture).get(id).map(place)?;
            let mut kinds = links(atlas, sources, id).into_iter();
            let first = named(rules, atlas, kinds.next()?);
            let also: Vec<Link> = kinds.map(|k| named(rules, atlas, k)).collect();
            let mut basis: Vec<String> = first.basis.clone();
            basis.extend(also.iter().flat_map(|l| l.basis.clone()));
            basis.push("二十".into());
            actors::sort_basis(rules, &mut basis);
            Some(Notify {
                contacts: contacts(rules, &p),
                prefecture: p,
                arrival_hours: *t,
                mechanism: first,
                also,
                basis,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[Notify]) -> Vec<(&str, &str)> {
        v.iter()
            .map(|n| (n.prefecture.name.as_str(), n.mechanism.id.as_str()))
            .collect()
    }

    #[test]
    fn the_rule_of_clause_14() {
        let atlas = Atlas::embedded().expect("atlas");
        let rules = Rules::embedded().expect("rules");
        let reached = |v: &[&str]| -> Vec<(String, f64)> {
            v.iter()
                .enumerate()
                .map(|(i, a)| (a.to_string(), i as f64))
                .collect()
        };
        // 荆门 → 荆州: both corridor cities (and both in 宜荆荆): the corridor first.
        let n = notify(
            &rules,
            &atlas,
            &["420800".into()],
            &reached(&["420800", "421000"]),
        );
        assert_eq!(ids(&n), [("荆州市", "air_corridor")]);
        assert_eq!(n[0].also.len(), 1);
        assert_eq!(n[0].also[0].id, "metro_joint_prevention");
        assert_eq!(n[0].mechanism.basis, ["十四"]);
        assert_eq!(n[0].mechanism.provenance.as_deref(), Some("reconstructed"));
        // 鄂州 → 黄冈, 黄石: the 武汉 metro, driven by 武汉.
        let n = notify(
            &rules,
            &atlas,
            &["420700".into()],
            &reached(&["421100", "420200"]),
        );
        assert_eq!(
            ids(&n),
            [
                ("黄冈市", "metro_joint_prevention"),
                ("黄石市", "metro_joint_prevention")
            ]
        );
        assert_eq!(
            n[0].mechanism.driven_by.as_ref().map(|p| p.name.as_str()),
            Some("武汉市")
        );
        // 襄阳 → 十堰: no shared corridor or metro: the provincial committee.
        let n = notify(&rules, &atlas, &["420600".into()], &reached(&["420300"]));
        assert_eq!(ids(&n), [("十堰市", "committee_coordination")]);
        assert_eq!(n[0].basis, ["七", "二十"]);
        let office = n[0].contacts.committee_office.as_ref().expect("office");
        assert!(office.name_zh.contains("十堰市"), "{}", office.name_zh);
        // A source outside Hubei: everyone through the province.
        let n = notify(&rules, &atlas, &[], &reached(&["420600"]));
        assert_eq!(ids(&n), [("襄阳市", "committee_coordination")]);
    }
}
