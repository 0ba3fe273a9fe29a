//! The GeoJSON reader of `liuyu import` (official polygons supplied by a user).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = liuyu::formats::read::read_geojson(data);
});
