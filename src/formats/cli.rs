//! `liuyu export` (and `liuyu import`) command-line arguments and runners.

use std::path::PathBuf;

use super::{export_atlas, Format};
use crate::crs::{parse_crs_param, CrsId};
use crate::Atlas;

fn parse_crs(s: &str) -> Result<CrsId, String> {
    parse_crs_param(Some(s)).map_err(|e| e.to_string())
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).map_err(|e| e.to_string())
}

/// Arguments of `liuyu export`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// geojson, flatgeobuf, geoparquet or shapefile.
    #[arg(long, value_parser = parse_format)]
    pub format: Format,
    /// CRS of the written coordinates (CRS84, EPSG:4490, EPSG:3857, EPSG:4547, gcj02, ...).
    #[arg(long, default_value = "CRS84", value_parser = parse_crs)]
    pub crs: CrsId,
    /// Output directory (one file per layer, named after the layer).
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs `liuyu export`; prints one line per written file.
pub fn run_export(atlas: &Atlas, args: &ExportArgs) -> Result<(), super::FormatError> {
    let files = export_atlas(atlas, args.format, args.crs, &args.out)?;
    for f in files {
        let size = std::fs::metadata(&f).map(|m| m.len()).unwrap_or(0);
        println!("{size:>10} bytes  {}  ({})", f.display(), args.crs);
    }
    Ok(())
}
