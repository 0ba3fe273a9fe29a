//! 叠加分析 (overlay): the footprint of an issue against every unit of every
//! layer, in milliseconds and with bounded work.
//!
//! - [`union`]: the footprint's polygons normalised (unioned) once, by a
//!   cascaded union in spatial order, under a [`Cost`] bound;
//! - [`area`]: area shares by a quadtree that clips the footprint and the
//!   candidate units together and overlays (i_overlay, the engine inside geo's
//!   `BooleanOps`) only small pieces where both boundaries pass;
//! - [`length`]: length shares, each candidate unit's lines clipped to its box
//!   first;
//! - [`Prepared`]: every unit's rings, box and area, and an R-tree of the
//!   boxes (candidate units), built once per atlas.
//!
//! Every loop checks the request's [`Budget`] (deadline, client gone) and
//! charges a [`Cost`] counter of vertex operations: past its limit the work
//! stops with [`TooComplex`], which the HTTP layer answers with 422.

pub mod area;
pub mod clip;
pub mod length;
pub mod rings;
pub mod union;

use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

use std::collections::HashMap;

use crate::atlas::{Atlas, LayerKind};
use crate::budget::Exhausted;
use rings::Pt;

pub use area::{area_shares, AreaShares};
pub use length::{length_shares, LengthShares};
pub use rings::Rings;
pub use union::union_polygons;

/// Which step of the analysis a [`Cost`] bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Checking that every polygon is valid (segment pairs tested).
    Validation,
    /// Merging the footprint's polygons into one region (vertices merged).
    Normalisation,
    /// Overlaying the footprint with the units (vertices clipped and overlaid).
    Overlay,
}

impl Stage {
    /// Name used in messages and problem details.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Validation => "validation",
            Stage::Normalisation => "normalisation",
            Stage::Overlay => "overlay",
        }
    }

    /// What the work counter counts.
    pub fn unit(self) -> &'static str {
        match self {
            Stage::Validation => "segment pair tests (an exact test counts 8)",
            Stage::Normalisation => {
                "vertices merged (a merge counts 32 more, a crossing of two parts 16)"
            }
            Stage::Overlay => "vertices clipped or overlaid",
        }
    }
}

/// The footprint needs more work than one request may use (HTTP 422).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the footprint is too complex: its {} needs more than {limit} {} (the limit of one request)",
    .stage.name(),
    .stage.unit()
)]
pub struct TooComplex {
    /// The step that ran out.
    pub stage: Stage,
    /// The limit of that step, in its unit.
    pub limit: u64,
    /// Work counted when it stopped (over the limit).
    pub spent: u64,
}

/// A deterministic work counter with a limit: the same footprint is always
/// accepted or always refused, whatever the load of the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    /// The step counted.
    pub stage: Stage,
    /// Work so far.
    pub spent: u64,
    /// Refuse past this.
    pub limit: u64,
}

impl Cost {
    /// A fresh counter.
    pub fn new(stage: Stage, limit: u64) -> Cost {
        Cost {
            stage,
            spent: 0,
            limit,
        }
    }

    /// Counts `n` units of work; `Err` once past the limit.
    pub fn charge(&mut self, n: u64) -> Result<(), TooComplex> {
        self.spent = self.spent.saturating_add(n);
        if self.spent > self.limit {
            Err(TooComplex {
                stage: self.stage,
                limit: self.limit,
                spent: self.spent,
            })
        } else {
            Ok(())
        }
    }
}

/// Why an overlay stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OverlayError {
    /// Past the work limit (HTTP 422).
    #[error(transparent)]
    TooComplex(#[from] TooComplex),
    /// Past the deadline, or cancelled (HTTP 503).
    #[error(transparent)]
    Exhausted(#[from] Exhausted),
}

/// One unit prepared for overlays.
#[derive(Debug)]
struct PreparedUnit {
    rings: Rings,
    area_m2: f64,
}

/// Every unit of every layer as [`Rings`] (exteriors counter-clockwise), in
/// slots numbered layer by layer; one more slot for the province region (all
/// polygons of the province layer); an R-tree of their boxes.
///
/// A unit proven to be the exact union of some county-level units (its
/// directed edges are theirs after shared edges cancel, so its winding number
/// is the sum of theirs everywhere) is *derived*: its area share is the sum of
/// its counties' shares, and only the counties are overlaid. The embedded
/// layers are built that way (see `data/SOURCES.md`); a unit that fails the
/// proof is overlaid itself.
#[derive(Debug)]
pub struct Prepared {
    units: Vec<PreparedUnit>,
    /// `(layer index, unit index)` of each slot but the last.
    owners: Vec<(usize, usize)>,
    /// Member county slots of each derived unit (`None`: overlaid itself).
    derived: Vec<Option<Vec<usize>>>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
}

/// The R-tree entries of the slots' boxes (a slot without rings has none).
fn boxes(units: &[PreparedUnit]) -> Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> {
    units
        .iter()
        .enumerate()
        .filter_map(|(slot, u)| {
            let b = u.rings.bbox()?;
            Some(GeomWithData::new(
                Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]),
                slot,
            ))
        })
        .collect()
}

/// The county-level units each unit claims by the layer tables (a proposal,
/// proven or rejected by [`exact_union`]).
fn claimed_members(atlas: &Atlas) -> HashMap<(usize, String), Vec<usize>> {
    let mut claims: HashMap<(usize, String), Vec<usize>> = HashMap::new();
    for (i, c) in atlas.layer(LayerKind::County).units.iter().enumerate() {
        let Some(m) = atlas.memberships(&c.id) else {
            continue;
        };
        let mut claim = |k: LayerKind, id: &str| {
            claims
                .entry((k.index(), id.to_string()))
                .or_default()
                .push(i);
        };
        for p in &atlas.layer(LayerKind::Province).units {
            claim(LayerKind::Province, &p.id);
        }
        claim(LayerKind::Prefecture, &m.prefecture);
        m.zone.iter().for_each(|z| claim(LayerKind::Zone, z));
        m.basin.iter().for_each(|b| claim(LayerKind::Basin, b));
        m.metro_areas
            .iter()
            .for_each(|g| claim(LayerKind::MetroArea, g));
        m.city_clusters
            .iter()
            .for_each(|g| claim(LayerKind::CityCluster, g));
        m.corridors
            .iter()
            .for_each(|g| claim(LayerKind::Corridor, g));
    }
    claims
}

/// Whether `unit` is exactly the union of `parts`: every edge, as a signed
/// undirected key, cancels between the parts (shared borders run both ways)
/// and the unit.
fn exact_union(unit: &Rings, parts: &[&Rings]) -> bool {
    type Key = (u64, u64);
    fn key(p: Pt) -> Key {
        ((p[0] + 0.0).to_bits(), (p[1] + 0.0).to_bits())
    }
    let mut edges: HashMap<(Key, Key), i64> = HashMap::new();
    let mut add = |r: &Rings, sign: i64| {
        for ring in r.rings() {
            let mut a = ring[ring.len() - 1];
            for &b in ring {
                let (ka, kb) = (key(a), key(b));
                if ka != kb {
                    let (k, s) = if ka < kb {
                        ((ka, kb), sign)
                    } else {
                        ((kb, ka), -sign)
                    };
                    *edges.entry(k).or_default() += s;
                }
                a = b;
            }
        }
    };
    parts.iter().for_each(|p| add(p, 1));
    add(unit, -1);
    edges.values().all(|v| *v == 0)
}

impl Prepared {
    /// Prepares the layers of an atlas (a few milliseconds for Hubei).
    pub fn new(atlas: &Atlas) -> Prepared {
        let layers = atlas.layers();
        let mut units = Vec::new();
        let mut owners = Vec::new();
        let mut county_slots = Vec::new();
        for (l, layer) in layers.iter().enumerate() {
            for (i, u) in layer.units.iter().enumerate() {
                let rings = Rings::from_multipolygon(&u.geometry);
                if layer.kind == LayerKind::County {
                    county_slots.push(units.len());
                }
                units.push(PreparedUnit {
                    area_m2: rings.area_m2(),
                    rings,
                });
                owners.push((l, i));
            }
        }
        let claims = claimed_members(atlas);
        let derived = owners
            .iter()
            .enumerate()
            .map(|(slot, &(l, i))| {
                if layers[l].kind == LayerKind::County {
                    return None;
                }
                let members: Vec<usize> = claims
                    .get(&(l, layers[l].units[i].id.clone()))?
                    .iter()
                    .map(|&c| county_slots[c])
                    .collect();
                let parts: Vec<&Rings> = members.iter().map(|&m| &units[m].rings).collect();
                exact_union(&units[slot].rings, &parts).then_some(members)
            })
            .collect();
        let province = layers
            .iter()
            .find(|l| l.kind == LayerKind::Province)
            .map(|l| Rings::from_polygons(l.units.iter().flat_map(|u| u.geometry.0.iter())))
            .unwrap_or_default();
        units.push(PreparedUnit {
            area_m2: province.area_m2(),
            rings: province,
        });
        let tree = RTree::bulk_load(boxes(&units));
        Prepared {
            units,
            owners,
            derived,
            tree,
        }
    }

    /// Prepares a list of units on their own (no derived units; the region
    /// slot is empty, so [`AreaShares::outside`] is the whole footprint):
    /// the neighbouring provinces, overlaid only when a footprint leaves
    /// Hubei. A slot's owner is `(0, index in units)`.
    pub fn of_units(units: &[crate::atlas::Unit]) -> Prepared {
        let mut prepared: Vec<PreparedUnit> = units
            .iter()
            .map(|u| {
                let rings = Rings::from_multipolygon(&u.geometry);
                PreparedUnit {
                    area_m2: rings.area_m2(),
                    rings,
                }
            })
            .collect();
        let owners = (0..units.len()).map(|i| (0, i)).collect();
        let derived = vec![None; units.len()];
        prepared.push(PreparedUnit {
            rings: Rings::default(),
            area_m2: 0.0,
        });
        let tree = RTree::bulk_load(boxes(&prepared));
        Prepared {
            units: prepared,
            owners,
            derived,
            tree,
        }
    }

    /// The member county slots of a derived unit (see [`Prepared`]).
    pub fn derived(&self, slot: usize) -> Option<&[usize]> {
        self.derived.get(slot)?.as_deref()
    }

    /// Number of slots (units plus the province region).
    pub fn slots(&self) -> usize {
        self.units.len()
    }

    /// The slot of the province region.
    pub fn province_slot(&self) -> usize {
        self.units.len() - 1
    }

    /// `(layer index, unit index)` of a unit slot (`None` for the province region).
    pub fn owner(&self, slot: usize) -> Option<(usize, usize)> {
        self.owners.get(slot).copied()
    }

    /// The rings of a slot.
    pub fn rings(&self, slot: usize) -> &Rings {
        &self.units[slot].rings
    }

    /// The area (m²) of a slot's region.
    pub fn area_m2(&self, slot: usize) -> f64 {
        self.units[slot].area_m2
    }

    /// Slots whose box meets `b`, in slot order.
    pub fn candidates(&self, b: &rings::Bbox) -> Vec<usize> {
        let env = AABB::from_corners([b[0], b[1]], [b[2], b[3]]);
        let mut v: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&env)
            .map(|g| g.data)
            .collect();
        v.sort_unstable();
        v
    }
}
