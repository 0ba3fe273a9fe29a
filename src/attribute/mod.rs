//! Bulk attribution (批量归属): stream a point file through the all-layer
//! lookup on all cores and write every input row plus the ids of the county,
//! prefecture, zone, basin, metro areas, city clusters and corridors.
//!
//! Pipeline: one reader thread cuts the input into chunks of
//! [`AttributeOptions::chunk_rows`] rows → a bounded channel → N worker
//! threads (coordinate conversion + lookup) → a bounded channel → the writer
//! (this thread), which restores input order. At most `2 × workers + 2`
//! chunks are in flight, so memory stays constant whatever the input size.
//!
//! Added columns: `county_adcode`, `prefecture_adcode`, `zone_id`,
//! `basin_id`, `metro_area_ids`, `city_cluster_ids`, `corridor_ids`
//! (`;`-separated), `on_boundary`, and `attr_error` (why a row could not be
//! placed: bad number, out of range, CRS error). Points outside Hubei get
//! empty ids. On a shared border the first unit in the locator's order (the
//! same one `/v1/locate` reports) is written and `on_boundary` is true.

pub mod cli;
pub mod input;
pub mod output;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::crs::{Crs, CrsId};
use crate::index::Hit;
use crate::{Atlas, LayerKind};

pub use input::{Family, InRow, PointReader, Row};

/// Errors of a bulk attribution run.
#[derive(Debug, thiserror::Error)]
pub enum AttributeError {
    /// Bad options (unknown extension, missing column...).
    #[error("{0}")]
    Usage(String),
    /// File-system error.
    #[error("I/O error: {0}")]
    Io(String),
    /// Malformed input.
    #[error("bad input: {0}")]
    Input(String),
    /// Writing the output failed.
    #[error("output: {0}")]
    Output(String),
    /// CRS error.
    #[error(transparent)]
    Crs(#[from] crate::crs::CrsError),
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

fn attribute_row(atlas: &Atlas, crs: &Crs, row: &InRow, hits: &mut Vec<Hit>) -> Attribution {
    let fail = |e: String| Attribution {
        error: e,
        ..Default::default()
    };
    match &row.xy {
        Err(e) => fail(e.clone()),
        Ok((x, y)) => match crs.to_wgs84(*x, *y) {
            Err(e) => fail(e.to_string()),
            Ok((lon, lat)) => attribute_point(atlas, lon, lat, hits),
        },
    }
}

type Chunk = (u64, Vec<InRow>);
type Done = (u64, Vec<InRow>, Vec<Attribution>);

fn worker(
    atlas: Arc<Atlas>,
    crs: Arc<Crs>,
    rx: Arc<Mutex<Receiver<Chunk>>>,
    tx: std::sync::mpsc::SyncSender<Done>,
) {
    let mut hits = Vec::with_capacity(16);
    loop {
        let next = match rx.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => return,
        };
        let Ok((seq, rows)) = next else { return };
        let attrs = rows
            .iter()
            .map(|r| attribute_row(&atlas, &crs, r, &mut hits))
            .collect();
        if tx.send((seq, rows, attrs)).is_err() {
            return;
        }
    }
}

/// Runs a bulk attribution.
pub fn run(atlas: Arc<Atlas>, opts: &AttributeOptions) -> Result<RunStats, AttributeError> {
    let start = Instant::now();
    let in_family = Family::of(&opts.input)?;
    let out_family = Family::of(&opts.output)?;
    if in_family != out_family {
        return Err(AttributeError::Usage(format!(
            "output must be the same kind as the input ({in_family:?}); got {out_family:?}"
        )));
    }
    let crs = Arc::new(Crs::new(opts.crs)?);
    let (mut reader, info) = PointReader::open(
        &opts.input,
        opts.lon_col.as_deref(),
        opts.lat_col.as_deref(),
    )?;
    let mut writer = output::OutputWriter::create(&opts.output, out_family, &info)?;
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.threads
    };
    let chunk_rows = opts.chunk_rows.max(1);
    let file_len = std::fs::metadata(&opts.input).map(|m| m.len()).unwrap_or(0);
    let bar = if opts.progress {
        let (len, tmpl) = match info.rows {
            Some(n) => (
                n,
                "{elapsed_precise} [{wide_bar}] {pos}/{len} rows ({per_sec}, eta {eta})",
            ),
            None => (
                file_len,
                "{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} ({bytes_per_sec}, eta {eta})",
            ),
        };
        let b = indicatif::ProgressBar::new(len);
        if let Ok(style) = indicatif::ProgressStyle::with_template(tmpl) {
            b.set_style(style);
        }
        Some(b)
    } else {
        None
    };

    let (chunk_tx, chunk_rx) = sync_channel::<Chunk>(threads + 1);
    let (done_tx, done_rx) = sync_channel::<Done>(threads + 1);
    let chunk_rx = Arc::new(Mutex::new(chunk_rx));
    let mut handles = Vec::new();
    for _ in 0..threads {
        let (a, c, r, t) = (
            atlas.clone(),
            crs.clone(),
            chunk_rx.clone(),
            done_tx.clone(),
        );
        handles.push(std::thread::spawn(move || worker(a, c, r, t)));
    }
    drop(done_tx);
    let progress_bytes = info.rows.is_none();
    let bytes_read = Arc::new(AtomicU64::new(0));
    let bytes_seen = bytes_read.clone();
    let reader_handle = std::thread::spawn(move || -> Result<(), AttributeError> {
        let mut seq = 0u64;
        loop {
            let chunk = reader.next_chunk(chunk_rows)?;
            if chunk.is_empty() {
                return Ok(());
            }
            bytes_seen.store(reader.bytes_read(), Ordering::Relaxed);
            if chunk_tx.send((seq, chunk)).is_err() {
                return Ok(());
            }
            seq += 1;
        }
    });

    let mut pending: BTreeMap<u64, (Vec<InRow>, Vec<Attribution>)> = BTreeMap::new();
    let mut next = 0u64;
    let mut stats = RunStats {
        rows: 0,
        inside: 0,
        errors: 0,
        seconds: 0.0,
        threads,
    };
    let mut write_err = None;
    for (seq, rows, attrs) in done_rx.iter() {
        pending.insert(seq, (rows, attrs));
        while let Some((rows, attrs)) = pending.remove(&next) {
            next += 1;
            stats.rows += rows.len() as u64;
            stats.inside += attrs.iter().filter(|a| !a.county.is_empty()).count() as u64;
            stats.errors += attrs.iter().filter(|a| !a.error.is_empty()).count() as u64;
            if write_err.is_none() {
                if let Err(e) = writer.write_chunk(&rows, &attrs) {
                    write_err = Some(e);
                }
            }
            if let Some(b) = &bar {
                if progress_bytes {
                    b.set_position(bytes_read.load(Ordering::Relaxed));
                } else {
                    b.set_position(stats.rows);
                }
            }
        }
        if write_err.is_some() {
            break;
        }
    }
    drop(done_rx);
    let read_result = reader_handle
        .join()
        .map_err(|_| AttributeError::Input("reader thread panicked".into()))?;
    for h in handles {
        let _ = h.join();
    }
    if let Some(e) = write_err {
        return Err(e);
    }
    read_result?;
    writer.finish()?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    stats.seconds = start.elapsed().as_secs_f64();
    Ok(stats)
}
