//! Exact point-in-polygon test of one unit, sped up by a per-unit edge index
//! of horizontal stripes (after tg's "YStripes"): only the edges crossing the
//! point's stripe are examined.

use geo::MultiPolygon;

/// Distance (degrees) within which a point counts as on a unit's boundary:
/// 1e-7 degree, about 1 cm. The embedded coordinates are exact to 1e-6 degree.
pub const BOUNDARY_EPSILON: f64 = 1e-7;

/// Where a point lies relative to a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// Strictly inside (further than [`BOUNDARY_EPSILON`] from the boundary).
    Inside,
    /// Within [`BOUNDARY_EPSILON`] of the boundary.
    Boundary,
    /// Strictly outside.
    Outside,
}

/// The edges of one unit (all rings of all its polygons) in stripes.
#[derive(Debug, Clone)]
pub struct EdgeIndex {
    edges: Vec<[f64; 4]>,
    y0: f64,
    stripe_h: f64,
    /// CSR offsets into `members`, one more than the stripe count.
    offsets: Vec<u32>,
    members: Vec<u32>,
    bbox: [f64; 4],
}

impl EdgeIndex {
    /// Index a multipolygon (even-odd over all rings).
    pub fn new(mp: &MultiPolygon<f64>) -> Self {
        let mut edges = Vec::new();
        for p in &mp.0 {
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                for w in ring.0.windows(2) {
                    if w[0] != w[1] {
                        edges.push([w[0].x, w[0].y, w[1].x, w[1].y]);
                    }
                }
            }
        }
        let mut bbox = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for e in &edges {
            bbox[0] = bbox[0].min(e[0].min(e[2]));
            bbox[1] = bbox[1].min(e[1].min(e[3]));
            bbox[2] = bbox[2].max(e[0].max(e[2]));
            bbox[3] = bbox[3].max(e[1].max(e[3]));
        }
        let n = (edges.len() / 4).clamp(1, 1 << 16);
        let y0 = bbox[1] - BOUNDARY_EPSILON;
        let height = (bbox[3] - bbox[1] + 2.0 * BOUNDARY_EPSILON).max(f64::MIN_POSITIVE);
        let stripe_h = height / n as f64;
        let stripe = |y: f64| (((y - y0) / stripe_h).floor().max(0.0) as usize).min(n - 1);
        let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, e) in edges.iter().enumerate() {
            let lo = stripe(e[1].min(e[3]) - BOUNDARY_EPSILON);
            let hi = stripe(e[1].max(e[3]) + BOUNDARY_EPSILON);
            for b in &mut buckets[lo..=hi] {
                b.push(i as u32);
            }
        }
        let mut offsets = Vec::with_capacity(n + 1);
        let mut members = Vec::new();
        offsets.push(0);
        for b in buckets {
            members.extend(b);
            offsets.push(members.len() as u32);
        }
        EdgeIndex {
            edges,
            y0,
            stripe_h,
            offsets,
            members,
            bbox,
        }
    }

    /// Number of edges.
    pub fn len(&self) -> usize {
        self.edges.len()
    }

    /// Whether the unit has no edges.
    pub fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }

    /// The edges `[x1, y1, x2, y2]` (zero-length edges dropped).
    pub(crate) fn edges(&self) -> &[[f64; 4]] {
        &self.edges
    }

    /// The crossings of the line `y + ε` with the unit's edges, sorted by the
    /// crossing's x (computed in floating point: [`Row::inside`] settles the
    /// near ties exactly).
    pub(crate) fn row(&self, y: f64) -> Row<'_> {
        let n = self.offsets.len() - 1;
        let s = (((y - self.y0) / self.stripe_h).floor().max(0.0) as usize).min(n - 1);
        let (a, b) = (self.offsets[s] as usize, self.offsets[s + 1] as usize);
        let mut xs: Vec<(f64, u32)> = self.members[a..b]
            .iter()
            .filter_map(|&i| {
                let [x1, y1, x2, y2] = self.edges[i as usize];
                ((y1 > y) != (y2 > y)).then(|| (x1 + (y - y1) * (x2 - x1) / (y2 - y1), i))
            })
            .collect();
        xs.sort_by(|p, q| p.0.total_cmp(&q.0));
        Row { index: self, y, xs }
    }

    #[cfg(test)]
    /// Inside status of the corner point `(x + δ, y + ε)` (δ ≪ ε infinitesimal
    /// shifts, so the point is never on an edge): parity of the crossings of the
    /// ray to +x, decided with exact orientation predicates. Used for the
    /// reference corners of the quadtree cells.
    pub(crate) fn corner_inside(&self, x: f64, y: f64) -> bool {
        let n = self.offsets.len() - 1;
        let s = (((y - self.y0) / self.stripe_h).floor().max(0.0) as usize).min(n - 1);
        let (a, b) = (self.offsets[s] as usize, self.offsets[s + 1] as usize);
        let mut inside = false;
        for &i in &self.members[a..b] {
            let e = &self.edges[i as usize];
            let up = e[3] > y;
            if (e[1] > y) != up && e[0].max(e[2]) >= x && super::leaf::side(e, x, y) == up {
                inside = !inside;
            }
        }
        inside
    }

    /// Whether any boundary edge comes within [`BOUNDARY_EPSILON`] of the rectangle.
    pub fn boundary_touches_rect(&self, x0: f64, y0: f64, x1: f64, y1: f64) -> bool {
        let e = BOUNDARY_EPSILON;
        self.edges
            .iter()
            .any(|s| segment_intersects_rect(s, x0 - e, y0 - e, x1 + e, y1 + e))
    }

    /// Classify a point.
    #[inline]
    pub fn classify(&self, x: f64, y: f64) -> Position {
        let eps = BOUNDARY_EPSILON;
        if x < self.bbox[0] - eps
            || x > self.bbox[2] + eps
            || y < self.bbox[1] - eps
            || y > self.bbox[3] + eps
        {
            return Position::Outside;
        }
        let n = self.offsets.len() - 1;
        let s = (((y - self.y0) / self.stripe_h).floor().max(0.0) as usize).min(n - 1);
        let (a, b) = (self.offsets[s] as usize, self.offsets[s + 1] as usize);
        let mut inside = false;
        for &i in &self.members[a..b] {
            let e = &self.edges[i as usize];
            if near(e, x, y) {
                return Position::Boundary;
            }
            let [x1, y1, x2, y2] = *e;
            if (y1 > y) != (y2 > y) {
                let xi = x1 + (y - y1) * (x2 - x1) / (y2 - y1);
                if x < xi {
                    inside = !inside;
                }
            }
        }
        if inside {
            Position::Inside
        } else {
            Position::Outside
        }
    }
}

/// One horizontal line's crossings with a unit's boundary (see [`EdgeIndex::row`]).
pub(crate) struct Row<'a> {
    index: &'a EdgeIndex,
    y: f64,
    xs: Vec<(f64, u32)>,
}

impl Row<'_> {
    /// Inside status of `(x + δ, y + ε)` on this row: the parity of the
    /// crossings to its right. Crossings farther than 1e-9 degree from `x`
    /// are sorted out by their float position (its error is about 1e-13);
    /// nearer ones by the exact predicate, as [`EdgeIndex::corner_inside`].
    pub(crate) fn inside(&self, x: f64) -> bool {
        const TIE: f64 = 1e-9;
        let lo = self.xs.partition_point(|p| p.0 < x - TIE);
        let hi = self.xs.partition_point(|p| p.0 <= x + TIE);
        let mut odd = (self.xs.len() - hi) % 2 == 1;
        for &(_, i) in &self.xs[lo..hi] {
            let e = &self.index.edges[i as usize];
            odd ^= super::leaf::side(e, x, self.y) == (e[3] > self.y);
        }
        odd
    }
}

/// Whether edge `e` comes within [`BOUNDARY_EPSILON`] of `(x, y)`: a cheap box
/// test, then the distance to the segment, evaluated with the endpoints in a
/// canonical order so that an edge shared by two units (listed in opposite
/// directions) gives both the same answer to the last bit.
#[inline]
pub(crate) fn near(e: &[f64; 4], x: f64, y: f64) -> bool {
    let eps = BOUNDARY_EPSILON;
    let [x1, y1, x2, y2] = *e;
    if !(x >= x1.min(x2) - eps
        && x <= x1.max(x2) + eps
        && y >= y1.min(y2) - eps
        && y <= y1.max(y2) + eps)
    {
        return false;
    }
    let d2 = if (x1, y1) <= (x2, y2) {
        dist2_to_segment(x, y, x1, y1, x2, y2)
    } else {
        dist2_to_segment(x, y, x2, y2, x1, y1)
    };
    d2 <= eps * eps
}

fn dist2_to_segment(px: f64, py: f64, x1: f64, y1: f64, x2: f64, y2: f64) -> f64 {
    let (dx, dy) = (x2 - x1, y2 - y1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((px - x1) * dx + (py - y1) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (cx, cy) = (x1 + t * dx - px, y1 + t * dy - py);
    cx * cx + cy * cy
}

/// Whether segment `s` (x1, y1, x2, y2) intersects the closed rectangle.
pub(crate) fn segment_intersects_rect(s: &[f64; 4], x0: f64, y0: f64, x1: f64, y1: f64) -> bool {
    // Liang-Barsky clipping.
    let (sx, sy, dx, dy) = (s[0], s[1], s[2] - s[0], s[3] - s[1]);
    let mut t0 = 0.0f64;
    let mut t1 = 1.0f64;
    for (p, q) in [(-dx, sx - x0), (dx, x1 - sx), (-dy, sy - y0), (dy, y1 - sy)] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                if t > t1 {
                    return false;
                }
                t0 = t0.max(t);
            } else {
                if t < t0 {
                    return false;
                }
                t1 = t1.min(t);
            }
        }
    }
    t0 <= t1
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Contains, MultiPolygon};

    fn square_with_hole() -> MultiPolygon<f64> {
        MultiPolygon::new(vec![polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0), (x: 0.0, y: 0.0)],
            interiors: [[(x: 4.0, y: 4.0), (x: 6.0, y: 4.0), (x: 6.0, y: 6.0), (x: 4.0, y: 6.0), (x: 4.0, y: 4.0)]],
        )])
    }

    #[test]
    fn classify_agrees_with_geo_contains_off_the_boundary() {
        let mp = square_with_hole();
        let idx = EdgeIndex::new(&mp);
        let mut s: u64 = 42;
        for _ in 0..20_000 {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let x = (s >> 11) as f64 / (1u64 << 53) as f64 * 12.0 - 1.0;
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let y = (s >> 11) as f64 / (1u64 << 53) as f64 * 12.0 - 1.0;
            let got = idx.classify(x, y);
            if got != Position::Boundary {
                assert_eq!(
                    got == Position::Inside,
                    mp.contains(&geo::Point::new(x, y)),
                    "{x},{y}"
                );
            }
        }
    }

    #[test]
    fn row_sweep_equals_the_exact_corner_test() {
        let mp = square_with_hole();
        let idx = EdgeIndex::new(&mp);
        // Rows through vertices, along edges and in between; corners on
        // vertices, on edges and off them.
        for y in [-1.0, 0.0, 2.5, 4.0, 5.0, 6.0, 10.0, 11.0] {
            let row = idx.row(y);
            for x in [
                -1.0,
                0.0,
                1e-12,
                3.0,
                4.0,
                5.0,
                6.0 - 1e-12,
                6.0,
                10.0,
                12.0,
            ] {
                assert_eq!(row.inside(x), idx.corner_inside(x, y), "({x}, {y})");
            }
        }
        // On the edge y = 4 of the hole, shifted up by ε: inside the hole.
        assert!(!idx.row(4.0).inside(5.0));
        assert!(idx.row(4.0).inside(3.0));
    }

    #[test]
    fn boundary_points_are_flagged() {
        let idx = EdgeIndex::new(&square_with_hole());
        assert_eq!(idx.classify(10.0, 5.0), Position::Boundary);
        assert_eq!(idx.classify(0.0, 0.0), Position::Boundary);
        assert_eq!(idx.classify(5.0, 4.0 + 0.5e-7), Position::Boundary);
        assert_eq!(idx.classify(5.0, 4.0 - 2e-7), Position::Inside);
        assert_eq!(idx.classify(5.0, 5.0), Position::Outside, "in the hole");
        assert_eq!(idx.classify(10.0 + 2e-7, 5.0), Position::Outside);
    }

    #[test]
    fn segment_rect_intersection() {
        assert!(segment_intersects_rect(
            &[0.0, 0.0, 10.0, 10.0],
            4.0,
            4.0,
            5.0,
            5.0
        ));
        assert!(!segment_intersects_rect(
            &[0.0, 0.0, 10.0, 0.0],
            4.0,
            1.0,
            5.0,
            5.0
        ));
        assert!(segment_intersects_rect(
            &[4.5, 4.5, 4.6, 4.6],
            4.0,
            4.0,
            5.0,
            5.0
        ));
    }
}
