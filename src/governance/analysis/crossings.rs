//! Step 3: the boundaries the issue crosses (跨界): county, prefecture, zone,
//! basin, metro and province lines; a boundary river the footprint lies on
//! counts as crossing the line it carries (its banks are both parties, 十三).

use crate::atlas::LayerKind;

use super::super::places;
use super::answer::Crossing;
use super::Context;

/// Every boundary crossed.
pub(super) fn crossings(cx: &Context) -> Vec<Crossing> {
    let mut out = Vec::new();
    for (boundary, kind) in [
        ("county", LayerKind::County),
        ("prefecture", LayerKind::Prefecture),
    ] {
        let parties = match kind {
            LayerKind::County => &cx.parties.counties,
            _ => &cx.parties.prefectures,
        };
        if parties.len() > 1 {
            let by_footprint = parties.iter().filter(|p| p.why == "footprint").count() > 1;
            out.push(Crossing {
                boundary,
                units: parties.iter().map(|p| p.adcode.clone()).collect(),
                by: if by_footprint {
                    "footprint"
                } else {
                    "boundary_river"
                },
                reconstructed: false,
            });
        }
    }
    for (boundary, kind) in [("zone", LayerKind::Zone), ("basin", LayerKind::Basin)] {
        let ids: Vec<String> = cx
            .touched_units(kind)
            .iter()
            .map(|u| u.id.clone())
            .collect();
        if ids.len() > 1 {
            out.push(Crossing {
                boundary,
                units: ids,
                by: "footprint",
                reconstructed: cx.atlas.layer(kind).provenance.status == "reconstructed",
            });
        }
    }
    out.extend(metro_crossing(cx));
    if cx.touches.leaves_province() {
        out.push(Crossing {
            boundary: "province",
            units: vec![places::province(cx.atlas).adcode, "outside".into()],
            by: "footprint",
            reconstructed: false,
        });
    }
    out
}

/// Metro areas of the party prefectures, and `outside` when some lie in none.
fn metro_crossing(cx: &Context) -> Option<Crossing> {
    let prefs: Vec<String> = cx
        .parties
        .prefectures
        .iter()
        .map(|p| p.adcode.clone())
        .collect();
    let mut metros: Vec<String> = Vec::new();
    let mut outside = false;
    for p in &prefs {
        let groups = places::groups_of(cx.atlas, LayerKind::MetroArea, p);
        outside |= groups.is_empty();
        for g in groups {
            if !metros.contains(&g) {
                metros.push(g);
            }
        }
    }
    metros.sort();
    if outside && !metros.is_empty() {
        metros.push("outside".into());
    }
    (metros.len() > 1).then_some(Crossing {
        boundary: "metro",
        units: metros,
        by: "footprint",
        reconstructed: false,
    })
}
