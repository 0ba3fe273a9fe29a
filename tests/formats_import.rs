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

/// Re-encodes a Shapefile's DBF (written UTF-8 by liuyu) as GBK with the
/// dbase crate's writer.
fn reencode_dbf_as_gbk(shp: &Path) {
    use shapefile::dbase::encoding::EncodingRs;
    use shapefile::dbase::{ReaderBuilder, TableWriterBuilder, Unicode};
    let dbf = shp.with_extension("dbf");
    let mut reader = ReaderBuilder::new()
        .with_encoding(Unicode)
        .build(std::io::Cursor::new(std::fs::read(&dbf).expect("dbf")))
        .expect("utf-8 dbf");
    let records = reader.read().expect("records");
    let gbk = shp.with_extension("gbk.dbf");
    let mut writer = TableWriterBuilder::from_reader(reader)
        .set_encoding(EncodingRs::from(encoding_rs::GBK))
        .build_with_file_dest(&gbk)
        .expect("gbk writer");
    for r in &records {
        writer.write_record(r).expect("write");
    }
    writer.finalize().expect("finalize");
    drop(writer);
    std::fs::rename(&gbk, &dbf).expect("replace dbf");
}

fn set_ldid(shp: &Path, ldid: u8) {
    let dbf = shp.with_extension("dbf");
    let mut b = std::fs::read(&dbf).expect("dbf");
    b[29] = ldid;
    std::fs::write(&dbf, b).expect("dbf");
}

fn names(shp: &Path) -> Vec<String> {
    let layer = formats::read::read_shapefile(shp).expect("read shapefile");
    layer
        .features
        .iter()
        .filter_map(|f| f.properties.get("name")?.as_str().map(str::to_string))
        .collect()
}

#[test]
fn gbk_shapefiles_keep_chinese_names() {
    let atlas = Atlas::embedded().expect("atlas");
    let want: Vec<String> = atlas
        .layer(LayerKind::County)
        .units
        .iter()
        .map(|u| u.name.clone())
        .collect();
    assert!(want.iter().any(|n| n == "武昌区"));
    let dir = tempfile::tempdir().expect("tmp");
    let counties = formats::atlas_layer(&atlas, LayerKind::County);
    let crs = CrsId::parse("EPSG:4547").expect("crs");
    let shp = formats::export_layer(&counties, Format::Shapefile, crs, &dir.path().join("src"))
        .expect("export");
    let cpg = shp.with_extension("cpg");

    // The UTF-8 DBF liuyu writes reads back with and without its .cpg.
    assert_eq!(names(&shp), want);
    std::fs::remove_file(&cpg).expect("rm cpg");
    set_ldid(&shp, 0);
    assert_eq!(names(&shp), want, "UTF-8 without .cpg or LDID");

    reencode_dbf_as_gbk(&shp);
    let raw = std::fs::read(shp.with_extension("dbf")).expect("dbf");
    let (gbk, _, _) = encoding_rs::GBK.encode("武昌区");
    assert!(
        raw.windows(gbk.len()).any(|w| w == &gbk[..]),
        "GBK bytes in the DBF"
    );
    assert!(
        !raw.windows(9).any(|w| w == "武昌区".as_bytes()),
        "no UTF-8 left in the DBF"
    );

    // No .cpg: the header's language driver id (the writer's CP936 mark), then
    // with the id cleared the UTF-8 check that falls back to GBK.
    assert_eq!(names(&shp), want, "LDID {:#x}", raw[29]);
    set_ldid(&shp, 0);
    assert_eq!(names(&shp), want, "GBK without .cpg or LDID");

    // Every .cpg spelling of the Chinese code pages, whatever the LDID says.
    for label in [
        "GBK",
        "gbk\r\n",
        "936",
        "CP936",
        "GB2312",
        "GB18030",
        "\u{feff}ANSI 936",
    ] {
        std::fs::write(&cpg, label).expect("cpg");
        assert_eq!(names(&shp), want, ".cpg {label:?}");
    }

    // And the full import through the .cpg gives the same atlas.
    std::fs::write(&cpg, "GBK").expect("cpg");
    let out = dir.path().join("ds-gbk");
    let s = run_import(None, &opts(LayerKind::County, &shp, &out)).expect("gbk import");
    assert_eq!(s.units, 103);
    assert_same_atlas(&out, LayerKind::County);

    // A .cpg naming an encoding nobody knows is refused, not guessed.
    std::fs::write(&cpg, "KLINGON-8").expect("cpg");
    let e = formats::read::read_shapefile(&shp).expect_err("unknown .cpg");
    assert!(e.to_string().contains("KLINGON-8"), "{e}");
}

/// The same with a Shapefile written by GDAL (`ogr2ogr -lco ENCODING=GBK`,
/// Debian gdal-bin), read by the pure-Rust reader; skipped without ogr2ogr.
#[test]
fn ogr2ogr_gbk_shapefile_reads_in_pure_rust() {
    use std::process::Command;
    let dir = tempfile::tempdir().expect("tmp");
    let shp = dir.path().join("xian.shp");
    let counties = format!("{DATA}/layers/counties.geojson");
    let st = Command::new("ogr2ogr")
        .args([
            "-f",
            "ESRI Shapefile",
            "-t_srs",
            "EPSG:4547",
            "-lco",
            "ENCODING=GBK",
        ])
        .arg(&shp)
        .arg(&counties)
        .status();
    let Ok(st) = st else {
        eprintln!("ogr2ogr not installed: skipped");
        return;
    };
    assert!(st.success(), "ogr2ogr");
    let raw = std::fs::read(shp.with_extension("dbf")).expect("dbf");
    let (gbk, _, _) = encoding_rs::GBK.encode("武昌区");
    assert!(
        raw.windows(gbk.len()).any(|w| w == &gbk[..]),
        "GDAL wrote GBK"
    );
    let got = names(&shp);
    assert!(got.iter().any(|n| n == "武昌区"), "{got:?}");
    assert_eq!(got.len(), 103);
    // Without the .cpg GDAL wrote, the DBF's own code-page mark or the
    // UTF-8 check decides.
    let _ = std::fs::remove_file(shp.with_extension("cpg"));
    assert!(names(&shp).iter().any(|n| n == "武昌区"));
}

/// The fuzz finding that a position with fewer than two numbers panicked in
/// the geojson crate's conversion: now an error naming the feature.
#[test]
fn a_geojson_position_with_one_number_is_refused() {
    let bytes = br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"C4","name":"x"},"geometry":{"type":"Polygon","coordinates":[[[11],[111,32],[110,3110,31],[1.1,31],[111,32],[110,31]]]}}]}"#;
    let e = liuyu::formats::read::read_geojson(bytes).expect_err("short position");
    let msg = e.to_string();
    assert!(
        msg.contains("feature 0") && msg.contains("RFC 7946"),
        "{msg}"
    );
}

/// A fuzz finding: a FlatGeobuf feature whose size prefix claims far more
/// bytes than the file holds made the reader allocate about 1 GiB before
/// failing. Now refused from the prefix, with no large allocation.
#[test]
fn a_flatgeobuf_size_prefix_beyond_the_file_is_refused() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz/fgb-huge-feature-size.fgb");
    let e = liuyu::formats::read::read_fgb(&path).expect_err("oversized prefix");
    assert!(e.to_string().contains("remain in the file"), "{e}");
}

/// Found by mutating valid files: the `flatgeobuf` crate's decoders index
/// without bounds checks, so a string property whose length runs past the
/// property bytes, or a ring end past the coordinates, panicked inside the
/// crate (properties_reader.rs, flatbuffers vector.rs). liuyu now decodes the
/// verified FlatBuffer tables itself; each file is a plain error naming the
/// feature.
#[test]
fn malformed_flatgeobuf_properties_and_rings_are_errors_not_panics() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
    let cases = [
        ("fgb-property-length-past-end.fgb", "a property needs"),
        ("fgb-property-length-past-end-2.fgb", "a property needs"),
        ("fgb-ring-end-past-coordinates.fgb", "ends at pair"),
    ];
    for (file, says) in cases {
        let e = liuyu::formats::read::read_fgb(&dir.join(file)).expect_err(file);
        let msg = e.to_string();
        assert!(
            msg.contains("feature ") && msg.contains(says),
            "{file}: {msg}"
        );
    }
}
