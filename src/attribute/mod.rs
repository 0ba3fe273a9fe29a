//! Bulk attribution (批量归属): stream a point file through the all-layer
//! lookup on all cores and write every input row plus the ids of the county,
//! prefecture, zone, basin, metro areas, city clusters and corridors.
//!
//! Pipeline (`pipeline`): one reader thread cuts the input into chunks of
//! [`AttributeOptions::chunk_rows`] rows → a bounded channel → N worker threads
//! (parse, coordinate conversion, lookup, output formatting) → a bounded channel
//! → the writer (the calling thread), which restores input order. A fixed pool
//! of `2 × workers + 2` chunks circulates and their buffers are reused, so
//! memory stays constant whatever the input size and the CSV path allocates
//! nothing per row (records are framed with `memchr` and copied verbatim when
//! they hold no quote; see `csv_run`). Parquet and Arrow IPC go through Arrow
//! record batches, every input column passed through.
//!
//! Added columns: `county_adcode`, `prefecture_adcode`, `zone_id`,
//! `basin_id`, `metro_area_ids`, `city_cluster_ids`, `corridor_ids`
//! (`;`-separated), `on_boundary`, and `attr_error` (why a row could not be
//! placed: bad number, out of range, CRS error). Points outside Hubei get
//! empty ids. On a shared border the first unit in the locator's order (the
//! same one `/v1/locate` reports) is written and `on_boundary` is true.
//!
//! Safe outputs ([`output`]): the output is written to a temporary file beside
//! it and renamed on success (no partial output after a failure); an output
//! naming the input file is refused; rows that cannot be read stop the run
//! with `FILE:LINE:COLUMN: why` (`--on-error fail`, the default) or are left
//! out, counted and copied to `--rejects` (`skip`).

mod answer;
pub mod cli;
pub mod columns;
mod csv_run;
mod frame;
mod ipc_check;
mod ndjson;
mod number;
pub mod output;
mod parquet_run;
mod parquet_source;
mod pipeline;
mod rows;
mod tail_cache;
mod thrift_check;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crate::crs::{Crs, CrsId};
use crate::index::Hit;
use crate::{Atlas, LayerKind};

pub use rows::BadRow;

/// Input/output family, chosen from the file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Comma-separated values with a header row.
    Csv,
    /// Newline-delimited JSON objects (`.ndjson`, `.jsonl`).
    Ndjson,
    /// Apache Parquet.
    Parquet,
    /// Arrow IPC file (`.arrow`, `.feather` v2, `.ipc`).
    Arrow,
}

impl Family {
    /// The family of `path` by extension.
    pub fn of(path: &std::path::Path) -> Result<Self, AttributeError> {
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
            "arrow" | "feather" | "ipc" => Ok(Self::Arrow),
            other => Err(AttributeError::Usage(format!(
                "unsupported extension {other:?} for {}: use .csv, .ndjson/.jsonl, .parquet or .arrow",
                path.display()
            ))),
        }
    }
}

/// What to do with a row that cannot be read (wrong field count, invalid
/// UTF-8 or JSON, unterminated quote). Rows that are read but cannot be placed
/// (a coordinate that is not a number, out of range, outside the CRS) are
/// written with an `attr_error` either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OnError {
    /// Stop at the first bad row, naming its file, line and column; no output.
    #[default]
    Fail,
    /// Leave bad rows out, count them, report the first ones (and copy them to
    /// `--rejects` if given).
    Skip,
}

/// Errors of a bulk attribution run.
#[derive(Debug, thiserror::Error)]
pub enum AttributeError {
    /// Bad options (unknown extension, missing column...).
    #[error("{0}")]
    Usage(String),
    /// File-system error.
    #[error("I/O error: {0}")]
    Io(String),
    /// Malformed input (exit status 2 on the command line).
    #[error("bad input: {0}")]
    Input(String),
    /// A fault of liuyu itself, e.g. a worker thread that panicked (a bug to
    /// report; exit status 1).
    #[error("internal error: {0}")]
    Internal(String),
    /// Writing the output failed.
    #[error("output: {0}")]
    Output(String),
    /// CRS error.
    #[error(transparent)]
    Crs(#[from] crate::crs::CrsError),
    /// A row that cannot be read, under `--on-error fail`.
    #[error("{file}:{}:{}: {} (--on-error skip leaves such rows out)", row.line, row.column, row.message)]
    BadRow {
        /// The input file.
        file: String,
        /// Where and why.
        row: BadRow,
    },
}

/// Options of a run.
#[derive(Debug, Clone)]
pub struct AttributeOptions {
    /// Input file (`.csv`, `.ndjson`/`.jsonl`, `.parquet`).
    pub input: PathBuf,
    /// Output file, same family as the input.
    pub output: PathBuf,
    /// CRS of the input coordinates.
    pub crs: CrsId,
    /// Longitude/easting column (default: lon, lng, longitude, long, x).
    pub lon_col: Option<String>,
    /// Latitude/northing column (default: lat, latitude, y).
    pub lat_col: Option<String>,
    /// Rows per chunk.
    pub chunk_rows: usize,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// What to do with rows that cannot be read.
    pub on_error: OnError,
    /// Where `skip` copies the rows it leaves out (raw, after the header).
    pub rejects: Option<PathBuf>,
}

impl AttributeOptions {
    /// Defaults for `input` → `output`.
    pub fn new(input: PathBuf, output: PathBuf) -> Self {
        Self {
            input,
            output,
            crs: CrsId::Crs84,
            lon_col: None,
            lat_col: None,
            chunk_rows: 8_192,
            threads: 0,
            progress: false,
            on_error: OnError::Fail,
            rejects: None,
        }
    }
}

/// What the lookup found for one row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attribution {
    /// County adcode.
    pub county: String,
    /// Prefecture adcode.
    pub prefecture: String,
    /// Second-level zone id.
    pub zone: String,
    /// First-level basin id.
    pub basin: String,
    /// Metro area ids, `;`-separated.
    pub metro_areas: String,
    /// City cluster ids, `;`-separated.
    pub city_clusters: String,
    /// Corridor ids, `;`-separated.
    pub corridors: String,
    /// The point lies on a unit boundary.
    pub on_boundary: bool,
    /// Why the row could not be placed (empty if it was).
    pub error: String,
}

/// Names of the added columns, in output order.
pub const ADDED_COLUMNS: [&str; 9] = [
    "county_adcode",
    "prefecture_adcode",
    "zone_id",
    "basin_id",
    "metro_area_ids",
    "city_cluster_ids",
    "corridor_ids",
    "on_boundary",
    "attr_error",
];

/// Statistics of a finished run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunStats {
    /// Rows read and written.
    pub rows: u64,
    /// Rows inside Hubei.
    pub inside: u64,
    /// Rows with an `attr_error`.
    pub errors: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Worker threads used.
    pub threads: usize,
    /// Bad rows left out (`--on-error skip`).
    pub rejected: u64,
    /// The first bad rows (at most [`output::REPORTED_BAD_ROWS`]).
    pub bad_rows: Vec<BadRow>,
}

impl RunStats {
    fn new(threads: usize) -> Self {
        RunStats {
            rows: 0,
            inside: 0,
            errors: 0,
            seconds: 0.0,
            threads,
            rejected: 0,
            bad_rows: Vec::new(),
        }
    }
}

/// Attributes one point given in WGS 84 lon/lat (reusing `hits`).
pub fn attribute_point(atlas: &Atlas, lon: f64, lat: f64, hits: &mut Vec<Hit>) -> Attribution {
    hits.clear();
    atlas.locator().locate_into(lon, lat, hits);
    let id = |h: &Hit| atlas.layer(h.layer).units[h.unit as usize].id.as_str();
    let first = |k: LayerKind| {
        hits.iter()
            .find(|h| h.layer == k)
            .map(id)
            .unwrap_or("")
            .to_string()
    };
    let all = |k: LayerKind| {
        hits.iter()
            .filter(|h| h.layer == k)
            .map(id)
            .collect::<Vec<_>>()
            .join(";")
    };
    Attribution {
        county: first(LayerKind::County),
        prefecture: first(LayerKind::Prefecture),
        zone: first(LayerKind::Zone),
        basin: first(LayerKind::Basin),
        metro_areas: all(LayerKind::MetroArea),
        city_clusters: all(LayerKind::CityCluster),
        corridors: all(LayerKind::Corridor),
        on_boundary: hits.iter().any(|h| h.on_boundary),
        error: String::new(),
    }
}

/// Runs a bulk attribution: input → output of the same family, through the
/// bounded pipeline, into a temporary file renamed over `opts.output` on success.
pub fn run(atlas: Arc<Atlas>, opts: &AttributeOptions) -> Result<RunStats, AttributeError> {
    let start = Instant::now();
    let in_family = Family::of(&opts.input)?;
    let out_family = Family::of(&opts.output)?;
    if in_family != out_family {
        return Err(AttributeError::Usage(format!(
            "output must be the same kind as the input ({in_family:?}); got {out_family:?}"
        )));
    }
    if let Some(r) = &opts.rejects {
        if Family::of(r)? != in_family {
            return Err(AttributeError::Usage(format!(
                "--rejects must be the same kind as the input ({in_family:?})"
            )));
        }
    }
    let crs = Arc::new(Crs::new(opts.crs)?);
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.threads
    };
    let mut out = output::Outputs::create(
        &opts.input,
        &opts.output,
        opts.rejects.as_deref(),
        opts.on_error,
    )?;
    let bar = progress_bar(opts, in_family);
    let progress = |n: u64| {
        if let Some(b) = &bar {
            b.set_position(n);
        }
    };
    let mut stats = match in_family {
        Family::Csv => csv_run::run(atlas, opts, crs, threads, &mut out, &progress)?,
        Family::Ndjson => ndjson::run(atlas, opts, crs, threads, &mut out, &progress)?,
        Family::Parquet | Family::Arrow => {
            parquet_run::run(atlas, opts, crs, threads, &mut out, &progress)?
        }
    };
    out.commit()?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    stats.seconds = start.elapsed().as_secs_f64();
    Ok(stats)
}

fn progress_bar(opts: &AttributeOptions, family: Family) -> Option<indicatif::ProgressBar> {
    if !opts.progress {
        return None;
    }
    let (len, tmpl) = match family {
        Family::Parquet | Family::Arrow => (
            parquet_run::row_count(&opts.input).unwrap_or(0),
            "{elapsed_precise} [{wide_bar}] {pos}/{len} rows ({per_sec}, eta {eta})",
        ),
        _ => (
            std::fs::metadata(&opts.input).map_or(0, |m| m.len()),
            "{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} ({bytes_per_sec}, eta {eta})",
        ),
    };
    let b = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(tmpl) {
        b.set_style(style);
    }
    Some(b)
}
