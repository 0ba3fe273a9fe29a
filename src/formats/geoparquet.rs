//! GeoParquet 1.1 writer (`parquet` crate, no Arrow): WKB `geometry` column
//! plus typed attribute columns, the `geo` file metadata written here, and the
//! layer provenance under the `liuyu` metadata key.
//!
//! [`TableWriter`] is also the generic column-chunk writer used by
//! `liuyu attribute` for Parquet output.

use std::io::Write;
use std::sync::Arc;

use geozero::{CoordDimensions, ToWkb};
use parquet::basic::{Compression, LogicalType, Repetition, Type as PhysicalType};
use parquet::column::writer::ColumnWriter;
use parquet::data_type::ByteArray;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use serde_json::json;

use super::crs_defs;
use super::export::Prepared;
use super::schema::{cell, Cell, ColType};
use super::FormatError;

/// Values of one column chunk.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Optional UTF-8 strings.
    Str(Vec<Option<String>>),
    /// Optional 64-bit integers.
    Int(Vec<Option<i64>>),
    /// Optional doubles.
    Float(Vec<Option<f64>>),
    /// Optional booleans.
    Bool(Vec<Option<bool>>),
    /// Required binary (WKB geometry).
    Binary(Vec<Vec<u8>>),
}

/// Declared type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Optional UTF-8 text.
    Str,
    /// Optional INT64.
    Int,
    /// Optional DOUBLE.
    Float,
    /// Optional BOOLEAN.
    Bool,
    /// Required BYTE_ARRAY (WKB).
    Binary,
}

fn pq(e: impl std::fmt::Display) -> FormatError {
    FormatError::codec("geoparquet", e)
}

/// Streaming Parquet writer: one row group per [`TableWriter::write_group`].
pub struct TableWriter<W: Write + Send> {
    inner: SerializedFileWriter<W>,
    kinds: Vec<ColumnKind>,
}

impl<W: Write + Send> TableWriter<W> {
    /// Creates the writer with a flat schema of `(name, kind)` columns.
    pub fn new(out: W, columns: &[(String, ColumnKind)]) -> Result<Self, FormatError> {
        let fields = columns
            .iter()
            .map(|(name, kind)| {
                let (phys, logical, rep) = match kind {
                    ColumnKind::Str => (
                        PhysicalType::BYTE_ARRAY,
                        Some(LogicalType::String),
                        Repetition::OPTIONAL,
                    ),
                    ColumnKind::Int => (PhysicalType::INT64, None, Repetition::OPTIONAL),
                    ColumnKind::Float => (PhysicalType::DOUBLE, None, Repetition::OPTIONAL),
                    ColumnKind::Bool => (PhysicalType::BOOLEAN, None, Repetition::OPTIONAL),
                    ColumnKind::Binary => (PhysicalType::BYTE_ARRAY, None, Repetition::REQUIRED),
                };
                Type::primitive_type_builder(name, phys)
                    .with_repetition(rep)
                    .with_logical_type(logical)
                    .build()
                    .map(Arc::new)
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(pq)?;
        let schema = Type::group_type_builder("schema")
            .with_fields(fields)
            .build()
            .map_err(pq)?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        let inner =
            SerializedFileWriter::new(out, Arc::new(schema), Arc::new(props)).map_err(pq)?;
        Ok(Self {
            inner,
            kinds: columns.iter().map(|c| c.1).collect(),
        })
    }

    /// Writes one row group; `data` must match the declared columns.
    pub fn write_group(&mut self, data: &[ColumnData]) -> Result<(), FormatError> {
        if data.len() != self.kinds.len() {
            return Err(pq("column count mismatch"));
        }
        let mut rg = self.inner.next_row_group().map_err(pq)?;
        let mut i = 0;
        while let Some(mut col) = rg.next_column().map_err(pq)? {
            let d = data.get(i).ok_or_else(|| pq("missing column data"))?;
            i += 1;
            match (col.untyped(), d) {
                (ColumnWriter::ByteArrayColumnWriter(w), ColumnData::Str(v)) => {
                    let defs: Vec<i16> = v.iter().map(|x| i16::from(x.is_some())).collect();
                    let vals: Vec<ByteArray> = v
                        .iter()
                        .flatten()
                        .map(|s| ByteArray::from(s.as_str()))
                        .collect();
                    w.write_batch(&vals, Some(&defs), None).map_err(pq)?;
                }
                (ColumnWriter::ByteArrayColumnWriter(w), ColumnData::Binary(v)) => {
                    let vals: Vec<ByteArray> =
                        v.iter().map(|b| ByteArray::from(b.clone())).collect();
                    w.write_batch(&vals, None, None).map_err(pq)?;
                }
                (ColumnWriter::Int64ColumnWriter(w), ColumnData::Int(v)) => {
                    let defs: Vec<i16> = v.iter().map(|x| i16::from(x.is_some())).collect();
                    let vals: Vec<i64> = v.iter().flatten().copied().collect();
                    w.write_batch(&vals, Some(&defs), None).map_err(pq)?;
                }
                (ColumnWriter::DoubleColumnWriter(w), ColumnData::Float(v)) => {
                    let defs: Vec<i16> = v.iter().map(|x| i16::from(x.is_some())).collect();
                    let vals: Vec<f64> = v.iter().flatten().copied().collect();
                    w.write_batch(&vals, Some(&defs), None).map_err(pq)?;
                }
                (ColumnWriter::BoolColumnWriter(w), ColumnData::Bool(v)) => {
                    let defs: Vec<i16> = v.iter().map(|x| i16::from(x.is_some())).collect();
                    let vals: Vec<bool> = v.iter().flatten().copied().collect();
                    w.write_batch(&vals, Some(&defs), None).map_err(pq)?;
                }
                _ => return Err(pq("column data does not match its declared type")),
            }
            col.close().map_err(pq)?;
        }
        rg.close().map_err(pq)?;
        Ok(())
    }

    /// Adds a file-level key/value metadata entry.
    pub fn add_metadata(&mut self, key: &str, value: String) {
        self.inner
            .append_key_value_metadata(KeyValue::new(key.to_string(), value));
    }

    /// Finishes the file.
    pub fn close(self) -> Result<(), FormatError> {
        self.inner.close().map(|_| ()).map_err(pq)
    }
}

/// Encodes the prepared layer as GeoParquet 1.1 bytes.
pub fn write(p: &Prepared) -> Result<Vec<u8>, FormatError> {
    let mut columns: Vec<(String, ColumnKind)> = p
        .columns
        .iter()
        .map(|c| {
            let k = match c.ty {
                ColType::Int => ColumnKind::Int,
                ColType::Float => ColumnKind::Float,
                ColType::Bool => ColumnKind::Bool,
                ColType::Str => ColumnKind::Str,
            };
            (c.name.clone(), k)
        })
        .collect();
    columns.push(("geometry".into(), ColumnKind::Binary));
    let mut data: Vec<ColumnData> = p
        .columns
        .iter()
        .map(|c| {
            let cells = p.features.iter().map(|f| cell(f, c));
            match c.ty {
                ColType::Int => ColumnData::Int(
                    cells
                        .map(|x| if let Cell::Int(v) = x { Some(v) } else { None })
                        .collect(),
                ),
                ColType::Float => ColumnData::Float(
                    cells
                        .map(|x| {
                            if let Cell::Float(v) = x {
                                Some(v)
                            } else {
                                None
                            }
                        })
                        .collect(),
                ),
                ColType::Bool => ColumnData::Bool(
                    cells
                        .map(|x| if let Cell::Bool(v) = x { Some(v) } else { None })
                        .collect(),
                ),
                ColType::Str => ColumnData::Str(
                    cells
                        .map(|x| if let Cell::Str(v) = x { Some(v) } else { None })
                        .collect(),
                ),
            }
        })
        .collect();
    let mut wkb = Vec::with_capacity(p.features.len());
    let mut bbox = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for f in &p.features {
        use geo::BoundingRect;
        if let Some(r) = f.geometry.bounding_rect() {
            bbox = [
                bbox[0].min(r.min().x),
                bbox[1].min(r.min().y),
                bbox[2].max(r.max().x),
                bbox[3].max(r.max().y),
            ];
        }
        let g = geo::Geometry::MultiPolygon(f.geometry.clone());
        wkb.push(g.to_wkb(CoordDimensions::xy()).map_err(pq)?);
    }
    data.push(ColumnData::Binary(wkb));
    let mut geo_col = json!({
        "encoding": "WKB",
        "geometry_types": ["MultiPolygon"],
        "edges": "planar",
    });
    if bbox[0].is_finite() {
        geo_col["bbox"] = json!(bbox);
    }
    match crs_defs::projjson(p.crs) {
        Ok(None) => {}
        Ok(Some(v)) => geo_col["crs"] = v,
        Err(()) => geo_col["crs"] = serde_json::Value::Null,
    }
    let geo_meta = json!({
        "version": "1.1.0",
        "primary_column": "geometry",
        "columns": {"geometry": geo_col},
    });
    let mut out = Vec::new();
    let mut w = TableWriter::new(&mut out, &columns)?;
    if !p.features.is_empty() {
        w.write_group(&data)?;
    }
    w.add_metadata("geo", geo_meta.to_string());
    w.add_metadata(
        "liuyu",
        json!({"layer": p.name, "crs": p.crs, "provenance": p.provenance}).to_string(),
    );
    w.close()?;
    Ok(out)
}
