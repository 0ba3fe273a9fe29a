//! Water context for the governance engine (clause 十三: 上下游协同, 左右岸合作,
//! 干支流联动): for a footprint on or near a river, the jurisdictions downstream (to
//! warn), upstream (possible sources) and across the river (bank partners).
use super::banks::BankPair;
use super::graph::RiverGraph;
use super::navigate::{Mode, Passed, Snapped};
use serde::Serialize;

/// The water context of a footprint.
#[derive(Debug, Clone, Serialize)]
pub struct WaterContext {
    /// Where the footprint meets the network.
    pub snapped: Snapped,
    /// Counties downstream, in order (DD: with distributaries).
    pub downstream_counties: Vec<Passed>,
    /// Prefectures downstream, in order.
    pub downstream_prefectures: Vec<Passed>,
    /// Counties upstream (UT), nearest first.
    pub upstream_counties: Vec<Passed>,
    /// Prefectures upstream.
    pub upstream_prefectures: Vec<Passed>,
    /// Zones draining to the point (zone-level links included).
    pub upstream_zones: Vec<String>,
    /// Bank pairs of the same river within `BANK_CONTEXT_KM` of the point.
    pub bank_partners: Vec<BankPair>,
    /// Clauses this context supports.
    pub basis: Vec<&'static str>,
}

/// Bank pairs within this many km (along the river) of the point are reported.
pub const BANK_CONTEXT_KM: f64 = 10.0;

impl RiverGraph {
    /// Water context of a footprint given as (lon, lat) vertices (a point, a line or
    /// a polygon outline): the vertex nearest to the network is snapped. `None` when
    /// no vertex is within the snap tolerance or the footprint is empty.
    pub fn context_for_footprint(&self, footprint: &[(f64, f64)]) -> Option<WaterContext> {
        let best = footprint
            .iter()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .filter_map(|&(lon, lat)| self.nearest(lon, lat, None).map(|b| (b.0, lon, lat)))
            .min_by(|a, b| a.0.total_cmp(&b.0))?;
        let (_, lon, lat) = best;
        let down = self.navigate(Mode::DD, lon, lat, None, None).ok()?;
        let up = self.navigate(Mode::UT, lon, lat, None, None).ok()?;
        let (e, along, _) = self.snap(lon, lat, None).ok()?;
        let mut bank_partners = Vec::new();
        if let Some(ri) = self.edges[e].river {
            // km of the point along its river
            let mut base = 0.0;
            for &x in &self.rivers[ri].edges {
                if x == e {
                    break;
                }
                base += self.edges[x].length_km();
            }
            let k = base + along;
            bank_partners = self.banks[ri]
                .iter()
                .filter(|b| b.km_to >= k - BANK_CONTEXT_KM && b.km_from <= k + BANK_CONTEXT_KM)
                .cloned()
                .collect();
        }
        Some(WaterContext {
            snapped: down.snapped.clone(),
            downstream_counties: down.counties,
            downstream_prefectures: down.prefectures,
            upstream_counties: up.counties,
            upstream_prefectures: up.prefectures,
            upstream_zones: up.zones_draining,
            bank_partners,
            basis: vec!["十三"],
        })
    }
}
