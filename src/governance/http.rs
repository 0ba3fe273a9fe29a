//! HTTP routes of the governance engine: `/v1/profile`, `/v1/obligations`,
//! `/v1/issues/analyze`, `/v1/governance` and `/openapi.json`.
//!
//! The rules load from the same data source as the atlas (embedded, or the
//! `governance/` folder of `--data DIR`) and are reloaded whenever the atlas
//! snapshot changes (its version differs).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Value};

use crate::http::problem::Problem;
use crate::http::AppState;

use super::analyze::{AnalyzeError, AnalyzeRequest};
use super::footprint::FootprintError;
use super::jurisdiction::JurisdictionError;
use super::obligations::{parse_date, today_in_china, ObligationsError};
use super::water::{NoRiverGraph, UpstreamDownstream};
use super::Governance;

/// The hand-written OpenAPI 3.1 description of the service's JSON API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// Every route this module serves (method, path), for the OpenAPI check.
pub const ROUTES: [(&str, &str); 5] = [
    ("get", "/v1/profile"),
    ("get", "/v1/obligations"),
    ("post", "/v1/issues/analyze"),
    ("get", "/v1/governance"),
    ("get", "/openapi.json"),
];

/// Rules cached per atlas version.
#[derive(Clone)]
struct GovState {
    cache: Arc<Mutex<Option<(String, Governance)>>>,
    water: Arc<dyn UpstreamDownstream>,
}

impl GovState {
    fn engine(&self, app: &AppState) -> Result<Governance, Problem> {
        let version = app.atlas().version().to_string();
        let mut guard = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((v, g)) = guard.as_ref() {
            if *v == version {
                return Ok(g.clone());
            }
        }
        let g = Governance::for_source(app.source())
            .map_err(|e| {
                Problem::unavailable(format!("the governance rules could not be loaded: {e}"))
            })?
            .with_water(self.water.clone());
        *guard = Some((version, g.clone()));
        Ok(g)
    }
}

/// The routes, with no river graph installed.
pub fn routes() -> Router<AppState> {
    routes_with(Arc::new(NoRiverGraph))
}

/// The routes, with a river graph for the water context of issue analyses.
pub fn routes_with(water: Arc<dyn UpstreamDownstream>) -> Router<AppState> {
    let st = GovState {
        cache: Arc::new(Mutex::new(None)),
        water,
    };
    Router::new()
        .route("/v1/profile", get(profile))
        .route("/v1/obligations", get(obligations))
        .route("/v1/issues/analyze", post(analyze))
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
    let (lon, lat) = crate::http::locate::lon_lat(&q)?;
    let date = date_param(&q)?;
    let g = st.engine(&app)?;
    let atlas = app.atlas();
    Ok(Json(g.profile(&atlas, lon, lat, date)).into_response())
}

async fn obligations(
    State(app): State<AppState>,
    Extension(st): Extension<GovState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let date = date_param(&q)?;
    let g = st.engine(&app)?;
    let atlas = app.atlas();
    match g.obligations(&atlas, date, q.get("prefecture").map(|s| s.trim())) {
        Ok(a) => Ok(Json(a).into_response()),
        Err(e @ ObligationsError::BadDate(_)) => {
            Err(Problem::bad_request(e.to_string()).with("parameter", "date"))
        }
        Err(e @ ObligationsError::UnknownPrefecture(_)) => {
            Err(Problem::bad_request(e.to_string()).with("parameter", "prefecture"))
        }
    }
}

fn analyze_problem(e: AnalyzeError) -> Problem {
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
        AnalyzeError::Jurisdiction(JurisdictionError::Overlay) => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unprocessable-footprint",
            detail,
        ),
        AnalyzeError::Jurisdiction(JurisdictionError::Degenerate(_)) => {
            Problem::new(StatusCode::BAD_REQUEST, "invalid-footprint", detail)
        }
        AnalyzeError::Jurisdiction(_) | AnalyzeError::BadRequest(_) => Problem::bad_request(detail),
        AnalyzeError::OutsideHubei => {
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "outside-hubei", detail)
        }
    }
}

async fn analyze(
    State(app): State<AppState>,
    Extension(st): Extension<GovState>,
    body: Bytes,
) -> Result<Response, Problem> {
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| Problem::bad_request(format!("the body is not valid JSON: {e}")))?;
    let req: AnalyzeRequest = serde_json::from_value(value)
        .map_err(|e| Problem::bad_request(format!("invalid request: {e}")))?;
    let g = st.engine(&app)?;
    let atlas = app.atlas();
    let answer = tokio::task::spawn_blocking(move || g.analyze(&atlas, &req))
        .await
        .map_err(|_| {
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the analysis task failed",
            )
        })?;
    answer
        .map(|a| Json(a).into_response())
        .map_err(analyze_problem)
}

async fn summary(
    State(app): State<AppState>,
    Extension(st): Extension<GovState>,
) -> Result<Response, Problem> {
    let g = st.engine(&app)?;
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
