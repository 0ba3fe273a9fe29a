//! `/v1/air/downwind` over HTTP (GET and POST) and `liuyu downwind`: answers,
//! the plume in a requested CRS, one footprint point answering like the GET,
//! 400/413/422 problem+json for every invalid wind or footprint, and the
//! OpenAPI entries of the routes.

mod common;

use std::process::Command;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use liuyu::air::http::ROUTES;
use liuyu::crs::Crs;
use liuyu::governance::http::OPENAPI;
use liuyu::server::{router, AppState, DataSource};
use liuyu::Atlas;
use serde_json::{json, Value};

fn app() -> axum::Router {
    static APP: OnceLock<axum::Router> = OnceLock::new();
    APP.get_or_init(|| {
        router(AppState::new(
            Atlas::embedded().expect("atlas"),
            DataSource::Embedded,
        ))
    })
    .clone()
}

async fn get(uri: &str) -> (StatusCode, String, Value) {
    let r = common::send(app(), Request::get(uri).body(Body::empty()).unwrap()).await;
    (r.status, r.content_type(), r.json_or_null())
}

async fn post(uri: &str, body: impl Into<Body>) -> (StatusCode, String, Value) {
    let req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap();
    let r = common::send(app(), req).await;
    (r.status, r.content_type(), r.json_or_null())
}

fn assert_problem(r: &(StatusCode, String, Value), status: u16) -> &Value {
    assert_eq!(r.0.as_u16(), status, "{}", r.2);
    assert!(r.1.starts_with("application/problem+json"), "{}", r.1);
    assert_eq!(r.2["status"], status);
    assert!(r.2["detail"].as_str().is_some_and(|d| !d.is_empty()));
    &r.2
}

const XIANGYANG: &str = "lon=112.122&lat=32.009";

fn names(v: &Value, list: &str) -> Vec<String> {
    v["downwind"][list]
        .as_array()
        .expect("list")
        .iter()
        .map(|u| u["adcode"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn get_answers_with_plume_clauses_and_scope() {
    let (s, ct, v) = get(&format!(
        "/v1/air/downwind?{XIANGYANG}&wind_from=0&speed=5&hours=12"
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(ct.starts_with("application/json"));
    assert_eq!(v["plume"]["type"], "Polygon");
    assert!(names(&v, "prefectures").contains(&"420800".to_string()));
    assert!(v["downwind"]["counties"][0]["arrival_hours"].is_number());
    assert!(v["scope"].as_str().unwrap().contains("no terrain"));
    assert!(v["basis"].as_array().unwrap().contains(&json!("十四")));
    assert_eq!(v["wind"]["spread_deg"], 20.0);
    assert!(v["notify"].as_array().is_some_and(|n| !n.is_empty()));
    // A wider spread reaches at least as much.
    let (_, _, w) = get(&format!(
        "/v1/air/downwind?{XIANGYANG}&wind_from=0&speed=5&hours=12&spread=40"
    ))
    .await;
    assert!(w["plume_area_km2"].as_f64() > v["plume_area_km2"].as_f64());
}

#[tokio::test]
async fn invalid_winds_are_400_problems_naming_the_parameter() {
    for (q, param) in [
        ("wind_from=0&speed=-1&hours=5", "speed"),
        ("wind_from=0&speed=NaN&hours=5", "speed"),
        ("wind_from=NaN&speed=3&hours=5", "wind_from"),
        ("wind_from=0&speed=3&hours=73", "hours"),
        ("wind_from=0&speed=3&hours=0", "hours"),
        ("wind_from=400&speed=3&hours=5", "wind_from"),
        ("wind_from=0&speed=3&hours=5&spread=0", "spread"),
        ("wind_from=0&speed=3", "hours"),
        ("speed=3&hours=5", "wind_from"),
        ("wind_from=0&speed=fast&hours=5", "speed"),
    ] {
        let r = get(&format!("/v1/air/downwind?{XIANGYANG}&{q}")).await;
        let p = assert_problem(&r, 400);
        assert_eq!(p["parameter"], param, "{q}: {p}");
    }
    let r = get("/v1/air/downwind?lon=200&lat=32&wind_from=0&speed=3&hours=5").await;
    assert_problem(&r, 400);
    // Calm, and a travel beyond the regional scope: valid but not estimable.
    let r = get(&format!(
        "/v1/air/downwind?{XIANGYANG}&wind_from=0&speed=0&hours=5"
    ))
    .await;
    assert_eq!(assert_problem(&r, 422)["type"], "/problems/calm-wind");
    let r = get(&format!(
        "/v1/air/downwind?{XIANGYANG}&wind_from=0&speed=30&hours=72"
    ))
    .await;
    assert_eq!(assert_problem(&r, 422)["type"], "/problems/beyond-scope");
}

fn series(entries: &[(f64, f64, f64)]) -> Value {
    Value::Array(
        entries
            .iter()
            .map(|(h, f, s)| json!({"hour": h, "wind_from": f, "speed": s}))
            .collect(),
    )
}

#[tokio::test]
async fn post_series_and_invalid_series() {
    let fp = json!({"type": "Point", "coordinates": [112.122, 32.009]});
    let body = json!({"footprint": fp, "wind": {"series": series(&[(0.0, 0.0, 5.0), (3.0, 45.0, 5.0), (6.0, 90.0, 5.0)]), "hours": 9}});
    let (s, _, v) = post("/v1/air/downwind", body.to_string()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["wind"]["steps"].as_array().unwrap().len(), 3);
    assert_eq!(v["source"]["kind"], "footprint");
    for (wind, path) in [
        (
            json!({"series": series(&[(0.0, 0.0, 5.0), (2.0, 0.0, 5.0), (1.0, 0.0, 5.0)])}),
            "wind.series[2].hour",
        ),
        (
            json!({"series": series(&[(0.0, 0.0, 5.0), (1.0, 0.0, 5.0), (1.0, 10.0, 5.0)])}),
            "wind.series[2].hour",
        ),
        (
            json!({"series": series(&[(0.0, 0.0, -5.0)])}),
            "wind.series[0].speed",
        ),
        (
            json!({"series": series(&[(0.0, 0.0, 5.0)]), "hours": 80}),
            "wind.hours",
        ),
        (json!({"series": []}), "wind.series"),
        (json!({"wind_from": 0, "speed": 2}), "wind.hours"),
    ] {
        let r = post(
            "/v1/air/downwind",
            json!({"footprint": fp, "wind": wind}).to_string(),
        )
        .await;
        let p = assert_problem(&r, 400);
        assert_eq!(p["path"], path, "{wind}: {p}");
    }
    // Bad bodies and footprints.
    assert_problem(&post("/v1/air/downwind", "not json").await, 400);
    assert_problem(
        &post("/v1/air/downwind", json!({"footprint": fp}).to_string()).await,
        400,
    );
    let bad = json!({"footprint": {"type": "Point", "coordinates": [500, 1]}, "wind": {"wind_from": 0, "speed": 2, "hours": 3}});
    assert_eq!(
        assert_problem(&post("/v1/air/downwind", bad.to_string()).await, 400)["type"],
        "/problems/invalid-footprint"
    );
    let extra =
        json!({"footprint": fp, "wind": {"wind_from": 0, "speed": 2, "hours": 3, "gust": 9}});
    assert_problem(&post("/v1/air/downwind", extra.to_string()).await, 400);
    let many: Vec<Value> = (0..100_001)
        .map(|i| json!([112.0 + f64::from(i) * 1e-7, 32.0]))
        .collect();
    let big = json!({"footprint": {"type": "MultiPoint", "coordinates": many}, "wind": {"wind_from": 0, "speed": 2, "hours": 3}});
    let r = post("/v1/air/downwind", big.to_string()).await;
    assert!(r.0 == StatusCode::PAYLOAD_TOO_LARGE, "{}", r.0);
}

#[tokio::test]
async fn a_footprint_point_answers_like_the_get() {
    let (_, _, g) = get(&format!(
        "/v1/air/downwind?{XIANGYANG}&wind_from=30&speed=4&hours=10"
    ))
    .await;
    let body = json!({"footprint": {"type": "Point", "coordinates": [112.122, 32.009]}, "wind": {"wind_from": 30, "speed": 4, "hours": 10}});
    let (_, _, p) = post("/v1/air/downwind", body.to_string()).await;
    assert_eq!(g["downwind"], p["downwind"]);
    assert_eq!(g["notify"], p["notify"]);
    assert_eq!(g["plume"], p["plume"]);
}

#[tokio::test]
async fn a_line_and_a_polygon_source() {
    // A burning field edge along the 汉江 south of 襄阳, and a field polygon.
    let line = json!({"type": "LineString", "coordinates": [[112.10, 31.90], [112.20, 31.80], [112.25, 31.70]]});
    let wind = json!({"wind_from": 315, "speed": 3, "hours": 6});
    let (s, _, l) = post(
        "/v1/air/downwind",
        json!({"footprint": line, "wind": wind}).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{l}");
    let field = json!({"type": "Polygon", "coordinates": [[[112.10, 31.90], [112.20, 31.90], [112.20, 31.95], [112.15, 31.92], [112.10, 31.95], [112.10, 31.90]]]});
    let (s, _, f) = post(
        "/v1/air/downwind",
        json!({"footprint": field, "wind": wind}).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{f}");
    // Counties holding the source arrive at hour 0.
    for v in [&l, &f] {
        let src: Vec<&Value> = v["downwind"]["counties"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["source"] == true)
            .collect();
        assert!(!src.is_empty());
        assert!(src.iter().all(|c| c["arrival_hours"] == 0.0));
    }
}

#[tokio::test]
async fn plume_in_a_requested_crs() {
    let crs = Crs::parse("EPSG:4547").expect("crs");
    let (x, y) = crs.from_wgs84(112.122, 32.009).expect("xy");
    let (s, _, v) = get(&format!(
        "/v1/air/downwind?crs=EPSG:4547&x={x}&y={y}&wind_from=0&speed=5&hours=6"
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["crs"]["id"], "EPSG:4547");
    let (_, _, w) = get(&format!(
        "/v1/air/downwind?{XIANGYANG}&wind_from=0&speed=5&hours=6"
    ))
    .await;
    let a = &v["plume"]["coordinates"][0];
    let b = &w["plume"]["coordinates"][0];
    assert_eq!(a.as_array().unwrap().len(), b.as_array().unwrap().len());
    for (p, q) in a.as_array().unwrap().iter().zip(b.as_array().unwrap()) {
        let (px, py) = crs
            .from_wgs84(q[0].as_f64().unwrap(), q[1].as_f64().unwrap())
            .unwrap();
        assert!(
            (p[0].as_f64().unwrap() - px).abs() < 0.05
                && (p[1].as_f64().unwrap() - py).abs() < 0.05
        );
    }
    assert_eq!(names(&v, "counties"), names(&w, "counties"));
    let entry = &v["downwind"]["counties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["entry"].is_object())
        .unwrap()["entry"];
    assert!(entry["x"].as_f64().unwrap() > 1e5 && entry["lon"].as_f64().unwrap() > 100.0);
    // POST with ?crs=: the footprint in the CRS, the plume back in it.
    let body = json!({"footprint": {"type": "Point", "coordinates": [x, y]}, "wind": {"wind_from": 0, "speed": 5, "hours": 6}});
    let (s, _, p) = post("/v1/air/downwind?crs=EPSG:4547", body.to_string()).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["crs"]["id"], "EPSG:4547");
    assert_eq!(names(&p, "counties"), names(&w, "counties"));
    let r = post("/v1/air/downwind?crs=EPSG:4547", json!({"crs": "EPSG:3857", "footprint": {"type": "Point", "coordinates": [x, y]}, "wind": {"wind_from": 0, "speed": 5, "hours": 6}}).to_string()).await;
    assert_eq!(assert_problem(&r, 400)["parameter"], "crs");
    let r = get("/v1/air/downwind?crs=EPSG:1&x=1&y=2&wind_from=0&speed=5&hours=6").await;
    assert_eq!(assert_problem(&r, 400)["parameter"], "crs");
}

#[tokio::test]
async fn the_routes_are_in_openapi() {
    let spec: Value = serde_json::from_str(OPENAPI).expect("openapi.json");
    for (method, path) in ROUTES {
        let op = &spec["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is not in openapi.json");
        assert!(op["responses"]["200"].is_object() && op["responses"]["400"].is_object());
    }
    for s in ["AirAnswer", "WindInput", "DownwindRequest"] {
        assert!(spec["components"]["schemas"][s].is_object(), "{s}");
    }
    let schemas = &spec["components"]["schemas"];
    assert!(schemas["AnalyzeRequest"]["properties"]["wind"].is_object());
    assert!(schemas["Analysis"]["properties"]["downwind"].is_object());
}

fn liuyu(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_liuyu"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_downwind_prints_the_answer_and_refuses_bad_winds() {
    let (code, out, err) = liuyu(&[
        "downwind",
        "112.122",
        "32.009",
        "--wind-from",
        "0",
        "--speed",
        "5",
        "--hours",
        "12",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert!(names(&v, "prefectures").contains(&"420800".to_string()));
    let (code, out, err) = liuyu(&[
        "downwind",
        "524000",
        "3542000",
        "--crs",
        "EPSG:4547",
        "--wind-from",
        "0",
        "--speed",
        "5",
        "--hours",
        "3",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["crs"]["id"], "EPSG:4547");
    assert!(v["plume"]["coordinates"][0][1][0].as_f64().unwrap() > 1e5);
    for (args, needle) in [
        (
            vec!["--wind-from", "0", "--speed", "-1", "--hours", "5"],
            "--speed",
        ),
        (
            vec!["--wind-from", "0", "--speed", "3", "--hours", "80"],
            "--hours",
        ),
        (vec!["--wind-from", "0", "--speed", "3"], "--hours"),
        (
            vec![
                "--wind-from",
                "0",
                "--speed",
                "3",
                "--hours",
                "5",
                "--spread",
                "95",
            ],
            "--spread",
        ),
    ] {
        let mut a = vec!["downwind", "112.122", "32.009"];
        a.extend(args);
        let (code, _, err) = liuyu(&a);
        assert_eq!(code, 2, "{a:?}: {err}");
        assert!(err.contains(needle), "{a:?}: {err}");
    }
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("series.json");
    std::fs::write(
        &f,
        series(&[(0.0, 0.0, 4.0), (2.0, 0.0, 4.0), (1.0, 0.0, 4.0)]).to_string(),
    )
    .unwrap();
    let (code, _, err) = liuyu(&[
        "downwind",
        "112.122",
        "32.009",
        "--series",
        f.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--series[2].hour") || err.contains("out of order"),
        "{err}"
    );
    std::fs::write(&f, series(&[(0.0, 0.0, 4.0), (2.0, 45.0, 4.0)]).to_string()).unwrap();
    let (code, out, err) = liuyu(&[
        "downwind",
        "112.122",
        "32.009",
        "--series",
        f.to_str().unwrap(),
        "--hours",
        "5",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["wind"]["hours"], 5.0);
}

/// `POST /v1/issues/analyze` with a `wind` (十四): an air matter's answer
/// carries the downwind estimate of its footprint — exactly what
/// `POST /v1/air/downwind` answers for that footprint and wind — so the
/// coordination answer names the downwind parties and whom to notify.
#[tokio::test]
async fn analyze_with_a_wind_adds_the_downwind_parties() {
    // 荆门 city (东宝区) with a north-west wind: 荆州 through the corridor.
    let fp = json!({"type": "Point", "coordinates": [112.199, 31.035]});
    let wind = json!({"wind_from": 315, "speed": 4, "hours": 12});
    let (s, _, a) = post(
        "/v1/issues/analyze",
        json!({"matter": "air", "footprint": fp, "wind": wind}).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (s, _, d) = post(
        "/v1/air/downwind",
        json!({"footprint": fp, "wind": wind}).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(a["downwind"], d, "the analysis carries the downwind answer");
    let jz = a["downwind"]["notify"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["prefecture"]["adcode"] == "421000")
        .expect("荆州 notified");
    assert_eq!(jz["mechanism"]["id"], "air_corridor");
    assert!(a["basis"].as_array().unwrap().contains(&json!("十四")));
    assert!(a["notes"].as_array().unwrap().iter().any(|n| n
        .as_str()
        .is_some_and(|n| n.contains("荆州市 (air_corridor)"))));
    // Without a wind, no downwind member; the rest of the answer is the same.
    let (_, _, plain) = post(
        "/v1/issues/analyze",
        json!({"matter": "air", "footprint": fp}).to_string(),
    )
    .await;
    assert!(plain.get("downwind").is_none());
    assert_eq!(plain["coordinating_body"], a["coordinating_body"]);
}

#[tokio::test]
async fn analyze_refuses_a_wind_it_cannot_use() {
    let fp = json!({"type": "Point", "coordinates": [112.199, 31.035]});
    let cases = [
        (
            json!({"matter": "water", "footprint": fp, "wind": {"wind_from": 0, "speed": 3, "hours": 5}}),
            "wind",
        ),
        (
            json!({"matter": "air", "places": ["荆门"], "wind": {"wind_from": 0, "speed": 3, "hours": 5}}),
            "wind",
        ),
        (
            json!({"matter": "air", "footprint": fp, "wind": {"wind_from": 0, "speed": -3, "hours": 5}}),
            "wind.speed",
        ),
        (
            json!({"matter": "air", "footprint": fp, "wind": {"wind_from": 0, "speed": 3, "hours": 73}}),
            "wind.hours",
        ),
        (
            json!({"matter": "air", "footprint": fp, "wind": {"series": series(&[(0.0, 0.0, 5.0), (2.0, 0.0, 5.0), (1.0, 0.0, 5.0)])}}),
            "wind.series[2].hour",
        ),
    ];
    for (body, path) in cases {
        let r = post("/v1/issues/analyze", body.to_string()).await;
        let p = assert_problem(&r, 400);
        assert_eq!(p["type"], "/problems/invalid-wind", "{body}: {p}");
        assert_eq!(p["path"], path, "{body}: {p}");
    }
    let calm =
        json!({"matter": "air", "footprint": fp, "wind": {"wind_from": 0, "speed": 0, "hours": 5}});
    let r = post("/v1/issues/analyze", calm.to_string()).await;
    assert_eq!(assert_problem(&r, 422)["type"], "/problems/calm-wind");
}
