//! Downwind estimates (issue 15) on the embedded dataset: the 襄阳 north- and
//! east-wind cases, a veering series bending the plume, arrival hours against
//! distance / speed, distances against a brute-force geodesic search, the
//! plume's geometry against Karney's geodesics, and whom clause 十四 says to
//! notify.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use geo::{Bearing, Contains, Destination, Distance, Geodesic, GeodesicArea, Point};
use liuyu::air::{self, AirAnswer, SeriesEntry, Source, Wind};
use liuyu::budget::Budget;
use liuyu::governance::Rules;
use liuyu::{Atlas, LayerKind};

fn atlas() -> &'static Atlas {
    static A: OnceLock<Atlas> = OnceLock::new();
    A.get_or_init(|| Atlas::embedded().expect("atlas"))
}

fn rules() -> &'static Rules {
    static R: OnceLock<Rules> = OnceLock::new();
    R.get_or_init(|| Rules::embedded().expect("rules"))
}

fn point(lon: f64, lat: f64, wind: &Wind) -> AirAnswer {
    air::downwind(
        rules(),
        atlas(),
        &Source::Point { lon, lat },
        wind,
        &Budget::unlimited(),
    )
    .expect("estimate")
}

fn steady(from: f64, speed: f64, hours: f64) -> Wind {
    Wind::steady(from, speed, hours, None).expect("wind")
}

fn prefecture(a: &AirAnswer, adcode: &str) -> Option<f64> {
    a.downwind
        .prefectures
        .iter()
        .find(|p| p.adcode == adcode)
        .map(|p| p.arrival_hours)
}

fn counties(a: &AirAnswer) -> BTreeSet<String> {
    a.downwind.counties.iter().map(|c| c.name.clone()).collect()
}

/// 襄阳 city (襄城区).
const XIANGYANG: (f64, f64) = (112.122, 32.009);
const JINGMEN: &str = "420800";
const JINGZHOU: &str = "421000";
const SHIYAN: &str = "420300";

#[test]
fn xiangyang_north_wind_reaches_jingmen_before_jingzhou_never_shiyan() {
    let a = point(XIANGYANG.0, XIANGYANG.1, &steady(0.0, 5.0, 12.0));
    assert_eq!(a.source.prefectures[0].name, "襄阳市");
    let jm = prefecture(&a, JINGMEN).expect("荆门 reached");
    let jz = prefecture(&a, JINGZHOU).expect("荆州 reached");
    assert!(jm < jz, "荆门 {jm} h before 荆州 {jz} h");
    assert_eq!(prefecture(&a, SHIYAN), None, "十堰 never reached");
    // The answer cites its clause and says what it is not.
    assert!(a.basis.contains(&"十四".to_string()));
    assert!(a.scope.contains("no dispersion model"));
}

#[test]
fn xiangyang_east_wind_reaches_shiyan_not_jingmen() {
    let a = point(XIANGYANG.0, XIANGYANG.1, &steady(90.0, 5.0, 12.0));
    assert!(prefecture(&a, SHIYAN).is_some(), "十堰 reached");
    assert_eq!(prefecture(&a, JINGMEN), None, "荆门 not reached");
}

#[test]
fn a_veering_series_bends_the_plume() {
    // The wind veers from north to east over 12 hours (15° an hour).
    let entries: Vec<SeriesEntry> = (0..12)
        .map(|h| SeriesEntry {
            hour: f64::from(h),
            wind_from: 7.5 * f64::from(h),
            speed: 5.0,
        })
        .collect();
    let veering = Wind::series(&entries, Some(12.0), None).expect("wind");
    let bent = point(XIANGYANG.0, XIANGYANG.1, &veering);
    let straight = point(XIANGYANG.0, XIANGYANG.1, &steady(0.0, 5.0, 12.0));
    let only_bent: Vec<String> = counties(&bent)
        .difference(&counties(&straight))
        .cloned()
        .collect();
    assert!(
        !only_bent.is_empty(),
        "the veering plume reaches no new county"
    );
    eprintln!("reached only by the veering series: {only_bent:?}");
    // The bend goes west (the air turns from south toward west), never east.
    let west = |a: &AirAnswer| {
        a.downwind
            .counties
            .iter()
            .filter_map(|c| c.entry.as_ref()?.get("lon")?.as_f64())
            .fold(f64::INFINITY, f64::min)
    };
    assert!(
        west(&bent) < west(&straight) - 0.2,
        "{} vs {}",
        west(&bent),
        west(&straight)
    );
}

#[test]
fn arrival_is_distance_over_speed_on_a_straight_case() {
    let speed = 4.0;
    let a = point(XIANGYANG.0, XIANGYANG.1, &steady(0.0, speed, 15.0));
    let mut checked = 0;
    for c in a.downwind.counties.iter().filter(|c| !c.source) {
        let expected = c.distance_km / (speed * 3.6);
        assert!(
            (c.arrival_hours - expected).abs() <= 0.01 * expected,
            "{}: {} h vs {} km / {} m/s = {} h",
            c.name,
            c.arrival_hours,
            c.distance_km,
            speed,
            expected
        );
        checked += 1;
    }
    assert!(checked >= 5, "{checked}");
}

/// The nearest point of (county ∩ sector) to the apex, by brute force on the
/// ellipsoid: county boundary points inside the sector and points along the
/// sector's two straight sides inside the county.
fn brute_force_distance(
    county: &liuyu::Unit,
    apex: Point,
    toward: f64,
    spread: f64,
    r: f64,
) -> f64 {
    let mut best = f64::INFINITY;
    let in_sector = |p: Point| {
        let d = Geodesic.distance(apex, p);
        let b = Geodesic.bearing(apex, p);
        let off = ((b - toward + 540.0) % 360.0 - 180.0).abs();
        (d <= r && off <= spread).then_some(d)
    };
    for poly in &county.geometry.0 {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            for w in ring.0.windows(2) {
                let (a, b) = (Point(w[0]), Point(w[1]));
                let n = (Geodesic.distance(a, b) / 100.0).ceil().max(1.0) as usize;
                for i in 0..n {
                    let t = i as f64 / n as f64;
                    let p = Point::new(a.x() + t * (b.x() - a.x()), a.y() + t * (b.y() - a.y()));
                    if let Some(d) = in_sector(p) {
                        best = best.min(d);
                    }
                }
            }
        }
    }
    for side in [toward - spread, toward + spread] {
        let mut s = 0.0;
        while s <= r {
            if county
                .geometry
                .contains(&Geodesic.destination(apex, side, s))
            {
                best = best.min(s);
                break;
            }
            s += 100.0;
        }
    }
    best
}

#[test]
fn distances_match_a_brute_force_geodesic_search() {
    let (speed, hours) = (4.0, 10.0);
    let a = point(XIANGYANG.0, XIANGYANG.1, &steady(0.0, speed, hours));
    let apex = Point::new(XIANGYANG.0, XIANGYANG.1);
    let layer = atlas().layer(LayerKind::County);
    let mut checked = 0;
    for c in a.downwind.counties.iter().filter(|c| !c.source) {
        let unit = layer.get(&c.adcode).expect("county");
        let truth = brute_force_distance(unit, apex, 180.0, 20.0, speed * hours * 3600.0) / 1000.0;
        assert!(
            (c.distance_km - truth).abs() <= 0.15 + 0.002 * truth,
            "{}: {} km vs brute force {} km",
            c.name,
            c.distance_km,
            truth
        );
        checked += 1;
    }
    assert!(checked >= 4, "{checked}");
}

#[test]
fn the_steady_plume_is_a_geodesic_sector() {
    let (speed, hours, from) = (6.0, 20.0, 300.0);
    let a = point(XIANGYANG.0, XIANGYANG.1, &steady(from, speed, hours));
    let r = speed * hours * 3600.0;
    let apex = Point::new(XIANGYANG.0, XIANGYANG.1);
    let ring = a.plume["coordinates"][0].as_array().expect("ring").clone();
    let toward = (from + 180.0) % 360.0;
    let mut on_arc = 0;
    for p in &ring {
        let q = Point::new(p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
        let d = Geodesic.distance(apex, q);
        if d < 1.0 {
            continue;
        }
        let b = Geodesic.bearing(apex, q);
        let off = ((b - toward + 540.0) % 360.0 - 180.0).abs();
        // Every vertex is on a side (bearing toward ± 20°) or on the arc
        // (distance r, or on a chord of it within the arc sagitta of 10 m), to
        // the rounding of the output (1e-7°, about a centimetre).
        let on_side = (off - 20.0).abs().to_radians() * d < 0.02;
        let arc = d > r - air::plume::ARC_SAG_M - 0.05;
        assert!(on_side || arc, "vertex at {d} m, {off}° off axis");
        assert!(d <= r + 0.05 && (off - 20.0).to_radians() * d < 0.02);
        on_arc += usize::from((d - r).abs() < 0.05);
    }
    assert!(on_arc > 20, "{on_arc}");
    // Area: Karney's geodesic polygon area against the sector on the local sphere.
    let poly = geo::Polygon::new(
        ring.iter()
            .map(|p| geo::Coord {
                x: p[0].as_f64().unwrap(),
                y: p[1].as_f64().unwrap(),
            })
            .collect(),
        vec![],
    );
    let area = poly.geodesic_area_unsigned();
    let expected = std::f64::consts::PI * r * r * 40.0 / 360.0;
    assert!(
        (area / expected - 1.0).abs() < 0.005,
        "{area} vs {expected}"
    );
    assert!((a.plume_area_km2 * 1e6 / area - 1.0).abs() < 0.005);
}

#[test]
fn notify_jingmen_north_west_wind_lists_jingzhou_through_the_corridor() {
    // 荆门 city (东宝区).
    let a = point(112.199, 31.035, &steady(315.0, 4.0, 12.0));
    assert_eq!(a.source.prefectures[0].adcode, JINGMEN);
    let n = a
        .notify
        .iter()
        .find(|n| n.prefecture.adcode == JINGZHOU)
        .expect("荆州 notified");
    assert_eq!(n.mechanism.id, "air_corridor");
    assert!(n.basis.contains(&"十四".to_string()));
    assert!(a.notify.iter().all(|n| n.prefecture.adcode != JINGMEN));
}

#[test]
fn notify_ezhou_west_wind_lists_huanggang_and_huangshi_through_the_metro() {
    // South of 鄂州 city (鄂城区), by the 长江 across from 黄冈.
    let a = point(114.84, 30.30, &steady(270.0, 4.0, 8.0));
    assert_eq!(a.source.prefectures[0].adcode, "420700");
    for (adcode, name) in [("421100", "黄冈市"), ("420200", "黄石市")] {
        let n = a
            .notify
            .iter()
            .find(|n| n.prefecture.adcode == adcode)
            .unwrap_or_else(|| panic!("{name} notified: {:?}", a.notify));
        assert_eq!(n.mechanism.id, "metro_joint_prevention", "{name}");
        assert_eq!(
            n.mechanism.driven_by.as_ref().map(|p| p.name.as_str()),
            Some("武汉市")
        );
    }
}

#[test]
fn a_source_near_henan_with_a_south_wind_names_henan() {
    // 枣阳 (襄阳), a few km south of the 河南 line.
    let a = point(112.75, 32.35, &steady(180.0, 4.0, 6.0));
    assert!(a.leaves_hubei.leaves);
    assert!(
        a.leaves_hubei
            .provinces
            .iter()
            .any(|p| p.adcode == "410000"),
        "{:?}",
        a.leaves_hubei
    );
}

#[test]
fn shares_and_areas_add_up() {
    let a = point(XIANGYANG.0, XIANGYANG.1, &steady(45.0, 5.0, 10.0));
    let county_km2: f64 = a.downwind.counties.iter().map(|c| c.area_km2).sum();
    let pref_km2: f64 = a.downwind.prefectures.iter().map(|p| p.area_km2).sum();
    assert!(
        (county_km2 - pref_km2).abs() < 1e-3,
        "{county_km2} {pref_km2}"
    );
    let inside = a.plume_area_km2 * (1.0 - a.leaves_hubei.outside_share);
    assert!(
        (inside - county_km2).abs() / county_km2 < 0.003,
        "{inside} vs {county_km2}"
    );
    for c in &a.downwind.counties {
        assert!(c.share > 0.0 && c.share <= 1.0, "{}: {}", c.name, c.share);
    }
}
