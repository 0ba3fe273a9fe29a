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
    let mut out = Classifier::new(r);
    let mut work = 0;
    for (ring, bb) in src.rings().zip(&src.bboxes) {
        if !bbox_hits(bb, r) {
            continue;
        }
        work += ring.len();
        if bb[0] >= r[0] && bb[2] <= r[2] && bb[1] >= r[1] && bb[3] <= r[3] {
            out.push(ring, Some(bb));
        } else {
            clip_ring(ring, bb, r, s);
            out.push(&s.a, None);
        }
    }
    (out.finish(), work)
}

/// Collects the rings clipped to one box, setting aside those that only run
/// along the box's sides (they wind around the whole box, or not at all).
struct Classifier<'r> {
    r: &'r Bbox,
    out: Rings,
    winding: i64,
    box_area: f64,
}

impl<'r> Classifier<'r> {
    fn new(r: &'r Bbox) -> Self {
        Classifier {
            r,
            out: Rings::default(),
            winding: 0,
            box_area: (r[2] - r[0]) * (r[3] - r[1]) * 2.0,
        }
    }

    fn push(&mut self, ring: &[Pt], bb: Option<&Bbox>) {
        if ring.len() < 3 {
            return;
        }
        if on_box_sides(ring, self.r) {
            if self.box_area > 0.0 {
                self.winding += (planar_area(ring) / self.box_area).round() as i64;
            }
            return;
        }
        match bb {
            Some(bb) => {
                let start = self.out.buf.points.len();
                self.out.buf.points.extend_from_slice(ring);
                self.out.buf.ranges.push(start..self.out.buf.points.len());
                self.out.bboxes.push(*bb);
            }
            None => self.out.push_ring(ring),
        }
    }

    fn finish(mut self) -> Cover {
        if self.out.is_empty() {
            return if self.winding != 0 {
                Cover::Full
            } else {
                Cover::Empty
            };
        }
        let mut b = box_ring(self.r);
        if self.winding < 0 {
            b.reverse();
        }
        for _ in 0..self.winding.unsigned_abs().min(4) {
            self.out.push_ring(&b);
        }
        Cover::Partial(self.out)
    }
}

/// Splits one ring at `v[axis] = at` into its parts on the low and the high
/// side in one pass (a Sutherland–Hodgman stage for each side, sharing the
/// cut points).
fn split_ring(ring: &[Pt], axis: usize, at: f64, lo: &mut Vec<Pt>, hi: &mut Vec<Pt>) {
    lo.clear();
    hi.clear();
    let Some(&last) = ring.last() else { return };
    let cut = |p: Pt, q: Pt| {
        if axis == 0 {
            cut_x(p, q, at)
        } else {
            cut_y(p, q, at)
        }
    };
    let mut p = last;
    for &q in ring {
        let (pv, qv) = (p[axis], q[axis]);
        if (pv < at && qv > at) || (pv > at && qv < at) {
            let c = cut(p, q);
            lo.push(c);
            hi.push(c);
        }
        if qv <= at {
            lo.push(q);
        }
        if qv >= at {
            hi.push(q);
        }
        p = q;
    }
}

/// Splits rings at `v[axis] = at` into the rings of the low and high sides.
fn split(src: &Rings, axis: usize, at: f64, s: &mut Scratch) -> (Rings, Rings) {
    let (mut lo, mut hi) = (Rings::default(), Rings::default());
    for (ring, bb) in src.rings().zip(&src.bboxes) {
        if bb[axis + 2] <= at {
            lo.push_ring_with_bbox(ring, bb);
        } else if bb[axis] >= at {
            hi.push_ring_with_bbox(ring, bb);
        } else {
            split_ring(ring, axis, at, &mut s.a, &mut s.b);
            for (part, side) in [(&s.a, &mut lo), (&s.b, &mut hi)] {
                if part.len() >= 3 {
                    side.push_ring(part);
                }
            }
        }
    }
    (lo, hi)
}

/// The four quarters of the box `r` (split at its middle), each with the
/// cover of `src` there, in the order of [`quarter_boxes`]. `src` must lie
/// within `r`. Returns the covers and the work done (vertices visited).
pub fn quarters(src: &Rings, r: &Bbox, s: &mut Scratch) -> ([Cover; 4], usize) {
    let boxes = quarter_boxes(r);
    let (mx, my) = (boxes[0][2], boxes[0][3]);
    let (left, right) = split(src, 0, mx, s);
    let mut work = src.vertices() + left.vertices() + right.vertices();
    let mut covers = [Cover::Empty, Cover::Empty, Cover::Empty, Cover::Empty];
    for (half, k) in [(left, 0), (right, 1)] {
        let (low, high) = split(&half, 1, my, s);
        work += low.vertices() + high.vertices();
        for (part, q) in [(low, k), (high, k + 2)] {
            let mut c = Classifier::new(&boxes[q]);
            for (ring, bb) in part.rings().zip(&part.bboxes) {
                c.push(ring, Some(bb));
            }
            covers[q] = c.finish();
        }
    }
    (covers, work)
}

/// The quarters of a box: lower left, lower right, upper left, upper right.
pub fn quarter_boxes(r: &Bbox) -> [Bbox; 4] {
    let (mx, my) = ((r[0] + r[2]) / 2.0, (r[1] + r[3]) / 2.0);
    [
        [r[0], r[1], mx, my],
        [mx, r[1], r[2], my],
        [r[0], my, mx, r[3]],
        [mx, my, r[2], r[3]],
    ]
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
    fn quarters_agree_with_clipping_to_each_quarter() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let mut s = Scratch::default();
        for _ in 0..300 {
            // A random star (possibly reaching past the box) with a hole.
            let n = rng.gen_range(3..40);
            let star = |rng: &mut rand_chacha::ChaCha8Rng, r: f64, n: usize| -> Vec<(f64, f64)> {
                (0..n)
                    .map(|i| {
                        let t = std::f64::consts::TAU * i as f64 / n as f64;
                        let rr = r * rng.gen_range(0.3..1.0);
                        (2.0 + rr * t.cos(), 2.0 + rr * t.sin())
                    })
                    .collect()
            };
            let radius = rng.gen_range(0.5..3.0);
            let outer = star(&mut rng, radius, n);
            let hole = star(&mut rng, 0.2, 6);
            let p = geo::Polygon::new(outer.into(), vec![hole.into()]);
            let src = rings(p);
            let r = [0.0, 0.0, 4.0, 4.0];
            let (root, _) = clip(&src, &r, &mut s);
            let Cover::Partial(root) = root else { continue };
            let (qs, _) = quarters(&root, &r, &mut s);
            for (q, cover) in quarter_boxes(&r).iter().zip(qs) {
                let (direct, _) = clip(&src, q, &mut s);
                let area = |c: &Cover| match c {
                    Cover::Empty => 0.0,
                    Cover::Full => signed_area_m2(&box_ring(q)),
                    Cover::Partial(r) => r.area_m2(),
                };
                let (a, b) = (area(&cover), area(&direct));
                assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} vs {b}");
                assert_eq!(
                    matches!(cover, Cover::Full),
                    matches!(direct, Cover::Full),
                    "full or not"
                );
            }
        }
    }

    #[test]
    fn a_shared_edge_is_cut_at_the_same_point_both_ways() {
        let (p, q) = ([0.123456789, 0.3], [1.987654321, 0.7]);
        assert_eq!(cut_x(p, q, 1.0), cut_x(q, p, 1.0));
        assert_eq!(cut_y(p, q, 0.5), cut_y(q, p, 0.5));
    }
}
