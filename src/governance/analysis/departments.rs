//! Step 5: lead and cooperating departments (牵头部门, 配合部门; 五, 七, 八, 四),
//! always departments of the jurisdiction they act in: no city's bodies act
//! for another. An unknown matter's lead is designated by the committee at
//! the coordinating level (七).

use serde_json::json;

use super::super::actors::{self, DepartmentItem};
use super::super::body::Level;
use super::super::matter::Matter;
use super::super::obligations::PlaceName;
use super::super::places;
use super::answer::{CoordinatingBody, DepartmentRole, Designation, LeadDepartment};
use super::Context;

/// The departments of the answer.
pub(super) struct Departments {
    pub(super) lead: Option<LeadDepartment>,
    pub(super) cooperating: Vec<DepartmentRole>,
    pub(super) designation: Option<Designation>,
}

/// Department `id` of `place` at `level` (五: its own department there).
pub(super) fn department_at(
    cx: &Context,
    id: &str,
    level: Level,
    place: &PlaceName,
) -> Option<DepartmentItem> {
    cx.rules
        .department(id)
        .map(|d| actors::department(d, level, place))
}

fn role(cx: &Context, id: &str, level: Level, place: &PlaceName) -> Option<DepartmentRole> {
    department_at(cx, id, level, place).map(|department| DepartmentRole {
        department,
        basis: cx.rules.catalog.basis.clone(),
        provenance: cx.rules.catalog.provenance.clone(),
    })
}

/// The lead department of a known matter at `level` of `place`, with the
/// portfolio leader above it (四) and the specialised committees (九).
fn lead(cx: &Context, m: &Matter, level: Level, place: &PlaceName) -> Option<LeadDepartment> {
    let short = cx.rules.department(&m.lead).map(|d| d.short_zh.as_str())?;
    role(cx, &m.lead, level, place).map(|role| LeadDepartment {
        portfolio_leader: json!({
            "role_zh": format!("分管{short}工作的{}党委政府领导班子成员", place.name),
            "role_en": format!(
                "the member of the {} party and government leadership in charge of {}",
                place.name, role.department.name_en
            ),
            "basis": ["四"],
        }),
        specialised_committees: m.specialised_committees.clone(),
        role,
    })
}

/// Who designates an unknown matter's lead department (七): the committee of
/// a single county or prefecture; the provincial committee as soon as several
/// prefectures are involved (a metro mechanism has no committee of its own).
fn designation(cx: &Context, c: &CoordinatingBody) -> Designation {
    let (by, level) = match c.level {
        "county" | "prefecture" => (c.committee.clone(), c.level),
        _ => (
            actors::body(
                cx.rules,
                "committee",
                Level::Province,
                &places::province(cx.atlas),
            ),
            "province",
        ),
    };
    let text = format!(
        "matter `{}` is not in the catalog: its lead and responsible departments are to be designated by {} (level: {level})",
        cx.requested,
        by.as_ref().map(|b| b.name_zh.as_str()).unwrap_or("the committee of the coordinating level"),
    );
    Designation {
        status: "to_be_designated",
        by,
        level,
        text,
        basis: vec!["七".into()],
    }
}

/// The level and place whose departments act for a coordinator at `level`.
pub(super) fn acting_level(c: &CoordinatingBody) -> Level {
    match c.level {
        "county" => Level::County,
        "prefecture" => Level::Prefecture,
        _ => Level::Province,
    }
}

/// Lead and cooperating departments at the coordinating level. At metro
/// level none: each participant's own departments act (see the participants).
pub(super) fn departments(cx: &Context, c: &CoordinatingBody) -> Departments {
    let Some(m) = cx.matter else {
        return Departments {
            lead: None,
            cooperating: Vec::new(),
            designation: Some(designation(cx, c)),
        };
    };
    if c.level == "metro" {
        return Departments {
            lead: None,
            cooperating: Vec::new(),
            designation: None,
        };
    }
    let level = acting_level(c);
    Departments {
        lead: lead(cx, m, level, &c.place),
        cooperating: m
            .cooperating
            .iter()
            .filter_map(|d| role(cx, d, level, &c.place))
            .collect(),
        designation: None,
    }
}

/// A participant's own lead and cooperating departments (prefecture level).
pub(super) fn own_departments(
    cx: &Context,
    place: &PlaceName,
) -> (Option<DepartmentItem>, Vec<DepartmentItem>) {
    match cx.matter {
        None => (None, Vec::new()),
        Some(m) => (
            department_at(cx, &m.lead, Level::Prefecture, place),
            m.cooperating
                .iter()
                .filter_map(|d| department_at(cx, d, Level::Prefecture, place))
                .collect(),
        ),
    }
}
