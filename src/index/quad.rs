//! Build of the adaptive quadtree over the partial cells of the grid (自适应四叉树).
//!
//! A grid cell that unit boundaries pass near is split into four, and so on,
//! until the cell holds at most [`LEAF_EDGES`] distinct edges (all partial
//! units together; a border shared by several layers counts once) or is
//! [`MAX_DEPTH`] levels below the grid. At each split a unit keeps only its
//! edges that come within 2 × [`BOUNDARY_EPSILON`] of the child; a unit left
//! without edges covers the child entirely (or not at all), which the child's
//! corner status says. Corner statuses are carried down exactly: a child's
//! corner is linked to its parent's by a path along cell sides
//! ([`path_parity`]), so the build runs no point-in-polygon scan below the grid.

use std::collections::HashMap;

use super::edges::{segment_intersects_rect, EdgeIndex, BOUNDARY_EPSILON};
use super::leaf::path_parity;

/// Split a cell while its partial units hold more distinct edges than this.
pub const LEAF_EDGES: usize = 8;
/// Deepest level below the grid (1/64 degree / 2^8, about 6 m).
pub const MAX_DEPTH: u32 = 8;
/// Most distinct edges a leaf can hold (bits of [`Item::mask`]); a deeper
/// leaf with more falls back to the units' stripe indexes.
const MASK_BITS: usize = 32;

/// Marks an internal node: `[first child, INTERNAL]`; a leaf is `[leaf, 0]`.
pub(crate) const INTERNAL: u32 = u32::MAX;

/// Flags of [`Item::tag`]: the unit's boundary passes near the leaf...
pub(crate) const PARTIAL: u32 = 1 << 31;
/// ...the leaf's corner is inside the unit...
pub(crate) const CORNER_INSIDE: u32 = 1 << 30;
/// ...the leaf has too many edges: test the unit with its stripe index.
pub(crate) const STRIPES: u32 = 1 << 29;
/// Layer index shift and unit mask inside a tag.
pub(crate) const LAYER_SHIFT: u32 = 25;
pub(crate) const UNIT_MASK: u32 = (1 << LAYER_SHIFT) - 1;

/// One unit of a cell during the build: covering, or partial with its edges.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Layer and unit bits.
    pub tag: u32,
    /// Whether the cell's corner `(x1, y0)` is inside the unit.
    pub corner_inside: bool,
    /// Indices of the unit's edges near the cell (empty for a covering unit).
    pub edges: Vec<u32>,
}

/// One unit in a leaf: its tag and flags, and its edges among the leaf's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Item {
    /// Layer and unit bits plus flags.
    pub tag: u32,
    /// Bit `j`: the leaf's edge `j` is one of this unit's.
    pub mask: u32,
}

/// A leaf: ranges of [`Tree::items`] and [`Tree::edges`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Leaf {
    /// First item.
    pub items: u32,
    /// First edge.
    pub edges: u32,
    /// Item count.
    pub n_items: u16,
    /// Edge count (0: every item covers the leaf).
    pub n_edges: u16,
}

/// The flattened quadtree: nodes, leaves, items and distinct edge coordinates.
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    /// `[first child, INTERNAL]` or `[leaf index, 0]`.
    pub nodes: Vec<[u32; 2]>,
    /// Leaves (covering-only leaves are shared between cells).
    pub leaves: Vec<Leaf>,
    /// Units of the leaves, in layer then unit order within a leaf.
    pub items: Vec<Item>,
    /// Distinct edges of the leaves, endpoints in canonical order.
    pub edges: Vec<[f64; 4]>,
    /// Deepest leaf level reached.
    pub depth: u32,
    /// Covering-only item lists already stored, for sharing.
    shared: HashMap<Vec<Item>, u32>,
    /// Split a cell holding more distinct edges than this...
    pub leaf_edges: usize,
    /// ...unless it is this many levels below the grid.
    pub max_depth: u32,
}

/// A cell rectangle `[x0, y0, x1, y1]`; its coordinates are exact binary fractions.
pub(crate) type Cell = [f64; 4];

/// The edge with its endpoints in canonical (lexicographic) order.
fn canonical(e: [f64; 4]) -> [f64; 4] {
    if (e[0], e[1]) <= (e[2], e[3]) {
        e
    } else {
        [e[2], e[3], e[0], e[1]]
    }
}

fn key(e: &[f64; 4]) -> [u64; 4] {
    e.map(f64::to_bits)
}

/// The edges of the unit a tag names.
pub(crate) fn unit_edges(units: &[Vec<EdgeIndex>], tag: u32) -> &[[f64; 4]] {
    let li = ((tag & !(PARTIAL | CORNER_INSIDE | STRIPES)) >> LAYER_SHIFT) as usize;
    units[li][(tag & UNIT_MASK) as usize].edges()
}

/// Whether edge `e` comes within 2 × [`BOUNDARY_EPSILON`] of cell `c` (a
/// superset of the edges within the border tolerance of any point of it).
pub(crate) fn edge_near_cell(e: &[f64; 4], c: &Cell) -> bool {
    let m = 2.0 * BOUNDARY_EPSILON;
    segment_intersects_rect(e, c[0] - m, c[1] - m, c[2] + m, c[3] + m)
}

/// The distinct edges (canonical) of the partial entries, in first-seen order.
fn distinct_edges(units: &[Vec<EdgeIndex>], entries: &[Entry]) -> Vec<[f64; 4]> {
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for e in entries {
        let all = unit_edges(units, e.tag);
        for &i in &e.edges {
            let c = canonical(all[i as usize]);
            seen.entry(key(&c)).or_insert_with(|| {
                out.push(c);
                out.len() - 1
            });
        }
    }
    out
}

impl Tree {
    /// An empty tree with these split limits.
    pub(crate) fn new(leaf_edges: usize, max_depth: u32) -> Self {
        Tree {
            nodes: Vec::new(),
            leaves: Vec::new(),
            items: Vec::new(),
            edges: Vec::new(),
            depth: 0,
            shared: HashMap::new(),
            leaf_edges: leaf_edges.clamp(1, MASK_BITS),
            max_depth,
        }
    }

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
        let distinct = distinct_edges(units, entries);
        if depth >= self.max_depth || distinct.len() <= self.leaf_edges {
            self.depth = self.depth.max(depth);
            return [self.leaf(units, entries, distinct), 0];
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

    /// Stores a leaf; returns its index.
    fn leaf(
        &mut self,
        units: &[Vec<EdgeIndex>],
        entries: &[Entry],
        distinct: Vec<[f64; 4]>,
    ) -> u32 {
        let stripes = distinct.len() > MASK_BITS;
        let local: HashMap<[u64; 4], u32> = distinct
            .iter()
            .enumerate()
            .map(|(j, e)| (key(e), j as u32))
            .collect();
        let items: Vec<Item> = entries
            .iter()
            .map(|e| item(units, e, &local, stripes))
            .collect();
        if distinct.is_empty() {
            if let Some(&l) = self.shared.get(&items) {
                return l;
            }
        }
        let leaf = Leaf {
            items: self.items.len() as u32,
            edges: self.edges.len() as u32,
            n_items: items.len() as u16,
            n_edges: if stripes { 0 } else { distinct.len() as u16 },
        };
        if !stripes {
            self.edges.extend(distinct);
        }
        let index = self.leaves.len() as u32;
        if leaf.n_edges == 0 && !stripes {
            self.shared.insert(items.clone(), index);
        }
        self.items.extend(items);
        self.leaves.push(leaf);
        index
    }
}

/// The stored item of one entry of a leaf.
fn item(
    units: &[Vec<EdgeIndex>],
    e: &Entry,
    local: &HashMap<[u64; 4], u32>,
    stripes: bool,
) -> Item {
    if e.edges.is_empty() {
        return Item {
            tag: e.tag,
            mask: 0,
        };
    }
    let mut tag = e.tag | PARTIAL;
    if stripes {
        return Item {
            tag: tag | STRIPES,
            mask: 0,
        };
    }
    if e.corner_inside {
        tag |= CORNER_INSIDE;
    }
    let all = unit_edges(units, e.tag);
    let mask = e.edges.iter().fold(0u32, |m, &i| {
        m | 1 << local[&key(&canonical(all[i as usize]))]
    });
    Item { tag, mask }
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
        if e.edges.is_empty() {
            out.push(e.clone());
            continue;
        }
        let all = unit_edges(units, e.tag);
        // The child's corner (k.x1, k.y0) from the parent's (parent.x1, parent.y0).
        let corner_inside = e.corner_inside
            ^ path_parity(
                e.edges.iter().map(|&i| &all[i as usize]),
                k[2],
                k[1],
                parent[2],
                parent[1],
            );
        let near: Vec<u32> = e
            .edges
            .iter()
            .copied()
            .filter(|&i| edge_near_cell(&all[i as usize], k))
            .collect();
        if !near.is_empty() || corner_inside {
            out.push(Entry {
                tag: e.tag,
                corner_inside,
                edges: near,
            });
        }
    }
    out
}
