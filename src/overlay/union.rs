//! 合并 (normalisation): the polygons of a footprint merged into one region,
//! so an overlap is neither counted twice nor cancelled.
//!
//! A single pass over every ring (what `geo::unary_union` does) meets every
//! crossing of every pair of overlapping parts: 6,000 overlapping 2° squares
//! have some 17 million, which took 10 s and 1.5 GB. The cascaded union here
//! sorts the parts along a Z-order curve and merges neighbours pairwise, so
//! interior edges vanish early and each merge sees only two small outlines
//! (the same 6,000 squares: a few tens of milliseconds). Groups whose boxes
//! are apart are concatenated without an overlay. Every merge charges its
//! vertices to the [`Cost`] and checks the [`Budget`].

use geo::{Coord, LineString, MultiPolygon, Polygon};
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay::{ContourDirection, IntOverlayOptions, Overlay, ShapeType};
use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::core::solver::Solver;
use i_overlay::i_float::adapter::FloatPointAdapter;
use i_overlay::i_float::float::rect::FloatRect;
use i_overlay::i_float::int::point::IntPoint;
use std::collections::HashMap;

use crate::budget::Budget;

use super::rings::{bbox_hits, bbox_of, union_bbox, Bbox, Pt, Rings};
use super::{Cost, OverlayError};

/// Shapes as i_overlay writes them: per polygon, its exterior then its holes.
type Shapes = Vec<Vec<Vec<Pt>>>;

struct Group {
    shapes: Shapes,
    bbox: Bbox,
    vertices: usize,
}

/// The union of `parts` (each a valid polygon). One part is returned as it
/// is; several are merged pairwise in spatial order.
pub fn union_polygons(
    parts: &[Polygon<f64>],
    budget: &Budget,
    cost: &mut Cost,
) -> Result<MultiPolygon<f64>, OverlayError> {
    if parts.len() <= 1 {
        return Ok(MultiPolygon(parts.to_vec()));
    }
    let mut groups: Vec<Group> = parts.iter().filter_map(group_of).collect();
    let Some(all) = groups.iter().map(|g| g.bbox).reduce(union_bbox) else {
        return Ok(MultiPolygon(Vec::new()));
    };
    groups.sort_by_cached_key(|g| z_order(&g.bbox, &all));
    let g = merge(groups, budget, cost)?;
    Ok(MultiPolygon(g.shapes.into_iter().map(polygon_of).collect()))
}

/// A polygon as one oriented shape (exterior counter-clockwise, holes clockwise).
fn group_of(p: &Polygon<f64>) -> Option<Group> {
    let rings = Rings::from_polygons([p]);
    let bbox = rings.bbox()?;
    let vertices = rings.vertices();
    let shape: Vec<Vec<Pt>> = rings.rings().map(<[Pt]>::to_vec).collect();
    Some(Group {
        shapes: vec![shape],
        bbox,
        vertices,
    })
}

/// Position of the box's centre on a Z-order (Morton) curve over `all`.
fn z_order(b: &Bbox, all: &Bbox) -> u64 {
    let cell = |v: f64, lo: f64, hi: f64| -> u64 {
        let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.0 };
        (t.clamp(0.0, 1.0) * 65_535.0) as u64
    };
    let (x, y) = (
        cell((b[0] + b[2]) / 2.0, all[0], all[2]),
        cell((b[1] + b[3]) / 2.0, all[1], all[3]),
    );
    (0..16).fold(0, |z, i| {
        z | ((x >> i) & 1) << (2 * i) | ((y >> i) & 1) << (2 * i + 1)
    })
}

/// Merges the groups (in curve order) as a balanced binary tree.
fn merge(mut groups: Vec<Group>, budget: &Budget, cost: &mut Cost) -> Result<Group, OverlayError> {
    while groups.len() > 1 {
        budget.check()?;
        let mut next = Vec::with_capacity(groups.len().div_ceil(2));
        let mut it = groups.into_iter();
        while let Some(a) = it.next() {
            match it.next() {
                Some(b) => next.push(pair(a, b, budget, cost)?),
                None => next.push(a),
            }
        }
        groups = next;
    }
    Ok(groups.pop().expect("at least one group"))
}

/// The union of two groups.
fn pair(mut a: Group, b: Group, budget: &Budget, cost: &mut Cost) -> Result<Group, OverlayError> {
    let bbox = union_bbox(a.bbox, b.bbox);
    if !bbox_hits(&a.bbox, &b.bbox) {
        a.shapes.extend(b.shapes);
        return Ok(Group {
            shapes: a.shapes,
            bbox,
            vertices: a.vertices + b.vertices,
        });
    }
    budget.check()?;
    cost.charge(MERGE_OVERHEAD + (a.vertices + b.vertices) as u64)?;
    if a.vertices.saturating_mul(b.vertices) > PRECHECK_PRODUCT {
        count_crossings(&a, &b, budget, cost)?;
    }
    let shapes = union_snapped_back(&a.shapes, &b.shapes, &bbox);
    let vertices = shapes.iter().flatten().map(Vec::len).sum();
    cost.charge(vertices as u64)?;
    let bbox = shapes
        .iter()
        .flatten()
        .map(|r| bbox_of(r))
        .reduce(union_bbox)
        .unwrap_or(bbox);
    Ok(Group {
        shapes,
        bbox,
        vertices,
    })
}

/// Work charged per merge on top of its vertices: a call of i_overlay has a
/// fixed cost worth a few dozen vertices (6,000 squares are 6,000 merges).
pub const MERGE_OVERHEAD: u64 = 32;
/// Two groups whose vertex counts multiply to more than this are checked for
/// crossings before they are merged (fewer cannot cross more often).
const PRECHECK_PRODUCT: usize = 1_000_000;
/// Work charged per crossing found: each becomes a vertex of the output and
/// a split of two edges in i_overlay, costlier than an input vertex.
pub const CROSSING_WEIGHT: u64 = 16;

/// An edge of one group, for the crossing count.
#[derive(Clone, Copy)]
struct Edge {
    a: Pt,
    b: Pt,
    x: (f64, f64),
    y: (f64, f64),
    side: bool,
}

/// Counts the proper crossings between the edges of `a` and of `b` before
/// they are merged, charging every pair tested (1) and every crossing
/// ([`CROSSING_WEIGHT`]) to `cost`: two combs at right angles, valid alone,
/// cross each other (teeth)² times, and their union would have as many
/// vertices; this refuses them before i_overlay allocates for it.
fn count_crossings(
    a: &Group,
    b: &Group,
    budget: &Budget,
    cost: &mut Cost,
) -> Result<(), OverlayError> {
    let o = [
        a.bbox[0].max(b.bbox[0]),
        a.bbox[1].max(b.bbox[1]),
        a.bbox[2].min(b.bbox[2]),
        a.bbox[3].min(b.bbox[3]),
    ];
    let mut edges = Vec::new();
    for (g, side) in [(a, false), (b, true)] {
        for ring in g.shapes.iter().flatten() {
            let mut p = ring[ring.len() - 1];
            for &q in ring {
                let e = Edge {
                    a: p,
                    b: q,
                    x: (p[0].min(q[0]), p[0].max(q[0])),
                    y: (p[1].min(q[1]), p[1].max(q[1])),
                    side,
                };
                if bbox_hits(&[e.x.0, e.y.0, e.x.1, e.y.1], &o) {
                    edges.push(e);
                }
                p = q;
            }
        }
    }
    edges.sort_by(|p, q| p.x.0.total_cmp(&q.x.0));
    let mut tested = 0u64;
    for (i, e) in edges.iter().enumerate() {
        for f in &edges[i + 1..] {
            if f.x.0 > e.x.1 {
                break;
            }
            tested += 1;
            if tested == 4096 {
                cost.charge(tested)?;
                budget.check()?;
                tested = 0;
            }
            if e.side != f.side && f.y.0 <= e.y.1 && e.y.0 <= f.y.1 && crosses(e, f) {
                cost.charge(CROSSING_WEIGHT)?;
            }
        }
    }
    cost.charge(tested)?;
    Ok(())
}

/// Whether two edges cross at a point inside both (robust predicates).
fn crosses(e: &Edge, f: &Edge) -> bool {
    use geo::kernels::{Kernel, Orientation, RobustKernel};
    let c = |p: Pt| Coord { x: p[0], y: p[1] };
    let o = |p: Pt, q: Pt, r: Pt| RobustKernel::orient2d(c(p), c(q), c(r));
    let opposite = |a: Orientation, b: Orientation| {
        matches!(
            (a, b),
            (Orientation::Clockwise, Orientation::CounterClockwise)
                | (Orientation::CounterClockwise, Orientation::Clockwise)
        )
    };
    opposite(o(e.a, e.b, f.a), o(e.a, e.b, f.b)) && opposite(o(f.a, f.b, e.a), o(f.a, f.b, e.b))
}

/// The union of two sets of shapes on i_overlay's integer grid (over their
/// common box), with every output vertex that is an input vertex given back
/// its exact input coordinates (only new crossing points keep grid values),
/// and collinear vertices kept: a footprint drawn along a county border, or
/// the province outline sent as a footprint, still shares its borders bit
/// for bit after the merge, so no sliver appears between them.
fn union_snapped_back(a: &Shapes, b: &Shapes, bbox: &Bbox) -> Shapes {
    let adapter: FloatPointAdapter<Pt, f64> =
        FloatPointAdapter::new(FloatRect::new(bbox[0], bbox[2], bbox[1], bbox[3]));
    let n: usize = a.iter().chain(b).flatten().map(Vec::len).sum();
    let mut back: HashMap<IntPoint, Pt> = HashMap::with_capacity(n);
    let options = IntOverlayOptions {
        preserve_input_collinear: true,
        output_direction: ContourDirection::CounterClockwise,
        preserve_output_collinear: true,
        min_output_area: 0,
        ogc: true,
    };
    let solver = Solver {
        multithreading: None,
        ..Solver::AUTO
    };
    let mut ov = Overlay::new_custom(n, options, solver);
    for (shapes, kind) in [(a, ShapeType::Subject), (b, ShapeType::Clip)] {
        for ring in shapes.iter().flatten() {
            ov.add_path_iter(
                ring.iter().map(|p| {
                    let ip = adapter.float_to_int(p);
                    back.entry(ip).or_insert(*p);
                    ip
                }),
                kind,
            );
        }
    }
    ov.overlay(OverlayRule::Union, FillRule::NonZero)
        .into_iter()
        .map(|shape| {
            shape
                .into_iter()
                .map(|ring| {
                    ring.into_iter()
                        .map(|ip| {
                            back.get(&ip)
                                .copied()
                                .unwrap_or_else(|| adapter.int_to_float(&ip))
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// A geo polygon (closed rings) from an i_overlay shape.
fn polygon_of(shape: Vec<Vec<Pt>>) -> Polygon<f64> {
    let mut rings = shape.into_iter().map(|r| {
        let mut c: Vec<Coord<f64>> = r.into_iter().map(|[x, y]| Coord { x, y }).collect();
        if let Some(&first) = c.first() {
            c.push(first);
        }
        LineString(c)
    });
    let exterior = rings.next().unwrap_or_else(|| LineString(Vec::new()));
    Polygon::new(exterior, rings.collect())
}
