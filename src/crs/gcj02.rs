//! GCJ-02 (国测局坐标, "Mars coordinates") and BD-09 (百度坐标) offsets.
//!
//! GCJ-02 is the obfuscated datum mandated for published maps in China (高德 Amap,
//! 腾讯 Tencent, Google China). Its forward transform (WGS 84 → GCJ-02) is the
//! widely published formula; there is no closed-form inverse, so
//! [`gcj02_to_wgs84`] iterates the forward formula until the residual is below
//! 1e-10 degree (about 0.01 mm), far better than the one-step approximation
//! (`wgs ≈ 2·gcj − f(gcj)`, off by up to a few metres).
//!
//! BD-09 (百度 Baidu) is a further rotation-and-offset of GCJ-02; its inverse is
//! also solved iteratively here.

use std::f64::consts::PI;

/// Krasovsky 1940 semi-major axis used by the GCJ-02 formula.
const A: f64 = 6_378_245.0;
/// Krasovsky 1940 first eccentricity squared used by the GCJ-02 formula.
const EE: f64 = 0.006_693_421_622_965_943;
/// BD-09 angular constant (π · 3000 / 180).
const X_PI: f64 = PI * 3000.0 / 180.0;

/// Convergence threshold for the iterative inverses, in degrees.
const TOLERANCE_DEG: f64 = 1e-10;
/// Maximum iterations of the fixed-point inverse (it converges in 3–5).
const MAX_ITER: usize = 30;

/// Whether GCJ-02 applies an offset at this WGS 84 point (the published
/// rectangle around China; outside it GCJ-02 equals WGS 84).
pub fn in_china_rectangle(lon: f64, lat: f64) -> bool {
    (72.004..=137.8347).contains(&lon) && (0.8293..=55.8271).contains(&lat)
}

fn transform_lat(x: f64, y: f64) -> f64 {
    let mut ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    ret
}

fn transform_lon(x: f64, y: f64) -> f64 {
    let mut ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    ret
}

/// WGS 84 → GCJ-02 (the published forward formula). Outside the China
/// rectangle the point is returned unchanged.
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if !in_china_rectangle(lon, lat) {
        return (lon, lat);
    }
    let d_lat = transform_lat(lon - 105.0, lat - 35.0);
    let d_lon = transform_lon(lon - 105.0, lat - 35.0);
    let rad_lat = lat / 180.0 * PI;
    let magic = 1.0 - EE * rad_lat.sin() * rad_lat.sin();
    let sqrt_magic = magic.sqrt();
    let d_lat = (d_lat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let d_lon = (d_lon * 180.0) / (A / sqrt_magic * rad_lat.cos() * PI);
    (lon + d_lon, lat + d_lat)
}

/// Solves `forward(x) = target` by fixed-point iteration
/// `x ← x − (forward(x) − target)`; the forward maps here are the identity
/// plus a small, slowly varying offset, so this contracts quickly.
fn invert(forward: impl Fn(f64, f64) -> (f64, f64), tx: f64, ty: f64) -> (f64, f64) {
    let (mut x, mut y) = (tx, ty);
    for _ in 0..MAX_ITER {
        let (fx, fy) = forward(x, y);
        let (dx, dy) = (fx - tx, fy - ty);
        x -= dx;
        y -= dy;
        if dx.abs() < TOLERANCE_DEG && dy.abs() < TOLERANCE_DEG {
            break;
        }
    }
    (x, y)
}

/// GCJ-02 → WGS 84, iterative (residual below 1e-10 degree).
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    invert(wgs84_to_gcj02, lon, lat)
}

/// GCJ-02 → BD-09 (Baidu's published formula).
pub fn gcj02_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    let z = (lon * lon + lat * lat).sqrt() + 0.000_02 * (lat * X_PI).sin();
    let theta = lat.atan2(lon) + 0.000_003 * (lon * X_PI).cos();
    (z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

/// BD-09 → GCJ-02, iterative inverse of [`gcj02_to_bd09`].
pub fn bd09_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    invert(gcj02_to_bd09, lon, lat)
}

/// WGS 84 → BD-09 (via GCJ-02).
pub fn wgs84_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = wgs84_to_gcj02(lon, lat);
    gcj02_to_bd09(x, y)
}

/// BD-09 → WGS 84 (via GCJ-02), both steps iterative.
pub fn bd09_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = bd09_to_gcj02(lon, lat);
    gcj02_to_wgs84(x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_is_exact_to_1e9_deg_over_hubei() {
        // A grid over Hubei's bounding box (108.3–116.2 E, 29.0–33.3 N).
        for i in 0..=40 {
            for j in 0..=20 {
                let lon = 108.3 + 7.9 * f64::from(i) / 40.0;
                let lat = 29.0 + 4.3 * f64::from(j) / 20.0;
                let (gx, gy) = wgs84_to_gcj02(lon, lat);
                assert!((gx - lon).abs() > 1e-4, "GCJ-02 must move the point");
                let (wx, wy) = gcj02_to_wgs84(gx, gy);
                assert!((wx - lon).abs() < 1e-9 && (wy - lat).abs() < 1e-9);
                let (bx, by) = wgs84_to_bd09(lon, lat);
                let (wx, wy) = bd09_to_wgs84(bx, by);
                assert!((wx - lon).abs() < 1e-9 && (wy - lat).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn one_step_approximation_is_worse_than_iteration() {
        let (lon, lat) = (114.3055, 30.5928);
        let (gx, gy) = wgs84_to_gcj02(lon, lat);
        let (fx, fy) = wgs84_to_gcj02(gx, gy);
        let (ax, ay) = (2.0 * gx - fx, 2.0 * gy - fy);
        let one_step = (ax - lon).abs().max((ay - lat).abs());
        let (ix, iy) = gcj02_to_wgs84(gx, gy);
        let iterative = (ix - lon).abs().max((iy - lat).abs());
        assert!(one_step > 1e-8, "one-step error {one_step}");
        assert!(iterative < 1e-10, "iterative error {iterative}");
    }

    #[test]
    fn outside_china_is_identity() {
        assert_eq!(wgs84_to_gcj02(2.35, 48.85), (2.35, 48.85));
        assert_eq!(gcj02_to_wgs84(-70.0, -33.0), (-70.0, -33.0));
    }
}
