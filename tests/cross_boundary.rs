//! Issue 11, "Why": the hard cross-boundary cases a planner acts on, each with
//! its corrected answer, through the real router (river network installed)
//! and with golden files (headers included; dates passed explicitly).
//!
//! Independent truth where it exists: the river lines of `data/rivers/`
//! (read here as plain GeoJSON), the seed text, the neighbouring provinces'
//! polygons, and `trace` from the same point for the profile check.

mod common;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
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

fn post(body: &Value) -> Request<Body> {
    Request::post("/v1/issues/analyze")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

/// Sends, checks the golden file (status, headers, body), returns the JSON.
async fn golden(name: &str, req: Request<Body>) -> Value {
    let r = common::send(app(), req).await;
    common::golden(
        &format!("issue11/{name}.txt"),
        r.status,
        &r.headers,
        &common::pretty_or_raw(&r.text()),
    );
    r.json()
}

async fn call(req: Request<Body>) -> (StatusCode, Value) {
    let r = common::send(app(), req).await;
    (r.status, r.json_or_null())
}

fn ids(v: &Value, key: &str) -> BTreeSet<String> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is not a list: {v}"))
        .iter()
        .map(|x| {
            x.get("id")
                .or_else(|| x.get("adcode"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// Every touched reach lists the network edges it runs along (for the map's
/// highlight), and every entry and exit point lies on an edge of a touched
/// reach of the same river.
fn touched_reaches_name_their_edges(w: &Value) {
    let reaches = w["reaches"].as_array().unwrap();
    for r in reaches {
        let edges = r["edges"].as_array().unwrap();
        assert!(!edges.is_empty(), "{r}");
        if let Some(e) = r["edge"].as_str() {
            assert_eq!(edges, &vec![json!(e)], "{r}");
        }
    }
    for p in ["entry_points", "exit_points"]
        .iter()
        .flat_map(|k| w[*k].as_array().unwrap())
    {
        assert!(
            reaches
                .iter()
                .any(|r| r["river"] == p["river"]
                    && r["edges"].as_array().unwrap().contains(&p["edge"])),
            "{p} is on no touched reach: {reaches:?}"
        );
    }
}

fn polygon(x0: f64, y0: f64, x1: f64, y1: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]})
}

/// The 汉江 line of `data/rivers/rivers.geojson` in flow order, read as plain
/// GeoJSON (edge ids follow the flow along the river).
fn hanjiang_vertices() -> Vec<[f64; 2]> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/rivers/rivers.geojson"),
    )
    .unwrap();
    let fc: Value = serde_json::from_str(&text).unwrap();
    let mut edges: Vec<&Value> = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["river"] == "hanjiang")
        .collect();
    edges.sort_by_key(|f| f["properties"]["id"].as_str().unwrap().to_string());
    let mut out: Vec<[f64; 2]> = Vec::new();
    // Chain the edges: each starts where another ends.
    let first = edges
        .iter()
        .position(|e| {
            !edges
                .iter()
                .any(|o| o["properties"]["to"] == e["properties"]["from"])
        })
        .unwrap();
    let mut cur = edges.remove(first);
    loop {
        for c in cur["geometry"]["coordinates"].as_array().unwrap() {
            out.push([c[0].as_f64().unwrap(), c[1].as_f64().unwrap()]);
        }
        match edges
            .iter()
            .position(|e| e["properties"]["from"] == cur["properties"]["to"])
        {
            Some(i) => cur = edges.remove(i),
            None => break,
        }
    }
    out
}

#[tokio::test]
async fn danjiangkou_reservoir_polygon_gets_the_whole_river_context() {
    let (x0, y0, x1, y1) = (111.2, 32.55, 111.6, 32.85);
    // Independent check of the premise: the 汉江 line has many vertices in the box.
    let inside = hanjiang_vertices()
        .iter()
        .filter(|p| p[0] > x0 && p[0] < x1 && p[1] > y0 && p[1] < y1)
        .count();
    assert!(inside >= 50, "{inside} 汉江 vertices in the box");
    let a = golden(
        "danjiangkou_polygon_water",
        post(&json!({"matter": "water", "footprint": polygon(x0, y0, x1, y1)})),
    )
    .await;
    let w = &a["water_context"];
    assert!(w.is_object(), "water_context is null: {a}");
    assert!(w["reaches"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["river"] == "hanjiang"));
    touched_reaches_name_their_edges(w);
    // 河南 among the neighbours: the polygon reaches into it, and so do the
    // touched reaches (the 丹江 arm of the reservoir).
    assert!(a["inter_provincial"].as_bool().unwrap());
    assert!(
        ids(&a, "other_provinces").contains("410000"),
        "{}",
        a["other_provinces"]
    );
    assert!(ids(w, "inside_outside_hubei").contains("410000"), "{w}");
    // The 汉江 comes from 陕西.
    let up: Vec<&Value> = w["upstream_outside"].as_array().unwrap().iter().collect();
    assert!(
        up.iter()
            .any(|p| p["adcode"] == "610000" && p["relation"] == "flows_from"),
        "{up:?}"
    );
    // 十堰 is inside, not upstream; 襄阳 is downstream (below the dam).
    assert!(ids(w, "inside_prefectures").contains("420300"));
    assert!(!ids(w, "upstream_prefectures").contains("420300"));
    assert!(ids(w, "downstream_prefectures").contains("420600"));
    // The provincial inspection covers only the Hubei part, and says so.
    assert!(a["special_inspection"]["scope"]
        .as_str()
        .unwrap()
        .contains("Hubei part"));
}

#[tokio::test]
async fn shiyan_to_xiangyang_along_the_han_has_shiyan_inside_not_upstream() {
    // From 郧阳 (110.80E) down to 襄阳 (112.14E), along the river's own line.
    let line: Vec<[f64; 2]> = hanjiang_vertices()
        .into_iter()
        .skip_while(|p| p[0] < 110.80)
        .take_while(|p| !(p[0] > 112.14 && p[1] < 32.06))
        .step_by(4)
        .collect();
    assert!(line.len() > 20);
    let a = golden(
        "shiyan_xiangyang_han_line_water",
        post(&json!({"matter": "water", "footprint": {"type": "LineString", "coordinates": line}})),
    )
    .await;
    let w = &a["water_context"];
    let inside = ids(w, "inside_prefectures");
    assert!(
        inside.contains("420300") && inside.contains("420600"),
        "{inside:?}"
    );
    let up = ids(w, "upstream_prefectures");
    assert!(!up.contains("420300") && !up.contains("420600"), "{up:?}");
    // Upstream counties are the ones above the line's start: 郧西 on the 汉江.
    assert!(
        ids(w, "upstream_counties").contains("420322"),
        "{}",
        w["upstream_counties"]
    );
    let down = ids(w, "downstream_prefectures");
    assert!(
        down.contains("420800") && down.contains("420100"),
        "{down:?}"
    );
    assert!(!down.contains("420300") && !down.contains("420600"));
    assert_eq!(a["coordinating_body"]["level"], "province");
}

#[tokio::test]
async fn ezhou_and_huanggang_meet_in_the_metro_each_led_by_its_own_departments() {
    let a = golden(
        "ezhou_huanggang_places_water",
        post(&json!({"matter": "water", "places": ["420700", "421100"]})),
    )
    .await;
    let c = &a["coordinating_body"];
    assert_eq!(c["level"], "metro");
    assert_eq!(c["metro"]["id"], "wuhan");
    assert_eq!(c["convened_by"]["name_zh"], "武汉市人民政府");
    assert_eq!(c["above"]["name_zh"], "湖北省生态环境保护委员会办公室");
    assert!(
        c["committee"].is_null(),
        "no single city's committee coordinates: {c}"
    );
    let parts = c["participants"].as_array().unwrap();
    assert_eq!(parts.len(), 2);
    for p in parts {
        let name = p["name"].as_str().unwrap();
        assert_eq!(
            p["committee"]["name_zh"],
            format!("{name}生态环境保护委员会")
        );
        assert_eq!(
            p["lead_department"]["name_zh"],
            format!("{name}生态环境部门")
        );
        assert_eq!(p["lead_department"]["place"]["adcode"], p["adcode"]);
        for d in p["cooperating_departments"].as_array().unwrap() {
            assert_eq!(d["place"]["adcode"], p["adcode"]);
        }
    }
    // No 武汉 department acts anywhere in this answer.
    assert!(!a.to_string().contains("武汉市生态环境部门"));
    assert!(a["lead_department"].is_null());
    // An unknown matter across 荆门 and 荆州 (both in 宜荆荆) is designated by
    // the provincial committee, not by 宜昌's.
    let (s, b) = call(post(
        &json!({"matter": "light_pollution", "places": ["420800", "421000"]}),
    ))
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["designation"]["level"], "province");
    assert_eq!(
        b["designation"]["by"]["name_zh"],
        "湖北省生态环境保护委员会"
    );
}

#[tokio::test]
async fn noise_across_jiangxia_and_caidian_is_not_eligible_for_special_inspection() {
    let a = golden(
        "jiangxia_caidian_places_noise",
        post(&json!({"matter": "noise", "places": ["江夏区", "蔡甸区"]})),
    )
    .await;
    // The two lie in different first-level basins (reconstructed), one prefecture.
    assert_eq!(ids(&a["jurisdictions"], "basins").len(), 2);
    assert_eq!(a["special_inspection_eligible"], false);
    assert!(a["special_inspection"]["reasons"]
        .as_array()
        .unwrap()
        .is_empty());
    let not = a["special_inspection"]["not_counted"].to_string();
    assert!(not.contains("basin-related"), "{not}");
    assert_eq!(a["coordinating_body"]["level"], "prefecture");
}

#[tokio::test]
async fn air_inside_jingmen_is_not_eligible_for_special_inspection() {
    let a = golden(
        "jingmen_places_air",
        post(&json!({"matter": "air", "places": ["荆门市"]})),
    )
    .await;
    assert!(
        ids(&a["jurisdictions"], "zones").len() > 1,
        "the premise: zones crossed"
    );
    assert_eq!(a["special_inspection_eligible"], false);
    assert!(a["special_inspection"]["not_counted"]
        .to_string()
        .contains("zone lines"));
}

/// The prefecture a point lies in (not on a boundary), by `/v1/locate`.
async fn prefecture_at(x: f64, y: f64) -> Option<String> {
    let (_, l) = call(get(&format!("/v1/locate?lon={x}&lat={y}"))).await;
    if l["on_boundary"] == true {
        return None;
    }
    l["prefecture"]["adcode"].as_str().map(str::to_string)
}

#[tokio::test]
async fn a_line_on_the_yangtze_between_ezhou_and_huanggang_makes_both_parties() {
    // Where the river network says 黄冈 faces 鄂州 across the 长江, a short
    // line on the river's own line that lies, on the map, in one prefecture
    // only (the old answer: that prefecture's county alone).
    let (_, banks) = call(get("/v1/rivers/changjiang/banks")).await;
    let mut found = None;
    for b in banks["pairs"].as_array().unwrap() {
        let sides = (
            b["left"]["prefecture"].as_str(),
            b["right"]["prefecture"].as_str(),
        );
        if !matches!(
            sides,
            (Some("421100"), Some("420700")) | (Some("420700"), Some("421100"))
        ) {
            continue;
        }
        let (x, y) = (b["mid"][0].as_f64().unwrap(), b["mid"][1].as_f64().unwrap());
        let d = 0.001;
        let Some(here) = prefecture_at(x, y).await else {
            continue;
        };
        let same = |p: Option<String>| p.as_deref() == Some(here.as_str());
        if same(prefecture_at(x - d, y - d).await) && same(prefecture_at(x + d, y + d).await) {
            found = Some((x, y, d, here));
            break;
        }
    }
    let (x, y, d, here) = found.expect("a 鄂州/黄冈 reach whose line lies in one prefecture");
    let a = golden(
        "changjiang_ezhou_huanggang_line_water",
        post(&json!({"matter": "water", "footprint": {"type": "LineString", "coordinates": [[x - d, y - d], [x + d, y + d]]}})),
    )
    .await;
    assert_eq!(
        ids(&a["jurisdictions"], "prefectures"),
        BTreeSet::from([here])
    );
    let parties = ids(&a["parties"], "prefectures");
    assert!(
        parties.contains("420700") && parties.contains("421100"),
        "{parties:?}"
    );
    assert!(a["parties"]["prefectures"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["why"] == "opposite_bank" && p["river"] == "长江"));
    assert_eq!(a["coordinating_body"]["level"], "metro");
    let names: BTreeSet<&str> = a["coordinating_body"]["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains("鄂州市") && names.contains("黄冈市"),
        "{names:?}"
    );
    // Crossing by the boundary river: 跨区域 for the special inspection.
    assert!(a["crossings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["boundary"] == "prefecture" && c["by"] == "boundary_river"));
    assert_eq!(a["special_inspection_eligible"], true);
}

#[tokio::test]
async fn a_dongting_polygon_names_hunan() {
    let a = golden(
        "dongting_polygon_water",
        post(&json!({"matter": "water", "footprint": polygon(112.6, 29.0, 113.2, 29.6)})),
    )
    .await;
    assert_eq!(a["inter_provincial"], true);
    touched_reaches_name_their_edges(&a["water_context"]);
    let other = &a["other_provinces"][0];
    assert_eq!(other["adcode"], "430000");
    assert_eq!(other["name"], "湖南省");
    // About nine tenths of the box is in 湖南 (shapely: 0.906).
    let share = other["share"].as_f64().unwrap();
    assert!((share - 0.906).abs() < 0.01, "{share}");
    let total = share
        + a["jurisdictions"]["counties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["share"].as_f64().unwrap())
            .sum::<f64>();
    assert!((total - 1.0).abs() < 1e-3, "{total}");
    assert!(a["notes"].to_string().contains("湖南省"));
}

#[tokio::test]
async fn northern_shennongjia_drains_to_the_han_not_its_zone_basin() {
    let p = golden(
        "shennongjia_north_profile",
        get("/v1/profile?lon=110.45&lat=31.6&date=2027-01-10"),
    )
    .await;
    let d = &p["drainage"];
    assert_eq!(d["basin"]["id"], "hanjiang", "{d}");
    assert_eq!(d["zone"]["basin"], "changjiang");
    assert_eq!(d["agrees_with_zone"], false);
    assert!(d["note"].as_str().unwrap().contains("whole-county"));
    // The same as trace DM from the point: it runs into the 汉江.
    let (_, t) = call(get("/v1/navigate/DM?lon=110.45&lat=31.6")).await;
    let rivers: Vec<&str> = t["reaches"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["river"].as_str())
        .collect();
    assert_eq!(rivers.first().copied(), d["river"]["id"].as_str());
    assert!(rivers.contains(&"hanjiang"));
    // A point by the 长江 in 宜昌 agrees with its zone.
    let (_, q) = call(get("/v1/profile?lon=111.29&lat=30.70&date=2027-01-10")).await;
    assert_eq!(q["drainage"]["agrees_with_zone"], true, "{}", q["drainage"]);
}

#[tokio::test]
async fn names_are_accepted_for_matters_and_places() {
    let a = golden(
        "straw_burning_wuhan",
        post(&json!({"matter": "秸秆焚烧", "places": ["武汉市"]})),
    )
    .await;
    assert_eq!(a["matter"]["id"], "straw_burning");
    assert_eq!(
        ids(&a["jurisdictions"], "prefectures"),
        BTreeSet::from(["420100".to_string()])
    );
    for (matter, places, want) in [
        ("Straw burning", json!(["武汉"]), "straw_burning"),
        ("environmental_crime", json!(["江汉区"]), "suspected_crime"),
        ("突发环境事件", json!(["420103"]), "environmental_emergency"),
    ] {
        let (s, b) = call(post(&json!({"matter": matter, "places": places}))).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["matter"]["id"], want);
    }
    // Unknown and partial names: 400 with candidates and their adcodes.
    let (s, e) = call(post(&json!({"matter": "water", "places": ["火星市"]}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["parameter"], "places");
    let (s, e) = call(post(&json!({"matter": "water", "places": ["武"]}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        e["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "420100"),
        "{e}"
    );
    let (s, e) = call(post(&json!({"matter": "扬尘", "places": ["420100"]}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["parameter"], "matter");
    let c = ids(&e, "candidates");
    assert_eq!(
        c,
        BTreeSet::from(["construction_dust".into(), "transport_dust".into()])
    );
    // A matter that resembles nothing in the catalog is still designated (七).
    let (s, b) = call(post(
        &json!({"matter": "light_pollution", "places": ["武汉"]}),
    ))
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["designation"]["status"], "to_be_designated");
}

#[tokio::test]
async fn obligations_after_the_deadline_say_deadline_passed_never_overdue() {
    let a = golden(
        "obligations_ezhou_2027-12-31",
        get("/v1/obligations?prefecture=420700&date=2027-12-31"),
    )
    .await;
    let text = a.to_string();
    assert!(!text.contains("overdue"), "{text}");
    let s = &a["obligations"][0]["schedule"];
    assert_eq!(s["status"], "deadline_passed");
    assert_eq!(s["filed"], "unknown");
    assert_eq!(s["next_deadline"], "2028-01-31");
    // By name, and the last year of the calendar.
    let (st, b) = call(get(
        "/v1/obligations?prefecture=%E9%84%82%E5%B7%9E&date=9999-12-31",
    ))
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["prefecture"]["adcode"], "420700");
    let (st, e) = call(get(
        "/v1/obligations?prefecture=%E6%B1%9F%E6%B1%89%E5%8C%BA&date=2027-12-31",
    ))
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "江汉区 is a county: {e}");
    assert_eq!(e["parameter"], "prefecture");
    assert!(!e["candidates"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_crime_across_shiyan_and_xiangyang_claims_no_court_level() {
    let a = golden(
        "crime_shiyan_xiangyang",
        post(&json!({"matter": "suspected_crime", "places": ["十堰市", "襄阳市"]})),
    )
    .await;
    let j = a["mechanisms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "judicial_linkage")
        .expect("judicial linkage")
        .clone();
    let steps: Vec<&str> = j["applies_to"]["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step_zh"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["移送", "立案", "侦查", "起诉", "审判"]);
    let text = j.to_string();
    assert!(
        !text.contains("高级人民法院") && !text.contains("中级人民法院"),
        "{text}"
    );
    assert_eq!(j["applies_to"]["chain"][4]["organ"]["name_zh"], "人民法院");
    // The transfer is by each city's own department.
    let transfer: BTreeSet<&str> = j["applies_to"]["chain"][0]["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name_zh"].as_str().unwrap())
        .collect();
    assert_eq!(
        transfer,
        BTreeSet::from(["十堰市生态环境部门", "襄阳市生态环境部门"])
    );
}

#[tokio::test]
async fn places_search_contract() {
    let a = golden(
        "places_wuhan",
        get("/v1/places?q=%E6%AD%A6%E6%B1%89&limit=5"),
    )
    .await;
    assert_eq!(a["query"], "武汉");
    let first = &a["places"][0];
    assert_eq!(first["id"], "420100");
    assert_eq!(first["kind"], "prefecture");
    assert_eq!(first["match"], "alias");
    assert_eq!(first["parent"]["id"], "420000");
    assert_eq!(first["label"].as_array().unwrap().len(), 2);
    assert_eq!(first["bbox"].as_array().unwrap().len(), 4);
    assert!(a["places"].as_array().unwrap().len() <= 5);
    let (_, r) = call(get("/v1/places?q=%E6%B1%89%E6%B1%9F")).await;
    assert_eq!(r["places"][0]["kind"], "river");
    assert_eq!(r["places"][0]["id"], "hanjiang");
    assert_eq!(r["places"][0]["match"], "exact");
    let (_, c) = call(get("/v1/places?q=%E6%B1%9F%E6%B1%89%E5%8C%BA")).await;
    assert_eq!(c["places"][0]["id"], "420103");
    assert_eq!(c["places"][0]["parent"]["name"], "武汉市");
    for bad in [
        "/v1/places",
        "/v1/places?q=",
        "/v1/places?q=%20",
        "/v1/places?q=x&limit=0",
        "/v1/places?q=x&limit=abc",
    ] {
        let r = common::send(app(), get(bad)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(r.content_type().starts_with("application/problem+json"));
    }
    // An adcode prefix matches every unit under it; the limit caps at 50.
    let (_, many) = call(get("/v1/places?q=42&limit=500")).await;
    assert_eq!(many["places"].as_array().unwrap().len(), 50);
    let (_, wuhan) = call(get("/v1/places?q=4201&limit=50")).await;
    assert_eq!(
        wuhan["places"].as_array().unwrap().len(),
        14,
        "武汉市 and its 13 districts"
    );
}

#[tokio::test]
async fn trace_says_which_province_the_river_goes_into() {
    // DD from the 长江 at 荆州: the 荆南 distributaries go to 湖南, the 长江 leaves to 江西.
    let (_, n) = call(get("/v1/navigate/DD?lon=112.24&lat=30.30&river=changjiang")).await;
    let into: BTreeSet<&str> = n["leaves_hubei"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["into"]["name"].as_str())
        .collect();
    assert!(
        into.contains("湖南省") && into.contains("江西省"),
        "{into:?}"
    );
    let outside = ids(&n, "outside_provinces");
    assert!(
        outside.contains("430000") && outside.contains("360000"),
        "{outside:?}"
    );
    // UT from the 汉江 in 郧西 (a vertex of its line): it comes from 陕西.
    let p = hanjiang_vertices()
        .into_iter()
        .find(|p| p[0] > 110.0)
        .unwrap();
    let (_, u) = call(get(&format!(
        "/v1/navigate/UT?lon={}&lat={}&river=hanjiang",
        p[0], p[1]
    )))
    .await;
    assert!(
        ids(&u, "outside_provinces").contains("610000"),
        "{}",
        u["outside_provinces"]
    );
}

#[tokio::test]
async fn one_provenance_per_unit_across_endpoints() {
    // 武汉都市圈: the same status in locate, profile and the analysis.
    let (_, loc) = call(get("/v1/locate?lon=114.30&lat=30.59")).await;
    let (_, prof) = call(get("/v1/profile?lon=114.30&lat=30.59&date=2027-01-10")).await;
    let (_, an) = call(post(&json!({"matter": "air", "places": ["420100"]}))).await;
    let in_locate = loc["metro_areas"][0]["provenance"].clone();
    assert_eq!(prof["metro_areas"][0]["provenance"], in_locate);
    let m = an["mechanisms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "metro_joint_prevention")
        .unwrap()
        .clone();
    assert_eq!(m["applies_to"]["metro_areas"][0]["provenance"], in_locate);
    let touched = &an["jurisdictions"]["metro_areas"][0];
    assert_eq!(
        touched
            .get("provenance")
            .cloned()
            .unwrap_or(json!("official")),
        in_locate
    );
}

fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

#[tokio::test]
async fn no_served_string_copies_the_seed_and_corridors_are_transmission_channels() {
    let rules = liuyu::governance::Rules::embedded().unwrap();
    let requests = vec![
        get("/v1/governance"),
        get("/v1/profile?lon=114.30&lat=30.59&date=2027-01-10"),
        get("/v1/profile?lon=112.2&lat=31.0&date=2027-02-05"),
        get("/v1/profile?lon=110.45&lat=31.6&date=2027-01-10"),
        get("/v1/obligations?date=2027-02-05"),
        get("/v1/places?q=%E6%AD%A6&limit=50"),
        get("/v1/locate?lon=112.2&lat=31.0"),
        get("/style.json"),
        get("/ogc"),
        get("/tiles/hubei.json"),
        post(&json!({"matter": "water", "places": ["420700", "421100"]})),
        post(&json!({"matter": "suspected_crime", "places": ["420300", "420600"]})),
        post(&json!({"matter": "light_pollution", "places": ["420800", "421000"]})),
        post(&json!({"matter": "straw_burning", "places": ["420800"]})),
        post(&json!({"matter": "rural_living_environment", "places": ["420882", "421000"]})),
        post(
            &json!({"matter": "environmental_emergency", "footprint": polygon(111.2, 32.55, 111.6, 32.85)}),
        ),
    ];
    let rule = common::seed::CopyRule::new(&rules);
    let mut seen = 0;
    for req in requests {
        let uri = req.uri().to_string();
        let (s, v) = call(req).await;
        assert_eq!(s, StatusCode::OK, "{uri}: {v}");
        let mut all = Vec::new();
        strings(&v, &mut all);
        seen += all.len();
        for text in all {
            assert!(!text.contains("走廊"), "{uri}: {text}");
            assert!(!text.contains("58号"), "{uri}: {text}");
            if let Some(rule) = &rule {
                let c = rule.copied(text);
                assert!(
                    c.is_empty(),
                    "{uri} serves a copy of the seed: {c:?} in {text}"
                );
            }
        }
    }
    assert!(seen > 2000, "only {seen} strings checked");
    // The corridor's Chinese names say 传输通道, as the seed does.
    let (_, loc) = call(get("/v1/locate?lon=112.2&lat=31.0")).await;
    assert!(loc["corridors"][0]["name"]
        .as_str()
        .unwrap()
        .contains("传输通道"));
    let (_, g) = call(get("/v1/governance")).await;
    let m = g["mechanisms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "air_corridor")
        .unwrap()
        .clone();
    assert!(m["name_zh"].as_str().unwrap().contains("传输通道"));
    assert_eq!(g["document"]["issuers"].as_array().unwrap().len(), 18);
    assert!(g["document"].get("implements").is_none());
    // 专业委员会 (九) has its field in every analysis.
    let (_, a) = call(post(&json!({"matter": "water", "places": ["420100"]}))).await;
    assert_eq!(a["specialised_committees"]["basis"], json!(["九"]));
    assert!(a["specialised_committees"]["items"]
        .as_array()
        .unwrap()
        .is_empty());
}
