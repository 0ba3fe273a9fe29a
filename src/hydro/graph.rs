//! The directed river network (有向河网) loaded from `data/rivers/`, validated at
//! load, with every edge split at county borders (县界) so that navigation answers
//! carry jurisdictions.
use super::geom::km;
use crate::atlas::Atlas;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use thiserror::Error;

/// `data/rivers/network.json` (nodes, rivers, zone links), embedded.
pub const EMBEDDED_NETWORK: &str = include_str!("../../data/rivers/network.json");
/// `data/rivers/rivers.geojson` (directed edges), embedded.
pub const EMBEDDED_RIVERS: &str = include_str!("../../data/rivers/rivers.geojson");
/// `data/rivers/lakes.geojson`, embedded.
pub const EMBEDDED_LAKES: &str = include_str!("../../data/rivers/lakes.geojson");

/// Sampling step used to split edges at county borders, km. A border crossing is
/// placed at the midpoint between the last sample in one county and the first in
/// the next, so reach ends are within `SPLIT_STEP_KM / 2` of the true border.
pub const SPLIT_STEP_KM: f64 = 0.25;

/// Errors loading or validating the network.
#[derive(Debug, Error)]
pub enum GraphError {
    /// JSON syntax or a missing field.
    #[error("river network file: {0}")]
    Parse(String),
    /// A structural check failed.
    #[error("river network validation: {0}")]
    Invalid(String),
}

/// A network node (节点).
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    /// Stable id (`n000`).
    pub id: String,
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// `inflow`, `outlet`, `outflow`, `distributary_head`, `head`, `confluence`, `split`, `pass`.
    pub role: String,
    /// Label for declared nodes.
    pub label: String,
}

/// A directed edge (河段), flowing from `from` to `to`.
#[derive(Debug, Clone)]
pub struct Edge {
    /// Stable id (`e000`).
    pub id: String,
    /// Upstream node index.
    pub from: usize,
    /// Downstream node index.
    pub to: usize,
    /// River index, if named.
    pub river: Option<usize>,
    /// Vertices in flow order.
    pub coords: Vec<(f64, f64)>,
    /// Cumulative km at each vertex.
    pub cum_km: Vec<f64>,
    /// `WDBII` or `derived centreline`.
    pub source: String,
    /// Pieces between county borders: (km_from, km_to, jurisdiction index).
    pub pieces: Vec<(f64, f64, Option<usize>)>,
    /// For each piece, the neighbouring province (index into
    /// [`RiverGraph::provinces`]) it lies in when outside Hubei.
    pub beyond: Vec<Option<usize>>,
    /// Bounding box [min lon, min lat, max lon, max lat].
    pub bbox: [f64; 4],
    /// Shared copies of the id and river names for cheap answers.
    pub labels: EdgeLabels,
}

/// Shared strings of an edge (cloned into every reach without allocation).
#[derive(Debug, Clone)]
pub struct EdgeLabels {
    /// Edge id.
    pub edge: Arc<str>,
    /// River id.
    pub river: Option<Arc<str>>,
    /// River name.
    pub river_name: Option<Arc<str>>,
}

impl Edge {
    /// Length in km.
    pub fn length_km(&self) -> f64 {
        *self.cum_km.last().unwrap_or(&0.0)
    }

    /// The point at `d` km from the edge start.
    pub fn point_at(&self, d: f64) -> (f64, f64) {
        let i = self
            .cum_km
            .partition_point(|&c| c < d)
            .clamp(1, self.coords.len() - 1);
        let (c0, c1) = (self.cum_km[i - 1], self.cum_km[i]);
        let t = if c1 > c0 {
            ((d - c0) / (c1 - c0)).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (a, b) = (self.coords[i - 1], self.coords[i]);
        (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))
    }

    /// Vertices between `a` and `b` km (in flow order).
    pub fn slice(&self, a: f64, b: f64) -> Vec<(f64, f64)> {
        let mut out = vec![self.point_at(a)];
        for (i, &c) in self.cum_km.iter().enumerate() {
            if c > a && c < b {
                out.push(self.coords[i]);
            }
        }
        out.push(self.point_at(b));
        out
    }
}

/// A named river (河流) of the gazetteer.
#[derive(Debug, Clone, Serialize)]
pub struct River {
    /// Stable id.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// `main`, `distributary`, `tributary`.
    pub kind: String,
    /// First-level basin id.
    pub basin: String,
    /// Total length in the network, km.
    pub length_km: f64,
    /// Leaves Hubei at its downstream end.
    pub leaves_hubei: bool,
    /// Certainty label.
    pub status: String,
    /// Source of the gazetteer facts.
    pub source: String,
    /// Edge indices in flow order.
    #[serde(skip)]
    pub edges: Vec<usize>,
}

/// A zone-level drainage link (二级流域片区 -> mouth node).
#[derive(Debug, Clone, Serialize)]
pub struct ZoneLinkInfo {
    /// Zone id.
    pub zone: String,
    /// Carrying river.
    pub via: String,
    /// Receiving river id.
    pub into: String,
    /// Mouth node id.
    pub mouth_node: String,
    /// Mouth place name.
    pub mouth_name: String,
    /// Whether WDBII holds the carrying river's line.
    pub in_wdbii: bool,
    /// Mouth node index.
    #[serde(skip)]
    pub node: usize,
}

/// The jurisdiction of a reach piece (from `Atlas::locate`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Jurisdiction {
    /// County adcode.
    pub county: String,
    /// County name.
    pub county_name: String,
    /// Prefecture adcode.
    pub prefecture: String,
    /// Prefecture name.
    pub prefecture_name: String,
    /// Zone id (二级流域片区, reconstructed).
    pub zone: Option<String>,
    /// Zone name.
    pub zone_name: Option<String>,
    /// First-level basin id.
    pub basin: Option<String>,
    /// Basin name.
    pub basin_name: Option<String>,
}

/// A neighbouring province (相邻省份) a reach outside Hubei lies in.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Province {
    /// Adcode (`430000`).
    pub adcode: String,
    /// Name (`湖南省`).
    pub name: String,
}

/// Load-time validation summary.
#[derive(Debug, Clone, Serialize)]
pub struct GraphSummary {
    /// Node count.
    pub nodes: usize,
    /// Edge count.
    pub edges: usize,
    /// Total length, km.
    pub total_km: f64,
    /// Source node ids (heads and inflows).
    pub sources: usize,
    /// Sink node ids (outlet and declared outflows).
    pub sinks: Vec<String>,
    /// Named rivers.
    pub rivers: usize,
    /// Length inside Hubei, km.
    pub inside_hubei_km: f64,
}

/// The directed river network with jurisdictions.
#[derive(Debug, Clone)]
pub struct RiverGraph {
    /// Nodes.
    pub nodes: Vec<Node>,
    /// Edges.
    pub edges: Vec<Edge>,
    /// Named rivers.
    pub rivers: Vec<River>,
    /// Zone-level links.
    pub zone_links: Vec<ZoneLinkInfo>,
    /// Jurisdictions referenced by edge pieces.
    pub jurisdictions: Vec<Arc<Jurisdiction>>,
    /// Neighbouring provinces referenced by [`Edge::beyond`].
    pub provinces: Vec<Arc<Province>>,
    /// Out-edges per node.
    pub outs: Vec<Vec<usize>>,
    /// In-edges per node.
    pub ins: Vec<Vec<usize>>,
    /// Topological order of nodes.
    pub topo: Vec<usize>,
    /// Provenance block of network.json.
    pub provenance: Value,
    /// Validation summary.
    pub summary: GraphSummary,
    /// Bank pairs per river (same order as `rivers`).
    pub banks: Vec<Vec<super::banks::BankPair>>,
    /// Zone id -> (name, area km²) from the Atlas zones layer.
    pub zone_areas: BTreeMap<String, (String, f64)>,
}

fn s(v: &Value, k: &str) -> Result<String, GraphError> {
    v.get(k)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| GraphError::Parse(format!("missing string field {k}")))
}

impl RiverGraph {
    /// The embedded network, with jurisdictions from `atlas`.
    pub fn embedded(atlas: &Atlas) -> Result<RiverGraph, GraphError> {
        Self::parse(EMBEDDED_NETWORK, EMBEDDED_RIVERS, atlas)
    }

    /// Parses, validates and splits the network at county borders.
    pub fn parse(
        network_json: &str,
        rivers_geojson: &str,
        atlas: &Atlas,
    ) -> Result<RiverGraph, GraphError> {
        let net: Value =
            serde_json::from_str(network_json).map_err(|e| GraphError::Parse(e.to_string()))?;
        let fc: Value =
            serde_json::from_str(rivers_geojson).map_err(|e| GraphError::Parse(e.to_string()))?;
        let mut node_ix = BTreeMap::new();
        let mut nodes = Vec::new();
        for (i, n) in net["nodes"].as_array().into_iter().flatten().enumerate() {
            let id = s(n, "id")?;
            node_ix.insert(id.clone(), i);
            nodes.push(Node {
                id,
                lon: n["lon"]
                    .as_f64()
                    .ok_or_else(|| GraphError::Parse("node lon".into()))?,
                lat: n["lat"]
                    .as_f64()
                    .ok_or_else(|| GraphError::Parse("node lat".into()))?,
                role: s(n, "role")?,
                label: s(n, "label").unwrap_or_default(),
            });
        }
        let mut rivers = Vec::new();
        let mut river_ix = BTreeMap::new();
        for (i, r) in net["rivers"].as_array().into_iter().flatten().enumerate() {
            let id = s(r, "id")?;
            river_ix.insert(id.clone(), i);
            rivers.push(River {
                id,
                name: s(r, "name")?,
                name_en: s(r, "name_en")?,
                kind: s(r, "kind")?,
                basin: s(r, "basin")?,
                length_km: r["length_km"].as_f64().unwrap_or(0.0),
                leaves_hubei: r["leaves_hubei"].as_bool().unwrap_or(false),
                status: s(r, "status")?,
                source: s(r, "source")?,
                edges: Vec::new(),
            });
        }
        let mut edges = Vec::new();
        for f in fc["features"].as_array().into_iter().flatten() {
            let p = &f["properties"];
            let from = *node_ix
                .get(&s(p, "from")?)
                .ok_or_else(|| GraphError::Parse("edge from".into()))?;
            let to = *node_ix
                .get(&s(p, "to")?)
                .ok_or_else(|| GraphError::Parse("edge to".into()))?;
            let river = match p["river"].as_str() {
                Some(r) => Some(
                    *river_ix
                        .get(r)
                        .ok_or_else(|| GraphError::Parse(format!("unknown river {r}")))?,
                ),
                None => None,
            };
            let coords: Vec<(f64, f64)> = f["geometry"]["coordinates"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| Some((c.get(0)?.as_f64()?, c.get(1)?.as_f64()?)))
                .collect();
            if coords.len() < 2 {
                return Err(GraphError::Invalid(format!(
                    "edge {} has fewer than 2 vertices",
                    s(p, "id")?
                )));
            }
            let mut cum = vec![0.0];
            for w in coords.windows(2) {
                let last = *cum.last().unwrap_or(&0.0);
                cum.push(last + km(w[0], w[1]));
            }
            let id = s(p, "id")?;
            let bbox = coords
                .iter()
                .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, c| {
                    [b[0].min(c.0), b[1].min(c.1), b[2].max(c.0), b[3].max(c.1)]
                });
            if let Some(r) = river {
                rivers[r].edges.push(edges.len());
            }
            edges.push(Edge {
                id,
                from,
                to,
                river,
                coords,
                cum_km: cum,
                source: s(p, "source")?,
                pieces: Vec::new(),
                beyond: Vec::new(),
                bbox,
                labels: EdgeLabels {
                    edge: Arc::from(s(p, "id")?.as_str()),
                    river: river.map(|r| Arc::from(rivers[r].id.as_str())),
                    river_name: river.map(|r| Arc::from(rivers[r].name.as_str())),
                },
            });
        }
        let mut zone_links = Vec::new();
        for z in net["zone_links"].as_array().into_iter().flatten() {
            let mouth_node = s(z, "mouth_node")?;
            let node = *node_ix.get(&mouth_node).ok_or_else(|| {
                GraphError::Invalid(format!("zone link mouth {mouth_node} is not a node"))
            })?;
            zone_links.push(ZoneLinkInfo {
                zone: s(z, "zone")?,
                via: s(z, "via")?,
                into: s(z, "into")?,
                mouth_node,
                mouth_name: s(z, "mouth_name")?,
                in_wdbii: z["in_wdbii"].as_bool().unwrap_or(false),
                node,
            });
        }
        let n = nodes.len();
        let mut outs = vec![Vec::new(); n];
        let mut ins = vec![Vec::new(); n];
        for (i, e) in edges.iter().enumerate() {
            outs[e.from].push(i);
            ins[e.to].push(i);
        }
        let mut g = RiverGraph {
            nodes,
            edges,
            rivers,
            zone_links,
            jurisdictions: Vec::new(),
            provinces: Vec::new(),
            outs,
            ins,
            topo: Vec::new(),
            provenance: net["provenance"].clone(),
            summary: GraphSummary {
                nodes: 0,
                edges: 0,
                total_km: 0.0,
                sources: 0,
                sinks: Vec::new(),
                rivers: 0,
                inside_hubei_km: 0.0,
            },
            banks: Vec::new(),
            zone_areas: BTreeMap::new(),
        };
        g.validate()?;
        g.split_at_borders(atlas);
        {
            use geo::ChamberlainDuquetteArea;
            for u in &atlas.layer(crate::atlas::LayerKind::Zone).units {
                let a = u.geometry.chamberlain_duquette_unsigned_area() / 1e6;
                g.zone_areas
                    .insert(u.id.clone(), (u.name.clone(), (a * 10.0).round() / 10.0));
            }
        }
        g.banks = (0..g.rivers.len())
            .map(|r| super::banks::bank_pairs(&g, atlas, r))
            .collect();
        Ok(g)
    }

    /// Structural validation: a DAG; sinks only at the outlet and declared
    /// outflows; sources only at heads/inflows (in-degree 0, out-degree 1); every
    /// named river a contiguous, non-empty path.
    fn validate(&mut self) -> Result<(), GraphError> {
        let n = self.nodes.len();
        let mut indeg: Vec<usize> = self.ins.iter().map(Vec::len).collect();
        let mut stack: Vec<usize> = (0..n).filter(|&i| indeg[i] == 0).rev().collect();
        let mut topo = Vec::with_capacity(n);
        while let Some(u) = stack.pop() {
            topo.push(u);
            for &e in &self.outs[u] {
                let v = self.edges[e].to;
                indeg[v] -= 1;
                if indeg[v] == 0 {
                    stack.push(v);
                }
            }
        }
        if topo.len() != n {
            return Err(GraphError::Invalid(
                "the network has a cycle (not a DAG)".into(),
            ));
        }
        self.topo = topo;
        let mut sinks = Vec::new();
        let mut sources = 0;
        for (i, nd) in self.nodes.iter().enumerate() {
            if self.ins[i].is_empty() && self.outs[i].is_empty() {
                return Err(GraphError::Invalid(format!("isolated node {}", nd.id)));
            }
            if self.outs[i].is_empty() {
                if nd.role != "outlet" && nd.role != "outflow" {
                    return Err(GraphError::Invalid(format!(
                        "undeclared sink {} at ({}, {})",
                        nd.id, nd.lon, nd.lat
                    )));
                }
                sinks.push(nd.id.clone());
            }
            if self.ins[i].is_empty() {
                if self.outs[i].len() != 1 || !(nd.role == "head" || nd.role == "inflow") {
                    return Err(GraphError::Invalid(format!(
                        "source {} is not a declared head or inflow (role {}, {} out-edges)",
                        nd.id,
                        nd.role,
                        self.outs[i].len()
                    )));
                }
                sources += 1;
            }
        }
        if !self.nodes.iter().any(|nd| nd.role == "outlet") {
            return Err(GraphError::Invalid("no outlet".into()));
        }
        for r in &self.rivers {
            if r.edges.is_empty() {
                return Err(GraphError::Invalid(format!("river {} has no edges", r.id)));
            }
            for w in r.edges.windows(2) {
                if self.edges[w[0]].to != self.edges[w[1]].from {
                    return Err(GraphError::Invalid(format!(
                        "river {} is not contiguous at {} -> {}",
                        r.id, self.edges[w[0]].id, self.edges[w[1]].id
                    )));
                }
            }
        }
        self.summary = GraphSummary {
            nodes: n,
            edges: self.edges.len(),
            total_km: self.edges.iter().map(Edge::length_km).sum(),
            sources,
            sinks,
            rivers: self.rivers.len(),
            inside_hubei_km: 0.0,
        };
        Ok(())
    }

    fn split_at_borders(&mut self, atlas: &Atlas) {
        let mut table = PieceTable::default();
        let mut inside = 0.0;
        for e in &mut self.edges {
            let samples = table.sample(e, atlas);
            let (pieces, beyond) = group_pieces(&samples, e.length_km());
            inside += pieces
                .iter()
                .filter(|p| p.2.is_some())
                .map(|p| p.1 - p.0)
                .sum::<f64>();
            e.pieces = pieces;
            e.beyond = beyond;
        }
        self.jurisdictions = table.jurs.into_iter().map(Arc::new).collect();
        self.provinces = table.provinces.into_iter().map(Arc::new).collect();
        self.summary.inside_hubei_km = inside;
    }

    /// The neighbouring province of the edge piece containing `km` (outside
    /// Hubei), if any.
    pub fn province_at(&self, edge: usize, km: f64) -> Option<&Arc<Province>> {
        let e = &self.edges[edge];
        let i = e
            .pieces
            .iter()
            .position(|p| km >= p.0 && km <= p.1 && p.2.is_none())?;
        e.beyond
            .get(i)
            .copied()
            .flatten()
            .map(|n| &self.provinces[n])
    }

    /// Index of a river by id.
    pub fn river_index(&self, id: &str) -> Option<usize> {
        self.rivers.iter().position(|r| r.id == id)
    }

    /// Nearest point on the network (optionally on one river):
    /// (distance km, edge, km along the edge, point). Edges are visited in order of
    /// their bounding-box distance and skipped once that bound exceeds the best hit;
    /// distances use a local equirectangular frame at the query latitude.
    pub fn nearest(
        &self,
        lon: f64,
        lat: f64,
        river: Option<usize>,
    ) -> Option<(f64, usize, f64, (f64, f64))> {
        let kx = 111.195 * lat.to_radians().cos();
        let ky = 111.195;
        let bound = |b: &[f64; 4]| {
            let dx = (b[0] - lon).max(lon - b[2]).max(0.0) * kx;
            let dy = (b[1] - lat).max(lat - b[3]).max(0.0) * ky;
            (dx * dx + dy * dy).sqrt()
        };
        let mut order: Vec<(f64, usize)> = self
            .edges
            .iter()
            .enumerate()
            .filter(|(_, e)| river.is_none() || e.river == river)
            .map(|(i, e)| (bound(&e.bbox), i))
            .collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut best: Option<(f64, usize, usize, f64)> = None; // (d2, edge, seg, t)
        for (lb, i) in order {
            if let Some(b) = best {
                if lb * lb > b.0 {
                    break;
                }
            }
            let e = &self.edges[i];
            for (k, w) in e.coords.windows(2).enumerate() {
                let (ax, ay) = ((w[0].0 - lon) * kx, (w[0].1 - lat) * ky);
                let (bx, by) = ((w[1].0 - lon) * kx, (w[1].1 - lat) * ky);
                let (dx, dy) = (bx - ax, by - ay);
                let l2 = dx * dx + dy * dy;
                let t = if l2 > 0.0 {
                    (-(ax * dx + ay * dy) / l2).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let (qx, qy) = (ax + t * dx, ay + t * dy);
                let d2 = qx * qx + qy * qy;
                if best.is_none_or(|b| d2 < b.0) {
                    best = Some((d2, i, k, t));
                }
            }
        }
        let (d2, i, k, t) = best?;
        let e = &self.edges[i];
        let (a, b) = (e.coords[k], e.coords[k + 1]);
        let q = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
        let along = e.cum_km[k] + t * (e.cum_km[k + 1] - e.cum_km[k]);
        Some((d2.sqrt(), i, along, q))
    }
}

/// Jurisdictions and provinces met while sampling the edges, each stored once.
#[derive(Default)]
struct PieceTable {
    jur_ix: BTreeMap<String, usize>,
    jurs: Vec<Jurisdiction>,
    prov_ix: BTreeMap<String, usize>,
    provinces: Vec<Province>,
}

impl PieceTable {
    /// One sample per [`SPLIT_STEP_KM`] (taken at the middle of each step so
    /// vertices on borders do not decide): (km at the step start, county-level
    /// jurisdiction, neighbouring province when outside Hubei).
    fn sample(&mut self, e: &Edge, atlas: &Atlas) -> Vec<(f64, Option<usize>, Option<usize>)> {
        let len = e.length_km();
        let steps = ((len / SPLIT_STEP_KM).ceil() as usize).max(1);
        (0..steps)
            .map(|k| {
                let p = e.point_at((k as f64 + 0.5) * len / steps as f64);
                let loc = atlas.locate(p.0, p.1);
                let j = loc.county.as_ref().map(|_| self.jurisdiction(&loc));
                let n = match (&j, &loc.neighbouring_province) {
                    (None, Some(n)) => Some(self.province(&n.adcode, &n.name)),
                    _ => None,
                };
                (k as f64 * len / steps as f64, j, n)
            })
            .collect()
    }

    fn jurisdiction(&mut self, loc: &crate::locate::Location) -> usize {
        let c = loc.county.as_ref().expect("called with a county");
        if let Some(&i) = self.jur_ix.get(&c.adcode) {
            return i;
        }
        let pref = loc.prefecture.as_ref();
        self.jurs.push(Jurisdiction {
            county: c.adcode.clone(),
            county_name: c.name.clone(),
            prefecture: pref.map(|p| p.adcode.clone()).unwrap_or_default(),
            prefecture_name: pref.map(|p| p.name.clone()).unwrap_or_default(),
            zone: loc.zone.as_ref().map(|z| z.id.clone()),
            zone_name: loc.zone.as_ref().map(|z| z.name.clone()),
            basin: loc.basin.as_ref().map(|b| b.id.clone()),
            basin_name: loc.basin.as_ref().map(|b| b.name.clone()),
        });
        self.jur_ix.insert(c.adcode.clone(), self.jurs.len() - 1);
        self.jurs.len() - 1
    }

    fn province(&mut self, adcode: &str, name: &str) -> usize {
        if let Some(&i) = self.prov_ix.get(adcode) {
            return i;
        }
        self.provinces.push(Province {
            adcode: adcode.to_string(),
            name: name.to_string(),
        });
        self.prov_ix
            .insert(adcode.to_string(), self.provinces.len() - 1);
        self.provinces.len() - 1
    }
}

/// Pieces of an edge from its samples: runs of the same jurisdiction, and
/// outside Hubei runs of the same neighbouring province; `beyond[i]` is the
/// province of `pieces[i]` (None inside Hubei or beyond the neighbours).
#[allow(clippy::type_complexity)]
fn group_pieces(
    samples: &[(f64, Option<usize>, Option<usize>)],
    len: f64,
) -> (Vec<(f64, f64, Option<usize>)>, Vec<Option<usize>>) {
    let mut pieces: Vec<(f64, f64, Option<usize>)> = Vec::new();
    let mut beyond: Vec<Option<usize>> = Vec::new();
    for (i, &(d0, j, n)) in samples.iter().enumerate() {
        let d1 = samples.get(i + 1).map(|s| s.0).unwrap_or(len);
        match (pieces.last_mut(), beyond.last()) {
            (Some(last), Some(&b)) if last.2 == j && b == n => last.1 = d1,
            _ => {
                pieces.push((d0, d1, j));
                beyond.push(n);
            }
        }
    }
    (pieces, beyond)
}

/// The river graph for an Atlas snapshot, built once per data version and cached
/// (a reload with new data builds a new graph on first use).
pub fn for_atlas(atlas: &Atlas) -> Result<Arc<RiverGraph>, GraphError> {
    use std::sync::Mutex;
    static CACHE: Mutex<Option<(String, Arc<RiverGraph>)>> = Mutex::new(None);
    let mut guard = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((v, g)) = guard.as_ref() {
        if v == atlas.version() {
            return Ok(g.clone());
        }
    }
    let g = Arc::new(RiverGraph::embedded(atlas)?);
    *guard = Some((atlas.version().to_string(), g.clone()));
    Ok(g)
}
