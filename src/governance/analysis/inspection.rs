//! Step 6: provincial special inspection (省级专项督察, clause 十六), which
//! targets prominent problems crossing basins or regions:
//!
//! - 跨流域: the issue crosses a first-level basin line (长江干流 / 汉江 /
//!   清江) and the matter is basin-related (a catalog flag);
//! - 跨区域: the issue crosses prefecture lines (by its footprint, or by a
//!   boundary river whose both banks are parties), or the province line;
//!   any matter.
//!
//! Crossing second-level zone lines alone never counts. Each reason says
//! whether the line it rests on is a reconstruction; when the issue leaves
//! Hubei, the provincial inspection covers only the Hubei part.

use super::answer::{Crossing, InspectionReason, OtherProvince, SpecialInspection};
use super::Context;

/// Eligibility, with every reason and what was not counted.
pub(super) fn special_inspection(
    cx: &Context,
    crossings: &[Crossing],
    other: &[OtherProvince],
) -> SpecialInspection {
    let mut reasons = Vec::new();
    if let Some(r) = cross_basin(cx, crossings) {
        reasons.push(r);
    }
    reasons.extend(cross_region(crossings, other));
    let scope = cx.touches.leaves_province().then(|| {
        "the provincial inspection covers only the Hubei part of the issue; the parts in other provinces are outside this document".to_string()
    });
    SpecialInspection {
        eligible: !reasons.is_empty(),
        reasons,
        not_counted: not_counted(cx, crossings),
        scope,
        basis: vec!["十六".into()],
    }
}

fn find<'a>(crossings: &'a [Crossing], boundary: &str) -> Option<&'a Crossing> {
    crossings.iter().find(|c| c.boundary == boundary)
}

/// 跨流域: a first-level basin line crossed by a basin-related matter.
fn cross_basin(cx: &Context, crossings: &[Crossing]) -> Option<InspectionReason> {
    let c = find(crossings, "basin").filter(|_| cx.basin_related())?;
    Some(InspectionReason {
        kind: "跨流域",
        kind_en: "cross_basin",
        text: format!(
            "a basin-related matter crossing the line between first-level basins ({}){}",
            c.units.join(", "),
            if c.reconstructed {
                "; that line is a reconstruction (basin extents are unions of reconstructed zones)"
            } else {
                ""
            }
        ),
        units: c.units.clone(),
        reconstructed: c.reconstructed,
    })
}

/// 跨区域: prefecture lines (footprint or boundary river), the province line.
fn cross_region(crossings: &[Crossing], other: &[OtherProvince]) -> Vec<InspectionReason> {
    let mut out = Vec::new();
    if let Some(c) = find(crossings, "prefecture") {
        out.push(InspectionReason {
            kind: "跨区域",
            kind_en: "cross_region",
            text: match c.by {
                "boundary_river" => format!(
                    "the issue lies on a river that forms the boundary between prefecture-level units ({}), whose banks are both parties",
                    c.units.join(", ")
                ),
                _ => format!("crosses prefecture lines ({})", c.units.join(", ")),
            },
            units: c.units.clone(),
            reconstructed: false,
        });
    }
    if let Some(c) = find(crossings, "province") {
        let names: Vec<&str> = other.iter().map(|o| o.name.as_str()).collect();
        out.push(InspectionReason {
            kind: "跨区域",
            kind_en: "cross_region",
            text: format!(
                "crosses the province line{}",
                if names.is_empty() {
                    String::new()
                } else {
                    format!(" into {}", names.join(", "))
                }
            ),
            units: c.units.clone(),
            reconstructed: false,
        });
    }
    out
}

/// Crossings that were looked at and do not count, in words.
fn not_counted(cx: &Context, crossings: &[Crossing]) -> Vec<String> {
    let mut out = Vec::new();
    if find(crossings, "basin").is_some() && !cx.basin_related() {
        out.push(format!(
            "crosses a first-level basin line, but `{}` is not a basin-related matter in the catalog: not 跨流域",
            cx.matter.map(|m| m.id.as_str()).unwrap_or(cx.requested.as_str())
        ));
    }
    if find(crossings, "zone").is_some() {
        out.push("second-level zone lines (reconstructed) alone never count".into());
    }
    if find(crossings, "county").is_some() && find(crossings, "prefecture").is_none() {
        out.push("county lines within one prefecture are not 跨区域".into());
    }
    out
}
