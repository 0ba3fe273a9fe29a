//! The cross-boundary analysis from request bytes: JSON parsing, the request
//! shape, CRS handling, footprint validation, the overlay and the rule steps.
//! Half the inputs are raw JSON bodies; the other half are footprints built
//! from the bytes near Hubei (so the overlay, not only the parser, is
//! exercised). Every input ends in an answer or an error within the budget.
#![no_main]
use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use liuyu::governance::analyze::AnalyzeRequest;
use liuyu::governance::Governance;
use serde_json::{json, Value};
use std::sync::OnceLock;
use std::time::Duration;

fn engine() -> &'static (liuyu::Atlas, Governance) {
    static E: OnceLock<(liuyu::Atlas, Governance)> = OnceLock::new();
    E.get_or_init(|| {
        let atlas = liuyu::Atlas::embedded().expect("embedded atlas");
        let g = Governance::embedded()
            .expect("embedded rules")
            .with_water(std::sync::Arc::new(liuyu::hydro::water::RiverWater));
        (atlas, g)
    })
}

const MATTERS: &[&str] = &[
    "water",
    "air",
    "noise",
    "soil",
    "秸秆焚烧",
    "unknown-matter",
    "",
];

/// A ring of up to 12 vertices in a box around Hubei, from the bytes.
fn ring(u: &mut Unstructured) -> arbitrary::Result<Vec<[f64; 2]>> {
    let n = u.int_in_range(0..=12)?;
    let mut pts = Vec::with_capacity(n + 1);
    for _ in 0..n {
        let x = 108.0 + f64::from(u.int_in_range(0..=9000u32)?) / 1000.0;
        let y = 28.5 + f64::from(u.int_in_range(0..=5000u32)?) / 1000.0;
        pts.push([x, y]);
    }
    if u.arbitrary()? {
        if let Some(&first) = pts.first() {
            pts.push(first);
        }
    }
    Ok(pts)
}

fn built(u: &mut Unstructured) -> arbitrary::Result<Value> {
    let matter = MATTERS[u.choose_index(MATTERS.len())?];
    let kind = u.int_in_range(0..=4u8)?;
    let footprint = match kind {
        0 => {
            json!({"type": "Point", "coordinates": ring(u)?.first().copied().unwrap_or([114.0, 30.5])})
        }
        1 => json!({"type": "LineString", "coordinates": ring(u)?}),
        2 => json!({"type": "Polygon", "coordinates": [ring(u)?]}),
        3 => json!({"type": "MultiPolygon", "coordinates": [[ring(u)?], [ring(u)?, ring(u)?]]}),
        _ => json!({"type": "MultiPoint", "coordinates": ring(u)?}),
    };
    Ok(json!({"matter": matter, "footprint": footprint, "suspected_crime": bool::arbitrary(u)?}))
}

fuzz_target!(init: { let _ = engine(); }, |data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let value: Value = if mode % 2 == 0 {
        match serde_json::from_slice(rest) {
            Ok(v) => v,
            Err(_) => return,
        }
    } else {
        match built(&mut Unstructured::new(rest)) {
            Ok(v) => v,
            Err(_) => return,
        }
    };
    let Ok(req) = serde_json::from_value::<AnalyzeRequest>(value) else {
        return;
    };
    let (atlas, g) = engine();
    let budget = liuyu::Budget::with_timeout(Duration::from_millis(800));
    let _ = g.analyze_within(atlas, &req, &budget);
});
