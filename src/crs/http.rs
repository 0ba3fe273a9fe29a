//! `crs=` query-parameter helpers for HTTP handlers (坐标系参数).
//!
//! Handlers that take coordinates call [`crs_param`] and [`point_in_crs`];
//! answers then echo the CRS used with [`echo`].

use std::collections::HashMap;

use serde_json::{json, Value};

use super::{parse_crs_param, Crs, CrsId};
use crate::server::problem::Problem;

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
    let x = crate::server::params::number_param(q, nx)?;
    let y = crate::server::params::number_param(q, ny)?;
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

/// The point of a request (请求坐标): WGS 84 lon/lat, plus — when `crs=` is
/// present — the CRS and the point as given, for the answer's [`echo`].
/// Without `crs` the point is `lon`/`lat` in WGS 84, as before.
pub fn request_point(q: &HashMap<String, String>) -> Result<(XY, Option<(CrsId, XY)>), Problem> {
    if q.contains_key("crs") {
        let crs = crs_param(q)?;
        let (lonlat, input) = point_in_crs(q, crs)?;
        Ok((lonlat, Some((crs, input))))
    } else {
        Ok((crate::server::params::lon_lat(q)?, None))
    }
}

/// The `crs` echo member of an answer whose input is not a single point
/// (an issue footprint, a river): the CRS used, without `input`.
pub fn echo_id(crs: CrsId) -> Value {
    json!({"id": crs, "name": crs.name(), "unit": crs.unit()})
}

/// Any answer plus the echo of the CRS used (坐标系回显): the answer's
/// members keep their place and `crs` is added (see [`echo`], [`echo_id`]).
#[derive(Debug, serde::Serialize)]
pub struct InCrs<T> {
    /// The ordinary answer.
    #[serde(flatten)]
    pub answer: T,
    /// The echo of the CRS.
    pub crs: Value,
}

/// The converter for an optional `crs` query parameter: `None` when the
/// parameter is absent (the answer is then unchanged), a 400 problem with
/// `parameter: crs` when it names no supported CRS.
pub fn optional_crs(q: &HashMap<String, String>) -> Result<Option<Crs>, Problem> {
    if !q.contains_key("crs") {
        return Ok(None);
    }
    let id = crs_param(q)?;
    Crs::new(id)
        .map(Some)
        .map_err(|e| Problem::bad_request(e.to_string()).with("parameter", "crs"))
}

/// A 400 problem for a WGS 84 coordinate of an answer that cannot be
/// expressed in the requested CRS (e.g. beyond Web Mercator's latitude limit).
pub fn output_problem(e: super::CrsError) -> Problem {
    Problem::bad_request(format!(
        "the answer cannot be given in the requested CRS: {e}"
    ))
    .with("parameter", "crs")
}

/// Adds `x` and `y` (the point in `crs`) to every JSON object of `v` that has
/// numeric `lon` and `lat` members (WGS 84), at any depth. `lon`/`lat` are kept,
/// so they always mean WGS 84 longitude/latitude in every answer.
pub fn add_xy(v: &mut Value, crs: &Crs) -> Result<(), super::CrsError> {
    match v {
        Value::Object(m) => {
            if let (Some(lon), Some(lat)) = (
                m.get("lon").and_then(Value::as_f64),
                m.get("lat").and_then(Value::as_f64),
            ) {
                let (x, y) = crs.from_wgs84(lon, lat)?;
                m.insert("x".into(), json!(x));
                m.insert("y".into(), json!(y));
            }
            for child in m.values_mut() {
                add_xy(child, crs)?;
            }
            Ok(())
        }
        Value::Array(a) => a.iter_mut().try_for_each(|c| add_xy(c, crs)),
        _ => Ok(()),
    }
}

/// Converts a WGS 84 `[lon, lat]` pair to `[x, y]` in `crs`.
pub fn pair_in(crs: &Crs, lonlat: [f64; 2]) -> Result<[f64; 2], super::CrsError> {
    crs.from_wgs84(lonlat[0], lonlat[1]).map(|(x, y)| [x, y])
}

/// Reprojects every position of a GeoJSON object (geometry, Feature,
/// FeatureCollection or GeometryCollection) from WGS 84 to `crs`, in place.
/// A `bbox` member is dropped (it would no longer match).
pub fn reproject_geojson(v: &mut Value, crs: &Crs) -> Result<(), super::CrsError> {
    fn positions(v: &mut Value, crs: &Crs) -> Result<(), super::CrsError> {
        let Value::Array(a) = v else { return Ok(()) };
        if a.first().is_some_and(Value::is_number) {
            if let (Some(lon), Some(lat)) = (
                a.first().and_then(Value::as_f64),
                a.get(1).and_then(Value::as_f64),
            ) {
                let (x, y) = crs.from_wgs84(lon, lat)?;
                a[0] = json!(x);
                a[1] = json!(y);
            }
            return Ok(());
        }
        a.iter_mut().try_for_each(|c| positions(c, crs))
    }
    let Value::Object(m) = v else { return Ok(()) };
    m.remove("bbox");
    if let Some(c) = m.get_mut("coordinates") {
        positions(c, crs)?;
    }
    for key in ["geometry", "features", "geometries"] {
        match m.get_mut(key) {
            Some(Value::Array(items)) => {
                for item in items {
                    reproject_geojson(item, crs)?;
                }
            }
            Some(g @ Value::Object(_)) => reproject_geojson(g, crs)?,
            _ => {}
        }
    }
    Ok(())
}

/// The pre-RFC 7946 GeoJSON `crs` member naming `crs` (as GDAL writes and
/// reads it): `urn:ogc:def:crs:EPSG::<code>`, the OGC URN of CRS84, or the
/// plain name of CRSs without an EPSG code (`GCJ-02`, `BD-09`).
pub fn geojson_crs_member(crs: CrsId) -> Value {
    let name = match (crs, crs.epsg()) {
        (CrsId::Crs84, _) => "urn:ogc:def:crs:OGC:1.3:CRS84".to_string(),
        (_, Some(c)) => format!("urn:ogc:def:crs:EPSG::{c}"),
        (c, None) => c.to_string(),
    };
    json!({"type": "name", "properties": {"name": name}})
}

/// Reads the CRS of a GeoJSON input: a `crs` member that is either a CRS
/// string (`"EPSG:4547"`) or the pre-RFC 7946 named CRS object
/// (`{"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}}`).
/// `Ok(None)` when absent.
pub fn crs_member(v: Option<&Value>) -> Result<Option<CrsId>, super::CrsError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => super::parse_crs_param(Some(s)).map(Some),
        Some(o) => match o.pointer("/properties/name").and_then(Value::as_str) {
            Some(s) => CrsId::parse(s).map(Some),
            None => Err(super::CrsError::Unknown(
                o.to_string().chars().take(80).collect(),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reprojects_every_position_and_adds_xy() {
        let crs = Crs::parse("EPSG:3857").expect("crs");
        let mut fc = json!({"type": "FeatureCollection", "bbox": [0, 0, 1, 1], "features": [
            {"type": "Feature", "properties": {"lon": 1}, "geometry":
                {"type": "GeometryCollection", "geometries": [
                    {"type": "Point", "coordinates": [114.0, 30.0]},
                    {"type": "Polygon", "coordinates": [[[114.0, 30.0], [115.0, 30.0], [114.0, 31.0], [114.0, 30.0]]]}]}}]});
        reproject_geojson(&mut fc, &crs).expect("reproject");
        assert!(fc.get("bbox").is_none());
        let p = &fc["features"][0]["geometry"]["geometries"][0]["coordinates"];
        let back = crs
            .to_wgs84(p[0].as_f64().unwrap_or(0.0), p[1].as_f64().unwrap_or(0.0))
            .expect("back");
        assert!((back.0 - 114.0).abs() < 1e-9 && (back.1 - 30.0).abs() < 1e-9);
        let ring = &fc["features"][0]["geometry"]["geometries"][1]["coordinates"][0];
        assert!(ring[1][0].as_f64().unwrap_or(0.0) > 1.2e7);
        assert_eq!(
            fc["features"][0]["properties"]["lon"], 1,
            "properties untouched"
        );

        let mut nav = json!({"snapped": {"lon": 114.0, "lat": 30.0}, "events": [{"lon": 115.0, "lat": 30.5}]});
        add_xy(&mut nav, &crs).expect("xy");
        assert!(nav["snapped"]["x"].as_f64().unwrap_or(0.0) > 1.2e7);
        assert!(nav["events"][0]["y"].is_number());
        assert_eq!(nav["snapped"]["lon"], 114.0);
    }

    #[test]
    fn reads_crs_members() {
        assert_eq!(crs_member(None), Ok(None));
        assert_eq!(
            crs_member(Some(&json!("EPSG:4547"))).map(|c| c.map(|c| c.to_string())),
            Ok(Some("EPSG:4547".into()))
        );
        let named = geojson_crs_member(CrsId::parse("gcj02").expect("gcj"));
        assert_eq!(crs_member(Some(&named)), Ok(Some(CrsId::Gcj02)));
        let named = geojson_crs_member(CrsId::Crs84);
        assert_eq!(crs_member(Some(&named)), Ok(Some(CrsId::Crs84)));
        assert!(crs_member(Some(&json!({"type": "link"}))).is_err());
        assert!(crs_member(Some(&json!("not-a-crs"))).is_err());
        // Without PROJ only the built-in CRSs parse; with `proj` any EPSG code
        // parses and an unknown one fails when PROJ builds the transformation.
        #[cfg(not(feature = "proj"))]
        assert!(crs_member(Some(&json!("EPSG:1"))).is_err());
    }
}
