//! Runs the river build: `cargo run --release --example build_rivers -- WDBII_DIR PROVINCE_GEOJSON OUT_DIR SOURCE_NOTE`.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: build_rivers WDBII_DIR PROVINCE_GEOJSON OUT_DIR SOURCE_NOTE");
        std::process::exit(2);
    }
    if let Err(e) = liuyu::hydro::build::run(&args[1], &args[2], &args[3], &args[4]) {
        eprintln!("river build failed: {e}");
        std::process::exit(1);
    }
}
