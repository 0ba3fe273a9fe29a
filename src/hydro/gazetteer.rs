//! River and lake gazetteer (河湖名录): the committed table that names WDBII lines.
//!
//! WDBII carries no names. Each river is identified by points from
//! `geography.md` sections 2-4: main stems and distributaries by their upstream and
//! downstream points (province entry, outlet, distributary head, outflow), other
//! rivers by one anchor point on the line plus the mouth it must reach.
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// How a river takes part in orientation and naming.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiverKind {
    /// 干流: oriented along the path `from` -> `to` given here.
    Main,
    /// 分流 (distributary): oriented along `from` (head on a main stem) -> `to`.
    Distributary,
    /// 支流: named by `anchor`, traced to `mouth`; oriented toward the main stems.
    Tributary,
}

/// One river entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiverEntry {
    /// Stable id (pinyin), e.g. `hanjiang`.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English or pinyin name.
    pub name_en: String,
    /// Role in orientation.
    pub kind: RiverKind,
    /// First-level basin id (`changjiang`, `hanjiang`, `qingjiang`) or `outside`.
    pub basin: String,
    /// Main/distributary: upstream point (entry, head).
    #[serde(default)]
    pub from: Option<[f64; 2]>,
    /// Main/distributary: downstream point (outlet, mouth, outflow).
    #[serde(default)]
    pub to: Option<[f64; 2]>,
    /// Waypoints the main path must pass (in order), to disambiguate braids.
    #[serde(default)]
    pub via: Vec<[f64; 2]>,
    /// Tributary: a point on the river.
    #[serde(default)]
    pub anchor: Option<[f64; 2]>,
    /// Tributary: the confluence the trace must reach (within tolerance).
    #[serde(default)]
    pub mouth: Option<[f64; 2]>,
    /// Whether `to` is a declared outflow leaving Hubei (a legal sink).
    #[serde(default)]
    pub leaves_hubei: bool,
    /// Where the facts come from (`geography.md §2`, ...).
    pub source: String,
    /// Certainty label from geography.md ([C], [S], [R]).
    pub status: String,
}

/// A lake named by a point inside its GSHHS polygon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LakeEntry {
    /// Stable id.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// A point inside the GSHHS f polygon.
    pub point: [f64; 2],
    /// Remark (e.g. partly outside Hubei).
    #[serde(default)]
    pub note: Option<String>,
}

/// A zone-level drainage link (二级流域片区 -> mouth on a main stem).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneLink {
    /// Zone id (H1..H7, C1..C8, Q1).
    pub zone: String,
    /// The river that carries the zone's water (may be absent from WDBII).
    pub via: String,
    /// The receiving river id.
    pub into: String,
    /// The mouth point on the receiving river.
    pub mouth: [f64; 2],
    /// Whether WDBII holds the line of `via`.
    pub in_wdbii: bool,
    /// Place name of the mouth.
    pub mouth_name: String,
}

/// Parameters of the derived 长江 centreline below Wuhan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CentrelineSpec {
    /// River id the centreline belongs to.
    pub river: String,
    /// GSHHS id of the river-lake polygon.
    pub gshhs_id: String,
    /// Start point (the end of the WDBII line).
    pub start: [f64; 2],
    /// End point (the province outlet).
    pub end: [f64; 2],
    /// Vertex spacing of the output line, km.
    pub step_km: f64,
    /// Margin around the start/end box for the raster, km.
    pub margin_km: f64,
}

/// Build tolerances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildParams {
    /// Line ends closer than this are merged into one node, km.
    pub snap_km: f64,
    /// Maximum distance from a gazetteer point to the nearest line, km.
    pub anchor_tolerance_km: f64,
    /// Lines are kept within this distance outside the province outline, km.
    pub buffer_km: f64,
    /// Lines shorter than this after clipping are dropped (clip slivers), km.
    pub min_piece_km: f64,
}

/// The whole gazetteer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gazetteer {
    /// Build tolerances.
    pub build: BuildParams,
    /// Derived centreline parameters.
    pub centreline: CentrelineSpec,
    /// Rivers in naming priority order (main stems first).
    pub river: Vec<RiverEntry>,
    /// Lakes.
    #[serde(default)]
    pub lake: Vec<LakeEntry>,
    /// Zone drainage links.
    #[serde(default)]
    pub zone_link: Vec<ZoneLink>,
}

/// Errors in the gazetteer itself.
#[derive(Debug, Error)]
pub enum GazetteerError {
    /// TOML syntax or schema error.
    #[error("gazetteer: {0}")]
    Parse(#[from] toml::de::Error),
    /// A river lacks the points its kind needs.
    #[error("gazetteer river {id}: {reason}")]
    Incomplete {
        /// River id.
        id: String,
        /// What is missing.
        reason: String,
    },
}

impl Gazetteer {
    /// Parses and checks a gazetteer.
    pub fn parse(text: &str) -> Result<Self, GazetteerError> {
        let g: Gazetteer = toml::from_str(text)?;
        for r in &g.river {
            let missing = match r.kind {
                RiverKind::Main | RiverKind::Distributary => r.from.is_none() || r.to.is_none(),
                RiverKind::Tributary => r.anchor.is_none() || r.mouth.is_none(),
            };
            if missing {
                return Err(GazetteerError::Incomplete {
                    id: r.id.clone(),
                    reason: format!(
                        "{:?} needs from/to (main, distributary) or anchor/mouth (tributary)",
                        r.kind
                    ),
                });
            }
        }
        Ok(g)
    }
}
