//! `GET /v1/locate?lon=&lat=` (定位): which units govern a point.

use crate::server::problem::Problem;
use crate::server::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::collections::HashMap;

/// The route of this module (merged into the main router).
pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/locate", get(locate))
}

/// Handler of `/v1/locate`. With `crs=` (see [`crate::crs`]) the point is
/// given in that CRS (`x`/`y` or `lon`/`lat`) and the answer echoes it in `crs`.
///
/// The common request, exactly `lon=…&lat=…` with plain decimal numbers in
/// range, takes the fast path: no query map, the answer written from the
/// fragments serialised at load ([`crate::locate::fragments`]) into the one
/// response buffer. Anything else (other parameters, escapes, errors) takes
/// the general path, which answers the same bytes or the problem.
pub async fn locate(State(state): State<AppState>, uri: Uri) -> Response {
    if let Some((lon, lat)) = uri.query().and_then(plain_lon_lat) {
        let mut body = Vec::with_capacity(2048);
        state.atlas().locate_json(lon, lat, &mut body);
        let json = HeaderValue::from_static("application/json");
        return ([(header::CONTENT_TYPE, json)], body).into_response();
    }
    match Query::<HashMap<String, String>>::try_from_uri(&uri) {
        Ok(Query(q)) => general(&state, &q).unwrap_or_else(IntoResponse::into_response),
        Err(rejection) => rejection.into_response(),
    }
}

/// `lon` and `lat` from a query string that holds exactly those two
/// parameters, once each, as plain numbers (no `%` or `+` escapes) that the
/// general path would accept; `None` for anything else.
fn plain_lon_lat(query: &str) -> Option<(f64, f64)> {
    let (mut lon, mut lat) = (None, None);
    let mut pairs = query.split('&');
    for pair in pairs.by_ref().take(2) {
        let (k, v) = pair.split_once('=')?;
        if v.contains(['%', '+']) {
            return None;
        }
        let v: f64 = v.trim().parse().ok()?;
        let slot = match k {
            "lon" => &mut lon,
            "lat" => &mut lat,
            _ => return None,
        };
        if slot.replace(v).is_some() {
            return None;
        }
    }
    if pairs.next().is_some() {
        return None;
    }
    let (lon, lat) = (lon?, lat?);
    crate::locate::check_lon_lat(lon, lat).ok()?;
    Some((lon, lat))
}

/// Any `/v1/locate` query, through the query map and the CRS handling.
fn general(state: &AppState, q: &HashMap<String, String>) -> Result<Response, Problem> {
    let ((lon, lat), given) = crate::crs::http::request_point(q)?;
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

#[cfg(test)]
mod tests {
    use super::plain_lon_lat;

    #[test]
    fn only_plain_lon_lat_queries_take_the_fast_path() {
        assert_eq!(plain_lon_lat("lon=114.3&lat=30.6"), Some((114.3, 30.6)));
        assert_eq!(plain_lon_lat("lat=30.6&lon=114.3"), Some((114.3, 30.6)));
        assert_eq!(plain_lon_lat("lon=114&lat=-30"), Some((114.0, -30.0)));
        for q in [
            "lon=114.3",
            "lon=114.3&lat=30.6&crs=EPSG:4326",
            "lon=114.3&lon=114.4",
            "lon=114.3&lat=30.6&lat=30.7",
            "lon=114%2E3&lat=30.6",
            "lon=+114.3&lat=30.6",
            "lon=abc&lat=30.6",
            "lon=NaN&lat=30.6",
            "lon=inf&lat=30.6",
            "lon=200&lat=30.6",
            "lon=114.3&lat=95",
            "x=114.3&y=30.6",
            "lon&lat=30.6",
            "",
        ] {
            assert_eq!(plain_lon_lat(q), None, "{q}");
        }
    }
}
