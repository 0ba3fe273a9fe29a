//! EPSG:3857 Web Mercator (网络墨卡托), the projection of web map tiles.
//!
//! Spherical Mercator on the WGS 84 semi-major axis applied to WGS 84
//! geographic coordinates, as EPSG defines it (“Popular Visualisation Pseudo
//! Mercator”). Closed form both ways.

use std::f64::consts::{FRAC_PI_4, PI};

/// WGS 84 semi-major axis, the sphere radius of EPSG:3857.
pub const RADIUS: f64 = 6_378_137.0;
/// Largest latitude representable (the square world of web tiles).
pub const MAX_LAT: f64 = 85.051_128_779_806_59;
/// Half the world width in metres (π · R).
pub const MAX_XY: f64 = PI * RADIUS;

/// WGS 84 longitude/latitude in degrees → Web Mercator metres.
pub fn forward(lon: f64, lat: f64) -> (f64, f64) {
    let x = RADIUS * lon.to_radians();
    let y = RADIUS * (FRAC_PI_4 + lat.to_radians() / 2.0).tan().ln();
    (x, y)
}

/// Web Mercator metres → WGS 84 longitude/latitude in degrees.
pub fn inverse(x: f64, y: f64) -> (f64, f64) {
    let lon = (x / RADIUS).to_degrees();
    let lat = (2.0 * (y / RADIUS).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees();
    (lon, lat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corners_of_the_tile_world() {
        let (x, y) = forward(180.0, MAX_LAT);
        assert!(
            (x - MAX_XY).abs() < 1e-6 && (y - MAX_XY).abs() < 1e-3,
            "{x} {y}"
        );
        let (lon, lat) = inverse(-MAX_XY, -MAX_XY);
        assert!((lon + 180.0).abs() < 1e-12 && (lat + MAX_LAT).abs() < 1e-9);
    }
}
