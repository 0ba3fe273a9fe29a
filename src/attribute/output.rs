//! Output writers for bulk attribution: the input row plus the added columns,
//! in the input's family (CSV → CSV, NDJSON → NDJSON, Parquet → Parquet).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde_json::Value;

use super::input::{Family, InRow, InputInfo, Row};
use super::{AttributeError, Attribution, ADDED_COLUMNS};
use crate::formats::geoparquet::{ColumnData, ColumnKind, TableWriter};

fn out_err(e: impl std::fmt::Display) -> AttributeError {
    AttributeError::Output(e.to_string())
}

/// A writer for one output file.
pub enum OutputWriter {
    /// CSV.
    Csv(Box<csv::Writer<BufWriter<File>>>),
    /// NDJSON.
    Ndjson(BufWriter<File>),
    /// Parquet (one row group per chunk).
    Parquet {
        /// The table writer.
        writer: Box<TableWriter<BufWriter<File>>>,
        /// Kinds of the input columns.
        kinds: Vec<ColumnKind>,
    },
}

fn added_values(a: &Attribution) -> [&str; 9] {
    [
        &a.county,
        &a.prefecture,
        &a.zone,
        &a.basin,
        &a.metro_areas,
        &a.city_clusters,
        &a.corridors,
        if a.on_boundary { "true" } else { "false" },
        &a.error,
    ]
}

impl OutputWriter {
    /// Creates the output file with the input's columns plus the added ones.
    pub fn create(path: &Path, family: Family, info: &InputInfo) -> Result<Self, AttributeError> {
        let file = File::create(path)
            .map_err(|e| AttributeError::Io(format!("{}: {e}", path.display())))?;
        let buf = BufWriter::with_capacity(1 << 20, file);
        Ok(match family {
            Family::Csv => {
                let mut w = csv::Writer::from_writer(buf);
                let header: Vec<&str> = info
                    .header
                    .iter()
                    .map(String::as_str)
                    .chain(ADDED_COLUMNS)
                    .collect();
                w.write_record(&header).map_err(out_err)?;
                Self::Csv(Box::new(w))
            }
            Family::Ndjson => Self::Ndjson(buf),
            Family::Parquet => {
                let mut cols: Vec<(String, ColumnKind)> = info
                    .header
                    .iter()
                    .cloned()
                    .zip(info.parquet_kinds.iter().copied())
                    .collect();
                for c in ADDED_COLUMNS {
                    let kind = if c == "on_boundary" {
                        ColumnKind::Bool
                    } else {
                        ColumnKind::Str
                    };
                    cols.push((c.to_string(), kind));
                }
                Self::Parquet {
                    writer: Box::new(TableWriter::new(buf, &cols).map_err(out_err)?),
                    kinds: info.parquet_kinds.clone(),
                }
            }
        })
    }

    /// Writes one chunk of rows and their attributions.
    pub fn write_chunk(
        &mut self,
        rows: &[InRow],
        attrs: &[Attribution],
    ) -> Result<(), AttributeError> {
        match self {
            Self::Csv(w) => {
                let mut rec = csv::StringRecord::new();
                for (r, a) in rows.iter().zip(attrs) {
                    rec.clear();
                    if let Row::Csv(fields) = &r.row {
                        rec.extend(fields.iter());
                    }
                    rec.extend(added_values(a));
                    w.write_record(&rec).map_err(out_err)?;
                }
            }
            Self::Ndjson(w) => {
                for (r, a) in rows.iter().zip(attrs) {
                    let mut obj = match &r.row {
                        Row::Json(o) => o.clone(),
                        _ => serde_json::Map::new(),
                    };
                    for (k, v) in ADDED_COLUMNS.iter().zip(added_values(a)) {
                        let v = if *k == "on_boundary" {
                            Value::Bool(a.on_boundary)
                        } else {
                            Value::String(v.to_string())
                        };
                        obj.insert((*k).to_string(), v);
                    }
                    serde_json::to_writer(&mut *w, &obj).map_err(out_err)?;
                    w.write_all(b"\n").map_err(out_err)?;
                }
            }
            Self::Parquet { writer, kinds } => {
                let mut data: Vec<ColumnData> = kinds
                    .iter()
                    .enumerate()
                    .map(|(i, k)| {
                        let vals = rows.iter().map(move |r| match &r.row {
                            Row::Table(v) => v.get(i).cloned().unwrap_or(Value::Null),
                            _ => Value::Null,
                        });
                        match k {
                            ColumnKind::Int => ColumnData::Int(vals.map(|v| v.as_i64()).collect()),
                            ColumnKind::Float => {
                                ColumnData::Float(vals.map(|v| v.as_f64()).collect())
                            }
                            ColumnKind::Bool => {
                                ColumnData::Bool(vals.map(|v| v.as_bool()).collect())
                            }
                            _ => ColumnData::Str(
                                vals.map(|v| match v {
                                    Value::Null => None,
                                    Value::String(s) => Some(s),
                                    other => Some(other.to_string()),
                                })
                                .collect(),
                            ),
                        }
                    })
                    .collect();
                for (j, c) in ADDED_COLUMNS.iter().enumerate() {
                    if *c == "on_boundary" {
                        data.push(ColumnData::Bool(
                            attrs.iter().map(|a| Some(a.on_boundary)).collect(),
                        ));
                    } else {
                        data.push(ColumnData::Str(
                            attrs
                                .iter()
                                .map(|a| Some(added_values(a)[j].to_string()))
                                .collect(),
                        ));
                    }
                }
                writer.write_group(&data).map_err(out_err)?;
            }
        }
        Ok(())
    }

    /// Flushes and closes the file.
    pub fn finish(self) -> Result<(), AttributeError> {
        match self {
            Self::Csv(mut w) => w.flush().map_err(out_err),
            Self::Ndjson(mut w) => w.flush().map_err(out_err),
            Self::Parquet { writer, .. } => writer.close().map_err(out_err),
        }
    }
}
