//! FlatGeobuf reader of `liuyu import` (FlatGeobuf 读取).
//!
//! The `flatgeobuf` crate verifies each feature's FlatBuffer (every vector lies
//! inside the buffer) but its geometry and property decoders then index without
//! bounds checks: an odd coordinate count, a ring end past the coordinates or a
//! property length past the property bytes panics. So this module takes the
//! verified FlatBuffer tables from the crate and decodes polygons and properties
//! itself, with every offset checked; a malformed file is a [`FormatError`].

use std::path::Path;

use fallible_streaming_iterator::FallibleStreamingIterator;
use flatgeobuf::{ColumnType, GeometryType};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde_json::{Map, Number, Value};

use super::read::{ImportFeature, ImportedLayer};
use super::FormatError;
use crate::crs::CrsId;

/// Deepest nesting of geometry parts accepted (a multipolygon needs 1).
const MAX_PART_DEPTH: usize = 4;

fn codec(msg: impl std::fmt::Display) -> FormatError {
    FormatError::codec("flatgeobuf", msg)
}

/// Reads a FlatGeobuf polygon layer.
pub fn read_fgb(path: &Path) -> Result<ImportedLayer, FormatError> {
    let bytes = std::fs::read(path).map_err(|e| FormatError::io(path, e))?;
    let mut reader = std::io::Cursor::new(bytes.as_slice());
    let fgb = flatgeobuf::FgbReader::open(&mut reader).map_err(codec)?;
    let header = fgb.header();
    fgb_sizes_fit(&bytes, header.features_count(), header.index_node_size()).map_err(codec)?;
    let crs = header
        .crs()
        .and_then(|c| u32::try_from(c.code()).ok())
        .filter(|c| *c != 0)
        .and_then(CrsId::from_epsg);
    let declared = header.geometry_type();
    let columns: Vec<(String, ColumnType)> = header
        .columns()
        .map(|cs| {
            cs.iter()
                .map(|c| (c.name().to_string(), c.type_()))
                .collect()
        })
        .unwrap_or_default();
    let mut sel = fgb.select_all().map_err(codec)?;
    let mut features = Vec::new();
    while let Some(feat) = sel.next().map_err(codec)? {
        let i = features.len();
        let at = |e: String| codec(format!("feature {i}: {e}"));
        let fbs = feat.fbs_feature();
        let geometry = fbs.geometry().ok_or_else(|| at("no geometry".into()))?;
        let geometry = multipolygon(&geometry, declared, 0).map_err(at)?;
        let properties = properties(&columns, fbs.properties().map(|p| p.bytes())).map_err(at)?;
        features.push(ImportFeature {
            geometry,
            properties,
        });
    }
    Ok(ImportedLayer {
        declared_crs: crs.map(|c| c.to_string()),
        features,
        crs,
    })
}

/// The polygons of one geometry: a `Polygon`, a `MultiPolygon` (parts) or, for
/// a header type `Unknown`, whatever the geometry itself declares.
fn multipolygon(
    g: &flatgeobuf::Geometry<'_>,
    declared: GeometryType,
    depth: usize,
) -> Result<MultiPolygon<f64>, String> {
    let kind = if declared == GeometryType::Unknown {
        g.type_()
    } else {
        declared
    };
    match kind {
        GeometryType::Polygon => Ok(MultiPolygon(vec![polygon(g)?])),
        GeometryType::MultiPolygon | GeometryType::GeometryCollection => {
            if depth >= MAX_PART_DEPTH {
                return Err(format!(
                    "geometry parts nested deeper than {MAX_PART_DEPTH}"
                ));
            }
            let parts = g.parts().ok_or("a multipolygon without parts")?;
            let mut out = Vec::with_capacity(parts.len());
            for part in parts.iter() {
                let inner = match part.type_() {
                    GeometryType::Unknown => GeometryType::Polygon,
                    t => t,
                };
                out.extend(multipolygon(&part, inner, depth + 1)?.0);
            }
            Ok(MultiPolygon(out))
        }
        other => Err(format!("geometry type {other:?} is not a polygon")),
    }
}

/// One polygon from its flat `xy` coordinates and ring `ends` (in coordinate
/// pairs); no `ends`, or a single end, means one ring of all coordinates.
fn polygon(g: &flatgeobuf::Geometry<'_>) -> Result<Polygon<f64>, String> {
    let xy: Vec<f64> = g
        .xy()
        .ok_or("a polygon without coordinates")?
        .iter()
        .collect();
    if !xy.len().is_multiple_of(2) {
        return Err(format!("{} coordinate values: not x/y pairs", xy.len()));
    }
    let pairs = xy.len() / 2;
    let ends: Vec<usize> = match g.ends() {
        Some(e) if e.len() > 1 => e.iter().map(|v| v as usize).collect(),
        _ => vec![pairs],
    };
    let mut rings = Vec::with_capacity(ends.len());
    let mut start = 0;
    for (r, &end) in ends.iter().enumerate() {
        if end < start || end > pairs {
            return Err(format!(
                "ring {r} ends at pair {end}; {pairs} pairs, previous end {start}"
            ));
        }
        let coords = xy[2 * start..2 * end]
            .chunks_exact(2)
            .map(|c| Coord { x: c[0], y: c[1] });
        rings.push(LineString(coords.collect()));
        start = end;
    }
    let mut rings = rings.into_iter();
    let exterior = rings.next().unwrap_or_else(|| LineString(Vec::new()));
    Ok(Polygon::new(exterior, rings.collect()))
}

/// Decodes a feature's property bytes against the header's columns (name, type): a `u16`
/// column index, then the value (fixed width, or a `u32` length and bytes).
fn properties(
    columns: &[(String, ColumnType)],
    bytes: Option<&[u8]>,
) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    // The crate reads no properties when the header declares no columns; same here.
    let Some(bytes) = bytes.filter(|_| !columns.is_empty()) else {
        return Ok(out);
    };
    let mut rd = Bytes { bytes, at: 0 };
    // As the crate does: a single trailing byte (seen after Binary columns) is ignored.
    while rd.at + 1 < bytes.len() {
        let idx = usize::from(u16::from_le_bytes(rd.array()?));
        if idx >= columns.len() {
            return Err(format!(
                "property column {idx}; the header has {}",
                columns.len()
            ));
        }
        let (name, kind) = &columns[idx];
        let value = property_value(*kind, &mut rd)?;
        out.insert(name.clone(), value);
    }
    Ok(out)
}

fn property_value(t: ColumnType, rd: &mut Bytes<'_>) -> Result<Value, String> {
    let float = |x: f64| Number::from_f64(x).map_or(Value::Null, Value::Number);
    Ok(match t {
        ColumnType::Byte => Value::from(i8::from_le_bytes(rd.array()?)),
        ColumnType::UByte => Value::from(u8::from_le_bytes(rd.array()?)),
        ColumnType::Bool => Value::from(rd.array::<1>()?[0] != 0),
        ColumnType::Short => Value::from(i16::from_le_bytes(rd.array()?)),
        ColumnType::UShort => Value::from(u16::from_le_bytes(rd.array()?)),
        ColumnType::Int => Value::from(i32::from_le_bytes(rd.array()?)),
        ColumnType::UInt => Value::from(u32::from_le_bytes(rd.array()?)),
        ColumnType::Long => Value::from(i64::from_le_bytes(rd.array()?)),
        ColumnType::ULong => Value::from(u64::from_le_bytes(rd.array()?)),
        ColumnType::Float => float(f64::from(f32::from_le_bytes(rd.array()?))),
        ColumnType::Double => float(f64::from_le_bytes(rd.array()?)),
        ColumnType::String | ColumnType::Json | ColumnType::DateTime => {
            let s = rd.sized()?;
            let s = std::str::from_utf8(s).map_err(|_| "a property is not UTF-8".to_string())?;
            Value::String(s.to_string())
        }
        ColumnType::Binary => {
            rd.sized()?;
            Value::Null
        }
        other => return Err(format!("property column type {other:?} is unknown")),
    })
}

/// A bounds-checked cursor over property bytes.
struct Bytes<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        let end = end.ok_or_else(|| {
            format!(
                "a property needs {n} bytes at {}; {} in all",
                self.at,
                self.bytes.len()
            )
        })?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn sized(&mut self) -> Result<&'a [u8], String> {
        let n = u32::from_le_bytes(self.array()?);
        self.take(n as usize)
    }
}

/// Checks the size prefixes of a FlatGeobuf file against its length before
/// the `flatgeobuf` reader sees them: it allocates what a feature's prefix
/// claims (up to 4 GiB) before reading, and its index arithmetic panics on an
/// index node size of 1. A claim beyond the end of the file is an error.
fn fgb_sizes_fit(bytes: &[u8], features: u64, node_size: u16) -> Result<(), String> {
    let len = bytes.len();
    let u32_at = |at: usize| {
        bytes
            .get(at..at.checked_add(4)?)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let header = u32_at(8).ok_or("truncated header")?;
    let mut at = 12 + header;
    if node_size > 0 && features > 0 {
        if node_size < 2 {
            return Err(format!("index node size {node_size}: at least 2"));
        }
        let n = usize::try_from(features)
            .ok()
            .filter(|n| *n <= len / 4)
            .ok_or_else(|| {
                format!("the header declares {features} features, more than the file can hold")
            })?;
        at += flatgeobuf::packed_r_tree::PackedRTree::index_size(n, node_size);
    }
    let mut i = 0;
    while at < len {
        let size = u32_at(at).ok_or_else(|| format!("feature {i}: truncated size prefix"))?;
        let rest = len - at - 4;
        if size > rest {
            return Err(format!(
                "feature {i} declares {size} bytes; {rest} remain in the file"
            ));
        }
        at += 4 + size;
        i += 1;
    }
    Ok(())
}
