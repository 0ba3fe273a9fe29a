//! 主体实例: the bodies of a concrete place (湖北省, 武汉市, 江夏区), built from the
//! templates in the rules, as they appear in answers.

use serde::Serialize;

use super::body::{Department, Level};
use super::obligations::PlaceName;
use super::rules::Rules;

/// A body of a concrete place, with the clauses that give it its role.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BodyItem {
    /// Template id (`party_committee`, `government`, `committee`, `committee_office`).
    pub id: String,
    /// Chinese name (`中共武汉市委员会`).
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Level.
    pub level: Level,
    /// The place.
    pub place: PlaceName,
    /// Where the body sits, when the text says so (the provincial office: 省生态环境厅).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hosted_by: Option<String>,
    /// Clauses.
    pub basis: Vec<String>,
}

/// A first responsible person (第一责任人), by role (三).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleItem {
    /// Role title, Chinese (`市委书记`).
    pub role_zh: String,
    /// Role title, English.
    pub role_en: String,
    /// The body the role heads (`party_committee` or `government`).
    pub of: String,
    /// Clauses.
    pub basis: Vec<String>,
}

/// A department at a concrete place (职能部门).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepartmentItem {
    /// Department id.
    pub id: String,
    /// Name at that place (`武汉市生态环境部门`, `湖北省生态环境厅`).
    pub name_zh: String,
    /// Field, English.
    pub name_en: String,
    /// Level.
    pub level: Level,
    /// The place.
    pub place: PlaceName,
}

/// A body of a place, or `None` when the template is missing.
pub fn body(rules: &Rules, id: &str, level: Level, place: &PlaceName) -> Option<BodyItem> {
    let t = rules.body(id)?;
    let hosted_by = t
        .hosted_by
        .get(&level)
        .and_then(|d| rules.department(d))
        .map(|d| d.name_at(level, &place.name));
    Some(BodyItem {
        id: t.id.clone(),
        name_zh: t.name_zh_for(&place.name),
        name_en: t.name_en_for(&place.name),
        level,
        place: place.clone(),
        hosted_by,
        basis: t.basis.clone(),
    })
}

/// The first responsible persons of a place by role (三).
pub fn first_responsible(rules: &Rules, place: &PlaceName) -> Vec<RoleItem> {
    let Some(f) = rules.first_responsible_for(&place.name) else {
        return Vec::new();
    };
    vec![
        RoleItem {
            role_zh: f.party_zh.clone(),
            role_en: f.party_en.clone(),
            of: "party_committee".into(),
            basis: vec!["三".into()],
        },
        RoleItem {
            role_zh: f.government_zh.clone(),
            role_en: f.government_en.clone(),
            of: "government".into(),
            basis: vec!["三".into()],
        },
    ]
}

/// A department at a place.
pub fn department(d: &Department, level: Level, place: &PlaceName) -> DepartmentItem {
    DepartmentItem {
        id: d.id.clone(),
        name_zh: d.name_at(level, &place.name),
        name_en: d.name_en.clone(),
        level,
        place: place.clone(),
    }
}

/// Sorts clause ids by their number and removes duplicates.
pub fn sort_basis(rules: &Rules, basis: &mut Vec<String>) {
    basis.sort_by_key(|id| rules.clause(id).map(|c| c.number).unwrap_or(u8::MAX));
    basis.dedup();
}

/// A cited clause with its title, for answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClauseRef {
    /// Clause id.
    pub id: String,
    /// Title, Chinese.
    pub title_zh: String,
    /// Title, English.
    pub title_en: String,
}

/// The titles of the clauses cited.
pub fn clause_refs(rules: &Rules, basis: &[String]) -> Vec<ClauseRef> {
    basis
        .iter()
        .filter_map(|id| rules.clause(id))
        .map(|c| ClauseRef {
            id: c.id.clone(),
            title_zh: c.title_zh.clone(),
            title_en: c.title_en.clone(),
        })
        .collect()
}
