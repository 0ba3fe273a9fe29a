//! 足迹: the footprint of an issue — any GeoJSON geometry or Feature, parsed
//! strictly into geo types with limits, so that bad input is refused with a
//! clear reason and never causes a panic.

use geo::{Coord, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use serde_json::Value;

use crate::budget::{Budget, Exhausted};
use crate::crs::Crs;
use crate::overlay::{Cost, OverlayError, Stage, TooComplex};

/// Default maximum number of vertices in a footprint.
pub const DEFAULT_MAX_VERTICES: usize = 100_000;
/// Work limit of merging a footprint's polygons into one region, in vertices
/// merged (see [`crate::overlay::union`]): about half a second of work on one
/// core. 6,000 overlapping 2° squares need about 0.4 million.
pub const NORMALISE_BUDGET: u64 = 4_000_000;
/// Work limit of the validity check of a footprint's polygons, in segment
/// pairs tested (see [`super::validity`]); a 45,000-vertex outline needs
/// about half a million.
pub const VALIDATION_BUDGET: u64 = 20_000_000;
/// Maximum nesting of GeometryCollections.
const MAX_DEPTH: usize = 8;

/// Why a footprint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FootprintError {
    /// More vertices than the limit (HTTP 413).
    #[error("the footprint has more than {limit} vertices")]
    TooManyVertices {
        /// The limit.
        limit: usize,
    },
    /// Not a usable GeoJSON geometry (HTTP 400).
    #[error("invalid footprint at {path}: {reason}")]
    Invalid {
        /// JSON path of the offending member (`footprint.coordinates[0][3]`).
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The geometry holds nothing.
    #[error("the footprint is empty")]
    Empty,
    /// Checking or merging the polygons would need more work than one
    /// request may use (HTTP 422).
    #[error(transparent)]
    TooComplex(#[from] TooComplex),
    /// The work ran out of time or was cancelled (HTTP 503).
    #[error(transparent)]
    Exhausted(#[from] Exhausted),
}

impl From<OverlayError> for FootprintError {
    fn from(e: OverlayError) -> Self {
        match e {
            OverlayError::TooComplex(t) => FootprintError::TooComplex(t),
            OverlayError::Exhausted(x) => FootprintError::Exhausted(x),
        }
    }
}

fn invalid(path: &str, reason: impl Into<String>) -> FootprintError {
    FootprintError::Invalid {
        path: path.to_string(),
        reason: reason.into(),
    }
}

/// The dimension that decides how shares are measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Points, by count.
    Count,
    /// Lines, by geodesic length.
    Length,
    /// Polygons, by geodesic area.
    Area,
}

/// A parsed footprint: its points, lines and polygons (lon/lat, WGS 84).
#[derive(Debug, Clone, PartialEq)]
pub struct Footprint {
    /// Point parts.
    pub points: MultiPoint<f64>,
    /// Line parts.
    pub lines: MultiLineString<f64>,
    /// Polygon parts.
    pub polygons: MultiPolygon<f64>,
    /// Number of vertices read.
    pub vertices: usize,
}

impl Default for Footprint {
    fn default() -> Self {
        Footprint {
            points: MultiPoint(Vec::new()),
            lines: MultiLineString(Vec::new()),
            polygons: MultiPolygon(Vec::new()),
            vertices: 0,
        }
    }
}

impl Footprint {
    /// How shares are measured: by the highest dimension present.
    pub fn measure(&self) -> Measure {
        if !self.polygons.0.is_empty() {
            Measure::Area
        } else if !self.lines.0.is_empty() {
            Measure::Length
        } else {
            Measure::Count
        }
    }

    /// Every vertex, as (lon, lat): points, then lines, then polygon rings.
    pub fn vertices(&self) -> Vec<(f64, f64)> {
        use geo::CoordsIter;
        let mut v: Vec<(f64, f64)> = self.points.iter().map(|p| (p.x(), p.y())).collect();
        v.extend(self.lines.coords_iter().map(|c| (c.x, c.y)));
        v.extend(self.polygons.coords_iter().map(|c| (c.x, c.y)));
        v
    }

    /// Bounding box of every part, or `None` when empty.
    pub fn bbox(&self) -> Option<geo::Rect<f64>> {
        use geo::BoundingRect;
        let rects = [
            self.points.bounding_rect(),
            self.lines.bounding_rect(),
            self.polygons.bounding_rect(),
        ];
        rects.into_iter().flatten().reduce(|a, b| {
            geo::Rect::new(
                Coord {
                    x: a.min().x.min(b.min().x),
                    y: a.min().y.min(b.min().y),
                },
                Coord {
                    x: a.max().x.max(b.max().x),
                    y: a.max().y.max(b.max().y),
                },
            )
        })
    }
}

/// Parses a GeoJSON geometry, Feature or FeatureCollection (`path` names it in errors).
pub fn parse(value: &Value, path: &str, max_vertices: usize) -> Result<Footprint, FootprintError> {
    parse_in(value, path, max_vertices, &Crs::default())
}

/// Like [`parse`], with the coordinates given in `crs` (坐标系): every position
/// is converted to WGS 84 lon/lat before it is checked, so a position outside
/// the CRS's domain, or out of range once converted, is refused at its path.
pub fn parse_in(
    value: &Value,
    path: &str,
    max_vertices: usize,
    crs: &Crs,
) -> Result<Footprint, FootprintError> {
    parse_within(value, path, max_vertices, crs, &Budget::unlimited())
}

/// Like [`parse_in`], stopping when `budget` runs out (deadline passed or
/// client gone). The polygons are checked for validity and merged into one
/// region (规范化) once, here, each step under its own work limit
/// ([`FootprintError::TooComplex`] past it).
pub fn parse_within(
    value: &Value,
    path: &str,
    max_vertices: usize,
    crs: &Crs,
    budget: &Budget,
) -> Result<Footprint, FootprintError> {
    let mut fp = Footprint::default();
    let mut p = Parser {
        fp: &mut fp,
        max: max_vertices,
        crs,
    };
    p.object(value, path, 0)?;
    if fp.points.0.is_empty() && fp.lines.0.is_empty() && fp.polygons.0.is_empty() {
        return Err(FootprintError::Empty);
    }
    let mut cost = Cost::new(Stage::Validation, VALIDATION_BUDGET);
    for (i, poly) in fp.polygons.iter().enumerate() {
        budget.check()?;
        // The validity check runs geometry code on user input; contain any
        // panic there as a refusal rather than a crash.
        let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            super::validity::check_polygon_within(poly, &mut cost)
        }))
        .unwrap_or_else(|_| Ok(Err("the validity check failed on this polygon".to_string())))?;
        if let Err(e) = checked {
            return Err(invalid(
                &format!("{path} (polygon {i})"),
                format!("not a valid polygon: {e}"),
            ));
        }
    }
    if fp.polygons.0.len() > 1 {
        // Overlapping parts (e.g. features of a collection) are merged, so an
        // overlap is neither counted twice nor cancelled.
        let parts = std::mem::replace(&mut fp.polygons, MultiPolygon(Vec::new()));
        let mut cost = Cost::new(Stage::Normalisation, NORMALISE_BUDGET);
        fp.polygons = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            crate::overlay::union_polygons(&parts.0, budget, &mut cost)
        }))
        .map_err(|_| invalid(path, "the polygons could not be merged"))??;
    }
    Ok(fp)
}

struct Parser<'a> {
    fp: &'a mut Footprint,
    max: usize,
    crs: &'a Crs,
}

impl Parser<'_> {
    fn object(&mut self, v: &Value, path: &str, depth: usize) -> Result<(), FootprintError> {
        if depth > MAX_DEPTH {
            return Err(invalid(path, "geometry collections nested too deep"));
        }
        let Some(obj) = v.as_object() else {
            return Err(invalid(path, "expected a GeoJSON object"));
        };
        let Some(ty) = obj.get("type").and_then(Value::as_str) else {
            return Err(invalid(path, "missing string member `type`"));
        };
        let coords = || {
            obj.get("coordinates")
                .ok_or_else(|| invalid(path, format!("{ty} without `coordinates`")))
        };
        let cpath = format!("{path}.coordinates");
        match ty {
            "Feature" => match obj.get("geometry") {
                Some(Value::Null) | None => Err(invalid(path, "Feature without geometry")),
                Some(g) => self.object(g, &format!("{path}.geometry"), depth + 1),
            },
            "FeatureCollection" => {
                let Some(fs) = obj.get("features").and_then(Value::as_array) else {
                    return Err(invalid(path, "FeatureCollection without `features` array"));
                };
                for (i, f) in fs.iter().enumerate() {
                    self.object(f, &format!("{path}.features[{i}]"), depth + 1)?;
                }
                Ok(())
            }
            "GeometryCollection" => {
                let Some(gs) = obj.get("geometries").and_then(Value::as_array) else {
                    return Err(invalid(
                        path,
                        "GeometryCollection without `geometries` array",
                    ));
                };
                for (i, g) in gs.iter().enumerate() {
                    self.object(g, &format!("{path}.geometries[{i}]"), depth + 1)?;
                }
                Ok(())
            }
            "Point" => {
                let c = self.position(coords()?, &|| cpath.clone())?;
                self.fp.points.0.push(Point(c));
                Ok(())
            }
            "MultiPoint" => {
                for (i, p) in array(coords()?, &cpath)?.iter().enumerate() {
                    let c = self.position(p, &|| format!("{cpath}[{i}]"))?;
                    self.fp.points.0.push(Point(c));
                }
                Ok(())
            }
            "LineString" => {
                let l = self.line(coords()?, &cpath)?;
                self.fp.lines.0.push(l);
                Ok(())
            }
            "MultiLineString" => {
                for (i, l) in array(coords()?, &cpath)?.iter().enumerate() {
                    let l = self.line(l, &format!("{cpath}[{i}]"))?;
                    self.fp.lines.0.push(l);
                }
                Ok(())
            }
            "Polygon" => {
                let p = self.polygon(coords()?, &cpath)?;
                self.fp.polygons.0.push(p);
                Ok(())
            }
            "MultiPolygon" => {
                for (i, p) in array(coords()?, &cpath)?.iter().enumerate() {
                    let p = self.polygon(p, &format!("{cpath}[{i}]"))?;
                    self.fp.polygons.0.push(p);
                }
                Ok(())
            }
            other => Err(invalid(
                path,
                format!(
                    "unknown GeoJSON type `{}`",
                    other.chars().take(40).collect::<String>()
                ),
            )),
        }
    }

    /// One position; `path` names it, built only when it is refused (a
    /// footprint may hold 100,000 positions).
    fn position(
        &mut self,
        v: &Value,
        path: &dyn Fn() -> String,
    ) -> Result<Coord<f64>, FootprintError> {
        let bad = |reason: &str| invalid(&path(), reason);
        let a = v.as_array().ok_or_else(|| bad("expected an array"))?;
        if !(2..=3).contains(&a.len()) {
            return Err(bad("a position has 2 or 3 numbers"));
        }
        let num = |i: usize| {
            a[i].as_f64()
                .filter(|x| x.is_finite())
                .ok_or_else(|| bad("coordinates must be finite numbers"))
        };
        let (x, y) = (num(0)?, num(1)?);
        let (x, y) = if self.crs.id().is_wgs84_lonlat() {
            (x, y)
        } else {
            self.crs
                .to_wgs84(x, y)
                .map_err(|e| bad(&format!("not a valid position in {}: {e}", self.crs.id())))?
        };
        if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
            return Err(bad(
                "longitude must be in [-180, 180] and latitude in [-90, 90]",
            ));
        }
        self.fp.vertices += 1;
        if self.fp.vertices > self.max {
            return Err(FootprintError::TooManyVertices { limit: self.max });
        }
        Ok(Coord { x, y })
    }

    fn positions(&mut self, v: &Value, path: &str) -> Result<Vec<Coord<f64>>, FootprintError> {
        array(v, path)?
            .iter()
            .enumerate()
            .map(|(i, p)| self.position(p, &|| format!("{path}[{i}]")))
            .collect()
    }

    fn line(&mut self, v: &Value, path: &str) -> Result<LineString<f64>, FootprintError> {
        let cs = self.positions(v, path)?;
        if cs.len() < 2 {
            return Err(invalid(path, "a LineString needs at least 2 positions"));
        }
        Ok(LineString(cs))
    }

    fn polygon(&mut self, v: &Value, path: &str) -> Result<Polygon<f64>, FootprintError> {
        let rings = array(v, path)?;
        if rings.is_empty() {
            return Err(invalid(path, "a Polygon needs at least one ring"));
        }
        let mut out = Vec::with_capacity(rings.len());
        for (i, r) in rings.iter().enumerate() {
            let rp = format!("{path}[{i}]");
            let cs = self.positions(r, &rp)?;
            if cs.len() < 4 {
                return Err(invalid(&rp, "a linear ring needs at least 4 positions"));
            }
            if cs.first() != cs.last() {
                return Err(invalid(
                    &rp,
                    "the ring is not closed (first and last positions differ)",
                ));
            }
            out.push(LineString(cs));
        }
        let exterior = out.remove(0);
        Ok(Polygon::new(exterior, out))
    }
}

fn array<'v>(v: &'v Value, path: &str) -> Result<&'v Vec<Value>, FootprintError> {
    v.as_array()
        .ok_or_else(|| invalid(path, "expected an array"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(v: Value) -> Result<Footprint, FootprintError> {
        parse(&v, "footprint", 20)
    }

    #[test]
    fn accepts_every_geometry_type() {
        let sq = json!([[[114.0, 30.0], [114.1, 30.0], [114.1, 30.1], [114.0, 30.0]]]);
        assert_eq!(
            p(json!({"type":"Point","coordinates":[114.0,30.0]}))
                .unwrap()
                .measure(),
            Measure::Count
        );
        assert_eq!(
            p(json!({"type":"LineString","coordinates":[[114.0,30.0],[114.1,30.1]]}))
                .unwrap()
                .measure(),
            Measure::Length
        );
        assert_eq!(
            p(json!({"type":"Polygon","coordinates":sq}))
                .unwrap()
                .measure(),
            Measure::Area
        );
        let f = p(json!({"type":"Feature","properties":null,"geometry":{"type":"MultiPolygon","coordinates":[sq]}})).unwrap();
        assert_eq!(f.polygons.0.len(), 1);
        // Two overlapping squares merge into one region (area not doubled, not cancelled).
        let a = json!([[
            [114.0, 30.0],
            [114.2, 30.0],
            [114.2, 30.2],
            [114.0, 30.2],
            [114.0, 30.0]
        ]]);
        let b = json!([[
            [114.1, 30.1],
            [114.3, 30.1],
            [114.3, 30.3],
            [114.1, 30.3],
            [114.1, 30.1]
        ]]);
        let m = p(json!({"type":"MultiPolygon","coordinates":[a, b]})).unwrap();
        assert_eq!(m.polygons.0.len(), 1);
        let area = crate::governance::jurisdiction::area_m2(&m.polygons);
        let one = crate::governance::jurisdiction::area_m2(&MultiPolygon(vec![Polygon::new(
            LineString::from(vec![
                (114.0, 30.0),
                (114.2, 30.0),
                (114.2, 30.2),
                (114.0, 30.2),
                (114.0, 30.0),
            ]),
            vec![],
        )]));
        // Union of two equal squares overlapping by a quarter: 1.75 squares.
        assert!((area / one - 1.75).abs() < 1e-3, "{}", area / one);
        let gc = p(json!({"type":"GeometryCollection","geometries":[
            {"type":"MultiPoint","coordinates":[[114.0,30.0],[114.0,30.5,12.0]]},
            {"type":"MultiLineString","coordinates":[[[114.0,30.0],[114.1,30.1]]]}]}))
        .unwrap();
        assert_eq!(
            (gc.points.0.len(), gc.lines.0.len(), gc.vertices),
            (2, 1, 4)
        );
    }

    #[test]
    fn refuses_malformed_geometry() {
        let cases = [
            json!(null),
            json!([]),
            json!({"type":"Point"}),
            json!({"type":"Point","coordinates":[114.0]}),
            json!({"type":"Point","coordinates":["114","30"]}),
            json!({"type":"Point","coordinates":[200.0,30.0]}),
            json!({"type":"Circle","coordinates":[114.0,30.0]}),
            json!({"type":"LineString","coordinates":[[114.0,30.0]]}),
            json!({"type":"Polygon","coordinates":[]}),
            json!({"type":"Polygon","coordinates":[[[114.0,30.0],[114.1,30.0],[114.1,30.1],[114.0,30.2]]]}),
            json!({"type":"Polygon","coordinates":[[[114.0,30.0],[114.1,30.0],[114.0,30.0]]]}),
            // A bow-tie: self-intersecting.
            json!({"type":"Polygon","coordinates":[[[0.0,0.0],[1.0,1.0],[1.0,0.0],[0.0,1.0],[0.0,0.0]]]}),
            json!({"type":"Feature","geometry":null}),
            json!({"type":"MultiPoint","coordinates":[]}),
            json!({"type":"GeometryCollection","geometries":[]}),
        ];
        for c in cases {
            assert!(p(c.clone()).is_err(), "accepted {c}");
        }
        assert_eq!(
            p(json!({"type":"MultiPoint","coordinates":[]})),
            Err(FootprintError::Empty)
        );
    }

    #[test]
    fn vertex_limit() {
        let many: Vec<Value> = (0..21)
            .map(|i| json!([114.0 + f64::from(i) * 0.001, 30.0]))
            .collect();
        assert_eq!(
            p(json!({"type":"MultiPoint","coordinates":many})),
            Err(FootprintError::TooManyVertices { limit: 20 })
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let mut v = json!({"type":"Point","coordinates":[114.0,30.0]});
        for _ in 0..20 {
            v = json!({"type":"GeometryCollection","geometries":[v]});
        }
        assert!(matches!(p(v), Err(FootprintError::Invalid { .. })));
    }
}
