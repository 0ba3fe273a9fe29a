//! The readers of `liuyu attribute` (批量归属): CSV, NDJSON, Parquet and Arrow
//! IPC files through the whole pipeline (framing, column detection, number
//! parsing, CRS conversion, lookup, output writing). The first byte picks the
//! file kind (low two bits), `--on-error` (bit 2) and the input CRS (bit 3:
//! CRS84 or GCJ-02); the rest is the file. Every input ends in an output or an
//! error, never a panic, and no output file is left after an error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use liuyu::attribute::{AttributeOptions, OnError};
use liuyu::crs::CrsId;
use std::sync::{Arc, OnceLock};

fn atlas() -> Arc<liuyu::Atlas> {
    static A: OnceLock<Arc<liuyu::Atlas>> = OnceLock::new();
    A.get_or_init(|| Arc::new(liuyu::Atlas::embedded().expect("embedded atlas")))
        .clone()
}

// The atlas is loaded before the first input, so its load time is not counted
// against the first input's timeout. libfuzzer-sys's panic hook aborts at any
// panic, even one liuyu catches on purpose (the guard around the Parquet and
// Arrow IPC decoders, src/attribute/parquet_run.rs); taking it back restores
// the default hook, and a panic that escapes is still a crash (libfuzzer-sys
// aborts when the target unwinds).
fuzz_target!(init: { atlas(); let _ = std::panic::take_hook(); }, |data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let ext = ["csv", "ndjson", "parquet", "arrow"][usize::from(sel & 3)];
    let dir = tempfile::tempdir().expect("scratch dir");
    let input = dir.path().join(format!("in.{ext}"));
    let output = dir.path().join(format!("out.{ext}"));
    std::fs::write(&input, body).expect("write input");
    let mut opts = AttributeOptions::new(input, output.clone());
    opts.threads = 1;
    opts.chunk_rows = 64;
    opts.on_error = if sel & 4 == 0 {
        OnError::Fail
    } else {
        OnError::Skip
    };
    opts.crs = if sel & 8 == 0 {
        CrsId::Crs84
    } else {
        CrsId::Gcj02
    };
    if liuyu::attribute::run(atlas(), &opts).is_err() {
        assert!(!output.exists(), "an output was left after an error");
    }
});
