//! Governance rules loading (`DIR/governance/*.toml`): one of the six rule files,
//! chosen by the first byte, replaced by the fuzz text; the others embedded.
//! Parsing and cross-checks must refuse bad rules with an error, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

const FILES: &[&str] = &[
    "clauses.toml",
    "bodies.toml",
    "departments.toml",
    "mechanisms.toml",
    "matters.toml",
    "obligations.toml",
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let dir = tempfile::tempdir().expect("scratch dir");
    let gov = dir.path().join("governance");
    std::fs::create_dir(&gov).expect("governance dir");
    std::fs::write(gov.join(FILES[sel as usize % FILES.len()]), bytes).expect("write");
    let _ = liuyu::governance::Rules::load_dir(dir.path());
});
