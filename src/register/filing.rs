//! 专题报告备案: records of the annual reports of part 四 — the prefectures'
//! party committees and governments and the thirteen provincial departments
//! (十一), the local departments (十二) — one per obligation, year and body.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::auth::Caller;
use super::scope::{sql_within, Level, Place, Role};
use super::store::{Arg, Sql, Store};
use super::{rfc3339, text_field, Page, RegisterError};
use crate::atlas::Atlas;
use crate::governance::body::DepartmentKind;
use crate::governance::obligations::{ObligationRule, Reporters};
use crate::governance::Rules;

/// A body that reports: a place and a body id (`party_committee`,
/// `government`, or a department id such as `eco_environment`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyKey {
    /// Adcode of the place.
    pub adcode: String,
    /// Body template id or department id.
    pub id: String,
}

/// The request of `POST /v1/filings`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewFiling {
    /// Obligation id (`prefecture_annual_report`, `provincial_department_annual_report`,
    /// `local_department_annual_report`).
    pub obligation: String,
    /// The year reported on (the report of 2026 is due by 31 January 2027).
    pub year: i64,
    /// Who reported.
    pub body: BodyKey,
    /// When it was filed, `YYYY-MM-DD`.
    pub filed_on: String,
    /// The document's reference (文号).
    pub document_ref: String,
    /// Where it was published (依法依规公开), an http(s) URL.
    #[serde(default)]
    pub public_url: Option<String>,
}

/// The body of a filing, named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reporter {
    /// Adcode.
    pub adcode: String,
    /// Body or department id.
    pub id: String,
    /// Chinese name (`鄂州市生态环境部门`).
    pub name_zh: String,
    /// Level.
    pub level: Level,
    /// The prefecture-level unit it lies in (`420000` for provincial bodies).
    pub prefecture: String,
}

/// Which bodies an obligation's reporters are, as a rule on a place and a body id.
/// 十一: each prefecture's party committee and government; the provincial
/// departments that report annually. 十二: the functional departments of
/// every prefecture and county.
pub fn is_reporter(rules: &Rules, rule: &ObligationRule, place: &Place, id: &str) -> bool {
    match rule.reporters {
        Reporters::PrefectureLeadership => {
            place.level == Level::Prefecture && matches!(id, "party_committee" | "government")
        }
        Reporters::ReportingDepartments => {
            place.level == Level::Province
                && rules.department(id).is_some_and(|d| d.reports_annually)
        }
        Reporters::LocalDepartments => {
            place.level != Level::Province
                && rules
                    .department(id)
                    .is_some_and(|d| d.kind == DepartmentKind::Functional)
        }
    }
}

/// Names a reporting body.
pub fn reporter(rules: &Rules, place: &Place, id: &str) -> Reporter {
    let name_zh = match rules.department(id) {
        Some(d) => d.name_at(place.level, &place.name),
        None => rules
            .body(id)
            .map(|b| b.name_zh_for(&place.name))
            .unwrap_or_else(|| format!("{}{id}", place.name)),
    };
    Reporter {
        adcode: place.adcode.clone(),
        id: id.to_string(),
        name_zh,
        level: place.level,
        prefecture: place.prefecture.clone(),
    }
}

/// Who may record a filing for a body: a department only its own report; an
/// office any body of its jurisdiction and below (二十); a reader none.
pub fn may_file(caller: &Caller, body: &Place, id: &str) -> Result<(), RegisterError> {
    match caller.role() {
        Role::Reader => Err(RegisterError::Forbidden(
            "a reader token cannot record filings".into(),
        )),
        Role::Department => {
            let own = caller.token.jurisdiction == body.adcode
                && caller.token.department.as_deref() == Some(id);
            own.then_some(()).ok_or_else(|| {
                RegisterError::Forbidden("a department files only its own reports".into())
            })
        }
        Role::Office => caller.place.covers(body).then_some(()).ok_or_else(|| {
            RegisterError::Forbidden(format!(
                "{} is outside this office's jurisdiction ({})",
                body.adcode, caller.place.adcode
            ))
        }),
    }
}

fn check_url(u: &str) -> Result<(), RegisterError> {
    let ok = (u.starts_with("https://") || u.starts_with("http://"))
        && u.len() <= 2048
        && u.len() > "https://".len()
        && !u.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then_some(()).ok_or_else(|| {
        RegisterError::BadInput("`public_url` must be an http(s) URL of at most 2048 bytes".into())
    })
}

/// A filing checked against the rules and the atlas, ready to store.
#[derive(Debug, Clone)]
pub struct Checked {
    req: NewFiling,
    rule: ObligationRule,
    body: Place,
}

/// Checks a filing request: a known obligation, a year, a body that is one of
/// the obligation's reporters, a real date not before the year reported on.
pub fn check(rules: &Rules, atlas: &Atlas, req: NewFiling) -> Result<Checked, RegisterError> {
    let rule = rules
        .obligations
        .iter()
        .find(|o| o.id == req.obligation)
        .cloned()
        .ok_or_else(|| {
            let ids: Vec<&str> = rules.obligations.iter().map(|o| o.id.as_str()).collect();
            RegisterError::BadInput(format!("unknown obligation; one of: {}", ids.join(", ")))
        })?;
    if !(2000..=9998).contains(&req.year) {
        return Err(RegisterError::BadInput("`year` must be 2000..9998".into()));
    }
    let body = Place::resolve(atlas, &req.body.adcode)
        .ok_or_else(|| RegisterError::BadInput("`body.adcode` is not a place of Hubei".into()))?;
    if !is_reporter(rules, &rule, &body, &req.body.id) {
        return Err(RegisterError::BadInput(format!(
            "`{}` at {} is not a reporter of `{}` ({})",
            req.body.id.chars().take(40).collect::<String>(),
            body.adcode,
            rule.id,
            rule.basis.join(", ")
        )));
    }
    let filed = crate::governance::parse_date(req.filed_on.trim())
        .map_err(|e| RegisterError::BadInput(format!("`filed_on`: {e}")))?;
    if i64::from(filed.year()) < req.year {
        return Err(RegisterError::BadInput(
            "`filed_on` is before the year reported on".into(),
        ));
    }
    let tomorrow = crate::governance::obligations::today_in_china().tomorrow();
    if tomorrow.is_ok_and(|t| filed > t) {
        return Err(RegisterError::BadInput(
            "`filed_on` is in the future".into(),
        ));
    }
    text_field("document_ref", &req.document_ref, 200)?;
    if let Some(u) = &req.public_url {
        check_url(u)?;
    }
    Ok(Checked { req, rule, body })
}

/// A stored filing as answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Filing {
    /// Id (`fil_...`).
    pub id: String,
    /// Obligation id.
    pub obligation: String,
    /// Clauses of the obligation.
    pub basis: Vec<String>,
    /// Year reported on.
    pub year: i64,
    /// Who reported.
    pub body: Reporter,
    /// Date filed.
    pub filed_on: String,
    /// The deadline of the obligation for that year (`null` when the text sets none, 十二).
    pub deadline: Option<String>,
    /// Filed by the deadline (`null` without a deadline).
    pub on_time: Option<bool>,
    /// Document reference.
    pub document_ref: String,
    /// Where it was published.
    pub public_url: Option<String>,
    /// The token that recorded it.
    pub recorded_by: Value,
    /// When it was recorded.
    pub recorded_at: String,
}

/// The deadline of `rule` for the report on `year` (`None`: the text sets no date).
pub fn deadline(rule: Option<&ObligationRule>, year: i64) -> Option<jiff::civil::Date> {
    let rule = rule?;
    let (m, d) = rule.deadline_month.zip(rule.deadline_day)?;
    let y = i16::try_from(year.checked_add(1)?).ok()?;
    jiff::civil::Date::new(y, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()
}

/// A row of `filings` (joined with the recording token) as an answer.
fn from_row(rules: &Rules, atlas: &Atlas, r: &AnyRow) -> Result<Filing, sqlx::Error> {
    let obligation: String = r.try_get("obligation")?;
    let rule = rules.obligations.iter().find(|o| o.id == obligation);
    let adcode: String = r.try_get("body_adcode")?;
    let id: String = r.try_get("body_id")?;
    let body = match Place::resolve(atlas, &adcode) {
        Some(p) => reporter(rules, &p, &id),
        None => Reporter {
            prefecture: r.try_get("body_prefecture")?,
            name_zh: adcode.clone(),
            level: Level::County,
            adcode,
            id,
        },
    };
    let year: i64 = r.try_get("year")?;
    let filed_on: String = r.try_get("filed_on")?;
    let due = deadline(rule, year);
    let filed = crate::governance::parse_date(&filed_on).ok();
    Ok(Filing {
        id: r.try_get("id")?,
        basis: rule.map(|o| o.basis.clone()).unwrap_or_default(),
        obligation,
        year,
        body,
        deadline: due.map(|d| d.to_string()),
        on_time: due.zip(filed).map(|(d, f)| f <= d),
        filed_on,
        document_ref: r.try_get("document_ref")?,
        public_url: r.try_get("public_url")?,
        recorded_by: json!({"token": r.try_get::<String, _>("recorded_by")?, "name": r.try_get::<String, _>("token_name")?}),
        recorded_at: rfc3339(r.try_get("recorded_at")?),
    })
}

const SELECT: &str = "SELECT f.id, f.obligation, f.year, f.body_adcode, f.body_prefecture, \
     f.body_id, f.filed_on, f.document_ref, f.public_url, f.recorded_by, f.recorded_at, \
     t.name AS token_name FROM filings f JOIN tokens t ON t.id = f.recorded_by";

/// Stores a checked filing; 409 when the body has filed for that year already.
pub async fn create(
    store: &Store,
    rules: &Rules,
    atlas: &Atlas,
    caller: &Caller,
    c: Checked,
) -> Result<Filing, RegisterError> {
    may_file(caller, &c.body, &c.req.body.id)?;
    let id = format!("fil_{}", super::token::random_hex(8)?);
    let mut tx = store.begin_write().await?;
    let res = sqlx::query(
        "INSERT INTO filings (id, obligation, year, body_adcode, body_prefecture, body_id, \
         filed_on, document_ref, public_url, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(&c.rule.id)
    .bind(c.req.year)
    .bind(&c.body.adcode)
    .bind(&c.body.prefecture)
    .bind(&c.req.body.id)
    .bind(c.req.filed_on.trim())
    .bind(c.req.document_ref.trim())
    .bind(c.req.public_url.clone())
    .bind(&caller.token.id)
    .bind(super::now())
    .execute(&mut *tx)
    .await;
    match res {
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            drop(tx);
            let existing = existing_id(store, &c).await?;
            return Err(RegisterError::conflict(
                "this body has already filed this report for that year",
                json!({"existing": existing.map(|i| format!("/v1/filings/{i}"))}),
            ));
        }
        r => {
            r?;
        }
    }
    let mut q = Sql::new(SELECT);
    let p = q.text_arg(&id);
    q.push(&format!(" WHERE f.id = {p}"));
    let row = q.query().fetch_one(&mut *tx).await?;
    let filing = from_row(rules, atlas, &row)?;
    tx.commit().await?;
    Ok(filing)
}

async fn existing_id(store: &Store, c: &Checked) -> Result<Option<String>, RegisterError> {
    let r = sqlx::query(
        "SELECT id FROM filings WHERE obligation = $1 AND year = $2 AND body_adcode = $3 AND body_id = $4",
    )
    .bind(&c.rule.id)
    .bind(c.req.year)
    .bind(&c.body.adcode)
    .bind(&c.req.body.id)
    .fetch_optional(store.reader())
    .await?;
    Ok(r.map(|r| r.try_get("id")).transpose()?)
}

/// The caller's scope over filings: an office or reader its jurisdiction and
/// below, a department its own body only.
fn scope(q: &mut Sql, caller: &Caller) -> String {
    match caller.role() {
        Role::Department => {
            let a = q.text_arg(&caller.token.jurisdiction);
            let d = q.text_arg(caller.token.department.as_deref().unwrap_or(""));
            format!("(f.body_adcode = {a} AND f.body_id = {d})")
        }
        Role::Office | Role::Reader => {
            sql_within(q, &caller.place, "f.body_adcode", "f.body_prefecture")
        }
    }
}

/// One filing, if the caller may see it.
pub async fn get(
    store: &Store,
    rules: &Rules,
    atlas: &Atlas,
    caller: &Caller,
    id: &str,
) -> Result<Option<Filing>, RegisterError> {
    let mut q = Sql::new(SELECT);
    let s = scope(&mut q, caller);
    let p = q.text_arg(id);
    q.push(&format!(" WHERE {s} AND f.id = {p}"));
    let row = q.query().fetch_optional(store.reader()).await?;
    Ok(row.map(|r| from_row(rules, atlas, &r)).transpose()?)
}

/// Filters of `GET /v1/filings`.
#[derive(Debug, Clone, Default)]
pub struct FilingFilter {
    /// Year reported on.
    pub year: Option<i64>,
    /// Bodies within this jurisdiction.
    pub jurisdiction: Option<Place>,
    /// One obligation.
    pub obligation: Option<String>,
}

/// The filings the caller may see, newest first, a page at a time.
pub async fn list(
    store: &Store,
    rules: &Rules,
    atlas: &Atlas,
    caller: &Caller,
    filter: &FilingFilter,
    page: &Page,
) -> Result<(Vec<Filing>, Option<String>), RegisterError> {
    let mut q = Sql::new(SELECT);
    let mut conds = vec![scope(&mut q, caller)];
    if let Some(y) = filter.year {
        conds.push(format!("f.year = {}", q.arg(Arg::Int(y))));
    }
    if let Some(j) = &filter.jurisdiction {
        conds.push(sql_within(&mut q, j, "f.body_adcode", "f.body_prefecture"));
    }
    if let Some(o) = &filter.obligation {
        conds.push(format!("f.obligation = {}", q.text_arg(o)));
    }
    if let Some((at, id)) = &page.after {
        let a = q.arg(Arg::Int(*at));
        let i = q.text_arg(id);
        conds.push(format!(
            "(f.recorded_at < {a} OR (f.recorded_at = {a} AND f.id < {i}))"
        ));
    }
    q.push(&format!(
        " WHERE {} ORDER BY f.recorded_at DESC, f.id DESC LIMIT {}",
        conds.join(" AND "),
        page.limit + 1
    ));
    let rows = q.query().fetch_all(store.reader()).await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut keys = Vec::with_capacity(rows.len());
    for r in &rows {
        keys.push((
            r.try_get::<i64, _>("recorded_at")?,
            r.try_get::<String, _>("id")?,
        ));
        out.push(from_row(rules, atlas, r)?);
    }
    Ok(page.split(out, &keys))
}

/// A filing fact for the obligations answer: who filed which report for which year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    /// Obligation id.
    pub obligation: String,
    /// Year reported on.
    pub year: i64,
    /// Body adcode.
    pub adcode: String,
    /// Body id.
    pub body: String,
    /// Date filed.
    pub filed_on: String,
    /// Filing id.
    pub id: String,
}

/// Every filing for `years` that the caller may see (all of them when
/// `caller` is `None`, for a register that discloses filings publicly).
pub async fn facts(
    store: &Store,
    caller: Option<&Caller>,
    years: &[i64],
) -> Result<Vec<Filed>, RegisterError> {
    let mut q = Sql::new(
        "SELECT f.id, f.obligation, f.year, f.body_adcode, f.body_id, f.filed_on FROM filings f",
    );
    let mut conds = vec![match caller {
        Some(c) => scope(&mut q, c),
        None => "1 = 1".into(),
    }];
    let ys: Vec<String> = years.iter().map(|y| q.arg(Arg::Int(*y))).collect();
    if !ys.is_empty() {
        conds.push(format!("f.year IN ({})", ys.join(", ")));
    }
    q.push(&format!(" WHERE {}", conds.join(" AND ")));
    let rows = q.query().fetch_all(store.reader()).await?;
    rows.iter()
        .map(|r| {
            Ok(Filed {
                obligation: r.try_get("obligation")?,
                year: r.try_get("year")?,
                adcode: r.try_get("body_adcode")?,
                body: r.try_get("body_id")?,
                filed_on: r.try_get("filed_on")?,
                id: r.try_get("id")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reporters_follow_clauses_eleven_and_twelve() {
        let rules = Rules::embedded().unwrap();
        let atlas = Atlas::embedded().unwrap();
        let rule = |id: &str| {
            rules
                .obligations
                .iter()
                .find(|o| o.id == id)
                .unwrap()
                .clone()
        };
        let pref = Place::resolve(&atlas, "420700").unwrap();
        let county = Place::resolve(&atlas, "420111").unwrap();
        let prov = Place::resolve(&atlas, "420000").unwrap();
        let lead = rule("prefecture_annual_report");
        assert!(is_reporter(&rules, &lead, &pref, "government"));
        assert!(is_reporter(&rules, &lead, &pref, "party_committee"));
        assert!(!is_reporter(&rules, &lead, &county, "government"));
        assert!(!is_reporter(&rules, &lead, &pref, "eco_environment"));
        let dept = rule("provincial_department_annual_report");
        assert!(is_reporter(&rules, &dept, &prov, "eco_environment"));
        assert!(!is_reporter(&rules, &dept, &prov, "public_security"));
        assert!(!is_reporter(&rules, &dept, &pref, "eco_environment"));
        let local = rule("local_department_annual_report");
        assert!(is_reporter(&rules, &local, &county, "water_resources"));
        assert!(is_reporter(&rules, &local, &pref, "eco_environment"));
        assert!(!is_reporter(&rules, &local, &prov, "eco_environment"));
        assert!(!is_reporter(&rules, &local, &county, "court"));
        assert_eq!(
            reporter(&rules, &pref, "eco_environment").name_zh,
            "鄂州市生态环境部门"
        );
    }

    #[test]
    fn deadlines_of_the_year_after() {
        let rules = Rules::embedded().unwrap();
        let r = rules
            .obligations
            .iter()
            .find(|o| o.id == "prefecture_annual_report");
        assert_eq!(deadline(r, 2026).unwrap().to_string(), "2027-01-31");
        let r = rules
            .obligations
            .iter()
            .find(|o| o.id == "local_department_annual_report");
        assert_eq!(deadline(r, 2026), None);
    }
}
