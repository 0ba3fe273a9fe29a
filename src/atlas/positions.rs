//! GeoJSON positions checked before conversion (坐标位置检查).
//!
//! RFC 7946 §3.1.1: a position has at least two numbers. The `geojson` crate's
//! conversion to `geo-types` indexes `position[1]` without checking, so a
//! position such as `[11]` in a user's file would panic. Every reader of user
//! GeoJSON (dataset layers at load and reload, `liuyu import`) calls
//! [`check_positions`] first and turns a short position into an error.

use geojson::{Geometry, GeometryValue as V, Position};

/// `Err` with a message naming the first position with fewer than two
/// numbers; recurses into geometry collections.
pub fn check_positions(g: &Geometry) -> Result<(), String> {
    fn short<'a>(mut ps: impl Iterator<Item = &'a Position>) -> Option<usize> {
        ps.find(|p| p.len() < 2).map(|p| p.len())
    }
    let found = match &g.value {
        V::Point { coordinates } => short(std::iter::once(coordinates)),
        V::MultiPoint { coordinates } | V::LineString { coordinates } => short(coordinates.iter()),
        V::MultiLineString { coordinates } | V::Polygon { coordinates } => {
            short(coordinates.iter().flatten())
        }
        V::MultiPolygon { coordinates } => short(coordinates.iter().flatten().flatten()),
        V::GeometryCollection { geometries } => {
            return geometries.iter().try_for_each(check_positions)
        }
    };
    match found {
        Some(n) => Err(format!(
            "a position of the {} has {n} number(s); RFC 7946 (3.1.1) needs at least two (longitude, latitude)",
            g.value.type_name()
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geometry(json: &str) -> Geometry {
        json.parse().expect("geometry")
    }

    #[test]
    fn short_positions_are_refused_everywhere() {
        // The fuzz finding: the parser accepts it, the conversion would panic.
        let fuzz = r#"{"type":"Polygon","coordinates":[[[11],[111,32],[110,31],[11]]]}"#;
        let err = check_positions(&geometry(fuzz)).expect_err(fuzz);
        assert!(err.contains("RFC 7946") && err.contains("Polygon"), "{err}");
        let mut checked = 1;
        for bad in [
            r#"{"type":"Point","coordinates":[1]}"#,
            r#"{"type":"MultiPolygon","coordinates":[[[[111,32],[110,31],[]]]]}"#,
            r#"{"type":"GeometryCollection","geometries":[{"type":"LineString","coordinates":[[1,2],[3]]}]}"#,
        ] {
            // Where the parser already refuses the shape, nothing reaches us.
            if let Ok(g) = bad.parse::<Geometry>() {
                assert!(check_positions(&g).is_err(), "{bad}");
                checked += 1;
            }
        }
        assert!(
            checked >= 3,
            "only {checked} short shapes reached the check"
        );
    }

    #[test]
    fn two_or_more_numbers_pass() {
        for good in [
            r#"{"type":"Point","coordinates":[1,2]}"#,
            r#"{"type":"LineString","coordinates":[[1,2],[3,4,5]]}"#,
            r#"{"type":"GeometryCollection","geometries":[]}"#,
        ] {
            check_positions(&geometry(good)).expect(good);
        }
    }
}
