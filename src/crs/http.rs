//! `crs=` query-parameter helpers for HTTP handlers (坐标系参数).
//!
//! Handlers that take coordinates call [`crs_param`] and [`point_in_crs`];
//! answers then echo the CRS used with [`echo`].

use std::collections::HashMap;

use serde_json::{json, Value};

use super::{parse_crs_param, Crs, CrsId};
use crate::http::problem::Problem;

/// A coordinate pair.
pub type XY = (f64, f64);

/// The `crs` query parameter (default OGC:CRS84), or a 400 problem.
pub fn crs_param(q: &HashMap<String, String>) -> Result<CrsId, Problem> {
    parse_crs_param(q.get("crs").map(String::as_str))
        .map_err(|e| Problem::bad_request(e.to_string()).with("parameter", "crs"))
}

/// Reads the point of a request in `crs` and converts it to WGS 84 lon/lat.
/// The coordinates are `x`/`y` or `lon`/`lat` (either pair; `x`/`y` win).
/// Returns `((lon, lat), (x, y))`.
pub fn point_in_crs(q: &HashMap<String, String>, crs: CrsId) -> Result<(XY, XY), Problem> {
    let (nx, ny) = if q.contains_key("x") || q.contains_key("y") {
        ("x", "y")
    } else {
        ("lon", "lat")
    };
    let x = crate::http::locate::number_param(q, nx)?;
    let y = crate::http::locate::number_param(q, ny)?;
    let engine =
        Crs::new(crs).map_err(|e| Problem::bad_request(e.to_string()).with("parameter", "crs"))?;
    let lonlat = engine
        .to_wgs84(x, y)
        .map_err(|e| Problem::bad_request(e.to_string()).with("parameter", nx))?;
    crate::locate::check_lon_lat(lonlat.0, lonlat.1).map_err(Problem::bad_request)?;
    Ok((lonlat, (x, y)))
}

/// The `crs` echo member of an answer: the CRS used and the input point.
pub fn echo(crs: CrsId, input: (f64, f64)) -> Value {
    json!({"id": crs, "name": crs.name(), "unit": crs.unit(), "input": [input.0, input.1]})
}

/// A located answer plus the echo of the CRS the point was given in (the
/// answer's fields keep their order; `crs` comes last).
#[derive(Debug, serde::Serialize)]
pub struct LocatedInCrs {
    /// The ordinary answer.
    #[serde(flatten)]
    pub location: crate::Location,
    /// See [`echo`].
    pub crs: Value,
}
