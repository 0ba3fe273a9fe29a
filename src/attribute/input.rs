//! Chunked point readers for bulk attribution (批量归属): CSV, NDJSON and
//! Parquet, each yielding rows in their native form plus the coordinate pair.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use serde_json::{Map, Value};

use super::AttributeError;

/// Input/output family, chosen from the file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Comma-separated values with a header row.
    Csv,
    /// Newline-delimited JSON objects (`.ndjson`, `.jsonl`).
    Ndjson,
    /// Apache Parquet.
    Parquet,
}

impl Family {
    /// The family of `path` by extension.
    pub fn of(path: &Path) -> Result<Self, AttributeError> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase()
            .as_str()
        {
            "csv" => Ok(Self::Csv),
            "ndjson" | "jsonl" => Ok(Self::Ndjson),
            "parquet" => Ok(Self::Parquet),
            other => Err(AttributeError::Usage(format!(
                "unsupported extension {other:?} for {}: use .csv, .ndjson/.jsonl or .parquet",
                path.display()
            ))),
        }
    }
}

/// One input row in its native form.
#[derive(Debug, Clone)]
pub enum Row {
    /// CSV fields.
    Csv(csv::StringRecord),
    /// NDJSON object.
    Json(Map<String, Value>),
    /// Parquet columns as JSON values (in schema order).
    Table(Vec<Value>),
}

/// A row plus the parsed coordinate (or why it could not be parsed).
#[derive(Debug, Clone)]
pub struct InRow {
    /// The original row.
    pub row: Row,
    /// `(x, y)` in the input CRS, or an error message.
    pub xy: Result<(f64, f64), String>,
}

const LON_NAMES: [&str; 5] = ["lon", "lng", "longitude", "long", "x"];
const LAT_NAMES: [&str; 3] = ["lat", "latitude", "y"];

fn find_col(
    header: &[String],
    wanted: Option<&str>,
    defaults: &[&str],
) -> Result<usize, AttributeError> {
    let pos = |n: &str| header.iter().position(|h| h.eq_ignore_ascii_case(n));
    match wanted {
        Some(w) => pos(w)
            .ok_or_else(|| AttributeError::Usage(format!("column {w:?} not found in {header:?}"))),
        None => defaults.iter().find_map(|d| pos(d)).ok_or_else(|| {
            AttributeError::Usage(format!(
                "no coordinate column among {defaults:?} in {header:?}; use --lon-col/--lat-col"
            ))
        }),
    }
}

fn num(v: &Value) -> Result<f64, String> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| "not a number".into()),
        Value::String(s) => s.trim().parse().map_err(|_| format!("not a number: {s:?}")),
        other => Err(format!("not a number: {other}")),
    }
}

/// A chunked reader over one input file.
pub enum PointReader {
    /// CSV.
    Csv {
        /// The CSV reader.
        reader: csv::Reader<BufReader<File>>,
        /// Index of the lon column.
        ix: usize,
        /// Index of the lat column.
        iy: usize,
    },
    /// NDJSON.
    Ndjson {
        /// Line reader.
        lines: std::io::Lines<BufReader<File>>,
        /// Key of the lon field.
        kx: String,
        /// Key of the lat field.
        ky: String,
        /// Line number (for errors).
        line: u64,
        /// Bytes consumed.
        bytes: u64,
    },
    /// Parquet.
    Parquet {
        /// Row iterator.
        rows: parquet::record::reader::RowIter<'static>,
        /// Index of the lon column.
        ix: usize,
        /// Index of the lat column.
        iy: usize,
    },
}

/// Header of the input (column names) and total rows if known.
#[derive(Debug, Clone)]
pub struct InputInfo {
    /// Column names (NDJSON: keys of the first object).
    pub header: Vec<String>,
    /// Row count when the format says (Parquet).
    pub rows: Option<u64>,
    /// Parquet column kinds (for typed Parquet output).
    pub parquet_kinds: Vec<crate::formats::geoparquet::ColumnKind>,
}

impl PointReader {
    /// Opens `path`; `lon_col`/`lat_col` override the coordinate columns.
    pub fn open(
        path: &Path,
        lon_col: Option<&str>,
        lat_col: Option<&str>,
    ) -> Result<(Self, InputInfo), AttributeError> {
        let io = |e: std::io::Error| AttributeError::Io(format!("{}: {e}", path.display()));
        let file = File::open(path).map_err(io)?;
        match Family::of(path)? {
            Family::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(true)
                    .flexible(true)
                    .from_reader(BufReader::with_capacity(1 << 20, file));
                let header: Vec<String> = reader
                    .headers()
                    .map_err(|e| AttributeError::Input(e.to_string()))?
                    .iter()
                    .map(str::to_string)
                    .collect();
                let ix = find_col(&header, lon_col, &LON_NAMES)?;
                let iy = find_col(&header, lat_col, &LAT_NAMES)?;
                Ok((
                    Self::Csv { reader, ix, iy },
                    InputInfo {
                        header,
                        rows: None,
                        parquet_kinds: vec![],
                    },
                ))
            }
            Family::Ndjson => {
                let mut first = String::new();
                BufReader::new(File::open(path).map_err(io)?)
                    .read_line(&mut first)
                    .map_err(io)?;
                let obj: Map<String, Value> = serde_json::from_str(first.trim())
                    .map_err(|e| AttributeError::Input(format!("line 1: {e}")))?;
                let header: Vec<String> = obj.keys().cloned().collect();
                let kx = header[find_col(&header, lon_col, &LON_NAMES)?].clone();
                let ky = header[find_col(&header, lat_col, &LAT_NAMES)?].clone();
                let lines = BufReader::with_capacity(1 << 20, file).lines();
                Ok((
                    Self::Ndjson {
                        lines,
                        kx,
                        ky,
                        line: 0,
                        bytes: 0,
                    },
                    InputInfo {
                        header,
                        rows: None,
                        parquet_kinds: vec![],
                    },
                ))
            }
            Family::Parquet => {
                use crate::formats::geoparquet::ColumnKind;
                use parquet::basic::Type as T;
                let reader = SerializedFileReader::new(file)
                    .map_err(|e| AttributeError::Input(e.to_string()))?;
                let meta = reader.metadata().file_metadata();
                let rows = u64::try_from(meta.num_rows()).ok();
                let schema = meta.schema_descr();
                let mut header = Vec::new();
                let mut kinds = Vec::new();
                for c in schema.columns() {
                    header.push(c.name().to_string());
                    kinds.push(match c.physical_type() {
                        T::BOOLEAN => ColumnKind::Bool,
                        T::INT32 | T::INT64 => ColumnKind::Int,
                        T::FLOAT | T::DOUBLE => ColumnKind::Float,
                        _ => ColumnKind::Str,
                    });
                }
                let ix = find_col(&header, lon_col, &LON_NAMES)?;
                let iy = find_col(&header, lat_col, &LAT_NAMES)?;
                let rows_iter = parquet::record::reader::RowIter::from_file_into(Box::new(reader));
                Ok((
                    Self::Parquet {
                        rows: rows_iter,
                        ix,
                        iy,
                    },
                    InputInfo {
                        header,
                        rows,
                        parquet_kinds: kinds,
                    },
                ))
            }
        }
    }

    /// Bytes consumed so far (CSV, NDJSON), for progress; 0 for Parquet.
    pub fn bytes_read(&self) -> u64 {
        match self {
            Self::Csv { reader, .. } => reader.position().byte(),
            Self::Ndjson { bytes, .. } => *bytes,
            Self::Parquet { .. } => 0,
        }
    }

    /// Reads up to `n` rows; an empty vector means end of input.
    pub fn next_chunk(&mut self, n: usize) -> Result<Vec<InRow>, AttributeError> {
        let mut out = Vec::with_capacity(n);
        match self {
            Self::Csv { reader, ix, iy } => {
                let mut rec = csv::StringRecord::new();
                while out.len() < n {
                    if !reader
                        .read_record(&mut rec)
                        .map_err(|e| AttributeError::Input(e.to_string()))?
                    {
                        break;
                    }
                    let parse = |i: usize| -> Result<f64, String> {
                        let s = rec.get(i).ok_or("missing field")?;
                        s.trim()
                            .parse::<f64>()
                            .map_err(|_| format!("not a number: {s:?}"))
                    };
                    let xy = parse(*ix).and_then(|x| parse(*iy).map(|y| (x, y)));
                    out.push(InRow {
                        row: Row::Csv(rec.clone()),
                        xy,
                    });
                }
            }
            Self::Ndjson {
                lines,
                kx,
                ky,
                line,
                bytes,
            } => {
                while out.len() < n {
                    let Some(l) = lines.next() else { break };
                    *line += 1;
                    let l = l.map_err(|e| AttributeError::Io(e.to_string()))?;
                    *bytes += l.len() as u64 + 1;
                    if l.trim().is_empty() {
                        continue;
                    }
                    let obj: Map<String, Value> = serde_json::from_str(&l)
                        .map_err(|e| AttributeError::Input(format!("line {line}: {e}")))?;
                    let xy = match (obj.get(kx.as_str()), obj.get(ky.as_str())) {
                        (Some(x), Some(y)) => num(x).and_then(|x| num(y).map(|y| (x, y))),
                        _ => Err("missing coordinate".into()),
                    };
                    out.push(InRow {
                        row: Row::Json(obj),
                        xy,
                    });
                }
            }
            Self::Parquet { rows, ix, iy } => {
                while out.len() < n {
                    let Some(r) = rows.next() else { break };
                    let r = r.map_err(|e| AttributeError::Input(e.to_string()))?;
                    let vals: Vec<Value> = r
                        .into_columns()
                        .into_iter()
                        .map(|(_, f)| field_value(f))
                        .collect();
                    let xy = match (vals.get(*ix), vals.get(*iy)) {
                        (Some(x), Some(y)) => num(x).and_then(|x| num(y).map(|y| (x, y))),
                        _ => Err("missing coordinate".into()),
                    };
                    out.push(InRow {
                        row: Row::Table(vals),
                        xy,
                    });
                }
            }
        }
        Ok(out)
    }
}

fn field_value(f: Field) -> Value {
    match f {
        Field::Null => Value::Null,
        Field::Bool(b) => Value::Bool(b),
        Field::Byte(x) => Value::from(x),
        Field::Short(x) => Value::from(x),
        Field::Int(x) => Value::from(x),
        Field::Long(x) => Value::from(x),
        Field::UByte(x) => Value::from(x),
        Field::UShort(x) => Value::from(x),
        Field::UInt(x) => Value::from(x),
        Field::ULong(x) => Value::from(x),
        Field::Float(x) => {
            serde_json::Number::from_f64(f64::from(x)).map_or(Value::Null, Value::Number)
        }
        Field::Double(x) => serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number),
        Field::Str(s) => Value::String(s),
        other => Value::String(other.to_string()),
    }
}
