//! `GET /v1/locate?lon=&lat=` (定位): which units govern a point.

use crate::server::problem::Problem;
use crate::server::AppState;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use std::collections::HashMap;

/// The route of this module (merged into the main router).
pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/locate", get(locate))
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
