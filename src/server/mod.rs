//! The one HTTP layer (服务层, axum): shared state, the RFC 9457 problem+json
//! type, cross-cutting middleware (body limit, problem bodies, CORS, tracing),
//! header helpers, query parameter parsing, the server's own routes (`/health`,
//! `/ready`), the router assembled from each domain's `routes()`, and serving.
//!
//! Direction of dependencies: every domain's `http.rs` imports this module
//! (state, [`problem::Problem`], [`params`], [`headers`]); only [`router`]
//! names the domains.

pub mod core;
pub mod cors;
pub mod headers;
pub mod params;
pub mod problem;
pub mod router;
pub mod serve;
pub mod state;

pub use router::router;
pub use serve::serve;
pub use state::{AppState, DataSource, MapsConfig};

/// Largest accepted request body (1 MiB); larger bodies get a 413 problem.
pub const BODY_LIMIT: usize = 1 << 20;
