//! The embedded dataset: counts, validation, and spot lookups.
use liuyu::{Atlas, LayerKind};
use std::time::Instant;

#[test]
fn embedded_dataset_is_valid_and_complete() {
    let t = Instant::now();
    let atlas = Atlas::embedded().expect("embedded dataset loads");
    eprintln!("load {:?}", t.elapsed());
    assert_eq!(atlas.layer(LayerKind::County).units.len(), 103);
    assert_eq!(atlas.layer(LayerKind::Prefecture).units.len(), 17);
    assert_eq!(atlas.layer(LayerKind::Zone).units.len(), 16);
    assert_eq!(atlas.layer(LayerKind::Basin).units.len(), 3);
    let t = Instant::now();
    let report = atlas.validate();
    eprintln!("validate {:?}", t.elapsed());
    assert!(report.is_ok(), "{report}");
    eprintln!("{:?}", atlas.locator().stats());
    let loc = atlas.locate(114.2538, 30.6060);
    eprintln!("{}", serde_json::to_string_pretty(&loc).unwrap());
}
