//! Exact point-in-unit test inside one leaf cell of the quadtree (叶单元判定).
//!
//! A leaf cell `[x0, x1) × [y0, y1)` stores, for each unit whose boundary
//! passes near it, the unit's edges that come within 2 × [`BOUNDARY_EPSILON`]
//! of the cell and whether the cell's bottom-right corner `K = (x1, y0)` is
//! inside the unit. A query point `P` in the cell is then:
//!
//! - on the boundary when an edge lies within [`BOUNDARY_EPSILON`] of it (the
//!   same distance test as [`EdgeIndex::classify`](super::EdgeIndex::classify),
//!   on the same edges: every edge that near `P` is in the leaf);
//! - otherwise inside iff `K` is inside XOR the path `P → (x1, y) → K` crosses
//!   the boundary an odd number of times. The path stays in the cell, so only
//!   the leaf's edges can cross it.
//!
//! Degenerate cases (the path through a vertex or along an edge) are settled by
//! simulation of simplicity: every path point is shifted by `(δ, ε)`, with
//! `0 < δ ≪ ε` infinitesimal, and the side of a point relative to an edge is
//! decided by an exact orientation predicate (`robust::orient2d`, Shewchuk's
//! adaptive arithmetic). The ray of [`EdgeIndex::classify`] uses the same `ε`
//! (its half-open rule `(y1 > y) != (y2 > y)`), so both agree everywhere off the
//! 1 cm border band.

use super::edges::{dist2_to_segment, Position, BOUNDARY_EPSILON};
use robust::{orient2d, Coord};

/// Whether `(px + δ, py + ε)` lies left of the directed edge `a → b`
/// (`e = [ax, ay, bx, by]`, `a != b`). Exact; never undecided.
#[inline]
pub(crate) fn side(e: &[f64; 4], px: f64, py: f64) -> bool {
    let o = orient2d(
        Coord { x: e[0], y: e[1] },
        Coord { x: e[2], y: e[3] },
        Coord { x: px, y: py },
    );
    if o != 0.0 {
        return o > 0.0;
    }
    // On the edge's line: the ε term (dx · ε) decides, else the δ term (-dy · δ).
    let dx = e[2] - e[0];
    if dx != 0.0 {
        dx > 0.0
    } else {
        e[3] < e[1]
    }
}

/// Whether the edge comes within [`BOUNDARY_EPSILON`] of `(x, y)`: a cheap box
/// test, then the exact distance (as in `EdgeIndex::classify`).
#[inline]
fn near(e: &[f64; 4], x: f64, y: f64) -> bool {
    let eps = BOUNDARY_EPSILON;
    let [x1, y1, x2, y2] = *e;
    x >= x1.min(x2) - eps
        && x <= x1.max(x2) + eps
        && y >= y1.min(y2) - eps
        && y <= y1.max(y2) + eps
        && dist2_to_segment(x, y, x1, y1, x2, y2) <= eps * eps
}

/// Whether edge `e` crosses the two legs of the path
/// `(px, py) → (x1, py) → (x1, y0)` (all shifted by `(δ, ε)`): one bit per leg.
#[inline]
fn crosses(e: &[f64; 4], px: f64, py: f64, x1: f64, y0: f64) -> bool {
    let [ax, ay, bx, by] = *e;
    let mut odd = false;
    // Horizontal leg at height py + ε, from px + δ to x1 + δ.
    if (ay > py) != (by > py) && ax.max(bx) >= px && ax.min(bx) <= x1 {
        odd ^= side(e, px, py) != side(e, x1, py);
    }
    // Vertical leg at x1 + δ, from py + ε down to y0 + ε.
    if (ax > x1) != (bx > x1) && ay.max(by) >= y0 && ay.min(by) <= py {
        odd ^= side(e, x1, py) != side(e, x1, y0);
    }
    odd
}

/// Parity of the boundary crossings of the path `(px, py) → (x1, py) → (x1, y0)`.
pub(crate) fn path_parity(edges: &[[f64; 4]], px: f64, py: f64, x1: f64, y0: f64) -> bool {
    edges
        .iter()
        .fold(false, |odd, e| odd ^ crosses(e, px, py, x1, y0))
}

/// Classify `(x, y)` in a leaf whose corner `(x1, y0)` has status `corner_inside`.
#[inline]
pub(crate) fn classify(
    edges: &[[f64; 4]],
    corner_inside: bool,
    x1: f64,
    y0: f64,
    x: f64,
    y: f64,
) -> Position {
    let mut inside = corner_inside;
    for e in edges {
        // The distance test comes first: a point on an edge's line that the
        // path would cross there is on that edge, hence returned here.
        if near(e, x, y) {
            return Position::Boundary;
        }
        inside ^= crosses(e, x, y, x1, y0);
    }
    if inside {
        Position::Inside
    } else {
        Position::Outside
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_breaks_ties_by_the_shift() {
        let e = [0.0, 0.0, 1.0, 1.0];
        assert!(side(&e, 0.0, 1.0));
        assert!(!side(&e, 1.0, 0.0));
        // On the line: shifted up by ε, so left of a rising edge...
        assert!(side(&e, 0.5, 0.5));
        // ...and right of the same edge reversed.
        assert!(!side(&[1.0, 1.0, 0.0, 0.0], 0.5, 0.5));
        // Vertical edge: the δ shift (to +x) decides.
        assert!(side(&[0.0, 1.0, 0.0, 0.0], 0.0, 0.5));
        assert!(!side(&[0.0, 0.0, 0.0, 1.0], 0.0, 0.5));
    }

    #[test]
    fn a_path_through_a_vertex_counts_once() {
        // A wedge with its apex exactly on the horizontal leg.
        let edges = [[0.5, 0.0, 0.7, 0.5], [0.7, 0.5, 0.9, 0.0]];
        // The leg at y = 0.5 (+ε) passes just above the apex: no crossing.
        assert!(!path_parity(&edges, 0.0, 0.5, 1.0, 0.5));
        // At y = 0.25 it crosses both sides: even.
        assert!(!path_parity(&edges, 0.0, 0.25, 1.0, 0.25));
        // Starting between the two sides: one crossing.
        assert!(path_parity(&edges, 0.7, 0.25, 1.0, 0.25));
    }
}
