//! Build of the adaptive quadtree over the partial cells of the grid (自适应四叉树).
//!
//! A grid cell that some unit boundary passes through is split into four, and
//! so on, until the cell holds at most [`LEAF_EDGES`] edges (all partial units
//! together) or is [`MAX_DEPTH`] levels below the grid. At each split a unit
//! keeps only its edges that come within 2 × [`BOUNDARY_EPSILON`] of the child;
//! a unit left without edges covers the child entirely (or not at all), which
//! the child's corner status says. Corner statuses are carried down exactly:
//! a child's corner is linked to its parent's by a path along cell sides
//! ([`path_parity`]), so the build costs no point-in-polygon scans below the grid.

use super::edges::{segment_intersects_rect, EdgeIndex, BOUNDARY_EPSILON};
use super::leaf::path_parity;

/// Split a cell while its partial units hold more edges than this.
pub const LEAF_EDGES: usize = 12;
/// Deepest level below the grid (1/64 degree / 2^9, about 3 m).
pub const MAX_DEPTH: u32 = 9;

/// Marks an internal node: `[first child, INTERNAL]`; a leaf is `[start, end)` of items.
pub(crate) const INTERNAL: u32 = u32::MAX;

/// One unit of a cell: fully covering, or partial with its nearby edges.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Layer and unit bits (see `grid`).
    pub tag: u32,
    /// Whether the cell's corner `(x1, y0)` is inside the unit (partial units).
    pub corner_inside: bool,
    /// Indices of the unit's edges near the cell; empty for a covering unit.
    pub edges: Vec<u32>,
    /// Whether the unit's boundary passes near the cell.
    pub partial: bool,
}

/// One unit in a leaf, as stored: `edges` is a range of [`Tree::edges`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item {
    /// Layer and unit bits; `PARTIAL` and `CORNER_INSIDE` flags.
    pub tag: u32,
    /// First edge in [`Tree::edges`].
    pub start: u32,
    /// One past the last edge.
    pub end: u32,
}

/// The flattened quadtree nodes, leaf items and copied edge coordinates.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tree {
    /// `[start, end)` of items for a leaf, `[first child, INTERNAL]` otherwise.
    pub nodes: Vec<[u32; 2]>,
    /// Units of the leaves, in layer then unit order within a leaf.
    pub items: Vec<Item>,
    /// Edge coordinates of the partial items (copied for locality).
    pub edges: Vec<[f64; 4]>,
    /// Deepest leaf level reached.
    pub depth: u32,
}

/// Flags of [`Item::tag`].
pub(crate) const PARTIAL: u32 = 1 << 31;
pub(crate) const CORNER_INSIDE: u32 = 1 << 30;
/// Layer index shift and unit mask inside a tag.
pub(crate) const LAYER_SHIFT: u32 = 26;
pub(crate) const UNIT_MASK: u32 = (1 << LAYER_SHIFT) - 1;

/// A cell rectangle `[x0, y0, x1, y1]`; its coordinates are exact binary fractions.
pub(crate) type Cell = [f64; 4];

impl Tree {
    /// Builds the subtree of one grid cell; returns its node.
    pub(crate) fn add(
        &mut self,
        units: &[Vec<EdgeIndex>],
        cell: Cell,
        entries: &[Entry],
    ) -> [u32; 2] {
        self.node(units, cell, 0, entries)
    }

    fn node(
        &mut self,
        units: &[Vec<EdgeIndex>],
        c: Cell,
        depth: u32,
        entries: &[Entry],
    ) -> [u32; 2] {
        let load: usize = entries.iter().map(|e| e.edges.len()).sum();
        if depth >= MAX_DEPTH || load <= LEAF_EDGES {
            self.depth = self.depth.max(depth);
            return self.leaf(units, entries);
        }
        let first = self.nodes.len();
        self.nodes.extend([[0, 0]; 4]);
        let (mx, my) = ((c[0] + c[2]) * 0.5, (c[1] + c[3]) * 0.5);
        // Child order: bit 0 = right half, bit 1 = upper half.
        let kids = [
            [c[0], c[1], mx, my],
            [mx, c[1], c[2], my],
            [c[0], my, mx, c[3]],
            [mx, my, c[2], c[3]],
        ];
        for (q, k) in kids.into_iter().enumerate() {
            let sub = child_entries(units, &c, &k, entries);
            let n = self.node(units, k, depth + 1, &sub);
            self.nodes[first + q] = n;
        }
        [first as u32, INTERNAL]
    }

    fn leaf(&mut self, units: &[Vec<EdgeIndex>], entries: &[Entry]) -> [u32; 2] {
        let start = self.items.len() as u32;
        for e in entries {
            let mut tag = e.tag;
            let from = self.edges.len() as u32;
            if e.partial {
                tag |= PARTIAL;
                if e.corner_inside {
                    tag |= CORNER_INSIDE;
                }
                let all = unit_edges(units, e.tag);
                self.edges.extend(e.edges.iter().map(|&i| all[i as usize]));
            }
            self.items.push(Item {
                tag,
                start: from,
                end: self.edges.len() as u32,
            });
        }
        [start, self.items.len() as u32]
    }
}

/// The edges of the unit a tag names.
pub(crate) fn unit_edges(units: &[Vec<EdgeIndex>], tag: u32) -> &[[f64; 4]] {
    let li = ((tag & !(PARTIAL | CORNER_INSIDE)) >> LAYER_SHIFT) as usize;
    units[li][(tag & UNIT_MASK) as usize].edges()
}

/// Whether edge `e` comes within 2 × [`BOUNDARY_EPSILON`] of cell `c` (a
/// superset of the edges within the border tolerance of any point of it).
pub(crate) fn edge_near_cell(e: &[f64; 4], c: &Cell) -> bool {
    let m = 2.0 * BOUNDARY_EPSILON;
    segment_intersects_rect(e, c[0] - m, c[1] - m, c[2] + m, c[3] + m)
}

/// The entries of child cell `k` of `parent`, in the parent's order.
fn child_entries(
    units: &[Vec<EdgeIndex>],
    parent: &Cell,
    k: &Cell,
    entries: &[Entry],
) -> Vec<Entry> {
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        if !e.partial {
            out.push(e.clone());
            continue;
        }
        let all = unit_edges(units, e.tag);
        let near: Vec<u32> = e
            .edges
            .iter()
            .copied()
            .filter(|&i| edge_near_cell(&all[i as usize], k))
            .collect();
        // The child's corner (k.x1, k.y0) from the parent's (parent.x1, parent.y0).
        let parent_edges: Vec<[f64; 4]> = e.edges.iter().map(|&i| all[i as usize]).collect();
        let corner_inside =
            e.corner_inside ^ path_parity(&parent_edges, k[2], k[1], parent[2], parent[1]);
        if near.is_empty() {
            if corner_inside {
                out.push(Entry {
                    tag: e.tag,
                    corner_inside: true,
                    edges: Vec::new(),
                    partial: false,
                });
            }
        } else {
            out.push(Entry {
                tag: e.tag,
                corner_inside,
                edges: near,
                partial: true,
            });
        }
    }
    out
}
