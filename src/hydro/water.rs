//! The river network as the governance engine's water hook (上下游, 左右岸;
//! clause 十三): implements [`crate::governance::water::UpstreamDownstream`]
//! with [`RiverGraph::context_for`] (the whole footprint on the network) and
//! [`RiverGraph::drainage_of`] (where a point drains locally).

use super::graph::{for_atlas, RiverGraph};
use super::navigate::Mode;
use crate::atlas::{Atlas, LayerKind};
use crate::budget::{Budget, Exhausted};
use crate::governance::footprint::Footprint;
use crate::governance::names::{PlaceEntry, PlaceKind};
use crate::governance::water::{Drainage, PlaceRef, UpstreamDownstream, WaterContext};

/// Upstream/downstream jurisdictions and bank partners from the embedded river network.
#[derive(Debug, Clone, Copy, Default)]
pub struct RiverWater;

impl RiverGraph {
    /// The river a point drains to locally: the nearest line within the snap
    /// tolerance, followed downstream (DM) to the first named river when the
    /// nearest line is unnamed; `None` when no line is near. Returns
    /// (river index, distance km).
    pub fn drainage_of(&self, lon: f64, lat: f64) -> Option<(usize, f64)> {
        let (e, along, snapped) = self.snap(lon, lat, None).ok()?;
        if let Some(r) = self.edges[e].river {
            return Some((r, snapped.distance_km));
        }
        let nav = self.navigate_from(Mode::DM, e, along, None);
        let id = nav.reaches.iter().find_map(|r| r.river.clone())?;
        Some((self.river_index(&id)?, snapped.distance_km))
    }
}

impl RiverGraph {
    /// The point halfway along a river, [lon, lat] rounded to 1e-6 degree.
    pub fn river_midpoint(&self, river: usize) -> [f64; 2] {
        let r = &self.rivers[river];
        let total: f64 = r.edges.iter().map(|&e| self.edges[e].length_km()).sum();
        let mut left = total / 2.0;
        for &e in &r.edges {
            let len = self.edges[e].length_km();
            if left <= len {
                let p = self.edges[e].point_at(left);
                return [(p.0 * 1e6).round() / 1e6, (p.1 * 1e6).round() / 1e6];
            }
            left -= len;
        }
        [0.0, 0.0]
    }

    /// The bounding box of a river's edges, [min lon, min lat, max lon, max lat].
    pub fn river_bbox(&self, river: usize) -> [f64; 4] {
        self.rivers[river]
            .edges
            .iter()
            .map(|&e| self.edges[e].bbox)
            .reduce(|a, b| {
                [
                    a[0].min(b[0]),
                    a[1].min(b[1]),
                    a[2].max(b[2]),
                    a[3].max(b[3]),
                ]
            })
            .unwrap_or([0.0; 4])
    }
}

impl UpstreamDownstream for RiverWater {
    fn for_footprint(
        &self,
        atlas: &Atlas,
        footprint: &Footprint,
        budget: &Budget,
    ) -> Result<Option<WaterContext>, Exhausted> {
        match for_atlas(atlas) {
            Ok(graph) => graph.context_for(footprint, budget),
            Err(e) => {
                tracing::error!(error = %e, "river network unavailable");
                Ok(None)
            }
        }
    }

    fn drainage(&self, atlas: &Atlas, lon: f64, lat: f64) -> Option<Drainage> {
        let graph = for_atlas(atlas).ok()?;
        let (ri, d) = graph.drainage_of(lon, lat)?;
        let river = &graph.rivers[ri];
        let basin_name = atlas
            .layer(LayerKind::Basin)
            .get(&river.basin)
            .map(|b| b.name.clone())
            .unwrap_or_else(|| {
                format!(
                    "{} (outside the three first-level basins of 十三)",
                    river.name
                )
            });
        Some(Drainage {
            river: PlaceRef {
                id: river.id.clone(),
                name: river.name.clone(),
            },
            distance_km: (d * 100.0).round() / 100.0,
            basin: PlaceRef {
                id: river.basin.clone(),
                name: basin_name,
            },
        })
    }

    fn river_places(&self, atlas: &Atlas) -> Vec<PlaceEntry> {
        let Ok(g) = for_atlas(atlas) else {
            return Vec::new();
        };
        g.rivers
            .iter()
            .enumerate()
            .map(|(i, r)| PlaceEntry {
                kind: PlaceKind::River,
                id: r.id.clone(),
                name: r.name.clone(),
                parent: None,
                label: g.river_midpoint(i),
                bbox: g.river_bbox(i),
                aliases: vec![r.name_en.clone()],
            })
            .collect()
    }

    fn describe(&self) -> &str {
        "embedded river network (WDBII lines, gazetteer orientation): every reach within 5 km of the footprint; UT upstream of its entry points, DD downstream of its exit points; bank pairs along the touched length"
    }
}
