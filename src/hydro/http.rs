//! HTTP routes of the river network: `/v1/rivers`, `/v1/rivers/{id}`,
//! `/v1/rivers/{id}/banks`, `/v1/lakes`, `/v1/navigate/{mode}`.
//!
//! `crs=` (坐标系, see [`crate::crs`]): `/v1/navigate` takes its point in that
//! CRS and adds `x`/`y` in it to every point of the answer (`lon`/`lat` stay
//! WGS 84); `/v1/rivers/{id}` and `/v1/lakes` return their GeoJSON reprojected
//! with a named `crs` member, as `/v1/export/*.geojson` does;
//! `/v1/rivers/{id}/banks` adds `mid_xy`. JSON answers echo the CRS in `crs`.
use super::banks::{BANK_MIN_RUN_KM, BANK_OFFSET_KM, BANK_STEP_KM};
use super::graph::{for_atlas, RiverGraph, EMBEDDED_LAKES};
use super::navigate::{Mode, NavError};
use crate::crs::http::{
    add_xy, echo, echo_id, geojson_crs_member, optional_crs, output_problem, pair_in,
    reproject_geojson, request_point,
};
use crate::crs::Crs;
use crate::server::params::number_param;
use crate::server::problem::Problem;
use crate::server::snapshot::{AnyPart, LoadContext, PartLoader};
use crate::server::AppState;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// The river routes, to merge into the main router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/rivers", get(list))
        .route("/v1/rivers/{id}", get(one))
        .route("/v1/rivers/{id}/banks", get(banks))
        .route("/v1/lakes", get(lakes))
        .route("/v1/navigate/{mode}", get(navigate))
}

/// The river part of the served snapshot: the graph built (and validated) on
/// the new Atlas during a load, so a reload with rivers that do not fit the new
/// layers fails whole.
pub const PART: PartLoader = PartLoader {
    name: "rivers",
    load: load_part,
};

fn load_part(ctx: &LoadContext<'_>) -> Result<AnyPart, String> {
    let g: AnyPart = for_atlas(ctx.atlas).map_err(|e| e.to_string())?;
    Ok(g)
}

fn graph(state: &AppState) -> Result<Arc<RiverGraph>, Problem> {
    state
        .snapshot()
        .part::<RiverGraph>(PART.name)
        .map_err(Problem::unavailable)
}

async fn list(State(state): State<AppState>) -> Result<Json<Value>, Problem> {
    let g = graph(&state)?;
    Ok(Json(json!({
        "rivers": g.rivers,
        "summary": g.summary,
        "zone_links": g.zone_links,
        "provenance": g.provenance,
    })))
}

fn river(g: &RiverGraph, id: &str) -> Result<usize, Problem> {
    g.river_index(id)
        .ok_or_else(|| Problem::not_found(format!("no river with id `{id}`")).with("river", id))
}

/// GeoJSON of one river's edges.
pub fn river_geojson(g: &RiverGraph, ri: usize) -> Value {
    let r = &g.rivers[ri];
    let features: Vec<Value> = r
        .edges
        .iter()
        .map(|&e| {
            let e = &g.edges[e];
            json!({"type": "Feature", "id": e.id, "properties": {
                "id": e.id, "river": r.id, "river_name": r.name, "from": g.nodes[e.from].id, "to": g.nodes[e.to].id,
                "length_km": (e.length_km() * 1000.0).round() / 1000.0, "source": e.source},
                "geometry": {"type": "LineString", "coordinates": e.coords.iter().map(|c| [c.0, c.1]).collect::<Vec<_>>()}})
        })
        .collect();
    json!({"type": "FeatureCollection", "id": r.id, "name": r.name, "river": r, "features": features, "provenance": g.provenance})
}

/// GeoJSON in WGS 84 reprojected to `crs`, with the named `crs` member.
fn geojson_in(mut v: Value, crs: &Crs) -> Result<Value, Problem> {
    reproject_geojson(&mut v, crs).map_err(output_problem)?;
    v["crs"] = geojson_crs_member(crs.id());
    Ok(v)
}

async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, Problem> {
    let crs = optional_crs(&q)?;
    let g = graph(&state)?;
    let ri = river(&g, &id)?;
    let mut v = river_geojson(&g, ri);
    if let Some(c) = &crs {
        v = geojson_in(v, c)?;
    }
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], Json(v)))
}

async fn banks(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, Problem> {
    let crs = optional_crs(&q)?;
    let g = graph(&state)?;
    let ri = river(&g, &id)?;
    let mut v = json!({
        "river": g.rivers[ri].id, "river_name": g.rivers[ri].name,
        "method": {"offset_km": BANK_OFFSET_KM, "step_km": BANK_STEP_KM, "min_run_km": BANK_MIN_RUN_KM,
                   "rule": "jurisdictions looked up offset_km to the left and right of the line (facing downstream); runs of differing pairs of at least min_run_km"},
        "pairs": g.banks[ri],
    });
    if let Some(c) = &crs {
        if let Some(pairs) = v["pairs"].as_array_mut() {
            for (pair, out) in g.banks[ri].iter().zip(pairs) {
                out["mid_xy"] = json!(pair_in(c, pair.mid).map_err(output_problem)?);
            }
        }
        v["crs"] = echo_id(c.id());
    }
    Ok(Json(v))
}

async fn lakes(Query(q): Query<HashMap<String, String>>) -> Result<Response, Problem> {
    let body = match optional_crs(&q)? {
        None => EMBEDDED_LAKES.to_string(),
        Some(c) => {
            let v: Value = serde_json::from_str(EMBEDDED_LAKES)
                .map_err(|e| Problem::unavailable(e.to_string()))?;
            geojson_in(v, &c)?.to_string()
        }
    };
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], body).into_response())
}

/// A navigation mode as requested: canonical, or another case of one.
enum ModeRequest {
    /// `UM`, `UT`, `DM` or `DD`, as the OpenAPI enum says.
    Canonical(Mode),
    /// Another case: 301 to this location.
    Redirect(axum::http::HeaderValue),
}

/// The canonical spelling of a navigation mode: another case is redirected
/// there (301, query kept), anything else is a 400.
fn canonical_mode(mode: &str, raw_query: Option<&str>) -> Result<ModeRequest, Problem> {
    let unknown = || {
        Problem::bad_request(format!(
            "unknown navigation mode `{mode}`; use UM, UT, DM or DD"
        ))
        .with("parameter", "mode")
    };
    let m = Mode::parse(mode).ok_or_else(unknown)?;
    let upper = mode.to_ascii_uppercase();
    if upper == mode {
        return Ok(ModeRequest::Canonical(m));
    }
    let location = match raw_query {
        Some(q) => format!("/v1/navigate/{upper}?{q}"),
        None => format!("/v1/navigate/{upper}"),
    };
    axum::http::HeaderValue::from_str(&location)
        .map(ModeRequest::Redirect)
        .map_err(|_| unknown())
}

async fn navigate(
    State(state): State<AppState>,
    Path(mode): Path<String>,
    RawQuery(raw): RawQuery,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let mode = match canonical_mode(&mode, raw.as_deref())? {
        ModeRequest::Canonical(m) => m,
        ModeRequest::Redirect(to) => {
            return Ok((StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, to)]).into_response())
        }
    };
    let ((lon, lat), given) = request_point(&q)?;
    let distance = if q.contains_key("distance_km") {
        Some(number_param(&q, "distance_km")?)
    } else {
        None
    };
    let g = graph(&state)?;
    let ans = g
        .navigate(mode, lon, lat, distance, q.get("river").map(String::as_str))
        .map_err(nav_problem)?;
    let mut v = serde_json::to_value(&ans).map_err(|e| Problem::unavailable(e.to_string()))?;
    v["data_version"] = json!(state.atlas().version());
    if let Some((id, input)) = given {
        let c = Crs::new(id)
            .map_err(|e| Problem::bad_request(e.to_string()).with("parameter", "crs"))?;
        add_xy(&mut v, &c).map_err(output_problem)?;
        v["crs"] = echo(id, input);
    }
    Ok(Json(v).into_response())
}

/// Maps navigation errors to problem details.
pub fn nav_problem(e: NavError) -> Problem {
    match e {
        NavError::NoRiverNear {
            distance_km,
            tolerance_km,
            ..
        } => {
            let d = if distance_km.is_finite() {
                json!(distance_km)
            } else {
                Value::Null
            };
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "no-river-near",
                e.to_string(),
            )
            .with("distance_km", d)
            .with("tolerance_km", tolerance_km)
        }
        NavError::UnknownRiver(ref r) => Problem::not_found(e.to_string()).with("river", r.clone()),
        NavError::BadCoordinates => Problem::bad_request(e.to_string()),
        NavError::BadDistance => {
            Problem::bad_request(e.to_string()).with("parameter", "distance_km")
        }
    }
}
