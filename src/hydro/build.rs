//! River network build (河网构建): WDBII lines -> clipped, snapped, noded,
//! oriented and named graph, written as committed GeoJSON/JSON under `data/rivers/`.
//!
//! Steps (all deterministic, no randomness, no hash-order iteration):
//! 1. read WDBII f polylines in the Hubei bounding box, drop closed rings;
//! 2. clip to the province outline plus `buffer_km` (vertex-level clipping);
//! 3. snap: line ends within `snap_km` merge into one node; a dangling end within
//!    `snap_km` of another line's interior splits that line (T-junction);
//! 4. derive the 长江 centreline below Wuhan from the GSHHS river-lake polygon
//!    (see [`super::centreline`]);
//! 5. node the lines and merge chains through degree-2 nodes;
//! 6. snap every gazetteer point (fails loudly beyond `anchor_tolerance_km`);
//! 7. orient: main stems and distributaries along their gazetteer paths; every
//!    other edge from higher to lower *potential*, where a node's potential is its
//!    along-river distance to the outlet (main stems) or, elsewhere, the shortest
//!    network distance to a main-stem node plus that node's potential. Potentials
//!    strictly decrease along every edge, so the result is a DAG by construction;
//! 8. name tributaries by anchor -> nearest edge -> trace down to the declared mouth
//!    and up along the longest branch.
use super::centreline::{derive_centreline, Ring};
use super::gazetteer::{Gazetteer, RiverKind};
use super::geom::{km, line_km, project_on_line, round6};
use super::wdbii::{read_records, WdbError, WdbRecord};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use thiserror::Error;

type P = (f64, f64);

/// Raw inputs of the river build.
pub struct BuildInputs<'a> {
    /// `riversmeta_f.dat` text.
    pub rivers_meta: &'a str,
    /// `rivers_f.dat` bytes.
    pub rivers_dat: &'a [u8],
    /// `gshhsmeta_f.dat` text.
    pub gshhs_meta: &'a str,
    /// `gshhs_f.dat` bytes.
    pub gshhs_dat: &'a [u8],
    /// Province outline GeoJSON (`data/layers/province.geojson`).
    pub province_geojson: &'a str,
    /// Gazetteer.
    pub gazetteer: &'a Gazetteer,
    /// Provenance strings (source package, version, sha256) recorded in the output.
    pub source_note: &'a str,
}

/// Output files of the build (bytes are deterministic).
#[derive(Debug, Clone)]
pub struct BuildOutputs {
    /// `data/rivers/rivers.geojson`: directed edges.
    pub rivers_geojson: String,
    /// `data/rivers/lakes.geojson`.
    pub lakes_geojson: String,
    /// `data/rivers/network.json`: nodes, rivers, zone links, summary.
    pub network_json: String,
    /// Human-readable report.
    pub report: String,
}

/// Build failures. Every one is loud: the build stops.
#[derive(Debug, Error)]
pub enum BuildError {
    /// WDBII read error.
    #[error(transparent)]
    Wdb(#[from] WdbError),
    /// Province outline unreadable.
    #[error("province outline: {0}")]
    Province(String),
    /// A gazetteer point is too far from every line.
    #[error("gazetteer {what} of {river} at ({lon}, {lat}) is {dist_km:.2} km from the nearest line (tolerance {tol_km} km)")]
    AnchorTooFar {
        /// River id.
        river: String,
        /// Which point (from, to, via, anchor, mouth).
        what: String,
        /// Longitude.
        lon: f64,
        /// Latitude.
        lat: f64,
        /// Distance found.
        dist_km: f64,
        /// Tolerance.
        tol_km: f64,
    },
    /// No path between the points of a main stem or distributary.
    #[error("no path for {0} between its gazetteer points")]
    NoPath(String),
    /// Inconsistent orientation (a distributary head lower than its end, ...).
    #[error("orientation: {0}")]
    Orientation(String),
    /// A tributary trace did not reach its declared mouth.
    #[error("tributary {river}: trace ends {dist_km:.2} km from the declared mouth")]
    MouthMismatch {
        /// River id.
        river: String,
        /// Distance from the trace end to the declared mouth.
        dist_km: f64,
    },
    /// Centreline derivation failed.
    #[error("centreline: {0}")]
    Centreline(String),
}

/// Parses the outer and inner rings of a GeoJSON (Multi)Polygon FeatureCollection.
pub fn rings_from_geojson(text: &str) -> Result<Vec<Ring>, BuildError> {
    let v: Value = serde_json::from_str(text).map_err(|e| BuildError::Province(e.to_string()))?;
    let mut rings = Vec::new();
    let feats = v["features"]
        .as_array()
        .ok_or_else(|| BuildError::Province("no features".into()))?;
    for f in feats {
        let g = &f["geometry"];
        let polys: Vec<&Value> = match g["type"].as_str() {
            Some("Polygon") => vec![&g["coordinates"]],
            Some("MultiPolygon") => g["coordinates"]
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default(),
            _ => return Err(BuildError::Province("not a polygon".into())),
        };
        for poly in polys {
            for ring in poly.as_array().into_iter().flatten() {
                let pts: Vec<P> = ring
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| Some((c.get(0)?.as_f64()?, c.get(1)?.as_f64()?)))
                    .collect();
                if pts.len() >= 4 {
                    rings.push(Ring::new(pts));
                }
            }
        }
    }
    if rings.is_empty() {
        return Err(BuildError::Province("no rings".into()));
    }
    Ok(rings)
}

/// Even-odd point-in-rings test.
pub fn inside_rings(rings: &[Ring], p: P) -> bool {
    rings.iter().filter(|r| r.contains(p)).count() % 2 == 1
}

fn near_boundary(rings: &[Ring], p: P, tol_km: f64) -> bool {
    rings.iter().any(|r| r.distance_km(p, tol_km) <= tol_km)
}

/// Union-find.
struct Dsu(Vec<usize>);
impl Dsu {
    fn new(n: usize) -> Self {
        Dsu((0..n).collect())
    }
    fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }
    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            self.0[hi] = lo;
        }
    }
}

fn cmp_p(a: &P, b: &P) -> std::cmp::Ordering {
    a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1))
}

/// A line with its provenance tag.
#[derive(Clone, Debug)]
struct Piece {
    pts: Vec<P>,
    source: &'static str,
}

/// Clips lines to rings + buffer at vertex level.
fn clip(records: &[WdbRecord], rings: &[Ring], buffer_km: f64, min_km: f64) -> Vec<Piece> {
    let mut out = Vec::new();
    for r in records {
        if r.points.len() < 2 || r.points.first() == r.points.last() {
            continue; // closed rings are river-lake outlines, not centrelines
        }
        let mut run: Vec<P> = Vec::new();
        let mut flush = |run: &mut Vec<P>| {
            if run.len() >= 2 && line_km(run) >= min_km {
                out.push(Piece {
                    pts: std::mem::take(run),
                    source: "WDBII",
                });
            } else {
                run.clear();
            }
        };
        for &p in &r.points {
            if inside_rings(rings, p) || near_boundary(rings, p, buffer_km) {
                if run.last() != Some(&p) {
                    run.push(p);
                }
            } else {
                flush(&mut run);
            }
        }
        flush(&mut run);
    }
    out
}

/// Snaps ends: T-junction splits, then end clustering. Returns lines whose ends
/// coincide exactly where they meet.
fn snap(mut lines: Vec<Piece>, snap_km: f64) -> Vec<Piece> {
    // T-junctions: a dangling end near another line's interior splits that line.
    loop {
        let ends = end_clusters(&lines, snap_km);
        let mut did = false;
        'outer: for (li, line) in lines.iter().enumerate() {
            for end in [0usize, 1] {
                let p = if end == 0 {
                    line.pts[0]
                } else {
                    *line.pts.last().unwrap_or(&line.pts[0])
                };
                if ends.cluster_size(li, end) > 1 {
                    continue;
                }
                // nearest interior point on another line
                let mut best: Option<(f64, usize, usize, f64, P)> = None;
                for (oj, other) in lines.iter().enumerate() {
                    if oj == li {
                        continue;
                    }
                    let (d, seg, t, q) = project_on_line(p, &other.pts);
                    if d <= snap_km && best.is_none_or(|b| d < b.0) {
                        best = Some((d, oj, seg, t, q));
                    }
                }
                if let Some((_, oj, seg, _t, q)) = best {
                    let other = &lines[oj];
                    let first = other.pts[0];
                    let last = *other.pts.last().unwrap_or(&first);
                    if km(q, first) <= snap_km || km(q, last) <= snap_km {
                        continue; // end clustering handles it
                    }
                    let q = round6(q);
                    let mut a: Vec<P> = other.pts[..=seg].to_vec();
                    let mut b: Vec<P> = other.pts[seg + 1..].to_vec();
                    if a.last() != Some(&q) {
                        a.push(q);
                    }
                    if b.first() != Some(&q) {
                        b.insert(0, q);
                    }
                    let src = other.source;
                    let mut moved = lines[li].clone();
                    if end == 0 {
                        moved.pts[0] = q;
                    } else if let Some(l) = moved.pts.last_mut() {
                        *l = q;
                    }
                    lines[li] = moved;
                    lines[oj] = Piece {
                        pts: a,
                        source: src,
                    };
                    lines.push(Piece {
                        pts: b,
                        source: src,
                    });
                    did = true;
                    break 'outer;
                }
            }
        }
        if !did {
            break;
        }
    }
    // End clustering: every cluster takes its smallest coordinate.
    let ends = end_clusters(&lines, snap_km);
    for (li, line) in lines.iter_mut().enumerate() {
        let n = line.pts.len();
        line.pts[0] = ends.rep(li, 0);
        line.pts[n - 1] = ends.rep(li, 1);
        line.pts.dedup();
    }
    lines.retain(|l| l.pts.len() >= 2 && l.pts[0] != l.pts[l.pts.len() - 1]);
    lines
}

struct EndClusters {
    root: Vec<usize>,
    size: BTreeMap<usize, usize>,
    rep: BTreeMap<usize, P>,
}
impl EndClusters {
    fn cluster_size(&self, li: usize, end: usize) -> usize {
        self.size[&self.root[2 * li + end]]
    }
    fn rep(&self, li: usize, end: usize) -> P {
        self.rep[&self.root[2 * li + end]]
    }
}

fn end_clusters(lines: &[Piece], snap_km: f64) -> EndClusters {
    let pts: Vec<P> = lines
        .iter()
        .flat_map(|l| [l.pts[0], *l.pts.last().unwrap_or(&l.pts[0])])
        .collect();
    let mut dsu = Dsu::new(pts.len());
    for i in 0..pts.len() {
        for j in i + 1..pts.len() {
            if (pts[i].1 - pts[j].1).abs() < 0.05 && km(pts[i], pts[j]) <= snap_km {
                dsu.union(i, j);
            }
        }
    }
    let root: Vec<usize> = (0..pts.len()).map(|i| dsu.find(i)).collect();
    let mut size = BTreeMap::new();
    let mut rep: BTreeMap<usize, P> = BTreeMap::new();
    for (i, &r) in root.iter().enumerate() {
        *size.entry(r).or_insert(0) += 1;
        let e = rep.entry(r).or_insert(pts[i]);
        if cmp_p(&pts[i], e).is_lt() {
            *e = pts[i];
        }
    }
    EndClusters { root, size, rep }
}

/// Undirected noded network used during the build.
#[derive(Debug, Clone)]
struct Net {
    nodes: Vec<P>,
    /// (a, b, vertices a..b, source)
    edges: Vec<(usize, usize, Vec<P>, &'static str)>,
}

impl Net {
    fn from_lines(lines: Vec<Piece>) -> Net {
        let mut coords: Vec<P> = lines
            .iter()
            .flat_map(|l| [l.pts[0], l.pts[l.pts.len() - 1]])
            .collect();
        coords.sort_by(cmp_p);
        coords.dedup();
        let idx = |p: P, coords: &[P]| coords.binary_search_by(|q| cmp_p(q, &p)).unwrap_or(0);
        let edges = lines
            .into_iter()
            .map(|l| {
                let a = idx(l.pts[0], &coords);
                let b = idx(l.pts[l.pts.len() - 1], &coords);
                (a, b, l.pts, l.source)
            })
            .collect();
        let mut net = Net {
            nodes: coords,
            edges,
        };
        net.merge_degree2(&BTreeSet::new());
        net
    }

    fn degree(&self) -> Vec<usize> {
        let mut d = vec![0; self.nodes.len()];
        for e in &self.edges {
            d[e.0] += 1;
            d[e.1] += 1;
        }
        d
    }

    /// Merges chains through nodes of degree 2 (not in `keep`), then drops unused nodes.
    fn merge_degree2(&mut self, keep: &BTreeSet<usize>) {
        loop {
            let deg = self.degree();
            let mut merged = false;
            for (n, &dn) in deg.iter().enumerate() {
                if dn != 2 || keep.contains(&n) {
                    continue;
                }
                let inc: Vec<usize> = (0..self.edges.len())
                    .filter(|&i| self.edges[i].0 == n || self.edges[i].1 == n)
                    .collect();
                if inc.len() != 2 || inc[0] == inc[1] {
                    continue;
                }
                let (i, j) = (inc[0], inc[1]);
                if self.edges[i].3 != self.edges[j].3 {
                    continue; // keep provenance boundaries (WDBII vs derived)
                }
                let mut a = self.edges[i].clone();
                let mut b = self.edges[j].clone();
                if a.1 != n {
                    a.2.reverse();
                    a = (a.1, a.0, a.2, a.3);
                }
                if b.0 != n {
                    b.2.reverse();
                    b = (b.1, b.0, b.2, b.3);
                }
                if a.0 == b.1 {
                    continue; // would close a loop
                }
                let mut pts = a.2;
                pts.extend_from_slice(&b.2[1..]);
                let (hi, lo) = if i > j { (i, j) } else { (j, i) };
                self.edges.remove(hi);
                self.edges[lo] = (a.0, b.1, pts, a.3);
                merged = true;
                break;
            }
            if !merged {
                break;
            }
        }
        self.compact(keep);
    }

    fn compact(&mut self, keep: &BTreeSet<usize>) {
        let deg = self.degree();
        let mut map = vec![usize::MAX; self.nodes.len()];
        let mut nodes = Vec::new();
        for (i, p) in self.nodes.iter().enumerate() {
            if deg[i] > 0 || keep.contains(&i) {
                map[i] = nodes.len();
                nodes.push(*p);
            }
        }
        for e in &mut self.edges {
            e.0 = map[e.0];
            e.1 = map[e.1];
        }
        self.nodes = nodes;
    }

    /// Nearest point on any edge: (dist, edge, seg, t, point).
    fn nearest(&self, p: P) -> Option<(f64, usize, usize, f64, P)> {
        let mut best: Option<(f64, usize, usize, f64, P)> = None;
        for (i, e) in self.edges.iter().enumerate() {
            let (d, seg, t, q) = project_on_line(p, &e.2);
            if best.is_none_or(|b| d < b.0) {
                best = Some((d, i, seg, t, q));
            }
        }
        best
    }

    /// Snaps a point to a node, splitting an edge when the nearest point is
    /// further than 0.5 km from its ends.
    fn snap_point(&mut self, p: P, tol: f64, river: &str, what: &str) -> Result<usize, BuildError> {
        let Some((d, ei, seg, _t, q)) = self.nearest(p) else {
            return Err(BuildError::NoPath(river.into()));
        };
        if d > tol {
            return Err(BuildError::AnchorTooFar {
                river: river.into(),
                what: what.into(),
                lon: p.0,
                lat: p.1,
                dist_km: d,
                tol_km: tol,
            });
        }
        let (a, b) = (self.edges[ei].0, self.edges[ei].1);
        let da = km(q, self.nodes[a]);
        let db = km(q, self.nodes[b]);
        if da <= 0.5 && da <= db {
            return Ok(a);
        }
        if db <= 0.5 {
            return Ok(b);
        }
        let q = round6(q);
        let pts = self.edges[ei].2.clone();
        let mut first: Vec<P> = pts[..=seg].to_vec();
        let mut second: Vec<P> = pts[seg + 1..].to_vec();
        if first.last() != Some(&q) {
            first.push(q);
        }
        if second.first() != Some(&q) {
            second.insert(0, q);
        }
        let n = self.nodes.len();
        self.nodes.push(q);
        let src = self.edges[ei].3;
        self.edges[ei] = (a, n, first, src);
        self.edges.push((n, b, second, src));
        Ok(n)
    }

    fn adjacency(&self) -> Vec<Vec<(usize, usize)>> {
        let mut adj = vec![Vec::new(); self.nodes.len()];
        for (i, e) in self.edges.iter().enumerate() {
            adj[e.0].push((e.1, i));
            adj[e.1].push((e.0, i));
        }
        adj
    }
}

#[derive(PartialEq)]
struct HeapItem(f64, usize);
impl Eq for HeapItem {}
impl PartialOrd for HeapItem {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for HeapItem {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        o.0.total_cmp(&self.0).then(o.1.cmp(&self.1))
    }
}

/// Shortest path (edge list) from s to t avoiding `banned` edges.
fn shortest_path(
    net: &Net,
    lens: &[f64],
    s: usize,
    t: usize,
    banned: &BTreeSet<usize>,
) -> Option<Vec<usize>> {
    let adj = net.adjacency();
    let mut dist = vec![f64::INFINITY; net.nodes.len()];
    let mut prev: Vec<Option<(usize, usize)>> = vec![None; net.nodes.len()];
    let mut heap = BinaryHeap::new();
    dist[s] = 0.0;
    heap.push(HeapItem(0.0, s));
    while let Some(HeapItem(d, u)) = heap.pop() {
        if d > dist[u] {
            continue;
        }
        if u == t {
            break;
        }
        for &(v, e) in &adj[u] {
            if banned.contains(&e) {
                continue;
            }
            let nd = d + lens[e];
            if nd < dist[v] {
                dist[v] = nd;
                prev[v] = Some((u, e));
                heap.push(HeapItem(nd, v));
            }
        }
    }
    if !dist[t].is_finite() {
        return None;
    }
    let mut path = Vec::new();
    let mut cur = t;
    while cur != s {
        let (u, e) = prev[cur]?;
        path.push(e);
        cur = u;
    }
    path.reverse();
    Some(path)
}

/// Runs the whole build.
pub fn build(inp: &BuildInputs) -> Result<BuildOutputs, BuildError> {
    let gaz = inp.gazetteer;
    let bp = &gaz.build;
    let rings = rings_from_geojson(inp.province_geojson)?;
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for r in &rings {
        for p in &r.pts {
            x0 = x0.min(p.0);
            y0 = y0.min(p.1);
            x1 = x1.max(p.0);
            y1 = y1.max(p.1);
        }
    }
    let pad = 0.2;
    let bbox = (x0 - pad, y0 - pad, x1 + pad, y1 + pad);
    let mut report = String::new();
    let records = read_records(inp.rivers_meta, inp.rivers_dat, bbox)?;
    report.push_str(&format!(
        "WDBII rivers_f records in bbox: {}\n",
        records.len()
    ));
    let pieces = clip(&records, &rings, bp.buffer_km, bp.min_piece_km);
    report.push_str(&format!(
        "clipped pieces: {} ({:.1} km)\n",
        pieces.len(),
        pieces.iter().map(|p| line_km(&p.pts)).sum::<f64>()
    ));
    let mut lines = snap(pieces, bp.snap_km);

    // Derived 长江 centreline.
    let cl = &gaz.centreline;
    let gshhs = read_records(inp.gshhs_meta, inp.gshhs_dat, bbox)?;
    let poly = gshhs.iter().find(|r| r.id == cl.gshhs_id).ok_or_else(|| {
        BuildError::Centreline(format!("GSHHS polygon {} not found", cl.gshhs_id))
    })?;
    let start = (cl.start[0], cl.start[1]);
    // start at the nearest existing line end
    let mut best: Option<(f64, P)> = None;
    for l in &lines {
        for q in [l.pts[0], l.pts[l.pts.len() - 1]] {
            let d = km(q, start);
            if best.is_none_or(|b| d < b.0) {
                best = Some((d, q));
            }
        }
    }
    let (d0, s0) = best.ok_or_else(|| BuildError::Centreline("no lines".into()))?;
    if d0 > bp.anchor_tolerance_km {
        return Err(BuildError::Centreline(format!(
            "start is {d0:.2} km from any line end"
        )));
    }
    let centre = derive_centreline(
        &poly.points,
        s0,
        (cl.end[0], cl.end[1]),
        cl.step_km,
        cl.margin_km,
    )
    .map_err(BuildError::Centreline)?;
    report.push_str(&format!(
        "derived centreline: {} points, {:.1} km, from GSHHS river-lake {}\n",
        centre.len(),
        line_km(&centre),
        cl.gshhs_id
    ));
    lines.push(Piece {
        pts: centre.iter().map(|&p| round6(p)).collect(),
        source: "derived centreline",
    });
    for l in &mut lines {
        for p in &mut l.pts {
            *p = round6(*p);
        }
        l.pts.dedup();
    }
    let mut net = Net::from_lines(lines);

    // Snap gazetteer points.
    let tol = bp.anchor_tolerance_km;
    let mut keep = BTreeSet::new();
    let mut trunk_nodes: Vec<(usize, Vec<usize>)> = Vec::new(); // (river idx, node list)
    for (ri, r) in gaz.river.iter().enumerate() {
        if matches!(r.kind, RiverKind::Main | RiverKind::Distributary) {
            let mut pts = Vec::new();
            if let Some(f) = r.from {
                pts.push(net.snap_point((f[0], f[1]), tol, &r.id, "from")?);
            }
            for v in &r.via {
                pts.push(net.snap_point((v[0], v[1]), tol, &r.id, "via")?);
            }
            if let Some(t) = r.to {
                pts.push(net.snap_point((t[0], t[1]), tol, &r.id, "to")?);
            }
            keep.extend(pts.iter().copied());
            trunk_nodes.push((ri, pts));
        }
    }
    for z in &gaz.zone_link {
        let n = net.snap_point((z.mouth[0], z.mouth[1]), tol, &z.zone, "zone mouth")?;
        keep.insert(n);
    }
    // Check tributary anchors and mouths are near lines (loud failure) before orienting.
    for r in &gaz.river {
        if r.kind == RiverKind::Tributary {
            for (what, p) in [("anchor", r.anchor), ("mouth", r.mouth)] {
                if let Some(p) = p {
                    let d = net
                        .nearest((p[0], p[1]))
                        .map(|b| b.0)
                        .unwrap_or(f64::INFINITY);
                    if d > tol {
                        return Err(BuildError::AnchorTooFar {
                            river: r.id.clone(),
                            what: what.into(),
                            lon: p[0],
                            lat: p[1],
                            dist_km: d,
                            tol_km: tol,
                        });
                    }
                }
            }
        }
    }

    // Trunk paths and potentials.
    let lens: Vec<f64> = net.edges.iter().map(|e| line_km(&e.2)).collect();
    let nn = net.nodes.len();
    let mut pot = vec![f64::NAN; nn];
    let mut dir: Vec<Option<bool>> = vec![None; net.edges.len()]; // Some(true) = a->b
    let mut edge_river: Vec<Option<usize>> = vec![None; net.edges.len()];
    let mut banned = BTreeSet::new();
    let mut river_edges: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (ri, pts) in &trunk_nodes {
        let r = &gaz.river[*ri];
        let mut path: Vec<usize> = Vec::new();
        for w in pts.windows(2) {
            let p = shortest_path(&net, &lens, w[0], w[1], &banned)
                .ok_or_else(|| BuildError::NoPath(r.id.clone()))?;
            path.extend(p);
        }
        // node sequence
        let mut seq = vec![pts[0]];
        for &e in &path {
            let cur = *seq.last().unwrap_or(&pts[0]);
            let (a, b) = (net.edges[e].0, net.edges[e].1);
            let next = if a == cur { b } else { a };
            dir[e] = Some(a == cur);
            edge_river[e] = Some(*ri);
            banned.insert(e);
            seq.push(next);
        }
        let total: f64 = path.iter().map(|&e| lens[e]).sum();
        let end = *seq.last().unwrap_or(&pts[0]);
        let p_end = if pot[end].is_nan() { 0.0 } else { pot[end] };
        let p_start = if pot[seq[0]].is_nan() {
            p_end + total
        } else {
            pot[seq[0]]
        };
        if p_start <= p_end {
            return Err(BuildError::Orientation(format!(
                "{}: head potential {p_start:.1} not above end potential {p_end:.1}",
                r.id
            )));
        }
        let mut rem = total;
        for (k, &n) in seq.iter().enumerate() {
            if k > 0 {
                rem -= lens[path[k - 1]];
            }
            let val = p_end + (p_start - p_end) * (rem.max(0.0) / total);
            if k == 0 || k == seq.len() - 1 {
                if pot[n].is_nan() {
                    pot[n] = if k == 0 { p_start } else { p_end };
                }
            } else if pot[n].is_nan() {
                pot[n] = val;
            } else {
                return Err(BuildError::Orientation(format!(
                    "{} crosses an earlier main stem at node ({}, {})",
                    r.id, net.nodes[n].0, net.nodes[n].1
                )));
            }
        }
        report.push_str(&format!(
            "trunk {} ({}): {} edges, {:.1} km\n",
            r.id,
            r.name,
            path.len(),
            total
        ));
        river_edges.insert(*ri, path);
    }
    // Potentials elsewhere: multi-source Dijkstra.
    let adj = net.adjacency();
    let mut heap = BinaryHeap::new();
    for (n, p) in pot.iter().enumerate() {
        if !p.is_nan() {
            heap.push(HeapItem(*p, n));
        }
    }
    let mut dist: Vec<f64> = pot
        .iter()
        .map(|p| if p.is_nan() { f64::INFINITY } else { *p })
        .collect();
    while let Some(HeapItem(d, u)) = heap.pop() {
        if d > dist[u] {
            continue;
        }
        for &(v, e) in &adj[u] {
            if !pot[v].is_nan() && dir[e].is_some() {
                continue;
            }
            let nd = d + lens[e];
            if nd < dist[v] && pot[v].is_nan() {
                dist[v] = nd;
                heap.push(HeapItem(nd, v));
            }
        }
    }
    // Drop components unreachable from the trunks.
    let mut dropped_km = 0.0;
    let mut dropped = 0;
    let keep_edge: Vec<bool> = net
        .edges
        .iter()
        .map(|e| dist[e.0].is_finite() && dist[e.1].is_finite())
        .collect();
    let mut dropped_list = String::new();
    for (i, k) in keep_edge.iter().enumerate() {
        if !k {
            dropped += 1;
            dropped_km += lens[i];
            let e = &net.edges[i];
            dropped_list.push_str(&format!(
                "  dropped edge ({:.6}, {:.6}) - ({:.6}, {:.6}) {:.1} km\n",
                net.nodes[e.0].0, net.nodes[e.0].1, net.nodes[e.1].0, net.nodes[e.1].1, lens[i]
            ));
        }
    }
    report.push_str(&format!(
        "dropped {dropped} edges ({dropped_km:.1} km) not connected to any declared main stem\n"
    ));
    report.push_str(&dropped_list);
    for (i, e) in net.edges.iter().enumerate() {
        if dir[i].is_none() && keep_edge[i] {
            let (pa, pb) = (dist[e.0], dist[e.1]);
            dir[i] = Some(pa > pb || (pa == pb && e.0 > e.1));
        }
    }

    // Directed edges.
    let mut dedges: Vec<DEdge> = Vec::new();
    for (i, e) in net.edges.iter().enumerate() {
        if !keep_edge[i] {
            continue;
        }
        let fwd = dir[i].unwrap_or(true);
        let (from, to, pts) = if fwd {
            (e.0, e.1, e.2.clone())
        } else {
            let mut p = e.2.clone();
            p.reverse();
            (e.1, e.0, p)
        };
        dedges.push(DEdge {
            from,
            to,
            pts,
            source: e.3,
            river: edge_river[i],
            len: lens[i],
        });
    }
    name_tributaries(gaz, &net.nodes, &mut dedges, tol)?;
    Ok(write_outputs(
        inp, &net.nodes, dedges, &gshhs, &rings, report,
    ))
}

/// A directed build edge.
#[derive(Debug, Clone)]
struct DEdge {
    from: usize,
    to: usize,
    pts: Vec<P>,
    source: &'static str,
    river: Option<usize>,
    len: f64,
}

fn name_tributaries(
    gaz: &Gazetteer,
    nodes: &[P],
    edges: &mut [DEdge],
    tol: f64,
) -> Result<(), BuildError> {
    let n = nodes.len();
    let mut outs = vec![Vec::new(); n];
    let mut ins = vec![Vec::new(); n];
    for (i, e) in edges.iter().enumerate() {
        outs[e.from].push(i);
        ins[e.to].push(i);
    }
    // upstream accumulated length (DAG DP, memoised by iteration in topological order)
    let order = topo_order(n, edges)
        .ok_or_else(|| BuildError::Orientation("cycle after orientation".into()))?;
    let mut up = vec![0.0f64; n];
    for &u in &order {
        for &e in &outs[u] {
            let v = edges[e].to;
            up[v] = up[v].max(up[u] + edges[e].len);
        }
    }
    for (ri, r) in gaz.river.iter().enumerate() {
        if r.kind != RiverKind::Tributary {
            continue;
        }
        let (Some(a), Some(m)) = (r.anchor, r.mouth) else {
            continue;
        };
        let a = (a[0], a[1]);
        let mut best: Option<(f64, usize)> = None;
        for (i, e) in edges.iter().enumerate() {
            if e.river.is_some() {
                continue;
            }
            let d = project_on_line(a, &e.pts).0;
            if best.is_none_or(|b| d < b.0) {
                best = Some((d, i));
            }
        }
        let Some((d, start)) = best else { continue };
        if d > tol {
            return Err(BuildError::AnchorTooFar {
                river: r.id.clone(),
                what: "anchor (unnamed edge)".into(),
                lon: a.0,
                lat: a.1,
                dist_km: d,
                tol_km: tol,
            });
        }
        // downstream
        let mut cur = start;
        let mut claimed = vec![start];
        loop {
            let v = edges[cur].to;
            if ins[v]
                .iter()
                .chain(outs[v].iter())
                .any(|&e| edges[e].river.is_some_and(|x| x != ri))
            {
                break;
            }
            let next = outs[v]
                .iter()
                .copied()
                .filter(|&e| edges[e].river.is_none())
                .min_by(|&x, &y| up[edges[y].to].total_cmp(&up[edges[x].to]).then(x.cmp(&y)));
            match next {
                Some(e) if !claimed.contains(&e) => {
                    claimed.push(e);
                    cur = e;
                }
                _ => break,
            }
        }
        let end = nodes[edges[cur].to];
        let dm = km(end, (m[0], m[1]));
        if dm > tol {
            return Err(BuildError::MouthMismatch {
                river: r.id.clone(),
                dist_km: dm,
            });
        }
        // upstream along the longest branch
        let mut u = edges[start].from;
        loop {
            let next = ins[u]
                .iter()
                .copied()
                .filter(|&e| edges[e].river.is_none() && !claimed.contains(&e))
                .max_by(|&x, &y| {
                    (up[edges[x].from] + edges[x].len)
                        .total_cmp(&(up[edges[y].from] + edges[y].len))
                        .then(y.cmp(&x))
                });
            match next {
                Some(e) => {
                    claimed.push(e);
                    u = edges[e].from;
                }
                None => break,
            }
        }
        for e in claimed {
            edges[e].river = Some(ri);
        }
    }
    Ok(())
}

/// Kahn topological order; None when there is a cycle.
fn topo_order(n: usize, edges: &[DEdge]) -> Option<Vec<usize>> {
    let mut indeg = vec![0usize; n];
    let mut outs = vec![Vec::new(); n];
    for e in edges {
        indeg[e.to] += 1;
        outs[e.from].push(e.to);
    }
    let mut stack: Vec<usize> = (0..n).filter(|&i| indeg[i] == 0).rev().collect();
    let mut order = Vec::with_capacity(n);
    while let Some(u) = stack.pop() {
        order.push(u);
        for &v in &outs[u] {
            indeg[v] -= 1;
            if indeg[v] == 0 {
                stack.push(v);
            }
        }
    }
    (order.len() == n).then_some(order)
}

fn write_outputs(
    inp: &BuildInputs,
    nodes: &[P],
    mut edges: Vec<DEdge>,
    gshhs: &[WdbRecord],
    rings: &[Ring],
    mut report: String,
) -> BuildOutputs {
    let gaz = inp.gazetteer;
    // Keep only nodes used, renumber by coordinate order.
    let mut used: Vec<usize> = edges.iter().flat_map(|e| [e.from, e.to]).collect();
    used.sort_by(|a, b| cmp_p(&nodes[*a], &nodes[*b]));
    used.dedup();
    let mut map = BTreeMap::new();
    for (k, &u) in used.iter().enumerate() {
        map.insert(u, k);
    }
    for e in &mut edges {
        e.from = map[&e.from];
        e.to = map[&e.to];
    }
    let nodes: Vec<P> = used.iter().map(|&u| nodes[u]).collect();
    let order = topo_order(nodes.len(), &edges).unwrap_or_default();
    let mut rank = vec![0usize; nodes.len()];
    for (k, &u) in order.iter().enumerate() {
        rank[u] = k;
    }
    edges.sort_by(|a, b| {
        a.river
            .unwrap_or(usize::MAX)
            .cmp(&b.river.unwrap_or(usize::MAX))
            .then(rank[a.from].cmp(&rank[b.from]))
            .then(cmp_p(&a.pts[1], &b.pts[1]))
    });
    let mut indeg = vec![0; nodes.len()];
    let mut outdeg = vec![0; nodes.len()];
    for e in &edges {
        outdeg[e.from] += 1;
        indeg[e.to] += 1;
    }
    // Roles.
    let near = |p: [f64; 2]| -> Option<usize> {
        nodes
            .iter()
            .enumerate()
            .map(|(i, q)| (km(*q, (p[0], p[1])), i))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .filter(|b| b.0 <= gaz.build.anchor_tolerance_km)
            .map(|b| b.1)
    };
    let mut roles: BTreeMap<usize, (String, String)> = BTreeMap::new();
    for r in &gaz.river {
        if let (RiverKind::Main, Some(f)) = (r.kind, r.from) {
            if let Some(n) = near(f) {
                if indeg[n] == 0 || r.from.is_some() {
                    roles
                        .entry(n)
                        .or_insert(("inflow".into(), format!("{} entry", r.name)));
                }
            }
        }
        if let Some(t) = r.to {
            if let Some(n) = near(t) {
                if outdeg[n] == 0 {
                    let role = if r.id == gaz.centreline.river {
                        "outlet"
                    } else {
                        "outflow"
                    };
                    roles.insert(n, (role.into(), format!("{} leaves Hubei", r.name)));
                }
            }
        }
        if let (RiverKind::Distributary, Some(f)) = (r.kind, r.from) {
            if let Some(n) = near(f) {
                roles.insert(n, ("distributary_head".into(), format!("{} head", r.name)));
            }
        }
    }
    let node_json: Vec<Value> = nodes
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (role, label) = roles.get(&i).cloned().unwrap_or_else(|| {
                let role = if indeg[i] == 0 {
                    "head"
                } else if outdeg[i] > 1 {
                    "split"
                } else if indeg[i] > 1 {
                    "confluence"
                } else {
                    "pass"
                };
                (role.to_string(), String::new())
            });
            json!({"id": format!("n{i:03}"), "lon": p.0, "lat": p.1, "role": role, "label": label,
                   "in": indeg[i], "out": outdeg[i]})
        })
        .collect();
    let mut features = Vec::new();
    let mut total = 0.0;
    let mut per_river: BTreeMap<usize, (f64, Vec<String>)> = BTreeMap::new();
    for (k, e) in edges.iter().enumerate() {
        let id = format!("e{k:03}");
        total += e.len;
        let (rid, rname) = match e.river {
            Some(ri) => {
                let ent = per_river.entry(ri).or_default();
                ent.0 += e.len;
                ent.1.push(id.clone());
                (json!(gaz.river[ri].id), json!(gaz.river[ri].name))
            }
            None => (Value::Null, Value::Null),
        };
        features.push(json!({
            "type": "Feature", "id": id,
            "properties": {"id": id, "from": format!("n{:03}", e.from), "to": format!("n{:03}", e.to),
                "river": rid, "river_name": rname, "length_km": (e.len * 1000.0).round() / 1000.0,
                "source": e.source},
            "geometry": {"type": "LineString", "coordinates": e.pts.iter().map(|p| json!([p.0, p.1])).collect::<Vec<_>>()}
        }));
    }
    let rivers_json: Vec<Value> = gaz
        .river
        .iter()
        .enumerate()
        .map(|(ri, r)| {
            let (len, ids) = per_river.get(&ri).cloned().unwrap_or_default();
            json!({"id": r.id, "name": r.name, "name_en": r.name_en, "kind": r.kind, "basin": r.basin,
                   "leaves_hubei": r.leaves_hubei, "length_km": (len * 1000.0).round() / 1000.0, "edges": ids,
                   "source": r.source, "status": r.status})
        })
        .collect();
    let zone_links: Vec<Value> = gaz
        .zone_link
        .iter()
        .map(|z| {
            json!({"zone": z.zone, "via": z.via, "into": z.into, "mouth": z.mouth, "mouth_name": z.mouth_name,
                   "mouth_node": near(z.mouth).map(|n| format!("n{n:03}")), "in_wdbii": z.in_wdbii})
        })
        .collect();
    report.push_str(&format!(
        "graph: {} nodes, {} edges, {:.1} km\n",
        nodes.len(),
        edges.len(),
        total
    ));
    for (ri, (len, ids)) in &per_river {
        report.push_str(&format!(
            "  {} {}: {:.1} km in {} edges\n",
            gaz.river[*ri].id,
            gaz.river[*ri].name,
            len,
            ids.len()
        ));
    }
    let network = json!({
        "provenance": {"status": "reconstructed", "source": inp.source_note, "licence": "LGPL-3.0-or-later",
            "transformation": "clipped to the province outline plus buffer, ends snapped, noded, oriented from the gazetteer; 长江 centreline below Wuhan derived from the GSHHS river-lake polygon by cross-section midpoints"},
        "params": gaz.build,
        "summary": {"nodes": nodes.len(), "edges": edges.len(), "total_km": (total * 10.0).round() / 10.0},
        "nodes": node_json, "rivers": rivers_json, "zone_links": zone_links,
    });
    let rivers_fc = json!({"type": "FeatureCollection", "features": features});

    // Lakes: GSHHS level-2 polygons with a vertex inside Hubei, named from the gazetteer.
    let mut lakes = Vec::new();
    for r in gshhs.iter().filter(|r| r.level == 2 && r.area > 0.0) {
        if !r.points.iter().any(|&p| inside_rings(rings, p)) {
            continue;
        }
        let ring = Ring::new(r.points.clone());
        let named = gaz
            .lake
            .iter()
            .find(|l| ring.contains((l.point[0], l.point[1])));
        let mut pts: Vec<Value> = r
            .points
            .iter()
            .map(|&p| {
                let p = round6(p);
                json!([p.0, p.1])
            })
            .collect();
        if r.points.first() != r.points.last() {
            pts.push(pts[0].clone());
        }
        lakes.push(json!({"type": "Feature", "id": format!("gshhs-{}", r.id),
            "properties": {"id": named.map(|l| l.id.clone()).unwrap_or(format!("gshhs-{}", r.id)),
                "name": named.map(|l| l.name.clone()), "gshhs_id": r.id, "area_km2": r.area,
                "note": named.and_then(|l| l.note.clone()),
                "outline": "GSHHS f outline; old and larger than today's lake"},
            "geometry": {"type": "Polygon", "coordinates": [pts]}}));
    }
    report.push_str(&format!(
        "lakes: {} GSHHS polygons touching Hubei, {} named\n",
        lakes.len(),
        lakes
            .iter()
            .filter(|l| !l["properties"]["name"].is_null())
            .count()
    ));
    let lakes_fc = json!({"type": "FeatureCollection",
        "provenance": {"status": "secondary", "source": inp.source_note, "licence": "LGPL-3.0-or-later",
            "note": "GSHHS f lake outlines are old and larger than today's lakes; names from the gazetteer"},
        "features": lakes});
    BuildOutputs {
        rivers_geojson: serde_json::to_string(&rivers_fc).unwrap_or_default() + "\n",
        lakes_geojson: serde_json::to_string(&lakes_fc).unwrap_or_default() + "\n",
        network_json: serde_json::to_string_pretty(&network).unwrap_or_default() + "\n",
        report,
    }
}

/// Reads the four WDBII files from `wdbii_dir`, the province outline and the
/// committed gazetteer, builds, and writes `rivers.geojson`, `lakes.geojson`,
/// `network.json` and `build-report.txt` into `out_dir`.
pub fn run(
    wdbii_dir: &str,
    province: &str,
    out_dir: &str,
    source_note: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(wdbii_dir);
    let rivers_meta = std::fs::read_to_string(dir.join("riversmeta_f.dat"))?;
    let rivers_dat = std::fs::read(dir.join("rivers_f.dat"))?;
    let gshhs_meta = std::fs::read_to_string(dir.join("gshhsmeta_f.dat"))?;
    let gshhs_dat = std::fs::read(dir.join("gshhs_f.dat"))?;
    let province_geojson = std::fs::read_to_string(province)?;
    let gaz_text = std::fs::read_to_string(std::path::Path::new(out_dir).join("gazetteer.toml"))?;
    let gazetteer = Gazetteer::parse(&gaz_text)?;
    let out = build(&BuildInputs {
        rivers_meta: &rivers_meta,
        rivers_dat: &rivers_dat,
        gshhs_meta: &gshhs_meta,
        gshhs_dat: &gshhs_dat,
        province_geojson: &province_geojson,
        gazetteer: &gazetteer,
        source_note,
    })?;
    let o = std::path::Path::new(out_dir);
    std::fs::write(o.join("rivers.geojson"), &out.rivers_geojson)?;
    std::fs::write(o.join("lakes.geojson"), &out.lakes_geojson)?;
    std::fs::write(o.join("network.json"), &out.network_json)?;
    std::fs::write(o.join("build-report.txt"), &out.report)?;
    print!("{}", out.report);
    Ok(())
}
