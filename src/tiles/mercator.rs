//! Spherical Web Mercator (EPSG:3857, 网络墨卡托) and the XYZ tile grid (瓦片网格).
//!
//! Small, self-contained math so tiles and the OGC API need no projection
//! library. Another module may replace the OGC side later; tiles only need this.

use std::f64::consts::PI;

/// WGS 84 semi-major axis used by EPSG:3857, in metres.
pub const EARTH_RADIUS: f64 = 6_378_137.0;
/// Half the width of the Web Mercator square, in metres.
pub const HALF_WORLD: f64 = PI * EARTH_RADIUS;
/// Latitude limit of Web Mercator (the square's top edge), in degrees.
pub const MAX_LAT: f64 = 85.051_128_779_806_6;
/// Highest zoom level the tile grid accepts.
pub const MAX_ZOOM: u8 = 22;

/// Longitude/latitude in degrees to Web Mercator metres (latitude clamped to ±[`MAX_LAT`]).
pub fn lonlat_to_merc(lon: f64, lat: f64) -> (f64, f64) {
    let lat = lat.clamp(-MAX_LAT, MAX_LAT);
    let x = lon.to_radians() * EARTH_RADIUS;
    let y = (PI / 4.0 + lat.to_radians() / 2.0).tan().ln() * EARTH_RADIUS;
    (x, y)
}

/// Web Mercator metres to longitude/latitude in degrees.
pub fn merc_to_lonlat(x: f64, y: f64) -> (f64, f64) {
    let lon = (x / EARTH_RADIUS).to_degrees();
    let lat = (2.0 * (y / EARTH_RADIUS).exp().atan() - PI / 2.0).to_degrees();
    (lon, lat)
}

/// One tile address in the XYZ scheme (瓦片坐标): `y` grows southwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    /// Zoom level.
    pub z: u8,
    /// Column, 0 at 180°W.
    pub x: u32,
    /// Row, 0 at the north edge.
    pub y: u32,
}

impl TileId {
    /// A tile address, or `None` when `z > MAX_ZOOM` or x/y fall outside the grid.
    pub fn new(z: u8, x: u32, y: u32) -> Option<TileId> {
        if z > MAX_ZOOM {
            return None;
        }
        let n = 1u32 << z;
        (x < n && y < n).then_some(TileId { z, x, y })
    }

    /// Width of this tile in Web Mercator metres.
    pub fn width_m(self) -> f64 {
        2.0 * HALF_WORLD / f64::from(1u32 << self.z)
    }

    /// Bounds `(min_x, min_y, max_x, max_y)` in Web Mercator metres.
    pub fn merc_bounds(self) -> (f64, f64, f64, f64) {
        let w = self.width_m();
        let min_x = -HALF_WORLD + f64::from(self.x) * w;
        let max_y = HALF_WORLD - f64::from(self.y) * w;
        (min_x, max_y - w, min_x + w, max_y)
    }

    /// Bounds `(west, south, east, north)` in degrees.
    pub fn lonlat_bounds(self) -> (f64, f64, f64, f64) {
        let (x0, y0, x1, y1) = self.merc_bounds();
        let (w, s) = merc_to_lonlat(x0, y0);
        let (e, n) = merc_to_lonlat(x1, y1);
        (w, s, e, n)
    }

    /// The tiles at zoom `z` that cover a lon/lat box (inclusive ranges), row-major.
    pub fn covering(z: u8, west: f64, south: f64, east: f64, north: f64) -> Vec<TileId> {
        let (x0, y0) = tile_of(z, west, north);
        let (x1, y1) = tile_of(z, east, south);
        let mut out = Vec::new();
        for y in y0..=y1 {
            for x in x0..=x1 {
                out.push(TileId { z, x, y });
            }
        }
        out
    }
}

/// The column and row at zoom `z` containing a lon/lat point (clamped to the grid).
pub fn tile_of(z: u8, lon: f64, lat: f64) -> (u32, u32) {
    let (mx, my) = lonlat_to_merc(lon, lat);
    let n = f64::from(1u32 << z);
    let fx = ((mx + HALF_WORLD) / (2.0 * HALF_WORLD) * n).floor();
    let fy = ((HALF_WORLD - my) / (2.0 * HALF_WORLD) * n).floor();
    let max = n - 1.0;
    (fx.clamp(0.0, max) as u32, fy.clamp(0.0, max) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_known_values() {
        // Known EPSG:3857 value (the textbook formula, computed separately in Python): 114.3055 E, 30.5928 N (Wuhan).
        let (x, y) = lonlat_to_merc(114.3055, 30.5928);
        assert!((x - 12_724_430.055).abs() < 0.01, "{x}");
        assert!((y - 3_579_978.621).abs() < 0.01, "{y}");
        let (lon, lat) = merc_to_lonlat(x, y);
        assert!((lon - 114.3055).abs() < 1e-9 && (lat - 30.5928).abs() < 1e-9);
        let (_, ytop) = lonlat_to_merc(0.0, 90.0);
        assert!((ytop - HALF_WORLD).abs() < 1e-6);
    }

    #[test]
    fn tile_grid() {
        assert!(TileId::new(3, 8, 0).is_none());
        assert!(TileId::new(23, 0, 0).is_none());
        let t = TileId::new(1, 1, 0).unwrap();
        let (w, s, e, n) = t.lonlat_bounds();
        assert!((w - 0.0).abs() < 1e-9 && (e - 180.0).abs() < 1e-9);
        assert!(s.abs() < 1e-9 && (n - MAX_LAT).abs() < 1e-9);
        // Wuhan at z10 (computed by hand from the slippy-map formula).
        assert_eq!(tile_of(10, 114.3055, 30.5928), (837, 420));
        let cover = TileId::covering(10, 114.0, 30.0, 114.6, 30.9);
        assert!(cover.contains(&TileId {
            z: 10,
            x: 837,
            y: 420
        }));
    }
}
