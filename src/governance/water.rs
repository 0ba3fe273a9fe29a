//! 上下游: the hook through which a river network supplies the water context of
//! a footprint (clause 十三: 上下游统筹, 左右岸协同, 干支流互动) and the local
//! drainage of a point, and the types of those answers.
//!
//! The governance engine does not own river topology. A river engine
//! implements [`UpstreamDownstream`] and is installed with
//! [`super::Governance::with_water`]; until then [`NoRiverGraph`] answers
//! `None` and the analysis says that no river network is loaded.

use serde::Serialize;

use crate::atlas::Atlas;
use crate::budget::{Budget, Exhausted};

use super::footprint::Footprint;

/// A place in a water answer: adcode (or zone id) and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PlaceRef {
    /// Adcode.
    pub id: String,
    /// Name.
    pub name: String,
}

/// One river's stretch within the snap tolerance of the footprint, in km
/// along the river from its upstream end in the network (the frame of
/// `/v1/rivers/{id}/banks`); an unnamed line by its edge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TouchedReach {
    /// River id (null for an unnamed line).
    pub river: Option<String>,
    /// River name.
    pub river_name: Option<String>,
    /// Edge id, for an unnamed line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge: Option<String>,
    /// Ids of the network edges the stretch runs along, upstream first (the
    /// `id` of the `rivers` tile features and of `/v1/navigate` reaches), so a
    /// map can highlight the touched reaches exactly.
    pub edges: Vec<String>,
    /// First km touched.
    pub km_from: f64,
    /// Last km touched.
    pub km_to: f64,
}

/// A jurisdiction the touched reaches run through, with the length inside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InsideUnit {
    /// Adcode (county, prefecture or neighbouring province).
    pub id: String,
    /// Name.
    pub name: String,
    /// River length touched in it, km.
    pub length_km: f64,
}

/// A jurisdiction upstream or downstream of the footprint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Related {
    /// Adcode.
    pub id: String,
    /// Name.
    pub name: String,
    /// Along-river distance from the nearest entry (exit) point, km.
    pub distance_km: f64,
    /// The river of the first reach met in it.
    pub river: Option<String>,
}

/// A neighbouring province (相邻省份) on the path upstream or downstream.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutsideProvince {
    /// Adcode.
    pub adcode: String,
    /// Name.
    pub name: String,
    /// `flows_from` (the network comes into Hubei from it), `flows_into`
    /// (the downstream path runs into it), `continues_to` (beyond the
    /// network's outlet; a curated fact of geography.md §3a).
    pub relation: &'static str,
    /// River name.
    pub river: Option<String>,
    /// Along-river distance from the footprint, km (null for `continues_to`).
    pub distance_km: Option<f64>,
}

/// Where the touched network enters or leaves the footprint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkPoint {
    /// River id.
    pub river: Option<String>,
    /// River name.
    pub river_name: Option<String>,
    /// Edge id.
    pub edge: String,
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
}

/// One bank of a bank pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BankSide {
    /// County-level unit (null outside Hubei).
    pub county: Option<PlaceRef>,
    /// Prefecture-level unit (null outside Hubei).
    pub prefecture: Option<PlaceRef>,
    /// Province: 湖北省, or the neighbouring province outside Hubei.
    pub province: Option<PlaceRef>,
}

/// Two jurisdictions facing each other across a river (左右岸).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BankPair {
    /// River id.
    pub river: String,
    /// River name.
    pub river_name: String,
    /// `prefecture` when the banks lie in different prefectures (or provinces), else `county`.
    pub level: &'static str,
    /// Start, km along the river.
    pub km_from: f64,
    /// End, km.
    pub km_to: f64,
    /// Left bank facing downstream.
    pub left: BankSide,
    /// Right bank.
    pub right: BankSide,
}

/// What the river network says about a footprint (十三).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaterContext {
    /// Snap tolerance, km: every reach within it of any part of the footprint is touched.
    pub tolerance_km: f64,
    /// Reaches touched, per river.
    pub reaches: Vec<TouchedReach>,
    /// County-level units the touched reaches run through.
    pub inside_counties: Vec<InsideUnit>,
    /// Prefecture-level units the touched reaches run through.
    pub inside_prefectures: Vec<InsideUnit>,
    /// Neighbouring provinces the touched reaches run through (outside Hubei).
    pub inside_outside_hubei: Vec<InsideUnit>,
    /// Where the network enters the footprint (upstream ends of touched reaches).
    pub entry_points: Vec<NetworkPoint>,
    /// Where it leaves (downstream ends).
    pub exit_points: Vec<NetworkPoint>,
    /// Counties upstream of the entry points (UT), excluding those inside.
    pub upstream_counties: Vec<Related>,
    /// Prefectures upstream, excluding those inside.
    pub upstream_prefectures: Vec<Related>,
    /// Zones (二级流域片区, reconstructed) draining to the entry points.
    pub upstream_zones: Vec<String>,
    /// Counties downstream of the exit points (DD), excluding those inside.
    pub downstream_counties: Vec<Related>,
    /// Prefectures downstream, excluding those inside.
    pub downstream_prefectures: Vec<Related>,
    /// Provinces the network comes from on the upstream paths.
    pub upstream_outside: Vec<OutsideProvince>,
    /// Provinces the downstream paths run into (and where the 长江 goes on).
    pub downstream_outside: Vec<OutsideProvince>,
    /// Bank pairs along the whole touched length.
    pub bank_pairs: Vec<BankPair>,
    /// Trunk/tributary relations touched (干支流).
    pub trunk_tributary: Vec<String>,
    /// Caveats.
    pub notes: Vec<String>,
    /// Clauses the context rests on (十三).
    pub basis: Vec<String>,
    /// Provenance of the river data.
    pub provenance: String,
}

/// The river a point drains to locally and its first-level basin (profile).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drainage {
    /// The nearest river line within the snap tolerance, or the first named
    /// river downstream of an unnamed one.
    pub river: PlaceRef,
    /// Distance from the point to the line, km.
    pub distance_km: f64,
    /// The first-level basin (一级流域) that river belongs to: `changjiang`,
    /// `hanjiang`, `qingjiang`, or `outside` (e.g. the 淮河 head).
    pub basin: PlaceRef,
}

/// Supplies the water context of footprints and the drainage of points.
pub trait UpstreamDownstream: Send + Sync {
    /// The water context of a footprint: `Ok(None)` when no river is within
    /// the tolerance of it (or no river data is loaded); stops when `budget`
    /// runs out.
    fn for_footprint(
        &self,
        atlas: &Atlas,
        footprint: &Footprint,
        budget: &Budget,
    ) -> Result<Option<WaterContext>, Exhausted>;

    /// The river a point drains to locally, or `None` (no river near, or no data).
    fn drainage(&self, atlas: &Atlas, lon: f64, lat: f64) -> Option<Drainage>;

    /// The named rivers, for name search (`/v1/places`); none by default.
    fn river_places(&self, _atlas: &Atlas) -> Vec<super::names::PlaceEntry> {
        Vec::new()
    }

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
        _: &Footprint,
        _: &Budget,
    ) -> Result<Option<WaterContext>, Exhausted> {
        Ok(None)
    }

    fn drainage(&self, _: &Atlas, _: f64, _: f64) -> Option<Drainage> {
        None
    }

    fn describe(&self) -> &str {
        "no river graph loaded: upstream/downstream jurisdictions and bank partners are not computed"
    }
}
