//! CRS names (`crs=`, `--crs`, GeoJSON `crs` members) and the conversions
//! they select, with arbitrary coordinates: errors, never panics, and every
//! accepted conversion gives finite numbers or an error.
#![no_main]
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    name: String,
    member: Option<String>,
    x: f64,
    y: f64,
}

fuzz_target!(|inp: Input| {
    let _ = liuyu::crs::parse_crs_param(Some(&inp.name));
    if let Ok(crs) = liuyu::crs::Crs::parse(&inp.name) {
        if let Ok((lon, lat)) = crs.to_wgs84(inp.x, inp.y) {
            assert!(
                lon.is_finite() && lat.is_finite(),
                "{}: {lon} {lat}",
                inp.name
            );
        }
        if let Ok((x, y)) = crs.from_wgs84(inp.x, inp.y) {
            assert!(x.is_finite() && y.is_finite(), "{}: {x} {y}", inp.name);
        }
    }
    let _ = liuyu::crs::point_to_wgs84(&inp.name, inp.x, inp.y);
    if let Some(m) = inp.member {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&m) {
            let _ = liuyu::crs::http::crs_member(Some(&v));
        }
    }
});
