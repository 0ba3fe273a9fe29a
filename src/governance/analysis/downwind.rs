//! Step 9 (air matters with a wind, 十四): the downwind parties. When the
//! request carries a `wind` and the matter is an air matter (catalog theme
//! `air`), the footprint is the source of a downwind estimate
//! ([`crate::air::downwind`], the same answer as `POST /v1/air/downwind`), and
//! the analysis lists the prefectures and counties the air reaches, with
//! arrival hours, and whom to notify (通报) through which mechanism: the
//! 襄荆荆宜 corridor's unified dispatch and joint response, a metropolitan
//! area's joint prevention, or the provincial committee (十四; 七, 二十).
//!
//! The coordinating body, departments and mechanisms above stay those of the
//! footprint itself (who acts where the problem is); the downwind member adds
//! who must be told and joins the response.

use crate::air::{self, AirAnswer, AirError, Source, WindError};
use crate::budget::Budget;

use super::super::jurisdiction::JurisdictionError;
use super::request::{AnalyzeError, AnalyzeRequest};
use super::Context;

fn refused(reason: String) -> AnalyzeError {
    AnalyzeError::Wind(WindError::Invalid {
        path: "wind".into(),
        reason,
    })
}

/// 十四: the downwind estimate of the footprint under the request's wind, or
/// `None` without a wind. A wind for a matter that is not an air matter, or
/// without a footprint, is refused (400, `path: wind`).
pub(super) fn downwind(
    cx: &mut Context,
    req: &AnalyzeRequest,
    crs: Option<(crate::crs::CrsId, serde_json::Value)>,
    budget: &Budget,
) -> Result<Option<AirAnswer>, AnalyzeError> {
    let Some(input) = &req.wind else {
        return Ok(None);
    };
    if !cx.matter.is_some_and(|m| m.has_theme("air")) {
        return Err(refused(format!(
            "a wind applies to air matters only (catalog theme `air`, 十四); `{}` is not one",
            cx.requested
        )));
    }
    let Some(footprint) = cx.footprint.clone() else {
        return Err(refused(
            "a wind needs a `footprint` (the source of the air), not only `places`".into(),
        ));
    };
    let wind = input.validate("wind.").map_err(AnalyzeError::Wind)?;
    let source = Source::Footprint(footprint);
    let answer =
        air::downwind(cx.rules, cx.atlas, &source, &wind, budget).map_err(|e| match e {
            AirError::Wind(w) => AnalyzeError::Wind(w),
            AirError::Exhausted(x) => AnalyzeError::Jurisdiction(JurisdictionError::Exhausted(x)),
        })?;
    let answer = match crs {
        None => answer,
        Some((id, echo)) => {
            let engine =
                crate::crs::Crs::new(id).map_err(|e| AnalyzeError::BadCrs(e.to_string()))?;
            air::in_crs(answer, &engine, echo).map_err(|e| AnalyzeError::BadCrs(e.to_string()))?
        }
    };
    let told: Vec<String> = answer
        .notify
        .iter()
        .map(|n| format!("{} ({})", n.prefecture.name, n.mechanism.id))
        .collect();
    cx.notes.push(format!(
        "downwind (十四): with the wind given, the air reaches {} prefecture(s) in {:.0} h; notify {}; {}",
        answer.downwind.prefectures.len(),
        wind.hours,
        if told.is_empty() { "no other prefecture".into() } else { told.join(", ") },
        air::SCOPE
    ));
    Ok(Some(answer))
}
