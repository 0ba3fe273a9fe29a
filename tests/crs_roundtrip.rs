//! Round trips and independent reference values for every supported CRS.
//!
//! Truth used here is independent of liuyu's code:
//! - `tests/data/crs_gcj02_wuhan.json`: GCJ-02/BD-09 of Wuhan landmarks from the
//!   PyPI `coordtransform` package (`tools/crs/gcj02_reference.py`);
//! - `tests/data/crs_proj_reference.tsv`: projected coordinates from PROJ 9.1.1's
//!   `cs2cs` (`tools/crs/proj_reference.sh`);
//! - the pair published in wandergis/coordtransform's test (Beijing).

mod common;

use liuyu::crs::{parse_crs_param, Crs, CrsId, GkZone};

const GCJ_FIXTURE: &str = include_str!("data/crs_gcj02_wuhan.json");
const PROJ_FIXTURE: &str = include_str!("data/crs_proj_reference.tsv");

fn pair(v: &serde_json::Value) -> (f64, f64) {
    let a = v.as_array().expect("pair");
    (a[0].as_f64().expect("x"), a[1].as_f64().expect("y"))
}

#[test]
fn gcj02_and_bd09_wuhan_landmarks_both_ways() {
    let doc: serde_json::Value = serde_json::from_str(GCJ_FIXTURE).expect("fixture json");
    let gcj = Crs::new(CrsId::Gcj02).expect("gcj02");
    let bd = Crs::new(CrsId::Bd09).expect("bd09");
    let landmarks = doc["landmarks"].as_array().expect("landmarks");
    assert!(landmarks.len() >= 5);
    for l in landmarks {
        let name = l["name"].as_str().expect("name");
        let (lon, lat) = pair(&l["wgs84"]);
        let (glon, glat) = pair(&l["gcj02"]);
        let (blon, blat) = pair(&l["bd09"]);
        // Forward: same published formula, so equal to float noise.
        let (x, y) = gcj.from_wgs84(lon, lat).expect("forward");
        assert!(
            (x - glon).abs() < 1e-9 && (y - glat).abs() < 1e-9,
            "{name} gcj fwd {x} {y}"
        );
        let (x, y) = bd.from_wgs84(lon, lat).expect("forward");
        assert!(
            (x - blon).abs() < 1e-9 && (y - blat).abs() < 1e-9,
            "{name} bd fwd {x} {y}"
        );
        // The offset is real (hundreds of metres), so the test can fail.
        assert!((glon - lon).abs() > 1e-3, "{name}: GCJ-02 offset expected");
        // Inverse: iterative, better than 1e-7 degree (we ask 1e-9).
        let (x, y) = gcj.to_wgs84(glon, glat).expect("inverse");
        assert!(
            (x - lon).abs() < 1e-9 && (y - lat).abs() < 1e-9,
            "{name} gcj inv {x} {y}"
        );
        let (x, y) = bd.to_wgs84(blon, blat).expect("inverse");
        assert!(
            (x - lon).abs() < 1e-9 && (y - lat).abs() < 1e-9,
            "{name} bd inv {x} {y}"
        );
    }
}

#[test]
fn published_coordtransform_pair_beijing() {
    // wandergis/coordtransform test/app.js: wgs84togcj02(116.404, 39.915) and
    // gcj02tobd09(116.404, 39.915).
    let gcj = Crs::new(CrsId::Gcj02).expect("gcj02");
    let (x, y) = gcj.from_wgs84(116.404, 39.915).expect("fwd");
    assert!((x - 116.410_244_499_169_38).abs() < 1e-11, "{x}");
    assert!((y - 39.916_404_281_501_64).abs() < 1e-11, "{y}");
    let (bx, by) = liuyu::crs::gcj02::gcj02_to_bd09(116.404, 39.915);
    assert!((bx - 116.410_369_493_710_29).abs() < 1e-11, "{bx}");
    assert!((by - 39.921_336_993_510_21).abs() < 1e-11, "{by}");
}

#[test]
fn projected_crs_match_proj_cs2cs_to_a_millimetre() {
    let mut n = 0;
    for line in PROJ_FIXTURE.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 5, "{line}");
        let crs = Crs::parse(f[0]).expect("supported CRS");
        let v: Vec<f64> = f[1..].iter().map(|s| s.parse().expect("number")).collect();
        let (x, y) = crs.from_wgs84(v[0], v[1]).expect("forward");
        assert!(
            (x - v[2]).abs() < 1e-3 && (y - v[3]).abs() < 1e-3,
            "{line}: got {x:.6} {y:.6}"
        );
        let (lon, lat) = crs.to_wgs84(v[2], v[3]).expect("inverse");
        // 1e-8 degree is about 1 mm.
        assert!(
            (lon - v[0]).abs() < 1e-8 && (lat - v[1]).abs() < 1e-8,
            "{line}: back {lon} {lat}"
        );
        n += 1;
    }
    assert_eq!(n, 63);
}

#[test]
fn every_crs_round_trips_on_a_hubei_grid() {
    let ids = common::hubei_crs_ids();
    for id in ids {
        let crs = Crs::new(id).expect("build");
        for i in 0..=20 {
            for j in 0..=12 {
                let lon = 108.3 + 7.9 * f64::from(i) / 20.0;
                let lat = 29.0 + 4.3 * f64::from(j) / 12.0;
                let (x, y) = crs.from_wgs84(lon, lat).expect("fwd");
                let (lo, la) = crs.to_wgs84(x, y).expect("inv");
                assert!(
                    (lo - lon).abs() < 1e-9 && (la - lat).abs() < 1e-9,
                    "{id}: {lon},{lat} -> {x},{y} -> {lo},{la}"
                );
            }
        }
    }
}

#[test]
fn gk_zone_of_a_point_and_back() {
    // Wuhan (114.3 E) is in zone 38 (CM 114 E): EPSG:4526 with prefix, 4547 without.
    let (lon, lat) = (114.30224, 30.5446);
    for prefixed in [true, false] {
        let zone = GkZone::for_longitude(lon, prefixed).expect("zone");
        assert_eq!(zone.zone, 38);
        let crs = Crs::new(CrsId::GaussKruger(zone)).expect("gk");
        let (x, y) = crs.from_wgs84(lon, lat).expect("fwd");
        let prefix = if prefixed { 38_000_000.0 } else { 0.0 };
        assert!((x - prefix - 529_001.534_854).abs() < 1e-3, "{x}");
        assert!((y - 3_380_525.020_974).abs() < 1e-3, "{y}");
        let (lo, la) = crs.to_wgs84(x, y).expect("inv");
        assert!((lo - lon).abs() < 1e-10 && (la - lat).abs() < 1e-10);
    }
}

#[test]
fn crs_param_echo_names() {
    assert_eq!(
        parse_crs_param(None).expect("default").to_string(),
        "OGC:CRS84"
    );
    let id = parse_crs_param(Some("epsg:4547")).expect("gk");
    assert_eq!(id.to_string(), "EPSG:4547");
    assert_eq!(
        serde_json::to_value(id).expect("ser"),
        serde_json::json!("EPSG:4547")
    );
    assert_eq!(id.unit(), "metre");
    assert!(parse_crs_param(Some("EPSG:abc")).is_err());
}
