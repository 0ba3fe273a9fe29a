//! `liuyu import`: official polygons in a projected CGCS2000 CRS replace a
//! layer and end in the same Atlas as the embedded default (byte-identical
//! layer files; only the manifest's provenance for the layer changes); zone
//! polygons re-derive county memberships by area overlay.
//!
//! The pure-Rust tests use liuyu's own Shapefile/FlatGeobuf writers; with the
//! `gdal` feature, files written by GDAL's `ogr2ogr` (Debian gdal-bin) in
//! EPSG:4547 — a Shapefile and a GeoPackage — are imported through OGR.

use std::path::Path;

use geo::BooleanOps;
use liuyu::crs::CrsId;
use liuyu::formats::import::{run_import, ImportError, ImportOptions};
use liuyu::formats::{self, Format};
use liuyu::{Atlas, LayerKind};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");

fn opts(layer: LayerKind, from: &Path, out: &Path) -> ImportOptions {
    ImportOptions {
        layer,
        from: from.to_path_buf(),
        layer_name: None,
        id_field: None,
        name_field: None,
        from_crs: None,
        status: "official".into(),
        out: out.to_path_buf(),
    }
}

/// Loads an imported dataset with the structural checks only: `run_import`
/// already ran the full validation (area/partition checks) before writing.
fn load_quick(dir: &Path) -> Atlas {
    let raw = liuyu::atlas::RawDataset::read_dir(dir).expect("read dataset");
    Atlas::from_raw(raw, false).expect("dataset loads")
}

/// Every layer file equals the committed one; the Atlas loads, validates and
/// answers seeded lookups like the embedded one.
fn assert_same_atlas(out: &Path, changed_provenance: LayerKind) {
    for kind in LayerKind::ALL {
        let f = format!("layers/{}.geojson", kind.id());
        let a = std::fs::read(Path::new(DATA).join(&f)).expect("committed layer");
        let b = std::fs::read(out.join(&f)).expect("imported layer");
        assert!(a == b, "{f} differs after import");
    }
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).expect("manifest"))
            .expect("json");
    let entry = m["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .find(|l| l["id"] == changed_provenance.id())
        .expect("layer entry");
    assert_eq!(entry["provenance"]["status"], "official");
    assert!(entry["provenance"]["note"]
        .as_str()
        .expect("note")
        .contains("liuyu import"));
    let imported = load_quick(out);
    let embedded = Atlas::embedded().expect("embedded");
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    for _ in 0..500 {
        let (lon, lat) = (rng.gen_range(108.3..116.2), rng.gen_range(29.0..33.3));
        let (a, b) = (embedded.locate(lon, lat), imported.locate(lon, lat));
        assert_eq!(a.matches, b.matches, "{lon},{lat}");
    }
}

#[test]
fn counties_from_projected_shapefile_and_fgb_give_the_same_atlas() {
    let atlas = Atlas::embedded().expect("atlas");
    let dir = tempfile::tempdir().expect("tmp");
    let counties = formats::atlas_layer(&atlas, LayerKind::County);
    for (format, crs) in [
        (Format::Shapefile, "EPSG:4547"),
        (Format::FlatGeobuf, "EPSG:4526"),
    ] {
        let crs = CrsId::parse(crs).expect("crs");
        let src =
            formats::export_layer(&counties, format, crs, &dir.path().join("src")).expect("export");
        let out = dir.path().join(format!("ds-{}", format.extension()));
        let summary = run_import(None, &opts(LayerKind::County, &src, &out)).expect("import");
        assert_eq!(summary.units, 103);
        assert!(
            summary.source_crs.starts_with(&crs.to_string()),
            "{}",
            summary.source_crs
        );
        assert_same_atlas(&out, LayerKind::County);
    }
}

#[test]
fn zone_polygons_rederive_county_memberships_by_overlay() {
    // Move 洪山区 (420111) from its zone into a neighbouring zone: the new zone
    // polygons are the old ones with the county cut out / added.
    let atlas = Atlas::embedded().expect("atlas");
    let county = atlas
        .layer(LayerKind::County)
        .get("420111")
        .expect("county");
    let from_zone = county.prop_str("zone").expect("zone").to_string();
    let neighbour = atlas
        .layer(LayerKind::Zone)
        .units
        .iter()
        .find(|z| {
            z.id != from_zone && {
                use geo::Intersects;
                z.geometry.intersects(&county.geometry)
            }
        })
        .expect("a neighbouring zone")
        .id
        .clone();
    let mut zones = formats::atlas_layer(&atlas, LayerKind::Zone);
    for z in &mut zones.features {
        if z.id == from_zone {
            z.geometry = z.geometry.difference(&county.geometry);
        } else if z.id == neighbour {
            z.geometry = z.geometry.union(&county.geometry);
        }
    }
    let dir = tempfile::tempdir().expect("tmp");
    let src =
        formats::export_layer(&zones, Format::GeoJson, CrsId::Crs84, dir.path()).expect("export");
    let out = dir.path().join("ds");
    let summary = match run_import(None, &opts(LayerKind::Zone, &src, &out)) {
        Ok(s) => s,
        Err(e) => panic!("import failed: {e}"),
    };
    assert_eq!(summary.counties_moved, vec!["420111".to_string()]);
    let imported = load_quick(&out);
    let m = imported.memberships("420111").expect("memberships");
    assert_eq!(m.zone.as_deref(), Some(neighbour.as_str()));
    let z = imported
        .layer(LayerKind::Zone)
        .get(&neighbour)
        .expect("zone");
    assert!(z.members().contains(&"420111"));
    assert!(!imported
        .layer(LayerKind::Zone)
        .get(&from_zone)
        .expect("zone")
        .members()
        .contains(&"420111"));
    assert_eq!(
        imported.layer(LayerKind::Zone).provenance.status,
        "official"
    );
    // A point in the county now reports the new zone.
    let (lon, lat) = (
        county.properties["label_lon"].as_f64().expect("label"),
        county.properties["label_lat"].as_f64().expect("label"),
    );
    assert_eq!(
        imported.locate(lon, lat).zone.map(|z| z.id),
        Some(neighbour)
    );
}

#[test]
fn unknown_crs_and_bad_files_are_refused() {
    let atlas = Atlas::embedded().expect("atlas");
    let dir = tempfile::tempdir().expect("tmp");
    let counties = formats::atlas_layer(&atlas, LayerKind::County);
    let src = formats::export_layer(
        &counties,
        Format::Shapefile,
        CrsId::parse("EPSG:4547").expect("crs"),
        dir.path(),
    )
    .expect("export");
    std::fs::remove_file(src.with_extension("prj")).expect("drop .prj");
    let out = dir.path().join("ds");
    let e = run_import(None, &opts(LayerKind::County, &src, &out));
    if cfg!(not(feature = "gdal")) {
        assert!(
            matches!(e, Err(ImportError::Usage(ref m)) if m.contains("--from-crs")),
            "{e:?}"
        );
    }
    let mut o = opts(LayerKind::County, &src, &out);
    o.from_crs = Some(CrsId::parse("EPSG:4547").expect("crs"));
    run_import(None, &o).expect("import with --from-crs");
    // Wrong CRS: the polygons land far away and validation refuses them.
    let mut o = opts(LayerKind::County, &src, &dir.path().join("bad"));
    o.from_crs = Some(CrsId::parse("EPSG:4545").expect("crs"));
    assert!(matches!(
        run_import(None, &o),
        Err(ImportError::Invalid { .. })
    ));
    assert!(
        !dir.path().join("bad").exists(),
        "nothing written on failure"
    );
}

#[cfg(feature = "gdal")]
#[test]
fn ogr2ogr_shapefile_and_geopackage_in_epsg4547() {
    use std::process::Command;
    let dir = tempfile::tempdir().expect("tmp");
    let run = |args: &[&str]| {
        let st = Command::new("ogr2ogr")
            .args(args)
            .status()
            .expect("ogr2ogr (Debian gdal-bin) must be installed");
        assert!(st.success(), "ogr2ogr {args:?}");
    };
    let d = dir.path();
    let counties = format!("{DATA}/layers/counties.geojson");
    let zones = format!("{DATA}/layers/zones.geojson");
    let shp = d.join("xian.shp");
    let gpkg = d.join("hubei.gpkg");
    run(&[
        "-f",
        "ESRI Shapefile",
        "-t_srs",
        "EPSG:4547",
        "-lco",
        "ENCODING=UTF-8",
        shp.to_str().expect("p"),
        &counties,
    ]);
    run(&[
        "-f",
        "GPKG",
        "-t_srs",
        "EPSG:4547",
        "-nln",
        "xianji",
        gpkg.to_str().expect("p"),
        &counties,
    ]);
    run(&[
        "-f",
        "GPKG",
        "-update",
        "-t_srs",
        "EPSG:4547",
        "-nln",
        "liuyu_zones",
        gpkg.to_str().expect("p"),
        &zones,
    ]);

    let out = d.join("ds-shp");
    let s = run_import(None, &opts(LayerKind::County, &shp, &out)).expect("shp import");
    assert_eq!(s.reader, "gdal");
    assert!(s.source_crs.starts_with("EPSG:4547"), "{}", s.source_crs);
    assert_same_atlas(&out, LayerKind::County);

    let out = d.join("ds-gpkg");
    let mut o = opts(LayerKind::County, &gpkg, &out);
    o.layer_name = Some("xianji".into());
    run_import(None, &o).expect("gpkg import");
    assert_same_atlas(&out, LayerKind::County);

    // Zones from the GeoPackage: same memberships, same geometry.
    let out = d.join("ds-zones");
    let mut o = opts(LayerKind::Zone, &gpkg, &out);
    o.layer_name = Some("liuyu_zones".into());
    let s = run_import(None, &o).expect("zones import");
    assert!(
        s.counties_moved.is_empty() && s.counties_split.is_empty(),
        "{s:?}"
    );
    let imported = load_quick(&out);
    let embedded = Atlas::embedded().expect("embedded");
    for z in &embedded.layer(LayerKind::Zone).units {
        let n = imported.layer(LayerKind::Zone).get(&z.id).expect("zone");
        assert_eq!(n.geometry, z.geometry, "{}", z.id);
        assert_eq!(n.members(), z.members(), "{}", z.id);
    }
}
