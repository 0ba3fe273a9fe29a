//! `/v1/locate` written from fragments serialised at load (issue 13 item 4):
//! the bytes must be exactly serde's serialisation of the `Location` answer,
//! for points inside, outside (neighbouring provinces and beyond), on county
//! vertices and borders (where several units and `on_boundary` are involved),
//! and over HTTP the fast path must answer what the general path answers.

mod common;

use axum::body::Body;
use axum::http::Request;
use liuyu::server::{router, AppState, DataSource};
use liuyu::{Atlas, LayerKind};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn atlas() -> &'static Atlas {
    static A: std::sync::OnceLock<Atlas> = std::sync::OnceLock::new();
    A.get_or_init(|| Atlas::embedded().expect("embedded atlas"))
}

fn assert_same(a: &Atlas, lon: f64, lat: f64) {
    let mut fast = Vec::new();
    a.locate_json(lon, lat, &mut fast);
    let serde = serde_json::to_vec(&a.locate(lon, lat)).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&fast),
        String::from_utf8_lossy(&serde),
        "at ({lon}, {lat})"
    );
}

/// Seeded points over Hubei and its neighbours (and beyond), on county
/// vertices, and at the middle of county edges (on two counties' boundary).
fn points(n: usize) -> Vec<(f64, f64)> {
    let mut rng = ChaCha8Rng::seed_from_u64(41);
    let counties = &atlas().layer(LayerKind::County).units;
    let mut pts = Vec::with_capacity(3 * n);
    for _ in 0..n {
        pts.push((rng.gen_range(104.0..122.0), rng.gen_range(24.0..38.0)));
        let u = &counties[rng.gen_range(0..counties.len())];
        let ring = &u.geometry.0[0].exterior().0;
        let i = rng.gen_range(0..ring.len() - 1);
        pts.push((ring[i].x, ring[i].y));
        pts.push((
            (ring[i].x + ring[i + 1].x) / 2.0,
            (ring[i].y + ring[i + 1].y) / 2.0,
        ));
    }
    pts
}

#[test]
fn fast_answers_are_the_serde_answers() {
    let a = atlas();
    let pts = points(2_000);
    let mut seen_boundary = 0;
    let mut seen_neighbour = 0;
    let mut seen_notes = 0;
    for &(lon, lat) in &pts {
        assert_same(a, lon, lat);
        let l = a.locate(lon, lat);
        seen_boundary += l.on_boundary as usize;
        seen_neighbour += l.neighbouring_province.is_some() as usize;
        seen_notes += !l.notes.is_empty() as usize;
    }
    // The sample reaches the cases the writer distinguishes.
    assert!(seen_boundary > 100, "{seen_boundary} boundary points");
    assert!(seen_neighbour > 100, "{seen_neighbour} neighbour points");
    assert!(seen_notes > 100, "{seen_notes} points with notes");
    for (lon, lat) in [(114.3, 30.6), (0.0, 0.0), (-180.0, 90.0), (180.0, -90.0)] {
        assert_same(a, lon, lat);
    }
}

#[tokio::test]
async fn the_fast_path_answers_what_the_general_path_answers() {
    let app = router(AppState::new(
        Atlas::embedded().unwrap(),
        DataSource::Embedded,
    ));
    for (lon, lat) in points(40) {
        let (x, y) = (lon.to_string(), lat.to_string());
        let fast = format!("/v1/locate?lon={x}&lat={y}");
        // The same numbers with escaped dots: the general path (query map).
        let general = format!(
            "/v1/locate?lat={}&lon={}",
            y.replace('.', "%2E"),
            x.replace('.', "%2E")
        );
        let f = common::send(
            app.clone(),
            Request::get(&fast).body(Body::empty()).unwrap(),
        )
        .await;
        let g = common::send(
            app.clone(),
            Request::get(&general).body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(f.status, g.status, "{fast}");
        assert_eq!(f.content_type(), g.content_type(), "{fast}");
        assert_eq!(f.content_type(), "application/json");
        assert_eq!(f.body, g.body, "{fast}");
    }
}

#[tokio::test]
async fn bad_queries_still_get_problems() {
    let app = router(AppState::new(
        Atlas::embedded().unwrap(),
        DataSource::Embedded,
    ));
    for q in [
        "lon=200&lat=30",
        "lon=abc&lat=30",
        "lon=114",
        "lon=NaN&lat=30",
    ] {
        let uri = format!("/v1/locate?{q}");
        let r = common::send(app.clone(), Request::get(&uri).body(Body::empty()).unwrap()).await;
        assert_eq!(r.status.as_u16(), 400, "{q}");
        assert!(
            r.content_type().starts_with("application/problem+json"),
            "{q}"
        );
    }
}
