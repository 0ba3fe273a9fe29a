//! The pure-Rust Shapefile reader of `liuyu import`: the bytes are split into
//! `.shp`, `.shx`, `.dbf` and `.cpg` parts (two length bytes before each of the
//! first three), written to a scratch directory and read.
#![no_main]
use libfuzzer_sys::fuzz_target;

fn take<'a>(data: &mut &'a [u8]) -> &'a [u8] {
    if data.len() < 2 {
        let all = *data;
        *data = &[];
        return all;
    }
    let n = (usize::from(data[0]) << 8 | usize::from(data[1])).min(data.len() - 2);
    let part = &data[2..2 + n];
    *data = &data[2 + n..];
    part
}

fuzz_target!(|data: &[u8]| {
    let mut rest = data;
    let shp = take(&mut rest);
    let shx = take(&mut rest);
    let dbf = take(&mut rest);
    let cpg = rest;
    let dir = tempfile::tempdir().expect("scratch dir");
    let base = dir.path().join("layer");
    for (ext, bytes) in [("shp", shp), ("shx", shx), ("dbf", dbf), ("cpg", cpg)] {
        std::fs::write(base.with_extension(ext), bytes).expect("write part");
    }
    let _ = liuyu::formats::read::read_shapefile(&base.with_extension("shp"));
});
