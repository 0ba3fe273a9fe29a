//! Point-in-polygon engine (点位查询): an all-layer cell grid in front of exact
//! per-unit edge indexes.
//!
//! Border rule: a point within [`BOUNDARY_EPSILON`] (1e-7 degree, about 1 cm) of a
//! unit's boundary is reported as inside that unit with `on_boundary = true`; so a
//! point on a shared border is reported in both neighbours.
mod edges;
mod grid;

pub use edges::{EdgeIndex, Position, BOUNDARY_EPSILON};
pub use grid::{Hit, Locator, CELLS_PER_DEGREE};
