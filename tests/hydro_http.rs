//! HTTP tests of the river routes: status, media types, problem+json on errors.
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use liuyu::server::router;
use serde_json::Value;

async fn get(uri: &str) -> (StatusCode, String, Value) {
    let req = Request::get(uri).body(Body::empty()).unwrap();
    let r = common::send(router(common::embedded_state()), req).await;
    (r.status, r.content_type(), r.json_or_null())
}

#[tokio::test]
async fn navigate_dm_answers_json() {
    let (s, ct, v) = get("/v1/navigate/DM?lon=112.15&lat=32.03").await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.starts_with("application/json"));
    assert_eq!(v["mode"], "DM");
    assert_eq!(v["snapped"]["river"], "hanjiang");
    assert!(v["reaches"].as_array().unwrap().len() > 10);
    assert!(v["data_version"].is_string());
}

#[tokio::test]
async fn no_river_near_is_a_problem() {
    let (s, ct, v) = get("/v1/navigate/DM?lon=115.75&lat=30.95").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(ct, "application/problem+json");
    assert_eq!(v["type"], "/problems/no-river-near");
    assert!(v["distance_km"].as_f64().unwrap() > 45.0);
    assert_eq!(v["tolerance_km"], 5.0);
}

#[tokio::test]
async fn bad_inputs_are_problems() {
    for uri in [
        "/v1/navigate/XX?lon=112&lat=32",
        "/v1/navigate/DM?lon=abc&lat=32",
        "/v1/navigate/DM?lat=32",
        "/v1/navigate/DM?lon=112.15&lat=32.03&distance_km=-5",
    ] {
        let (s, ct, v) = get(uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(ct, "application/problem+json", "{uri}");
        assert_eq!(v["status"], 400);
    }
    let (s, ct, _) = get("/v1/rivers/nope").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(ct, "application/problem+json");
    let (s, _, _) = get("/v1/navigate/DM?lon=112.15&lat=32.03&river=nope").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn rivers_list_one_and_banks() {
    let (s, _, v) = get("/v1/rivers").await;
    assert_eq!(s, StatusCode::OK);
    let ids: Vec<&str> = v["rivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in [
        "changjiang",
        "hanjiang",
        "qingjiang",
        "dongjing",
        "songzihe",
    ] {
        assert!(ids.contains(&id), "{id}");
    }
    assert!(v["summary"]["total_km"].as_f64().unwrap() > 3800.0);
    let (s, ct, v) = get("/v1/rivers/hanjiang").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ct, "application/geo+json");
    assert_eq!(v["type"], "FeatureCollection");
    assert!(v["features"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["geometry"]["type"] == "LineString"));
    let (s, _, v) = get("/v1/rivers/changjiang/banks").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["method"]["offset_km"], 2.0);
    assert!(v["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["left"]["prefecture_name"] == "黄冈市"
            && p["right"]["prefecture_name"] == "鄂州市"));
    let (s, ct, v) = get("/v1/lakes").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ct, "application/geo+json");
    assert!(v["features"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["properties"]["name"] == "洪湖"));
}
