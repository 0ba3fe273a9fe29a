//! HTTP: `crs=` on `/v1/locate` (answers echo the CRS used), and layer
//! downloads `GET /v1/export/{layer}.{fgb|parquet}` read back with the
//! FlatGeobuf and Parquet readers; golden files for the CRS answer.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use liuyu::crs::{Crs, CrsId};
use liuyu::server::{router, AppState, DataSource};
use liuyu::Atlas;
use serde_json::Value;

fn app() -> axum::Router {
    router(AppState::new(
        Atlas::embedded().expect("atlas"),
        DataSource::Embedded,
    ))
}

async fn get(uri: &str) -> (StatusCode, Vec<(String, String)>, Vec<u8>) {
    let req = Request::builder()
        .uri(uri)
        .body(Body::empty())
        .expect("request");
    let r = common::send(app(), req).await;
    (r.status, r.headers, r.body)
}

/// Golden comparison; `data_version` is checked against the Atlas and then
/// masked, so a data rebuild does not churn this file.
fn golden(name: &str, status: StatusCode, headers: &[(String, String)], body: &[u8]) {
    let mut v: Value = serde_json::from_slice(body).expect("json body");
    assert_eq!(
        v["data_version"],
        Atlas::embedded().expect("atlas").version()
    );
    v["data_version"] = Value::String("<data_version>".into());
    let text = serde_json::to_string_pretty(&v).expect("pretty");
    common::golden(name, status, headers, &text);
}

#[tokio::test]
async fn locate_in_each_crs_matches_wgs84_and_echoes() {
    let (lon, lat) = (114.2538, 30.6060); // 江汉区
    let (s, _, b) = get(&format!("/v1/locate?lon={lon}&lat={lat}")).await;
    assert_eq!(s, StatusCode::OK);
    let want: Value = serde_json::from_slice(&b).expect("json");
    assert!(want.get("crs").is_none(), "plain answer unchanged");
    for id in [
        "EPSG:4547",
        "EPSG:4526",
        "EPSG:3857",
        "GCJ02",
        "BD09",
        "EPSG:4490",
    ] {
        let crs = Crs::parse(id).expect("crs");
        let (x, y) = crs.from_wgs84(lon, lat).expect("fwd");
        let (s, h, b) = get(&format!("/v1/locate?crs={id}&x={x}&y={y}")).await;
        assert_eq!(s, StatusCode::OK, "{id}");
        let v: Value = serde_json::from_slice(&b).expect("json");
        assert_eq!(v["county"], want["county"], "{id}");
        assert_eq!(v["zone"], want["zone"], "{id}");
        assert_eq!(v["crs"]["id"], crs.id().to_string());
        let echoed = v["crs"]["input"][0].as_f64().expect("echoed x");
        assert!(
            (echoed - x).abs() <= 1e-9 * x.abs(),
            "{id}: {echoed} vs {x}"
        );
        if id == "EPSG:4547" {
            golden("crs_locate_4547.txt", s, &h, &b);
        }
    }
    // lon/lat names work for geographic CRSs too.
    let (gx, gy) = Crs::new(CrsId::Gcj02)
        .expect("gcj")
        .from_wgs84(lon, lat)
        .expect("fwd");
    let (s, _, b) = get(&format!("/v1/locate?crs=gcj02&lon={gx}&lat={gy}")).await;
    assert_eq!(s, StatusCode::OK);
    let v: Value = serde_json::from_slice(&b).expect("json");
    assert_eq!(v["county"]["adcode"], "420103");
}

/// GETs `uri`, asserts a 400 problem+json, and returns the problem.
async fn bad_request_problem(uri: &str) -> Value {
    let (s, h, b) = get(uri).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}");
    assert!(
        h.iter()
            .any(|(k, v)| k == "content-type" && v == "application/problem+json"),
        "{uri}"
    );
    let v: Value = serde_json::from_slice(&b).expect("problem json");
    assert_eq!(v["status"], 400, "{uri}");
    v
}

#[tokio::test]
async fn crs_errors_are_problems() {
    for uri in [
        "/v1/locate?crs=EPSG:999999&x=1&y=2",
        "/v1/locate?crs=nonsense&lon=114&lat=30",
        "/v1/locate?crs=EPSG:4547&x=abc&y=3380000",
        "/v1/locate?crs=EPSG:3857&x=1e12&y=0",
        "/v1/export/counties.fgb?crs=EPSG:1",
    ] {
        bad_request_problem(uri).await;
    }
    // A valid projected point far outside Hubei is an ordinary answer.
    let (s, _, b) = get("/v1/locate?crs=EPSG:4547&x=1&y=2").await;
    assert_eq!(s, StatusCode::OK);
    let v: Value = serde_json::from_slice(&b).expect("json");
    assert_eq!(v["inside_hubei"], false);
}

#[tokio::test]
async fn export_downloads_read_back() {
    let atlas = Atlas::embedded().expect("atlas");
    let (s, h, b) = get("/v1/export/counties.fgb").await;
    assert_eq!(s, StatusCode::OK);
    assert!(h.contains(&("content-type".into(), "application/flatgeobuf".into())));
    assert!(h.contains(&(
        "content-disposition".into(),
        "attachment; filename=\"counties.fgb\"".into()
    )));
    let mut cur = std::io::Cursor::new(b);
    let fgb = flatgeobuf::FgbReader::open(&mut cur).expect("fgb");
    assert_eq!(fgb.header().features_count(), 103);

    let (s, h, b) = get("/v1/export/zones.parquet?crs=EPSG:4547").await;
    assert_eq!(s, StatusCode::OK);
    assert!(h.contains(&("x-liuyu-crs".into(), "EPSG:4547".into())));
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let r = SerializedFileReader::new(axum::body::Bytes::from(b)).expect("parquet");
    assert_eq!(
        r.metadata().file_metadata().num_rows() as usize,
        atlas.layer(liuyu::LayerKind::Zone).units.len()
    );

    for uri in [
        "/v1/export/nope.fgb",
        "/v1/export/counties.xlsx",
        "/v1/export/counties",
    ] {
        let (s, h, _) = get(uri).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{uri}");
        assert!(h
            .iter()
            .any(|(k, v)| k == "content-type" && v == "application/problem+json"));
    }
}

/// The CRSs every endpoint is checked through (GK without and with zone
/// prefix, Web Mercator, CGCS2000 geographic, GCJ-02, BD-09).
const CRSS: [&str; 6] = [
    "EPSG:4547",
    "EPSG:4526",
    "EPSG:3857",
    "EPSG:4490",
    "GCJ02",
    "BD09",
];

async fn post(uri: &str, body: &Value) -> (StatusCode, Value) {
    let req = Request::builder()
        .method("POST")
        .uri(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    let r = common::send(app(), req).await;
    (r.status, r.json())
}

async fn get_json(uri: &str) -> (StatusCode, Value) {
    let (s, _, b) = get(uri).await;
    (s, serde_json::from_slice(&b).expect("json body"))
}

#[tokio::test]
async fn profile_in_each_crs_matches_wgs84_and_echoes() {
    let (lon, lat) = (114.2538, 30.6060); // 江汉区
    let (s, want) = get_json(&format!("/v1/profile?lon={lon}&lat={lat}&date=2027-01-10")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(want.get("crs").is_none(), "plain answer unchanged");
    for id in CRSS {
        let crs = Crs::parse(id).expect("crs");
        let (x, y) = crs.from_wgs84(lon, lat).expect("fwd");
        let (s, v) = get_json(&format!("/v1/profile?crs={id}&x={x}&y={y}&date=2027-01-10")).await;
        assert_eq!(s, StatusCode::OK, "{id}");
        assert_eq!(v["crs"]["id"], crs.id().to_string(), "{id}");
        let echoed = v["crs"]["input"][0].as_f64().expect("echoed x");
        assert!(
            (echoed - x).abs() <= 1e-12 * x.abs(),
            "{id}: {echoed} vs {x}"
        );
        assert_eq!(v["county"], want["county"], "{id}");
        assert_eq!(v["zone"], want["zone"], "{id}");
        assert_eq!(v["governance"], want["governance"], "{id}");
        for k in ["lon", "lat"] {
            let d = (v[k].as_f64().expect(k) - want[k].as_f64().expect(k)).abs();
            assert!(d < 1e-7, "{id}: {k} off by {d}");
        }
    }
}

/// Every point object (`lon`/`lat`) of a navigation answer: its `x`/`y`
/// converted back to WGS 84 equal the plain answer's `lon`/`lat` within 1e-7°.
fn check_xy_points(id: &str, crs: &Crs, got: &Value, want: &Value) -> usize {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            let mut n = 0;
            if let (Some(lon), Some(lat)) = (
                w.get("lon").and_then(Value::as_f64),
                w.get("lat").and_then(Value::as_f64),
            ) {
                let x = g.get("x").and_then(Value::as_f64).expect("x");
                let y = g.get("y").and_then(Value::as_f64).expect("y");
                let (blon, blat) = crs.to_wgs84(x, y).expect("back");
                assert!(
                    (blon - lon).abs() < 1e-7 && (blat - lat).abs() < 1e-7,
                    "{id}: ({blon}, {blat}) vs ({lon}, {lat})"
                );
                n += 1;
            }
            for (k, wv) in w {
                n += check_xy_points(id, crs, &g[k], wv);
            }
            n
        }
        (Value::Array(g), Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "{id}");
            g.iter()
                .zip(w)
                .map(|(g, w)| check_xy_points(id, crs, g, w))
                .sum()
        }
        _ => 0,
    }
}

/// Drops `x`/`y` and the echo, so answers through a CRS can be compared
/// with the plain one.
fn strip_xy(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !matches!(k.as_str(), "x" | "y" | "crs"))
                .map(|(k, v)| (k.clone(), strip_xy(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_xy).collect()),
        other => other.clone(),
    }
}

/// Equal JSON, numbers within 1e-6 relative (1e-7 absolute): a point sent
/// through a CRS comes back within ~1e-9 degrees, which moves lengths and
/// areas in their last digits only.
fn assert_same(what: &str, got: &Value, want: &Value) {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            let gk: Vec<&String> = g.keys().collect();
            let wk: Vec<&String> = w.keys().collect();
            assert_eq!(gk, wk, "{what}: members");
            for (k, wv) in w {
                assert_same(&format!("{what}.{k}"), &g[k], wv);
            }
        }
        (Value::Array(g), Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "{what}: length");
            for (i, (g, w)) in g.iter().zip(w).enumerate() {
                assert_same(&format!("{what}[{i}]"), g, w);
            }
        }
        (Value::Number(g), Value::Number(w)) => {
            let (g, w) = (g.as_f64().unwrap_or(0.0), w.as_f64().unwrap_or(0.0));
            assert!(
                (g - w).abs() <= 1e-7_f64.max(1e-6 * w.abs()),
                "{what}: {g} vs {w}"
            );
        }
        _ => assert_eq!(got, want, "{what}"),
    }
}

#[tokio::test]
async fn navigate_in_each_crs_matches_wgs84_and_returns_xy() {
    let (lon, lat) = (112.15, 32.03); // by the 汉江 at Xiangyang
    for mode in ["DM", "UT"] {
        let (s, want) = get_json(&format!(
            "/v1/navigate/{mode}?lon={lon}&lat={lat}&distance_km=300"
        ))
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(want.get("crs").is_none() && want["snapped"].get("x").is_none());
        for id in CRSS {
            let crs = Crs::parse(id).expect("crs");
            let (x, y) = crs.from_wgs84(lon, lat).expect("fwd");
            let (s, v) = get_json(&format!(
                "/v1/navigate/{mode}?crs={id}&x={x}&y={y}&distance_km=300"
            ))
            .await;
            assert_eq!(s, StatusCode::OK, "{id}");
            assert_eq!(v["crs"]["id"], crs.id().to_string(), "{id}");
            assert_eq!(v["snapped"]["river"], want["snapped"]["river"], "{id}");
            assert_eq!(v["snapped"]["edge"], want["snapped"]["edge"], "{id}");
            for k in ["counties", "zones", "prefectures", "basins"] {
                let ids = |a: &Value| -> Vec<Value> {
                    a[k].as_array()
                        .expect(k)
                        .iter()
                        .map(|p| p["id"].clone())
                        .collect()
                };
                assert_eq!(ids(&v), ids(&want), "{id} {k}");
            }
            assert_same(id, &strip_xy(&v), &strip_xy(&want));
            let n = check_xy_points(id, &crs, &v, &want);
            assert!(n >= 2, "{id}: snapped point and events checked ({n})");
        }
    }
}

#[tokio::test]
async fn rivers_banks_and_lakes_in_a_crs() {
    let (_, plain) = get_json("/v1/rivers/hanjiang").await;
    for id in CRSS {
        let crs = Crs::parse(id).expect("crs");
        let (s, v) = get_json(&format!("/v1/rivers/hanjiang?crs={id}")).await;
        assert_eq!(s, StatusCode::OK, "{id}");
        let name = v["crs"]["properties"]["name"].as_str().expect("crs name");
        assert_eq!(CrsId::parse(name).expect("named crs"), crs.id(), "{id}");
        let (f, w) = (&v["features"], &plain["features"]);
        assert_eq!(f.as_array().map(Vec::len), w.as_array().map(Vec::len));
        for (fg, fw) in f
            .as_array()
            .into_iter()
            .flatten()
            .zip(w.as_array().into_iter().flatten())
        {
            assert_eq!(fg["id"], fw["id"]);
            let (cg, cw) = (
                &fg["geometry"]["coordinates"],
                &fw["geometry"]["coordinates"],
            );
            for (pg, pw) in cg
                .as_array()
                .into_iter()
                .flatten()
                .zip(cw.as_array().into_iter().flatten())
            {
                let (blon, blat) = crs
                    .to_wgs84(pg[0].as_f64().expect("x"), pg[1].as_f64().expect("y"))
                    .expect("back");
                assert!((blon - pw[0].as_f64().expect("lon")).abs() < 1e-7, "{id}");
                assert!((blat - pw[1].as_f64().expect("lat")).abs() < 1e-7, "{id}");
            }
        }
        let (s, b) = get_json(&format!("/v1/rivers/hanjiang/banks?crs={id}")).await;
        assert_eq!(s, StatusCode::OK, "{id}");
        assert_eq!(b["crs"]["id"], crs.id().to_string());
        for p in b["pairs"].as_array().into_iter().flatten() {
            let (blon, blat) = crs
                .to_wgs84(
                    p["mid_xy"][0].as_f64().expect("x"),
                    p["mid_xy"][1].as_f64().expect("y"),
                )
                .expect("back");
            assert!(
                (blon - p["mid"][0].as_f64().expect("lon")).abs() < 1e-7,
                "{id}"
            );
            assert!(
                (blat - p["mid"][1].as_f64().expect("lat")).abs() < 1e-7,
                "{id}"
            );
        }
    }
    let (s, lakes) = get_json("/v1/lakes?crs=EPSG:4547").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        lakes["crs"]["properties"]["name"],
        "urn:ogc:def:crs:EPSG::4547"
    );
    let x = lakes["features"][0]["geometry"]["coordinates"][0][0][0]
        .as_f64()
        .expect("easting");
    assert!(x > 100_000.0, "metres, got {x}");
    let (_, plain) = get_json("/v1/lakes").await;
    assert!(plain.get("crs").is_none());
}

/// A footprint given in WGS 84, converted position by position to `crs`.
fn footprint_in(crs: &Crs, v: &Value) -> Value {
    match v {
        Value::Array(a) if a.first().is_some_and(Value::is_number) => {
            let (x, y) = crs
                .from_wgs84(a[0].as_f64().expect("lon"), a[1].as_f64().expect("lat"))
                .expect("fwd");
            serde_json::json!([x, y])
        }
        Value::Array(a) => Value::Array(a.iter().map(|c| footprint_in(crs, c)).collect()),
        other => other.clone(),
    }
}

#[tokio::test]
async fn analyze_in_each_crs_matches_wgs84_and_echoes() {
    // A polygon across the Ezhou / Huanggang boundary (the Yangtze), and a line.
    let polygon = serde_json::json!({"type": "Polygon", "coordinates": [[[114.78, 30.35], [114.95, 30.35], [114.95, 30.50], [114.78, 30.50], [114.78, 30.35]]]});
    let line = serde_json::json!({"type": "LineString", "coordinates": [[110.79, 32.63], [112.13, 32.06]]});
    for (matter, fp) in [("water", &polygon), ("air", &line)] {
        let (s, want) = post(
            "/v1/issues/analyze",
            &serde_json::json!({"matter": matter, "footprint": fp}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{want}");
        assert!(want.get("crs").is_none(), "plain answer unchanged");
        for id in CRSS {
            let crs = Crs::parse(id).expect("crs");
            let mut moved = fp.clone();
            moved["coordinates"] = footprint_in(&crs, &fp["coordinates"]);
            // Once in the body, once as ?crs=, once in both.
            for (uri, body_crs) in [
                ("/v1/issues/analyze".to_string(), Some(id)),
                (format!("/v1/issues/analyze?crs={id}"), None),
                (format!("/v1/issues/analyze?crs={id}"), Some(id)),
            ] {
                let mut body = serde_json::json!({"matter": matter, "footprint": moved});
                if let Some(c) = body_crs {
                    body["crs"] = Value::String(c.into());
                }
                let (s, v) = post(&uri, &body).await;
                assert_eq!(s, StatusCode::OK, "{id} {uri}: {v}");
                assert_eq!(v["crs"]["id"], crs.id().to_string(), "{id}");
                assert_same(&format!("{id} {uri}"), &strip_xy(&v), &strip_xy(&want));
            }
        }
        // The footprint's own named `crs` member (as /v1/export writes it) counts.
        let crs = Crs::parse("EPSG:4547").expect("crs");
        let fc = serde_json::json!({"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}},
            "features": [{"type": "Feature", "properties": {}, "geometry":
                {"type": fp["type"], "coordinates": footprint_in(&crs, &fp["coordinates"])}}]});
        let (s, v) = post(
            "/v1/issues/analyze",
            &serde_json::json!({"matter": matter, "footprint": fc}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["crs"]["id"], "EPSG:4547");
        assert_same("named crs", &strip_xy(&v), &strip_xy(&want));
    }
}

#[tokio::test]
async fn bad_crs_is_a_400_problem_naming_crs() {
    for uri in [
        "/v1/profile?crs=EPSG:1&x=1&y=2",
        "/v1/profile?crs=nonsense&lon=114&lat=30",
        "/v1/profile?crs=EPSG:3857&x=1e12&y=0",
        "/v1/navigate/DM?crs=EPSG:1&x=1&y=2",
        "/v1/navigate/DM?crs=bd10&lon=112.15&lat=32.03",
        "/v1/rivers/hanjiang?crs=EPSG:1",
        "/v1/rivers/hanjiang/banks?crs=foo",
        "/v1/lakes?crs=foo",
    ] {
        let v = bad_request_problem(uri).await;
        if !uri.contains("1e12") {
            assert_eq!(v["parameter"], "crs", "{uri}");
        }
    }
    let point = serde_json::json!({"type": "Point", "coordinates": [525000.0, 3386000.0]});
    for (uri, body) in [
        (
            "/v1/issues/analyze?crs=EPSG:1",
            serde_json::json!({"matter": "air", "footprint": point}),
        ),
        (
            "/v1/issues/analyze",
            serde_json::json!({"matter": "air", "crs": "nope", "footprint": point}),
        ),
        (
            "/v1/issues/analyze",
            serde_json::json!({"matter": "air", "crs": {"type": "link"}, "footprint": point}),
        ),
        (
            "/v1/issues/analyze?crs=EPSG:4547",
            serde_json::json!({"matter": "air", "crs": "EPSG:4526", "footprint": point}),
        ),
        (
            "/v1/issues/analyze?crs=EPSG:4547",
            serde_json::json!({"matter": "air", "footprint":
            {"type": "Feature", "crs": {"type": "name", "properties": {"name": "EPSG:3857"}}, "properties": {}, "geometry": point}}),
        ),
    ] {
        let (s, v) = post(uri, &body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri} {body}: {v}");
        assert_eq!(v["parameter"], "crs", "{uri} {body}");
    }
    // Projected metres given without crs are out of range (the existing path),
    // and a position outside the CRS's domain is refused at its path.
    let (s, v) = post(
        "/v1/issues/analyze",
        &serde_json::json!({"matter": "air", "footprint": point}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        v["type"].as_str().map(|t| t.ends_with("invalid-footprint")),
        Some(true),
        "{v}"
    );
    let (s, v) = post(
        "/v1/issues/analyze?crs=EPSG:3857",
        &serde_json::json!({"matter": "air",
        "footprint": {"type": "LineString", "coordinates": [[1.27e7, 3.5e6], [1e12, 0]]}}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["path"], "footprint.coordinates[1]", "{v}");
}

/// Golden answers (with headers) of the routes that gained `crs=`: a short
/// downstream trace from the 汉江 mouth given in CGCS2000 GK zone 39
/// (EPSG:4547, `x`/`y` beside every lon/lat) and a governance profile given in
/// GCJ-02 (a point clicked on an Amap / Tencent map).
#[tokio::test]
async fn crs_answers_golden() {
    let to_4547 = Crs::parse("EPSG:4547").expect("4547");
    let (x, y) = to_4547.from_wgs84(114.2538, 30.5760).expect("gk");
    let (s, h, b) = get(&format!(
        "/v1/navigate/DM?x={x:.3}&y={y:.3}&crs=EPSG:4547&distance_km=15"
    ))
    .await;
    assert_eq!(s, StatusCode::OK);
    golden("crs_navigate_dm_4547.txt", s, &h, &b);
    let gcj = Crs::parse("gcj02").expect("gcj02");
    let (gx, gy) = gcj.from_wgs84(114.2538, 30.6060).expect("gcj");
    let (s, h, b) = get(&format!(
        "/v1/profile?lon={gx:.7}&lat={gy:.7}&crs=gcj02&date=2027-01-10"
    ))
    .await;
    assert_eq!(s, StatusCode::OK);
    golden("crs_profile_gcj02.txt", s, &h, &b);
}
