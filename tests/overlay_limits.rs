//! Bounded footprint analysis (issue 12 item 2, issue 13 item 5): hostile
//! footprints are refused by a deterministic work limit with a 422 problem
//! that states the limit, cancelled or late work stops, and the 6,000
//! overlapping squares that used to take 10 s and 1.5 GB are answered.

mod common;

#[path = "common/footprints.rs"]
mod footprints;

use axum::body::Body;
use axum::http::{header, Request};
use liuyu::governance::footprint::{self, FootprintError, NORMALISE_BUDGET, VALIDATION_BUDGET};
use liuyu::governance::jurisdiction::{self, JurisdictionError};
use liuyu::overlay::{Cost, OverlayError, Rings, Stage};
use liuyu::server::{router, AppState, DataSource};
use liuyu::{Atlas, Budget, Exhausted, LayerKind};
use serde_json::{json, Value};

fn atlas() -> &'static Atlas {
    static A: std::sync::OnceLock<Atlas> = std::sync::OnceLock::new();
    A.get_or_init(|| Atlas::embedded().expect("embedded atlas"))
}

fn parse(v: &Value) -> Result<footprint::Footprint, FootprintError> {
    footprint::parse(v, "footprint", footprint::DEFAULT_MAX_VERTICES)
}

#[test]
fn crossed_combs_are_refused_by_the_normalisation_limit() {
    // Two valid 1,202-vertex combs at right angles cross 360,000 times.
    let Err(FootprintError::TooComplex(t)) = parse(&footprints::crossed_combs(300)) else {
        panic!("crossed combs were not refused");
    };
    assert_eq!((t.stage, t.limit), (Stage::Normalisation, NORMALISE_BUDGET));
    assert!(t.spent > t.limit);
    // With few teeth the same shape is merged and answered.
    let fp = parse(&footprints::crossed_combs(20)).expect("20 teeth");
    assert_eq!(fp.polygons.0.len(), 1);
}

#[test]
fn a_comb_of_long_parallel_edges_is_refused_by_the_validation_limit() {
    // 3,000 horizontal teeth: every pair of teeth overlaps in x.
    let ring = footprints::comb(3_000, true, 112.0, 30.5, 1.0);
    let Err(FootprintError::TooComplex(t)) = parse(&json!({"type":"Polygon","coordinates":[ring]}))
    else {
        panic!("the comb was not refused");
    };
    assert_eq!((t.stage, t.limit), (Stage::Validation, VALIDATION_BUDGET));
}

#[test]
fn the_overlay_stops_at_its_limit() {
    let fp = parse(&footprints::rough_outline(2_000, 3)).expect("outline");
    let rings = Rings::from_multipolygon(&fp.polygons);
    let mut cost = Cost::new(Stage::Overlay, 1_000);
    let r = liuyu::overlay::area_shares(atlas().overlay(), &rings, &Budget::unlimited(), &mut cost);
    assert!(
        matches!(r, Err(OverlayError::TooComplex(t)) if t.stage == Stage::Overlay && t.limit == 1_000),
        "{r:?}"
    );
}

#[test]
fn six_thousand_overlapping_squares_are_answered() {
    let fp = parse(&footprints::overlapping_squares_6000()).expect("squares");
    let t = jurisdiction::of_footprint(atlas(), &fp, &Budget::unlimited()).expect("overlay");
    // The squares cover 108.3–116.1°E, 29–33.3°N: every county, and beyond.
    assert_eq!(t.layer(LayerKind::County).len(), 103);
    assert!(t.leaves_province());
    let counties: f64 = t.layer(LayerKind::County).iter().map(|(_, a)| a).sum();
    assert!(((counties + t.outside) / t.total - 1.0).abs() < 1e-9);
}

#[test]
fn cancelled_or_late_work_stops() {
    let fp = parse(&footprints::rough_outline(5_000, 1)).expect("outline");
    let cancelled = Budget::unlimited();
    cancelled.cancel();
    assert_eq!(
        jurisdiction::of_footprint(atlas(), &fp, &cancelled),
        Err(JurisdictionError::Exhausted(Exhausted::Cancelled))
    );
    let late = Budget::with_timeout(std::time::Duration::ZERO);
    assert_eq!(
        jurisdiction::of_footprint(atlas(), &fp, &late),
        Err(JurisdictionError::Exhausted(Exhausted::Deadline))
    );
    // Merging many parts checks the budget too.
    let r = footprint::parse_within(
        &footprints::overlapping_squares(50, 4),
        "footprint",
        1_000,
        &liuyu::crs::Crs::default(),
        &cancelled,
    );
    assert_eq!(
        r.err(),
        Some(FootprintError::Exhausted(Exhausted::Cancelled))
    );
}

#[tokio::test]
async fn the_http_answer_is_a_422_problem_naming_the_limit() {
    let app = router(AppState::new(
        Atlas::embedded().unwrap(),
        DataSource::Embedded,
    ));
    let body = json!({"matter": "water", "footprint": footprints::crossed_combs(300)});
    let req = Request::post("/v1/issues/analyze")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let r = common::send(app, req).await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.content_type().starts_with("application/problem+json"));
    let p = r.json();
    assert_eq!(p["type"], "/problems/footprint-too-complex");
    assert_eq!(p["stage"], "normalisation");
    assert_eq!(p["budget"], NORMALISE_BUDGET);
    assert!(p["budget_unit"]
        .as_str()
        .is_some_and(|u| u.contains("vertices")));
    assert!(p["spent_when_stopped"]
        .as_u64()
        .is_some_and(|s| s > NORMALISE_BUDGET));
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.contains(&NORMALISE_BUDGET.to_string()), "{detail}");
}
