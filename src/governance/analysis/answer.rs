//! The answer of the issue analysis (跨界问题分析结果): every element with its
//! clauses and, where it rests on reconstructed geography or the template
//! catalog, its provenance.

use serde::Serialize;
use serde_json::Value;

use super::super::actors::{BodyItem, ClauseRef, DepartmentItem};
use super::super::footprint::Measure;
use super::super::jurisdiction::Touched;
use super::super::obligations::PlaceName;
use super::super::water::WaterContext;

/// The jurisdictions touched by the footprint, layer by layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Jurisdictions {
    /// How shares are measured: `area` (km²), `length` (km) or `count` (points).
    pub measure: Measure,
    /// The footprint's total in that measure.
    pub total: f64,
    /// Share of the footprint outside Hubei.
    pub outside_hubei_share: f64,
    /// 县级单位.
    pub counties: Vec<Touched>,
    /// 地级单位.
    pub prefectures: Vec<Touched>,
    /// 二级流域片区 (reconstructed).
    pub zones: Vec<Touched>,
    /// 一级流域.
    pub basins: Vec<Touched>,
    /// 都市圈.
    pub metro_areas: Vec<Touched>,
    /// 城市群.
    pub city_clusters: Vec<Touched>,
    /// 大气污染传输通道.
    pub corridors: Vec<Touched>,
}

/// A jurisdiction that is party to the issue (当事辖区).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Party {
    /// Adcode.
    pub adcode: String,
    /// Name.
    pub name: String,
    /// `footprint` (the footprint lies in it) or `opposite_bank` (it faces the
    /// footprint across a boundary river within the snap tolerance, 十三).
    pub why: &'static str,
    /// The boundary river, for `opposite_bank`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub river: Option<String>,
}

/// The jurisdictions whose bodies take part: those the footprint lies in,
/// plus both banks of a boundary river it lies on (十三 左右岸协同).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Parties {
    /// County-level parties.
    pub counties: Vec<Party>,
    /// Prefecture-level parties.
    pub prefectures: Vec<Party>,
    /// Clauses (十三 when a bank adds a party).
    pub basis: Vec<String>,
}

/// A boundary the issue crosses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Crossing {
    /// `county`, `prefecture`, `zone`, `basin`, `metro` or `province`.
    pub boundary: &'static str,
    /// The units on the sides (ids; `outside` for outside any metro area / Hubei).
    pub units: Vec<String>,
    /// `footprint` (the footprint crosses the line) or `boundary_river` (the
    /// line runs in a river the footprint lies on, and both banks are parties).
    pub by: &'static str,
    /// Whether the line is a reconstruction (zones and basin extents are).
    pub reconstructed: bool,
}

/// The metro mechanism (十四) as coordinator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetroCoordination {
    /// Metro id.
    pub id: String,
    /// Name (`武汉都市圈`).
    pub name: String,
    /// The lead city, which drives (推动) the joint work.
    pub lead_city: PlaceName,
    /// Member prefectures.
    pub members: Vec<PlaceName>,
    /// Provenance of the metro membership.
    pub provenance: String,
}

/// A prefecture taking part in a metro-level coordination, acting in its own
/// area through its own committee and departments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Participant {
    /// Adcode.
    pub adcode: String,
    /// Name.
    pub name: String,
    /// Its committee (七, 二十).
    pub committee: Option<BodyItem>,
    /// Its lead department for the matter (null for an unknown matter).
    pub lead_department: Option<DepartmentItem>,
    /// Its cooperating departments.
    pub cooperating_departments: Vec<DepartmentItem>,
    /// Clauses.
    pub basis: Vec<String>,
}

/// The coordinating body and level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoordinatingBody {
    /// `county`, `prefecture`, `metro` or `province`.
    pub level: &'static str,
    /// Name of the coordinator.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The place whose bodies act (for a metro: the lead city, which convenes).
    pub place: PlaceName,
    /// The committee that coordinates (null for a metro: each participant's
    /// committee acts in its own area).
    pub committee: Option<BodyItem>,
    /// Its office.
    pub office: Option<BodyItem>,
    /// The metro mechanism, when the level is `metro`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metro: Option<MetroCoordination>,
    /// The body that convenes and drives the metro mechanism (推动, 十四): the
    /// lead city's government. It has no authority over the other cities'
    /// bodies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub convened_by: Option<BodyItem>,
    /// For a metro: every prefecture party, each acting in its own area.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<Participant>,
    /// The body above (the provincial committee office over a metro mechanism, 二十).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub above: Option<BodyItem>,
    /// Escalation (八): the lead department reports to these when partners lag.
    pub escalation: Vec<BodyItem>,
    /// Why this level.
    pub reason: String,
    /// Clauses.
    pub basis: Vec<String>,
}

/// A department in an answer, with its citation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepartmentRole {
    /// The department of the jurisdiction it acts in.
    #[serde(flatten)]
    pub department: DepartmentItem,
    /// Clauses.
    pub basis: Vec<String>,
    /// `template` while the catalog is the template.
    pub provenance: String,
}

/// The lead department, with the portfolio leader above it (四).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadDepartment {
    /// The department.
    #[serde(flatten)]
    pub role: DepartmentRole,
    /// The leader in charge of its portfolio, by role (四).
    pub portfolio_leader: Value,
    /// Specialised committees for the matter (九).
    pub specialised_committees: Vec<String>,
}

/// Specialised committees (专业委员会, 九) recorded for the matter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpecialisedCommittees {
    /// Committees approved for the matter (empty unless the catalog records one).
    pub items: Vec<String>,
    /// What the clause allows, in our words.
    pub note: String,
    /// Clauses.
    pub basis: Vec<String>,
}

/// A mechanism that applies to the issue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MechanismItem {
    /// Mechanism id.
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Clauses.
    pub basis: Vec<String>,
    /// Features (the four unifications...).
    pub features: Vec<String>,
    /// Where and how it applies (mechanism-specific).
    pub applies_to: Value,
    /// Provenance of the geography or rule it rests on, when not official.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<String>,
}

/// The matter as understood.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatterRef {
    /// The name asked for.
    pub requested: String,
    /// Catalog id, when known.
    pub id: Option<String>,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// English name.
    pub name_en: Option<String>,
    /// Whether the catalog knows it.
    pub known: bool,
    /// Basin-related (catalog flag): crossing a first-level basin line counts
    /// for a special inspection (十六).
    pub basin_related: bool,
    /// Gets the river-network context (catalog flag).
    pub water_context: bool,
    /// Catalog provenance (`template`).
    pub provenance: String,
}

/// Who designates the lead department of an unknown matter (七).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Designation {
    /// `to_be_designated`.
    pub status: &'static str,
    /// The committee that designates.
    pub by: Option<BodyItem>,
    /// Level.
    pub level: &'static str,
    /// In words.
    pub text: String,
    /// Clauses.
    pub basis: Vec<String>,
}

/// One reason for a provincial special inspection (十六).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InspectionReason {
    /// `跨流域` (crossing a first-level basin line) or `跨区域` (crossing
    /// prefecture or province lines).
    pub kind: &'static str,
    /// `cross_basin` or `cross_region`.
    pub kind_en: &'static str,
    /// In words.
    pub text: String,
    /// The units on the sides.
    pub units: Vec<String>,
    /// Whether the line crossed is a reconstruction.
    pub reconstructed: bool,
}

/// Eligibility for a provincial special inspection (省级专项督察, 十六).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpecialInspection {
    /// Eligible: at least one reason.
    pub eligible: bool,
    /// The reasons.
    pub reasons: Vec<InspectionReason>,
    /// Crossings looked at that do not count, in words (zone lines, basin
    /// lines for a matter that is not basin-related...).
    pub not_counted: Vec<String>,
    /// The limits of the inspection (the Hubei part only, when the issue leaves Hubei).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Clauses.
    pub basis: Vec<String>,
}

/// A neighbouring province the footprint reaches into.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OtherProvince {
    /// Adcode.
    pub adcode: String,
    /// Name.
    pub name: String,
    /// Share of the footprint in it.
    pub share: f64,
    /// The measure in it (km², km or points).
    pub amount: f64,
}

/// The answer of the issue analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// The matter.
    pub matter: MatterRef,
    /// Jurisdictions touched, with shares.
    pub jurisdictions: Jurisdictions,
    /// The jurisdictions whose bodies take part.
    pub parties: Parties,
    /// Boundaries crossed.
    pub crossings: Vec<Crossing>,
    /// Who coordinates.
    pub coordinating_body: CoordinatingBody,
    /// Lead department at the coordinating level (null for an unknown matter,
    /// and at metro level, where each participant's own leads).
    pub lead_department: Option<LeadDepartment>,
    /// Cooperating departments (at metro level: see the participants).
    pub cooperating_departments: Vec<DepartmentRole>,
    /// For an unknown matter: who designates the lead department.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub designation: Option<Designation>,
    /// Specialised committees (九).
    pub specialised_committees: SpecialisedCommittees,
    /// Mechanisms that apply.
    pub mechanisms: Vec<MechanismItem>,
    /// Eligible for a provincial special inspection (十六).
    pub special_inspection_eligible: bool,
    /// Why (or why not), each reason saying whether it rests on reconstructed lines.
    pub special_inspection: SpecialInspection,
    /// Leaves Hubei: inter-provincial coordination, which this document does not govern.
    pub inter_provincial: bool,
    /// The neighbouring provinces the footprint reaches into, with shares.
    pub other_provinces: Vec<OtherProvince>,
    /// Upstream/downstream context from the river network, for matters that get one.
    pub water_context: Option<WaterContext>,
    /// Where complaints about the matter go, per county touched (六).
    pub complaints: Vec<Value>,
    /// Caveats.
    pub notes: Vec<String>,
    /// Every clause cited in the answer, by number.
    pub basis: Vec<String>,
    /// Titles of the cited clauses.
    pub clauses: Vec<ClauseRef>,
    /// Content hash of the atlas that answered.
    pub data_version: String,
    /// The CRS the footprint was given in (坐标系回显), when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crs: Option<Value>,
    /// For an air matter with a `wind` (十四): the downwind estimate of the
    /// footprint (as `POST /v1/air/downwind` answers it), with the
    /// prefectures and counties reached and whom to notify.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub downwind: Option<crate::air::AirAnswer>,
}
