//! 报告是否已备案: what the register adds to `/v1/obligations` — for every
//! reporting body of the answer that the caller may see, whether its report
//! for the period in question was filed (十一, 十二), from the filing records.
//!
//! Per body (`filing` on a report line; `filings`, one per department, on a
//! collective line of 十二): `filed` when a filing dated on or before the date
//! asked about exists for the period; otherwise `due` while the deadline is
//! ahead (or today), `overdue` once it has passed, and `not_fixed` when the
//! text sets no date (十二). A body outside the caller's jurisdiction, or any
//! body for a caller without a token (unless the server discloses filings),
//! keeps `filed: "unknown"`: the register is not asked about it.
//!
//! An obligation's own `schedule` then says `filed` when every body it lists
//! filed, `overdue` past the deadline when one did not — but only when the
//! caller may see every one of them; otherwise it keeps the text-only answer
//! (`filed: "unknown"`, `deadline_passed`).
//!
//! The period is the one the answer's schedule speaks of: the previous year's
//! report (the report of 2026 is due by 31 January 2027, 十一).

use std::collections::HashMap;

use jiff::civil::Date;
use serde_json::{json, Map, Value};

use super::auth::Caller;
use super::filing::{self, Filed};
use super::scope::{Place, Role};
use super::{Register, RegisterError};
use crate::atlas::Atlas;
use crate::governance::obligations::{schedule_with, ObligationRule};
use crate::governance::Rules;

/// Who the filing records are shown to in one `/v1/obligations` answer.
#[derive(Debug, Clone, Copy)]
pub enum Viewer<'a> {
    /// A signed-in caller: its jurisdiction (office, reader) or its own body (department).
    Caller(&'a Caller),
    /// Anyone: the server discloses filings publicly (`--public-filings`).
    Public,
}

impl Viewer<'_> {
    /// Whether the filing of body `id` at `place` is visible (二十: an office
    /// supervises its jurisdiction and below; a department sees its own).
    fn sees(&self, place: &Place, id: &str) -> bool {
        match self {
            Viewer::Public => true,
            Viewer::Caller(c) => match c.role() {
                Role::Department => {
                    c.token.jurisdiction == place.adcode
                        && c.token.department.as_deref() == Some(id)
                }
                Role::Office | Role::Reader => c.place.covers(place),
            },
        }
    }
}

/// The status of one body's report for `period`, seen on `date`, given its
/// filing (if any) and the deadline of that period (`None`: the text sets no date).
fn body_status(date: Date, deadline: Option<Date>, filing: Option<&Filed>) -> Value {
    let filed =
        filing.filter(|f| crate::governance::parse_date(&f.filed_on).is_ok_and(|on| on <= date));
    let status = match (filed, deadline) {
        (Some(_), _) => "filed",
        (None, None) => "not_fixed",
        (None, Some(d)) if date <= d => "due",
        (None, Some(_)) => "overdue",
    };
    let mut v = json!({
        "status": status,
        "filed": if filed.is_some() { "yes" } else { "no" },
        "deadline": deadline.map(|d| d.to_string()),
    });
    if let Some(f) = filed {
        v["filing_id"] = json!(f.id);
        v["filed_on"] = json!(f.filed_on);
        v["on_time"] = json!(deadline.and_then(|d| {
            crate::governance::parse_date(&f.filed_on)
                .ok()
                .map(|on| on <= d)
        }));
    }
    v
}

/// What one body's line says: its status when visible, `unknown` otherwise.
struct Lookup<'a> {
    rules: &'a Rules,
    viewer: Viewer<'a>,
    date: Date,
    period: i64,
    facts: HashMap<(&'a str, &'a str, &'a str), &'a Filed>,
}

impl Lookup<'_> {
    fn status(&self, rule: &ObligationRule, place: &Place, id: &str) -> Value {
        let mut v = if self.viewer.sees(place, id) {
            let deadline = filing::deadline(Some(rule), self.period);
            let f = self
                .facts
                .get(&(rule.id.as_str(), place.adcode.as_str(), id))
                .copied();
            body_status(self.date, deadline, f)
        } else {
            json!({ "filed": "unknown" })
        };
        v["body"] = json!({ "adcode": place.adcode, "id": id });
        v
    }

    /// The body ids of `rule` at `place` whose name is `name_zh`.
    fn body_named(&self, rule: &ObligationRule, place: &Place, name_zh: &str) -> Option<String> {
        let ids = self.rules.bodies.iter().map(|b| b.id.as_str());
        let ids = ids.chain(self.rules.departments.iter().map(|d| d.id.as_str()));
        ids.filter(|id| filing::is_reporter(self.rules, rule, place, id))
            .find(|id| filing::reporter(self.rules, place, id).name_zh == name_zh)
            .map(str::to_string)
    }

    /// Annotates one report line: `filing` for a single reporter, `filings`
    /// for the departments of a collective one (十二).
    fn line(
        &self,
        atlas: &Atlas,
        rule: &ObligationRule,
        line: &mut Map<String, Value>,
    ) -> Vec<Value> {
        let reporter = line.get("reporter");
        // Provincial bodies are named without an adcode.
        let adcode = reporter.and_then(|r| match (r["adcode"].as_str(), r["level"].as_str()) {
            (Some(a), _) => Some(a),
            (None, Some("province")) => Some(super::scope::PROVINCE),
            _ => None,
        });
        let Some(place) = adcode.and_then(|a| Place::resolve(atlas, a)) else {
            return vec![json!({ "filed": "unknown" })];
        };
        let names: Vec<String> = line
            .get("departments")
            .and_then(Value::as_array)
            .map(|ds| {
                ds.iter()
                    .filter_map(|d| d.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        if names.is_empty() {
            let name = reporter.and_then(|r| r["name_zh"].as_str()).unwrap_or("");
            let Some(id) = self.body_named(rule, &place, name) else {
                return vec![json!({ "filed": "unknown" })];
            };
            let v = self.status(rule, &place, &id);
            line.insert("filing".into(), v.clone());
            return vec![v];
        }
        let per: Vec<Value> = names
            .iter()
            .filter_map(|n| self.body_named(rule, &place, n))
            .map(|id| self.status(rule, &place, &id))
            .collect();
        line.insert("filings".into(), Value::Array(per.clone()));
        if per.len() < names.len() {
            return vec![json!({ "filed": "unknown" })];
        }
        per
    }
}

/// The answer's note when the register was consulted.
const NOTE: &str = "Deadlines follow the text. Filing records come from this service's register: each report line says whether its body filed (`filing`, or `filings` per department); an obligation's schedule says `filed`/`overdue` only when the caller may see every body it lists, and keeps `filed: unknown` (`deadline_passed` once the deadline is over) otherwise.";

/// Whether every body filed (`Some(true)`), some visible body did not
/// (`Some(false)`, when all are visible), or the register cannot say because
/// a body lies outside the caller's view (`None`). No bodies: `None`.
fn all_filed(bodies: &[Value]) -> Option<bool> {
    if bodies.is_empty() || bodies.iter().any(|b| b["filed"] == "unknown") {
        return None;
    }
    Some(bodies.iter().all(|b| b["filed"] == "yes"))
}

/// The period an answer on `date` speaks of: the previous year's report.
fn period_of(date: Date) -> i64 {
    i64::from(date.year()) - 1
}

/// Adds the filing records the viewer may see to an obligations answer
/// (serialized), for the previous year's reports as of `date`.
pub async fn annotate(
    register: &Register,
    rules: &Rules,
    atlas: &Atlas,
    viewer: Viewer<'_>,
    date: Date,
    answer: &mut Value,
) -> Result<(), RegisterError> {
    let period = period_of(date);
    let caller = match viewer {
        Viewer::Caller(c) => Some(c),
        Viewer::Public => None,
    };
    let facts = filing::facts(register.store(), caller, &[period]).await?;
    let look = Lookup {
        rules,
        viewer,
        date,
        period,
        facts: facts
            .iter()
            .map(|f| {
                (
                    (f.obligation.as_str(), f.adcode.as_str(), f.body.as_str()),
                    f,
                )
            })
            .collect(),
    };
    let obligations = answer.get_mut("obligations").and_then(Value::as_array_mut);
    for o in obligations.into_iter().flatten() {
        let id = o["id"].as_str().unwrap_or("");
        let Some(rule) = rules.obligations.iter().find(|r| r.id == id) else {
            continue;
        };
        let lines = o.get_mut("reports").and_then(Value::as_array_mut);
        let mut bodies = Vec::new();
        for line in lines.into_iter().flatten().filter_map(Value::as_object_mut) {
            bodies.extend(look.line(atlas, rule, line));
        }
        if let Some(filed) = all_filed(&bodies) {
            let deadline = rule.deadline_month.zip(rule.deadline_day);
            o["schedule"] = json!(schedule_with(date, deadline, Some(filed)));
        }
    }
    if let Some(a) = answer.as_object_mut() {
        a.insert("note".into(), json!(NOTE));
        a.insert(
            "filings".into(),
            json!({ "source": "register", "period": period }),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(on: &str) -> Filed {
        Filed {
            obligation: "prefecture_annual_report".into(),
            year: 2026,
            adcode: "420700".into(),
            body: "government".into(),
            filed_on: on.into(),
            id: "fil_1".into(),
        }
    }

    fn d(s: &str) -> Date {
        crate::governance::parse_date(s).unwrap()
    }

    #[test]
    fn filed_due_overdue_and_not_fixed() {
        let deadline = Some(d("2027-01-31"));
        let s = |date: &str, f: Option<&Filed>| body_status(d(date), deadline, f)["status"].clone();
        assert_eq!(s("2027-01-31", None), "due");
        assert_eq!(s("2027-02-01", None), "overdue");
        assert_eq!(s("2027-02-01", Some(&fact("2027-01-20"))), "filed");
        // A filing made after the date asked about does not count on that date.
        assert_eq!(s("2027-01-10", Some(&fact("2027-01-20"))), "due");
        assert_eq!(s("2027-03-01", Some(&fact("2027-02-20"))), "filed");
        let late = body_status(d("2027-03-01"), deadline, Some(&fact("2027-02-20")));
        assert_eq!(late["on_time"], false);
        assert_eq!(
            body_status(d("2027-03-01"), None, None)["status"],
            "not_fixed"
        );
    }

    #[test]
    fn the_period_is_the_previous_year() {
        assert_eq!(period_of(d("2027-02-05")), 2026);
    }
}
