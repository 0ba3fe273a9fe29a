//! The router (路由): every domain's `routes()` and snapshot part listed in
//! one place, behind the server's middleware. This is the only module of the
//! server layer that names the domains; the domains depend on
//! [`crate::server`], never the other way.

use super::middleware::{deadline, measure, refuse_oversized, Guards};
use super::problem::{ensure_problem_json, Problem};
use super::snapshot::PartLoader;
use super::{core, cors, AppState};
use crate::tiles::service::MapsService;
use axum::extract::{DefaultBodyLimit, Extension, State};
use axum::http::{header, HeaderValue};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};

/// The parts of a snapshot besides the Atlas, loaded and swapped with it.
pub fn parts() -> Vec<PartLoader> {
    vec![crate::hydro::http::PART, crate::governance::http::PART]
}

/// The map routes (page, style, tiles, catalog, OGC API) over one service.
fn map_routes(svc: Arc<MapsService>) -> Router<AppState> {
    Router::new()
        .merge(crate::web::routes())
        .merge(crate::tiles::http::routes())
        .merge(crate::ogc::routes())
        .layer(Extension(svc))
}

async fn metrics(State(state): State<AppState>) -> Response {
    super::metrics::metrics(State(state.metrics().clone())).await
}

/// Registers the `/metrics` collectors of the state's pool and reloads and
/// of the map service's tile cache (replacing earlier ones).
fn register_collectors(state: &AppState, svc: &Arc<MapsService>) {
    let pool = state.pool().clone();
    state
        .metrics()
        .register("work", move |e| super::work::expose(&pool, e));
    let st = state.clone();
    state.metrics().register("reloads", move |e| {
        let (_, ok, failed) = st.reload_status();
        e.family("liuyu_reloads_total", "counter", "Data reloads, by result.");
        e.sample("liuyu_reloads_total", &[("result", "ok")], ok as f64);
        e.sample(
            "liuyu_reloads_total",
            &[("result", "failed")],
            failed as f64,
        );
        e.gauge(
            "liuyu_snapshot_loaded_timestamp_seconds",
            "When the served data snapshot was loaded (Unix time).",
            st.snapshot().loaded_at().as_millisecond() as f64 / 1000.0,
        );
    });
    let tiles = svc.clone();
    state.metrics().register("tiles", move |e| {
        let c = &tiles.cache;
        e.counter(
            "liuyu_tile_cache_hits_total",
            "Tiles answered from the cache.",
            c.hits() as f64,
        );
        e.counter(
            "liuyu_tile_cache_misses_total",
            "Tiles not in the cache.",
            c.misses() as f64,
        );
        e.gauge(
            "liuyu_tile_cache_bytes",
            "Bytes held by the tile cache.",
            c.bytes() as f64,
        );
        e.counter(
            "liuyu_pmtiles_fallbacks_total",
            "Archive reads that failed and were encoded live instead.",
            tiles.archive_errors.load(Ordering::Relaxed) as f64,
        );
    });
}

/// The full router. Middleware, outermost first: tracing, `nosniff`,
/// metrics, CORS, problem+json bodies for every error, early refusal of
/// oversized requests, the request deadline, the body limit.
pub fn router(state: AppState) -> Router {
    let svc = MapsService::for_state(&state);
    register_collectors(&state, &svc);
    let guards = Guards {
        limits: state.limits().clone(),
        pool: state.pool().clone(),
        metrics: state.metrics().clone(),
    };
    let cors = cors::layer(&state.maps().cors_origins);
    let body_limit = state.limits().body_limit;
    Router::new()
        .route("/health", get(core::health))
        .route("/ready", get(core::ready))
        .route("/metrics", get(metrics))
        .merge(crate::locate::http::routes())
        .merge(crate::governance::http::routes_with(Arc::new(
            crate::hydro::water::RiverWater,
        )))
        .merge(crate::formats::http::routes())
        .merge(crate::hydro::http::routes())
        .merge(crate::register::http::routes())
        .merge(crate::air::http::routes())
        .merge(map_routes(svc))
        .fallback(|| async { Problem::not_found("no such resource") })
        .with_state(state)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(from_fn_with_state(guards.clone(), deadline))
        .layer(from_fn_with_state(guards.clone(), refuse_oversized))
        .layer(from_fn(ensure_problem_json))
        .layer(cors)
        .layer(from_fn_with_state(guards, measure))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(tracing::Level::INFO))
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
}
