//! The HTTP API through the real router (tower `oneshot`): answers, every error
//! case as RFC 9457 problem+json, golden files including headers, and reload.
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use liuyu::server::{router, AppState, DataSource};
use liuyu::Atlas;
use serde_json::Value;

fn state() -> AppState {
    AppState::new(Atlas::embedded().unwrap(), DataSource::Embedded)
}

async fn call(
    app: axum::Router,
    method: &str,
    uri: &str,
    body: &str,
) -> (StatusCode, Vec<(String, String)>, String) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::from(body.to_string()))
        .unwrap();
    let r = common::send(app, req).await;
    let text = r.text();
    (r.status, r.headers, text)
}

/// Compare with (or, with UPDATE_GOLDEN=1, write) `tests/golden/<name>`.
fn golden(name: &str, status: StatusCode, headers: &[(String, String)], body: &str) {
    common::golden(name, status, headers, &common::pretty_or_raw(body));
}

#[tokio::test]
async fn locate_answers_and_matches_golden() {
    let (s, h, b) = call(
        router(state()),
        "GET",
        "/v1/locate?lon=114.2538&lat=30.6060",
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let v: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v["county"]["name"], "江汉区");
    assert_eq!(v["zone"]["id"], "H7");
    assert_eq!(v["data_version"], Atlas::embedded().unwrap().version());
    golden("locate_jianghan.txt", s, &h, &b);
    // The same JSON as the library answer.
    assert_eq!(
        v,
        serde_json::to_value(Atlas::embedded().unwrap().locate(114.2538, 30.606)).unwrap()
    );
}

#[tokio::test]
async fn outside_hubei_is_200_with_empty_memberships() {
    let (s, _, b) = call(
        router(state()),
        "GET",
        "/v1/locate?lon=116.397&lat=39.909",
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let v: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v["inside_hubei"], false);
    assert!(v["county"].is_null() && v["metro_areas"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn every_error_is_problem_json() {
    let cases: &[(&str, &str, u16, &str)] = &[
        ("GET", "/v1/locate", 400, "missing query parameter `lon`"),
        (
            "GET",
            "/v1/locate?lon=114",
            400,
            "missing query parameter `lat`",
        ),
        ("GET", "/v1/locate?lon=abc&lat=30", 400, "must be a number"),
        ("GET", "/v1/locate?lon=114&lat=", 400, "must be a number"),
        ("GET", "/v1/locate?lon=NaN&lat=30", 400, "must be finite"),
        ("GET", "/v1/locate?lon=114&lat=inf", 400, "must be finite"),
        (
            "GET",
            "/v1/locate?lon=181&lat=30",
            400,
            "lon must be within",
        ),
        (
            "GET",
            "/v1/locate?lon=114&lat=-90.5",
            400,
            "lat must be within",
        ),
        ("GET", "/v1/locate?lon=1e999&lat=30", 400, "must be finite"),
        ("GET", "/v1/nope", 404, "no such resource"),
        ("POST", "/v1/locate?lon=114&lat=30", 405, ""),
        ("DELETE", "/health", 405, ""),
    ];
    for (method, uri, status, detail) in cases {
        let (s, h, b) = call(router(state()), method, uri, "").await;
        assert_eq!(s.as_u16(), *status, "{method} {uri}");
        let ct = h
            .iter()
            .find(|(k, _)| k == "content-type")
            .map(|(_, v)| v.as_str());
        assert_eq!(ct, Some("application/problem+json"), "{method} {uri}");
        let v: Value = serde_json::from_str(&b).unwrap_or_else(|_| panic!("{method} {uri}: {b}"));
        assert_eq!(v["status"], *status);
        assert!(v["type"].as_str().unwrap().starts_with("/problems/"));
        assert!(v["title"].is_string());
        assert!(
            v["detail"].as_str().unwrap().contains(detail),
            "{method} {uri}: {b}"
        );
    }
    let (s, h, b) = call(router(state()), "GET", "/v1/locate?lon=abc&lat=30", "").await;
    golden("locate_bad_lon.txt", s, &h, &b);
}

#[tokio::test]
async fn health_and_ready() {
    let (s, _, b) = call(router(state()), "GET", "/health", "").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(serde_json::from_str::<Value>(&b).unwrap()["status"], "ok");
    let (s, _, b) = call(router(state()), "GET", "/ready", "").await;
    assert_eq!(s, StatusCode::OK);
    let v: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v["status"], "ready");
    assert_eq!(v["layers"].as_array().unwrap().len(), 8);
}

#[tokio::test]
async fn failed_reload_keeps_the_old_data_serving() {
    let dir = common::dataset_copy("http-reload");
    let source = DataSource::Dir(dir.clone());
    let st = AppState::new(source.load().unwrap(), source);
    let v0 = st.atlas().version().to_string();
    // Break a layer: the reload fails and the old snapshot keeps answering.
    let good = std::fs::read(dir.join("layers/zones.geojson")).unwrap();
    std::fs::write(dir.join("layers/zones.geojson"), &good[..good.len() / 2]).unwrap();
    assert!(st.reload().is_err());
    assert_eq!(st.atlas().version(), v0);
    let (s, _, b) = call(
        router(st.clone()),
        "GET",
        "/v1/locate?lon=114.2538&lat=30.6060",
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<Value>(&b).unwrap()["zone"]["id"],
        "H7"
    );
    // A valid change (a renamed zone) reloads, and the version changes.
    let text = String::from_utf8(good)
        .unwrap()
        .replace("汉江下游·东荆河", "汉江下游");
    std::fs::write(dir.join("layers/zones.geojson"), text).unwrap();
    let v1 = st.reload().unwrap();
    assert_ne!(v1, v0);
    let (_, _, b) = call(
        router(st.clone()),
        "GET",
        "/v1/locate?lon=114.2538&lat=30.6060",
        "",
    )
    .await;
    let v: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v["zone"]["name"], "汉江下游");
    assert_eq!(v["data_version"], v1);
}

/// The golden helper refuses an answer holding today's date (a clock-dependent
/// answer would break tomorrow), and accepts a fixed past date.
#[test]
fn golden_helper_refuses_todays_date() {
    let today = common::dates_around_today()[1].clone();
    let refused = std::panic::catch_unwind(|| {
        common::refuse_clock_dependence("probe", &format!("{{\"as_of\": \"{today}\"}}"))
    });
    assert!(refused.is_err(), "an answer with {today} must be refused");
    common::refuse_clock_dependence("probe", "{\"as_of\": \"2001-02-03\"}");
}
