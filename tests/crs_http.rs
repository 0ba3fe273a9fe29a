//! HTTP: `crs=` on `/v1/locate` (answers echo the CRS used), and layer
//! downloads `GET /v1/export/{layer}.{fgb|parquet}` read back with the
//! FlatGeobuf and Parquet readers; golden files for the CRS answer.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use liuyu::crs::{Crs, CrsId};
use liuyu::http::{router, AppState, DataSource};
use liuyu::Atlas;
use serde_json::Value;
use std::path::Path;
use tower::ServiceExt;

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
    let res = app().oneshot(req).await.expect("response");
    let status = res.status();
    let mut headers: Vec<(String, String)> = res
        .headers()
        .iter()
        .filter(|(k, _)| *k != "date")
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    headers.sort();
    let bytes = res
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    (status, headers, bytes)
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
    let mut text = format!("HTTP {}\n", status.as_u16());
    for (k, val) in headers {
        text.push_str(&format!("{k}: {val}\n"));
    }
    text.push('\n');
    text.push_str(&serde_json::to_string_pretty(&v).expect("pretty"));
    text.push('\n');
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).expect("write golden");
    }
    let want = std::fs::read_to_string(&path).expect("golden file (UPDATE_GOLDEN=1 to create)");
    assert_eq!(text, want, "golden {name} differs");
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

#[tokio::test]
async fn crs_errors_are_problems() {
    for uri in [
        "/v1/locate?crs=EPSG:999999&x=1&y=2",
        "/v1/locate?crs=nonsense&lon=114&lat=30",
        "/v1/locate?crs=EPSG:4547&x=abc&y=3380000",
        "/v1/locate?crs=EPSG:3857&x=1e12&y=0",
        "/v1/export/counties.fgb?crs=EPSG:1",
    ] {
        let (s, h, b) = get(uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}");
        assert!(
            h.iter()
                .any(|(k, v)| k == "content-type" && v == "application/problem+json"),
            "{uri}"
        );
        let v: Value = serde_json::from_slice(&b).expect("problem json");
        assert_eq!(v["status"], 400);
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
