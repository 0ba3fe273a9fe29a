//! Invalid datasets are refused with a clear report, never half-loaded.
mod common;

use liuyu::{Atlas, AtlasError};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn copy_data(tag: &str) -> PathBuf {
    common::dataset_copy(&format!("validation-{tag}"))
}

fn edit_layer(dir: &Path, layer: &str, f: impl FnOnce(&mut Vec<Value>)) {
    let path = dir.join("layers").join(format!("{layer}.geojson"));
    let mut fc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    f(fc["features"].as_array_mut().unwrap());
    std::fs::write(&path, serde_json::to_vec(&fc).unwrap()).unwrap();
}

fn feature<'a>(fs: &'a mut [Value], id: &str) -> &'a mut Value {
    fs.iter_mut().find(|f| f["id"] == id).unwrap()
}

fn findings(dir: &Path) -> String {
    match Atlas::load_dir(dir) {
        Err(AtlasError::Invalid(r)) => r.to_string(),
        Err(e) => panic!("expected a validation report, got {e}"),
        Ok(_) => panic!("invalid dataset was accepted"),
    }
}

#[test]
fn a_copy_of_the_embedded_data_loads() {
    let dir = copy_data("ok");
    let a = Atlas::load_dir(&dir).unwrap();
    assert_eq!(a.version(), Atlas::embedded().unwrap().version());
}

#[test]
fn overlap_between_counties_is_reported() {
    let dir = copy_data("overlap");
    edit_layer(&dir, "counties", |fs| {
        let g = feature(fs, "420103")["geometry"].clone();
        feature(fs, "420104")["geometry"] = g; // 硚口 now covers 江汉 too
    });
    let r = findings(&dir);
    assert!(r.contains("overlaps") || r.contains("cover"), "{r}");
}

#[test]
fn gap_in_counties_is_reported() {
    let dir = copy_data("gap");
    edit_layer(&dir, "counties", |fs| {
        // Shrink 江夏 to a tiny square inside itself: a gap opens.
        feature(fs, "420115")["geometry"] = serde_json::json!({"type":"Polygon","coordinates":[[[114.3,30.3],[114.31,30.3],[114.31,30.31],[114.3,30.31],[114.3,30.3]]]});
    });
    let r = findings(&dir);
    assert!(r.contains("of the province area"), "{r}");
}

#[test]
fn self_intersecting_polygon_is_reported() {
    let dir = copy_data("bowtie");
    edit_layer(&dir, "corridors", |fs| {
        fs[0]["geometry"] = serde_json::json!({"type":"Polygon","coordinates":[[[112.0,30.0],[113.0,31.0],[113.0,30.0],[112.0,31.0],[112.0,30.0]]]});
    });
    let r = findings(&dir);
    assert!(r.contains("invalid polygon"), "{r}");
}

#[test]
fn dangling_references_and_duplicates_are_reported() {
    let dir = copy_data("refs");
    edit_layer(&dir, "metro_areas", |fs| {
        feature(fs, "wuhan")["properties"]["members"] = serde_json::json!(["420100", "499999"]);
    });
    edit_layer(&dir, "zones", |fs| {
        let z = feature(fs, "H7");
        let cs = z["properties"]["counties"].as_array_mut().unwrap();
        cs.retain(|c| c != "420103"); // 江汉 now in no zone
    });
    edit_layer(&dir, "basins", |fs| {
        let dup = fs[0].clone();
        fs.push(dup);
    });
    let r = findings(&dir);
    assert!(r.contains("duplicate id"), "{r}");
    // Duplicate ids stop the checks early; fix them and look again.
    edit_layer(&dir, "basins", |fs| {
        fs.pop();
    });
    let r = findings(&dir);
    assert!(r.contains("499999"), "{r}");
    assert!(r.contains("420103") && r.contains("0 zones"), "{r}");
}

#[test]
fn out_of_range_coordinates_are_reported() {
    let dir = copy_data("range");
    edit_layer(&dir, "corridors", |fs| {
        fs[0]["geometry"] = serde_json::json!({"type":"Polygon","coordinates":[[[112.0,30.0],[213.0,30.0],[113.0,31.0],[112.0,30.0]]]});
    });
    assert!(findings(&dir).contains("out of lon/lat range"));
}

/// A position with one number (found by the import_geojson fuzz target):
/// the geojson crate's conversion would index past it and panic.
#[test]
fn a_short_position_is_an_error_not_a_panic() {
    let dir = copy_data("short-position");
    edit_layer(&dir, "zones", |fs| {
        fs[0]["geometry"] = serde_json::json!({"type":"Polygon","coordinates":[[[11],[111.0,32.0],[110.0,31.0],[11]]]});
    });
    let e = Atlas::load_dir(&dir).unwrap_err().to_string();
    assert!(e.contains("RFC 7946"), "{e}");
}

#[test]
fn broken_files_are_errors() {
    let dir = copy_data("json");
    std::fs::write(
        dir.join("layers/zones.geojson"),
        b"{\"type\":\"FeatureCollection\",\"features\":[",
    )
    .unwrap();
    assert!(matches!(
        Atlas::load_dir(&dir),
        Err(AtlasError::Parse { .. })
    ));
    let dir = copy_data("points");
    edit_layer(&dir, "zones", |fs| {
        fs[0]["geometry"] = serde_json::json!({"type":"Point","coordinates":[112.0,30.0]});
    });
    let e = Atlas::load_dir(&dir).unwrap_err().to_string();
    assert!(e.contains("expected a Polygon or MultiPolygon"), "{e}");
    let dir = copy_data("missing");
    std::fs::remove_file(dir.join("layers/basins.geojson")).unwrap();
    assert!(matches!(Atlas::load_dir(&dir), Err(AtlasError::Io { .. })));
    let dir = copy_data("manifest");
    std::fs::write(dir.join("manifest.json"), br#"{"dataset":"x","layers":[]}"#).unwrap();
    assert!(matches!(
        Atlas::load_dir(&dir),
        Err(AtlasError::Manifest(_))
    ));
    std::fs::write(dir.join("manifest.json"), br#"{"dataset":"x","layers":[{"id":"province","file":"../../etc/passwd","provenance":{"status":"x","source":"y"}}]}"#).unwrap();
    assert!(matches!(
        Atlas::load_dir(&dir),
        Err(AtlasError::Manifest(_))
    ));
    assert!(matches!(
        Atlas::load_dir(Path::new("/nonexistent/liuyu")),
        Err(AtlasError::Io { .. })
    ));
}
