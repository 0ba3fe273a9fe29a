//! HTTP routes of the governance engine: `/v1/profile`, `/v1/obligations`,
//! `/v1/issues/analyze`, `/v1/places`, `/v1/governance` and `/openapi.json`.
//!
//! The rules load from the same data source as the atlas (embedded, or the
//! `governance/` folder of `--data DIR`) and are re-read whenever the atlas
//! snapshot is swapped (a reload), so both always come from the same source.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Value};

use crate::atlas::Atlas;
use crate::server::body::JsonBody;
use crate::server::problem::Problem;
use crate::server::snapshot::{AnyPart, LoadContext, PartLoader};
use crate::server::{AppState, Work};

use super::analyze::{AnalyzeError, AnalyzeRequest};
use super::footprint::FootprintError;
use super::jurisdiction::JurisdictionError;
use super::names::{NameError, SEARCH_LIMIT};
use super::obligations::{parse_date, today_in_china, ObligationsError};
use super::water::{NoRiverGraph, UpstreamDownstream};
use super::Governance;

/// The hand-written OpenAPI 3.1 description of the service's JSON API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// Every route this module serves (method, path), for the OpenAPI check.
pub const ROUTES: [(&str, &str); 6] = [
    ("get", "/v1/profile"),
    ("get", "/v1/obligations"),
    ("post", "/v1/issues/analyze"),
    ("get", "/v1/places"),
    ("get", "/v1/governance"),
    ("get", "/openapi.json"),
];

/// The governance part of the served snapshot (the validated rules), loaded
/// with the Atlas and swapped with it: a reload whose rules fail is a failed
/// reload, and the old rules keep serving.
pub const PART: PartLoader = PartLoader {
    name: "governance",
    load: load_part,
};

fn load_part(ctx: &LoadContext<'_>) -> Result<AnyPart, String> {
    let g = Governance::for_source(ctx.source).map_err(|e| e.to_string())?;
    if let Some(prev) = ctx
        .previous
        .and_then(|p| p.part::<Governance>(PART.name).ok())
    {
        no_file_vanished(prev.rules(), g.rules())?;
    }
    Ok(Arc::new(g))
}

/// A rules file read from the dataset before must still be there: a deleted
/// file would otherwise fall back silently to the embedded default.
fn no_file_vanished(before: &super::Rules, now: &super::Rules) -> Result<(), String> {
    use super::rules::RuleSource;
    for (name, src) in &before.sources {
        let still = matches!(now.sources.get(name), Some(RuleSource::File(_)));
        if let (RuleSource::File(path), false) = (src, still) {
            return Err(format!(
                "{} was served from the dataset and is gone; restore it (the embedded \
                 default replaces a file only when it was never there, at start)",
                path.display()
            ));
        }
    }
    Ok(())
}

#[derive(Clone)]
struct GovState {
    water: Arc<dyn UpstreamDownstream>,
}

impl GovState {
    /// The engine and Atlas of the served snapshot (always from one load).
    fn engine(&self, app: &AppState) -> Result<(Governance, Arc<Atlas>), Problem> {
        let snap = app.snapshot();
        let g = snap.part::<Governance>(PART.name).map_err(|e| {
            Problem::unavailable(format!("the governance rules could not be loaded: {e}"))
        })?;
        Ok((
            (*g).clone().with_water(self.water.clone()),
            snap.atlas().clone(),
        ))
    }
}

/// The routes, with no river graph installed.
pub fn routes() -> Router<AppState> {
    routes_with(Arc::new(NoRiverGraph))
}

/// The routes, with a river graph for the water context of issue analyses.
pub fn routes_with(water: Arc<dyn UpstreamDownstream>) -> Router<AppState> {
    let st = GovState { water };
    Router::new()
        .route("/v1/profile", get(profile))
        .route("/v1/obligations", get(obligations))
        .route("/v1/issues/analyze", post(analyze))
        .route("/v1/places", get(places))
        .route("/v1/governance", get(summary))
        .route("/openapi.json", get(openapi))
        .layer(Extension(st))
}

fn date_param(q: &HashMap<String, String>) -> Result<jiff::civil::Date, Problem> {
    match q.get("date") {
        None => Ok(today_in_china()),
        Some(d) => parse_date(d.trim())
            .map_err(|e| Problem::bad_request(e.to_string()).with("parameter", "date")),
    }
}

async fn profile(
    State(app): State<AppState>,
    Extension(st): Extension<GovState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    // With `crs=` the point is `x`/`y` (or `lon`/`lat`) in that CRS and the
    // answer echoes it, exactly as /v1/locate does.
    let ((lon, lat), given) = crate::crs::http::request_point(&q)?;
    let date = date_param(&q)?;
    let (g, atlas) = st.engine(&app)?;
    let answer = g.profile(&atlas, lon, lat, date);
    Ok(match given {
        Some((crs, input)) => Json(crate::crs::http::InCrs {
            answer,
            crs: crate::crs::http::echo(crs, input),
        })
        .into_response(),
        None => Json(answer).into_response(),
    })
}

async fn obligations(
    State(app): State<AppState>,
    Extension(st): Extension<GovState>,
    caller: crate::register::auth::MaybeCaller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let date = date_param(&q)?;
    let (g, atlas) = st.engine(&app)?;
    match g.obligations(&atlas, date, q.get("prefecture").map(|s| s.trim())) {
        Ok(a) => crate::register::http::with_filings(&app, caller, g.rules(), &atlas, date, a)
            .await
            .map_err(crate::register::RegisterError::problem),
        Err(e @ ObligationsError::BadDate(_)) => {
            Err(Problem::bad_request(e.to_string()).with("parameter", "date"))
        }
        Err(e @ ObligationsError::UnknownPrefecture(_)) => {
            Err(Problem::bad_request(e.to_string()).with("parameter", "prefecture"))
        }
        Err(ObligationsError::Prefecture(e)) => Err(name_problem("prefecture", &e)),
    }
}

/// 400 for an ambiguous or unknown name, listing the candidates (adcode, name, kind).
fn name_problem(parameter: &str, e: &NameError) -> Problem {
    let kind = match e {
        NameError::Ambiguous { .. } => "ambiguous-name",
        NameError::Unknown { .. } => "unknown-name",
    };
    Problem::new(StatusCode::BAD_REQUEST, kind, e.to_string())
        .with("parameter", parameter)
        .with("candidates", json!(e.candidates()))
}

async fn places(
    State(app): State<AppState>,
    Extension(st): Extension<GovState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let query = q.get("q").map(|s| s.trim()).unwrap_or_default();
    if query.is_empty() {
        return Err(
            Problem::bad_request("query parameter `q` (a name to search for) is required")
                .with("parameter", "q"),
        );
    }
    let (default, max) = SEARCH_LIMIT;
    let limit = match q.get("limit") {
        None => default,
        Some(l) => match l.trim().parse::<usize>() {
            Ok(n) if n >= 1 => n.min(max),
            _ => {
                return Err(Problem::bad_request(format!(
                    "query parameter `limit` must be an integer from 1 to {max}, got `{}`",
                    l.chars().take(20).collect::<String>()
                ))
                .with("parameter", "limit"))
            }
        },
    };
    let (g, atlas) = st.engine(&app)?;
    let query: String = query.chars().take(64).collect();
    let places = g.places(&atlas, &query, limit);
    Ok(Json(json!({"query": query, "places": places})).into_response())
}

fn analyze_problem(e: AnalyzeError, work: &Work) -> Problem {
    refused_analysis(e, |why| work.exhausted(why))
}

/// The problem+json answer of a refused analysis; `spent` answers a spent
/// budget (shared with the register's cases, which run on their own budget).
pub fn refused_analysis(
    e: AnalyzeError,
    spent: impl FnOnce(crate::budget::Exhausted) -> Problem,
) -> Problem {
    let detail = e.to_string();
    match e {
        AnalyzeError::Footprint(FootprintError::TooManyVertices { limit }) => {
            Problem::too_large(detail).with("max_vertices", limit)
        }
        AnalyzeError::Footprint(FootprintError::Invalid { path, .. }) => {
            Problem::new(StatusCode::BAD_REQUEST, "invalid-footprint", detail).with("path", path)
        }
        AnalyzeError::Footprint(FootprintError::Empty) => {
            Problem::new(StatusCode::BAD_REQUEST, "invalid-footprint", detail)
        }
        AnalyzeError::Footprint(FootprintError::TooComplex(t))
        | AnalyzeError::Jurisdiction(JurisdictionError::TooComplex(t)) => too_complex(t),
        AnalyzeError::Jurisdiction(JurisdictionError::Overlay) => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unprocessable-footprint",
            detail,
        ),
        AnalyzeError::Jurisdiction(JurisdictionError::Degenerate(_)) => {
            Problem::new(StatusCode::BAD_REQUEST, "invalid-footprint", detail)
        }
        AnalyzeError::Footprint(FootprintError::Exhausted(why))
        | AnalyzeError::Jurisdiction(JurisdictionError::Exhausted(why)) => spent(why),
        AnalyzeError::Jurisdiction(_) | AnalyzeError::BadRequest(_) => Problem::bad_request(detail),
        AnalyzeError::BadCrs(_) => Problem::bad_request(detail).with("parameter", "crs"),
        AnalyzeError::Wind(w) => crate::air::http::wind_problem(&w, "path"),
        AnalyzeError::Name { parameter, error } => name_problem(parameter, &error),
        AnalyzeError::OutsideHubei => {
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "outside-hubei", detail)
        }
    }
}

/// 422 for a footprint past a work limit, saying which limit and how far.
/// The 422 `footprint-too-complex` problem, with the stage and a hint.
pub fn too_complex(t: crate::overlay::TooComplex) -> Problem {
    let hint = match t.stage {
        crate::overlay::Stage::Validation => {
            "simplify the outline (long parallel edges make the validity check quadratic)"
        }
        crate::overlay::Stage::Normalisation => {
            "merge overlapping polygons before sending, or send fewer of them"
        }
        crate::overlay::Stage::Overlay => "simplify the footprint or split it",
    };
    Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "footprint-too-complex",
        format!(
            "the footprint's {} would need more than {} {}, the limit of one request; {hint}",
            t.stage.name(),
            t.limit,
            t.stage.unit()
        ),
    )
    .with("stage", t.stage.name())
    .with("budget", t.limit)
    .with("budget_unit", t.stage.unit())
    .with("spent_when_stopped", t.spent)
}

async fn analyze(
    State(app): State<AppState>,
    Extension(st): Extension<GovState>,
    Query(q): Query<HashMap<String, String>>,
    work: Work,
    JsonBody(body): JsonBody,
) -> Result<Response, Problem> {
    let (g, atlas) = st.engine(&app)?;
    // Parsing the body and the analysis run on the work pool: they stop when
    // the request's deadline passes or its client disconnects (the budget).
    let w = work.clone();
    let answer = work
        .run(move |budget| {
            let value: Value = serde_json::from_slice(&body)
                .map_err(|e| Problem::bad_request(format!("the body is not valid JSON: {e}")))?;
            let mut req: AnalyzeRequest = serde_json::from_value(value)
                .map_err(|e| Problem::bad_request(format!("invalid request: {e}")))?;
            // `?crs=` and the body's `crs` member are two spellings of one thing;
            // both may be given only when they name the same CRS.
            if let Some(c) = q.get("crs") {
                req = req.with_query_crs(c).map_err(|e| analyze_problem(e, &w))?;
            }
            g.analyze_within(&atlas, &req, budget)
                .map_err(|e| analyze_problem(e, &w))
        })
        .await??;
    Ok(Json(answer).into_response())
}

async fn summary(
    State(app): State<AppState>,
    Extension(st): Extension<GovState>,
) -> Result<Response, Problem> {
    let (g, _) = st.engine(&app)?;
    let r = g.rules();
    Ok(Json(json!({
        "document": r.document,
        "parts": r.parts,
        "clauses": r.clauses,
        "levels": r.levels,
        "bodies": r.bodies,
        "departments": r.departments,
        "mechanisms": r.mechanisms,
        "co_creation_rule": r.co_creation_rule,
        "catalog": r.catalog,
        "matters": r.matters,
        "obligations": r.obligations,
        "sources": r.sources,
        "water": g.water().describe(),
    }))
    .into_response())
}

async fn openapi() -> Response {
    let mut res = OPENAPI.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}
