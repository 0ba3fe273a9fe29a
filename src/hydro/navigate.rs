//! Upstream/downstream navigation (上下游追踪) in USGS NLDI's vocabulary:
//! `UM` upstream main, `UT` upstream with tributaries, `DM` downstream main,
//! `DD` downstream with diversions (distributaries). Every answer lists reaches
//! with along-river km and their county, prefecture, zone and basin.
use super::graph::{Jurisdiction, Province, RiverGraph};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use thiserror::Error;

/// Snap tolerance: a point further than this from every river line gets
/// "no river near". WDBII f lines are generalised; 5 km covers their offset from
/// the real channel on the plain.
pub const SNAP_TOLERANCE_KM: f64 = 5.0;

/// Navigation mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Mode {
    /// Upstream main stem.
    UM,
    /// Upstream with tributaries.
    UT,
    /// Downstream main stem.
    DM,
    /// Downstream with diversions (distributaries).
    DD,
}

impl Mode {
    /// Parses `UM`, `UT`, `DM`, `DD` (case-insensitive).
    pub fn parse(s: &str) -> Option<Mode> {
        match s.to_ascii_uppercase().as_str() {
            "UM" => Some(Mode::UM),
            "UT" => Some(Mode::UT),
            "DM" => Some(Mode::DM),
            "DD" => Some(Mode::DD),
            _ => None,
        }
    }

    fn upstream(self) -> bool {
        matches!(self, Mode::UM | Mode::UT)
    }
}

/// Navigation failures (all are answers to bad or unlucky input, never panics).
#[derive(Debug, Error, PartialEq)]
pub enum NavError {
    /// No river line within the tolerance.
    #[error("no river near ({lon}, {lat}): the nearest river line is {distance_km:.1} km away (tolerance {tolerance_km} km)")]
    NoRiverNear {
        /// Longitude.
        lon: f64,
        /// Latitude.
        lat: f64,
        /// Distance to the nearest line, km.
        distance_km: f64,
        /// Tolerance, km.
        tolerance_km: f64,
    },
    /// `river=` names no river.
    #[error("unknown river id {0}")]
    UnknownRiver(String),
    /// Bad distance cap.
    #[error("distance_km must be a positive number")]
    BadDistance,
    /// Longitude/latitude not finite or out of range.
    #[error("coordinates must be finite, lon in [-180, 180], lat in [-90, 90]")]
    BadCoordinates,
}

/// Where the query point snapped.
#[derive(Debug, Clone, Serialize)]
pub struct Snapped {
    /// River id (null for an unnamed line).
    pub river: Option<String>,
    /// River name.
    pub river_name: Option<String>,
    /// Edge id.
    pub edge: String,
    /// Snapped longitude.
    pub lon: f64,
    /// Snapped latitude.
    pub lat: f64,
    /// Distance from the query point, km.
    pub distance_km: f64,
    /// The tolerance used, km.
    pub tolerance_km: f64,
}

/// One reach (河段) of the answer: a run on one river inside one county.
#[derive(Debug, Clone, Serialize)]
pub struct Reach {
    /// River id.
    pub river: Option<Arc<str>>,
    /// River name.
    pub river_name: Option<Arc<str>>,
    /// Edge id.
    pub edge: Arc<str>,
    /// Distance from the query point where the reach starts, km.
    pub km_from: f64,
    /// Distance from the query point where it ends, km.
    pub km_to: f64,
    /// Jurisdiction (null outside Hubei).
    pub jurisdiction: Option<Arc<Jurisdiction>>,
    /// Outside Hubei: the neighbouring province the reach lies in (相邻省份).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<Arc<Province>>,
    /// Index of the jurisdiction in the graph (internal).
    #[serde(skip)]
    pub jidx: Option<usize>,
}

/// A zone with its area (UT answers).
#[derive(Debug, Clone, Serialize)]
pub struct ZoneArea {
    /// Zone id.
    pub id: String,
    /// Zone name.
    pub name: String,
    /// Area, km².
    pub area_km2: f64,
}

/// A jurisdiction passed, with entry and exit km.
#[derive(Debug, Clone, Serialize)]
pub struct Passed {
    /// `county`, `prefecture`, `zone` or `basin`.
    pub level: &'static str,
    /// Id (adcode or zone/basin id).
    pub id: String,
    /// Name.
    pub name: String,
    /// First km inside.
    pub entry_km: f64,
    /// Last km inside.
    pub exit_km: f64,
    /// Length of river inside, km.
    pub length_km: f64,
}

/// A node event on the way: confluence, distributary head, outflow.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// Distance from the query point, km.
    pub km: f64,
    /// `confluence`, `distributary_head`, `outlet`, `outflow`, `inflow`, `head`.
    pub kind: String,
    /// Node id.
    pub node: String,
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// Rivers meeting or leaving there (other than the one travelled).
    pub rivers: Vec<String>,
    /// Node label.
    pub label: String,
}

/// Where the path leaves Hubei.
#[derive(Debug, Clone, Serialize)]
pub struct Exit {
    /// Distance from the query point, km.
    pub km: f64,
    /// River id.
    pub river: Option<String>,
    /// Last county inside.
    pub last_county: Option<String>,
    /// Longitude of the crossing.
    pub lon: f64,
    /// Latitude of the crossing.
    pub lat: f64,
    /// True when no reach inside Hubei follows on this route (the final exit);
    /// false where a border river only wanders out and back in.
    pub final_exit: bool,
    /// The neighbouring province the path enters there (null beyond the six).
    pub into: Option<Arc<Province>>,
}

/// The full navigation answer.
#[derive(Debug, Clone, Serialize)]
pub struct Navigation {
    /// Mode.
    pub mode: Mode,
    /// Snapped point.
    pub snapped: Snapped,
    /// Distance cap, if any.
    pub distance_km: Option<f64>,
    /// Reaches ordered by distance from the point.
    pub reaches: Vec<Reach>,
    /// Distinct counties, in order of entry.
    pub counties: Vec<Passed>,
    /// Distinct prefectures.
    pub prefectures: Vec<Passed>,
    /// Distinct zones (二级流域片区, reconstructed).
    pub zones: Vec<Passed>,
    /// Distinct first-level basins.
    pub basins: Vec<Passed>,
    /// Confluences, distributary heads and outflows passed.
    pub events: Vec<Event>,
    /// Points where the path leaves Hubei (DD may leave several times).
    pub leaves_hubei: Vec<Exit>,
    /// The neighbouring provinces the path runs through outside Hubei (where
    /// it comes from, upstream; where it goes or wanders, downstream), in
    /// order of km.
    pub outside_provinces: Vec<Passed>,
    /// UT: zones draining to the point: those whose zone-level drainage link has its
    /// mouth upstream, and the zone of the point itself (`zones` lists every zone
    /// the traced lines merely cross, e.g. along border rivers).
    pub zones_draining: Vec<String>,
    /// UT: area of each draining zone, km² (whole zones; counties straddling a
    /// divide are counted whole, so this is an upper bound).
    pub zones_draining_area: Vec<ZoneArea>,
    /// Total km of river covered.
    pub total_km: f64,
    /// Data provenance and caveats.
    pub notes: Vec<String>,
}

/// A traversed part of an edge: edge, km range on the edge, route km at the edge-km `a` end.
#[derive(Debug, Clone, Copy)]
struct Leg {
    edge: usize,
    a: f64,
    b: f64,
    /// route km at the upstream end (downstream modes) or downstream end (upstream modes)
    base: f64,
}

impl RiverGraph {
    /// Snaps a point to the network (optionally to one river) within the tolerance.
    pub fn snap(
        &self,
        lon: f64,
        lat: f64,
        river: Option<&str>,
    ) -> Result<(usize, f64, Snapped), NavError> {
        if crate::locate::check_lon_lat(lon, lat).is_err() {
            return Err(NavError::BadCoordinates);
        }
        let r = match river {
            Some(id) => Some(
                self.river_index(id)
                    .ok_or_else(|| NavError::UnknownRiver(id.to_string()))?,
            ),
            None => None,
        };
        let (d, e, along, q) = self.nearest(lon, lat, r).ok_or(NavError::NoRiverNear {
            lon,
            lat,
            distance_km: f64::INFINITY,
            tolerance_km: SNAP_TOLERANCE_KM,
        })?;
        if d > SNAP_TOLERANCE_KM {
            return Err(NavError::NoRiverNear {
                lon,
                lat,
                distance_km: (d * 10.0).round() / 10.0,
                tolerance_km: SNAP_TOLERANCE_KM,
            });
        }
        let edge = &self.edges[e];
        Ok((
            e,
            along,
            Snapped {
                river: edge.river.map(|r| self.rivers[r].id.clone()),
                river_name: edge.river.map(|r| self.rivers[r].name.clone()),
                edge: edge.id.clone(),
                lon: q.0,
                lat: q.1,
                distance_km: d,
                tolerance_km: SNAP_TOLERANCE_KM,
            },
        ))
    }

    /// Rank of an edge as the "main" continuation from a river (lower is better).
    fn main_rank(&self, e: usize, current: Option<usize>) -> (u8, usize) {
        let r = self.edges[e].river;
        let k = match r {
            _ if r.is_some() && r == current => 0,
            Some(ri) if self.rivers[ri].kind == "main" => 1,
            Some(ri) if self.rivers[ri].kind == "tributary" => 2,
            None => 3,
            Some(_) => 4, // distributary: only when nothing else
        };
        (k, e)
    }

    /// Upstream main choice: same river first, then the longest upstream network.
    fn up_main(&self, node: usize, current: Option<usize>, up_len: &[f64]) -> Option<usize> {
        self.ins[node].iter().copied().min_by(|&x, &y| {
            let kx = u8::from(!(self.edges[x].river.is_some() && self.edges[x].river == current));
            let ky = u8::from(!(self.edges[y].river.is_some() && self.edges[y].river == current));
            kx.cmp(&ky)
                .then(up_len[self.edges[y].from].total_cmp(&up_len[self.edges[x].from]))
                .then(x.cmp(&y))
        })
    }

    /// Length of the whole network upstream of each node, km (for UM choices).
    pub fn upstream_lengths(&self) -> Vec<f64> {
        let mut up = vec![0.0; self.nodes.len()];
        for &u in &self.topo {
            for &e in &self.outs[u] {
                let v = self.edges[e].to;
                up[v] += up[u] + self.edges[e].length_km();
            }
        }
        up
    }

    /// Runs a navigation from a point.
    pub fn navigate(
        &self,
        mode: Mode,
        lon: f64,
        lat: f64,
        distance_km: Option<f64>,
        river: Option<&str>,
    ) -> Result<Navigation, NavError> {
        if let Some(d) = distance_km {
            if !d.is_finite() || d <= 0.0 {
                return Err(NavError::BadDistance);
            }
        }
        let (e0, along, snapped) = self.snap(lon, lat, river)?;
        Ok(self.navigate_snapped(mode, snapped, e0, along, distance_km))
    }

    /// Navigation from a point already on the network: `along` km from the
    /// start of edge `edge` (for footprints whose entry and exit points on the
    /// network are known).
    pub fn navigate_from(
        &self,
        mode: Mode,
        edge: usize,
        along: f64,
        distance_km: Option<f64>,
    ) -> Navigation {
        let e = &self.edges[edge];
        let along = along.clamp(0.0, e.length_km());
        let q = e.point_at(along);
        let snapped = Snapped {
            river: e.river.map(|r| self.rivers[r].id.clone()),
            river_name: e.river.map(|r| self.rivers[r].name.clone()),
            edge: e.id.clone(),
            lon: q.0,
            lat: q.1,
            distance_km: 0.0,
            tolerance_km: SNAP_TOLERANCE_KM,
        };
        self.navigate_snapped(mode, snapped, edge, along, distance_km)
    }

    fn navigate_snapped(
        &self,
        mode: Mode,
        snapped: Snapped,
        e0: usize,
        along: f64,
        distance_km: Option<f64>,
    ) -> Navigation {
        let cap = distance_km.unwrap_or(f64::INFINITY);
        let legs = self.legs(mode, e0, along, cap);
        self.answer(mode, snapped, distance_km, &legs, e0)
    }

    /// Traversal legs (deterministic order by route km).
    fn legs(&self, mode: Mode, e0: usize, along: f64, cap: f64) -> Vec<Leg> {
        let mut legs = Vec::new();
        match mode {
            Mode::DM => {
                let mut e = e0;
                let mut a = along;
                let mut base = 0.0;
                let mut seen = BTreeSet::new();
                loop {
                    let len = self.edges[e].length_km();
                    legs.push(Leg {
                        edge: e,
                        a,
                        b: len,
                        base,
                    });
                    base += len - a;
                    if base >= cap || !seen.insert(e) {
                        break;
                    }
                    let cur = self.edges[e].river;
                    let v = self.edges[e].to;
                    match self.outs[v]
                        .iter()
                        .copied()
                        .min_by_key(|&x| self.main_rank(x, cur))
                    {
                        Some(n) => {
                            e = n;
                            a = 0.0;
                        }
                        None => break,
                    }
                }
            }
            Mode::UM => {
                let up = self.upstream_lengths();
                let mut e = e0;
                let mut b = along;
                let mut base = 0.0;
                loop {
                    legs.push(Leg {
                        edge: e,
                        a: 0.0,
                        b,
                        base,
                    });
                    base += b;
                    if base >= cap {
                        break;
                    }
                    let cur = self.edges[e].river;
                    match self.up_main(self.edges[e].from, cur, &up) {
                        Some(n) => {
                            e = n;
                            b = self.edges[n].length_km();
                        }
                        None => break,
                    }
                }
            }
            Mode::DD | Mode::UT => {
                // shortest route km to each edge's near end (DAG, Dijkstra over edges)
                let up = mode.upstream();
                let mut best: BTreeMap<usize, f64> = BTreeMap::new();
                let first = if up {
                    Leg {
                        edge: e0,
                        a: 0.0,
                        b: along,
                        base: 0.0,
                    }
                } else {
                    Leg {
                        edge: e0,
                        a: along,
                        b: self.edges[e0].length_km(),
                        base: 0.0,
                    }
                };
                legs.push(first);
                let mut frontier: Vec<(f64, usize)> = Vec::new();
                let start_node = if up {
                    self.edges[e0].from
                } else {
                    self.edges[e0].to
                };
                let d0 = first.b - first.a;
                let next_edges = |n: usize| if up { &self.ins[n] } else { &self.outs[n] };
                for &e in next_edges(start_node) {
                    frontier.push((d0, e));
                }
                while let Some(i) = (0..frontier.len()).min_by(|&x, &y| {
                    frontier[x]
                        .0
                        .total_cmp(&frontier[y].0)
                        .then(frontier[x].1.cmp(&frontier[y].1))
                }) {
                    let (d, e) = frontier.swap_remove(i);
                    if e == e0 || best.contains_key(&e) || d >= cap {
                        continue;
                    }
                    best.insert(e, d);
                    let len = self.edges[e].length_km();
                    legs.push(Leg {
                        edge: e,
                        a: 0.0,
                        b: len,
                        base: d,
                    });
                    let n = if up {
                        self.edges[e].from
                    } else {
                        self.edges[e].to
                    };
                    for &x in next_edges(n) {
                        if !best.contains_key(&x) {
                            frontier.push((d + len, x));
                        }
                    }
                }
            }
        }
        legs
    }

    /// Reaches of the legs, split at county borders (and outside Hubei at
    /// province borders), in travel order with route km.
    fn reaches_of(&self, mode: Mode, legs: &[Leg], capv: f64) -> Vec<Reach> {
        let up = mode.upstream();
        let mut reaches: Vec<Reach> = Vec::new();
        for leg in legs {
            let e = &self.edges[leg.edge];
            // pieces overlapping [a, b], in travel order
            let mut ps: Vec<(f64, f64, Option<usize>, Option<usize>)> = e
                .pieces
                .iter()
                .zip(e.beyond.iter().chain(std::iter::repeat(&None)))
                .filter(|(p, _)| p.1 > leg.a && p.0 < leg.b)
                .map(|(p, n)| (p.0.max(leg.a), p.1.min(leg.b), p.2, *n))
                .collect();
            if up {
                ps.reverse();
            }
            for (pa, pb, j, n) in ps {
                // route km: downstream = base + (x - a); upstream = base + (b - x)
                let (k0, k1) = if up {
                    (leg.base + (leg.b - pb), leg.base + (leg.b - pa))
                } else {
                    (leg.base + (pa - leg.a), leg.base + (pb - leg.a))
                };
                if k0 >= capv {
                    continue;
                }
                let province = n.map(|n| self.provinces[n].clone());
                if let Some(last) = reaches.last_mut() {
                    if last.edge == e.labels.edge
                        && last.jidx == j
                        && last.province == province
                        && (last.km_to - k0).abs() < 1e-9
                    {
                        last.km_to = k1.min(capv);
                        continue;
                    }
                }
                reaches.push(Reach {
                    river: e.labels.river.clone(),
                    river_name: e.labels.river_name.clone(),
                    edge: e.labels.edge.clone(),
                    km_from: k0,
                    km_to: k1.min(capv),
                    jurisdiction: j.map(|j| self.jurisdictions[j].clone()),
                    province,
                    jidx: j,
                });
            }
        }
        finish_reaches(mode, reaches)
    }

    /// Confluences, distributary heads, inflows and outflows at the nodes reached.
    fn node_events(&self, up: bool, legs: &[Leg], capv: f64) -> Vec<Event> {
        let mut events = Vec::new();
        let mut nodes_seen = BTreeSet::new();
        for leg in legs {
            let e = &self.edges[leg.edge];
            let node = if up { e.from } else { e.to };
            let k = leg.base + (leg.b - leg.a);
            if k > capv || !nodes_seen.insert(node) {
                continue;
            }
            let nd = &self.nodes[node];
            let others: Vec<String> = self.ins[node]
                .iter()
                .chain(self.outs[node].iter())
                .filter(|&&x| x != leg.edge)
                .filter_map(|&x| self.edges[x].river.map(|r| self.rivers[r].name.clone()))
                .filter(|n| Some(n) != e.river.map(|r| &self.rivers[r].name))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let kind = if matches!(nd.role.as_str(), "outlet" | "outflow" | "inflow" | "head") {
                nd.role.clone()
            } else if self.outs[node].len() > 1 {
                "distributary_head".to_string()
            } else if self.ins[node].len() > 1 {
                "confluence".to_string()
            } else {
                continue;
            };
            events.push(Event {
                km: round3(k),
                kind,
                node: nd.id.clone(),
                lon: nd.lon,
                lat: nd.lat,
                rivers: others,
                label: nd.label.clone(),
            });
        }
        events
    }

    /// Zone-level mouths passed (rivers absent from WDBII join there).
    fn zone_mouths(&self, up: bool, legs: &[Leg], capv: f64) -> Vec<Event> {
        let mut events = Vec::new();
        for leg in legs {
            let e = &self.edges[leg.edge];
            let node = if up { e.from } else { e.to };
            let k = leg.base + (leg.b - leg.a);
            if k > capv {
                continue;
            }
            for z in self
                .zone_links
                .iter()
                .filter(|z| z.node == node && !z.in_wdbii)
            {
                events.push(Event {
                    km: round3(k),
                    kind: "zone_mouth".into(),
                    node: self.nodes[node].id.clone(),
                    lon: self.nodes[node].lon,
                    lat: self.nodes[node].lat,
                    rivers: vec![z.via.clone()],
                    label: format!("{} ({}) joins at {}", z.via, z.zone, z.mouth_name),
                });
            }
        }
        events
    }

    /// Where a downstream path leaves Hubei: a piece outside after one inside,
    /// with the province entered; the last one on each river is final.
    fn exits_of(&self, legs: &[Leg], capv: f64, reaches: &[Reach]) -> Vec<Exit> {
        let mut leaves = Vec::new();
        for leg in legs {
            let e = &self.edges[leg.edge];
            let mut prev: Option<Option<usize>> = None;
            for (i, p) in e.pieces.iter().enumerate() {
                if !(p.1 > leg.a && p.0 < leg.b) {
                    continue;
                }
                if let (Some(Some(j)), None) = (prev, p.2) {
                    let k = leg.base + (p.0.max(leg.a) - leg.a);
                    if k <= capv {
                        let q = e.point_at(p.0);
                        leaves.push(Exit {
                            km: round3(k),
                            river: e.river.map(|r| self.rivers[r].id.clone()),
                            last_county: Some(self.jurisdictions[j].county_name.clone()),
                            lon: q.0,
                            lat: q.1,
                            final_exit: false,
                            into: e
                                .beyond
                                .get(i)
                                .copied()
                                .flatten()
                                .map(|n| self.provinces[n].clone()),
                        });
                    }
                }
                prev = Some(p.2);
            }
        }
        leaves.sort_by(|a, b| a.km.total_cmp(&b.km));
        for x in &mut leaves {
            x.final_exit = !reaches.iter().any(|r| {
                r.jurisdiction.is_some()
                    && r.km_from >= x.km
                    && r.river.as_deref() == x.river.as_deref()
            });
        }
        leaves
    }

    /// UT: zones draining to the point (zone links with their mouth upstream)
    /// and the zone of the point itself.
    fn zones_draining(&self, legs: &[Leg], e0: usize, reaches: &[Reach]) -> Vec<String> {
        let mut upn: BTreeSet<usize> = BTreeSet::new();
        for leg in legs {
            upn.insert(self.edges[leg.edge].from);
            if leg.edge != e0 {
                upn.insert(self.edges[leg.edge].to);
            }
        }
        let mut z: Vec<String> = self
            .zone_links
            .iter()
            .filter(|l| upn.contains(&l.node))
            .map(|l| l.zone.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if let Some(zid) = reaches
            .first()
            .and_then(|r| r.jurisdiction.as_ref())
            .and_then(|j| j.zone.clone())
        {
            if !z.contains(&zid) {
                z.push(zid);
            }
        }
        z.sort();
        z
    }

    fn answer(
        &self,
        mode: Mode,
        snapped: Snapped,
        cap: Option<f64>,
        legs: &[Leg],
        e0: usize,
    ) -> Navigation {
        let up = mode.upstream();
        let capv = cap.unwrap_or(f64::INFINITY);
        let reaches = self.reaches_of(mode, legs, capv);
        let total_km = legs
            .iter()
            .map(|l| (l.b - l.a).min((capv - l.base).max(0.0)))
            .sum::<f64>();
        let mut events = self.node_events(up, legs, capv);
        events.extend(self.zone_mouths(up, legs, capv));
        events.sort_by(|a, b| {
            a.km.total_cmp(&b.km)
                .then(a.node.cmp(&b.node))
                .then(a.label.cmp(&b.label))
        });
        let leaves_hubei = if up {
            Vec::new()
        } else {
            self.exits_of(legs, capv, &reaches)
        };
        let zones_draining = if mode == Mode::UT {
            self.zones_draining(legs, e0, &reaches)
        } else {
            Vec::new()
        };
        Navigation {
            mode,
            snapped,
            distance_km: cap,
            counties: passed(&reaches, "county", |j| {
                Some((j.county.as_str(), j.county_name.as_str()))
            }),
            prefectures: passed(&reaches, "prefecture", |j| {
                Some((j.prefecture.as_str(), j.prefecture_name.as_str()))
            }),
            zones: passed(&reaches, "zone", |j| {
                Some((j.zone.as_deref()?, j.zone_name.as_deref().unwrap_or_default()))
            }),
            basins: passed(&reaches, "basin", |j| {
                Some((j.basin.as_deref()?, j.basin_name.as_deref().unwrap_or_default()))
            }),
            outside_provinces: outside_passed(&reaches),
            events,
            leaves_hubei,
            zones_draining_area: zones_draining
                .iter()
                .filter_map(|z| {
                    let (name, a) = self.zone_areas.get(z)?;
                    Some(ZoneArea { id: z.clone(), name: name.clone(), area_km2: *a })
                })
                .collect(),
            zones_draining,
            total_km: round3(total_km),
            reaches,
            notes: vec![
                "River lines: WDBII full resolution (LGPL-3.0-or-later), generalised; the 长江 below Wuhan is a centreline derived from the GSHHS river-lake polygon (provenance: reconstructed).".into(),
                "Zones (二级流域片区) are reconstructed (provenance: reconstructed). Rivers absent from WDBII (汉北河, 举水, 倒水, 巴水, 浠水, 蕲水, 富水, 陆水) enter only as zone-level links.".into(),
                format!("Reach ends at county borders are within {} km of the true border.", super::graph::SPLIT_STEP_KM / 2.0),
            ],
        }
    }
}

/// DM/UM: consecutive reaches of the same river, county and province merge
/// (across edges); DD/UT: reaches sorted by km. Km rounded to 1 m.
fn finish_reaches(mode: Mode, reaches: Vec<Reach>) -> Vec<Reach> {
    let mut out: Vec<Reach> = Vec::new();
    if matches!(mode, Mode::DM | Mode::UM) {
        for r in reaches {
            if let Some(last) = out.last_mut() {
                if last.river == r.river
                    && last.jidx == r.jidx
                    && last.province == r.province
                    && (last.km_to - r.km_from).abs() < 1e-6
                {
                    last.km_to = r.km_to;
                    continue;
                }
            }
            out.push(r);
        }
    } else {
        out = reaches;
        out.sort_by(|a, b| a.km_from.total_cmp(&b.km_from).then(a.edge.cmp(&b.edge)));
    }
    for r in &mut out {
        r.km_from = round3(r.km_from);
        r.km_to = round3(r.km_to);
    }
    out
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The neighbouring provinces of the reaches outside Hubei, as [`Passed`]
/// entries of level `province`, in order of entry.
fn outside_passed(reaches: &[Reach]) -> Vec<Passed> {
    let mut out: Vec<Passed> = Vec::new();
    for r in reaches.iter().filter(|r| r.jurisdiction.is_none()) {
        let Some(p) = &r.province else { continue };
        match out.iter_mut().find(|x| x.id == p.adcode) {
            Some(x) => {
                x.entry_km = x.entry_km.min(r.km_from);
                x.exit_km = x.exit_km.max(r.km_to);
                x.length_km = round3(x.length_km + (r.km_to - r.km_from));
            }
            None => out.push(Passed {
                level: "province",
                id: p.adcode.clone(),
                name: p.name.clone(),
                entry_km: r.km_from,
                exit_km: r.km_to,
                length_km: round3(r.km_to - r.km_from),
            }),
        }
    }
    out
}

fn passed(
    reaches: &[Reach],
    level: &'static str,
    key: impl for<'a> Fn(&'a Jurisdiction) -> Option<(&'a str, &'a str)>,
) -> Vec<Passed> {
    let mut out: Vec<Passed> = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for r in reaches {
        let Some((id, name)) = r.jurisdiction.as_deref().and_then(&key) else {
            continue;
        };
        match index.get(id).map(|&i| &mut out[i]) {
            Some(p) => {
                p.entry_km = p.entry_km.min(r.km_from);
                p.exit_km = p.exit_km.max(r.km_to);
                p.length_km = round3(p.length_km + (r.km_to - r.km_from));
            }
            None => {
                index.insert(id, out.len());
                out.push(Passed {
                    level,
                    id: id.to_string(),
                    name: name.to_string(),
                    entry_km: r.km_from,
                    exit_km: r.km_to,
                    length_km: round3(r.km_to - r.km_from),
                });
            }
        }
    }
    out
}
