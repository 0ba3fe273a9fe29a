//! Build script: one link flag for the optional `gdal` feature.
//!
//! The register (登记) links SQLite statically (sqlx's bundled `libsqlite3-sys`), and
//! GDAL links the system `libsqlite3.so` (for GeoPackage and SpatiaLite). Because
//! `libgdal.so` references `sqlite3_*` symbols, GNU ld exports the executable's bundled
//! copies, so at run time GDAL calls half into one SQLite and half into the other and
//! crashes in `spatialite_init_ex` when it opens a GeoPackage. `--exclude-libs,ALL`
//! keeps every symbol from static archives local to the executable: GDAL then resolves
//! to its own system SQLite and the register keeps the bundled one.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let gdal = std::env::var_os("CARGO_FEATURE_GDAL").is_some();
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    if gdal && linux {
        println!("cargo:rustc-link-arg=-Wl,--exclude-libs,ALL");
    }
}
