//! `liuyu attribute` command-line arguments and runner.

use std::path::PathBuf;
use std::sync::Arc;

use super::{output, run, AttributeError, AttributeOptions, OnError};
use crate::crs::{parse_crs_param, CrsId};
use crate::Atlas;

fn parse_crs(s: &str) -> Result<CrsId, String> {
    parse_crs_param(Some(s)).map_err(|e| e.to_string())
}

/// Arguments of `liuyu attribute`.
#[derive(Debug, Clone, clap::Args)]
pub struct AttributeArgs {
    /// Input points: .csv (header row), .ndjson/.jsonl, .parquet or .arrow (Arrow IPC).
    #[arg(long = "in")]
    pub input: PathBuf,
    /// Output file of the same kind as the input (written to a temporary file
    /// beside it and renamed when the run succeeds; never the input file).
    #[arg(long)]
    pub out: PathBuf,
    /// Rows that cannot be read (wrong field count, invalid UTF-8 or JSON,
    /// unterminated quote): stop at the first (fail) or leave them out (skip).
    #[arg(long, value_enum, default_value_t = OnError::Fail)]
    pub on_error: OnError,
    /// With `--on-error skip`: copy the rows left out to this file (same kind).
    #[arg(long)]
    pub rejects: Option<PathBuf>,
    /// CRS of the input coordinates.
    #[arg(long, default_value = "CRS84", value_parser = parse_crs)]
    pub crs: CrsId,
    /// Longitude/easting column (default: lon, lng, longitude, long, x).
    #[arg(long)]
    pub lon_col: Option<String>,
    /// Latitude/northing column (default: lat, latitude, y).
    #[arg(long)]
    pub lat_col: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Rows per chunk (memory is about 2 × threads × chunk rows).
    #[arg(long, default_value_t = 8_192)]
    pub chunk_rows: usize,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Runs `liuyu attribute`; prints a one-line JSON summary.
pub fn run_attribute(atlas: Atlas, args: &AttributeArgs) -> Result<(), AttributeError> {
    let mut opts = AttributeOptions::new(args.input.clone(), args.out.clone());
    opts.crs = args.crs;
    opts.lon_col = args.lon_col.clone();
    opts.lat_col = args.lat_col.clone();
    opts.threads = args.threads;
    opts.chunk_rows = args.chunk_rows;
    opts.progress = !args.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr());
    opts.on_error = args.on_error;
    opts.rejects = args.rejects.clone();
    let stats = run(Arc::new(atlas), &opts)?;
    let file = args.input.display().to_string();
    for line in output::describe(&file, &stats.bad_rows) {
        eprintln!("skipped {line}");
    }
    println!(
        "{}",
        serde_json::json!({
            "rows": stats.rows,
            "inside_hubei": stats.inside,
            "errors": stats.errors,
            "seconds": stats.seconds,
            "rows_per_second": if stats.seconds > 0.0 { stats.rows as f64 / stats.seconds } else { 0.0 },
            "threads": stats.threads,
            "rejected": stats.rejected,
            "rejected_first": output::describe(&file, &stats.bad_rows),
            "rejects": args.rejects,
            "crs": args.crs,
            "out": args.out,
        })
    );
    Ok(())
}
