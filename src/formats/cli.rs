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

fn parse_layer(s: &str) -> Result<crate::LayerKind, String> {
    crate::LayerKind::from_id(s).ok_or_else(|| {
        format!(
            "unknown layer {s:?}; one of {}",
            crate::LayerKind::ALL.map(|k| k.id()).join(", ")
        )
    })
}

/// Arguments of `liuyu import`.
#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// Layer the file replaces (zones, basins, counties, prefectures, ...).
    #[arg(long, value_parser = parse_layer)]
    pub layer: crate::LayerKind,
    /// The file: GeoJSON, FlatGeobuf, Shapefile (any OGR format with the `gdal` feature).
    #[arg(long)]
    pub from: PathBuf,
    /// Layer inside the file (GeoPackage, FileGDB; `gdal` feature).
    #[arg(long)]
    pub layer_name: Option<String>,
    /// Attribute with the unit id (default: id, then adcode).
    #[arg(long)]
    pub id_field: Option<String>,
    /// Attribute with the unit name (default: name).
    #[arg(long)]
    pub name_field: Option<String>,
    /// CRS of the file if it declares none (e.g. EPSG:4547).
    #[arg(long, value_parser = parse_crs)]
    pub from_crs: Option<CrsId>,
    /// Provenance status recorded for the layer.
    #[arg(long, default_value = "official")]
    pub status: String,
    /// Output dataset directory (loadable with `liuyu serve --data DIR`).
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs `liuyu import` on the dataset `data` (default embedded); prints a JSON summary.
pub fn run_import(
    data: Option<&std::path::Path>,
    args: &ImportArgs,
) -> Result<(), super::import::ImportError> {
    let opts = super::import::ImportOptions {
        layer: args.layer,
        from: args.from.clone(),
        layer_name: args.layer_name.clone(),
        id_field: args.id_field.clone(),
        name_field: args.name_field.clone(),
        from_crs: args.from_crs,
        status: args.status.clone(),
        out: args.out.clone(),
    };
    let summary = super::import::run_import(data, &opts)?;
    println!(
        "{}",
        serde_json::to_string_pretty(&summary).unwrap_or_default()
    );
    Ok(())
}
