//! 相邻省份: the neighbouring provinces a plume may reach (重庆, 陕西, 河南,
//! 安徽, 江西, 湖南; the atlas's `neighbours` context layer) — the one place
//! where the air module reads them.

use crate::atlas::{Atlas, Unit};

/// The neighbouring provinces (empty for a dataset without the layer).
pub fn provinces(atlas: &Atlas) -> &[Unit] {
    atlas.neighbours()
}

/// The neighbouring province holding a point, if any.
pub fn province_at(atlas: &Atlas, lon: f64, lat: f64) -> Option<&Unit> {
    atlas.neighbour_at(lon, lat)
}

/// Whether the atlas knows the neighbouring provinces.
pub fn known(atlas: &Atlas) -> bool {
    !provinces(atlas).is_empty()
}
