//! Small planar helpers in a local equirectangular frame (km), 局部平面近似.
//!
//! Distances are computed with an equirectangular approximation at the mean
//! latitude of the two points: error below 0.1 % for the few-km tolerances used in
//! the river build and for reach lengths inside Hubei (29-33.3° N).

/// Mean Earth radius in km.
const R_KM: f64 = 6371.0088;

/// Distance in km between two (lon, lat) points.
pub fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let lat = ((a.1 + b.1) / 2.0).to_radians();
    let dx = (b.0 - a.0).to_radians() * lat.cos();
    let dy = (b.1 - a.1).to_radians();
    R_KM * (dx * dx + dy * dy).sqrt()
}

/// Length of a polyline in km.
pub fn line_km(pts: &[(f64, f64)]) -> f64 {
    pts.windows(2).map(|w| km(w[0], w[1])).sum()
}

/// Converts (lon, lat) to local km around a reference latitude.
pub fn to_xy(p: (f64, f64), lat0: f64) -> (f64, f64) {
    let k = R_KM * std::f64::consts::PI / 180.0;
    (p.0 * k * lat0.to_radians().cos(), p.1 * k)
}

/// Inverse of [`to_xy`].
pub fn from_xy(p: (f64, f64), lat0: f64) -> (f64, f64) {
    let k = R_KM * std::f64::consts::PI / 180.0;
    (p.0 / (k * lat0.to_radians().cos()), p.1 / k)
}

/// Nearest point to `p` on segment `a`-`b`: (distance km, parameter t in 0..=1, point).
pub fn project_on_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> (f64, f64, (f64, f64)) {
    let lat0 = p.1;
    let (px, py) = to_xy(p, lat0);
    let (ax, ay) = to_xy(a, lat0);
    let (bx, by) = to_xy(b, lat0);
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0)
    };
    let q = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
    (km(p, q), t, q)
}

/// Nearest point on a polyline: (distance km, segment index, t, point).
pub fn project_on_line(p: (f64, f64), line: &[(f64, f64)]) -> (f64, usize, f64, (f64, f64)) {
    let mut best = (f64::INFINITY, 0, 0.0, p);
    for (i, w) in line.windows(2).enumerate() {
        let (d, t, q) = project_on_segment(p, w[0], w[1]);
        if d < best.0 {
            best = (d, i, t, q);
        }
    }
    best
}

/// Rounds a coordinate to 1e-6 degree (the precision of every committed layer).
pub fn round6(p: (f64, f64)) -> (f64, f64) {
    ((p.0 * 1e6).round() / 1e6, (p.1 * 1e6).round() / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn km_matches_haversine_scale() {
        // One degree of latitude is about 111.2 km.
        let d = km((112.0, 30.0), (112.0, 31.0));
        assert!((d - 111.19).abs() < 0.05, "{d}");
        // One degree of longitude at 30° N is about 96.3 km.
        let d = km((112.0, 30.0), (113.0, 30.0));
        assert!((d - 96.29).abs() < 0.1, "{d}");
    }

    #[test]
    fn projection_clamps_to_segment() {
        let (d, t, q) = project_on_segment((113.0, 30.0), (112.0, 30.0), (112.5, 30.0));
        assert_eq!(t, 1.0);
        assert_eq!(q, (112.5, 30.0));
        assert!((d - 48.1).abs() < 0.2);
    }
}
