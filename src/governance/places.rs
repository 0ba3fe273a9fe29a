//! 地名: place names read from the atlas (province, prefectures, counties),
//! and membership lookups the engine needs.

use std::collections::BTreeMap;

use crate::atlas::{Atlas, LayerKind, Unit};

use super::obligations::{PlaceName, Places};

/// The province's adcode.
pub const PROVINCE_ADCODE: &str = "420000";

/// The name of a unit as a [`PlaceName`].
pub fn place(u: &Unit) -> PlaceName {
    PlaceName {
        adcode: u.id.clone(),
        name: u.name.clone(),
    }
}

/// The province (the first unit of the province layer), or a fallback name.
pub fn province(atlas: &Atlas) -> PlaceName {
    atlas
        .layer(LayerKind::Province)
        .units
        .first()
        .map(place)
        .unwrap_or_else(|| PlaceName {
            adcode: PROVINCE_ADCODE.into(),
            name: "湖北省".into(),
        })
}

/// Every prefecture and the county-level units of each, from the atlas.
pub fn places(atlas: &Atlas) -> Places {
    let mut counties: BTreeMap<String, Vec<PlaceName>> = BTreeMap::new();
    for c in &atlas.layer(LayerKind::County).units {
        if let Some(p) = c.prop_str("prefecture") {
            // A province-administered county-level unit (仙桃, 潜江, 天门, 神农架)
            // is its own prefecture-level unit: list it once.
            if p != c.id {
                counties.entry(p.to_string()).or_default().push(place(c));
            }
        }
    }
    Places {
        province: province(atlas).name,
        prefectures: atlas
            .layer(LayerKind::Prefecture)
            .units
            .iter()
            .map(place)
            .collect(),
        counties,
    }
}

/// Ids of the units of `kind` (metro areas, clusters, corridors) that list a prefecture as member.
pub fn groups_of(atlas: &Atlas, kind: LayerKind, prefecture: &str) -> Vec<String> {
    atlas
        .layer(kind)
        .units
        .iter()
        .filter(|g| g.members().contains(&prefecture))
        .map(|g| g.id.clone())
        .collect()
}

/// The first provenance status among `units` that is not `official` (the one a
/// mechanism built on those units must admit to), or `None` when all are official.
pub fn first_unofficial<'a>(
    atlas: &Atlas,
    kind: LayerKind,
    units: impl IntoIterator<Item = &'a Unit>,
) -> Option<String> {
    units
        .into_iter()
        .map(|u| provenance(atlas, kind, u))
        .find(|p| p != "official")
}

/// Provenance status of a unit, the same as every other endpoint gives it
/// ([`crate::atlas::Layer::unit_provenance`]: its own property, else its layer's status).
pub fn provenance(atlas: &Atlas, kind: LayerKind, u: &Unit) -> String {
    atlas.layer(kind).unit_provenance(u).to_string()
}
