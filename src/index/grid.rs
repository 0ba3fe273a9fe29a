//! The all-layer cell grid: each cell of a regular lon/lat grid lists the units
//! (of every layer) that cover it entirely ("full") or whose boundary passes
//! through it ("partial"). A lookup reads one cell; only partial entries run the
//! exact test of [`EdgeIndex::classify`](super::edges::EdgeIndex::classify).

use super::edges::{EdgeIndex, Position, BOUNDARY_EPSILON};
use crate::atlas::{Layer, LayerKind};

/// Grid resolution: cells per degree (1/64 degree, about 1.5 x 1.7 km in Hubei).
pub const CELLS_PER_DEGREE: f64 = 64.0;

const PARTIAL: u32 = 1 << 31;
const LAYER_SHIFT: u32 = 27;
const UNIT_MASK: u32 = (1 << LAYER_SHIFT) - 1;

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

/// The all-layer point locator (点位查询索引).
#[derive(Debug, Clone)]
pub struct Locator {
    x0: f64,
    y0: f64,
    nx: usize,
    ny: usize,
    offsets: Vec<u32>,
    entries: Vec<u32>,
    /// Per layer, per unit exact tester.
    edges: Vec<Vec<EdgeIndex>>,
}

impl Locator {
    /// Build the locator over layers given in [`LayerKind::ALL`] order.
    pub fn new(layers: &[Layer]) -> Self {
        let edges: Vec<Vec<EdgeIndex>> = layers
            .iter()
            .map(|l| {
                l.units
                    .iter()
                    .map(|u| EdgeIndex::new(&u.geometry))
                    .collect()
            })
            .collect();
        let mut bb = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for l in layers {
            for u in &l.units {
                if let Some(r) = u.bbox() {
                    bb = [
                        bb[0].min(r.min().x),
                        bb[1].min(r.min().y),
                        bb[2].max(r.max().x),
                        bb[3].max(r.max().y),
                    ];
                }
            }
        }
        if !bb[0].is_finite() {
            bb = [0.0, 0.0, 0.0, 0.0];
        }
        let k = CELLS_PER_DEGREE;
        let x0 = ((bb[0] - BOUNDARY_EPSILON) * k).floor() / k;
        let y0 = ((bb[1] - BOUNDARY_EPSILON) * k).floor() / k;
        let nx = (((bb[2] + BOUNDARY_EPSILON - x0) * k).floor() as usize + 1).max(1);
        let ny = (((bb[3] + BOUNDARY_EPSILON - y0) * k).floor() as usize + 1).max(1);
        let mut cells: Vec<Vec<u32>> = vec![Vec::new(); nx * ny];
        let cell_of =
            |v: f64, o: f64, n: usize| (((v - o) * k).floor().max(0.0) as usize).min(n - 1);
        for (li, l) in layers.iter().enumerate() {
            for (ui, u) in l.units.iter().enumerate() {
                let Some(r) = u.bbox() else { continue };
                let e = BOUNDARY_EPSILON;
                let (cx0, cx1) = (
                    cell_of(r.min().x - e, x0, nx),
                    cell_of(r.max().x + e, x0, nx),
                );
                let (cy0, cy1) = (
                    cell_of(r.min().y - e, y0, ny),
                    cell_of(r.max().y + e, y0, ny),
                );
                let w = cx1 - cx0 + 1;
                let mut partial = vec![false; w * (cy1 - cy0 + 1)];
                for p in &u.geometry.0 {
                    for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                        for s in ring.0.windows(2) {
                            let (ax, bx) = (s[0].x.min(s[1].x), s[0].x.max(s[1].x));
                            let (ay, by) = (s[0].y.min(s[1].y), s[0].y.max(s[1].y));
                            for cy in cell_of(ay - e, y0, ny)..=cell_of(by + e, y0, ny) {
                                for cx in cell_of(ax - e, x0, nx)..=cell_of(bx + e, x0, nx) {
                                    partial[(cy - cy0) * w + (cx - cx0)] = true;
                                }
                            }
                        }
                    }
                }
                let tag = ((li as u32) << LAYER_SHIFT) | ui as u32;
                for cy in cy0..=cy1 {
                    for cx in cx0..=cx1 {
                        let cell = &mut cells[cy * nx + cx];
                        if partial[(cy - cy0) * w + (cx - cx0)] {
                            cell.push(tag | PARTIAL);
                        } else {
                            let (mx, my) = (x0 + (cx as f64 + 0.5) / k, y0 + (cy as f64 + 0.5) / k);
                            if edges[li][ui].classify(mx, my) == Position::Inside {
                                cell.push(tag);
                            }
                        }
                    }
                }
            }
        }
        let mut offsets = Vec::with_capacity(cells.len() + 1);
        let mut entries = Vec::new();
        offsets.push(0);
        for c in cells {
            entries.extend(c);
            offsets.push(entries.len() as u32);
        }
        Locator {
            x0,
            y0,
            nx,
            ny,
            offsets,
            entries,
            edges,
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
        let c = fy as usize * self.nx + fx as usize;
        let (a, b) = (self.offsets[c] as usize, self.offsets[c + 1] as usize);
        for &e in &self.entries[a..b] {
            let li = ((e & !PARTIAL) >> LAYER_SHIFT) as usize;
            let ui = e & UNIT_MASK;
            let on_boundary = if e & PARTIAL == 0 {
                false
            } else {
                match self.edges[li][ui as usize].classify(lon, lat) {
                    Position::Inside => false,
                    Position::Boundary => true,
                    Position::Outside => continue,
                }
            };
            out.push(Hit {
                layer: LayerKind::ALL[li],
                unit: ui,
                on_boundary,
            });
        }
    }

    /// Every unit containing (lon, lat).
    pub fn locate(&self, lon: f64, lat: f64) -> Vec<Hit> {
        let mut v = Vec::with_capacity(12);
        self.locate_into(lon, lat, &mut v);
        v
    }

    /// Exact test of one unit (for callers that already know the candidate).
    pub fn classify(&self, layer: LayerKind, unit: usize, lon: f64, lat: f64) -> Position {
        self.edges[layer.index()][unit].classify(lon, lat)
    }

    /// Grid statistics: (cells, entries, partial entries).
    pub fn stats(&self) -> (usize, usize, usize) {
        let partial = self.entries.iter().filter(|e| *e & PARTIAL != 0).count();
        (self.nx * self.ny, self.entries.len(), partial)
    }
}
