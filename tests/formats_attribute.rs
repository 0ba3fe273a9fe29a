//! `liuyu attribute` (library entry) on seeded random points in CSV, NDJSON
//! and Parquet, checked against an independent point-in-polygon test (geo's
//! `Contains` on the raw county polygons), and through projected/GCJ-02 input
//! coordinates giving the same ids as WGS 84 input.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use geo::Contains;
use liuyu::attribute::{self, AttributeOptions};
use liuyu::crs::{Crs, CrsId};
use liuyu::formats::geoparquet::{ColumnData, ColumnKind, TableWriter};
use liuyu::{Atlas, LayerKind};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const N: usize = 3000;

fn points(seed: u64) -> Vec<(f64, f64)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..N)
        .map(|_| (rng.gen_range(108.0..116.5), rng.gen_range(28.8..33.5)))
        .collect()
}

fn independent_county(atlas: &Atlas, lon: f64, lat: f64) -> Option<String> {
    let p = geo::Point::new(lon, lat);
    let hits: Vec<&str> = atlas
        .layer(LayerKind::County)
        .units
        .iter()
        .filter(|u| u.geometry.contains(&p))
        .map(|u| u.id.as_str())
        .collect();
    match hits.as_slice() {
        [one] => Some(one.to_string()),
        _ => None, // outside, or on a border (not checked here)
    }
}

fn read_csv(path: &std::path::Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).expect("csv out");
    let header: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    r.records()
        .map(|rec| {
            let rec = rec.expect("record");
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn csv_ndjson_parquet_match_independent_point_in_polygon() {
    let atlas = Arc::new(Atlas::embedded().expect("atlas"));
    let dir = tempfile::tempdir().expect("tmp");
    let pts = points(42);

    // CSV with an extra column and one malformed row.
    let csv_in = dir.path().join("p.csv");
    let mut f = std::fs::File::create(&csv_in).expect("create");
    writeln!(f, "pid,lon,lat").expect("w");
    for (i, (x, y)) in pts.iter().enumerate() {
        writeln!(f, "{i},{x},{y}").expect("w");
    }
    writeln!(f, "bad,abc,30").expect("w");
    drop(f);
    let csv_out = dir.path().join("o.csv");
    let mut opts = AttributeOptions::new(csv_in, csv_out.clone());
    opts.chunk_rows = 257; // many chunks, to exercise reordering
    opts.threads = 3;
    let stats = attribute::run(atlas.clone(), &opts).expect("run csv");
    assert_eq!(stats.rows, N as u64 + 1);
    assert_eq!(stats.errors, 1);
    let rows = read_csv(&csv_out);
    assert_eq!(rows.len(), N + 1);
    let mut checked = 0;
    for (i, (x, y)) in pts.iter().enumerate() {
        let r = &rows[i];
        assert_eq!(r["pid"], i.to_string(), "order preserved");
        if let Some(c) = independent_county(&atlas, *x, *y) {
            assert_eq!(r["county_adcode"], c, "point {i} {x},{y}");
            let m = atlas.memberships(&c).expect("memberships");
            assert_eq!(r["prefecture_adcode"], m.prefecture);
            assert_eq!(r["zone_id"], m.zone.clone().unwrap_or_default());
            assert_eq!(r["basin_id"], m.basin.clone().unwrap_or_default());
            assert_eq!(r["metro_area_ids"], m.metro_areas.join(";"));
            checked += 1;
        } else if r["on_boundary"] == "false" {
            assert_eq!(r["county_adcode"], "", "outside Hubei: {x},{y}");
        }
    }
    assert!(checked > 1000, "{checked}");
    assert!(!rows[N]["attr_error"].is_empty());

    // NDJSON in EPSG:4547, Parquet in GCJ-02: same ids as the WGS 84 CSV run.
    let gk = Crs::parse("EPSG:4547").expect("gk");
    let nd_in = dir.path().join("p.ndjson");
    let mut f = std::fs::File::create(&nd_in).expect("create");
    for (i, (x, y)) in pts.iter().enumerate() {
        let (e, n) = gk.from_wgs84(*x, *y).expect("gk fwd");
        writeln!(
            f,
            "{}",
            serde_json::json!({"pid": i, "x": e, "y": n, "tag": "t"})
        )
        .expect("w");
    }
    drop(f);
    let nd_out = dir.path().join("o.ndjson");
    let mut opts = AttributeOptions::new(nd_in, nd_out.clone());
    opts.crs = CrsId::parse("EPSG:4547").expect("crs");
    attribute::run(atlas.clone(), &opts).expect("run ndjson");
    let nd: Vec<serde_json::Value> = std::fs::read_to_string(&nd_out)
        .expect("read")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(nd.len(), N);

    let gcj = Crs::new(CrsId::Gcj02).expect("gcj");
    let pq_in = dir.path().join("p.parquet");
    let (gx, gy): (Vec<Option<f64>>, Vec<Option<f64>>) = pts
        .iter()
        .map(|(x, y)| {
            let (a, b) = gcj.from_wgs84(*x, *y).expect("gcj");
            (Some(a), Some(b))
        })
        .unzip();
    let mut w = TableWriter::new(
        std::fs::File::create(&pq_in).expect("create"),
        &[
            ("pid".into(), ColumnKind::Int),
            ("lng".into(), ColumnKind::Float),
            ("lat".into(), ColumnKind::Float),
        ],
    )
    .expect("writer");
    w.write_group(&[
        ColumnData::Int((0..N as i64).map(Some).collect()),
        ColumnData::Float(gx),
        ColumnData::Float(gy),
    ])
    .expect("group");
    w.close().expect("close");
    let pq_out = dir.path().join("o.parquet");
    let mut opts = AttributeOptions::new(pq_in, pq_out.clone());
    opts.crs = CrsId::Gcj02;
    attribute::run(atlas.clone(), &opts).expect("run parquet");
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::RowAccessor;
    let reader =
        SerializedFileReader::new(std::fs::File::open(&pq_out).expect("open")).expect("pq");
    let pq_rows: Vec<_> = reader
        .get_row_iter(None)
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect();
    assert_eq!(pq_rows.len(), N);

    for i in 0..N {
        let want = &rows[i]["county_adcode"];
        assert_eq!(nd[i]["pid"], i, "ndjson order");
        assert_eq!(nd[i]["tag"], "t", "ndjson keeps input fields");
        assert_eq!(
            nd[i]["county_adcode"].as_str(),
            Some(want.as_str()),
            "ndjson row {i}"
        );
        assert_eq!(
            pq_rows[i].get_long(0).expect("pid"),
            i as i64,
            "parquet order"
        );
        assert_eq!(
            pq_rows[i].get_string(3).expect("county"),
            want,
            "parquet row {i}"
        );
    }
}

#[test]
fn refuses_mismatched_families_and_missing_columns() {
    let atlas = Arc::new(Atlas::embedded().expect("atlas"));
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("a.csv");
    std::fs::write(&p, "a,b\n1,2\n").expect("write");
    let e = attribute::run(
        atlas.clone(),
        &AttributeOptions::new(p.clone(), dir.path().join("o.csv")),
    );
    assert!(e.is_err(), "no lon/lat columns");
    let e = attribute::run(
        atlas,
        &AttributeOptions::new(p, dir.path().join("o.ndjson")),
    );
    assert!(e.is_err(), "csv -> ndjson refused");
}
