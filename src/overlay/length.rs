//! 长度分摊 (length shares): how much of a line footprint lies in each unit of
//! every layer, and outside the province, by geodesic length.
//!
//! The lines are cut into chunks of [`CHUNK`] segments with their boxes. For
//! each candidate unit, only the chunks meeting the unit's box are read, their
//! segments clipped to the box (Liang–Barsky), and i_overlay clips what is
//! left by the unit's rings, boundary included (a line along a border counts
//! on both sides, as before).

use geo::{Distance, Geodesic, MultiLineString, Point};
use i_overlay::core::fill_rule::FillRule;
use i_overlay::float::clip::FloatClip;
use i_overlay::string::clip::ClipRule;

use crate::budget::Budget;

use super::rings::{bbox_hits, bbox_of, union_bbox, Bbox, Pt};
use super::{Cost, OverlayError, Prepared};

/// Segments per chunk of a line.
pub const CHUNK: usize = 32;

/// Raw lengths (m) by unit slot of [`Prepared`], and outside the province.
#[derive(Debug, Clone, PartialEq)]
pub struct LengthShares {
    /// `(slot, m)` for every candidate unit with a positive length, by slot.
    pub by_slot: Vec<(usize, f64)>,
    /// Length outside the province region.
    pub outside: f64,
}

struct Chunk<'a> {
    /// Line number and index of the first point in it.
    at: (usize, usize),
    pts: &'a [geo::Coord<f64>],
    bbox: Bbox,
}

/// Geodesic length (m) of a polyline.
fn geodesic(path: &[Pt]) -> f64 {
    path.windows(2)
        .map(|w| Geodesic.distance(Point::new(w[0][0], w[0][1]), Point::new(w[1][0], w[1][1])))
        .sum()
}

/// The part of the segment `p`–`q` inside the closed box, as parameters
/// `t0 <= t1` along it (Liang–Barsky), or `None`.
fn inside_box(p: Pt, q: Pt, b: &Bbox) -> Option<(f64, f64)> {
    let (dx, dy) = (q[0] - p[0], q[1] - p[1]);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (den, num) in [
        (-dx, p[0] - b[0]),
        (dx, b[2] - p[0]),
        (-dy, p[1] - b[1]),
        (dy, b[3] - p[1]),
    ] {
        if den == 0.0 {
            if num < 0.0 {
                return None;
            }
        } else {
            let t = num / den;
            if den < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    (t0 <= t1).then_some((t0, t1))
}

fn at(p: Pt, q: Pt, t: f64) -> Pt {
    if t <= 0.0 {
        p
    } else if t >= 1.0 {
        q
    } else {
        [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]
    }
}

/// The lines clipped to the box `b`, as polylines; with `outside`, the
/// geodesic length of what lies outside the box is added to it.
fn clip_to_box(chunks: &[Chunk<'_>], b: &Bbox, mut outside: Option<&mut f64>) -> Vec<Vec<Pt>> {
    let mut out: Vec<Vec<Pt>> = Vec::new();
    let mut open = false;
    let mut last_end = None;
    for c in chunks {
        if !bbox_hits(&c.bbox, b) {
            if let Some(o) = outside.as_deref_mut() {
                let v: Vec<Pt> = c.pts.iter().map(|c| [c.x, c.y]).collect();
                *o += geodesic(&v);
            }
            open = false;
            continue;
        }
        // A chunk shares its first point with the previous chunk's last one.
        if last_end != Some(c.at) {
            open = false;
        }
        for w in c.pts.windows(2) {
            let (p, q) = ([w[0].x, w[0].y], [w[1].x, w[1].y]);
            let Some((t0, t1)) = inside_box(p, q, b) else {
                if let Some(o) = outside.as_deref_mut() {
                    *o += geodesic(&[p, q]);
                }
                open = false;
                continue;
            };
            let (a, z) = (at(p, q, t0), at(p, q, t1));
            if let Some(o) = outside.as_deref_mut() {
                *o += geodesic(&[p, a]) + geodesic(&[z, q]);
            }
            if open && t0 <= 0.0 {
                if let Some(l) = out.last_mut() {
                    l.push(z);
                }
            } else {
                out.push(vec![a, z]);
            }
            open = t1 >= 1.0;
        }
        last_end = Some((c.at.0, c.at.1 + c.pts.len() - 1));
    }
    out
}

/// Length of each candidate unit's part of `lines`, and outside the province region.
pub fn length_shares(
    prep: &Prepared,
    lines: &MultiLineString<f64>,
    budget: &Budget,
    cost: &mut Cost,
) -> Result<LengthShares, OverlayError> {
    let mut chunks = Vec::new();
    for (li, l) in lines.0.iter().enumerate() {
        let n = l.0.len();
        let mut s = 0;
        while s + 1 < n {
            let e = (s + CHUNK).min(n - 1);
            let pts = &l.0[s..=e];
            let v: Vec<Pt> = pts.iter().map(|c| [c.x, c.y]).collect();
            chunks.push(Chunk {
                at: (li, s),
                pts,
                bbox: bbox_of(&v),
            });
            s = e;
        }
    }
    let Some(all) = chunks.iter().map(|c| c.bbox).reduce(union_bbox) else {
        return Ok(LengthShares {
            by_slot: Vec::new(),
            outside: 0.0,
        });
    };
    let mut by_slot = Vec::new();
    let mut outside = None;
    let rule = |invert| ClipRule {
        invert,
        boundary_included: true,
    };
    for slot in prep.candidates(&all) {
        budget.check()?;
        let rings = prep.rings(slot);
        let Some(ub) = rings.bbox() else { continue };
        let province = slot == prep.province_slot();
        let mut out_box = 0.0;
        cost.charge(chunks.len() as u64)?;
        let pieces = clip_to_box(&chunks, &ub, province.then_some(&mut out_box));
        let n: usize = pieces.iter().map(Vec::len).sum();
        cost.charge((n + rings.vertices()) as u64)?;
        if province {
            let o = pieces.clip_by(&rings.buf, FillRule::NonZero, rule(true));
            outside = Some(out_box + o.iter().map(|p| geodesic(p)).sum::<f64>());
        } else if n > 0 {
            let inside = pieces.clip_by(&rings.buf, FillRule::NonZero, rule(false));
            let len: f64 = inside.iter().map(|p| geodesic(p)).sum();
            if len > 0.0 {
                by_slot.push((slot, len));
            }
        }
    }
    let outside = match outside {
        Some(o) => o,
        None => lines
            .0
            .iter()
            .map(|l| {
                let v: Vec<Pt> = l.0.iter().map(|c| [c.x, c.y]).collect();
                geodesic(&v)
            })
            .sum(),
    };
    Ok(LengthShares { by_slot, outside })
}
