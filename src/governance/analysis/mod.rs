//! 跨界问题分析: who coordinates a cross-boundary issue, as a chain of small
//! rule steps over one analysis [`Context`], each citing its clause:
//!
//! 1. [`jurisdictions`]: the footprint (or list of places) overlaid on every
//!    layer, with shares; the neighbouring provinces it reaches into.
//! 2. [`water`]: for matters that get it (catalog flag), the whole footprint on
//!    the river network (十三), and both banks of a boundary river as parties.
//! 3. [`crossings`]: the boundaries crossed.
//! 4. [`coordinator`]: the coordinating level and body (七, 十四, 二十).
//! 5. [`departments`]: lead and cooperating departments, always of the
//!    jurisdiction they act in (五, 七, 八, 九).
//! 6. [`inspection`]: eligibility for a provincial special inspection (十六).
//! 7. [`mechanisms`]: the mechanisms that apply (十三, 十四, 十五, 七/二十), with
//!    [`judicial`] linkage for suspected crime (十八).
//! 8. [`finish`]: complaints (六), notes, and every clause cited.
//! 9. [`downwind`]: for an air matter with a `wind`, the downwind parties and
//!    whom to notify (十四).

pub mod answer;
mod coordinator;
mod crossings;
mod departments;
mod downwind;
mod finish;
mod inspection;
mod judicial;
mod jurisdictions;
mod mechanisms;
pub mod request;
mod water;

pub use answer::*;
pub use request::{AnalyzeError, AnalyzeRequest};

use crate::atlas::{Atlas, LayerKind, Unit};
use crate::budget::Budget;

use super::footprint::Footprint;
use super::jurisdiction::Touches;
use super::matter::Matter;
use super::water::{UpstreamDownstream, WaterContext};
use super::Rules;

/// Everything the rule steps read: the rules, the atlas, the matter, the
/// overlay, the river context and the parties; steps add notes.
pub(crate) struct Context<'a> {
    pub(crate) rules: &'a Rules,
    pub(crate) atlas: &'a Atlas,
    /// The catalog matter (None: unknown, to be designated).
    pub(crate) matter: Option<&'a Matter>,
    /// The matter as asked for (trimmed, at most 64 characters).
    pub(crate) requested: String,
    pub(crate) suspected_crime: bool,
    pub(crate) touches: Touches,
    pub(crate) footprint: Option<Footprint>,
    pub(crate) water: Option<WaterContext>,
    pub(crate) parties: Parties,
    pub(crate) notes: Vec<String>,
}

impl Context<'_> {
    /// The units of a layer the footprint touches.
    pub(crate) fn touched_units(&self, kind: LayerKind) -> Vec<&Unit> {
        let layer = self.atlas.layer(kind);
        self.touches
            .layer(kind)
            .iter()
            .filter_map(|(i, _)| layer.units.get(*i))
            .collect()
    }

    /// The party units of a level (`County` or `Prefecture`), by adcode.
    pub(crate) fn party_units(&self, kind: LayerKind) -> Vec<&Unit> {
        let list = match kind {
            LayerKind::County => &self.parties.counties,
            _ => &self.parties.prefectures,
        };
        list.iter()
            .filter_map(|p| self.atlas.layer(kind).get(&p.adcode))
            .collect()
    }

    /// Whether the catalog marks the matter basin-related (十六).
    pub(crate) fn basin_related(&self) -> bool {
        self.matter.is_some_and(|m| m.basin_related)
    }
}

/// Analyses an issue (the steps above), stopping when `budget` runs out.
pub fn analyze(
    rules: &Rules,
    atlas: &Atlas,
    river: &dyn UpstreamDownstream,
    req: &AnalyzeRequest,
    max_vertices: usize,
    budget: &Budget,
) -> Result<Analysis, AnalyzeError> {
    let (matter, requested) = jurisdictions::matter(rules, &req.matter)?;
    let (crs_id, crs_given) = req.footprint_crs()?;
    let (touches, footprint) = jurisdictions::overlay(atlas, req, crs_id, max_vertices, budget)?;
    let mut cx = Context {
        rules,
        atlas,
        matter,
        requested,
        suspected_crime: req.suspected_crime,
        touches,
        footprint,
        water: None,
        parties: Parties::default(),
        notes: Vec::new(),
    };
    cx.water = water::context(&mut cx, river, budget)?;
    cx.parties = jurisdictions::parties(&cx);
    let other_provinces = jurisdictions::other_provinces(&cx, budget)?;
    let crossings = crossings::crossings(&cx);
    let coordinating_body = coordinator::coordinator(&cx);
    let depts = departments::departments(&cx, &coordinating_body);
    let special_inspection = inspection::special_inspection(&cx, &crossings, &other_provinces);
    let mechanisms = mechanisms::mechanisms(&mut cx, &coordinating_body, &special_inspection);
    let crs = crs_given.then(|| crate::crs::http::echo_id(crs_id));
    let air = downwind::downwind(&mut cx, req, crs.clone().map(|e| (crs_id, e)), budget)?;
    let mut answer = finish::answer(
        cx,
        finish::Parts {
            crossings,
            coordinating_body,
            depts,
            special_inspection,
            mechanisms,
            other_provinces,
            crs,
        },
    );
    if let Some(a) = air {
        answer.basis.extend(a.basis.iter().cloned());
        super::actors::sort_basis(rules, &mut answer.basis);
        answer.clauses = super::actors::clause_refs(rules, &answer.basis);
        answer.downwind = Some(a);
    }
    Ok(answer)
}
