//! Polygon edges (多边形边) as `[x0, y0, x1, y1]`, for drawing test and bench
//! points on or near a boundary. Shared by `tests/neighbours.rs` and
//! `benches/locate.rs`.

use geo::MultiPolygon;

/// Every edge of the exterior rings of `polygons`, in ring order.
pub fn exterior_edges<'a>(
    polygons: impl IntoIterator<Item = &'a MultiPolygon<f64>>,
) -> Vec<[f64; 4]> {
    polygons
        .into_iter()
        .flat_map(|g| g.0.iter())
        .flat_map(|p| {
            p.exterior()
                .0
                .windows(2)
                .map(|w| [w[0].x, w[0].y, w[1].x, w[1].y])
                .collect::<Vec<_>>()
        })
        .collect()
}
