//! 环 (rings): polygon rings as one flat buffer (all points, one range per
//! ring, rings implicitly closed), the shape i_overlay reads and writes, with
//! each ring's bounding box, and the spherical area every measure uses.

use geo::{LineString, MultiPolygon, Polygon};
use i_overlay::i_shape::flat::float::FloatFlatContoursBuffer;

/// A lon/lat position.
pub type Pt = [f64; 2];

/// An axis-aligned box `[min_x, min_y, max_x, max_y]`.
pub type Bbox = [f64; 4];

/// Authalic radius of the WGS 84 ellipsoid (m).
pub const R: f64 = 6_371_007.2;

/// Rings in one flat buffer; exteriors counter-clockwise and holes clockwise
/// once built by [`Rings::from_polygons`], so the nonzero fill rule and the
/// signed area sum both give the region.
#[derive(Debug, Clone, Default)]
pub struct Rings {
    /// Points and ranges, as i_overlay reads them.
    pub buf: FloatFlatContoursBuffer<Pt>,
    /// Bounding box of each ring (same order as `buf.ranges`).
    pub bboxes: Vec<Bbox>,
}

impl Rings {
    /// Every ring of `polygons`, exteriors turned counter-clockwise and holes
    /// clockwise (the closing position of each geo ring dropped).
    pub fn from_polygons<'a>(polygons: impl IntoIterator<Item = &'a Polygon<f64>>) -> Rings {
        let mut out = Rings::default();
        for p in polygons {
            out.push_linestring(p.exterior(), true);
            for h in p.interiors() {
                out.push_linestring(h, false);
            }
        }
        out
    }

    /// Like [`Rings::from_polygons`] for a MultiPolygon.
    pub fn from_multipolygon(mp: &MultiPolygon<f64>) -> Rings {
        Rings::from_polygons(mp.0.iter())
    }

    fn push_linestring(&mut self, ls: &LineString<f64>, ccw: bool) {
        let mut pts = &ls.0[..];
        if pts.len() > 1 && pts.first() == pts.last() {
            pts = &pts[..pts.len() - 1];
        }
        if pts.len() < 3 {
            return;
        }
        let start = self.buf.points.len();
        self.buf.points.extend(pts.iter().map(|c| [c.x, c.y]));
        let ring = &mut self.buf.points[start..];
        if (planar_area(ring) > 0.0) != ccw {
            ring.reverse();
        }
        self.push_range(start);
    }

    /// Appends the points pushed since `start` as one ring.
    pub fn push_range(&mut self, start: usize) {
        let end = self.buf.points.len();
        self.bboxes.push(bbox_of(&self.buf.points[start..end]));
        self.buf.ranges.push(start..end);
    }

    /// Appends one ring.
    pub fn push_ring(&mut self, ring: &[Pt]) {
        let start = self.buf.points.len();
        self.buf.points.extend_from_slice(ring);
        self.push_range(start);
    }

    /// Appends one ring whose bounding box is known.
    pub fn push_ring_with_bbox(&mut self, ring: &[Pt], bb: &Bbox) {
        let start = self.buf.points.len();
        self.buf.points.extend_from_slice(ring);
        self.buf.ranges.push(start..self.buf.points.len());
        self.bboxes.push(*bb);
    }

    /// The rings, as point slices.
    pub fn rings(&self) -> impl Iterator<Item = &[Pt]> + '_ {
        self.buf.ranges.iter().map(|r| &self.buf.points[r.clone()])
    }

    /// Number of rings.
    pub fn len(&self) -> usize {
        self.buf.ranges.len()
    }

    /// No ring at all.
    pub fn is_empty(&self) -> bool {
        self.buf.ranges.is_empty()
    }

    /// Number of vertices.
    pub fn vertices(&self) -> usize {
        self.buf.points.len()
    }

    /// Bounding box of every ring, or `None` when empty.
    pub fn bbox(&self) -> Option<Bbox> {
        self.bboxes.iter().copied().reduce(union_bbox)
    }

    /// Area (m²) of the region: the sum of the signed areas of the rings.
    pub fn area_m2(&self) -> f64 {
        self.rings().map(signed_area_m2).sum()
    }
}

impl PartialEq for Rings {
    /// The same points in the same rings (bit for bit).
    fn eq(&self, other: &Rings) -> bool {
        self.buf.ranges == other.buf.ranges && self.buf.points == other.buf.points
    }
}

/// Bounding box of a non-empty point slice.
pub fn bbox_of(pts: &[Pt]) -> Bbox {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for p in pts {
        b[0] = b[0].min(p[0]);
        b[1] = b[1].min(p[1]);
        b[2] = b[2].max(p[0]);
        b[3] = b[3].max(p[1]);
    }
    b
}

/// The smallest box holding both.
pub fn union_bbox(a: Bbox, b: Bbox) -> Bbox {
    [
        a[0].min(b[0]),
        a[1].min(b[1]),
        a[2].max(b[2]),
        a[3].max(b[3]),
    ]
}

/// Whether two closed boxes share a point.
pub fn bbox_hits(a: &Bbox, b: &Bbox) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

/// Twice the planar signed area of an implicitly closed ring (degrees²;
/// counter-clockwise positive).
pub fn planar_area(ring: &[Pt]) -> f64 {
    let n = ring.len();
    if n < 3 {
        return 0.0;
    }
    let mut s = 0.0;
    let mut p = ring[n - 1];
    for &q in ring {
        s += (p[0] - q[0]) * (p[1] + q[1]);
        p = q;
    }
    s
}

/// The contribution of the edge `a -> b` to `∮ sin φ dλ`: along a straight
/// lon/lat segment the integral is `Δλ · sin φm · sinc(Δφ/2)` (φm the mean
/// latitude). Reversing the edge negates it exactly, so edges traversed both
/// ways cancel.
#[inline]
pub fn edge_integral(a: Pt, b: Pt) -> f64 {
    let (l1, p1) = (a[0].to_radians(), a[1].to_radians());
    let (l2, p2) = (b[0].to_radians(), b[1].to_radians());
    let h = (p2 - p1) / 2.0;
    let sinc = if h.abs() < 1e-12 { 1.0 } else { h.sin() / h };
    (l2 - l1) * ((p1 + p2) / 2.0).sin() * sinc
}

/// Signed area (m², counter-clockwise positive) on the sphere of radius
/// [`R`] of the region bounded by an implicitly closed ring whose edges are
/// straight lines in lon/lat — exactly the region the planar overlay works
/// on, so the areas of the pieces of a region add up to its area. By Green's
/// theorem the area is `-R² ∮ sin φ dλ`.
pub fn signed_area_m2(ring: &[Pt]) -> f64 {
    let n = ring.len();
    if n < 3 {
        return 0.0;
    }
    let mut s = 0.0;
    let mut p = ring[n - 1];
    for &q in ring {
        s += edge_integral(p, q);
        p = q;
    }
    -s * R * R
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn orientation_is_normalised_and_areas_add_up() {
        // A clockwise exterior with a counter-clockwise hole: both flipped.
        let p = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 0.0, y: 4.0), (x: 4.0, y: 4.0), (x: 4.0, y: 0.0)],
            interiors: [[(x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: 2.0), (x: 1.0, y: 2.0)]],
        );
        let r = Rings::from_polygons([&p]);
        assert_eq!(r.len(), 2);
        let rings: Vec<&[Pt]> = r.rings().collect();
        assert!(planar_area(rings[0]) > 0.0 && planar_area(rings[1]) < 0.0);
        let whole = signed_area_m2(rings[0]);
        let hole = -signed_area_m2(rings[1]);
        assert!((r.area_m2() - (whole - hole)).abs() < 1e-6 * whole);
        assert_eq!(r.bbox(), Some([0.0, 0.0, 4.0, 4.0]));
    }

    #[test]
    fn reversed_edges_cancel_exactly() {
        let (a, b) = ([114.123456, 30.5], [114.2, 30.654321]);
        assert_eq!(edge_integral(a, b), -edge_integral(b, a));
    }
}
