//! Writes footprints and liuyu's overlay answers for checks by other engines
//! (the shapely/GEOS CI check `.ci/checks/75-overlay.sh`, the PostGIS peer
//! `bench/side-by-side/analyze.sh`).
//!
//! `cargo run --example analyze_footprints -- OUT_DIR [--bench] [--random N]`
//!
//! - `--bench`: the three benchmark footprints of `benches/analyze.rs`
//!   (`45k-outline`, `hubei-outline`, `6000-squares`);
//! - `--random N`: N seeded random polygonal footprints (seed 2024, the
//!   generator of `tests/overlay_reference.rs`).
//!
//! For each footprint `NAME`: `NAME.geojson` (the geometry as sent) and one
//! line of `answers.ndjson`: `{"name", "total_m2", "outside_m2", "perimeter_m",
//! "units": [{"layer", "id", "m2"}]}`, areas by liuyu's geodesic-consistent
//! measure (straight lon/lat edges on the authalic sphere).
use std::io::Write;
use std::path::PathBuf;

use geo::{Geodesic, Length};
use liuyu::governance::footprint;
use liuyu::governance::jurisdiction;
use liuyu::{Atlas, Budget, LayerKind};
use rand::SeedableRng;
use serde_json::{json, Value};

#[path = "../tests/common/footprints.rs"]
mod footprints;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first().map(PathBuf::from) else {
        eprintln!("usage: analyze_footprints OUT_DIR [--bench] [--random N]");
        std::process::exit(2);
    };
    let atlas = Atlas::embedded()?;
    let mut cases: Vec<(String, Value)> = Vec::new();
    if args.iter().any(|a| a == "--bench") {
        cases.push(("45k-outline".into(), footprints::rough_outline_45k()));
        cases.push(("hubei-outline".into(), footprints::hubei_outline(&atlas)));
        cases.push((
            "6000-squares".into(),
            footprints::overlapping_squares_6000(),
        ));
    }
    if let Some(i) = args.iter().position(|a| a == "--random") {
        let n: usize = args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(100);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2024);
        for case in 0..n {
            let v = footprints::random_polygonal(&mut rng, case, &atlas);
            cases.push((format!("random-{case:03}"), v));
        }
    }
    std::fs::create_dir_all(&out)?;
    let mut answers = std::fs::File::create(out.join("answers.ndjson"))?;
    for (name, v) in cases {
        let Ok(fp) = footprint::parse(&v, "footprint", footprint::DEFAULT_MAX_VERTICES) else {
            continue;
        };
        let t = jurisdiction::of_footprint(&atlas, &fp, &Budget::unlimited())?;
        let mut units = Vec::new();
        for kind in LayerKind::ALL {
            for (i, m2) in t.layer(kind) {
                let id = &atlas.layer(kind).units[*i].id;
                units.push(json!({"layer": kind.id(), "id": id, "m2": m2}));
            }
        }
        let perimeter: f64 = fp
            .polygons
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .map(|r| Geodesic.length(r))
            .sum();
        std::fs::write(out.join(format!("{name}.geojson")), v.to_string())?;
        let line = json!({"name": name, "total_m2": t.total, "outside_m2": t.outside,
            "perimeter_m": perimeter, "units": units});
        writeln!(answers, "{line}")?;
    }
    Ok(())
}
