//! The three benchmark footprints of issue 13 (测试足迹), generated
//! deterministically (fixed seeds) so the criterion bench, the tests and the
//! PostGIS peer (`bench/side-by-side/analyze.sh`, through
//! `examples/analyze_footprints.rs`) all use the same geometry.
//!
//! - [`rough_outline`]: a 45,000-vertex polygon over several prefectures
//!   (荆门, 荆州, 宜昌, 襄阳, 孝感, 天门, 潜江, 仙桃…, and a sliver of Hunan): a
//!   star-shaped outline around 112.6°E 30.9°N, about 1° in radius, whose
//!   radius is three low harmonics plus 40 random ones (50 to 5,000 turns,
//!   amplitude ∝ f^-0.8), a fractal-like line with detail at every scale that
//!   stays simple (valid); [`saw_outline`] is its pathological cousin;
//! - [`hubei_outline`]: the province unit itself (1,533 vertices);
//! - [`overlapping_squares`]: 6,000 axis-aligned 2°×2° squares with lower-left
//!   corners drawn uniformly on a 0.01° grid over 108.3–114.1°E, 29.0–31.3°N (so
//!   every square lies in Hubei's bounding box), as one MultiPolygon whose parts
//!   overlap heavily (each overlaps about 2,800 others; about 470 KB of JSON).
#![allow(dead_code)]

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

/// Rounds to 1e-6 degree, as a surveyed outline would be written.
fn r6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// A simple `n`-vertex polygon (closed ring of `n + 1` positions) around
/// 112.6°E 30.9°N; see the module docs.
pub fn rough_outline(n: usize, seed: u64) -> Value {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (cx, cy, r) = (112.6f64, 30.9f64, 1.0f64);
    let kx = 1.0 / cy.to_radians().cos();
    // 40 random harmonics between 50 and 5,000 turns, amplitude falling as
    // f^-0.8: detail at every scale down to about 9 vertices per wave.
    let waves: Vec<(f64, f64, f64)> = (0..40)
        .map(|_| {
            let f = f64::from(rng.gen_range(50..5_000u32));
            (
                f,
                0.03 * (50.0 / f).powf(0.8),
                rng.gen_range(0.0..std::f64::consts::TAU),
            )
        })
        .collect();
    let mut ring: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            let t = std::f64::consts::TAU * i as f64 / n as f64;
            let shape = 1.0 + 0.25 * (3.0 * t).sin() + 0.12 * (7.0 * t + 1.0).sin()
                - 0.05 * (31.0 * t).cos()
                + waves
                    .iter()
                    .map(|(f, a, p)| a * (f * t + p).sin())
                    .sum::<f64>();
            let rr = r * shape;
            [r6(cx + rr * t.cos() * kx), r6(cy + rr * t.sin())]
        })
        .collect();
    ring.push(ring[0]);
    json!({"type": "Polygon", "coordinates": [ring]})
}

/// A pathological `n`-vertex outline: the same star with 2% independent
/// radial jitter at every vertex, so each edge is a spike about a hundred
/// times longer than the spacing of the vertices (a saw, not a survey line).
pub fn saw_outline(n: usize, seed: u64) -> Value {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (cx, cy, r) = (112.6f64, 30.9f64, 1.0f64);
    let kx = 1.0 / cy.to_radians().cos();
    let mut ring: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            let t = std::f64::consts::TAU * i as f64 / n as f64;
            let shape = 1.0 + 0.25 * (3.0 * t).sin() + 0.12 * (7.0 * t + 1.0).sin()
                - 0.05 * (31.0 * t).cos();
            let rr = r * shape * (1.0 + rng.gen_range(-0.02..0.02));
            [r6(cx + rr * t.cos() * kx), r6(cy + rr * t.sin())]
        })
        .collect();
    ring.push(ring[0]);
    json!({"type": "Polygon", "coordinates": [ring]})
}

/// The 45,000-vertex outline of the benchmarks.
pub fn rough_outline_45k() -> Value {
    rough_outline(45_000, 13)
}

/// `n` overlapping 2°×2° squares as one MultiPolygon; see the module docs.
pub fn overlapping_squares(n: usize, seed: u64) -> Value {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let parts: Vec<Value> = (0..n)
        .map(|_| {
            let x = f64::from(rng.gen_range(10_830..=11_410u32)) / 100.0;
            let y = f64::from(rng.gen_range(2_900..=3_130u32)) / 100.0;
            let (x1, y1) = (r6(x + 2.0), r6(y + 2.0));
            json!([[[x, y], [x1, y], [x1, y1], [x, y1], [x, y]]])
        })
        .collect();
    json!({"type": "MultiPolygon", "coordinates": parts})
}

/// The 6,000 squares of the benchmarks.
pub fn overlapping_squares_6000() -> Value {
    overlapping_squares(6_000, 12)
}

/// The province outline as a GeoJSON geometry.
pub fn hubei_outline(atlas: &liuyu::Atlas) -> Value {
    let g = &atlas.layer(liuyu::LayerKind::Province).units[0].geometry;
    serde_json::to_value(geojson::Geometry::from(g)).expect("geometry to JSON")
}

/// A comb: a bar along one side of the box `[x0, x0+d]×[y0, y0+d]` with
/// `teeth` thin teeth across the box (vertical teeth, or horizontal when
/// `across`), one valid polygon of `4 × teeth + 2` vertices. Two combs at right
/// angles cross `4 × teeth²` times: the hostile case of a normalisation.
pub fn comb(teeth: usize, across: bool, x0: f64, y0: f64, d: f64) -> Vec<[f64; 2]> {
    let w = d / (2 * teeth + 1) as f64;
    let bar = d * 0.05;
    // Counter-clockwise in (u along the bar, v across it).
    let mut ring = vec![[0.0, 0.0], [d, 0.0], [d, bar]];
    for i in (0..teeth).rev() {
        let a = (2 * i + 1) as f64 * w;
        ring.extend([[a + w, bar], [a + w, d], [a, d], [a, bar]]);
    }
    ring.push([0.0, bar]);
    let mut ring: Vec<[f64; 2]> = ring
        .into_iter()
        .map(|[u, v]| {
            if across {
                [x0 + d - v, y0 + u]
            } else {
                [x0 + u, y0 + v]
            }
        })
        .collect();
    ring.push(ring[0]);
    ring
}

/// Two combs of `teeth` teeth at right angles over the same box.
pub fn crossed_combs(teeth: usize) -> Value {
    json!({"type": "MultiPolygon", "coordinates": [
        [comb(teeth, false, 112.0, 30.5, 1.0)],
        [comb(teeth, true, 112.0, 30.5, 1.0)],
    ]})
}

/// A random star-shaped ring of `n` vertices (simple by construction).
pub fn star(rng: &mut ChaCha8Rng, cx: f64, cy: f64, r: f64, n: usize, ccw: bool) -> Vec<[f64; 2]> {
    let mut ring: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            let t = std::f64::consts::TAU * (i as f64 + rng.gen_range(0.0..0.8)) / n as f64;
            let rr = r * rng.gen_range(0.4..1.0);
            [cx + rr * t.cos(), cy + rr * t.sin()]
        })
        .collect();
    if !ccw {
        ring.reverse();
    }
    ring.push(ring[0]);
    ring
}

/// A random polygonal footprint of kind `case % 5`: a star, overlapping
/// stars of either orientation, a star with a hole, one or two counties bit
/// for bit, or a box on the 0.001° grid.
pub fn random_polygonal(rng: &mut ChaCha8Rng, case: usize, atlas: &liuyu::Atlas) -> Value {
    let (cx, cy) = (rng.gen_range(108.0..116.6), rng.gen_range(28.9..33.4));
    let r = 10f64.powf(rng.gen_range(-2.0..0.2));
    match case % 5 {
        0 => {
            let (n, ccw) = (rng.gen_range(3..300), rng.gen());
            json!({"type":"Polygon","coordinates":[star(rng, cx, cy, r, n, ccw)]})
        }
        1 => {
            // Overlapping parts of either orientation.
            let parts: Vec<Value> = (0..rng.gen_range(2..8))
                .map(|_| {
                    let (x, y) = (cx + rng.gen_range(-r..r), cy + rng.gen_range(-r..r));
                    let (n, ccw) = (rng.gen_range(3..60), rng.gen());
                    json!([star(rng, x, y, r, n, ccw)])
                })
                .collect();
            json!({"type":"MultiPolygon","coordinates":parts})
        }
        2 => {
            let n = rng.gen_range(8..200);
            let outer = star(rng, cx, cy, r, n, true);
            let hole = star(rng, cx, cy, r * 0.3, 12, false);
            json!({"type":"Polygon","coordinates":[outer, hole]})
        }
        3 => {
            // A county or two, bit for bit: borders shared with the atlas.
            let counties = &atlas.layer(liuyu::LayerKind::County).units;
            let k = rng.gen_range(0..counties.len());
            let mut g = counties[k].geometry.clone();
            if rng.gen() {
                g.0.extend(
                    counties[(k + 1) % counties.len()]
                        .geometry
                        .0
                        .iter()
                        .cloned(),
                );
            }
            serde_json::to_value(geojson::Geometry::from(&g)).expect("json")
        }
        _ => {
            // An axis-aligned box on the 0.001° grid (edges along box splits).
            let (x0, y0) = ((cx * 1e3).round() / 1e3, (cy * 1e3).round() / 1e3);
            let d = (r * 1e3).round().max(1.0) / 1e3;
            json!({"type":"Polygon","coordinates":[[[x0,y0],[x0+d,y0],[x0+d,y0+d],[x0,y0+d],[x0,y0]]]})
        }
    }
}

/// Random polylines (random walks) in and around Hubei.
pub fn random_lines(rng: &mut ChaCha8Rng) -> Value {
    let lines: Vec<Value> = (0..rng.gen_range(1..4))
        .map(|_| {
            let (mut x, mut y) = (rng.gen_range(108.0..116.6), rng.gen_range(28.9..33.4));
            let step = 10f64.powf(rng.gen_range(-3.0..-0.5));
            let pts: Vec<[f64; 2]> = (0..rng.gen_range(2..200))
                .map(|_| {
                    x += rng.gen_range(-step..step);
                    y += rng.gen_range(-step..step);
                    [x, y]
                })
                .collect();
            json!(pts)
        })
        .collect();
    json!({"type":"MultiLineString","coordinates":lines})
}
