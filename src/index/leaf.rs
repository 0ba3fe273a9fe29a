//! Exact point-in-unit test inside one leaf cell of the quadtree (叶单元判定).
//!
//! A leaf cell `[x0, x1) × [y0, y1)` stores the distinct edges (of all units)
//! that come within 2 × `BOUNDARY_EPSILON` of it, and for each unit whose
//! boundary passes near it a bit mask of its edges among them and whether the
//! cell's bottom-right corner `K = (x1, y0)` is inside the unit. Layers share
//! borders (a county border is often a prefecture, zone and basin border too),
//! so each distinct edge is tested once per query for all of them. A query
//! point `P` in the cell is then:
//!
//! - on the boundary when an edge lies within [`BOUNDARY_EPSILON`](super::BOUNDARY_EPSILON) of it (the
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
//! adaptive arithmetic). The ray of `EdgeIndex::classify` uses the same `ε`
//! (its half-open rule `(y1 > y) != (y2 > y)`), so both agree everywhere off the
//! 1 cm border band.

use super::edges::near;
use robust::{orient2d, Coord};

/// Whether `(px + δ, py + ε)` lies left of the directed edge `a → b`
/// (`e = [ax, ay, bx, by]`, `a != b`). Exact; never undecided. Reversing the
/// edge flips the answer, so crossing tests do not depend on edge direction.
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

/// Whether edge `e` crosses the path `(px, py) → (x1, py) → (x1, y0)` (all
/// points shifted by `(δ, ε)`) an odd number of times: one bit per leg.
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
pub(crate) fn path_parity<'a>(
    edges: impl IntoIterator<Item = &'a [f64; 4]>,
    px: f64,
    py: f64,
    x1: f64,
    y0: f64,
) -> bool {
    edges
        .into_iter()
        .fold(false, |odd, e| odd ^ crosses(e, px, py, x1, y0))
}

/// What a query point sees of a leaf's (at most 32) distinct edges: bit `j` of
/// `near` when edge `j` is within the border tolerance, of `cross` when the
/// path from the point to the leaf's corner crosses it (edges near the point
/// are not tested for crossing: any unit holding one is on its border).
#[derive(Debug, Clone, Copy)]
pub(crate) struct EdgeBits {
    near: u32,
    cross: u32,
}

impl EdgeBits {
    /// Evaluates the leaf's edges for `(x, y)` in a leaf with corner `(x1, y0)`.
    #[inline]
    pub(crate) fn new(edges: &[[f64; 4]], x1: f64, y0: f64, x: f64, y: f64) -> Self {
        let (mut near_bits, mut cross) = (0u32, 0u32);
        for (j, e) in edges.iter().enumerate() {
            if near(e, x, y) {
                near_bits |= 1 << j;
            } else if crosses(e, x, y, x1, y0) {
                cross |= 1 << j;
            }
        }
        EdgeBits {
            near: near_bits,
            cross,
        }
    }

    /// Position of a unit made of the edges in `mask` whose corner status is
    /// `corner_inside`.
    #[inline]
    pub(crate) fn position(self, mask: u32, corner_inside: bool) -> Position {
        if self.near & mask != 0 {
            Position::Boundary
        } else if corner_inside ^ ((self.cross & mask).count_ones() & 1 == 1) {
            Position::Inside
        } else {
            Position::Outside
        }
    }
}

use super::edges::Position;

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
