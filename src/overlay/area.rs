//! 面积分摊 (area shares): how much of a polygon footprint lies in each unit of
//! every layer, and outside the province.
//!
//! The footprint and the candidate units (from the unit index) are clipped
//! together down a quadtree. A box where the footprint is full or empty, or
//! where no unit's boundary passes, is settled by areas alone; only where both
//! the footprint's and some unit's boundaries pass, and the box holds at most
//! [`LEAF_VERTICES`] vertices, does i_overlay intersect the two small clipped
//! pieces. Work is proportional to the vertices of the footprint (times the
//! depth of the tree), not to vertices × units, and every box checks the
//! request's [`Budget`] and the [`Cost`] counter.

use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::core::solver::Solver;
use i_overlay::float::overlay::{FloatOverlay, OverlayOptions};
use i_overlay::i_shape::flat::float::FloatFlatContoursBuffer;

use crate::budget::Budget;

use super::clip::{box_ring, clip, quarter_boxes, quarters, Cover, Scratch};
use super::rings::{signed_area_m2, Bbox, Pt, Rings};
use super::{Cost, OverlayError, Prepared};

/// A box is overlaid when the footprint's piece plus the largest partial
/// unit's piece hold at most this many vertices, or when it cannot be split
/// further (i_overlay's cost per call is mostly fixed below a few dozen).
pub const LEAF_VERTICES: usize = 48;
/// Deepest split (boxes 2^-24 of the footprint's extent).
const MAX_DEPTH: u32 = 24;

/// Raw areas (m²) by unit slot of [`Prepared`], and outside the province.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaShares {
    /// `(slot, m²)` for every candidate unit with a positive area, by slot.
    pub by_slot: Vec<(usize, f64)>,
    /// Area outside the province region.
    pub outside: f64,
}

/// One overlay engine reused across boxes (its buffers are kept).
pub(crate) struct Engine {
    ov: FloatOverlay<Pt, f64>,
    out: FloatFlatContoursBuffer<Pt>,
}

impl Engine {
    pub(crate) fn new() -> Engine {
        let solver = Solver {
            multithreading: None,
            ..Solver::AUTO
        };
        Engine {
            ov: FloatOverlay::new_empty(OverlayOptions::default(), solver, 0),
            out: FloatFlatContoursBuffer::default(),
        }
    }

    /// Area (m²) of `rule(subj, clip)`, both with the nonzero fill rule.
    fn area(&mut self, subj: &Rings, clip: &Rings, rule: OverlayRule) -> f64 {
        self.ov.reinit_with_subj_and_clip(&subj.buf, &clip.buf);
        self.ov.overlay_into(rule, FillRule::NonZero, &mut self.out);
        let pts = &self.out.points;
        self.out
            .ranges
            .iter()
            .map(|r| signed_area_m2(&pts[r.clone()]))
            .sum()
    }
}

/// Who a box holds: the unit slots with their cover (never empty).
type Units = Vec<(usize, Cover)>;

struct Walk<'a> {
    prep: &'a Prepared,
    budget: &'a Budget,
    cost: &'a mut Cost,
    engine: Engine,
    scratch: Scratch,
    acc: Vec<f64>,
    outside: f64,
}

/// Area of each candidate unit's intersection with `fp` (normalised rings),
/// and of `fp` outside the province region.
pub fn area_shares(
    prep: &Prepared,
    fp: &Rings,
    budget: &Budget,
    cost: &mut Cost,
) -> Result<AreaShares, OverlayError> {
    let Some(root) = fp.bbox() else {
        return Ok(AreaShares {
            by_slot: Vec::new(),
            outside: 0.0,
        });
    };
    let mut w = Walk {
        prep,
        budget,
        cost,
        engine: Engine::new(),
        scratch: Scratch::default(),
        acc: vec![0.0; prep.slots()],
        outside: 0.0,
    };
    let (f, work) = clip(fp, &root, &mut w.scratch);
    w.cost.charge(work as u64)?;
    let mut units = Units::new();
    for slot in prep.candidates(&root) {
        if prep.derived(slot).is_some() {
            continue;
        }
        let (c, work) = clip(prep.rings(slot), &root, &mut w.scratch);
        w.cost.charge(work as u64)?;
        if c != Cover::Empty {
            units.push((slot, c));
        }
    }
    w.node(&root, f, units, 0)?;
    for slot in 0..prep.slots() {
        if let Some(members) = prep.derived(slot) {
            w.acc[slot] = members.iter().map(|&m| w.acc[m]).sum();
        }
    }
    Ok(AreaShares {
        by_slot: w
            .acc
            .iter()
            .enumerate()
            .filter(|(_, a)| **a > 0.0)
            .map(|(s, a)| (s, *a))
            .collect(),
        outside: w.outside,
    })
}

impl Walk<'_> {
    fn node(&mut self, r: &Bbox, f: Cover, units: Units, depth: u32) -> Result<(), OverlayError> {
        self.budget.check()?;
        let f = match f {
            Cover::Empty => return Ok(()),
            Cover::Full => {
                self.full_box(r, &units);
                return Ok(());
            }
            Cover::Partial(f) => f,
        };
        let partial: usize = units
            .iter()
            .filter_map(|(_, c)| c.partial())
            .map(Rings::vertices)
            .max()
            .unwrap_or(0);
        let splittable = depth < MAX_DEPTH && r[2] - r[0] > 1e-9 && r[3] - r[1] > 1e-9;
        if partial == 0 || f.vertices() + partial <= LEAF_VERTICES || !splittable {
            return self.leaf(&f, &units);
        }
        let boxes = quarter_boxes(r);
        let (fq, work) = quarters(&f, r, &mut self.scratch);
        self.cost.charge(work as u64)?;
        let mut uq: [Units; 4] = Default::default();
        for (slot, c) in &units {
            match c {
                Cover::Partial(u) => {
                    let (cs, work) = quarters(u, r, &mut self.scratch);
                    self.cost.charge(work as u64)?;
                    for (k, c) in cs.into_iter().enumerate() {
                        if c != Cover::Empty && fq[k] != Cover::Empty {
                            uq[k].push((*slot, c));
                        }
                    }
                }
                other => (0..4).for_each(|k| uq[k].push((*slot, other.clone()))),
            }
        }
        for ((q, fc), uc) in boxes.iter().zip(fq).zip(uq) {
            self.node(q, fc, uc, depth + 1)?;
        }
        Ok(())
    }

    /// The footprint covers the whole box: each unit gets its own area here.
    fn full_box(&mut self, r: &Bbox, units: &Units) {
        let box_area = signed_area_m2(&box_ring(r));
        let mut in_province = 0.0;
        for (slot, c) in units {
            let a = match c {
                Cover::Full => box_area,
                Cover::Partial(u) => u.area_m2(),
                Cover::Empty => 0.0,
            };
            if *slot == self.prep.province_slot() {
                in_province = a;
            } else {
                self.acc[*slot] += a;
            }
        }
        self.outside += box_area - in_province;
    }

    /// Settles a box where the footprint is partial: units that cover the box
    /// get the footprint's area, partial ones the area of an overlay.
    fn leaf(&mut self, f: &Rings, units: &Units) -> Result<(), OverlayError> {
        let fa = f.area_m2();
        let mut in_province = false;
        for (slot, c) in units {
            let province = *slot == self.prep.province_slot();
            in_province |= province;
            match (c, province) {
                (Cover::Full, false) => self.acc[*slot] += fa,
                (Cover::Partial(u), false) => {
                    self.cost.charge((f.vertices() + u.vertices()) as u64)?;
                    self.acc[*slot] += if u == f {
                        fa
                    } else {
                        self.engine.area(f, u, OverlayRule::Intersect)
                    };
                }
                (Cover::Partial(u), true) => {
                    self.cost.charge((f.vertices() + u.vertices()) as u64)?;
                    if u != f {
                        self.outside += self.engine.area(f, u, OverlayRule::Difference);
                    }
                }
                _ => {}
            }
        }
        if !in_province {
            self.outside += fa;
        }
        Ok(())
    }
}
