//! Scenario tests of the governance engine (issue 3, "Must show"), on the
//! embedded atlas. Footprints are built from the atlas geometry itself, and
//! shares are checked against an independent method: dense sampling with the
//! point locator.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use geo::{Coord, InteriorPoint, Point};
use liuyu::governance::analyze::{analyze, Analysis, AnalyzeError, AnalyzeRequest};
use liuyu::governance::footprint::DEFAULT_MAX_VERTICES;
use liuyu::governance::water::NoRiverGraph;
use liuyu::governance::Rules;
use liuyu::{Atlas, LayerKind};
use serde_json::{json, Value};

fn atlas() -> &'static Atlas {
    static A: OnceLock<Atlas> = OnceLock::new();
    A.get_or_init(|| Atlas::embedded().expect("embedded atlas"))
}

fn rules() -> &'static Rules {
    static R: OnceLock<Rules> = OnceLock::new();
    R.get_or_init(|| Rules::embedded().expect("embedded rules"))
}

fn run(req: Value) -> Result<Analysis, AnalyzeError> {
    let req: AnalyzeRequest = serde_json::from_value(req).expect("request shape");
    analyze(
        rules(),
        atlas(),
        &NoRiverGraph,
        &req,
        DEFAULT_MAX_VERTICES,
        &liuyu::Budget::unlimited(),
    )
}

/// A point strictly inside a county, checked with the locator.
fn inside(county: &str) -> Point<f64> {
    let u = atlas()
        .layer(LayerKind::County)
        .get(county)
        .unwrap_or_else(|| panic!("county {county}"));
    let p = u.geometry.interior_point().expect("interior point");
    let loc = atlas().locate(p.x(), p.y());
    assert_eq!(loc.county.as_ref().map(|c| c.adcode.as_str()), Some(county));
    assert!(!loc.on_boundary);
    p
}

fn ids(t: &[liuyu::governance::jurisdiction::Touched]) -> BTreeSet<String> {
    t.iter().map(|x| x.id.clone()).collect()
}

fn mechanism<'a>(
    a: &'a Analysis,
    id: &str,
) -> Option<&'a liuyu::governance::analyze::MechanismItem> {
    a.mechanisms.iter().find(|m| m.id == id)
}

/// Every clause id anywhere in the answer (any `basis` array) exists in the rules.
fn assert_citations_exist(v: &Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "basis" {
                    for id in x.as_array().expect("basis is an array") {
                        let id = id.as_str().expect("clause id string");
                        assert!(
                            rules().clause(id).is_some(),
                            "cited clause {id} does not exist"
                        );
                    }
                }
                assert_citations_exist(x);
            }
        }
        Value::Array(a) => a.iter().for_each(assert_citations_exist),
        _ => {}
    }
}

fn line(a: Point<f64>, b: Point<f64>) -> Value {
    json!({"type":"LineString","coordinates":[[a.x(),a.y()],[b.x(),b.y()]]})
}

/// Independent check of length shares: sample the segment densely with the
/// point locator and compare the fraction of samples per unit with the share.
fn check_line_shares(a: &Analysis, from: Point<f64>, to: Point<f64>, kind: LayerKind) {
    const N: usize = 4000;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..N {
        let t = (i as f64 + 0.5) / N as f64;
        let (x, y) = (
            from.x() + (to.x() - from.x()) * t,
            from.y() + (to.y() - from.y()) * t,
        );
        for m in atlas().locate(x, y).matches {
            if m.layer == kind.id() {
                *counts.entry(m.id).or_default() += 1;
            }
        }
    }
    let touched = match kind {
        LayerKind::County => &a.jurisdictions.counties,
        LayerKind::Prefecture => &a.jurisdictions.prefectures,
        LayerKind::Basin => &a.jurisdictions.basins,
        _ => unreachable!(),
    };
    for (id, c) in &counts {
        let share = touched.iter().find(|t| &t.id == id).map(|t| t.share);
        let sampled = *c as f64 / N as f64;
        let share = share.unwrap_or_else(|| panic!("{id} sampled ({sampled}) but not reported"));
        assert!(
            (share - sampled).abs() < 0.005,
            "{id}: share {share} vs sampled {sampled}"
        );
    }
    for t in touched {
        // Pieces too short to catch a sample (< 2 sample spacings) may be missed by sampling.
        if !counts.contains_key(&t.id) {
            assert!(
                t.share < 2.0 / N as f64,
                "{} reported ({}) but never sampled",
                t.id,
                t.share
            );
        }
    }
}

#[test]
fn jingmen_air_point_gets_corridor_and_yijingjing_metro() {
    // 东宝区, 荆门's central district.
    let p = inside("420802");
    let a = run(json!({"matter":"air","footprint":{"type":"Point","coordinates":[p.x(),p.y()]}}))
        .unwrap();
    assert_eq!(
        ids(&a.jurisdictions.prefectures),
        BTreeSet::from(["420800".to_string()])
    );
    assert_eq!(a.coordinating_body.level, "county");
    let corridor = mechanism(&a, "air_corridor").expect("corridor mechanism for 荆门");
    assert!(corridor.basis.contains(&"十四".to_string()));
    let partners: BTreeSet<&str> = corridor.applies_to["corridors"][0]["partners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["adcode"].as_str().unwrap())
        .collect();
    assert_eq!(partners, BTreeSet::from(["420600", "421000", "420500"]));
    let metro = mechanism(&a, "metro_joint_prevention").expect("metro mechanism");
    let m = &metro.applies_to["metro_areas"][0];
    assert_eq!(m["id"], "yijingjing");
    assert_eq!(m["lead_city"]["adcode"], "420500");
    assert_eq!(m["lead_city"]["name"], "宜昌市");
    assert!(metro.features.contains(&"统一监测".to_string()));
    assert!(a.basis.contains(&"十四".to_string()));
    assert!(!a.special_inspection_eligible);
    assert!(!a.inter_provincial);
    assert_eq!(a.jurisdictions.counties[0].share, 1.0);
    // Air is not water: no basin mechanism.
    assert!(mechanism(&a, "basin_coordination").is_none());
    assert_citations_exist(&serde_json::to_value(&a).unwrap());
}

#[test]
fn water_across_ezhou_and_huanggang_goes_to_the_wuhan_metro() {
    // From 鄂城区 (鄂州) across the Yangtze to 黄州区 (黄冈).
    let (from, to) = (inside("420704"), inside("421102"));
    let a = run(json!({"matter":"water","footprint":line(from, to)})).unwrap();
    let prefs = ids(&a.jurisdictions.prefectures);
    assert!(
        prefs.contains("420700") && prefs.contains("421100"),
        "{prefs:?}"
    );
    let wuhan = atlas().layer(LayerKind::MetroArea).get("wuhan").unwrap();
    assert!(prefs.iter().all(|p| wuhan.members().contains(&p.as_str())));
    let c = &a.coordinating_body;
    assert_eq!(c.level, "metro");
    assert_eq!(c.metro.as_ref().unwrap().id, "wuhan");
    assert_eq!(c.metro.as_ref().unwrap().lead_city.adcode, "420100");
    // 武汉 convenes and drives (推动); it commands no other city's bodies.
    assert_eq!(c.place.name, "武汉市");
    assert_eq!(c.convened_by.as_ref().unwrap().name_zh, "武汉市人民政府");
    assert!(c.committee.is_none());
    assert_eq!(
        c.above.as_ref().unwrap().name_zh,
        "湖北省生态环境保护委员会办公室"
    );
    assert!(a.basis.contains(&"十三".to_string()) && a.basis.contains(&"十四".to_string()));
    assert!(mechanism(&a, "basin_coordination").is_some());
    assert!(mechanism(&a, "metro_joint_prevention").is_some());
    assert!(a.crossings.iter().any(|x| x.boundary == "prefecture"));
    // No river graph yet: said so, not guessed.
    assert!(a.water_context.is_none());
    assert!(a.notes.iter().any(|n| n.contains("no river graph")));
    check_line_shares(&a, from, to, LayerKind::County);
    check_line_shares(&a, from, to, LayerKind::Prefecture);
    // Each participant is led by its own department; none by 武汉's.
    assert!(a.lead_department.is_none());
    let parts: Vec<(&str, &str)> = c
        .participants
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.lead_department.as_ref().unwrap().name_zh.as_str(),
            )
        })
        .collect();
    assert_eq!(
        parts,
        [
            ("鄂州市", "鄂州市生态环境部门"),
            ("黄冈市", "黄冈市生态环境部门")
        ]
    );
    // One prefecture: its own lead department with the portfolio leader (四).
    let one = run(json!({"matter":"water","places":["420700"]})).unwrap();
    let lead = one.lead_department.as_ref().unwrap();
    assert_eq!(lead.role.department.id, "eco_environment");
    assert_eq!(lead.role.provenance, "template");
    assert_eq!(
        lead.portfolio_leader["role_zh"],
        "分管生态环境工作的鄂州市党委政府领导班子成员"
    );
    assert_eq!(lead.portfolio_leader["basis"], json!(["四"]));
    assert_citations_exist(&serde_json::to_value(&a).unwrap());

    // The same by adcodes.
    let b = run(json!({"matter":"water","places":["420700","421100"]})).unwrap();
    assert_eq!(b.coordinating_body.level, "metro");
    assert_eq!(
        ids(&b.jurisdictions.prefectures),
        BTreeSet::from(["420700".to_string(), "421100".to_string()])
    );
    let total: f64 = b.jurisdictions.prefectures.iter().map(|p| p.share).sum();
    assert!((total - 1.0).abs() < 1e-5);
}

#[test]
fn shiyan_to_xiangyang_goes_to_the_province_with_the_cluster_noted() {
    let (from, to) = (inside("420303"), inside("420606"));
    let a = run(json!({"matter":"air","footprint":line(from, to)})).unwrap();
    let prefs = ids(&a.jurisdictions.prefectures);
    assert!(
        prefs.contains("420300") && prefs.contains("420600"),
        "{prefs:?}"
    );
    assert_eq!(a.coordinating_body.level, "province");
    assert_eq!(a.coordinating_body.name_zh, "湖北省生态环境保护委员会");
    assert_eq!(
        a.coordinating_body
            .office
            .as_ref()
            .unwrap()
            .hosted_by
            .as_deref(),
        Some("湖北省生态环境厅")
    );
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("十堰市") && n.contains("襄十随神城市群")),
        "{:?}",
        a.notes
    );
    let metro = a
        .crossings
        .iter()
        .find(|c| c.boundary == "metro")
        .expect("metro crossing");
    assert!(
        metro.units.contains(&"xiangyang".to_string())
            && metro.units.contains(&"outside".to_string())
    );
    assert!(ids(&a.jurisdictions.city_clusters).contains("xiangshisuishen"));
    check_line_shares(&a, from, to, LayerKind::County);
    assert_citations_exist(&serde_json::to_value(&a).unwrap());
}

#[test]
fn crossing_the_han_yangtze_basin_line_is_eligible_for_special_inspection() {
    // 江汉区 (汉江 basin, H7) to 武昌区 (长江干流, C6).
    let (from, to) = (inside("420103"), inside("420106"));
    let a = run(json!({"matter":"water","footprint":line(from, to)})).unwrap();
    assert_eq!(
        ids(&a.jurisdictions.basins),
        BTreeSet::from(["changjiang".to_string(), "hanjiang".to_string()])
    );
    assert!(a.crossings.iter().any(|c| c.boundary == "basin"));
    assert!(a.special_inspection_eligible);
    let m = mechanism(&a, "special_inspection").unwrap();
    assert_eq!(m.basis, vec!["十六".to_string()]);
    assert!(a
        .jurisdictions
        .zones
        .iter()
        .all(|z| z.extra["provenance"] == "reconstructed"));
    check_line_shares(&a, from, to, LayerKind::Basin);
    // One prefecture (武汉): prefecture committee.
    assert_eq!(a.coordinating_body.level, "prefecture");
    assert_eq!(a.coordinating_body.name_zh, "武汉市生态环境保护委员会");

    // Within one county: nothing crossed, not eligible.
    let b = run(json!({"matter":"water","places":["420103"]})).unwrap();
    assert!(!b.special_inspection_eligible);
    assert!(b.crossings.is_empty());
    assert_eq!(b.coordinating_body.level, "county");
    assert_eq!(b.coordinating_body.name_zh, "江汉区生态环境保护委员会");
}

#[test]
fn an_area_partly_in_hunan_is_inter_provincial() {
    // The southernmost vertex of Hubei's outline lies on the border with Hunan.
    let province = &atlas().layer(LayerKind::Province).units[0].geometry;
    let south: Coord<f64> = province
        .0
        .iter()
        .flat_map(|p| p.exterior().coords().copied())
        .min_by(|a, b| a.y.total_cmp(&b.y))
        .unwrap();
    let d = 0.05;
    let ring = vec![
        [south.x - d, south.y - d],
        [south.x + d, south.y - d],
        [south.x + d, south.y + d],
        [south.x - d, south.y + d],
        [south.x - d, south.y - d],
    ];
    let a = run(json!({"matter":"water","footprint":{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[ring]}}})).unwrap();
    assert!(a.inter_provincial);
    assert!(a.crossings.iter().any(|c| c.boundary == "province"));
    // The other province is named, and the Hubei part follows the usual rule.
    assert_eq!(a.other_provinces[0].adcode, "430000");
    assert_ne!(a.coordinating_body.level, "metro");
    assert!(a.coordinating_body.reason.contains("Hubei part"));
    // Independent check of the outside share: a 60x60 grid of locator lookups.
    let n = 60;
    let mut outside = 0;
    for i in 0..n {
        for j in 0..n {
            let x = south.x - d + 2.0 * d * (i as f64 + 0.5) / n as f64;
            let y = south.y - d + 2.0 * d * (j as f64 + 0.5) / n as f64;
            if !atlas().locate(x, y).inside_hubei {
                outside += 1;
            }
        }
    }
    let sampled = f64::from(outside) / f64::from(n * n);
    let share = a.jurisdictions.outside_hubei_share;
    assert!(share > 0.2 && share < 0.95, "outside share {share}");
    assert!(
        (share - sampled).abs() < 0.03,
        "outside share {share} vs grid {sampled}"
    );
    // The shares inside Hubei plus the outside share make the whole.
    let inside: f64 = a.jurisdictions.counties.iter().map(|c| c.share).sum();
    assert!((inside + share - 1.0).abs() < 1e-4);
    assert!(a.notes.iter().any(|n| n.contains("outside Hubei")));
}

#[test]
fn unknown_matter_is_designated_by_the_committee() {
    let a = run(json!({"matter":"light_pollution","places":["420104","420105"]})).unwrap();
    assert!(!a.matter.known);
    assert!(a.lead_department.is_none());
    assert!(a.cooperating_departments.is_empty());
    let d = a.designation.as_ref().expect("designation");
    assert_eq!(d.status, "to_be_designated");
    assert_eq!(d.level, "prefecture");
    assert_eq!(d.by.as_ref().unwrap().name_zh, "武汉市生态环境保护委员会");
    assert_eq!(d.basis, vec!["七".to_string()]);
    assert!(a.basis.contains(&"七".to_string()));
    assert_citations_exist(&serde_json::to_value(&a).unwrap());
}

#[test]
fn suspected_crime_gets_the_judicial_chain() {
    let a = run(json!({"matter":"suspected_crime","places":["420802"]})).unwrap();
    let j = mechanism(&a, "judicial_linkage").expect("judicial linkage");
    assert_eq!(j.basis, vec!["十八".to_string()]);
    let steps: Vec<&str> = j.applies_to["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["organ"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "eco_environment",
            "public_security",
            "public_security",
            "procuratorate",
            "court"
        ]
    );
    // The competent court under the law: no level, no place claimed.
    assert_eq!(j.applies_to["chain"][4]["organ"]["name_zh"], "人民法院");
    assert_eq!(
        a.lead_department.as_ref().unwrap().role.department.id,
        "public_security"
    );
    // Any matter flagged as suspected crime too.
    let b = run(json!({"matter":"hazardous_waste","places":["420802"],"suspected_crime":true}))
        .unwrap();
    assert!(mechanism(&b, "judicial_linkage").is_some());
    let c = run(json!({"matter":"hazardous_waste","places":["420802"]})).unwrap();
    assert!(mechanism(&c, "judicial_linkage").is_none());
}

#[test]
fn rural_living_environment_uses_co_creation() {
    // 京山市 is a county-level city (rural by the rule), 东宝区 an urban district.
    let a = run(json!({"matter":"rural_living_environment","places":["420882","420802"]})).unwrap();
    let m = mechanism(&a, "co_creation").expect("co-creation");
    assert_eq!(m.basis, vec!["十五".to_string()]);
    assert_eq!(m.provenance.as_deref(), Some("reconstructed"));
    let rural: BTreeMap<String, bool> = m.applies_to["counties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["county"]["adcode"].as_str().unwrap().to_string(),
                c["rural"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(rural["420882"]);
    assert!(!rural["420802"]);
}

#[test]
fn refusals() {
    assert!(matches!(
        run(json!({"matter":"water"})),
        Err(AnalyzeError::BadRequest(_))
    ));
    assert!(matches!(
        run(
            json!({"matter":"water","places":["420100"],"footprint":{"type":"Point","coordinates":[114.0,30.0]}})
        ),
        Err(AnalyzeError::BadRequest(_))
    ));
    assert!(matches!(
        run(json!({"matter":"","places":["420100"]})),
        Err(AnalyzeError::BadRequest(_))
    ));
    assert!(matches!(
        run(json!({"matter":"water","places":["999999"]})),
        Err(AnalyzeError::Name { .. })
    ));
    assert!(matches!(
        run(json!({"matter":"water","places":[]})),
        Err(AnalyzeError::Jurisdiction(_))
    ));
    // Beijing is not in Hubei.
    assert_eq!(
        run(json!({"matter":"water","footprint":{"type":"Point","coordinates":[116.39,39.9]}}))
            .unwrap_err(),
        AnalyzeError::OutsideHubei
    );
    // A zero-length line.
    assert!(run(json!({"matter":"water","footprint":{"type":"LineString","coordinates":[[114.0,30.5],[114.0,30.5]]}})).is_err());
}

#[test]
fn polygon_shares_match_a_sampling_grid() {
    // A box over 武汉 and its neighbours; shares by area vs a grid of lookups.
    let (x0, y0, x1, y1) = (113.9, 30.3, 114.7, 30.9);
    let ring = vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
    let a =
        run(json!({"matter":"air","footprint":{"type":"Polygon","coordinates":[ring]}})).unwrap();
    let n = 120;
    let mut counts: BTreeMap<String, f64> = BTreeMap::new();
    let mut wsum = 0.0;
    for j in 0..n {
        let y = y0 + (y1 - y0) * (j as f64 + 0.5) / n as f64;
        // Weight rows by cos(latitude): equal-angle cells shrink northwards.
        let w = y.to_radians().cos();
        for i in 0..n {
            let x = x0 + (x1 - x0) * (i as f64 + 0.5) / n as f64;
            wsum += w;
            if let Some(p) = atlas().locate(x, y).prefecture {
                *counts.entry(p.adcode).or_default() += w;
            }
        }
    }
    for p in &a.jurisdictions.prefectures {
        let sampled = counts.get(&p.id).copied().unwrap_or(0.0) / wsum;
        assert!(
            (p.share - sampled).abs() < 0.01,
            "{}: {} vs {}",
            p.id,
            p.share,
            sampled
        );
    }
    assert_eq!(a.coordinating_body.level, "metro");
    let sum: f64 = a.jurisdictions.prefectures.iter().map(|p| p.share).sum();
    assert!((sum - 1.0).abs() < 1e-5, "prefecture shares sum to {sum}");
}

/// A random JSON value shaped like (and often unlike) GeoJSON.
fn random_geojson(rng: &mut rand_chacha::ChaCha8Rng, depth: u32) -> Value {
    use rand::Rng;
    let coord = |rng: &mut rand_chacha::ChaCha8Rng| -> Value {
        match rng.gen_range(0..10) {
            0 => json!([rng.gen_range(-400.0..400.0), rng.gen_range(-200.0..200.0)]),
            1 => json!([114.0]),
            2 => json!(["114", 30]),
            3 => json!([114.0, 30.0, 5.0, 1.0]),
            _ => json!([rng.gen_range(108.0..117.0), rng.gen_range(28.5..33.5)]),
        }
    };
    let ring = |rng: &mut rand_chacha::ChaCha8Rng| -> Value {
        let n = rng.gen_range(0..8);
        let mut pts: Vec<Value> = (0..n).map(|_| coord(rng)).collect();
        if rng.gen_bool(0.7) && !pts.is_empty() {
            pts.push(pts[0].clone());
        }
        Value::Array(pts)
    };
    let ty = [
        "Point",
        "MultiPoint",
        "LineString",
        "MultiLineString",
        "Polygon",
        "MultiPolygon",
        "GeometryCollection",
        "Feature",
        "FeatureCollection",
        "Nonsense",
    ][rng.gen_range(0..10)];
    match ty {
        "Point" => json!({"type": ty, "coordinates": coord(rng)}),
        "MultiPoint" | "LineString" => json!({"type": ty, "coordinates": ring(rng)}),
        "MultiLineString" | "Polygon" => {
            let n = rng.gen_range(0..3);
            json!({"type": ty, "coordinates": (0..n).map(|_| ring(rng)).collect::<Vec<_>>()})
        }
        "MultiPolygon" => {
            let n = rng.gen_range(0..3);
            json!({"type": ty, "coordinates": (0..n).map(|_| json!([ring(rng)])).collect::<Vec<_>>()})
        }
        "GeometryCollection" if depth < 3 => {
            let n = rng.gen_range(0..3);
            json!({"type": ty, "geometries": (0..n).map(|_| random_geojson(rng, depth + 1)).collect::<Vec<_>>()})
        }
        "Feature" if depth < 3 => {
            json!({"type": ty, "properties": null, "geometry": random_geojson(rng, depth + 1)})
        }
        "FeatureCollection" if depth < 3 => {
            json!({"type": ty, "features": [random_geojson(rng, depth + 1)]})
        }
        _ => json!({"type": ty, "coordinates": coord(rng)}),
    }
}

#[test]
fn random_footprints_never_panic() {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20260119);
    let (mut ok, mut refused) = (0, 0);
    for _ in 0..400 {
        let fp = random_geojson(&mut rng, 0);
        // Any panic here fails the test; every input must give an answer or a refusal.
        match run(json!({"matter": "water", "footprint": fp})) {
            Ok(a) => {
                ok += 1;
                assert!(!a.jurisdictions.counties.is_empty());
                let s: f64 = a.jurisdictions.prefectures.iter().map(|p| p.share).sum();
                assert!(s + a.jurisdictions.outside_hubei_share > 0.0);
            }
            Err(_) => refused += 1,
        }
    }
    // The generator produces both kinds.
    assert!(ok > 20 && refused > 20, "ok {ok}, refused {refused}");
}

/// A stand-in river engine for the hook: it answers from the atlas itself
/// (the zone drainage H4 -> H7 of the geography spec) so the plug-in path is
/// exercised end to end without the river graph.
struct ZoneDrainage;

impl liuyu::governance::water::UpstreamDownstream for ZoneDrainage {
    fn for_footprint(
        &self,
        atlas: &Atlas,
        footprint: &liuyu::governance::footprint::Footprint,
        _: &liuyu::Budget,
    ) -> Result<Option<liuyu::governance::water::WaterContext>, liuyu::Exhausted> {
        use liuyu::governance::water::{Related, WaterContext};
        let v = footprint.vertices();
        let in_h4 = v
            .iter()
            .any(|p| atlas.locate(p.0, p.1).zone.is_some_and(|z| z.id == "H4"));
        let Some(h7) = atlas.layer(LayerKind::Zone).get("H7").filter(|_| in_h4) else {
            return Ok(None);
        };
        Ok(Some(WaterContext {
            tolerance_km: 0.0,
            reaches: vec![],
            inside_counties: vec![],
            inside_prefectures: vec![],
            inside_outside_hubei: vec![],
            entry_points: vec![],
            exit_points: vec![],
            upstream_counties: vec![],
            upstream_prefectures: vec![],
            upstream_zones: vec![],
            downstream_counties: vec![],
            downstream_prefectures: vec![Related {
                id: h7.id.clone(),
                name: h7.name.clone(),
                distance_km: 0.0,
                river: Some("汉江".into()),
            }],
            upstream_outside: vec![],
            downstream_outside: vec![],
            bank_pairs: vec![],
            trunk_tributary: vec![],
            notes: vec![format!("vertices: {}", v.len())],
            basis: vec!["十三".into(), "九十九".into()],
            provenance: "zone-level drainage table (test)".into(),
        }))
    }

    fn drainage(&self, _: &Atlas, _: f64, _: f64) -> Option<liuyu::governance::water::Drainage> {
        None
    }

    fn describe(&self) -> &str {
        "zone-level drainage (test)"
    }
}

#[test]
fn a_river_engine_plugs_into_water_analyses() {
    let g = liuyu::governance::Governance::new(rules().clone())
        .with_water(std::sync::Arc::new(ZoneDrainage));
    let p = inside("420881"); // 钟祥市, zone H4
    let req: AnalyzeRequest = serde_json::from_value(
        json!({"matter":"water","footprint":{"type":"Point","coordinates":[p.x(),p.y()]}}),
    )
    .unwrap();
    let a = g.analyze(atlas(), &req).unwrap();
    let w = a
        .water_context
        .as_ref()
        .expect("water context from the hook");
    assert_eq!(w.downstream_prefectures[0].id, "H7");
    assert_eq!(w.notes, vec!["vertices: 1".to_string()]);
    assert!(!a.notes.iter().any(|n| n.contains("no river graph")));
    assert!(a.basis.contains(&"十三".to_string()));
    // A clause the rules lack is not passed through.
    assert!(!a.basis.contains(&"九十九".to_string()));
    // Air matters do not ask the river engine.
    let req: AnalyzeRequest =
        serde_json::from_value(json!({"matter":"air","places":["420881"]})).unwrap();
    assert!(g.analyze(atlas(), &req).unwrap().water_context.is_none());
}
