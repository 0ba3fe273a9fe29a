//! Pure-Rust conversions against the PROJ library (feature `proj`): every CRS
//! that both implement must agree to 1 mm on a grid over Hubei.
#![cfg(feature = "proj")]

use liuyu::crs::{proj_backend, Crs, CrsId};

#[test]
fn pure_rust_matches_proj_to_a_millimetre() {
    let mut codes = vec![3857u32, 4326, 4490];
    codes.extend(4513..=4554);
    let mut worst = 0.0f64;
    for code in codes {
        let ours = Crs::new(CrsId::from_epsg(code).expect("supported")).expect("build");
        let target = format!("EPSG:{code}");
        for i in 0..=24 {
            for j in 0..=12 {
                let lon = 108.3 + 7.9 * f64::from(i) / 24.0;
                let lat = 29.0 + 4.3 * f64::from(j) / 12.0;
                let (x, y) = ours.from_wgs84(lon, lat).expect("ours");
                let (px, py) = proj_backend::convert("OGC:CRS84", &target, lon, lat).expect("proj");
                let d = if ours.id().is_geographic() {
                    // degrees -> metres, roughly
                    (x - px).abs().max((y - py).abs()) * 111_000.0
                } else {
                    (x - px).abs().max((y - py).abs())
                };
                worst = worst.max(d);
                assert!(
                    d < 1e-3,
                    "EPSG:{code} at {lon},{lat}: ours {x},{y} PROJ {px},{py}"
                );
                // Inverse from PROJ's coordinates.
                let (lo, la) = ours.to_wgs84(px, py).expect("inverse");
                assert!(
                    (lo - lon).abs() < 1e-8 && (la - lat).abs() < 1e-8,
                    "EPSG:{code} inverse"
                );
            }
        }
    }
    eprintln!("worst pure-Rust vs PROJ difference: {worst:.3e} m");
}

#[test]
fn other_epsg_codes_go_through_proj() {
    // UTM 49N / 50N (WGS 84) are not in the pure-Rust set.
    let utm = Crs::parse("EPSG:32650").expect("PROJ knows UTM 50N");
    assert_eq!(utm.id(), CrsId::Epsg(32650));
    let (x, y) = utm.from_wgs84(114.30224, 30.5446).expect("fwd");
    assert!(
        (x - 240_000.0).abs() < 10_000.0 && (y - 3_382_000.0).abs() < 10_000.0,
        "{x} {y}"
    );
    let (lon, lat) = utm.to_wgs84(x, y).expect("inv");
    assert!((lon - 114.30224).abs() < 1e-8 && (lat - 30.5446).abs() < 1e-8);
    assert!(Crs::parse("EPSG:1").is_err());
}
