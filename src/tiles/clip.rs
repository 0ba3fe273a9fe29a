//! Clipping (裁剪) of projected geometry to a tile rectangle plus buffer.
//!
//! Polygons use Sutherland–Hodgman per ring, the usual choice for vector tiles:
//! it never fails, keeps ring structure, and its only artefacts (edges running
//! along the clip border) lie in the invisible buffer. Lines use Liang–Barsky per
//! segment.

use geo::{Coord, LineString, MultiLineString, MultiPolygon, Polygon};

/// An axis-aligned clip box.
#[derive(Debug, Clone, Copy)]
pub struct ClipBox {
    /// Minimum x.
    pub min_x: f64,
    /// Minimum y.
    pub min_y: f64,
    /// Maximum x.
    pub max_x: f64,
    /// Maximum y.
    pub max_y: f64,
}

impl ClipBox {
    /// Whether a rectangle lies entirely inside the box.
    pub fn contains_rect(&self, r: &geo::Rect<f64>) -> bool {
        r.min().x >= self.min_x
            && r.max().x <= self.max_x
            && r.min().y >= self.min_y
            && r.max().y <= self.max_y
    }

    /// Whether a rectangle overlaps the box.
    pub fn intersects_rect(&self, r: &geo::Rect<f64>) -> bool {
        r.max().x >= self.min_x
            && r.min().x <= self.max_x
            && r.max().y >= self.min_y
            && r.min().y <= self.max_y
    }

    /// Whether a point lies inside the box (borders included).
    pub fn contains(&self, c: Coord<f64>) -> bool {
        c.x >= self.min_x && c.x <= self.max_x && c.y >= self.min_y && c.y <= self.max_y
    }
}

#[derive(Clone, Copy)]
enum Edge {
    Left,
    Right,
    Bottom,
    Top,
}

impl Edge {
    fn inside(self, b: &ClipBox, c: Coord<f64>) -> bool {
        match self {
            Edge::Left => c.x >= b.min_x,
            Edge::Right => c.x <= b.max_x,
            Edge::Bottom => c.y >= b.min_y,
            Edge::Top => c.y <= b.max_y,
        }
    }

    fn intersect(self, b: &ClipBox, p: Coord<f64>, q: Coord<f64>) -> Coord<f64> {
        match self {
            Edge::Left | Edge::Right => {
                let x = if matches!(self, Edge::Left) {
                    b.min_x
                } else {
                    b.max_x
                };
                let t = (x - p.x) / (q.x - p.x);
                Coord {
                    x,
                    y: p.y + t * (q.y - p.y),
                }
            }
            Edge::Bottom | Edge::Top => {
                let y = if matches!(self, Edge::Bottom) {
                    b.min_y
                } else {
                    b.max_y
                };
                let t = (y - p.y) / (q.y - p.y);
                Coord {
                    x: p.x + t * (q.x - p.x),
                    y,
                }
            }
        }
    }
}

/// Clip one closed ring; returns an open list of vertices (may be empty).
fn clip_ring(ring: &LineString<f64>, b: &ClipBox) -> Vec<Coord<f64>> {
    let mut pts: Vec<Coord<f64>> = ring.0.clone();
    if pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    for edge in [Edge::Left, Edge::Right, Edge::Bottom, Edge::Top] {
        if pts.is_empty() {
            break;
        }
        let mut out = Vec::with_capacity(pts.len() + 4);
        let mut prev = pts[pts.len() - 1];
        let mut prev_in = edge.inside(b, prev);
        for &cur in &pts {
            let cur_in = edge.inside(b, cur);
            if cur_in {
                if !prev_in {
                    out.push(edge.intersect(b, prev, cur));
                }
                out.push(cur);
            } else if prev_in {
                out.push(edge.intersect(b, prev, cur));
            }
            prev = cur;
            prev_in = cur_in;
        }
        pts = out;
    }
    pts
}

fn close(mut pts: Vec<Coord<f64>>) -> Option<LineString<f64>> {
    if pts.len() < 3 {
        return None;
    }
    pts.push(pts[0]);
    Some(LineString(pts))
}

/// Clip a multipolygon to the box; polygons whose exterior vanishes are dropped.
pub fn clip_multipolygon(mp: &MultiPolygon<f64>, b: &ClipBox) -> MultiPolygon<f64> {
    let mut out = Vec::new();
    for poly in &mp.0 {
        let Some(ext) = close(clip_ring(poly.exterior(), b)) else {
            continue;
        };
        let holes = poly
            .interiors()
            .iter()
            .filter_map(|r| close(clip_ring(r, b)))
            .collect();
        out.push(Polygon::new(ext, holes));
    }
    MultiPolygon(out)
}

/// Clip lines to the box (Liang–Barsky per segment), splitting where they leave it.
pub fn clip_multilinestring(ml: &MultiLineString<f64>, b: &ClipBox) -> MultiLineString<f64> {
    let mut out: Vec<LineString<f64>> = Vec::new();
    for line in &ml.0 {
        let mut current: Vec<Coord<f64>> = Vec::new();
        for seg in line.0.windows(2) {
            match clip_segment(seg[0], seg[1], b) {
                Some((p, q)) => {
                    if current.last() != Some(&p) {
                        if current.len() >= 2 {
                            out.push(LineString(std::mem::take(&mut current)));
                        }
                        current.clear();
                        current.push(p);
                    }
                    current.push(q);
                }
                None => {
                    if current.len() >= 2 {
                        out.push(LineString(std::mem::take(&mut current)));
                    }
                    current.clear();
                }
            }
        }
        if current.len() >= 2 {
            out.push(LineString(current));
        }
    }
    MultiLineString(out)
}

fn clip_segment(p: Coord<f64>, q: Coord<f64>, b: &ClipBox) -> Option<(Coord<f64>, Coord<f64>)> {
    let (dx, dy) = (q.x - p.x, q.y - p.y);
    let mut t0 = 0.0f64;
    let mut t1 = 1.0f64;
    for (pk, qk) in [
        (-dx, p.x - b.min_x),
        (dx, b.max_x - p.x),
        (-dy, p.y - b.min_y),
        (dy, b.max_y - p.y),
    ] {
        if pk == 0.0 {
            if qk < 0.0 {
                return None;
            }
        } else {
            let r = qk / pk;
            if pk < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    let at = |t: f64| Coord {
        x: p.x + t * dx,
        y: p.y + t * dy,
    };
    Some((
        if t0 == 0.0 { p } else { at(t0) },
        if t1 == 1.0 { q } else { at(t1) },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, BooleanOps, Euclidean, Length, Rect};
    use rand::{Rng, SeedableRng};

    fn random_star(rng: &mut impl Rng, cx: f64, cy: f64) -> Polygon<f64> {
        // A star-shaped (hence simple) polygon around (cx, cy).
        let n = rng.gen_range(5..40);
        let mut pts: Vec<(f64, f64)> = (0..n)
            .map(|i| {
                let a = i as f64 / n as f64 * std::f64::consts::TAU;
                let r = rng.gen_range(0.5..3.0);
                (cx + r * a.cos(), cy + r * a.sin())
            })
            .collect();
        pts.push(pts[0]);
        Polygon::new(LineString::from(pts), vec![])
    }

    /// Clipped area must equal the area of the intersection computed by geo's
    /// boolean operations (an independent engine, which snaps to a fixed grid,
    /// hence the 1e-6 relative tolerance), for seeded random polygons.
    #[test]
    fn polygon_clip_matches_boolean_intersection() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let b = ClipBox {
            min_x: 0.0,
            min_y: 0.0,
            max_x: 4.0,
            max_y: 3.0,
        };
        let rect = Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 4.0, y: 3.0 }).to_polygon();
        for _ in 0..300 {
            let (cx, cy) = (rng.gen_range(-3.0..7.0), rng.gen_range(-3.0..6.0));
            let poly = random_star(&mut rng, cx, cy);
            let mp = MultiPolygon(vec![poly.clone()]);
            let ours = clip_multipolygon(&mp, &b).unsigned_area();
            let truth = poly.intersection(&rect).unsigned_area();
            assert!(
                (ours - truth).abs() <= 1e-6 * truth.max(1.0),
                "ours {ours} truth {truth}"
            );
        }
    }

    #[test]
    fn holes_are_kept_and_outside_is_dropped() {
        let outer = LineString::from(vec![
            (-1.0, -1.0),
            (5.0, -1.0),
            (5.0, 5.0),
            (-1.0, 5.0),
            (-1.0, -1.0),
        ]);
        let hole = LineString::from(vec![
            (1.0, 1.0),
            (1.0, 2.0),
            (2.0, 2.0),
            (2.0, 1.0),
            (1.0, 1.0),
        ]);
        let far = Polygon::new(
            LineString::from(vec![(10.0, 10.0), (11.0, 10.0), (11.0, 11.0), (10.0, 10.0)]),
            vec![],
        );
        let mp = MultiPolygon(vec![Polygon::new(outer, vec![hole]), far]);
        let b = ClipBox {
            min_x: 0.0,
            min_y: 0.0,
            max_x: 3.0,
            max_y: 3.0,
        };
        let c = clip_multipolygon(&mp, &b);
        assert_eq!(c.0.len(), 1);
        assert_eq!(c.0[0].interiors().len(), 1);
        assert!((c.unsigned_area() - 8.0).abs() < 1e-12);
    }

    #[test]
    fn line_clip_matches_boolean_clip_length() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let b = ClipBox {
            min_x: 0.0,
            min_y: 0.0,
            max_x: 4.0,
            max_y: 3.0,
        };
        let rect = MultiPolygon(vec![Rect::new(
            Coord { x: 0.0, y: 0.0 },
            Coord { x: 4.0, y: 3.0 },
        )
        .to_polygon()]);
        for _ in 0..200 {
            let n = rng.gen_range(2..20);
            let line = LineString::from(
                (0..n)
                    .map(|_| (rng.gen_range(-3.0..7.0), rng.gen_range(-3.0..6.0)))
                    .collect::<Vec<_>>(),
            );
            let ml = MultiLineString(vec![line]);
            let ours: f64 = clip_multilinestring(&ml, &b)
                .0
                .iter()
                .map(|l| Euclidean.length(l))
                .sum();
            let truth: f64 = rect
                .clip(&ml, false)
                .0
                .iter()
                .map(|l| Euclidean.length(l))
                .sum();
            assert!(
                (ours - truth).abs() <= 1e-6 * truth.max(1.0),
                "ours {ours} truth {truth}"
            );
        }
    }
}
