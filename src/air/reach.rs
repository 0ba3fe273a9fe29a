//! 下风向辖区: which units the plume reaches, when, how far from the source
//! and over what share of their area — computed in the source's frame
//! ([`super::frame`]), with the plume returned on the ellipsoid.

use geo::{BooleanOps, Coord, Intersects, LineString, MultiPolygon, Polygon, Rect, Simplify};

use crate::atlas::Unit;
use crate::budget::{Budget, Exhausted};
use crate::governance::footprint::Footprint;
use crate::governance::jurisdiction::area_m2;

use super::frame::{Frame, Xy};
use super::plume::{clip_ring, densify, ring_area, Convex, Model, Piece};
use super::wind::Wind;

/// Longest edge of the returned plume polygon (m): its edges are straight in
/// lon/lat, so long edges are split to follow the frame's lines.
pub const MAX_EDGE_M: f64 = 5_000.0;
/// Intersections smaller than this (m²) are not a reach.
pub const MIN_AREA_M2: f64 = 1.0;

/// Where the air comes from (源).
#[derive(Debug, Clone)]
pub enum Source {
    /// One point, lon/lat (WGS 84).
    Point {
        /// Longitude.
        lon: f64,
        /// Latitude.
        lat: f64,
    },
    /// A footprint (points, lines, polygons), lon/lat.
    Footprint(Footprint),
}

impl Source {
    /// The origin of the frame: the point, or the mean of the footprint's vertices.
    pub fn origin(&self) -> (f64, f64) {
        match self {
            Source::Point { lon, lat } => (*lon, *lat),
            Source::Footprint(f) => {
                let v = f.vertices();
                let n = v.len().max(1) as f64;
                let (sx, sy) = v.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
                (sx / n, sy / n)
            }
        }
    }

    /// Whether the source touches a unit.
    pub fn touches(&self, unit: &Unit) -> bool {
        match self {
            Source::Point { lon, lat } => {
                use geo::coordinate_position::{CoordPos, CoordinatePosition};
                unit.geometry
                    .coordinate_position(&Coord { x: *lon, y: *lat })
                    != CoordPos::Outside
            }
            Source::Footprint(f) => {
                f.points.intersects(&unit.geometry)
                    || f.lines.intersects(&unit.geometry)
                    || f.polygons.intersects(&unit.geometry)
            }
        }
    }
}

/// One unit reached by the plume.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Position of the unit in its layer.
    pub index: usize,
    /// Earliest arrival, hours (0 for a unit holding the source).
    pub arrival_hours: f64,
    /// Distance from the source to the point of first arrival, m.
    pub distance_m: f64,
    /// Share of the unit's area inside the plume.
    pub share: f64,
    /// Area inside the plume, m² (share of the unit's area on the ellipsoid's authalic sphere).
    pub area_m2: f64,
    /// Where the plume first arrives, lon/lat (`None` for a unit holding the source).
    pub entry: Option<(f64, f64)>,
    /// The unit holds (part of) the source.
    pub source: bool,
}

/// The plume and the units it reaches.
#[derive(Debug, Clone)]
pub struct Estimate {
    /// The plume on the ellipsoid, lon/lat (edges at most [`MAX_EDGE_M`]).
    pub plume: MultiPolygon<f64>,
    /// Its area, m².
    pub plume_area_m2: f64,
    /// Arc sampling step of the model, degrees.
    pub arc_step_deg: f64,
    /// Number of convex source pieces.
    pub pieces: usize,
}

/// The source in the frame: convex pieces, and the polygons (their inside is
/// reached at hour 0 too).
struct SourceShape {
    pieces: Vec<Convex>,
    polygons: Vec<Polygon<f64>>,
}

fn plane_line(frame: &Frame, l: &LineString<f64>, tol: f64) -> LineString<f64> {
    let ls: LineString<f64> =
        l.0.iter()
            .map(|c| {
                let [x, y] = frame.to_plane(c.x, c.y);
                Coord { x, y }
            })
            .collect();
    ls.simplify(tol)
}

fn segments(l: &LineString<f64>, out: &mut Vec<Convex>) {
    for w in l.0.windows(2) {
        if w[0] != w[1] {
            out.push(Convex(vec![[w[0].x, w[0].y], [w[1].x, w[1].y]]));
        }
    }
}

/// A ring's vertices without the closing repeat, counter-clockwise.
fn ring_xy(l: &LineString<f64>) -> Vec<Xy> {
    let mut v: Vec<Xy> = l.0.iter().map(|c| [c.x, c.y]).collect();
    if v.len() > 1 && v.first() == v.last() {
        v.pop();
    }
    if ring_area(&v) < 0.0 {
        v.reverse();
    }
    v
}

fn is_convex(r: &[Xy]) -> bool {
    let n = r.len();
    n >= 3
        && (0..n).all(|i| {
            let (a, b, c) = (r[i], r[(i + 1) % n], r[(i + 2) % n]);
            super::plume::cross([b[0] - a[0], b[1] - a[1]], [c[0] - b[0], c[1] - b[1]]) >= 0.0
        })
}

fn source_shape(frame: &Frame, source: &Source, tol: f64) -> SourceShape {
    let mut s = SourceShape {
        pieces: Vec::new(),
        polygons: Vec::new(),
    };
    let f = match source {
        Source::Point { lon, lat } => {
            s.pieces.push(Convex(vec![frame.to_plane(*lon, *lat)]));
            return s;
        }
        Source::Footprint(f) => f,
    };
    for p in &f.points.0 {
        s.pieces.push(Convex(vec![frame.to_plane(p.x(), p.y())]));
    }
    for l in &f.lines.0 {
        segments(&plane_line(frame, l, tol), &mut s.pieces);
    }
    for p in &f.polygons.0 {
        let ext = plane_line(frame, p.exterior(), tol);
        let holes: Vec<LineString<f64>> = p
            .interiors()
            .iter()
            .map(|h| plane_line(frame, h, tol))
            .collect();
        let r = ring_xy(&ext);
        if holes.is_empty() && is_convex(&r) {
            s.pieces.push(Convex(r));
            continue;
        }
        segments(&ext, &mut s.pieces);
        for h in &holes {
            segments(h, &mut s.pieces);
        }
        s.polygons.push(Polygon::new(ext, holes));
    }
    s
}

fn xy_polygon(c: &Convex) -> Polygon<f64> {
    let mut ring: Vec<Coord<f64>> = c.0.iter().map(|p| Coord { x: p[0], y: p[1] }).collect();
    if let Some(f) = ring.first().copied() {
        ring.push(f);
    }
    Polygon::new(LineString(ring), vec![])
}

/// The plume in the frame: one convex polygon (one source piece) or a union.
enum Shape<'a> {
    Convex(&'a Convex),
    Union(&'a MultiPolygon<f64>),
}

impl Shape<'_> {
    fn rings(&self) -> Vec<(Vec<Xy>, Vec<Vec<Xy>>)> {
        match self {
            Shape::Convex(c) => vec![(c.0.clone(), Vec::new())],
            Shape::Union(mp) => {
                mp.0.iter()
                    .map(|p| {
                        (
                            ring_xy(p.exterior()),
                            p.interiors().iter().map(ring_xy).collect(),
                        )
                    })
                    .collect()
            }
        }
    }
}

fn to_lonlat_ring(frame: &Frame, ring: &[Xy], reverse: bool) -> LineString<f64> {
    let mut pts: Vec<Coord<f64>> = densify(ring, MAX_EDGE_M)
        .into_iter()
        .map(|p| {
            let (x, y) = frame.to_lonlat(p);
            Coord { x, y }
        })
        .collect();
    if reverse {
        pts.reverse();
    }
    if let Some(f) = pts.first().copied() {
        pts.push(f);
    }
    LineString(pts)
}

/// The unit's geometry in the frame.
fn unit_in_frame(frame: &Frame, unit: &Unit) -> Vec<(Vec<Xy>, Vec<Vec<Xy>>)> {
    let ring = |l: &LineString<f64>| -> Vec<Xy> {
        let mut v: Vec<Xy> = l.0.iter().map(|c| frame.to_plane(c.x, c.y)).collect();
        if v.len() > 1 && v.first() == v.last() {
            v.pop();
        }
        v
    };
    unit.geometry
        .0
        .iter()
        .map(|p| (ring(p.exterior()), p.interiors().iter().map(ring).collect()))
        .collect()
}

/// Units with more vertices than this (the neighbouring provinces) are first
/// cut to the plume's bounding box in lon/lat, and only that part is mapped.
pub const LARGE_UNIT: usize = 1000;

/// Reads one coordinate of a point (x or y).
type Axis = fn(&Coord<f64>) -> f64;

/// A ring cut to a lon/lat rectangle (Sutherland–Hodgman; the ring's edges
/// are straight in lon/lat, so the cut is exact).
fn clip_rect(ring: &[Coord<f64>], r: &Rect<f64>) -> Vec<Coord<f64>> {
    let (lo, hi) = (r.min(), r.max());
    let sides: [(Axis, f64, bool); 4] = [
        (|c| c.x, lo.x, true),
        (|c| c.x, hi.x, false),
        (|c| c.y, lo.y, true),
        (|c| c.y, hi.y, false),
    ];
    let mut out: Vec<Coord<f64>> = ring.to_vec();
    for (get, v, above) in sides {
        let inside = |c: &Coord<f64>| if above { get(c) >= v } else { get(c) <= v };
        let input = std::mem::take(&mut out);
        let m = input.len();
        for j in 0..m {
            let (p, q) = (input[j], input[(j + 1) % m]);
            if inside(&p) {
                out.push(p);
            }
            if inside(&p) != inside(&q) {
                let t = (v - get(&p)) / (get(&q) - get(&p));
                out.push(Coord {
                    x: p.x + t * (q.x - p.x),
                    y: p.y + t * (q.y - p.y),
                });
            }
        }
        if out.len() < 3 {
            return Vec::new();
        }
    }
    out
}

/// The part of a large unit within `bbox` (widened a little), in the frame.
fn unit_in_frame_within(
    frame: &Frame,
    unit: &Unit,
    bbox: &Rect<f64>,
) -> Vec<(Vec<Xy>, Vec<Vec<Xy>>)> {
    const PAD: f64 = 0.05;
    let r = Rect::new(
        Coord {
            x: bbox.min().x - PAD,
            y: bbox.min().y - PAD,
        },
        Coord {
            x: bbox.max().x + PAD,
            y: bbox.max().y + PAD,
        },
    );
    let ring = |l: &LineString<f64>| -> Vec<Xy> {
        let mut v: Vec<Coord<f64>> = l.0.clone();
        if v.len() > 1 && v.first() == v.last() {
            v.pop();
        }
        clip_rect(&v, &r)
            .iter()
            .map(|c| frame.to_plane(c.x, c.y))
            .collect()
    };
    unit.geometry
        .0
        .iter()
        .filter(|p| geo::BoundingRect::bounding_rect(*p).is_some_and(|b| b.intersects(&r)))
        .map(|p| (ring(p.exterior()), p.interiors().iter().map(ring).collect()))
        .filter(|(e, _)| e.len() >= 3)
        .collect()
}

/// Area on the ellipsoid (m²) of rings in the frame (exteriors counter-
/// clockwise, holes clockwise): each ring's frame area divided by the
/// azimuthal-equidistant areal scale at its centroid, `(ρ/R)/sin(ρ/R)`.
fn rings_area_on_ellipsoid(rings: &[Vec<Xy>]) -> f64 {
    const R: f64 = 6_371_008.8;
    rings
        .iter()
        .map(|r| {
            let a = ring_area(r);
            let n = r.len().max(1) as f64;
            let (cx, cy) = r.iter().fold((0.0, 0.0), |(x, y), p| (x + p[0], y + p[1]));
            let rho = (cx / n).hypot(cy / n) / R;
            let k = if rho < 1e-9 { 1.0 } else { rho / rho.sin() };
            a / k
        })
        .sum::<f64>()
        .max(0.0)
}

/// A ring turned counter-clockwise (`exterior`) or clockwise (a hole), so
/// signed areas add up.
fn oriented(mut r: Vec<Xy>, exterior: bool) -> Vec<Xy> {
    if (ring_area(&r) > 0.0) != exterior {
        r.reverse();
    }
    r
}

/// The part of a unit inside the plume: its rings and its area (both in the frame).
fn overlay(unit: &[(Vec<Xy>, Vec<Vec<Xy>>)], shape: &Shape) -> (Vec<Vec<Xy>>, f64, f64) {
    let total: f64 = unit
        .iter()
        .map(|(e, h)| ring_area(e).abs() - h.iter().map(|r| ring_area(r).abs()).sum::<f64>())
        .sum();
    let mut rings = Vec::new();
    let mut inside = 0.0;
    match shape {
        Shape::Convex(c) => {
            for (e, holes) in unit {
                let ce = oriented(clip_ring(e, c), true);
                inside += ring_area(&ce);
                rings.push(ce);
                for h in holes {
                    let ch = oriented(clip_ring(h, c), false);
                    inside += ring_area(&ch);
                    rings.push(ch);
                }
            }
        }
        Shape::Union(mp) => {
            let poly = MultiPolygon(
                unit.iter()
                    .map(|(e, hs)| {
                        let ls = |r: &Vec<Xy>| {
                            let mut c: Vec<Coord<f64>> =
                                r.iter().map(|p| Coord { x: p[0], y: p[1] }).collect();
                            if let Some(f) = c.first().copied() {
                                c.push(f);
                            }
                            LineString(c)
                        };
                        Polygon::new(ls(e), hs.iter().map(ls).collect())
                    })
                    .collect(),
            );
            let cut = poly.intersection(*mp);
            for p in &cut.0 {
                let e = ring_xy(p.exterior());
                inside += ring_area(&e);
                rings.push(e);
                for h in p.interiors() {
                    let h = oriented(ring_xy(h), false);
                    inside += ring_area(&h);
                    rings.push(h);
                }
            }
        }
    }
    rings.retain(|r| r.len() >= 3);
    (rings, inside.max(0.0), total)
}

/// Builds the plume of `source` with `wind` and reports every unit of
/// `units` it reaches (each unit's `Hit` in the order of `units`).
pub struct Reacher<'m> {
    frame: Frame,
    model: &'m Model,
    pieces: Vec<Piece<'m>>,
    source_polygons: Vec<Polygon<f64>>,
    union: Option<MultiPolygon<f64>>,
    bbox: Option<Rect<f64>>,
    source: &'m Source,
}

/// The model of a wind (kept apart so a [`Reacher`] can borrow it).
pub fn model(wind: &Wind) -> Model {
    Model::new(wind)
}

impl<'m> Reacher<'m> {
    /// Prepares the plume of `source` under `model` (the wind).
    pub fn new(
        source: &'m Source,
        model: &'m Model,
        travel_m: f64,
        budget: &Budget,
    ) -> Result<(Reacher<'m>, Estimate), Exhausted> {
        let (lon, lat) = source.origin();
        let frame = Frame::new(lon, lat);
        let tol = (travel_m / 2000.0).clamp(10.0, 1000.0);
        let shape = source_shape(&frame, source, tol);
        let mut pieces = Vec::with_capacity(shape.pieces.len());
        for c in shape.pieces {
            budget.check()?;
            pieces.push(model.piece(c));
        }
        let union = if pieces.len() == 1 && shape.polygons.is_empty() {
            None
        } else {
            let mut polys: Vec<Polygon<f64>> =
                pieces.iter().map(|p| xy_polygon(&p.plume)).collect();
            polys.extend(shape.polygons.iter().cloned());
            budget.check()?;
            Some(geo::unary_union(polys.iter()))
        };
        let mut r = Reacher {
            frame,
            model,
            pieces,
            source_polygons: shape.polygons,
            union,
            bbox: None,
            source,
        };
        let plume = r.plume_lonlat();
        r.bbox = geo::BoundingRect::bounding_rect(&plume);
        let estimate = Estimate {
            plume_area_m2: area_m2(&plume),
            plume,
            arc_step_deg: model.arc_step_deg,
            pieces: r.pieces.len(),
        };
        Ok((r, estimate))
    }

    fn shape(&self) -> Shape<'_> {
        match &self.union {
            Some(u) => Shape::Union(u),
            None => Shape::Convex(&self.pieces[0].plume),
        }
    }

    fn plume_lonlat(&self) -> MultiPolygon<f64> {
        MultiPolygon(
            self.shape()
                .rings()
                .iter()
                .map(|(e, hs)| {
                    Polygon::new(
                        to_lonlat_ring(&self.frame, e, false),
                        hs.iter()
                            .map(|h| to_lonlat_ring(&self.frame, h, true))
                            .collect(),
                    )
                })
                .collect(),
        )
    }

    /// The reach of one unit, or `None` when the plume misses it.
    pub fn hit(&self, index: usize, unit: &Unit) -> Option<Hit> {
        let (Some(b), Some(ub)) = (self.bbox, unit.bbox()) else {
            return None;
        };
        if !b.intersects(&ub) {
            return None;
        }
        if self.misses(&ub) {
            return None;
        }
        let large = geo::CoordsIter::coords_count(&unit.geometry) > LARGE_UNIT;
        let geom = if large {
            unit_in_frame_within(&self.frame, unit, &b)
        } else {
            unit_in_frame(&self.frame, unit)
        };
        let (rings, inside, total) = overlay(&geom, &self.shape());
        let source = self.source.touches(unit);
        if (inside < MIN_AREA_M2 || total <= 0.0) && !source {
            return None;
        }
        let unit_area = area_m2(&unit.geometry);
        let (share, area) = if large {
            // Only the part near the plume was brought into the frame: the
            // covered area, corrected for the frame's areal scale, over the
            // unit's whole area.
            let covered = rings_area_on_ellipsoid(&rings);
            ((covered / unit_area).min(1.0), covered)
        } else {
            let share = (inside / total).min(1.0);
            (share, share * unit_area)
        };
        if source {
            return Some(Hit {
                index,
                arrival_hours: 0.0,
                distance_m: 0.0,
                share,
                area_m2: area,
                entry: None,
                source: true,
            });
        }
        let (t, x, d) = self.earliest(&rings)?;
        Some(Hit {
            index,
            arrival_hours: t,
            distance_m: d,
            share,
            area_m2: area,
            entry: Some(self.frame.to_lonlat(x)),
            source: false,
        })
    }

    /// Whether a unit's bounding box, brought into the frame, lies wholly
    /// outside the plume (by more than the bending of its edges in the frame):
    /// then its outline need not be mapped at all.
    fn misses(&self, bbox: &Rect<f64>) -> bool {
        const MARGIN: f64 = 2_000.0;
        let (lo, hi) = (bbox.min(), bbox.max());
        let (mx, my) = ((lo.x + hi.x) / 2.0, (lo.y + hi.y) / 2.0);
        let pts: Vec<Xy> = [
            (lo.x, lo.y),
            (mx, lo.y),
            (hi.x, lo.y),
            (hi.x, my),
            (hi.x, hi.y),
            (mx, hi.y),
            (lo.x, hi.y),
            (lo.x, my),
        ]
        .iter()
        .map(|(x, y)| self.frame.to_plane(*x, *y))
        .collect();
        match &self.union {
            None => {
                let c = &self.pieces[0].plume.0;
                let n = c.len();
                (0..n).any(|i| {
                    let (a, b) = (c[i], c[(i + 1) % n]);
                    let e = [b[0] - a[0], b[1] - a[1]];
                    let l = e[0].hypot(e[1]);
                    l > 0.0
                        && pts.iter().all(|p| {
                            super::plume::cross(e, [p[0] - a[0], p[1] - a[1]]) < -MARGIN * l
                        })
                })
            }
            Some(u) => geo::BoundingRect::bounding_rect(u).is_none_or(|r| {
                let (bl, bh) = (r.min(), r.max());
                pts.iter().all(|p| p[0] < bl.x - MARGIN)
                    || pts.iter().all(|p| p[0] > bh.x + MARGIN)
                    || pts.iter().all(|p| p[1] < bl.y - MARGIN)
                    || pts.iter().all(|p| p[1] > bh.y + MARGIN)
            }),
        }
    }

    /// The earliest arrival over some rings: time, point, distance from the source.
    fn earliest(&self, rings: &[Vec<Xy>]) -> Option<(f64, Xy, f64)> {
        if rings.iter().flatten().any(|v| self.in_source_polygon(*v)) {
            let v = rings
                .iter()
                .flatten()
                .find(|v| self.in_source_polygon(**v))?;
            return Some((0.0, *v, 0.0));
        }
        let mut best: Option<(f64, Xy, f64)> = None;
        for p in &self.pieces {
            if let Some((t, x)) = p.earliest(rings) {
                if best.is_none_or(|(b, _, _)| t < b) {
                    best = Some((t, x, self.distance(x)));
                }
            }
        }
        best
    }

    fn in_source_polygon(&self, v: Xy) -> bool {
        use geo::Contains;
        self.source_polygons
            .iter()
            .any(|p| p.contains(&Coord { x: v[0], y: v[1] }))
    }

    /// Distance (m) from the source to a frame point.
    fn distance(&self, x: Xy) -> f64 {
        self.pieces
            .iter()
            .map(|p| p.distance(x))
            .fold(f64::INFINITY, f64::min)
    }

    /// The model.
    pub fn model(&self) -> &Model {
        self.model
    }
}
