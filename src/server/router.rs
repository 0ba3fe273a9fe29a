//! The router (路由): every domain's `routes()` listed in one place, behind the
//! server's middleware. This is the only module of the server layer that names
//! the domains; the domains depend on [`crate::server`], never the other way.

use super::problem::{ensure_problem_json, Problem};
use super::{core, cors, AppState, BODY_LIMIT};
use crate::tiles::service::MapsService;
use axum::extract::{DefaultBodyLimit, Extension};
use axum::routing::get;
use axum::Router;
use std::sync::Arc;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};

/// The map routes (page, style, tiles, catalog, OGC API) over one service,
/// behind CORS.
fn map_routes(svc: Arc<MapsService>) -> Router<AppState> {
    let cors = cors::layer(&svc.config.cors_origins);
    Router::new()
        .merge(crate::web::routes())
        .merge(crate::tiles::http::routes())
        .merge(crate::ogc::routes())
        .layer(cors)
        .layer(Extension(svc))
}

/// The full router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(core::health))
        .route("/ready", get(core::ready))
        .merge(crate::locate::http::routes())
        .merge(crate::governance::http::routes_with(Arc::new(
            crate::hydro::water::RiverWater,
        )))
        .merge(crate::formats::http::routes())
        .merge(crate::hydro::http::routes())
        .merge(crate::air::http::routes())
        .merge(map_routes(MapsService::for_state(&state)))
        .fallback(|| async { Problem::not_found("no such resource") })
        .with_state(state)
        .layer(axum::middleware::from_fn(ensure_problem_json))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(tracing::Level::INFO))
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
}
