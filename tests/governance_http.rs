//! HTTP API of the governance engine: answers, problem+json errors for every
//! malformed input (never a panic), and the OpenAPI document.

mod common;

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use liuyu::governance::http::{OPENAPI, ROUTES};
use liuyu::governance::Rules;
use liuyu::server::{router, AppState, DataSource};
use liuyu::Atlas;
use serde_json::{json, Value};

fn atlas() -> Atlas {
    Atlas::embedded().expect("embedded atlas")
}

/// One router (one atlas load) shared by every request of the test binary.
fn app() -> axum::Router {
    static APP: OnceLock<axum::Router> = OnceLock::new();
    APP.get_or_init(|| router(AppState::new(atlas(), DataSource::Embedded)))
        .clone()
}

async fn send(req: Request<Body>) -> (StatusCode, String, Value) {
    let r = common::send(app(), req).await;
    (r.status, r.content_type(), r.json_or_null())
}

async fn get(uri: &str) -> (StatusCode, String, Value) {
    send(Request::get(uri).body(Body::empty()).unwrap()).await
}

/// A JSON POST request.
fn json_post(uri: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap()
}

async fn post(uri: &str, body: impl Into<Body>) -> (StatusCode, String, Value) {
    send(json_post(uri, body)).await
}

fn assert_problem(r: &(StatusCode, String, Value), status: u16) {
    assert_eq!(r.0.as_u16(), status, "{:?}", r.2);
    assert!(
        r.1.starts_with("application/problem+json"),
        "content type {}",
        r.1
    );
    assert_eq!(r.2["status"], status, "{:?}", r.2);
    assert!(r.2["detail"].as_str().is_some_and(|d| !d.is_empty()));
}

fn assert_citations_exist(v: &Value, rules: &Rules) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "basis" {
                    for id in x.as_array().expect("basis array") {
                        let id = id.as_str().unwrap();
                        assert!(
                            rules.clause(id).is_some(),
                            "cited clause {id} does not exist"
                        );
                    }
                }
                assert_citations_exist(x, rules);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| assert_citations_exist(x, rules)),
        _ => {}
    }
}

fn obligation<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == id)
        .unwrap_or_else(|| panic!("obligation {id}"))
}

#[tokio::test]
async fn obligations_due_then_deadline_passed() {
    let (s, ct, v) = get("/v1/obligations?date=2027-01-10").await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.starts_with("application/json"));
    let eleven = obligation(&v, "prefecture_annual_report");
    assert_eq!(eleven["basis"], json!(["十一"]));
    assert_eq!(eleven["schedule"]["status"], "due");
    assert_eq!(eleven["schedule"]["next_deadline"], "2027-01-31");
    assert_eq!(eleven["schedule"]["next_period"], 2026);
    assert_eq!(eleven["schedule"]["deadline_passed"], false);
    assert_eq!(eleven["schedule"]["filed"], "unknown");
    // Every prefecture-level unit's party committee and government reports.
    assert_eq!(eleven["reports"].as_array().unwrap().len(), 17 * 2);
    assert_eq!(eleven["reports"][0]["to"][0]["name_zh"], "中共湖北省委员会");
    let depts = obligation(&v, "provincial_department_annual_report");
    assert_eq!(depts["reports"].as_array().unwrap().len(), 13);
    let eco = depts["reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["reporter"]["name_zh"] == "湖北省生态环境厅")
        .unwrap();
    assert_eq!(eco["copied_up_to"]["name_zh"], "生态环境部");
    assert_eq!(
        eco["copied_to"][0]["name_zh"],
        "湖北省生态环境保护委员会办公室"
    );
    let twelve = obligation(&v, "local_department_annual_report");
    assert_eq!(twelve["basis"], json!(["十二"]));
    assert_eq!(twelve["schedule"]["status"], "not_fixed");
    assert_eq!(
        twelve["schedule"]["deadline_rule"],
        "annual, no date set by the text"
    );
    assert_eq!(twelve["schedule"]["next_deadline"], Value::Null);

    let (s, _, v) = get("/v1/obligations?date=2027-02-05&prefecture=420700").await;
    assert_eq!(s, StatusCode::OK);
    let eleven = obligation(&v, "prefecture_annual_report");
    // No filing record: the deadline has passed, nothing more is known.
    assert_eq!(eleven["schedule"]["status"], "deadline_passed");
    assert_eq!(eleven["schedule"]["filed"], "unknown");
    assert_eq!(eleven["schedule"]["deadline_passed"], true);
    assert_eq!(eleven["schedule"]["passed_period"], 2026);
    assert_eq!(eleven["schedule"]["next_deadline"], "2028-01-31");
    let reporters: Vec<&str> = eleven["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reporter"]["name_zh"].as_str().unwrap())
        .collect();
    assert_eq!(reporters, ["中共鄂州市委员会", "鄂州市人民政府"]);
    // 十二 for 鄂州: the city and its three districts, each to its own level.
    let twelve = obligation(&v, "local_department_annual_report");
    let lines = twelve["reports"].as_array().unwrap();
    assert_eq!(lines.len(), 4);
    let huarong = lines
        .iter()
        .find(|l| l["reporter"]["adcode"] == "420703")
        .unwrap();
    assert_eq!(huarong["to"][1]["name_zh"], "华容区人民政府");
    assert_eq!(
        huarong["copied_to"][0]["name_zh"],
        "华容区生态环境保护委员会办公室"
    );
    assert!(v["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["id"] != "provincial_department_annual_report"));
    assert_citations_exist(&v, &Rules::embedded().unwrap());
}

#[tokio::test]
async fn obligations_refuse_bad_input() {
    for uri in [
        "/v1/obligations?date=2027-02-30",
        "/v1/obligations?date=27-01-10",
        "/v1/obligations?date=tomorrow",
        "/v1/obligations?date=2027-01-10&prefecture=420101",
        "/v1/obligations?date=2027-01-10&prefecture=%F0%9F%92%A9",
    ] {
        assert_problem(&get(uri).await, 400);
    }
    // Without a date: today (China time), still an answer.
    let (s, _, v) = get("/v1/obligations").await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["date"].as_str().unwrap().len() == 10);
}

#[tokio::test]
async fn profile_of_jianghan() {
    let (s, _, v) = get("/v1/profile?lon=114.2538&lat=30.6060&date=2027-01-10").await;
    assert_eq!(s, StatusCode::OK);
    // Everything locate returns.
    let (_, _, loc) = get("/v1/locate?lon=114.2538&lat=30.6060").await;
    for (k, x) in loc.as_object().unwrap() {
        assert_eq!(&v[k], x, "field {k} differs from /v1/locate");
    }
    let g = &v["governance"];
    let levels = g["levels"].as_array().unwrap();
    let names: Vec<&str> = levels
        .iter()
        .map(|l| l["party_committee"]["name_zh"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["中共湖北省委员会", "中共武汉市委员会", "中共江汉区委员会"]
    );
    let roles: Vec<&str> = levels[1]["first_responsible"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["role_zh"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["市委书记", "市长"]);
    assert_eq!(levels[2]["first_responsible"][1]["role_zh"], "区长");
    assert_eq!(
        levels[0]["committee_office"]["hosted_by"],
        "湖北省生态环境厅"
    );
    assert_eq!(
        levels[2]["committee"]["name_zh"],
        "江汉区生态环境保护委员会"
    );
    let mech = |id: &str| {
        g["mechanisms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .cloned()
    };
    let basin = mech("basin_coordination").unwrap();
    assert_eq!(basin["applies_to"]["zone"]["id"], "H7");
    assert_eq!(basin["provenance"], "reconstructed");
    let metro = mech("metro_joint_prevention").unwrap();
    assert_eq!(
        metro["applies_to"]["metro_areas"][0]["lead_city"]["adcode"],
        "420100"
    );
    assert_eq!(metro["applies_to"]["metro_areas"][0]["is_lead_city"], true);
    assert_eq!(
        metro["features"],
        json!(["统一规划", "统一标准", "统一监测", "统一污染防治措施"])
    );
    // 武汉 is not a corridor city; 江汉区 is an urban district.
    assert!(mech("air_corridor").is_none());
    assert!(mech("co_creation").is_none());
    let eleven = g["reporting_obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "prefecture_annual_report")
        .unwrap();
    assert_eq!(
        eleven["reports"][0]["reporter"]["name_zh"],
        "中共武汉市委员会"
    );
    assert_eq!(eleven["schedule"]["next_deadline"], "2027-01-31");
    for id in ["一", "二", "三", "七", "十一", "十三", "十四", "二十"] {
        assert!(
            g["basis"].as_array().unwrap().contains(&json!(id)),
            "basis lacks {id}"
        );
    }
    assert_citations_exist(&v, &Rules::embedded().unwrap());
}

#[tokio::test]
async fn profile_of_a_rural_corridor_county_and_of_shennongjia() {
    // 京山市 (荆门): corridor, 宜荆荆 metro, rural county.
    let loc = atlas();
    let jingshan = loc.layer(liuyu::LayerKind::County).get("420882").unwrap();
    let p = geo::InteriorPoint::interior_point(&jingshan.geometry).unwrap();
    let (s, _, v) = get(&format!("/v1/profile?lon={}&lat={}", p.x(), p.y())).await;
    assert_eq!(s, StatusCode::OK);
    let ids: Vec<&str> = v["governance"]["mechanisms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    for id in [
        "basin_coordination",
        "metro_joint_prevention",
        "air_corridor",
        "co_creation",
        "committee_coordination",
    ] {
        assert!(ids.contains(&id), "{id} missing: {ids:?}");
    }
    // 神农架林区: province-administered, two levels, forestry-district roles.
    let snj = loc.layer(liuyu::LayerKind::County).get("429021").unwrap();
    let p = geo::InteriorPoint::interior_point(&snj.geometry).unwrap();
    let (_, _, v) = get(&format!("/v1/profile?lon={}&lat={}", p.x(), p.y())).await;
    let levels = v["governance"]["levels"].as_array().unwrap();
    assert_eq!(levels.len(), 2);
    assert_eq!(levels[1]["first_responsible"][0]["role_zh"], "林区党委书记");
    assert!(v["governance"]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().contains("襄十随神")));
}

#[tokio::test]
async fn profile_outside_hubei_and_bad_coordinates() {
    let (s, _, v) = get("/v1/profile?lon=116.39&lat=39.9").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["inside_hubei"], false);
    assert_eq!(v["governance"], Value::Null);
    for uri in [
        "/v1/profile",
        "/v1/profile?lon=abc&lat=30",
        "/v1/profile?lon=NaN&lat=30",
        "/v1/profile?lon=114&lat=95",
        "/v1/profile?lon=114.25&lat=30.6&date=2027-13-01",
    ] {
        assert_problem(&get(uri).await, 400);
    }
}

#[tokio::test]
async fn analyze_answers_with_the_contract_fields() {
    let (s, _, v) = post(
        "/v1/issues/analyze",
        json!({"matter":"air","places":["420700","421100"]}).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    for k in [
        "jurisdictions",
        "crossings",
        "coordinating_body",
        "lead_department",
        "cooperating_departments",
        "mechanisms",
        "special_inspection_eligible",
        "inter_provincial",
        "basis",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    assert_eq!(v["coordinating_body"]["level"], "metro");
    assert!(v["mechanisms"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["id"].is_string() && m["basis"].is_array()));
    assert_citations_exist(&v, &Rules::embedded().unwrap());
}

#[tokio::test]
async fn analyze_refuses_malformed_bodies_with_problems() {
    let ring_open = json!([[[114.0, 30.5], [114.1, 30.5], [114.1, 30.6], [114.0, 30.6]]]);
    let cases: Vec<(String, u16)> = vec![
        ("".into(), 400),
        ("not json".into(), 400),
        ("[]".into(), 400),
        ("{\"matter\":\"water\"}".into(), 400),
        (json!({"places":["420100"]}).to_string(), 400),
        (
            json!({"matter":"water","places":["420100"],"colour":"red"}).to_string(),
            400,
        ),
        (json!({"matter":"water","places":"420100"}).to_string(), 400),
        (
            json!({"matter":"water","places":["nowhere"]}).to_string(),
            400,
        ),
        (
            json!({"matter":"water","footprint":{"type":"Polygon","coordinates":ring_open}})
                .to_string(),
            400,
        ),
        (
            json!({"matter":"water","footprint":{"type":"Polygon","coordinates":[]}}).to_string(),
            400,
        ),
        (
            json!({"matter":"water","footprint":{"type":"MultiPolygon","coordinates":[]}})
                .to_string(),
            400,
        ),
        (
            json!({"matter":"water","footprint":{"type":"Point","coordinates":["114","30"]}})
                .to_string(),
            400,
        ),
        (
            json!({"matter":"water","footprint":{"type":"Point","coordinates":[114.0]}})
                .to_string(),
            400,
        ),
        (
            json!({"matter":"water","footprint":{"type":"Hexagon","coordinates":[114.0,30.0]}})
                .to_string(),
            400,
        ),
        (
            json!({"matter":"water","footprint":{"type":"Feature","geometry":null}}).to_string(),
            400,
        ),
        (
            json!({"matter":"water","footprint":"POINT(114 30)"}).to_string(),
            400,
        ),
        (
            json!({"matter":"water","footprint":{"type":"Point","coordinates":[116.39,39.9]}})
                .to_string(),
            422,
        ),
        (
            "{\"matter\":\"water\",\"footprint\":{\"type\":\"Point\",\"coordinates\":[NaN,30]}}"
                .into(),
            400,
        ),
        (
            "{\"matter\":\"water\",\"footprint\":{\"type\":\"Point\",\"coordinates\":[1e999,30]}}"
                .into(),
            400,
        ),
        (format!("{}{}", "[".repeat(5000), "]".repeat(5000)), 400),
    ];
    for (body, status) in cases {
        let r = post("/v1/issues/analyze", body.clone()).await;
        assert_problem(&r, status);
    }
}

#[tokio::test]
async fn analyze_limits_vertices_and_body_size() {
    // 100,001 short positions fit in 1 MiB but exceed the vertex limit: 413.
    let pts: Vec<String> = (0..100_001)
        .map(|i| format!("[{},{}]", 110 + i % 5, 30 + i % 3))
        .collect();
    let body = format!(
        "{{\"matter\":\"air\",\"footprint\":{{\"type\":\"MultiPoint\",\"coordinates\":[{}]}}}}",
        pts.join(",")
    );
    assert!(body.len() < 1 << 20);
    let r = post("/v1/issues/analyze", body).await;
    assert_problem(&r, 413);
    assert_eq!(r.2["max_vertices"], 100_000);
    // A body over 1 MiB: 413 before parsing.
    let big = format!("{{\"matter\":\"air\",\"pad\":\"{}\"}}", "x".repeat(1 << 20));
    assert_problem(&post("/v1/issues/analyze", big).await, 413);
}

#[tokio::test]
async fn openapi_lists_every_route_served() {
    let spec: Value = serde_json::from_str(OPENAPI).expect("openapi.json is JSON");
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    let (s, ct, served) = get("/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.starts_with("application/json"));
    assert_eq!(served, spec);
    for (method, path) in ROUTES {
        assert!(
            spec["paths"][path][method].is_object(),
            "{method} {path} is not in openapi.json"
        );
        // And the route is really served (not a 404 / 405).
        let req = Request::builder()
            .method(method.to_uppercase().as_str())
            .uri(path)
            .body(Body::empty())
            .unwrap();
        let (s, _, _) = send(req).await;
        assert!(
            s != StatusCode::NOT_FOUND && s != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {s}"
        );
    }
    // Every documented path is served too.
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            // Path parameters filled with values that exist.
            let uri = path
                .replace("{id}", "hanjiang")
                .replace("{mode}", "DM")
                .replace("{file}", "zones.geojson");
            assert!(!uri.contains('{'), "no example value for {path}");
            let req = Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&uri)
                .body(Body::empty())
                .unwrap();
            let (s, _, _) = send(req).await;
            assert!(
                s != StatusCode::NOT_FOUND && s != StatusCode::METHOD_NOT_ALLOWED,
                "documented {method} {path} gives {s}"
            );
        }
    }
}

#[tokio::test]
async fn governance_rules_summary() {
    let (s, _, v) = get("/v1/governance").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["clauses"].as_array().unwrap().len(), 20);
    assert_eq!(v["catalog"]["provenance"], "template");
    // The served router installs the river network as the water hook.
    assert!(v["water"].as_str().unwrap().contains("river network"));
}

/// A copy of the embedded dataset with an empty `governance/` directory.
fn dataset_copy(name: &str) -> std::path::PathBuf {
    let dst = common::dataset_copy(name);
    std::fs::create_dir_all(dst.join("governance")).unwrap();
    dst
}

#[tokio::test]
async fn a_dataset_directory_replaces_the_matter_catalog() {
    let dir = dataset_copy("gov-dataset-official");
    std::fs::write(
        dir.join("governance/matters.toml"),
        r#"
[catalog]
provenance = "official"
source = "test list"
basis = ["五", "七"]

[[matter]]
id = "odour"
name_zh = "恶臭"
name_en = "Odour"
themes = ["air"]
lead = "eco_environment"
cooperating = ["housing_construction"]
"#,
    )
    .unwrap();
    let atlas = Atlas::load_dir(&dir).expect("copied dataset loads");
    let state = AppState::new(atlas, DataSource::Dir(dir.clone()));
    let app = router(state.clone());
    let req = json_post(
        "/v1/issues/analyze",
        json!({"matter":"odour","places":["420802"]}).to_string(),
    );
    let r = common::send(app.clone(), req).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["matter"]["known"], true);
    assert_eq!(v["lead_department"]["provenance"], "official");
    assert_eq!(v["lead_department"]["name_zh"], "东宝区生态环境部门");
    // The embedded catalog is gone: `water` is now unknown.
    let req = json_post(
        "/v1/issues/analyze",
        json!({"matter":"water","places":["420802"]}).to_string(),
    );
    let v = common::send(app.clone(), req).await.json();
    assert_eq!(v["matter"]["known"], false);

    // Replace the catalog again and reload the data (as SIGHUP does): the
    // governance rules are re-read with the new snapshot.
    std::fs::write(
        dir.join("governance/matters.toml"),
        liuyu::governance::rules::FILES
            .iter()
            .find(|(n, _)| *n == "matters.toml")
            .unwrap()
            .1,
    )
    .unwrap();
    state.reload().expect("reload");
    let req = json_post(
        "/v1/issues/analyze",
        json!({"matter":"water","places":["420802"]}).to_string(),
    );
    let v = common::send(app.clone(), req).await.json();
    assert_eq!(v["matter"]["known"], true);
    assert_eq!(v["lead_department"]["provenance"], "template");

    // Invalid rules in the dataset: 503 problem, the atlas keeps serving /v1/locate.
    let bad = dataset_copy("gov-dataset-bad");
    std::fs::write(
        bad.join("governance/mechanisms.toml"),
        "[[mechanism]]\nid = 1\n",
    )
    .unwrap();
    let atlas = Atlas::load_dir(&bad).unwrap();
    let app = router(AppState::new(atlas, DataSource::Dir(bad)));
    let get = |uri: &str| Request::get(uri).body(Body::empty()).unwrap();
    let r = common::send(app.clone(), get("/v1/obligations?date=2027-01-10")).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.content_type(), "application/problem+json");
    let r = common::send(app, get("/v1/locate?lon=114.25&lat=30.6")).await;
    assert_eq!(r.status, StatusCode::OK);
}

/// Status, headers (without `date`) and pretty body (`data_version` masked;
/// the content length stays valid as the hash has a fixed length), compared with (or, with
/// UPDATE_GOLDEN=1, written to) `tests/golden/<name>`. The goldens were
/// reviewed by hand against the seed and the spec when written.
async fn golden(name: &str, req: Request<Body>) {
    let r = common::send(app(), req).await;
    let mut body = r.json();
    // The dataset's content hash changes with any data fix; it is checked
    // against the atlas here and kept out of the golden text.
    if let Some(v) = body.get_mut("data_version") {
        assert_eq!(v.as_str(), Some(atlas().version()));
        *v = json!("<data_version>");
    }
    let pretty = serde_json::to_string_pretty(&body).unwrap();
    common::golden(name, r.status, &r.headers, &pretty);
}

#[tokio::test]
async fn goldens_with_headers() {
    golden(
        "governance_obligations_ezhou_2027-02-05.txt",
        Request::get("/v1/obligations?date=2027-02-05&prefecture=420700")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    golden(
        "governance_analyze_water_ezhou_huanggang.txt",
        json_post(
            "/v1/issues/analyze",
            r#"{"matter":"water","places":["420700","421100"]}"#,
        ),
    )
    .await;
    golden(
        "governance_analyze_open_ring.txt",
        json_post("/v1/issues/analyze", r#"{"matter":"water","footprint":{"type":"Polygon","coordinates":[[[114,30],[114.1,30],[114.1,30.1],[114,30.2]]]}}"#),
    )
    .await;
}
