//! Step 2: the river context of the footprint (上下游统筹, 左右岸协同, 干支流互动;
//! clause 十三), for the matters whose catalog entry asks for it.

use crate::budget::Budget;

use super::super::jurisdiction::JurisdictionError;
use super::super::water::{UpstreamDownstream, WaterContext};
use super::request::AnalyzeError;
use super::Context;

/// The whole footprint on the river network, when the matter gets river
/// context (`water_context = true` in the catalog): every reach within the
/// snap tolerance, upstream and downstream jurisdictions and provinces, bank
/// pairs. Without a footprint, or with no river near, `None` and a note.
pub(super) fn context(
    cx: &mut Context,
    river: &dyn UpstreamDownstream,
    budget: &Budget,
) -> Result<Option<WaterContext>, AnalyzeError> {
    if !cx.matter.is_some_and(|m| m.water_context) {
        return Ok(None);
    }
    let Some(fp) = &cx.footprint else {
        cx.notes.push(
            "water_context: not computed: a list of places has no footprint to place on the river network; give a footprint for upstream, downstream and bank partners".into(),
        );
        return Ok(None);
    };
    let found = river
        .for_footprint(cx.atlas, fp, budget)
        .map_err(|e| AnalyzeError::Jurisdiction(JurisdictionError::Exhausted(e)))?;
    match found {
        Some(mut w) => {
            // Only clauses that exist: a river engine cannot cite what the rules lack.
            w.basis.retain(|c| cx.rules.clause(c).is_some());
            Ok(Some(w))
        }
        None => {
            cx.notes.push(format!(
                "water_context: not computed: no river line lies within the snap tolerance of the footprint (river engine: {})",
                river.describe()
            ));
            Ok(None)
        }
    }
}
