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
    cost.charge((a.vertices + b.vertices) as u64)?;
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
