//! The FlatGeobuf reader of `liuyu import`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("scratch dir");
    let path = dir.path().join("layer.fgb");
    std::fs::write(&path, data).expect("write");
    let _ = liuyu::formats::read::read_fgb(&path);
});
