//! The quadtree overlay (`liuyu::overlay`, through `jurisdiction::of_footprint`)
//! against the previous straightforward computation — geo's `BooleanOps`
//! intersection of the whole footprint with every unit whose box it meets,
//! and its difference with the province — on seeded random footprints:
//! polygons, overlapping multipolygons, holes, footprints that share county
//! borders bit for bit, and lines. Areas and lengths must agree within a tight
//! tolerance, and so must the set of units touched.

use std::collections::BTreeMap;

#[path = "common/footprints.rs"]
mod footprints;

use geo::{BooleanOps, BoundingRect, Geodesic, Intersects, Length, MultiPolygon};
use liuyu::governance::footprint::{self, Footprint, Measure};
use liuyu::governance::jurisdiction::{self, area_m2, MIN_AREA_M2, MIN_LENGTH_M};
use liuyu::{Atlas, Budget, LayerKind};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

fn atlas() -> &'static Atlas {
    static A: std::sync::OnceLock<Atlas> = std::sync::OnceLock::new();
    A.get_or_init(|| Atlas::embedded().expect("embedded atlas"))
}

type Shares = BTreeMap<(usize, usize), f64>;

/// The computation this crate used before the overlay module (kept here as
/// the reference): geo BooleanOps per unit, on the whole footprint.
fn reference(fp: &Footprint) -> (Shares, f64) {
    let a = atlas();
    let bbox = fp.bbox().expect("bbox");
    let mut shares = Shares::new();
    let province = MultiPolygon(
        a.layer(LayerKind::Province)
            .units
            .iter()
            .flat_map(|u| u.geometry.0.iter().cloned())
            .collect(),
    );
    let area = fp.measure() == Measure::Area;
    for kind in LayerKind::ALL {
        for (i, u) in a.layer(kind).units.iter().enumerate() {
            if !u.bbox().is_some_and(|b| b.intersects(&bbox)) {
                continue;
            }
            let x = if area {
                area_m2(&u.geometry.intersection(&fp.polygons))
            } else {
                Geodesic.length(&u.geometry.clip(&fp.lines, false))
            };
            if x >= if area { MIN_AREA_M2 } else { MIN_LENGTH_M } {
                shares.insert((kind.index(), i), x);
            }
        }
    }
    let outside = if area {
        area_m2(&fp.polygons.difference(&province))
    } else {
        Geodesic.length(&province.clip(&fp.lines, true))
    };
    (shares, outside)
}

fn ours(fp: &Footprint) -> (Shares, f64) {
    let t = jurisdiction::of_footprint(atlas(), fp, &Budget::unlimited()).expect("overlay");
    let mut shares = Shares::new();
    for (l, units) in t.by_layer.iter().enumerate() {
        for (u, x) in units {
            shares.insert((l, *u), *x);
        }
    }
    (shares, t.outside)
}

/// Compares two share tables; returns the largest absolute difference (m² or m).
fn compare(what: &str, a: &(Shares, f64), b: &(Shares, f64), total: f64, min: f64) -> f64 {
    let mut worst = 0.0f64;
    let keys: std::collections::BTreeSet<_> = a.0.keys().chain(b.0.keys()).collect();
    for k in keys {
        let (x, y) = (
            a.0.get(k).copied().unwrap_or(0.0),
            b.0.get(k).copied().unwrap_or(0.0),
        );
        let d = (x - y).abs();
        // A unit on one side only must sit at the sliver threshold.
        if a.0.contains_key(k) != b.0.contains_key(k) {
            assert!(
                x.max(y) < 2.0 * min + 1e-9 * total,
                "{what}: unit {k:?} {x} vs {y}"
            );
        }
        worst = worst.max(d);
    }
    worst.max((a.1 - b.1).abs())
}

/// Geodesic perimeter (m) of every ring of the footprint.
fn perimeter(fp: &Footprint) -> f64 {
    fp.polygons
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|r| Geodesic.length(r))
        .sum()
}

#[test]
fn polygon_shares_agree_with_geo_boolean_ops() {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    let mut worst = 0.0f64;
    let mut compared = 0;
    for case in 0..150 {
        let v = footprints::random_polygonal(&mut rng, case, atlas());
        let Ok(fp) = footprint::parse(&v, "footprint", 100_000) else {
            continue;
        };
        let total = area_m2(&fp.polygons);
        let (a, b) = (ours(&fp), reference(&fp));
        // Both engines snap to an integer grid (the reference's is about a
        // millimetre at the scale of Hubei, ours finer): a difference is
        // measured as the width of a strip along the footprint's boundary.
        let w = compare(&format!("case {case}"), &a, &b, total, MIN_AREA_M2) / perimeter(&fp);
        assert!(w < 1e-3, "case {case}: differs by a {w} m strip: {v}");
        // Both say whether the footprint leaves Hubei.
        assert_eq!(
            a.1 > 0.0,
            b.1 > 0.0,
            "case {case}: outside {} vs {}",
            a.1,
            b.1
        );
        worst = worst.max(w);
        compared += 1;
    }
    assert!(compared > 120, "only {compared} footprints compared");
    eprintln!(
        "{compared} polygonal footprints; worst difference: a {worst:e} m strip along the boundary"
    );
}

#[test]
fn line_shares_agree_with_geo_clip() {
    let mut rng = ChaCha8Rng::seed_from_u64(77);
    let mut worst = 0.0f64;
    for case in 0..60 {
        let v = footprints::random_lines(&mut rng);
        let fp = footprint::parse(&v, "footprint", 100_000).expect("lines");
        let total = Geodesic.length(&fp.lines);
        let d = compare(
            &format!("line case {case}"),
            &ours(&fp),
            &reference(&fp),
            total,
            MIN_LENGTH_M,
        );
        // Cut points snap by at most a grid step (about a millimetre).
        let w = d / fp.lines.0.iter().map(|l| l.0.len()).sum::<usize>() as f64;
        assert!(
            w < 1e-3,
            "line case {case}: differs by {d} m ({w} m per vertex)"
        );
        worst = worst.max(w);
    }
    eprintln!("60 line footprints; worst difference {worst:e} m per vertex");
}

#[test]
fn merging_agrees_with_geo_unary_union() {
    // Counter-clockwise parts only: geo's unary_union picks its fill rule from
    // the first ring's orientation (see `mixed_orientations_are_merged`).
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for case in 0..40 {
        let rings: Vec<Vec<[f64; 2]>> = (0..rng.gen_range(2..30))
            .map(|_| {
                let (x, y) = (rng.gen_range(112.0..113.0), rng.gen_range(30.0..31.0));
                let n = rng.gen_range(3..40);
                footprints::star(&mut rng, x, y, 0.3, n, true)
            })
            .collect();
        let v = json!({"type":"MultiPolygon","coordinates":rings.iter().map(|r| json!([r])).collect::<Vec<_>>()});
        let fp = footprint::parse(&v, "footprint", 100_000).expect("parts");
        let geo_parts: Vec<geo::Polygon<f64>> = rings
            .iter()
            .map(|r| geo::Polygon::new(r.iter().map(|p| (p[0], p[1])).collect(), vec![]))
            .collect();
        let reference = area_m2(&geo::unary_union(geo_parts.iter()));
        let merged = area_m2(&fp.polygons);
        assert!(
            (merged / reference - 1.0).abs() < 1e-9,
            "case {case}: {merged} vs {reference}"
        );
        assert!(fp.polygons.bounding_rect().is_some());
    }
}

#[test]
fn mixed_orientations_are_merged() {
    // Two disjoint squares, one clockwise: both count (geo's unary_union
    // would drop the clockwise one under the fill rule of the first ring).
    let ccw = json!([[
        [112.0, 30.0],
        [112.1, 30.0],
        [112.1, 30.1],
        [112.0, 30.1],
        [112.0, 30.0]
    ]]);
    let cw = json!([[
        [112.5, 30.0],
        [112.5, 30.1],
        [112.6, 30.1],
        [112.6, 30.0],
        [112.5, 30.0]
    ]]);
    let fp = footprint::parse(
        &json!({"type":"MultiPolygon","coordinates":[ccw.clone(), cw]}),
        "f",
        100,
    )
    .unwrap();
    let one = footprint::parse(&json!({"type":"Polygon","coordinates":ccw}), "f", 100).unwrap();
    let ratio = area_m2(&fp.polygons) / area_m2(&one.polygons);
    assert!((ratio - 2.0).abs() < 1e-3, "{ratio}");
}

#[test]
fn the_province_outline_is_exactly_the_province() {
    // Its three parts are merged (no overlap), then overlaid along borders it
    // shares bit for bit with the border counties: nothing may leak outside,
    // and every county gets exactly its own area.
    let g = &atlas().layer(LayerKind::Province).units[0].geometry;
    let v = serde_json::to_value(geojson::Geometry::from(g)).expect("json");
    let fp = footprint::parse(&v, "footprint", 100_000).expect("outline");
    let t = jurisdiction::of_footprint(atlas(), &fp, &Budget::unlimited()).expect("overlay");
    assert_eq!(t.outside, 0.0);
    let counties = &atlas().layer(LayerKind::County).units;
    assert_eq!(t.layer(LayerKind::County).len(), counties.len());
    for (i, a) in t.layer(LayerKind::County) {
        let own = area_m2(&counties[*i].geometry);
        assert!(
            (a / own - 1.0).abs() < 1e-9,
            "{}: {a} vs {own}",
            counties[*i].id
        );
    }
}
