//! 跨界问题案件: cross-boundary cases (十三, 十四, 十六). A case stores the
//! request, the analysis answer and the `data_version` it came from; its
//! parties are the analysis's participants; its status moves through
//! `open → coordinating → resolved` (plus `escalated`, 八, and
//! `referred_for_special_inspection`, 十六), each change an event in an
//! append-only log with actor, time and note. Updates are optimistic: the
//! case's version is its ETag, and a change names the version it read.

use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::auth::Caller;
use super::scope::{sql_within, Place, Role, PROVINCE};
use super::store::{Arg, Sql, Store};
use super::{rfc3339, text_field, Page, RegisterError};
use crate::atlas::Atlas;

/// The status of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Recorded, not yet taken up.
    Open,
    /// The coordinating body is working on it (二十).
    Coordinating,
    /// Reported to the party committee and government for lagging partners (八).
    Escalated,
    /// Referred to a provincial special inspection (专项督察, 十六).
    ReferredForSpecialInspection,
    /// Settled.
    Resolved,
}

/// Every status, in the order of the workflow.
pub const STATUSES: [Status; 5] = [
    Status::Open,
    Status::Coordinating,
    Status::Escalated,
    Status::ReferredForSpecialInspection,
    Status::Resolved,
];

impl Status {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Coordinating => "coordinating",
            Status::Escalated => "escalated",
            Status::ReferredForSpecialInspection => "referred_for_special_inspection",
            Status::Resolved => "resolved",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Status> {
        STATUSES.into_iter().find(|st| st.as_str() == s)
    }

    /// The statuses a case may move to from this one: taken up (二十),
    /// escalated while partners lag (八), referred to a special inspection (十六),
    /// resolved once coordinated, and reopened for coordination after that.
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            Open => &[Coordinating, Escalated, ReferredForSpecialInspection],
            Coordinating => &[Escalated, ReferredForSpecialInspection, Resolved],
            Escalated => &[Coordinating, ReferredForSpecialInspection, Resolved],
            ReferredForSpecialInspection => &[Coordinating, Resolved],
            Resolved => &[Coordinating],
        }
    }
}

/// The parties (当事方) of a case: the analysis's participants — each
/// prefecture acting in its own area (十四, issue 11's
/// `coordinating_body.participants`) — or, where the analysis has no
/// participants, the prefecture-level units it touches; plus the province
/// when the provincial committee coordinates (七, 二十).
pub fn parties(analysis: &Value) -> Vec<String> {
    let ids = |v: &Value, key: &str| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| p[key].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out = ids(&analysis["coordinating_body"]["participants"], "adcode");
    if out.is_empty() {
        out = ids(&analysis["jurisdictions"]["prefectures"], "id");
    }
    if analysis["coordinating_body"]["level"] == "province" {
        out.push(PROVINCE.into());
    }
    out.sort();
    out.dedup();
    out
}

/// The departments the analysis names, at their places: the lead and the
/// cooperating departments, and each participant's lead department.
pub fn departments(analysis: &Value) -> Vec<(String, String)> {
    let mut items: Vec<&Value> = vec![&analysis["lead_department"]];
    let list = |v: &'_ Value| v.as_array().cloned().unwrap_or_default();
    let coop = list(&analysis["cooperating_departments"]);
    let parts = list(&analysis["coordinating_body"]["participants"]);
    items.extend(coop.iter());
    let part_depts: Vec<Value> = parts
        .iter()
        .flat_map(|p| {
            let mut v = vec![p["lead_department"].clone()];
            v.extend(list(&p["cooperating_departments"]));
            v
        })
        .collect();
    items.extend(part_depts.iter());
    let mut out: Vec<(String, String)> = items
        .iter()
        .filter_map(|d| {
            let id = d["id"].as_str()?;
            let adcode = d["place"]["adcode"].as_str()?;
            Some((id.to_string(), adcode.to_string()))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A place of a case and its role there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasePlace {
    /// The place.
    pub place: Place,
    /// `party`, `county` (touched) or `coordinator`.
    pub role: &'static str,
}

/// Every place of a case: parties, counties touched and the coordinator.
pub fn places(atlas: &Atlas, analysis: &Value) -> Vec<CasePlace> {
    let mut out = Vec::new();
    let mut add = |adcode: &str, role: &'static str| {
        if let Some(place) = Place::resolve(atlas, adcode) {
            let cp = CasePlace { place, role };
            if !out.contains(&cp) {
                out.push(cp);
            }
        }
    };
    for p in parties(analysis) {
        add(&p, "party");
    }
    for c in analysis["jurisdictions"]["counties"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if let Some(id) = c["id"].as_str() {
            add(id, "county");
        }
    }
    if let Some(a) = analysis["coordinating_body"]["place"]["adcode"].as_str() {
        add(a, "coordinator");
    }
    out
}

/// A new case as posted: the title and description, and the analysis request.
#[derive(Debug, Clone)]
pub struct NewCase {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// The analysis request (matter, footprint or places, ...), as posted.
    pub request: Value,
}

/// Splits a posted case into its own fields and the analysis request.
pub fn split_request(body: Value) -> Result<NewCase, RegisterError> {
    let Value::Object(mut m) = body else {
        return Err(RegisterError::BadInput(
            "the body must be a JSON object".into(),
        ));
    };
    let mut take = |k: &str, max: usize| -> Result<String, RegisterError> {
        let v = m.remove(k).unwrap_or(Value::Null);
        let s = v.as_str().ok_or_else(|| {
            RegisterError::BadInput(format!("`{k}` is required and must be a string"))
        })?;
        text_field(k, s, max)?;
        Ok(s.trim().to_string())
    };
    let title = take("title", 200)?;
    let description = take("description", 10_000)?;
    Ok(NewCase {
        title,
        description,
        request: Value::Object(m),
    })
}

/// The ETag of a case version.
pub fn etag(version: i64) -> String {
    format!("\"v{version}\"")
}

/// Whether an `If-Match` header value admits this version (`*` admits any).
pub fn if_match_admits(header: &str, version: i64) -> bool {
    let want = etag(version);
    header
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || t == want)
}

/// A case as answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    /// Id (`case_...`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// The matter as the analysis understood it.
    pub matter: Value,
    /// Status.
    pub status: Status,
    /// Version (the number of events); the ETag is `"v{version}"`.
    pub version: i64,
    /// Parties (adcode, name).
    pub parties: Vec<Value>,
    /// County-level units touched (adcode, name, prefecture).
    pub counties: Vec<Value>,
    /// The coordinating body as the analysis named it.
    pub coordinating_body: Value,
    /// Eligible for a provincial special inspection (十六), per the analysis.
    pub special_inspection_eligible: bool,
    /// The dataset version the analysis came from.
    pub data_version: String,
    /// Who created it.
    pub created_by: Value,
    /// When.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    /// The request as posted (full view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<Value>,
    /// The analysis answer (full view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analysis: Option<Value>,
    /// Links.
    pub links: Value,
}

fn named(atlas: &Atlas, adcode: &str) -> Value {
    match Place::resolve(atlas, adcode) {
        Some(p) => json!({"adcode": p.adcode, "name": p.name, "prefecture": p.prefecture}),
        None => json!({"adcode": adcode}),
    }
}

fn from_row(atlas: &Atlas, r: &AnyRow, full: bool) -> Result<Case, RegisterError> {
    let analysis: Value = serde_json::from_str(&r.try_get::<String, _>("analysis")?)
        .map_err(|e| RegisterError::Internal(format!("stored analysis: {e}")))?;
    let id: String = r.try_get("id")?;
    let status: String = r.try_get("status")?;
    let counties = analysis["jurisdictions"]["counties"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c["id"].as_str().map(|i| named(atlas, i)))
                .collect()
        })
        .unwrap_or_default();
    let cb = &analysis["coordinating_body"];
    Ok(Case {
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        matter: analysis["matter"].clone(),
        status: Status::parse(&status)
            .ok_or_else(|| RegisterError::Internal(format!("stored status `{status}`")))?,
        version: r.try_get("version")?,
        parties: parties(&analysis).iter().map(|p| named(atlas, p)).collect(),
        counties,
        coordinating_body: json!({"level": cb["level"], "name_zh": cb["name_zh"], "place": cb["place"]}),
        special_inspection_eligible: analysis["special_inspection_eligible"] == true,
        data_version: r.try_get("data_version")?,
        created_by: json!({"token": r.try_get::<String, _>("created_by")?, "name": r.try_get::<String, _>("token_name")?}),
        created_at: rfc3339(r.try_get("created_at")?),
        updated_at: rfc3339(r.try_get("updated_at")?),
        request: if full {
            serde_json::from_str(&r.try_get::<String, _>("request")?).ok()
        } else {
            None
        },
        analysis: full.then_some(analysis),
        links: json!({"self": format!("/v1/cases/{id}"), "events": format!("/v1/cases/{id}/events")}),
        id,
    })
}

/// The caller's scope over cases: an office or reader sees the cases with a
/// place in its jurisdiction or below; a department the cases whose analysis
/// names it at its place.
fn scope(q: &mut Sql, caller: &Caller) -> String {
    match caller.role() {
        Role::Department => {
            let d = q.text_arg(caller.token.department.as_deref().unwrap_or(""));
            let a = q.text_arg(&caller.token.jurisdiction);
            format!(
                "EXISTS (SELECT 1 FROM case_departments d WHERE d.case_id = c.id \
                 AND d.department = {d} AND d.adcode = {a})"
            )
        }
        Role::Office | Role::Reader => {
            let w = sql_within(q, &caller.place, "p.adcode", "p.prefecture");
            format!("EXISTS (SELECT 1 FROM case_places p WHERE p.case_id = c.id AND {w})")
        }
    }
}

const SELECT: &str = "SELECT c.id, c.title, c.description, c.matter, c.status, c.version, \
     c.analysis, c.data_version, c.created_by, c.created_at, c.updated_at, t.name AS token_name";

/// One case, if the caller may see it.
pub async fn get(
    store: &Store,
    atlas: &Atlas,
    caller: &Caller,
    id: &str,
    full: bool,
) -> Result<Option<Case>, RegisterError> {
    fetch(store.reader(), atlas, Some(caller), id, full).await
}

/// One case through `exec` (a pool, or a transaction that sees its own
/// writes), within `caller`'s scope when given.
async fn fetch<'e, E>(
    exec: E,
    atlas: &Atlas,
    caller: Option<&Caller>,
    id: &str,
    full: bool,
) -> Result<Option<Case>, RegisterError>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    let mut q = Sql::new(SELECT);
    q.push(", c.request FROM cases c JOIN tokens t ON t.id = c.created_by");
    let s = match caller {
        Some(c) => scope(&mut q, c),
        None => "1 = 1".into(),
    };
    let p = q.text_arg(id);
    q.push(&format!(" WHERE {s} AND c.id = {p}"));
    let row = q.query().fetch_optional(exec).await?;
    row.map(|r| from_row(atlas, &r, full)).transpose()
}

/// Filters of `GET /v1/cases`.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Any of these statuses.
    pub status: Vec<Status>,
    /// Matter id.
    pub matter: Option<String>,
    /// Cases with a place within this jurisdiction.
    pub jurisdiction: Option<Place>,
    /// Cases with this party.
    pub party: Option<String>,
    /// Created at or after (µs).
    pub since: Option<i64>,
    /// Created before (µs).
    pub until: Option<i64>,
}

fn filter_conditions(q: &mut Sql, f: &CaseFilter) -> Vec<String> {
    let mut conds = Vec::new();
    if !f.status.is_empty() {
        let s: Vec<String> = f.status.iter().map(|s| q.text_arg(s.as_str())).collect();
        conds.push(format!("c.status IN ({})", s.join(", ")));
    }
    if let Some(m) = &f.matter {
        conds.push(format!("c.matter = {}", q.text_arg(m)));
    }
    if let Some(j) = &f.jurisdiction {
        let w = sql_within(q, j, "p.adcode", "p.prefecture");
        conds.push(format!(
            "EXISTS (SELECT 1 FROM case_places p WHERE p.case_id = c.id AND {w})"
        ));
    }
    if let Some(p) = &f.party {
        let a = q.text_arg(p);
        conds.push(format!(
            "EXISTS (SELECT 1 FROM case_places p WHERE p.case_id = c.id AND p.role = 'party' AND p.adcode = {a})"
        ));
    }
    if let Some(s) = f.since {
        conds.push(format!("c.created_at >= {}", q.arg(Arg::Int(s))));
    }
    if let Some(u) = f.until {
        conds.push(format!("c.created_at < {}", q.arg(Arg::Int(u))));
    }
    conds
}

/// The cases the caller may see, newest first, a page at a time (summaries).
pub async fn list(
    store: &Store,
    atlas: &Atlas,
    caller: &Caller,
    filter: &CaseFilter,
    page: &Page,
) -> Result<(Vec<Case>, Option<String>), RegisterError> {
    let mut q = Sql::new(SELECT);
    q.push(" FROM cases c JOIN tokens t ON t.id = c.created_by");
    let mut conds = vec![scope(&mut q, caller)];
    conds.extend(filter_conditions(&mut q, filter));
    if let Some((at, id)) = &page.after {
        let a = q.arg(Arg::Int(*at));
        let i = q.text_arg(id);
        conds.push(format!(
            "(c.created_at < {a} OR (c.created_at = {a} AND c.id < {i}))"
        ));
    }
    q.push(&format!(
        " WHERE {} ORDER BY c.created_at DESC, c.id DESC LIMIT {}",
        conds.join(" AND "),
        page.limit + 1
    ));
    let rows = q.query().fetch_all(store.reader()).await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut keys = Vec::with_capacity(rows.len());
    for r in &rows {
        keys.push((
            r.try_get::<i64, _>("created_at")?,
            r.try_get::<String, _>("id")?,
        ));
        out.push(from_row(atlas, r, false)?);
    }
    Ok(page.split(out, &keys))
}

/// One event of a case's log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// 1, 2, ...: the case's version after this event.
    pub seq: i64,
    /// When.
    pub at: String,
    /// Who (token id and name, role and jurisdiction at the time).
    pub actor: Value,
    /// The status before (`null` for the creation).
    pub from: Option<String>,
    /// The status after.
    pub to: String,
    /// Why.
    pub note: String,
}

/// The log of a case the caller may see (`None` when it may not), in order.
pub async fn events(
    store: &Store,
    atlas: &Atlas,
    caller: &Caller,
    id: &str,
) -> Result<Option<Vec<Event>>, RegisterError> {
    if get(store, atlas, caller, id, false).await?.is_none() {
        return Ok(None);
    }
    let rows = sqlx::query(
        "SELECT seq, at, actor, actor_name, actor_role, actor_jurisdiction, from_status, \
         to_status, note FROM case_events WHERE case_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(store.reader())
    .await?;
    let evs = rows
        .iter()
        .map(|r| {
            Ok(Event {
                seq: r.try_get("seq")?,
                at: rfc3339(r.try_get("at")?),
                actor: json!({
                    "token": r.try_get::<String, _>("actor")?,
                    "name": r.try_get::<String, _>("actor_name")?,
                    "role": r.try_get::<String, _>("actor_role")?,
                    "jurisdiction": r.try_get::<String, _>("actor_jurisdiction")?,
                }),
                from: r.try_get("from_status")?,
                to: r.try_get("to_status")?,
                note: r.try_get("note")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Some(evs))
}

async fn insert_event(
    tx: &mut Transaction<'static, Any>,
    case_id: &str,
    seq: i64,
    at: i64,
    caller: &Caller,
    change: (Option<Status>, Status, &str),
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO case_events (case_id, seq, at, actor, actor_name, actor_role, \
         actor_jurisdiction, from_status, to_status, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(case_id)
    .bind(seq)
    .bind(at)
    .bind(&caller.token.id)
    .bind(&caller.token.name)
    .bind(caller.role().as_str())
    .bind(&caller.token.jurisdiction)
    .bind(change.0.map(|s| s.as_str().to_string()))
    .bind(change.1.as_str())
    .bind(change.2)
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// Only an office creates cases, and only cases with a place in its
/// jurisdiction or below (二十).
pub fn may_create(caller: &Caller, places: &[CasePlace]) -> Result<(), RegisterError> {
    if caller.role() != Role::Office {
        return Err(RegisterError::Forbidden(format!(
            "a {} token cannot create cases",
            caller.role().as_str()
        )));
    }
    let touches = places
        .iter()
        .any(|p| caller.place.contains(&p.place.adcode, &p.place.prefecture));
    touches.then_some(()).ok_or_else(|| {
        RegisterError::Forbidden(format!(
            "the case has no place in this office's jurisdiction ({})",
            caller.place.adcode
        ))
    })
}

/// The idempotency record of a creation: the case it made, and whether the
/// request was the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay {
    /// The key is new.
    New,
    /// The key made this case from the same request.
    Same(String),
    /// The key was used for a different request.
    Different,
}

/// The hash of a request for idempotency checks (canonical JSON: sorted keys).
pub fn request_hash(new: &NewCase) -> String {
    let v = json!({"title": new.title, "description": new.description, "request": new.request});
    hex::encode(Sha256::digest(v.to_string().as_bytes()))
}

/// What an `Idempotency-Key` already did for this token.
pub async fn replay(
    store: &Store,
    caller: &Caller,
    key: &str,
    hash: &str,
) -> Result<Replay, RegisterError> {
    let row = sqlx::query(
        "SELECT request_hash, case_id FROM idempotency_keys WHERE token_id = $1 AND key = $2",
    )
    .bind(&caller.token.id)
    .bind(key)
    .fetch_optional(store.reader())
    .await?;
    Ok(match row {
        None => Replay::New,
        Some(r) if r.try_get::<String, _>("request_hash")? == hash => {
            Replay::Same(r.try_get("case_id")?)
        }
        Some(_) => Replay::Different,
    })
}

/// A case ready to store: the posted case, the analysis answer and its places.
#[derive(Debug, Clone)]
pub struct Analysed {
    /// The posted case.
    pub new: NewCase,
    /// The analysis answer.
    pub analysis: Value,
    /// Its places.
    pub places: Vec<CasePlace>,
}

/// Stores a new case with its places, departments, first event and
/// idempotency key in one transaction; returns it as stored (read inside the
/// transaction, so the answer needs no second connection). `Ok(Err(replay))`
/// when a concurrent request with the same key won the race.
pub async fn create(
    store: &Store,
    atlas: &Atlas,
    caller: &Caller,
    a: &Analysed,
    key: Option<&str>,
) -> Result<Result<Case, Replay>, RegisterError> {
    let id = format!("case_{}", super::token::random_hex(8)?);
    let now = super::now();
    let hash = request_hash(&a.new);
    let mut tx = store.begin_write().await?;
    insert_case(&mut tx, caller, a, &id, now).await?;
    insert_event(
        &mut tx,
        &id,
        1,
        now,
        caller,
        (None, Status::Open, "created"),
    )
    .await?;
    if let Some(k) = key {
        let r = sqlx::query(
            "INSERT INTO idempotency_keys (token_id, key, request_hash, case_id, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&caller.token.id)
        .bind(k)
        .bind(&hash)
        .bind(&id)
        .bind(now)
        .execute(&mut *tx)
        .await;
        if let Err(sqlx::Error::Database(e)) = &r {
            if e.is_unique_violation() {
                drop(tx);
                return Ok(Err(replay(store, caller, k, &hash).await?));
            }
        }
        r?;
    }
    let case = fetch(&mut *tx, atlas, None, &id, true)
        .await?
        .ok_or_else(|| RegisterError::Internal("a new case is not readable".into()))?;
    tx.commit().await?;
    Ok(Ok(case))
}

async fn insert_case(
    tx: &mut Transaction<'static, Any>,
    caller: &Caller,
    a: &Analysed,
    id: &str,
    now: i64,
) -> Result<(), RegisterError> {
    let matter = a.analysis["matter"]["id"]
        .as_str()
        .or(a.analysis["matter"]["requested"].as_str())
        .unwrap_or("")
        .to_string();
    sqlx::query(
        "INSERT INTO cases (id, title, description, matter, status, version, request, analysis, \
         data_version, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9, $10, $10)",
    )
    .bind(id)
    .bind(&a.new.title)
    .bind(&a.new.description)
    .bind(matter)
    .bind(Status::Open.as_str())
    .bind(a.new.request.to_string())
    .bind(a.analysis.to_string())
    .bind(
        a.analysis["data_version"]
            .as_str()
            .unwrap_or("")
            .to_string(),
    )
    .bind(&caller.token.id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    for p in &a.places {
        sqlx::query(
            "INSERT INTO case_places (case_id, adcode, prefecture, role) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(&p.place.adcode)
        .bind(&p.place.prefecture)
        .bind(p.role)
        .execute(&mut **tx)
        .await?;
    }
    for (dept, adcode) in departments(&a.analysis) {
        sqlx::query(
            "INSERT INTO case_departments (case_id, department, adcode) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(dept)
        .bind(adcode)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A requested status change.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// The new status.
    pub status: String,
    /// Why (required).
    pub note: String,
}

/// Whether a transition is allowed for this case: the workflow of
/// [`Status::next`], and a referral to a special inspection only where the
/// analysis found the case eligible (十六: cross-basin or cross-regional).
pub fn check_transition(
    from: Status,
    to: Status,
    eligible_for_inspection: bool,
) -> Result<(), RegisterError> {
    if !from.next().contains(&to) {
        let allowed: Vec<&str> = from.next().iter().map(|s| s.as_str()).collect();
        return Err(RegisterError::conflict(
            format!(
                "a case cannot move from `{}` to `{}`",
                from.as_str(),
                to.as_str()
            ),
            json!({"current_status": from.as_str(), "allowed": allowed}),
        ));
    }
    if to == Status::ReferredForSpecialInspection && !eligible_for_inspection {
        return Err(RegisterError::Unprocessable(
            "the analysis did not find this case eligible for a provincial special inspection (十六: cross-basin or cross-regional problems)".into(),
        ));
    }
    Ok(())
}

/// Applies a status change if the case is still at the version `if_match`
/// names; returns the case after it. 412 when another change came first.
pub async fn change_status(
    store: &Store,
    atlas: &Atlas,
    caller: &Caller,
    id: &str,
    if_match: &str,
    change: &Change,
) -> Result<Case, RegisterError> {
    let to = Status::parse(&change.status).ok_or_else(|| {
        let all: Vec<&str> = STATUSES.iter().map(|s| s.as_str()).collect();
        RegisterError::BadInput(format!("unknown status; one of: {}", all.join(", ")))
    })?;
    text_field("note", &change.note, 2_000)?;
    let mut tx = store.begin_write().await?;
    let row = sqlx::query("SELECT status, version, analysis FROM cases WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| RegisterError::NotFound(format!("no case {id}")))?;
    let version: i64 = row.try_get("version")?;
    if !if_match_admits(if_match, version) {
        return Err(RegisterError::PreconditionFailed {
            current: etag(version),
        });
    }
    let from = Status::parse(&row.try_get::<String, _>("status")?)
        .ok_or_else(|| RegisterError::Internal("unknown stored status".into()))?;
    let analysis: Value =
        serde_json::from_str(&row.try_get::<String, _>("analysis")?).unwrap_or(Value::Null);
    check_transition(from, to, analysis["special_inspection_eligible"] == true)?;
    let now = super::now();
    let updated = sqlx::query(
        "UPDATE cases SET status = $1, version = version + 1, updated_at = $2 \
         WHERE id = $3 AND version = $4",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Err(RegisterError::PreconditionFailed {
            current: etag(version + 1),
        });
    }
    let note = change.note.trim();
    insert_event(
        &mut tx,
        id,
        version + 1,
        now,
        caller,
        (Some(from), to, note),
    )
    .await?;
    let case = fetch(&mut *tx, atlas, None, id, true)
        .await?
        .ok_or_else(|| RegisterError::Internal("a changed case is not readable".into()))?;
    tx.commit().await?;
    Ok(case)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow() {
        use Status::*;
        assert!(check_transition(Open, Coordinating, false).is_ok());
        assert!(check_transition(Coordinating, Resolved, false).is_ok());
        assert!(check_transition(Resolved, Coordinating, false).is_ok());
        assert!(matches!(
            check_transition(Open, Resolved, true),
            Err(RegisterError::Conflict { .. })
        ));
        assert!(matches!(
            check_transition(Open, Open, true),
            Err(RegisterError::Conflict { .. })
        ));
        assert!(matches!(
            check_transition(Coordinating, ReferredForSpecialInspection, false),
            Err(RegisterError::Unprocessable(_))
        ));
        assert!(check_transition(Coordinating, ReferredForSpecialInspection, true).is_ok());
        for s in STATUSES {
            assert_eq!(Status::parse(s.as_str()), Some(s));
            assert!(!s.next().contains(&s), "{s:?} loops");
        }
    }

    #[test]
    fn if_match() {
        assert!(if_match_admits("\"v3\"", 3));
        assert!(if_match_admits("\"v2\", \"v3\"", 3));
        assert!(if_match_admits("*", 9));
        assert!(!if_match_admits("\"v2\"", 3));
        assert!(!if_match_admits("W/\"v3\"", 3));
    }

    #[test]
    fn parties_prefer_participants() {
        let a = json!({
            "jurisdictions": {"prefectures": [{"id": "420700"}, {"id": "421100"}]},
            "coordinating_body": {"level": "metro"}
        });
        assert_eq!(parties(&a), ["420700", "421100"]);
        let b = json!({
            "jurisdictions": {"prefectures": [{"id": "420700"}, {"id": "421100"}, {"id": "420100"}]},
            "coordinating_body": {"level": "metro", "participants": [{"adcode": "421100"}, {"adcode": "420700"}]}
        });
        assert_eq!(parties(&b), ["420700", "421100"]);
        let c = json!({
            "jurisdictions": {"prefectures": [{"id": "420300"}, {"id": "420600"}]},
            "coordinating_body": {"level": "province"}
        });
        assert_eq!(parties(&c), ["420000", "420300", "420600"]);
    }

    #[test]
    fn request_split_and_hash() {
        let n = split_request(
            json!({"title": " T ", "description": "D", "matter": "water", "places": ["420700"]}),
        )
        .unwrap();
        assert_eq!(n.title, "T");
        assert_eq!(n.request, json!({"matter": "water", "places": ["420700"]}));
        let m = split_request(
            json!({"places": ["420700"], "matter": "water", "description": "D", "title": "T"}),
        )
        .unwrap();
        assert_eq!(request_hash(&n), request_hash(&m));
        assert!(split_request(json!({"title": "T"})).is_err());
        assert!(split_request(json!([1])).is_err());
        assert!(split_request(json!({"title": "", "description": "D"})).is_err());
    }
}
