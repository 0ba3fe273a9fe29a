//! All-layer point lookup benchmarks.
//!
//! - criterion groups for the mean cost: uniformly random points in the province's
//!   bounding box, points within 100 m of county borders, points outside the grid,
//!   and the full JSON-ready answer (`Atlas::locate`);
//! - a latency distribution (p50/p90/p99/p99.9/max) of single lookups printed first,
//!   each lookup timed on its own, 1,000,000 random and 200,000 near-border points.
//!
//! Every lookup result is checked against the county-layer invariant (one county
//! inside Hubei) inside the loop, so a broken index cannot look fast.
use criterion::{criterion_group, BatchSize, Criterion};
use liuyu::{Atlas, LayerKind};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use std::time::Instant;

#[path = "../tests/common/edges.rs"]
mod edges;

fn random_points(atlas: &Atlas, n: usize, seed: u64) -> Vec<(f64, f64)> {
    let bb = atlas.layer(LayerKind::Province).units[0].bbox().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            (
                rng.gen_range(bb.min().x..bb.max().x),
                rng.gen_range(bb.min().y..bb.max().y),
            )
        })
        .collect()
}

/// Points within 100 m of a county border: a random point of a random border
/// edge, moved by up to 100 m (0.0009 degree) in a random direction.
fn border_points(atlas: &Atlas, n: usize, seed: u64) -> Vec<(f64, f64)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let edges = edges::exterior_edges(
        atlas
            .layer(LayerKind::County)
            .units
            .iter()
            .map(|u| &u.geometry),
    );
    (0..n)
        .map(|_| {
            let e = edges[rng.gen_range(0..edges.len())];
            let t: f64 = rng.gen();
            let r = rng.gen_range(0.0..0.0009);
            let a = rng.gen_range(0.0..std::f64::consts::TAU);
            (
                e[0] + t * (e[2] - e[0]) + r * a.cos(),
                e[1] + t * (e[3] - e[1]) + r * a.sin(),
            )
        })
        .collect()
}

fn check(hits: &[liuyu::Hit]) {
    let counties = hits.iter().filter(|h| h.layer == LayerKind::County).count();
    let province = hits.iter().any(|h| h.layer == LayerKind::Province);
    assert!(
        counties >= usize::from(province),
        "a point in Hubei without a county"
    );
}

fn percentiles(name: &str, atlas: &Atlas, pts: &[(f64, f64)]) {
    let loc = atlas.locator();
    let mut out = Vec::with_capacity(16);
    let mut ns = Vec::with_capacity(pts.len());
    for &(x, y) in pts {
        out.clear();
        let t = Instant::now();
        loc.locate_into(black_box(x), black_box(y), &mut out);
        let d = t.elapsed();
        check(&out);
        ns.push(d.as_nanos() as u64);
    }
    ns.sort_unstable();
    let q = |p: f64| ns[((ns.len() as f64 - 1.0) * p) as usize];
    println!(
        "latency {name:<12} n={:<8} p50={:>5} ns  p90={:>5} ns  p99={:>5} ns  p99.9={:>6} ns  max={:>7} ns  (includes ~20-30 ns timer overhead)",
        ns.len(),
        q(0.5),
        q(0.9),
        q(0.99),
        q(0.999),
        ns[ns.len() - 1]
    );
}

fn benches(c: &mut Criterion) {
    let atlas = Atlas::embedded().unwrap();
    let random = random_points(&atlas, 1_000_000, 1);
    let border = border_points(&atlas, 200_000, 2);
    // Warm up, then the distributions.
    percentiles("warmup", &atlas, &random[..100_000]);
    percentiles("random_bbox", &atlas, &random);
    percentiles("near_border", &atlas, &border);

    let loc = atlas.locator();
    let mut g = c.benchmark_group("locate_all_layers");
    for (name, pts) in [("random_bbox", &random), ("near_border_100m", &border)] {
        let mut i = 0;
        let mut out = Vec::with_capacity(16);
        g.bench_function(name, |b| {
            b.iter(|| {
                let (x, y) = pts[i % pts.len()];
                i += 1;
                out.clear();
                loc.locate_into(black_box(x), black_box(y), &mut out);
                check(&out);
                out.len()
            })
        });
    }
    g.bench_function("outside_grid", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            out.clear();
            loc.locate_into(black_box(0.0), black_box(0.0), &mut out);
            out.len()
        })
    });
    g.finish();
    // The batch loop of bulk attribution (`Locator::locate_many`): one chunk
    // of 8,192 points (the default `--chunk-rows`), time per chunk.
    let mut g = c.benchmark_group("locate_many_8192");
    for (name, pts) in [("random_bbox", &random), ("near_border_100m", &border)] {
        let (mut hits, mut ends) = (Vec::new(), Vec::new());
        let mut k = 0;
        g.bench_function(name, |b| {
            b.iter(|| {
                let at = (k * 8192) % (pts.len() - 8192);
                k += 1;
                loc.locate_many(&pts[at..at + 8192], &mut hits, &mut ends);
                check(&hits[ends[0]..ends[1]]);
                hits.len()
            })
        });
    }
    g.finish();
    let mut g = c.benchmark_group("locate_answer");
    let mut i = 0;
    g.bench_function("atlas_locate_json_ready", |b| {
        b.iter_batched(
            || {
                i += 1;
                random[i % random.len()]
            },
            |(x, y)| atlas.locate(x, y),
            BatchSize::SmallInput,
        )
    });
    g.finish();
    let t = Instant::now();
    let a = Atlas::embedded().unwrap();
    println!(
        "embedded Atlas load + index build: {:?}; index {:?}",
        t.elapsed(),
        a.locator().stats()
    );
}

criterion_group!(locate, benches);

fn main() {
    locate();
    Criterion::default().configure_from_args().final_summary();
}
