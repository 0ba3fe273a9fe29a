//! Must-show navigation tests for issue 4 (rivers), against the embedded data.
//! Jurisdictions are checked through `Atlas::locate` (the county polygons), not
//! through tables in this module.
use liuyu::hydro::navigate::{Navigation, Passed};
use liuyu::hydro::{Mode, NavError, RiverGraph};
use liuyu::Atlas;
use std::sync::OnceLock;

fn graph() -> &'static (Atlas, RiverGraph) {
    static G: OnceLock<(Atlas, RiverGraph)> = OnceLock::new();
    G.get_or_init(|| {
        let atlas = Atlas::embedded().expect("atlas");
        let g = RiverGraph::embedded(&atlas).expect("river graph validates");
        (atlas, g)
    })
}

fn names(v: &[Passed]) -> Vec<&str> {
    v.iter().map(|p| p.name.as_str()).collect()
}

fn entry(v: &[Passed], name: &str) -> f64 {
    v.iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} not passed: {:?}", names(v)))
        .entry_km
}

/// A point on the 汉江 in 襄阳 city (襄城/樊城 reach).
const XIANGYANG: (f64, f64) = (112.15, 32.03);

fn han_dm() -> Navigation {
    let (_, g) = graph();
    g.navigate(Mode::DM, XIANGYANG.0, XIANGYANG.1, None, None)
        .unwrap()
}

#[test]
fn graph_validates_with_counts() {
    let (_, g) = graph();
    let s = &g.summary;
    assert!((40..=80).contains(&s.nodes), "{s:?}");
    assert!((40..=90).contains(&s.edges), "{s:?}");
    assert!(s.total_km > 3800.0 && s.total_km < 4400.0, "{s:?}");
    // sinks are exactly the declared outlet/outflows
    for id in &s.sinks {
        let n = g.nodes.iter().find(|n| &n.id == id).unwrap();
        assert!(n.role == "outlet" || n.role == "outflow", "{n:?}");
    }
    assert_eq!(g.nodes.iter().filter(|n| n.role == "outlet").count(), 1);
    // every gazetteer river is present and contiguous
    for r in &g.rivers {
        assert!(!r.edges.is_empty(), "{}", r.id);
    }
    // edges follow the topological order: each edge goes from earlier to later
    let mut pos = vec![0; g.nodes.len()];
    for (k, &n) in g.topo.iter().enumerate() {
        pos[n] = k;
    }
    for e in &g.edges {
        assert!(pos[e.from] < pos[e.to]);
    }
}

#[test]
fn changjiang_in_hubei_is_about_1061_km_and_flows_west_to_east() {
    let (_, g) = graph();
    let r = &g.rivers[g.river_index("changjiang").unwrap()];
    // 长江 in Hubei: 1,061 km is the commonly cited figure; WDBII + derived centreline
    assert!(
        r.length_km > 1000.0 && r.length_km < 1120.0,
        "{}",
        r.length_km
    );
    let first = &g.edges[r.edges[0]];
    let last = &g.edges[*r.edges.last().unwrap()];
    assert!(g.nodes[first.from].lon < 110.2 && g.nodes[last.to].lon > 116.0);
    let h = &g.rivers[g.river_index("hanjiang").unwrap()];
    assert!(g.nodes[g.edges[h.edges[0]].from].lon < 110.0);
    assert!(g.nodes[g.edges[*h.edges.last().unwrap()].to].lon > 114.2);
}

#[test]
fn hanjiang_at_xiangyang_dm_passes_the_middle_and_lower_han_then_the_changjiang() {
    let (atlas, _) = graph();
    let n = han_dm();
    assert_eq!(n.snapped.river.as_deref(), Some("hanjiang"));
    let c = &n.counties;
    let order = ["宜城市", "钟祥市", "潜江市", "仙桃市"];
    let kms: Vec<f64> = order.iter().map(|name| entry(c, name)).collect();
    assert!(kms.windows(2).all(|w| w[0] < w[1]), "{kms:?}");
    // the first 长江 reach is in 武汉
    let cj = n
        .reaches
        .iter()
        .find(|r| r.river.as_deref() == Some("changjiang"))
        .unwrap();
    assert_eq!(cj.jurisdiction.as_ref().unwrap().prefecture_name, "武汉市");
    // the confluence with the 长江 is in 武汉 (checked independently with locate)
    let conf = n
        .events
        .iter()
        .find(|e| e.kind == "confluence" && e.rivers.iter().any(|r| r == "长江"))
        .unwrap();
    let loc = atlas.locate(conf.lon, conf.lat);
    assert_eq!(loc.prefecture.unwrap().name, "武汉市");
    // then leaves Hubei past 黄梅
    let fin = n
        .leaves_hubei
        .iter()
        .find(|x| x.final_exit)
        .expect("a final exit");
    assert_eq!(fin.last_county.as_deref(), Some("黄梅县"));
    assert!(fin.km > entry(c, "黄梅县"));
    let out = atlas.locate(fin.lon + 0.05, fin.lat);
    assert!(out.county.is_none() || out.county.unwrap().name == "黄梅县");
    // DM does not take the 东荆河
    assert!(n
        .reaches
        .iter()
        .all(|r| r.river.as_deref() != Some("dongjing")));
    assert!(n
        .events
        .iter()
        .any(|e| e.kind == "distributary_head" && e.rivers.iter().any(|r| r == "东荆河")));
}

#[test]
fn hanjiang_at_xiangyang_dd_includes_the_dongjing_split() {
    let (_, g) = graph();
    let dd = g
        .navigate(Mode::DD, XIANGYANG.0, XIANGYANG.1, None, None)
        .unwrap();
    let dm = han_dm();
    assert!(dd
        .reaches
        .iter()
        .any(|r| r.river.as_deref() == Some("dongjing")));
    assert!(
        dd.total_km > dm.total_km + 100.0,
        "{} vs {}",
        dd.total_km,
        dm.total_km
    );
    // every DM county is also in DD
    for c in &dm.counties {
        assert!(dd.counties.iter().any(|d| d.id == c.id), "{}", c.name);
    }
}

#[test]
fn qingjiang_at_enshi_dm_reaches_the_changjiang_at_yidu() {
    let (atlas, g) = graph();
    let start = atlas.locate(109.48, 30.28);
    assert_eq!(start.county.unwrap().name, "恩施市");
    let n = g.navigate(Mode::DM, 109.48, 30.28, None, None).unwrap();
    assert_eq!(n.snapped.river.as_deref(), Some("qingjiang"));
    let conf = n
        .events
        .iter()
        .find(|e| e.rivers.iter().any(|r| r == "长江"))
        .unwrap();
    // the confluence node lies in the 长江 channel on the 宜都/枝江 border (WDBII is
    // generalised); the 清江 one km above it is in 宜都
    let before = n
        .reaches
        .iter()
        .find(|r| r.km_from <= conf.km - 1.0 && r.km_to >= conf.km - 1.0)
        .unwrap();
    assert_eq!(before.jurisdiction.as_ref().unwrap().county_name, "宜都市");
    let loc = atlas.locate(conf.lon, conf.lat);
    assert_eq!(loc.prefecture.unwrap().name, "宜昌市");
    let first_cj = n
        .reaches
        .iter()
        .position(|r| r.river.as_deref() == Some("changjiang"))
        .unwrap();
    let last_qj = &n.reaches[first_cj - 1];
    assert_eq!(last_qj.river.as_deref(), Some("qingjiang"));
}

#[test]
fn ut_from_the_han_mouth_includes_shiyan_xiangyang_and_zones_h1_to_h7() {
    let (_, g) = graph();
    let n = g
        .navigate(Mode::UT, 114.28, 30.565, None, Some("hanjiang"))
        .unwrap();
    let p = names(&n.prefectures);
    assert!(p.contains(&"十堰市") && p.contains(&"襄阳市"), "{p:?}");
    for z in ["H1", "H2", "H3", "H4", "H5", "H6", "H7"] {
        assert!(
            n.zones_draining.iter().any(|x| x == z),
            "{z} missing from {:?}",
            n.zones_draining
        );
    }
    // areas: the 汉江 basin in Hubei is about 62,000 km²; H1-H7 are whole counties,
    // several straddling the divide, so their sum must exceed that and stay well
    // below Hubei's 185,900 km²
    let area: f64 = n.zones_draining_area.iter().map(|z| z.area_km2).sum();
    assert!(area > 62_000.0 && area < 95_000.0, "{area}");
    // nothing of the 长江 main stem is upstream of the Han mouth
    assert!(n
        .reaches
        .iter()
        .all(|r| r.river.as_deref() != Some("changjiang")));
    // UM stays on the 汉江 up to the Shaanxi entry
    let um = g
        .navigate(Mode::UM, 114.28, 30.565, None, Some("hanjiang"))
        .unwrap();
    assert!(um
        .reaches
        .iter()
        .all(|r| r.river.as_deref() == Some("hanjiang")));
    let han = &g.rivers[g.river_index("hanjiang").unwrap()];
    assert!(
        (um.total_km - han.length_km).abs() < 5.0,
        "{} vs {}",
        um.total_km,
        han.length_km
    );
    assert!(names(&um.counties).contains(&"郧西县"));
}

#[test]
fn changjiang_between_ezhou_and_huanggang_is_a_bank_pair() {
    let (_, g) = graph();
    let ri = g.river_index("changjiang").unwrap();
    let pairs: Vec<_> = g.banks[ri]
        .iter()
        .filter(|b| b.left.prefecture_name == "黄冈市" && b.right.prefecture_name == "鄂州市")
        .collect();
    assert!(
        !pairs.is_empty(),
        "黄冈 (left, north) / 鄂州 (right, south) bank pair"
    );
    assert!(pairs.iter().all(|p| p.level == "prefecture"));
    let total: f64 = pairs.iter().map(|p| p.length_km).sum();
    assert!(total >= 30.0, "{total}");
    // 荆州区/沙市/江陵 (left) vs 公安 (right)
    assert!(g.banks[ri]
        .iter()
        .any(|b| b.right.county_name == "公安县" && b.left.prefecture_name == "荆州市"));
}

#[test]
fn a_point_far_from_every_river_gets_no_river_near() {
    let (_, g) = graph();
    // 英山/罗田 uplands: the 巴水/浠水 heads are absent from WDBII
    let (lon, lat) = (115.75, 30.95);
    let err = g.navigate(Mode::DM, lon, lat, None, None).unwrap_err();
    let NavError::NoRiverNear {
        distance_km,
        tolerance_km,
        ..
    } = err
    else {
        panic!("{err:?}")
    };
    // independent brute-force distance to every vertex
    let mut best = f64::INFINITY;
    for e in &g.edges {
        for c in &e.coords {
            let dx = (c.0 - lon).to_radians() * lat.to_radians().cos();
            let dy = (c.1 - lat).to_radians();
            best = best.min(6371.0 * (dx * dx + dy * dy).sqrt());
        }
    }
    assert!(best > 45.0, "{best}");
    assert!((distance_km - best).abs() < 2.0, "{distance_km} vs {best}");
    assert!(tolerance_km < distance_km);
    assert!(err.to_string().contains("no river near"));
}

#[test]
fn distance_cap_and_river_pin() {
    let (_, g) = graph();
    let n = g
        .navigate(Mode::DM, XIANGYANG.0, XIANGYANG.1, Some(50.0), None)
        .unwrap();
    assert!(n.total_km <= 50.0 + 1e-6);
    assert!(n.reaches.iter().all(|r| r.km_to <= 50.0 + 1e-6));
    assert_eq!(
        g.navigate(Mode::DM, XIANGYANG.0, XIANGYANG.1, Some(-1.0), None)
            .unwrap_err(),
        NavError::BadDistance
    );
    assert!(matches!(
        g.navigate(Mode::DM, XIANGYANG.0, XIANGYANG.1, None, Some("nope")),
        Err(NavError::UnknownRiver(_))
    ));
}

#[test]
fn water_context_lists_both_directions_and_bank_partners() {
    use liuyu::governance::footprint::Footprint;
    let (_, g) = graph();
    let points = |pts: &[(f64, f64)]| Footprint {
        points: geo::MultiPoint(pts.iter().map(|&p| geo::Point::from(p)).collect()),
        ..Default::default()
    };
    let budget = liuyu::Budget::unlimited();
    // a footprint on the 长江 at 鄂州
    let ctx = g
        .context_for(&points(&[(114.88, 30.41), (114.90, 30.40)]), &budget)
        .unwrap()
        .unwrap();
    assert_eq!(ctx.basis, vec!["十三"]);
    let names = |v: &[liuyu::governance::water::Related]| -> Vec<String> {
        v.iter().map(|r| r.name.clone()).collect()
    };
    assert!(names(&ctx.downstream_prefectures).contains(&"黄石市".to_string()));
    assert!(names(&ctx.upstream_prefectures).contains(&"武汉市".to_string()));
    assert!(ctx.bank_pairs.iter().any(|b| b
        .left
        .prefecture
        .as_ref()
        .is_some_and(|p| p.name == "黄冈市")));
    // 20 km from any line; no footprint at all.
    assert!(g
        .context_for(&points(&[(115.75, 30.95)]), &budget)
        .unwrap()
        .is_none());
    assert!(g.context_for(&points(&[]), &budget).unwrap().is_none());
}

#[test]
fn changjiang_dm_from_the_entry_passes_prefectures_in_geography_order() {
    let (_, g) = graph();
    // geography.md §2: 巴东 -> C1 (宜昌) -> 宜都 -> 荆州 -> 城陵矶/陆水 (咸宁) -> 武汉 -> 鄂州/黄冈 -> 黄石 -> 黄梅
    let n = g
        .navigate(Mode::DM, 110.10, 31.02, None, Some("changjiang"))
        .unwrap();
    let p = &n.prefectures;
    let order = [
        "恩施土家族苗族自治州",
        "宜昌市",
        "荆州市",
        "咸宁市",
        "武汉市",
        "鄂州市",
        "黄石市",
    ];
    let kms: Vec<f64> = order.iter().map(|name| entry(p, name)).collect();
    assert!(kms.windows(2).all(|w| w[0] < w[1]), "{kms:?}");
    assert!(n.total_km > 1000.0);
    let fin = n.leaves_hubei.iter().find(|x| x.final_exit).unwrap();
    assert_eq!(fin.last_county.as_deref(), Some("黄梅县"));
    // zone-level mouths of rivers absent from WDBII appear in order 倒水/举水 -> 巴水 -> 浠水 -> 蕲水 -> 富水
    let zm: Vec<&str> = n
        .events
        .iter()
        .filter(|e| e.kind == "zone_mouth")
        .flat_map(|e| e.rivers.iter().map(String::as_str))
        .collect();
    let pos = |r: &str| {
        zm.iter()
            .position(|x| *x == r)
            .unwrap_or_else(|| panic!("{r} in {zm:?}"))
    };
    assert!(pos("倒水") < pos("举水") && pos("举水") < pos("巴水") && pos("巴水") < pos("浠水"));
    assert!(pos("浠水") < pos("蕲水") && pos("蕲水") < pos("富水"));
}

#[test]
fn random_points_never_panic_and_answers_are_consistent() {
    use rand::{Rng, SeedableRng};
    let (_, g) = graph();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
    let mut hits = 0;
    for _ in 0..300 {
        let lon = rng.gen_range(108.0..116.5);
        let lat = rng.gen_range(28.8..33.5);
        for mode in [Mode::UM, Mode::UT, Mode::DM, Mode::DD] {
            match g.navigate(mode, lon, lat, None, None) {
                Ok(n) => {
                    hits += 1;
                    assert!(n.snapped.distance_km <= n.snapped.tolerance_km);
                    for r in &n.reaches {
                        assert!(r.km_to >= r.km_from && r.km_from >= 0.0);
                    }
                    if matches!(mode, Mode::DM | Mode::UM) {
                        assert!(n
                            .reaches
                            .windows(2)
                            .all(|w| (w[0].km_to - w[1].km_from).abs() < 1e-2));
                        let sum: f64 = n.reaches.iter().map(|r| r.km_to - r.km_from).sum();
                        assert!((sum - n.total_km).abs() < 0.05, "{sum} vs {}", n.total_km);
                    }
                }
                Err(NavError::NoRiverNear {
                    distance_km,
                    tolerance_km,
                    ..
                }) => assert!(distance_km > tolerance_km),
                Err(e) => panic!("{e}"),
            }
        }
    }
    assert!(hits > 40, "{hits}");
    for (lon, lat) in [
        (f64::NAN, 30.0),
        (f64::INFINITY, 30.0),
        (0.0, 0.0),
        (-180.0, 90.0),
    ] {
        assert!(g.navigate(Mode::DM, lon, lat, None, None).is_err());
    }
}
