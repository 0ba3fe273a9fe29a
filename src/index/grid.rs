//! The all-layer cell grid with an adaptive quadtree over its partial cells.
//!
//! Each cell of a regular lon/lat grid (1/64 degree) lists the units of every
//! layer that cover it entirely ("full") or whose boundary passes near it
//! ("partial"). Cells with partial units are refined into a quadtree
//! ([`super::quad`]) until each leaf holds a few edges, so that a point next to a
//! border costs about what a random one does (as tg's and S2's cell indexes do).
//! A lookup reads one leaf; only its partial units run the exact leaf test of
//! [`super::leaf`].

use super::edges::{EdgeIndex, Position, BOUNDARY_EPSILON};
use super::leaf::EdgeBits;
use super::quad::{
    edge_near_cell, Cell, Entry, Tree, CORNER_INSIDE, INTERNAL, LAYER_SHIFT, LEAF_EDGES, MAX_DEPTH,
    PARTIAL, STRIPES, UNIT_MASK,
};
use crate::atlas::{Layer, LayerKind};
use std::collections::HashMap;

/// Grid resolution: cells per degree (1/64 degree, about 1.5 x 1.7 km in Hubei).
pub const CELLS_PER_DEGREE: f64 = 64.0;

/// One unit containing the looked-up point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// The layer.
    pub layer: LayerKind,
    /// Index of the unit in its layer.
    pub unit: u32,
    /// The point is within [`BOUNDARY_EPSILON`] of this unit's boundary.
    pub on_boundary: bool,
}

/// Size and shape of the index (for logs, docs and benchmarks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocatorStats {
    /// Cells of the base grid.
    pub cells: usize,
    /// Internal quadtree nodes (four per split cell).
    pub nodes: usize,
    /// Distinct leaves (leaves that only hold covering units are shared).
    pub leaves: usize,
    /// Unit entries over all leaves.
    pub items: usize,
    /// Of which partial (run the exact leaf test).
    pub partial_items: usize,
    /// Distinct edges stored in the leaves (an edge near several leaves is
    /// stored in each).
    pub edges: usize,
    /// Deepest level below the grid.
    pub depth: u32,
    /// Approximate heap bytes of the grid and tree (not the per-unit indexes).
    pub bytes: usize,
}

/// The all-layer point locator (点位查询索引).
#[derive(Debug, Clone)]
pub struct Locator {
    x0: f64,
    y0: f64,
    nx: usize,
    ny: usize,
    /// Per grid cell, its root node.
    cells: Vec<[u32; 2]>,
    tree: Tree,
    /// Per layer, per unit exact tester (stripes), for [`Locator::classify`] and the build.
    units: Vec<Vec<EdgeIndex>>,
}

/// Bounding box of every unit of every layer, `[x0, y0, x1, y1]`.
fn layers_bbox(layers: &[Layer]) -> [f64; 4] {
    let mut bb = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for r in layers
        .iter()
        .flat_map(|l| l.units.iter().filter_map(|u| u.bbox()))
    {
        bb = [
            bb[0].min(r.min().x),
            bb[1].min(r.min().y),
            bb[2].max(r.max().x),
            bb[3].max(r.max().y),
        ];
    }
    if bb[0].is_finite() {
        bb
    } else {
        [0.0; 4]
    }
}

impl Locator {
    /// Build the locator over layers given in [`LayerKind::ALL`] order.
    pub fn new(layers: &[Layer]) -> Self {
        Self::with_limits(layers, LEAF_EDGES, MAX_DEPTH)
    }

    /// Build with other quadtree limits: split cells holding more than
    /// `leaf_edges` distinct edges (1 to 32), down to `max_depth` levels below
    /// the grid. Answers do not depend on them, only speed and memory (tests
    /// use tiny limits to exercise deep trees on the real data).
    pub fn with_limits(layers: &[Layer], leaf_edges: usize, max_depth: u32) -> Self {
        let units: Vec<Vec<EdgeIndex>> = layers
            .iter()
            .map(|l| {
                l.units
                    .iter()
                    .map(|u| EdgeIndex::new(&u.geometry))
                    .collect()
            })
            .collect();
        let bb = layers_bbox(layers);
        let (k, e) = (CELLS_PER_DEGREE, BOUNDARY_EPSILON);
        // The origin is a multiple of 1/64: every cell and sub-cell side is an
        // exact binary fraction, so the descent below compares exactly.
        let x0 = ((bb[0] - 2.0 * e) * k).floor() / k;
        let y0 = ((bb[1] - 2.0 * e) * k).floor() / k;
        let nx = (((bb[2] + 2.0 * e - x0) * k).floor() as usize + 1).max(1);
        let ny = (((bb[3] + 2.0 * e - y0) * k).floor() as usize + 1).max(1);
        let mut loc = Locator {
            x0,
            y0,
            nx,
            ny,
            cells: Vec::new(),
            tree: Tree::new(leaf_edges, max_depth),
            units,
        };
        let mut per_cell: Vec<Vec<Entry>> = vec![Vec::new(); nx * ny];
        for (li, l) in layers.iter().enumerate() {
            for ui in 0..l.units.len() {
                loc.add_unit(li, ui, &mut per_cell);
            }
        }
        let mut cells = Vec::with_capacity(nx * ny);
        for (c, entries) in per_cell.into_iter().enumerate() {
            // Cells that hold nothing, or only covering units, share leaves.
            let rect = loc.cell_rect(c % nx, c / nx);
            cells.push(loc.tree.add(&loc.units, rect, &entries));
        }
        loc.cells = cells;
        loc
    }

    fn cell_rect(&self, cx: usize, cy: usize) -> Cell {
        let k = 1.0 / CELLS_PER_DEGREE;
        let (x, y) = (self.x0 + cx as f64 * k, self.y0 + cy as f64 * k);
        [x, y, x + k, y + k]
    }

    fn cell_of(&self, v: f64, o: f64, n: usize) -> usize {
        (((v - o) * CELLS_PER_DEGREE).floor().max(0.0) as usize).min(n - 1)
    }

    /// Adds one unit's entries to the grid cells its bounding box covers.
    fn add_unit(&self, li: usize, ui: usize, per_cell: &mut [Vec<Entry>]) {
        let idx = &self.units[li][ui];
        if idx.is_empty() {
            return;
        }
        let tag = ((li as u32) << LAYER_SHIFT) | ui as u32;
        let m = 2.0 * BOUNDARY_EPSILON;
        // Edges near each cell (by the edge's box, then the exact segment test).
        let mut near: HashMap<usize, Vec<u32>> = HashMap::new();
        let mut bb = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for (i, s) in idx.edges().iter().enumerate() {
            let (ax, bx) = (s[0].min(s[2]), s[0].max(s[2]));
            let (ay, by) = (s[1].min(s[3]), s[1].max(s[3]));
            bb = [bb[0].min(ax), bb[1].min(ay), bb[2].max(bx), bb[3].max(by)];
            for cy in
                self.cell_of(ay - m, self.y0, self.ny)..=self.cell_of(by + m, self.y0, self.ny)
            {
                for cx in
                    self.cell_of(ax - m, self.x0, self.nx)..=self.cell_of(bx + m, self.x0, self.nx)
                {
                    if edge_near_cell(s, &self.cell_rect(cx, cy)) {
                        near.entry(cy * self.nx + cx).or_default().push(i as u32);
                    }
                }
            }
        }
        for cy in
            self.cell_of(bb[1] - m, self.y0, self.ny)..=self.cell_of(bb[3] + m, self.y0, self.ny)
        {
            // Every corner of the row from one sorted list of crossings.
            let row = idx.row(self.cell_rect(0, cy)[1]);
            for cx in self.cell_of(bb[0] - m, self.x0, self.nx)
                ..=self.cell_of(bb[2] + m, self.x0, self.nx)
            {
                let c = cy * self.nx + cx;
                let r = self.cell_rect(cx, cy);
                let corner_inside = row.inside(r[2]);
                match near.remove(&c) {
                    Some(edges) => per_cell[c].push(Entry {
                        tag,
                        corner_inside,
                        edges,
                    }),
                    None if corner_inside => per_cell[c].push(Entry {
                        tag,
                        corner_inside,
                        edges: Vec::new(),
                    }),
                    None => {}
                }
            }
        }
    }

    /// Append every unit containing (lon, lat), in layer order then unit order.
    #[inline]
    pub fn locate_into(&self, lon: f64, lat: f64, out: &mut Vec<Hit>) {
        let fx = (lon - self.x0) * CELLS_PER_DEGREE;
        let fy = (lat - self.y0) * CELLS_PER_DEGREE;
        // Also rejects NaN.
        if !(fx >= 0.0 && fy >= 0.0 && fx < self.nx as f64 && fy < self.ny as f64) {
            return;
        }
        let (cx, cy) = (fx as usize, fy as usize);
        let mut node = self.cells[cy * self.nx + cx];
        let mut s = 1.0 / CELLS_PER_DEGREE;
        let mut x0 = self.x0 + cx as f64 * s;
        let mut y0 = self.y0 + cy as f64 * s;
        while node[1] == INTERNAL {
            s *= 0.5;
            let right = lon >= x0 + s;
            let up = lat >= y0 + s;
            if right {
                x0 += s;
            }
            if up {
                y0 += s;
            }
            node = self.tree.nodes[node[0] as usize + (usize::from(up) << 1 | usize::from(right))];
        }
        let leaf = self.tree.leaves[node[0] as usize];
        let items = &self.tree.items[leaf.items as usize..][..usize::from(leaf.n_items)];
        let edges = &self.tree.edges[leaf.edges as usize..][..usize::from(leaf.n_edges)];
        let bits = (!edges.is_empty()).then(|| EdgeBits::new(edges, x0 + s, y0, lon, lat));
        for it in items {
            let li = ((it.tag & !(PARTIAL | CORNER_INSIDE | STRIPES)) >> LAYER_SHIFT) as usize;
            let unit = it.tag & UNIT_MASK;
            let position = if it.tag & PARTIAL == 0 {
                Position::Inside
            } else if it.tag & STRIPES != 0 {
                self.units[li][unit as usize].classify(lon, lat)
            } else if let Some(b) = bits {
                b.position(it.mask, it.tag & CORNER_INSIDE != 0)
            } else {
                Position::Outside
            };
            if position != Position::Outside {
                out.push(Hit {
                    layer: LayerKind::ALL[li],
                    unit,
                    on_boundary: position == Position::Boundary,
                });
            }
        }
    }

    /// Every unit containing (lon, lat).
    pub fn locate(&self, lon: f64, lat: f64) -> Vec<Hit> {
        let mut v = Vec::with_capacity(12);
        self.locate_into(lon, lat, &mut v);
        v
    }

    /// Every unit containing each of `points`, in one tight loop (批量查询):
    /// point `i`'s hits are `hits[ends[i]..ends[i + 1]]` (both vectors are
    /// cleared first; `ends` starts with 0).
    ///
    /// The same answers as [`Locator::locate_into`] point by point; batch
    /// callers (bulk attribution) parse a whole chunk first and format after,
    /// so consecutive lookups overlap their memory accesses instead of each
    /// waiting behind a row's parsing and formatting (measured in the
    /// attribution pipeline: about 100 ns a random point interleaved, 55 ns
    /// in a loop like this one).
    pub fn locate_many(&self, points: &[(f64, f64)], hits: &mut Vec<Hit>, ends: &mut Vec<usize>) {
        hits.clear();
        ends.clear();
        ends.reserve(points.len() + 1);
        ends.push(0);
        for &(lon, lat) in points {
            self.locate_into(lon, lat, hits);
            ends.push(hits.len());
        }
    }

    /// Exact test of one unit (for callers that already know the candidate),
    /// by the unit's own stripe index: independent of the grid and tree.
    pub fn classify(&self, layer: LayerKind, unit: usize, lon: f64, lat: f64) -> Position {
        self.units[layer.index()][unit].classify(lon, lat)
    }

    /// Size and shape of the index.
    pub fn stats(&self) -> LocatorStats {
        let t = &self.tree;
        let partial = t.items.iter().filter(|i| i.tag & PARTIAL != 0).count();
        LocatorStats {
            cells: self.nx * self.ny,
            nodes: t.nodes.len(),
            leaves: t.leaves.len(),
            items: t.items.len(),
            partial_items: partial,
            edges: t.edges.len(),
            depth: t.depth,
            bytes: self.cells.len() * 8
                + t.nodes.len() * 8
                + t.leaves.len() * 12
                + t.items.len() * 8
                + t.edges.len() * 32,
        }
    }
}
