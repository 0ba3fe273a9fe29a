//! Exports of every Atlas layer in every format, read back with the pure-Rust
//! readers (and for GeoParquet the `parquet` crate's reader): same counts, ids
//! and geometry (after converting back from the export CRS). GDAL/pyogrio
//! read-back is in `.ci/checks/60-formats.sh`.

use std::collections::BTreeSet;

use liuyu::crs::{Crs, CrsId};
use liuyu::formats::{self, read, Format};
use liuyu::{Atlas, LayerKind};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::RowAccessor;

fn ids_of(layer: &read::ImportedLayer) -> BTreeSet<String> {
    layer
        .features
        .iter()
        .map(|f| match f.properties.get("id") {
            Some(serde_json::Value::String(s)) => s.clone(),
            other => panic!("id missing or not text: {other:?}"),
        })
        .collect()
}

fn parquet_ids(path: &std::path::Path) -> (BTreeSet<String>, serde_json::Value) {
    let file = std::fs::File::open(path).expect("open parquet");
    let reader = SerializedFileReader::new(file).expect("parquet reader");
    let kv = reader
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .expect("kv metadata")
        .iter()
        .find(|kv| kv.key == "geo")
        .and_then(|kv| kv.value.clone())
        .expect("geo metadata");
    let geo: serde_json::Value = serde_json::from_str(&kv).expect("geo json");
    let mut ids = BTreeSet::new();
    for row in reader.get_row_iter(None).expect("rows") {
        let row = row.expect("row");
        ids.insert(row.get_string(0).expect("id column first").clone());
    }
    (ids, geo)
}

fn max_vertex_diff(a: &geo::MultiPolygon<f64>, b: &geo::MultiPolygon<f64>) -> f64 {
    use geo::CoordsIter;
    assert_eq!(a.coords_count(), b.coords_count());
    a.coords_iter()
        .zip(b.coords_iter())
        .map(|(p, q)| (p.x - q.x).abs().max((p.y - q.y).abs()))
        .fold(0.0, f64::max)
}

#[test]
fn every_layer_every_format_round_trips() {
    let atlas = Atlas::embedded().expect("embedded atlas");
    let dir = tempfile::tempdir().expect("tempdir");
    for crs_name in ["CRS84", "EPSG:4547"] {
        let crs = CrsId::parse(crs_name).expect("crs");
        let engine = Crs::new(crs).expect("engine");
        for format in Format::ALL {
            let out = dir.path().join(format!(
                "{}-{}",
                format.extension(),
                crs_name.replace(':', "")
            ));
            let files = formats::export_atlas(&atlas, format, crs, &out).expect("export");
            assert_eq!(files.len(), LayerKind::ALL.len());
            for kind in LayerKind::ALL {
                let layer = atlas.layer(kind);
                let want: BTreeSet<String> = layer.units.iter().map(|u| u.id.clone()).collect();
                let path = out.join(format!("{}.{}", kind.id(), format.extension()));
                assert!(path.exists(), "{} missing", path.display());
                if format == Format::GeoParquet {
                    let (ids, geo) = parquet_ids(&path);
                    assert_eq!(ids, want, "{kind:?} {format:?} {crs_name}");
                    assert_eq!(geo["version"], "1.1.0");
                    assert_eq!(geo["columns"]["geometry"]["encoding"], "WKB");
                    let code = &geo["columns"]["geometry"]["crs"]["id"]["code"];
                    if crs_name == "CRS84" {
                        assert!(geo["columns"]["geometry"].get("crs").is_none());
                    } else {
                        assert_eq!(code, 4547);
                    }
                    continue;
                }
                let back = read::read_path(&path).expect("read back");
                assert_eq!(
                    back.features.len(),
                    layer.units.len(),
                    "{kind:?} {format:?}"
                );
                assert_eq!(ids_of(&back), want, "{kind:?} {format:?} {crs_name}");
                if crs_name != "CRS84" {
                    assert_eq!(back.crs, Some(crs), "{kind:?} {format:?}: CRS recorded");
                }
                // Geometry: back to WGS 84 and compare vertex by vertex.
                for f in &back.features {
                    let id = f.properties["id"].as_str().expect("id");
                    let unit = layer.get(id).expect("unit");
                    let g = formats::reproject_to_wgs84(&f.geometry, &engine).expect("inverse");
                    if format == Format::Shapefile {
                        // Shapefile rewrites ring orientation; compare areas instead.
                        use geo::Area;
                        let rel = (g.unsigned_area() - unit.geometry.unsigned_area()).abs()
                            / unit.geometry.unsigned_area();
                        assert!(rel < 1e-9, "{id}: area differs by {rel}");
                    } else {
                        let d = max_vertex_diff(&g, &unit.geometry);
                        assert!(d < 1e-9, "{kind:?} {format:?} {id}: vertex diff {d}");
                    }
                }
            }
        }
    }
}

#[test]
fn provenance_travels_with_the_layer() {
    let atlas = Atlas::embedded().expect("atlas");
    let zones = formats::atlas_layer(&atlas, LayerKind::Zone);
    let bytes =
        formats::export_layer_bytes(&zones, Format::GeoJson, CrsId::Crs84).expect("geojson");
    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(
        v["provenance"]["status"],
        atlas.layer(LayerKind::Zone).provenance.status
    );
    assert_eq!(v["provenance"]["data_version"], atlas.version());
    for f in v["features"].as_array().expect("features") {
        assert_eq!(f["properties"]["provenance"], "reconstructed");
    }
    // GCJ-02 export: coordinates move, no standard CRS is claimed.
    let gcj = formats::export_layer_bytes(&zones, Format::GeoParquet, CrsId::Gcj02).expect("pq");
    assert!(!gcj.is_empty());
    assert!(formats::export_layer_bytes(&zones, Format::Shapefile, CrsId::Crs84).is_err());
}
