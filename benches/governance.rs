//! Criterion benches of the issue analysis (issue 11), with the river network
//! installed as in the server: a list of places (鄂州 + 黄冈, the metro case;
//! the issue asks for under 1 ms), and Hubei's own outline as the footprint
//! (every unit of every layer touched; under 100 ms asked), for an air matter
//! (overlay only) and a water matter (overlay plus the whole network as river
//! context). Each answer is checked once before timing, so a broken engine
//! cannot produce fast numbers.
use std::sync::Arc;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use liuyu::governance::analyze::AnalyzeRequest;
use liuyu::governance::Governance;
use liuyu::hydro::water::RiverWater;
use liuyu::{Atlas, LayerKind};

fn request(
    matter: &str,
    footprint: Option<serde_json::Value>,
    places: Option<Vec<&str>>,
) -> AnalyzeRequest {
    AnalyzeRequest {
        matter: matter.into(),
        footprint,
        places: places.map(|p| p.into_iter().map(String::from).collect()),
        ..Default::default()
    }
}

fn benches(c: &mut Criterion) {
    let atlas = Atlas::embedded().expect("atlas");
    let g = Governance::embedded()
        .expect("rules")
        .with_water(Arc::new(RiverWater));
    let places = request("water", None, Some(vec!["420700", "421100"]));
    let a = g.analyze(&atlas, &places).unwrap();
    assert_eq!(a.coordinating_body.level, "metro");
    assert_eq!(a.coordinating_body.participants.len(), 2);

    let outline = &atlas.layer(LayerKind::Province).units[0].geometry;
    let fp = serde_json::to_value(geojson::Geometry::new(geojson::GeometryValue::from(
        outline,
    )))
    .unwrap();
    let air = request("air", Some(fp.clone()), None);
    let a = g.analyze(&atlas, &air).unwrap();
    assert_eq!(a.jurisdictions.counties.len(), 103);
    assert_eq!(a.coordinating_body.level, "province");
    let water = request("water", Some(fp), None);
    let a = g.analyze(&atlas, &water).unwrap();
    let w = a.water_context.as_ref().expect("river context");
    // The outline touches the whole network: every county it runs through.
    let graph = liuyu::hydro::RiverGraph::embedded(&atlas).unwrap();
    assert_eq!(w.inside_counties.len(), graph.jurisdictions.len());

    c.bench_function("analyze/places 鄂州+黄冈 (water, metro)", |b| {
        b.iter(|| g.analyze(&atlas, black_box(&places)).unwrap())
    });
    let mut slow = c.benchmark_group("analyze/Hubei outline");
    slow.sample_size(10);
    slow.bench_function("air (overlay)", |b| {
        b.iter(|| g.analyze(&atlas, black_box(&air)).unwrap())
    });
    slow.bench_function("water (overlay + whole-network river context)", |b| {
        b.iter(|| g.analyze(&atlas, black_box(&water)).unwrap())
    });
    slow.finish();
}

criterion_group!(governance, benches);
criterion_main!(governance);
