//! 相邻省份: the neighbouring provinces a plume may reach — the one place where
//! the air module reads them from the atlas.
//!
//! The governance work adds `data/layers/neighbours.geojson` (重庆, 陕西, 河南,
//! 安徽, 江西, 湖南; properties `adcode`, `name`) with `Atlas::neighbours()` and
//! `Atlas::neighbour_at(lon, lat)`. Until that layer is in the atlas this
//! module answers "no neighbours known", and answers say so in a note.

use crate::atlas::{Atlas, Unit};

/// The neighbouring provinces (an empty slice until the atlas has them).
pub fn provinces(atlas: &Atlas) -> &[Unit] {
    let _ = atlas;
    &[]
}

/// The neighbouring province holding a point, if any.
pub fn province_at(atlas: &Atlas, lon: f64, lat: f64) -> Option<&Unit> {
    use geo::Intersects;
    provinces(atlas)
        .iter()
        .find(|u| u.geometry.intersects(&geo::Point::new(lon, lat)))
}

/// Whether the atlas knows the neighbouring provinces.
pub fn known(atlas: &Atlas) -> bool {
    !provinces(atlas).is_empty()
}
