//! HTTP routes of the register (every one behind a bearer token):
//! `GET /v1/register/me`, `POST`/`GET /v1/filings`, `GET /v1/filings/{id}`,
//! `POST`/`GET /v1/cases`, `GET`/`PATCH /v1/cases/{id}` and
//! `GET /v1/cases/{id}/events`. Without a register (no `--state` or
//! `--database`) they answer 501.
//!
//! Status codes: 401 without a valid token; 403 when the role may not do
//! this, or a filter names a jurisdiction outside the caller's; 404 for a
//! record that does not exist *or* that the caller may not see (the two are
//! not told apart); 409 for a duplicate filing or a status change the
//! workflow does not allow; 412 for a stale `If-Match`; 428 without one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{json, Value};

use super::auth::Caller;
use super::case::{self, Replay};
use super::filing::{self, FilingFilter};
use super::scope::{Place, Role};
use super::{Page, RegisterError};
use crate::atlas::Atlas;
use crate::governance::analyze::AnalyzeRequest;
use crate::governance::Governance;
use crate::server::AppState;

/// Every route of the register (method, path), for the OpenAPI check.
pub const ROUTES: [(&str, &str); 9] = [
    ("get", "/v1/register/me"),
    ("post", "/v1/filings"),
    ("get", "/v1/filings"),
    ("get", "/v1/filings/{id}"),
    ("post", "/v1/cases"),
    ("get", "/v1/cases"),
    ("get", "/v1/cases/{id}"),
    ("patch", "/v1/cases/{id}"),
    ("get", "/v1/cases/{id}/events"),
];

/// The engine built for one atlas snapshot.
type Cached = Option<(Weak<Atlas>, Governance)>;

/// The governance engine for the served atlas, rebuilt when a reload swaps
/// the atlas (the same rule as the governance routes).
#[derive(Clone, Default)]
struct Engine {
    cache: Arc<Mutex<Cached>>,
}

impl Engine {
    fn get(&self, app: &AppState) -> Result<(Governance, Arc<Atlas>), RegisterError> {
        let atlas = app.atlas();
        let mut guard = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((w, g)) = guard.as_ref() {
            if Weak::ptr_eq(w, &Arc::downgrade(&atlas)) {
                return Ok((g.clone(), atlas));
            }
        }
        let g = Governance::for_source(app.source())
            .map_err(|e| {
                RegisterError::Problem(Box::new(crate::server::problem::Problem::unavailable(
                    format!("the governance rules could not be loaded: {e}"),
                )))
            })?
            .with_water(Arc::new(crate::hydro::water::RiverWater));
        *guard = Some((Arc::downgrade(&atlas), g.clone()));
        Ok((g, atlas))
    }
}

/// The routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/register/me", get(me))
        .route("/v1/filings", get(list_filings).post(post_filing))
        .route("/v1/filings/{id}", get(get_filing))
        .route("/v1/cases", get(list_cases).post(post_case))
        .route("/v1/cases/{id}", get(get_case).patch(patch_case))
        .route("/v1/cases/{id}/events", get(case_events))
        .layer(Extension(Engine::default()))
        .layer(axum::middleware::map_response(private))
}

/// The answer of `/v1/obligations`, with the filing records the caller may
/// see when the server has a register (a signed-in caller; anyone with
/// `--public-filings`). Answers that depend on a token are private.
pub async fn with_filings<T: serde::Serialize>(
    app: &AppState,
    caller: super::auth::MaybeCaller,
    rules: &crate::governance::Rules,
    atlas: &Atlas,
    date: jiff::civil::Date,
    answer: T,
) -> Result<Response, RegisterError> {
    use super::obligations::{annotate, Viewer};
    let mut v = serde_json::to_value(answer).map_err(|e| RegisterError::Internal(e.to_string()))?;
    let Some(reg) = app.register() else {
        return Ok(Json(v).into_response());
    };
    let viewer = match &caller.0 {
        Some(c) => Viewer::Caller(c),
        None if reg.discloses_filings() => Viewer::Public,
        None => return Ok(vary_by_token(Json(v).into_response())),
    };
    annotate(reg, rules, atlas, viewer, date, &mut v).await?;
    let res = Json(v).into_response();
    Ok(match caller.0 {
        Some(_) => private(res).await,
        None => vary_by_token(res),
    })
}

/// A public answer that a token would change: shared caches keep one per token.
fn vary_by_token(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("authorization"));
    res
}

/// Register answers are private: never stored by caches, varying by token.
async fn private(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::VARY, HeaderValue::from_static("authorization"));
    res
}

/// Refuses query parameters the route does not know (a typo must not widen a query).
fn known_params(q: &HashMap<String, String>, known: &[&str]) -> Result<(), RegisterError> {
    match q.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(RegisterError::BadInput(format!(
            "unknown query parameter `{}`; known: {}",
            k.chars().take(40).collect::<String>(),
            known.join(", ")
        ))),
        None => Ok(()),
    }
}

/// A JSON request body (`Content-Type: application/json`, 415 otherwise).
fn json_body(headers: &HeaderMap, body: &Bytes) -> Result<Value, RegisterError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = ct.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("application/json") {
        return Err(RegisterError::UnsupportedMediaType(
            "the body must be application/json".into(),
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| RegisterError::BadInput(format!("the body is not valid JSON: {e}")))
}

/// A jurisdiction filter: a known place that overlaps the caller's (403 when
/// the two are disjoint: the caller asked for another jurisdiction's records).
fn jurisdiction_filter(
    atlas: &Atlas,
    caller: &Caller,
    adcode: Option<&String>,
) -> Result<Option<Place>, RegisterError> {
    let Some(a) = adcode else { return Ok(None) };
    let p = Place::resolve(atlas, a).ok_or_else(|| {
        RegisterError::BadInput("`jurisdiction` is not an adcode of Hubei".into())
    })?;
    if !(caller.place.covers(&p) || p.covers(&caller.place)) {
        return Err(RegisterError::Forbidden(format!(
            "{} is outside this token's jurisdiction ({})",
            p.adcode, caller.place.adcode
        )));
    }
    Ok(Some(p))
}

async fn me(caller: Caller) -> Json<Value> {
    Json(json!({
        "token": caller.token,
        "jurisdiction": caller.place,
    }))
}

async fn post_filing(
    State(app): State<AppState>,
    Extension(engine): Extension<Engine>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, RegisterError> {
    if caller.role() == Role::Reader {
        return Err(RegisterError::Forbidden(
            "a reader token cannot record filings".into(),
        ));
    }
    let v = json_body(&headers, &body)?;
    let req: filing::NewFiling = serde_json::from_value(v)
        .map_err(|e| RegisterError::BadInput(format!("invalid filing: {e}")))?;
    let (g, atlas) = engine.get(&app)?;
    let checked = filing::check(g.rules(), &atlas, req)?;
    let store = caller.register.store();
    let f = filing::create(store, g.rules(), &atlas, &caller, checked).await?;
    let loc = format!("/v1/filings/{}", f.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, loc)], Json(f)).into_response())
}

async fn list_filings(
    State(app): State<AppState>,
    Extension(engine): Extension<Engine>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, RegisterError> {
    known_params(
        &q,
        &["year", "jurisdiction", "obligation", "limit", "cursor"],
    )?;
    let (g, atlas) = engine.get(&app)?;
    let year = match q.get("year") {
        None => None,
        Some(y) => Some(
            y.trim()
                .parse::<i64>()
                .ok()
                .filter(|y| (2000..=9998).contains(y))
                .ok_or_else(|| RegisterError::BadInput("`year` must be 2000..9998".into()))?,
        ),
    };
    let filter = FilingFilter {
        year,
        jurisdiction: jurisdiction_filter(&atlas, &caller, q.get("jurisdiction"))?,
        obligation: q.get("obligation").cloned(),
    };
    let page = Page::parse(
        q.get("limit").map(String::as_str),
        q.get("cursor").map(String::as_str),
    )?;
    let store = caller.register.store();
    let (items, next) = filing::list(store, g.rules(), &atlas, &caller, &filter, &page).await?;
    Ok(Json(
        json!({"filings": items, "limit": page.limit, "next_cursor": next}),
    ))
}

/// Ids are `prefix` + 16 hex digits; anything else is not found.
fn well_formed_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

async fn get_filing(
    State(app): State<AppState>,
    Extension(engine): Extension<Engine>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<filing::Filing>, RegisterError> {
    let missing = || {
        RegisterError::NotFound(format!(
            "no filing {}",
            id.chars().take(40).collect::<String>()
        ))
    };
    if !well_formed_id(&id, "fil_") {
        return Err(missing());
    }
    let (g, atlas) = engine.get(&app)?;
    filing::get(caller.register.store(), g.rules(), &atlas, &caller, &id)
        .await?
        .map(Json)
        .ok_or_else(missing)
}

fn case_response(status: StatusCode, c: &case::Case) -> Response {
    let mut res = (status, Json(c)).into_response();
    if let Ok(v) = HeaderValue::from_str(&case::etag(c.version)) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// `Idempotency-Key`: 1 to 255 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, RegisterError> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let k = v.to_str().unwrap_or("").trim();
    let ok = !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic());
    if !ok {
        return Err(RegisterError::BadInput(
            "`Idempotency-Key` must be 1-255 visible ASCII characters".into(),
        ));
    }
    Ok(Some(k.to_string()))
}

/// How long the analysis of a new case may run.
const ANALYSIS_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs the analysis of a case's request with the same deadline and
/// cancellation as `POST /v1/issues/analyze`.
async fn analyse(
    g: Governance,
    atlas: Arc<Atlas>,
    req: AnalyzeRequest,
) -> Result<Value, RegisterError> {
    let budget = crate::budget::Budget::with_timeout(ANALYSIS_DEADLINE);
    let guard = budget.cancel_on_drop();
    let answer = tokio::task::spawn_blocking(move || g.analyze_within(&atlas, &req, &budget))
        .await
        .map_err(|_| RegisterError::Internal("the analysis task failed".into()))?;
    guard.disarm();
    let a = answer.map_err(|e| {
        RegisterError::Problem(Box::new(crate::governance::http::refused_analysis(
            e,
            |why| crate::server::problem::Problem::exhausted(why, ANALYSIS_DEADLINE),
        )))
    })?;
    serde_json::to_value(a).map_err(|e| RegisterError::Internal(e.to_string()))
}

async fn replayed(app: &AppState, caller: &Caller, id: &str) -> Result<Response, RegisterError> {
    let c = case::get(caller.register.store(), &app.atlas(), caller, id, true)
        .await?
        .ok_or_else(|| RegisterError::Internal("an idempotent replay lost its case".into()))?;
    let mut res = case_response(StatusCode::CREATED, &c);
    res.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    if let Ok(v) = HeaderValue::from_str(c.links["self"].as_str().unwrap_or_default()) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

fn key_reused() -> RegisterError {
    RegisterError::Unprocessable(
        "this Idempotency-Key was already used with a different request".into(),
    )
}

async fn post_case(
    State(app): State<AppState>,
    Extension(engine): Extension<Engine>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, RegisterError> {
    if caller.role() != Role::Office {
        let msg = format!("a {} token cannot create cases", caller.role().as_str());
        return Err(RegisterError::Forbidden(msg));
    }
    let new = case::split_request(json_body(&headers, &body)?)?;
    let req: AnalyzeRequest = serde_json::from_value(new.request.clone())
        .map_err(|err| RegisterError::BadInput(format!("invalid case: {err}")))?;
    let key = idempotency_key(&headers)?;
    let store = caller.register.store().clone();
    if let Some(k) = &key {
        match case::replay(&store, &caller, k, &case::request_hash(&new)).await? {
            Replay::New => {}
            Replay::Same(id) => return replayed(&app, &caller, &id).await,
            Replay::Different => return Err(key_reused()),
        }
    }
    let (g, atlas) = engine.get(&app)?;
    let analysis = analyse(g, atlas.clone(), req).await?;
    let places = case::places(&atlas, &analysis);
    case::may_create(&caller, &places)?;
    let a = case::Analysed {
        new,
        analysis,
        places,
    };
    let c = match case::create(&store, &atlas, &caller, &a, key.as_deref()).await? {
        Ok(c) => c,
        Err(Replay::Same(id)) => return replayed(&app, &caller, &id).await,
        Err(_) => return Err(key_reused()),
    };
    let mut res = case_response(StatusCode::CREATED, &c);
    if let Ok(v) = HeaderValue::from_str(&format!("/v1/cases/{}", c.id)) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

fn parse_statuses(s: &str) -> Result<Vec<case::Status>, RegisterError> {
    s.split(',')
        .map(|x| {
            case::Status::parse(x.trim()).ok_or_else(|| {
                RegisterError::BadInput(format!(
                    "unknown status `{}`",
                    x.chars().take(40).collect::<String>()
                ))
            })
        })
        .collect()
}

/// A date (YYYY-MM-DD, China Standard Time) as µs since the epoch at its
/// start, or at the start of the next day (`end`).
fn day_start(s: &str, name: &str, end: bool) -> Result<i64, RegisterError> {
    let bad = |e: String| RegisterError::BadInput(format!("`{name}`: {e}"));
    let mut d = crate::governance::parse_date(s.trim()).map_err(|e| bad(e.to_string()))?;
    if end {
        d = d.tomorrow().map_err(|e| bad(e.to_string()))?;
    }
    jiff::tz::offset(8)
        .to_timestamp(d.at(0, 0, 0, 0))
        .map(|t| t.as_microsecond())
        .map_err(|e| bad(e.to_string()))
}

fn case_filter(
    atlas: &Atlas,
    caller: &Caller,
    q: &HashMap<String, String>,
) -> Result<case::CaseFilter, RegisterError> {
    let party = match q.get("party") {
        None => None,
        Some(p) => Some(
            Place::resolve(atlas, p)
                .ok_or_else(|| RegisterError::BadInput("`party` is not an adcode of Hubei".into()))?
                .adcode,
        ),
    };
    Ok(case::CaseFilter {
        status: match q.get("status") {
            Some(s) => parse_statuses(s)?,
            None => Vec::new(),
        },
        matter: q.get("matter").map(|m| m.trim().to_string()),
        jurisdiction: jurisdiction_filter(atlas, caller, q.get("jurisdiction"))?,
        party,
        since: q
            .get("since")
            .map(|s| day_start(s, "since", false))
            .transpose()?,
        until: q
            .get("until")
            .map(|s| day_start(s, "until", true))
            .transpose()?,
    })
}

async fn list_cases(
    State(app): State<AppState>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, RegisterError> {
    known_params(
        &q,
        &[
            "status",
            "matter",
            "jurisdiction",
            "party",
            "since",
            "until",
            "limit",
            "cursor",
        ],
    )?;
    let atlas = app.atlas();
    let filter = case_filter(&atlas, &caller, &q)?;
    let page = Page::parse(
        q.get("limit").map(String::as_str),
        q.get("cursor").map(String::as_str),
    )?;
    let (items, next) =
        case::list(caller.register.store(), &atlas, &caller, &filter, &page).await?;
    Ok(Json(
        json!({"cases": items, "limit": page.limit, "next_cursor": next}),
    ))
}

fn no_case(id: &str) -> RegisterError {
    RegisterError::NotFound(format!(
        "no case {}",
        id.chars().take(40).collect::<String>()
    ))
}

async fn get_case(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, RegisterError> {
    if !well_formed_id(&id, "case_") {
        return Err(no_case(&id));
    }
    let c = case::get(caller.register.store(), &app.atlas(), &caller, &id, true)
        .await?
        .ok_or_else(|| no_case(&id))?;
    let tag = case::etag(c.version);
    if crate::server::headers::etag_matches(&headers, &tag) {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        if let Ok(v) = HeaderValue::from_str(&tag) {
            res.headers_mut().insert(header::ETAG, v);
        }
        return Ok(res);
    }
    Ok(case_response(StatusCode::OK, &c))
}

async fn patch_case(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, RegisterError> {
    if !well_formed_id(&id, "case_") {
        return Err(no_case(&id));
    }
    let store = caller.register.store().clone();
    let atlas = app.atlas();
    if case::get(&store, &atlas, &caller, &id, false)
        .await?
        .is_none()
    {
        return Err(no_case(&id));
    }
    if caller.role() != Role::Office {
        let msg = format!("a {} token cannot change a case", caller.role().as_str());
        return Err(RegisterError::Forbidden(msg));
    }
    let Some(if_match) = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) else {
        return Err(RegisterError::PreconditionRequired(
            "a change needs `If-Match` with the case's ETag (read it with GET first)".into(),
        ));
    };
    let change: case::Change = serde_json::from_value(json_body(&headers, &body)?)
        .map_err(|err| RegisterError::BadInput(format!("invalid change: {err}")))?;
    let c = case::change_status(&store, &atlas, &caller, &id, if_match, &change).await?;
    Ok(case_response(StatusCode::OK, &c))
}

async fn case_events(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, RegisterError> {
    if !well_formed_id(&id, "case_") {
        return Err(no_case(&id));
    }
    let evs = case::events(caller.register.store(), &app.atlas(), &caller, &id)
        .await?
        .ok_or_else(|| no_case(&id))?;
    Ok(Json(json!({"case": id, "events": evs})))
}
