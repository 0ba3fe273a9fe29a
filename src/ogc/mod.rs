//! OGC API - Features (Part 1 Core, Part 2 CRS) under `/ogc`.
use axum::Router;

/// The OGC API routes.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
}
