//! The PMTiles v3 reader behind `liuyu serve --pmtiles`: header, directories
//! and tile reads from arbitrary archive bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use liuyu::tiles::TileId;

fuzz_target!(|data: &[u8]| {
    let Ok(a) = liuyu::tiles::pmtiles::Archive::from_bytes(data.to_vec().into()) else {
        return;
    };
    let _ = a.metadata();
    for (z, x, y) in [(0, 0, 0), (5, 26, 13), (7, 105, 52), (8, 210, 105)] {
        let _ = a.get(TileId { z, x, y });
    }
});
