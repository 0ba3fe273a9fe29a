//! Point-in-polygon engine (点位查询): an all-layer cell grid, refined by an
//! adaptive quadtree over the cells that unit boundaries pass through, in
//! front of exact per-leaf tests; per-unit edge indexes (stripes) remain for
//! single-unit tests.
//!
//! Border rule: a point within [`BOUNDARY_EPSILON`] (1e-7 degree, about 1 cm) of a
//! unit's boundary is reported as inside that unit with `on_boundary = true`; so a
//! point on a shared border is reported in both neighbours.
mod edges;
mod grid;
mod leaf;
mod quad;

pub use edges::{EdgeIndex, Position, BOUNDARY_EPSILON};
pub use grid::{Hit, Locator, LocatorStats, CELLS_PER_DEGREE};
pub use quad::{LEAF_EDGES, MAX_DEPTH};
