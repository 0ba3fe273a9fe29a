//! 机制: the coordination mechanisms of the seed (流域治理, 都市圈联防联控, 传输通道,
//! 共同缔造, 专项督察, 司法联动, 委员会统筹).

use serde::{Deserialize, Serialize};

/// Mechanism id: basin coordination (十三).
pub const BASIN_COORDINATION: &str = "basin_coordination";
/// Mechanism id: metropolitan joint prevention (十四).
pub const METRO_JOINT_PREVENTION: &str = "metro_joint_prevention";
/// Mechanism id: the 襄荆荆宜 air corridor (十四).
pub const AIR_CORRIDOR: &str = "air_corridor";
/// Mechanism id: co-creation (十五).
pub const CO_CREATION: &str = "co_creation";
/// Mechanism id: provincial special inspection (十六).
pub const SPECIAL_INSPECTION: &str = "special_inspection";
/// Mechanism id: enforcement-justice linkage (十八).
pub const JUDICIAL_LINKAGE: &str = "judicial_linkage";
/// Mechanism id: committee coordination (七, 二十).
pub const COMMITTEE_COORDINATION: &str = "committee_coordination";

/// Every mechanism id the engine relies on; the rules must define each.
pub const REQUIRED_MECHANISMS: [&str; 7] = [
    BASIN_COORDINATION,
    METRO_JOINT_PREVENTION,
    AIR_CORRIDOR,
    CO_CREATION,
    SPECIAL_INSPECTION,
    JUDICIAL_LINKAGE,
    COMMITTEE_COORDINATION,
];

/// Where a mechanism applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Every place, by its basin and zone.
    Basin,
    /// Places in a metropolitan area.
    MetroArea,
    /// Places in the air corridor.
    Corridor,
    /// Rural county-level units.
    RuralCounty,
    /// Issues crossing basins or regions.
    CrossRegion,
    /// Suspected crime.
    Judicial,
    /// Every level.
    Committee,
}

/// One step of the judicial-linkage chain (十八).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainStep {
    /// Step id (`transfer`).
    pub step: String,
    /// Step in Chinese (`移送`).
    pub step_zh: String,
    /// Department id acting at this step.
    pub department: String,
}

/// A coordination mechanism (机制).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mechanism {
    /// Id (one of the `REQUIRED_MECHANISMS` or a user's own).
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Where it applies.
    pub scope: Scope,
    /// Matter themes for which an issue analysis names it.
    pub themes: Vec<String>,
    /// Clauses.
    pub basis: Vec<String>,
    /// Summary, Chinese (our words).
    pub summary_zh: String,
    /// Summary, English.
    pub summary_en: String,
    /// Features (e.g. the four unifications), Chinese.
    #[serde(default)]
    pub features_zh: Vec<String>,
    /// Features, English.
    #[serde(default)]
    pub features_en: Vec<String>,
    /// Judicial chain, in order.
    #[serde(default)]
    pub chain: Vec<ChainStep>,
    /// Further partner departments.
    #[serde(default)]
    pub partners: Vec<String>,
}

/// Which county-level units count as rural for co-creation (十五).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoCreationRule {
    /// Name endings of rural county-level units.
    pub rural_suffixes: Vec<String>,
    /// Provenance of the rule (`reconstructed`).
    pub provenance: String,
}

impl CoCreationRule {
    /// Whether a county-level unit with this name is treated as rural.
    pub fn is_rural(&self, county_name: &str) -> bool {
        self.rural_suffixes
            .iter()
            .any(|s| !s.is_empty() && county_name.ends_with(s.as_str()))
    }
}

/// The whole `mechanisms.toml` file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MechanismFile {
    /// Mechanisms.
    pub mechanism: Vec<Mechanism>,
    /// Rural classification for co-creation.
    pub co_creation_rule: CoCreationRule,
}
