//! 跨界问题分析: who coordinates a cross-boundary issue — jurisdictions and
//! shares, boundaries crossed, the coordinating body and level, lead and
//! cooperating departments, mechanisms, special-inspection eligibility,
//! judicial linkage — every element with its clauses and provenance.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::atlas::{Atlas, LayerKind, Unit};

use super::actors::{self, BodyItem, ClauseRef, DepartmentItem};
use super::body::Level;
use super::footprint::{self, FootprintError, Measure};
use super::jurisdiction::{self, amount, round6, JurisdictionError, Touched, Touches};
use super::matter::Matter;
use super::mechanism::{Mechanism, Scope};
use super::obligations::PlaceName;
use super::places::{self, place};
use super::water::{UpstreamDownstream, WaterContext};
use super::Rules;

/// The request of `POST /v1/issues/analyze`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AnalyzeRequest {
    /// Matter kind (an id or alias from the catalog; unknown kinds are answered
    /// with "to be designated by the committee", clause 七).
    pub matter: String,
    /// A GeoJSON geometry, Feature or FeatureCollection (lon/lat).
    #[serde(default)]
    pub footprint: Option<Value>,
    /// Or a list of adcodes (county, prefecture or province).
    #[serde(default)]
    pub places: Option<Vec<String>>,
    /// The issue involves a suspected crime (adds the judicial linkage, 十八).
    #[serde(default)]
    pub suspected_crime: bool,
    /// CRS of the footprint's coordinates (坐标系): a string such as
    /// `"EPSG:4547"` or `"gcj02"`, or the pre-RFC 7946 named-CRS object GDAL
    /// writes. Absent: WGS 84 lon/lat, or the footprint's own `crs` member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crs: Option<Value>,
}

impl AnalyzeRequest {
    /// Applies a `crs` given outside the body (`?crs=`, `--crs`): it must name
    /// the same CRS as the body's `crs` member when both are present.
    pub fn with_query_crs(mut self, crs: &str) -> Result<Self, AnalyzeError> {
        let given = crate::crs::parse_crs_param(Some(crs)).map_err(bad_crs)?;
        let body = crate::crs::http::crs_member(self.crs.as_ref()).map_err(bad_crs)?;
        if let Some(b) = body.filter(|b| *b != given) {
            return Err(AnalyzeError::BadCrs(format!(
                "the crs parameter ({given}) and the body's `crs` member ({b}) differ"
            )));
        }
        self.crs = Some(Value::String(given.to_string()));
        Ok(self)
    }

    /// The CRS of the footprint and whether one was given: the request's
    /// `crs` member and the footprint's own `crs` member (a GeoJSON object
    /// exported with one) must agree; neither means WGS 84 lon/lat.
    pub fn footprint_crs(&self) -> Result<(crate::crs::CrsId, bool), AnalyzeError> {
        let req = crate::crs::http::crs_member(self.crs.as_ref()).map_err(bad_crs)?;
        let own = match self.footprint.as_ref().and_then(|f| f.get("crs")) {
            None => None,
            Some(c) => crate::crs::http::crs_member(Some(c))
                .map_err(|e| AnalyzeError::BadCrs(format!("the footprint's `crs` member: {e}")))?,
        };
        match (req, own) {
            (Some(a), Some(b)) if a != b => Err(AnalyzeError::BadCrs(format!(
                "the request's crs ({a}) and the footprint's `crs` member ({b}) differ"
            ))),
            (Some(a), _) | (None, Some(a)) => Ok((a, true)),
            (None, None) => Ok((crate::crs::CrsId::Crs84, false)),
        }
    }
}

fn bad_crs(e: crate::crs::CrsError) -> AnalyzeError {
    AnalyzeError::BadCrs(e.to_string())
}

/// Why an analysis was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalyzeError {
    /// The request is malformed (400).
    #[error("{0}")]
    BadRequest(String),
    /// The footprint is refused (400, or 413 for too many vertices).
    #[error(transparent)]
    Footprint(#[from] FootprintError),
    /// The overlay failed or the places are unknown (400/422).
    #[error(transparent)]
    Jurisdiction(#[from] JurisdictionError),
    /// The CRS (坐标系) is unknown, or two given CRSs disagree (400, `parameter: crs`).
    #[error("{0}")]
    BadCrs(String),
    /// The footprint does not touch Hubei (422).
    #[error("the footprint does not touch Hubei; this document governs only Hubei")]
    OutsideHubei,
}

/// The jurisdictions touched, layer by layer.
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

/// A boundary the footprint crosses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Crossing {
    /// `county`, `prefecture`, `zone`, `basin`, `metro` or `province`.
    pub boundary: &'static str,
    /// The units on the sides (ids; `outside` for outside any metro area / Hubei).
    pub units: Vec<String>,
}

/// The metro mechanism as coordinator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetroCoordination {
    /// Metro id.
    pub id: String,
    /// Name (`武汉都市圈`).
    pub name: String,
    /// The lead city.
    pub lead_city: PlaceName,
    /// Member prefectures.
    pub members: Vec<PlaceName>,
    /// Provenance of the metro membership.
    pub provenance: String,
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
    /// The place whose bodies act (for a metro: its lead city).
    pub place: PlaceName,
    /// The committee that coordinates (for a metro: the lead city's).
    pub committee: Option<BodyItem>,
    /// Its office.
    pub office: Option<BodyItem>,
    /// The metro mechanism, when the level is `metro`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metro: Option<MetroCoordination>,
    /// The body above (the provincial committee over a metro mechanism).
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
    /// The department at the coordinating level.
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
    /// The id asked for.
    pub requested: String,
    /// Catalog id, when known.
    pub id: Option<String>,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// English name.
    pub name_en: Option<String>,
    /// Whether the catalog knows it.
    pub known: bool,
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

/// The answer of the issue analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// The matter.
    pub matter: MatterRef,
    /// Jurisdictions touched, with shares.
    pub jurisdictions: Jurisdictions,
    /// Boundaries crossed.
    pub crossings: Vec<Crossing>,
    /// Who coordinates.
    pub coordinating_body: CoordinatingBody,
    /// Lead department at the coordinating level (null for an unknown matter).
    pub lead_department: Option<LeadDepartment>,
    /// Cooperating departments.
    pub cooperating_departments: Vec<DepartmentRole>,
    /// For an unknown matter: who designates the lead department.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub designation: Option<Designation>,
    /// Mechanisms that apply.
    pub mechanisms: Vec<MechanismItem>,
    /// Eligible for a provincial special inspection (十六).
    pub special_inspection_eligible: bool,
    /// Leaves Hubei: inter-provincial coordination, not governed by this document.
    pub inter_provincial: bool,
    /// Upstream/downstream context from the river graph (water matters), if any.
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
}

const S: fn(&str) -> String = str::to_string;

/// Analyses an issue.
pub fn analyze(
    rules: &Rules,
    atlas: &Atlas,
    water: &dyn UpstreamDownstream,
    req: &AnalyzeRequest,
    max_vertices: usize,
    budget: &crate::budget::Budget,
) -> Result<Analysis, AnalyzeError> {
    let matter_id = req.matter.trim();
    if matter_id.is_empty() || matter_id.chars().count() > 64 {
        return Err(AnalyzeError::BadRequest(
            "`matter` must be a non-empty matter id of at most 64 characters".into(),
        ));
    }
    let (crs_id, crs_given) = req.footprint_crs()?;
    let (touches, fp) = match (&req.footprint, &req.places) {
        (Some(f), None) => {
            let engine = crate::crs::Crs::new(crs_id).map_err(bad_crs)?;
            let fp = footprint::parse_within(f, "footprint", max_vertices, &engine, budget)?;
            (jurisdiction::of_footprint(atlas, &fp, budget)?, Some(fp))
        }
        (None, Some(p)) => {
            if p.len() > 500 {
                return Err(AnalyzeError::BadRequest("at most 500 places".into()));
            }
            let counties = jurisdiction::resolve_places(atlas, p)?;
            (jurisdiction::of_counties(atlas, &counties), None)
        }
        _ => {
            return Err(AnalyzeError::BadRequest(
                "give exactly one of `footprint` (GeoJSON) or `places` (adcodes)".into(),
            ))
        }
    };
    if touches.layer(LayerKind::County).is_empty() {
        return Err(AnalyzeError::OutsideHubei);
    }
    let matter = rules.matter(matter_id);
    let ctx = Ctx {
        rules,
        atlas,
        touches: &touches,
    };
    let jurisdictions = ctx.jurisdictions();
    let crossings = ctx.crossings();
    let crossed = |b: &str| crossings.iter().any(|c| c.boundary == b);
    let inter_provincial = touches.leaves_province();
    let coordinating_body = ctx.coordinator(inter_provincial);
    let (dept_level, dept_place) = ctx.department_level(&coordinating_body);

    let catalog_prov = rules.catalog.provenance.clone();
    let catalog_basis = rules.catalog.basis.clone();
    let dept_role = |id: &str| {
        rules.department(id).map(|d| DepartmentRole {
            department: actors::department(d, dept_level, &dept_place),
            basis: catalog_basis.clone(),
            provenance: catalog_prov.clone(),
        })
    };
    let (lead_department, cooperating_departments, designation) = match matter {
        Some(m) => {
            let lead = dept_role(&m.lead).map(|role| LeadDepartment {
                portfolio_leader: json!({
                    "role_zh": format!(
                        "分管{}工作的{}党委政府领导班子成员",
                        rules.department(&m.lead).map(|d| d.short_zh.as_str()).unwrap_or_default(),
                        dept_place.name
                    ),
                    "role_en": format!(
                        "the member of the {} party and government leadership in charge of {}",
                        dept_place.name, role.department.name_en
                    ),
                    "basis": ["四"],
                }),
                specialised_committees: m.specialised_committees.clone(),
                role,
            });
            let coop = m.cooperating.iter().filter_map(|d| dept_role(d)).collect();
            (lead, coop, None)
        }
        None => {
            let by = coordinating_body.committee.clone();
            let level = coordinating_body.level;
            let text = format!(
                "matter `{}` is not in the catalog: its lead and responsible departments are to be designated by {} (level: {level})",
                matter_id.chars().take(64).collect::<String>(),
                by.as_ref().map(|b| b.name_zh.as_str()).unwrap_or("the committee of the coordinating level"),
            );
            (
                None,
                Vec::new(),
                Some(Designation {
                    status: "to_be_designated",
                    by,
                    level,
                    text,
                    basis: vec![S("七")],
                }),
            )
        }
    };

    let special_reasons: Vec<&str> = [
        ("basin", "crosses first-level basins (跨流域)"),
        ("zone", "crosses second-level basin zones (跨流域片区)"),
        ("prefecture", "crosses prefecture-level regions (跨区域)"),
        ("province", "leaves the province (跨省)"),
    ]
    .into_iter()
    .filter(|(b, _)| crossed(b))
    .map(|(_, r)| r)
    .collect();
    let special_inspection_eligible = !special_reasons.is_empty();

    let counties: Vec<String> = touches
        .layer(LayerKind::County)
        .iter()
        .map(|(i, _)| atlas.layer(LayerKind::County).units[*i].id.clone())
        .collect();
    let wants_water = matter.is_some_and(|m| m.has_theme("water"));
    let water_context = if wants_water {
        water.for_footprint(atlas, fp.as_ref(), &counties)
    } else {
        None
    };

    let mut notes = Vec::new();
    let mechanisms = ctx.mechanisms(
        matter,
        req.suspected_crime,
        &coordinating_body,
        (dept_level, &dept_place),
        &special_reasons,
        water_context.is_some(),
        water.describe(),
        &mut notes,
    );
    if wants_water && water_context.is_none() {
        notes.push(format!(
            "water_context: not computed: a list of places has no footprint to place on a river, or no footprint vertex lies near a river line (river engine: {})",
            water.describe()
        ));
    }
    if inter_provincial {
        notes.push(format!(
            "{:.1}% of the footprint lies outside Hubei: inter-provincial coordination, which this document does not govern; the Hubei side is coordinated at province level",
            touches.outside / touches.total * 100.0
        ));
    }
    if matter.is_some() && catalog_prov != "official" {
        notes.push(format!(
            "lead and cooperating departments come from the {catalog_prov} matter catalog ({})",
            rules.catalog.source
        ));
    }
    if !jurisdictions.zones.is_empty() {
        let p = &atlas.layer(LayerKind::Zone).provenance;
        if p.status != "official" {
            notes.push(format!(
                "basin zones and first-level basin extents are {}",
                p.status
            ));
        }
    }
    if fp.as_ref().is_some_and(|f| {
        let kinds = [
            !f.points.0.is_empty(),
            !f.lines.0.is_empty(),
            !f.polygons.0.is_empty(),
        ];
        kinds.iter().filter(|k| **k).count() > 1
    }) {
        notes.push(
            "mixed footprint: shares are measured on its highest-dimension parts only".into(),
        );
    }

    let complaints: Vec<Value> = matter
        .and_then(|m| rules.department(&m.lead))
        .map(|d| {
            touches
                .layer(LayerKind::County)
                .iter()
                .map(|(i, _)| {
                    let c = &atlas.layer(LayerKind::County).units[*i];
                    json!({
                        "county": place(c),
                        "department": d.name_at(Level::County, &c.name),
                        "basis": ["六"],
                        "provenance": catalog_prov,
                    })
                })
                .collect()
        })
        .unwrap_or_default();

    let mut basis: Vec<String> = Vec::new();
    basis.extend(coordinating_body.basis.iter().cloned());
    basis.extend(
        coordinating_body
            .escalation
            .iter()
            .flat_map(|b| b.basis.clone()),
    );
    basis.push(S("八"));
    if let Some(l) = &lead_department {
        basis.extend(l.role.basis.iter().cloned());
        basis.push(S("四"));
    }
    if let Some(d) = &designation {
        basis.extend(d.basis.iter().cloned());
    }
    for m in &mechanisms {
        basis.extend(m.basis.iter().cloned());
    }
    if let Some(w) = &water_context {
        // Only clauses that exist: a river engine cannot cite what the rules lack.
        basis.extend(
            w.basis
                .iter()
                .filter(|c| rules.clause(c).is_some())
                .cloned(),
        );
    }
    if !complaints.is_empty() {
        basis.push(S("六"));
    }
    actors::sort_basis(rules, &mut basis);
    let clauses = actors::clause_refs(rules, &basis);

    Ok(Analysis {
        matter: MatterRef {
            requested: matter_id.chars().take(64).collect(),
            id: matter.map(|m| m.id.clone()),
            name_zh: matter.map(|m| m.name_zh.clone()),
            name_en: matter.map(|m| m.name_en.clone()),
            known: matter.is_some(),
            provenance: catalog_prov.clone(),
        },
        jurisdictions,
        crossings,
        coordinating_body,
        lead_department,
        cooperating_departments,
        designation,
        mechanisms,
        special_inspection_eligible,
        inter_provincial,
        water_context,
        complaints,
        notes,
        basis,
        clauses,
        data_version: atlas.version().to_string(),
        crs: crs_given.then(|| crate::crs::http::echo_id(crs_id)),
    })
}

struct Ctx<'a> {
    rules: &'a Rules,
    atlas: &'a Atlas,
    touches: &'a Touches,
}

impl Ctx<'_> {
    fn units(&self, kind: LayerKind) -> Vec<&Unit> {
        let layer = self.atlas.layer(kind);
        self.touches
            .layer(kind)
            .iter()
            .filter_map(|(i, _)| layer.units.get(*i))
            .collect()
    }

    fn ids(&self, kind: LayerKind) -> Vec<String> {
        self.units(kind).iter().map(|u| u.id.clone()).collect()
    }

    fn touched(&self, kind: LayerKind) -> Vec<Touched> {
        let layer = self.atlas.layer(kind);
        let t = self.touches;
        t.layer(kind)
            .iter()
            .filter_map(|(i, m)| {
                let u = layer.units.get(*i)?;
                let mut extra = Map::new();
                let mut copy = |k: &str| {
                    if let Some(v) = u.properties.get(k) {
                        extra.insert(k.to_string(), v.clone());
                    }
                };
                match kind {
                    LayerKind::County => copy("prefecture"),
                    LayerKind::Zone => {
                        copy("basin");
                        copy("level");
                    }
                    LayerKind::Basin => copy("level"),
                    LayerKind::MetroArea => {
                        copy("lead_city");
                        copy("lead_city_name");
                    }
                    _ => {}
                }
                let p = places::provenance(self.atlas, kind, u);
                if p != "official" {
                    extra.insert("provenance".into(), json!(p));
                }
                Some(Touched {
                    id: u.id.clone(),
                    name: u.name.clone(),
                    share: round6(*m / t.total),
                    amount: amount(t.measure, *m),
                    extra,
                })
            })
            .collect()
    }

    fn jurisdictions(&self) -> Jurisdictions {
        let t = self.touches;
        Jurisdictions {
            measure: t.measure,
            total: amount(t.measure, t.total),
            outside_hubei_share: round6(t.outside / t.total),
            counties: self.touched(LayerKind::County),
            prefectures: self.touched(LayerKind::Prefecture),
            zones: self.touched(LayerKind::Zone),
            basins: self.touched(LayerKind::Basin),
            metro_areas: self.touched(LayerKind::MetroArea),
            city_clusters: self.touched(LayerKind::CityCluster),
            corridors: self.touched(LayerKind::Corridor),
        }
    }

    /// Prefectures touched that belong to no metro area.
    fn prefectures_outside_metros(&self) -> Vec<String> {
        self.ids(LayerKind::Prefecture)
            .into_iter()
            .filter(|p| places::groups_of(self.atlas, LayerKind::MetroArea, p).is_empty())
            .collect()
    }

    fn crossings(&self) -> Vec<Crossing> {
        let mut out = Vec::new();
        for (b, kind) in [
            ("county", LayerKind::County),
            ("prefecture", LayerKind::Prefecture),
            ("zone", LayerKind::Zone),
            ("basin", LayerKind::Basin),
        ] {
            let ids = self.ids(kind);
            if ids.len() > 1 {
                out.push(Crossing {
                    boundary: b,
                    units: ids,
                });
            }
        }
        let mut metros = self.ids(LayerKind::MetroArea);
        if !metros.is_empty() && !self.prefectures_outside_metros().is_empty() {
            metros.push(S("outside"));
        }
        if metros.len() > 1 {
            out.push(Crossing {
                boundary: "metro",
                units: metros,
            });
        }
        if self.touches.leaves_province() {
            out.push(Crossing {
                boundary: "province",
                units: vec![places::province(self.atlas).adcode, S("outside")],
            });
        }
        out
    }

    fn level_bodies(&self, level: Level, p: &PlaceName) -> (Option<BodyItem>, Option<BodyItem>) {
        (
            actors::body(self.rules, "committee", level, p),
            actors::body(self.rules, "committee_office", level, p),
        )
    }

    fn escalation(&self, level: Level, p: &PlaceName) -> Vec<BodyItem> {
        ["party_committee", "government"]
            .into_iter()
            .filter_map(|b| actors::body(self.rules, b, level, p))
            .map(|mut b| {
                b.basis = vec![S("八")];
                b
            })
            .collect()
    }

    fn coordinator(&self, inter_provincial: bool) -> CoordinatingBody {
        let counties = self.units(LayerKind::County);
        let prefs = self.units(LayerKind::Prefecture);
        let province = places::province(self.atlas);
        let province_body = |reason: String| {
            let (committee, office) = self.level_bodies(Level::Province, &province);
            CoordinatingBody {
                level: "province",
                name_zh: committee
                    .as_ref()
                    .map(|c| c.name_zh.clone())
                    .unwrap_or_default(),
                name_en: committee
                    .as_ref()
                    .map(|c| c.name_en.clone())
                    .unwrap_or_default(),
                place: province.clone(),
                committee,
                office,
                metro: None,
                above: None,
                escalation: self.escalation(Level::Province, &province),
                reason,
                basis: vec![S("七"), S("二十")],
            }
        };
        if inter_provincial {
            return province_body(
                "the footprint leaves Hubei: the provincial committee coordinates the Hubei side; inter-provincial coordination is outside this document".into(),
            );
        }
        let local = |level: Level, u: &Unit, reason: String| {
            let p = place(u);
            let (committee, office) = self.level_bodies(level, &p);
            CoordinatingBody {
                level: level.id(),
                name_zh: committee
                    .as_ref()
                    .map(|c| c.name_zh.clone())
                    .unwrap_or_default(),
                name_en: committee
                    .as_ref()
                    .map(|c| c.name_en.clone())
                    .unwrap_or_default(),
                escalation: self.escalation(level, &p),
                place: p,
                committee,
                office,
                metro: None,
                above: None,
                reason,
                basis: vec![S("七"), S("二十")],
            }
        };
        if let ([c], [p]) = (counties.as_slice(), prefs.as_slice()) {
            if c.id == p.id {
                return local(
                    Level::Prefecture,
                    p,
                    format!("one province-administered unit ({}), which reports as a prefecture-level unit", p.name),
                );
            }
            return local(
                Level::County,
                c,
                format!("one county-level unit ({})", c.name),
            );
        }
        if let [p] = prefs.as_slice() {
            return local(
                Level::Prefecture,
                p,
                format!("{} county-level units, all in {}", counties.len(), p.name),
            );
        }
        // Several prefectures: one metro area holding all of them?
        let metro = self
            .atlas
            .layer(LayerKind::MetroArea)
            .units
            .iter()
            .find(|m| {
                let members = m.members();
                prefs.iter().all(|p| members.contains(&p.id.as_str()))
            });
        if let Some(m) = metro {
            let lead_id = m.prop_str("lead_city").unwrap_or_default();
            let lead = self
                .atlas
                .layer(LayerKind::Prefecture)
                .get(lead_id)
                .map(place)
                .unwrap_or(PlaceName {
                    adcode: lead_id.to_string(),
                    name: m.prop_str("lead_city_name").unwrap_or_default().to_string(),
                });
            let (committee, office) = self.level_bodies(Level::Prefecture, &lead);
            let (above, _) = self.level_bodies(Level::Province, &province);
            let members = m
                .members()
                .iter()
                .filter_map(|a| self.atlas.layer(LayerKind::Prefecture).get(a))
                .map(place)
                .collect();
            return CoordinatingBody {
                level: "metro",
                name_zh: format!("{}联建联防联治机制（{}牵头）", m.name, lead.name),
                name_en: format!(
                    "{} joint prevention and governance, led by {}",
                    m.prop_str("name_en").unwrap_or(&m.name),
                    lead.name
                ),
                escalation: self.escalation(Level::Prefecture, &lead),
                place: lead,
                committee,
                office,
                metro: Some(MetroCoordination {
                    id: m.id.clone(),
                    name: m.name.clone(),
                    lead_city: place_of(self.atlas, lead_id).unwrap_or_else(|| PlaceName {
                        adcode: lead_id.into(),
                        name: String::new(),
                    }),
                    members,
                    provenance: places::provenance(self.atlas, LayerKind::MetroArea, m),
                }),
                above,
                reason: format!(
                    "{} prefecture-level units, all in {} (lead city {}); the provincial committee stands above",
                    prefs.len(),
                    m.name,
                    m.prop_str("lead_city_name").unwrap_or(lead_id)
                ),
                basis: vec![S("七"), S("十四"), S("二十")],
            };
        }
        let names: Vec<&str> = prefs.iter().map(|p| p.name.as_str()).collect();
        province_body(format!(
            "{} prefecture-level units not within one metropolitan area ({})",
            prefs.len(),
            names.join(", ")
        ))
    }

    /// Level and place whose departments act for the coordinating body.
    fn department_level(&self, c: &CoordinatingBody) -> (Level, PlaceName) {
        match c.level {
            "county" => (Level::County, c.place.clone()),
            "prefecture" | "metro" => (Level::Prefecture, c.place.clone()),
            _ => (Level::Province, c.place.clone()),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn mechanisms(
        &self,
        matter: Option<&Matter>,
        suspected_crime: bool,
        coordinator: &CoordinatingBody,
        dept: (Level, &PlaceName),
        special_reasons: &[&str],
        water_present: bool,
        water_describe: &str,
        notes: &mut Vec<String>,
    ) -> Vec<MechanismItem> {
        let themed = |m: &Mechanism| match matter {
            Some(x) => m.themes.iter().any(|t| x.has_theme(t)),
            None => false,
        };
        let mut out = Vec::new();
        for m in &self.rules.mechanisms {
            let item = |applies_to: Value, provenance: Option<String>| MechanismItem {
                id: m.id.clone(),
                name_zh: m.name_zh.clone(),
                name_en: m.name_en.clone(),
                basis: m.basis.clone(),
                features: m.features_zh.clone(),
                applies_to,
                provenance,
            };
            match m.scope {
                Scope::Committee => out.push(item(
                    json!({
                        "committee": coordinator.committee,
                        "office": coordinator.office,
                        "above": coordinator.above,
                    }),
                    None,
                )),
                Scope::CrossRegion if !special_reasons.is_empty() => {
                    out.push(item(json!({ "reasons": special_reasons }), None));
                }
                Scope::Basin if themed(m) => {
                    let basins = self.touched(LayerKind::Basin);
                    let zones = self.touched(LayerKind::Zone);
                    let status = self.atlas.layer(LayerKind::Zone).provenance.status.clone();
                    out.push(item(
                        json!({
                            "basins": basins,
                            "zones": zones,
                            "upstream_downstream": if water_present { json!("see water_context") } else { json!(format!("not computed for this footprint ({water_describe})")) },
                        }),
                        (status != "official").then_some(status),
                    ));
                }
                Scope::MetroArea if themed(m) => {
                    let metros: Vec<Value> = self
                        .units(LayerKind::MetroArea)
                        .iter()
                        .map(|u| {
                            let touched: Vec<PlaceName> = self
                                .units(LayerKind::Prefecture)
                                .iter()
                                .filter(|p| u.members().contains(&p.id.as_str()))
                                .map(|p| place(p))
                                .collect();
                            json!({
                                "id": u.id,
                                "name": u.name,
                                "lead_city": place_of(self.atlas, u.prop_str("lead_city").unwrap_or_default()),
                                "members_touched": touched,
                                "provenance": places::provenance(self.atlas, LayerKind::MetroArea, u),
                            })
                        })
                        .collect();
                    if !metros.is_empty() {
                        let prov = places::first_unofficial(
                            self.atlas,
                            LayerKind::MetroArea,
                            self.units(LayerKind::MetroArea),
                        );
                        out.push(item(json!({ "metro_areas": metros }), prov));
                    }
                }
                Scope::Corridor if themed(m) => {
                    let touched_prefs = self.ids(LayerKind::Prefecture);
                    let corridors: Vec<Value> = self
                        .units(LayerKind::Corridor)
                        .iter()
                        .map(|u| {
                            let members: Vec<PlaceName> = u
                                .members()
                                .iter()
                                .filter_map(|a| place_of(self.atlas, a))
                                .collect();
                            let (touched, partners): (Vec<PlaceName>, Vec<PlaceName>) = members
                                .into_iter()
                                .partition(|p| touched_prefs.contains(&p.adcode));
                            json!({
                                "id": u.id,
                                "name": u.name,
                                "cities_touched": touched,
                                "partners": partners,
                                "provenance": places::provenance(self.atlas, LayerKind::Corridor, u),
                            })
                        })
                        .collect();
                    if !corridors.is_empty() {
                        let prov = places::first_unofficial(
                            self.atlas,
                            LayerKind::Corridor,
                            self.units(LayerKind::Corridor),
                        );
                        out.push(item(json!({ "corridors": corridors }), prov));
                    }
                }
                Scope::RuralCounty if themed(m) => {
                    let rule = &self.rules.co_creation_rule;
                    let counties: Vec<Value> = self
                        .units(LayerKind::County)
                        .iter()
                        .map(|c| json!({"county": place(c), "rural": rule.is_rural(&c.name)}))
                        .collect();
                    out.push(item(
                        json!({ "counties": counties, "at": "township and village (乡镇、村)" }),
                        Some(rule.provenance.clone()),
                    ));
                }
                Scope::Judicial if themed(m) || suspected_crime => {
                    let (level, p) = dept;
                    let chain: Vec<Value> = m
                        .chain
                        .iter()
                        .filter_map(|s| {
                            let d = self.rules.department(&s.department)?;
                            Some(json!({
                                "step": s.step,
                                "step_zh": s.step_zh,
                                "department": actors::department(d, level, p),
                            }))
                        })
                        .collect();
                    let partners: Vec<DepartmentItem> = m
                        .partners
                        .iter()
                        .filter_map(|d| self.rules.department(d))
                        .map(|d| actors::department(d, level, p))
                        .collect();
                    if coordinator.level == "metro" || coordinator.level == "province" {
                        notes.push("judicial linkage: cases are handled by the organs where the offence occurred; the chain shown is at the coordinating level".into());
                    }
                    out.push(item(json!({ "chain": chain, "partners": partners }), None));
                }
                _ => {}
            }
        }
        // Clusters carry no mechanism of their own in the seed: say so when relevant.
        for p in self.prefectures_outside_metros() {
            let clusters = places::groups_of(self.atlas, LayerKind::CityCluster, &p);
            let name = place_of(self.atlas, &p)
                .map(|x| x.name)
                .unwrap_or_else(|| p.clone());
            if clusters.is_empty() {
                notes.push(format!("{name} is in no metropolitan area"));
            } else {
                let names: Vec<String> = clusters
                    .iter()
                    .filter_map(|c| self.atlas.layer(LayerKind::CityCluster).get(c))
                    .map(|c| c.name.clone())
                    .collect();
                notes.push(format!(
                    "{name} is in no metropolitan area; it is in the city cluster {}, for which the seed sets no coordination mechanism",
                    names.join(", ")
                ));
            }
        }
        out
    }
}

fn place_of(atlas: &Atlas, adcode: &str) -> Option<PlaceName> {
    atlas.layer(LayerKind::Prefecture).get(adcode).map(place)
}
