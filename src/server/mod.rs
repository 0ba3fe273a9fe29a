//! The one HTTP layer (服务层, axum over hyper): shared state and the served
//! [`snapshot`], the RFC 9457 problem+json type, limits and timeouts,
//! middleware (deadlines, early refusals, CORS, `nosniff`, problem bodies,
//! tracing, metrics), the bounded [`work`] pool for CPU-heavy requests,
//! connection management, header helpers, query and body parsing, the
//! server's own routes (`/health`, `/ready`, `/metrics`), the router
//! assembled from each domain's `routes()`, and serving. docs/server.md
//! describes the behaviour.
//!
//! Direction of dependencies: every domain's `http.rs` imports this module
//! (state, [`problem::Problem`], [`work::Work`], [`params`], [`headers`]);
//! only [`router`] names the domains.

pub mod body;
pub mod conn;
pub mod core;
pub mod cors;
pub mod headers;
pub mod limits;
pub mod metrics;
pub mod middleware;
pub mod params;
pub mod problem;
pub mod router;
pub mod serve;
pub mod snapshot;
pub mod state;
pub mod work;

pub use limits::Limits;
pub use router::router;
pub use serve::{serve, serve_on};
pub use snapshot::{Snapshot, SnapshotError};
pub use state::{AppState, DataSource, MapsConfig};
pub use work::Work;

/// Largest accepted request body (1 MiB); larger bodies get a 413 problem.
pub const BODY_LIMIT: usize = 1 << 20;
