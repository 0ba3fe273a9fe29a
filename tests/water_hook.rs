//! The river network plugged into the governance analysis (clause 十三): a water
//! matter on the 长江 between 鄂州 and 黄冈 lists upstream and downstream
//! jurisdictions and the bank partners, cited to 十三.
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use liuyu::server::router;
use serde_json::{json, Value};

async fn send(req: Request<Body>) -> (StatusCode, Value) {
    let r = common::send(router(common::embedded_state()), req).await;
    (r.status, r.json())
}

#[tokio::test]
async fn water_issue_on_the_yangtze_gets_upstream_downstream_and_banks() {
    // Where the river itself says 黄冈 faces 鄂州 across the 长江.
    let (s, banks) = send(
        Request::get("/v1/rivers/changjiang/banks")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let list = banks["pairs"].as_array().expect("bank list");
    let pair = list
        .iter()
        .find(|b| {
            let l = b["left"]["prefecture"].as_str();
            let r = b["right"]["prefecture"].as_str();
            matches!(
                (l, r),
                (Some("421100"), Some("420700")) | (Some("420700"), Some("421100"))
            )
        })
        .expect("a 黄冈/鄂州 bank pair");
    let (lon, lat) = (
        pair["mid"][0].as_f64().unwrap(),
        pair["mid"][1].as_f64().unwrap(),
    );
    let body = json!({"matter": "water", "footprint": {"type": "LineString", "coordinates": [[lon - 0.01, lat - 0.005], [lon + 0.01, lat + 0.005]]}});
    let req = Request::post("/v1/issues/analyze")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (s, a) = send(req).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let w = &a["water_context"];
    assert!(w.is_object(), "water context missing: {a}");
    assert!(w["basis"].as_array().unwrap().iter().any(|c| c == "十三"));
    let ids = |k: &str| -> Vec<String> {
        w[k].as_array()
            .unwrap()
            .iter()
            .map(|j| j["id"].as_str().unwrap().to_string())
            .collect()
    };
    // Upstream on the 长江: 武汉 and, via the 汉江, 十堰; downstream: 黄石 before leaving Hubei.
    let up = ids("upstream_prefectures");
    assert!(
        up.contains(&"420100".to_string()) && up.contains(&"420300".to_string()),
        "{up:?}"
    );
    let down = ids("downstream_prefectures");
    assert!(down.contains(&"420200".to_string()), "{down:?}");
    assert!(
        !down.contains(&"420100".to_string()),
        "武汉 is not downstream: {down:?}"
    );
    let pairs = w["bank_pairs"].as_array().unwrap();
    assert!(
        pairs.iter().any(|p| {
            let (l, r) = (
                p["left"]["prefecture"]["id"].as_str(),
                p["right"]["prefecture"]["id"].as_str(),
            );
            matches!(
                (l, r),
                (Some("421100"), Some("420700")) | (Some("420700"), Some("421100"))
            )
        }),
        "{pairs:?}"
    );
    // The mechanism of 十三 applies.
    assert!(a["mechanisms"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["id"] == "basin_coordination"));
}
