//! Footprint analysis benchmarks (issue 13 item 5): `POST /v1/issues/analyze`
//! minus the socket, for the three footprints of `tests/common/footprints.rs`:
//!
//! - `45k-outline`: a 45,000-vertex fractal-like outline over several
//!   prefectures (`rough_outline_45k`, seed 13), 1.0 MB of JSON;
//! - `hubei-outline`: the province outline itself (1,533 vertices, 3 parts);
//! - `6000-squares`: 6,000 overlapping 2°×2° squares in one MultiPolygon
//!   (`overlapping_squares_6000`, seed 12), 0.47 MB of JSON.
//!
//! Groups:
//! - `analyze/*`: the whole analysis from the request bytes (JSON parse,
//!   footprint parse and validity, normalisation, overlay, rules, river
//!   context), as the HTTP handler runs it;
//! - `stage/*`: the footprint parse (with validity and normalisation) and the
//!   overlay alone.
//!
//! Each answer is checked inside the loop (touched counties, shares adding
//! up), so a broken overlay cannot look fast. `LIUYU_BENCH_REFERENCE=1` adds
//! `reference/*`: the previous computation (geo `unary_union` + `BooleanOps`
//! per unit) on the Hubei outline and the 45k outline (about 11 s each).
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion};
use liuyu::governance::analyze::{Analysis, AnalyzeRequest};
use liuyu::governance::footprint::{self, Footprint};
use liuyu::governance::jurisdiction;
use liuyu::governance::Governance;
use liuyu::{Atlas, Budget};
use serde_json::{json, Value};
use std::hint::black_box;

#[path = "../tests/common/footprints.rs"]
mod footprints;

fn cases(atlas: &Atlas) -> Vec<(&'static str, Value)> {
    vec![
        ("45k-outline", footprints::rough_outline_45k()),
        ("hubei-outline", footprints::hubei_outline(atlas)),
        ("6000-squares", footprints::overlapping_squares_6000()),
    ]
}

fn check(a: &Analysis) {
    let sum: f64 = a.jurisdictions.counties.iter().map(|c| c.share).sum();
    assert!(!a.jurisdictions.counties.is_empty());
    assert!(sum > 0.2 && sum < 1.0 + 1e-4, "county shares sum to {sum}");
}

fn analyze(c: &mut Criterion) {
    let atlas = Atlas::embedded().expect("atlas");
    let gov = Governance::embedded()
        .expect("rules")
        .with_water(Arc::new(liuyu::hydro::water::RiverWater));
    let _ = atlas.overlay();
    let mut g = c.benchmark_group("analyze");
    g.sample_size(20).measurement_time(Duration::from_secs(8));
    for (name, fp) in cases(&atlas) {
        let body = serde_json::to_vec(&json!({"matter": "water", "footprint": fp})).unwrap();
        g.bench_function(name, |b| {
            b.iter(|| {
                let req: AnalyzeRequest = serde_json::from_slice(black_box(&body)).unwrap();
                let a = gov
                    .analyze_within(&atlas, &req, &Budget::unlimited())
                    .unwrap();
                check(&a);
                a
            })
        });
    }
    g.finish();
    let mut g = c.benchmark_group("stage");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    for (name, fp) in cases(&atlas) {
        g.bench_function(format!("parse/{name}"), |b| {
            b.iter(|| footprint::parse(black_box(&fp), "footprint", 100_000).unwrap())
        });
        let parsed = footprint::parse(&fp, "footprint", 100_000).unwrap();
        g.bench_function(format!("overlay/{name}"), |b| {
            b.iter(|| {
                let t =
                    jurisdiction::of_footprint(&atlas, black_box(&parsed), &Budget::unlimited())
                        .unwrap();
                assert!(!t.layer(liuyu::LayerKind::County).is_empty());
                t
            })
        });
    }
    g.finish();
    if std::env::var_os("LIUYU_BENCH_REFERENCE").is_some() {
        reference(c, &atlas);
    }
}

/// The computation before `liuyu::overlay`: parts merged by
/// `geo::unary_union`, then geo `BooleanOps` on the whole footprint against
/// every unit whose box it meets, and the difference with the province.
fn reference(c: &mut Criterion, atlas: &Atlas) {
    use geo::{BooleanOps, Intersects};
    let mut g = c.benchmark_group("reference");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for (name, fp) in cases(atlas).into_iter().take(2) {
        let parsed: Footprint = footprint::parse(&fp, "footprint", 100_000).unwrap();
        g.bench_function(name, |b| {
            b.iter(|| {
                let polys = geo::unary_union(parsed.polygons.0.iter());
                let bbox = parsed.bbox();
                let mut n = 0;
                for l in atlas.layers() {
                    for u in &l.units {
                        if u.bbox().zip(bbox).is_some_and(|(a, b)| a.intersects(&b)) {
                            n += (jurisdiction::area_m2(&u.geometry.intersection(&polys)) > 1.0)
                                as usize;
                        }
                    }
                }
                n
            })
        });
    }
    g.finish();
}

/// How long a running analysis takes to stop once its budget is cancelled
/// (the client went away): printed, not a criterion group.
fn cancel_latency() {
    let atlas = Atlas::embedded().expect("atlas");
    let _ = atlas.overlay();
    let parsed = footprint::parse(&footprints::rough_outline_45k(), "footprint", 100_000).unwrap();
    let mut worst = Duration::ZERO;
    for delay_us in [200u64, 1_000, 3_000, 6_000, 10_000] {
        let budget = Budget::unlimited();
        let b2 = budget.clone();
        let canceller = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_micros(delay_us));
            b2.cancel();
            Instant::now()
        });
        let r = jurisdiction::of_footprint(&atlas, &parsed, &budget);
        let stopped = Instant::now();
        let cancelled_at = canceller.join().unwrap();
        if r.is_err() {
            worst = worst.max(stopped.saturating_duration_since(cancelled_at));
        }
    }
    println!(
        "cancel latency (45k outline overlay, 5 cancels): worst {worst:?} from cancel to return"
    );
}

criterion_group!(benches, analyze);

fn main() {
    cancel_latency();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
