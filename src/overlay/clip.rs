//! 裁剪 (clipping to a box): Sutherland–Hodgman clipping of rings to an
//! axis-aligned box, which keeps the winding number of every point inside the
//! box (so the nonzero fill rule still gives the same region there), plus the
//! classification of the result as empty, full or partial.
//!
//! Cut points are computed from the edge's endpoints taken in a canonical
//! order, so an edge shared by two regions (a footprint drawn along a county
//! border, two counties along their common border) is cut at bit-identical
//! points in both, and the overlay of the clipped pieces still sees the edges
//! as coincident.

use super::rings::{bbox_hits, planar_area, Bbox, Pt, Rings};

/// What is left of a region inside a box.
#[derive(Debug, Clone, PartialEq)]
pub enum Cover {
    /// Nothing of the region lies in the box.
    Empty,
    /// The box lies wholly inside the region.
    Full,
    /// The region's boundary crosses the box: these rings (clipped to it).
    Partial(Rings),
}

impl Cover {
    /// The rings of a partial cover.
    pub fn partial(&self) -> Option<&Rings> {
        match self {
            Cover::Partial(r) => Some(r),
            _ => None,
        }
    }
}

/// Reusable buffers for clipping.
#[derive(Debug, Default)]
pub struct Scratch {
    a: Vec<Pt>,
    b: Vec<Pt>,
}

/// `x` where the segment `p`–`q` crosses the vertical line `x = c`.
#[inline]
fn cut_x(p: Pt, q: Pt, c: f64) -> Pt {
    let (a, b) = if (p[0], p[1]) <= (q[0], q[1]) {
        (p, q)
    } else {
        (q, p)
    };
    let y = a[1] + (c - a[0]) * (b[1] - a[1]) / (b[0] - a[0]);
    [c, y.clamp(a[1].min(b[1]), a[1].max(b[1]))]
}

/// The point where the segment `p`–`q` crosses the horizontal line `y = c`.
#[inline]
fn cut_y(p: Pt, q: Pt, c: f64) -> Pt {
    let (a, b) = if (p[1], p[0]) <= (q[1], q[0]) {
        (p, q)
    } else {
        (q, p)
    };
    let x = a[0] + (c - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
    [x.clamp(a[0].min(b[0]), a[0].max(b[0])), c]
}

/// One Sutherland–Hodgman stage: keeps the part of the ring `src` where
/// `inside` holds, writing it to `dst`.
#[inline]
fn stage(src: &[Pt], dst: &mut Vec<Pt>, inside: impl Fn(Pt) -> bool, cut: impl Fn(Pt, Pt) -> Pt) {
    dst.clear();
    let Some(&last) = src.last() else { return };
    let mut p = last;
    let mut p_in = inside(p);
    for &q in src {
        let q_in = inside(q);
        if q_in {
            if !p_in {
                dst.push(cut(p, q));
            }
            dst.push(q);
        } else if p_in {
            dst.push(cut(p, q));
        }
        p = q;
        p_in = q_in;
    }
}

/// Clips one ring (with bounding box `bb`) to `r`; the result is in `s.a`.
fn clip_ring(ring: &[Pt], bb: &Bbox, r: &Bbox, s: &mut Scratch) {
    s.a.clear();
    s.a.extend_from_slice(ring);
    if bb[0] < r[0] {
        stage(&s.a, &mut s.b, |p| p[0] >= r[0], |p, q| cut_x(p, q, r[0]));
        std::mem::swap(&mut s.a, &mut s.b);
    }
    if bb[2] > r[2] {
        stage(&s.a, &mut s.b, |p| p[0] <= r[2], |p, q| cut_x(p, q, r[2]));
        std::mem::swap(&mut s.a, &mut s.b);
    }
    if bb[1] < r[1] {
        stage(&s.a, &mut s.b, |p| p[1] >= r[1], |p, q| cut_y(p, q, r[1]));
        std::mem::swap(&mut s.a, &mut s.b);
    }
    if bb[3] > r[3] {
        stage(&s.a, &mut s.b, |p| p[1] <= r[3], |p, q| cut_y(p, q, r[3]));
        std::mem::swap(&mut s.a, &mut s.b);
    }
}

/// Whether every edge of the ring runs along a side of `r`: the ring then
/// only winds around the whole box (or not at all).
fn on_box_sides(ring: &[Pt], r: &Bbox) -> bool {
    let Some(&last) = ring.last() else {
        return true;
    };
    let mut p = last;
    for &q in ring {
        let along = (p[0] == r[0] && q[0] == r[0])
            || (p[0] == r[2] && q[0] == r[2])
            || (p[1] == r[1] && q[1] == r[1])
            || (p[1] == r[3] && q[1] == r[3]);
        if !along {
            return false;
        }
        p = q;
    }
    true
}

/// The box as a counter-clockwise ring.
pub fn box_ring(r: &Bbox) -> [Pt; 4] {
    [[r[0], r[1]], [r[2], r[1]], [r[2], r[3]], [r[0], r[3]]]
}

/// Clips `src` (nonzero fill) to the box `r` and classifies the result.
/// Returns the cover and the number of vertices visited (the work done).
pub fn clip(src: &Rings, r: &Bbox, s: &mut Scratch) -> (Cover, usize) {
    let mut out = Rings::default();
    let mut winding = 0i64;
    let mut work = 0;
    let box_area = (r[2] - r[0]) * (r[3] - r[1]) * 2.0;
    for (ring, bb) in src.rings().zip(&src.bboxes) {
        if !bbox_hits(bb, r) {
            continue;
        }
        work += ring.len();
        if bb[0] >= r[0] && bb[2] <= r[2] && bb[1] >= r[1] && bb[3] <= r[3] {
            if !on_box_sides(ring, r) {
                out.buf.points.extend_from_slice(ring);
                out.buf
                    .ranges
                    .push(out.buf.points.len() - ring.len()..out.buf.points.len());
                out.bboxes.push(*bb);
                continue;
            }
            s.a.clear();
            s.a.extend_from_slice(ring);
        } else {
            clip_ring(ring, bb, r, s);
        }
        if s.a.len() < 3 {
            continue;
        }
        if on_box_sides(&s.a, r) {
            if box_area > 0.0 {
                winding += (planar_area(&s.a) / box_area).round() as i64;
            }
            continue;
        }
        out.push_ring(&s.a);
    }
    let cover = if out.is_empty() {
        if winding != 0 {
            Cover::Full
        } else {
            Cover::Empty
        }
    } else {
        let b = box_ring(r);
        for _ in 0..winding.unsigned_abs().min(4) {
            if winding > 0 {
                out.push_ring(&b);
            } else {
                let mut rev = b;
                rev.reverse();
                out.push_ring(&rev);
            }
        }
        Cover::Partial(out)
    };
    (cover, work)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::overlay::rings::signed_area_m2;
    use geo::polygon;

    fn rings(p: geo::Polygon<f64>) -> Rings {
        Rings::from_polygons([&p])
    }

    #[test]
    fn a_box_inside_outside_or_across_a_square() {
        let sq =
            rings(polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)]);
        let mut s = Scratch::default();
        assert_eq!(clip(&sq, &[1.0, 1.0, 2.0, 2.0], &mut s).0, Cover::Full);
        assert_eq!(clip(&sq, &[5.0, 1.0, 6.0, 2.0], &mut s).0, Cover::Empty);
        // The square's own box: every edge lies on a side, so it is full.
        assert_eq!(clip(&sq, &[0.0, 0.0, 4.0, 4.0], &mut s).0, Cover::Full);
        let (c, _) = clip(&sq, &[3.0, 3.0, 5.0, 5.0], &mut s);
        let part = c.partial().expect("partial");
        let want = signed_area_m2(&box_ring(&[3.0, 3.0, 4.0, 4.0]));
        assert!((part.area_m2() / want - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_hole_in_a_full_box_keeps_the_box() {
        let holed = rings(polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)],
            interiors: [[(x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: 2.0), (x: 1.0, y: 2.0)]],
        ));
        let mut s = Scratch::default();
        let r = [0.5, 0.5, 3.0, 3.0];
        let (c, _) = clip(&holed, &r, &mut s);
        let part = c.partial().expect("partial");
        let want = signed_area_m2(&box_ring(&r)) - signed_area_m2(&box_ring(&[1.0, 1.0, 2.0, 2.0]));
        assert!((part.area_m2() / want - 1.0).abs() < 1e-12);
        // Around the hole only: empty.
        assert_eq!(clip(&holed, &[1.2, 1.2, 1.8, 1.8], &mut s).0, Cover::Empty);
    }

    #[test]
    fn a_shared_edge_is_cut_at_the_same_point_both_ways() {
        let (p, q) = ([0.123456789, 0.3], [1.987654321, 0.7]);
        assert_eq!(cut_x(p, q, 1.0), cut_x(q, p, 1.0));
        assert_eq!(cut_y(p, q, 0.5), cut_y(q, p, 0.5));
    }
}
