//! HTTP routes of the air module: `GET /v1/air/downwind` (one point, one
//! steady wind) and `POST /v1/air/downwind` (a footprint, one wind or an
//! hourly series). Errors are RFC 9457 problem+json: 400 for an invalid wind
//! or footprint (`parameter` or `path` names the member), 413 for too many
//! vertices, 422 for a calm wind or a travel beyond the regional scope, 503
//! when the work runs out of time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::Value;

use crate::atlas::Atlas;
use crate::budget::{Budget, Exhausted};
use crate::crs::{Crs, CrsId};
use crate::governance::footprint::{self, FootprintError};
use crate::governance::Rules;
use crate::server::problem::Problem;
use crate::server::{AppState, DataSource};

use super::{AirError, Source, Wind, WindError, WindInput};

/// Every route this module serves (method, path), for the OpenAPI check.
pub const ROUTES: [(&str, &str); 2] = [("get", "/v1/air/downwind"), ("post", "/v1/air/downwind")];

/// How long one estimate may compute before it is stopped (503).
const DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// The body of `POST /v1/air/downwind`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DownwindRequest {
    /// The source: a GeoJSON geometry, Feature or FeatureCollection.
    pub footprint: Value,
    /// One wind or an hourly series.
    pub wind: WindInput,
    /// CRS of the footprint (as in `POST /v1/issues/analyze`).
    #[serde(default)]
    pub crs: Option<Value>,
}

/// Rules cached per atlas snapshot (re-read after a reload, like the governance routes).
type Cached = Option<(Weak<Atlas>, Arc<Rules>)>;

#[derive(Clone, Default)]
struct AirState {
    cache: Arc<Mutex<Cached>>,
}

impl AirState {
    fn rules(&self, app: &AppState) -> Result<(Arc<Rules>, Arc<Atlas>), Problem> {
        let atlas = app.atlas();
        let mut guard = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((w, r)) = guard.as_ref() {
            if Weak::ptr_eq(w, &Arc::downgrade(&atlas)) {
                return Ok((r.clone(), atlas));
            }
        }
        let rules = match app.source() {
            DataSource::Embedded => Rules::embedded(),
            DataSource::Dir(d) => Rules::load_dir(d),
        }
        .map_err(|e| {
            Problem::unavailable(format!("the governance rules could not be loaded: {e}"))
        })?;
        let rules = Arc::new(rules);
        *guard = Some((Arc::downgrade(&atlas), rules.clone()));
        Ok((rules, atlas))
    }
}

/// The routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/air/downwind", get(downwind_get).post(downwind_post))
        .layer(Extension(AirState::default()))
}

/// The problem for a refused wind (`key` is `parameter` for a query, `path` for a body).
pub fn wind_problem(e: &WindError, key: &str) -> Problem {
    match e {
        WindError::Invalid { path, .. } => {
            Problem::new(StatusCode::BAD_REQUEST, "invalid-wind", e.to_string())
                .with(key, path.as_str())
        }
        WindError::Calm => {
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "calm-wind", e.to_string())
        }
        WindError::TooFar(_) => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "beyond-scope",
            e.to_string(),
        ),
    }
}

fn exhausted(e: Exhausted) -> Problem {
    Problem::unavailable(e.to_string()).with(
        "reason",
        match e {
            Exhausted::Deadline => "deadline",
            Exhausted::Cancelled => "cancelled",
        },
    )
}

fn footprint_problem(e: FootprintError) -> Problem {
    let detail = e.to_string();
    match e {
        FootprintError::TooManyVertices { limit } => {
            Problem::too_large(detail).with("max_vertices", limit)
        }
        FootprintError::Invalid { path, .. } => {
            Problem::new(StatusCode::BAD_REQUEST, "invalid-footprint", detail).with("path", path)
        }
        FootprintError::Empty => Problem::new(StatusCode::BAD_REQUEST, "invalid-footprint", detail),
        FootprintError::TooComplex(t) => crate::governance::http::too_complex(t),
        FootprintError::Exhausted(e) => exhausted(e),
    }
}

fn crs_problem(detail: String) -> Problem {
    Problem::bad_request(detail).with("parameter", "crs")
}

/// Runs an estimate off the async runtime, stopped after [`DEADLINE`] or
/// when the client goes away.
async fn estimate(
    rules: Arc<Rules>,
    atlas: Arc<Atlas>,
    source: Source,
    wind: Wind,
) -> Result<super::AirAnswer, Problem> {
    let budget = Budget::with_timeout(DEADLINE);
    let guard = budget.cancel_on_drop();
    let answer = tokio::task::spawn_blocking(move || {
        super::downwind(&rules, &atlas, &source, &wind, &budget)
    })
    .await
    .map_err(|_| {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the estimate failed",
        )
    })?;
    guard.disarm();
    answer.map_err(|e| match e {
        AirError::Wind(w) => wind_problem(&w, "path"),
        AirError::Exhausted(x) => exhausted(x),
    })
}

fn number(q: &HashMap<String, String>, name: &str) -> Result<Option<f64>, Problem> {
    match q.contains_key(name) {
        true => crate::server::params::number_param(q, name).map(Some),
        false => Ok(None),
    }
}

/// The steady wind of a query (`wind_from`, `speed`, `hours`, `spread`).
pub fn query_wind(q: &HashMap<String, String>) -> Result<Wind, Problem> {
    let from = crate::server::params::number_param(q, "wind_from")?;
    let speed = crate::server::params::number_param(q, "speed")?;
    let hours = crate::server::params::number_param(q, "hours")?;
    let spread = number(q, "spread")?;
    Wind::steady(from, speed, hours, spread).map_err(|e| wind_problem(&e, "parameter"))
}

async fn downwind_get(
    State(app): State<AppState>,
    Extension(st): Extension<AirState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let ((lon, lat), given) = crate::crs::http::request_point(&q)?;
    let wind = query_wind(&q)?;
    let (rules, atlas) = st.rules(&app)?;
    let answer = estimate(rules, atlas, Source::Point { lon, lat }, wind).await?;
    match given {
        None => Ok(Json(answer).into_response()),
        Some((id, input)) => {
            let crs = Crs::new(id).map_err(|e| crs_problem(e.to_string()))?;
            super::in_crs(answer, &crs, crate::crs::http::echo(id, input))
                .map(|v| Json(v).into_response())
                .map_err(crate::crs::http::output_problem)
        }
    }
}

/// The CRS of a POST: `?crs=`, the body's `crs` and the footprint's own `crs`
/// member must agree; none means WGS 84 lon/lat.
fn post_crs(req: &DownwindRequest, query: Option<&String>) -> Result<Option<CrsId>, Problem> {
    let q = match query {
        Some(c) => {
            Some(crate::crs::parse_crs_param(Some(c)).map_err(|e| crs_problem(e.to_string()))?)
        }
        None => None,
    };
    let body =
        crate::crs::http::crs_member(req.crs.as_ref()).map_err(|e| crs_problem(e.to_string()))?;
    let own = crate::crs::http::crs_member(req.footprint.get("crs"))
        .map_err(|e| crs_problem(format!("the footprint's `crs` member: {e}")))?;
    let mut found: Option<CrsId> = None;
    for c in [q, body, own].into_iter().flatten() {
        if let Some(f) = found.filter(|f| *f != c) {
            return Err(crs_problem(format!(
                "two different CRSs are given ({f} and {c})"
            )));
        }
        found = Some(c);
    }
    Ok(found)
}

/// Reads a POST body into a source, a wind and the CRS given (if any).
pub fn read_post(
    req: &DownwindRequest,
    query_crs: Option<&String>,
) -> Result<(Source, Wind, Option<CrsId>), Problem> {
    let crs = post_crs(req, query_crs)?;
    let engine = Crs::new(crs.unwrap_or(CrsId::Crs84)).map_err(|e| crs_problem(e.to_string()))?;
    let fp = footprint::parse_in(
        &req.footprint,
        "footprint",
        footprint::DEFAULT_MAX_VERTICES,
        &engine,
    )
    .map_err(footprint_problem)?;
    let wind = req
        .wind
        .validate("wind.")
        .map_err(|e| wind_problem(&e, "path"))?;
    Ok((Source::Footprint(fp), wind, crs))
}

async fn downwind_post(
    State(app): State<AppState>,
    Extension(st): Extension<AirState>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, Problem> {
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| Problem::bad_request(format!("the body is not valid JSON: {e}")))?;
    let req: DownwindRequest = serde_json::from_value(value)
        .map_err(|e| Problem::bad_request(format!("invalid request: {e}")))?;
    let (source, wind, crs) = read_post(&req, q.get("crs"))?;
    let (rules, atlas) = st.rules(&app)?;
    let answer = estimate(rules, atlas, source, wind).await?;
    match crs {
        None => Ok(Json(answer).into_response()),
        Some(id) => {
            let engine = Crs::new(id).map_err(|e| crs_problem(e.to_string()))?;
            super::in_crs(answer, &engine, crate::crs::http::echo_id(id))
                .map(|v| Json(v).into_response())
                .map_err(crate::crs::http::output_problem)
        }
    }
}
