//! `GET /v1/locate?lon=&lat=`.

use super::problem::Problem;
use super::AppState;
use axum::extract::{Query, State};
use axum::Json;
use std::collections::HashMap;

/// Parse a required finite number query parameter.
pub fn number_param(q: &HashMap<String, String>, name: &str) -> Result<f64, Problem> {
    let raw = q.get(name).ok_or_else(|| {
        Problem::bad_request(format!("missing query parameter `{name}`")).with("parameter", name)
    })?;
    let v: f64 = raw.trim().parse().map_err(|_| {
        Problem::bad_request(format!(
            "query parameter `{name}` must be a number, got `{raw}`"
        ))
        .with("parameter", name)
    })?;
    if !v.is_finite() {
        return Err(Problem::bad_request(format!(
            "query parameter `{name}` must be finite, got `{raw}`"
        ))
        .with("parameter", name));
    }
    Ok(v)
}

/// Parse and range-check `lon` and `lat`.
pub fn lon_lat(q: &HashMap<String, String>) -> Result<(f64, f64), Problem> {
    let lon = number_param(q, "lon")?;
    let lat = number_param(q, "lat")?;
    crate::locate::check_lon_lat(lon, lat).map_err(Problem::bad_request)?;
    Ok((lon, lat))
}

/// Handler of `/v1/locate`. With `crs=` (see [`crate::crs`]) the point is
/// given in that CRS (`x`/`y` or `lon`/`lat`) and the answer echoes it in `crs`.
pub async fn locate(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<axum::response::Response, Problem> {
    use axum::response::IntoResponse;
    let ((lon, lat), given) = crate::crs::http::request_point(&q)?;
    let answer = state.atlas().locate(lon, lat);
    Ok(match given {
        Some((crs, input)) => Json(crate::crs::http::InCrs {
            answer,
            crs: crate::crs::http::echo(crs, input),
        })
        .into_response(),
        None => Json(answer).into_response(),
    })
}
