//! Vector tiles (矢量瓦片): MVT encoding, TileJSON, a memory-bounded tile cache
//! and PMTiles v3 archives, plus their HTTP routes.

pub mod atlas;
pub mod cache;
pub mod clip;
pub mod http;
pub mod mercator;
pub mod mvt;
pub mod pmtiles;
pub mod service;
pub mod source;
pub mod tilejson;

pub use cache::TileCache;
pub use mercator::TileId;
pub use mvt::{TileError, TileSet};
pub use source::{GeometryKind, MapFeature, MapLayer, MapSource};

/// `liuyu tiles build --out FILE`: write the archive with a progress bar on
/// stderr, then print what was written.
pub fn build_cli(atlas: &crate::Atlas, out: &std::path::Path) -> std::process::ExitCode {
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("error: cannot create {}: {e}", dir.display());
            return std::process::ExitCode::from(1);
        }
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} tiles [{bar:40}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let started = std::time::Instant::now();
    let result = atlas::build_archive(atlas, out, |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    match result {
        Ok(s) => {
            println!(
                "{}: {} tiles written ({} visited, zooms {}-{}), {} bytes, data version {}, {:.1} s",
                out.display(),
                s.tiles_written,
                s.tiles_visited,
                atlas::ARCHIVE_ZOOMS.0,
                atlas::ARCHIVE_ZOOMS.1,
                s.bytes,
                atlas.version(),
                started.elapsed().as_secs_f64()
            );
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
