//! 上下游: the hook through which a river graph supplies upstream/downstream
//! jurisdictions and bank partners (左右岸) to the analysis of water matters
//! (clause 十三).
//!
//! The governance engine does not own river topology. A river engine
//! implements [`UpstreamDownstream`] and is installed with
//! [`super::Governance::with_water`]; until then [`NoRiverGraph`] answers
//! `None` and the analysis says that no river graph is loaded.

use serde::Serialize;

use crate::atlas::Atlas;

use super::footprint::Footprint;

/// A jurisdiction named in a water context.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaterJurisdiction {
    /// County or prefecture adcode, or a zone id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Layer id (`counties`, `prefectures`, `zones`).
    pub layer: String,
    /// River along which the relation holds, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub river: Option<String>,
    /// Distance along the river from the footprint (km), where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
}

/// Two jurisdictions facing each other across a river that forms their border.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BankPair {
    /// River name.
    pub river: String,
    /// Left bank (facing downstream).
    pub left: WaterJurisdiction,
    /// Right bank.
    pub right: WaterJurisdiction,
}

/// What the river graph says about a footprint (十三).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaterContext {
    /// Jurisdictions upstream of the footprint.
    pub upstream: Vec<WaterJurisdiction>,
    /// Jurisdictions downstream of the footprint.
    pub downstream: Vec<WaterJurisdiction>,
    /// Bank partners along border rivers.
    pub bank_pairs: Vec<BankPair>,
    /// Trunk/tributary relations touched (free text per relation).
    pub trunk_tributary: Vec<String>,
    /// Engine-specific detail (snapped point, zones draining...), passed through.
    pub detail: serde_json::Value,
    /// Clauses the context rests on (normally 十三).
    pub basis: Vec<String>,
    /// Provenance of the river data (`reconstructed`, source...).
    pub provenance: String,
}

/// Supplies upstream/downstream and bank partners for a footprint.
///
/// `footprint` is `None` when the issue was given as a list of places;
/// [`Footprint::vertices`] lists its vertices. `counties` are the adcodes of
/// the county-level units the issue touches. Return `None` when the answer is
/// unknown (no river data, or the footprint touches no river).
pub trait UpstreamDownstream: Send + Sync {
    /// The water context of a footprint.
    fn for_footprint(
        &self,
        atlas: &Atlas,
        footprint: Option<&Footprint>,
        counties: &[String],
    ) -> Option<WaterContext>;

    /// A short description of the river data behind the answers.
    fn describe(&self) -> &str;
}

/// The default: no river graph is present, so no water context.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRiverGraph;

impl UpstreamDownstream for NoRiverGraph {
    fn for_footprint(
        &self,
        _: &Atlas,
        _: Option<&Footprint>,
        _: &[String],
    ) -> Option<WaterContext> {
        None
    }

    fn describe(&self) -> &str {
        "no river graph loaded: upstream/downstream jurisdictions and bank partners are not computed"
    }
}
