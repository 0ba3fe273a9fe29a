//! Must-show navigation tests for issue 4 (rivers), against the embedded data.
use liuyu::hydro::{Mode, NavError, RiverGraph};
use liuyu::Atlas;
use std::sync::OnceLock;

fn graph() -> &'static (Atlas, RiverGraph) {
    static G: OnceLock<(Atlas, RiverGraph)> = OnceLock::new();
    G.get_or_init(|| {
        let atlas = Atlas::embedded().expect("atlas");
        let g = RiverGraph::embedded(&atlas).expect("river graph validates");
        (atlas, g)
    })
}

fn names(v: &[liuyu::hydro::navigate::Passed]) -> Vec<String> {
    v.iter().map(|p| p.name.clone()).collect()
}

#[test]
fn dump() {
    let (_, g) = graph();
    let n = g.navigate(Mode::DM, 112.15, 32.03, None, None).unwrap();
    eprintln!("{:?}", n.snapped);
    for r in &n.reaches { eprintln!("{:?} {:.1}-{:.1} {:?}", r.river_name, r.km_from, r.km_to, r.jurisdiction.as_ref().map(|j| (&j.county_name, &j.prefecture_name, &j.zone))); }
    eprintln!("{:?}", names(&n.prefectures));
    for e in &n.events { eprintln!("{:?}", e); }
    eprintln!("{:?}", n.leaves_hubei);
    eprintln!("{:?}", g.summary);
    let _ = NavError::BadDistance;
}

#[test]
fn dump_banks() {
    let (a, g) = graph();
    let r = g.river_index("changjiang").unwrap();
    for b in liuyu::hydro::banks::bank_pairs(g, a, r) {
        eprintln!("{} {}-{} L {} ({}) | R {} ({}) {}", b.level, b.km_from, b.km_to, b.left.county_name, b.left.prefecture_name, b.right.county_name, b.right.prefecture_name, b.length_km);
    }
}
