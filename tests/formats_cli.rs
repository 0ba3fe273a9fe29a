//! The command line of issue 6 end to end: `liuyu export`, `liuyu attribute`,
//! `liuyu import` and `liuyu locate --crs`, with their exit codes.

use std::process::Command;

fn liuyu(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_liuyu"))
        .args(args)
        .output()
        .expect("run liuyu");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn export_attribute_import_locate() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = |p: &str| dir.path().join(p).to_string_lossy().into_owned();

    let (code, out, err) = liuyu(&[
        "export",
        "--format",
        "flatgeobuf",
        "--crs",
        "EPSG:4526",
        "--out",
        &d("fgb"),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 8, "one line per layer: {out}");
    assert!(dir.path().join("fgb/counties.fgb").exists());

    let (code, _, err) = liuyu(&["export", "--format", "xlsx", "--out", &d("x")]);
    assert_eq!(code, 2, "clap refuses an unknown format: {err}");

    std::fs::write(
        dir.path().join("p.csv"),
        "id,lng,lat\na,114.30768,30.54217\nb,0,0\n",
    )
    .expect("write");
    let (code, out, err) = liuyu(&[
        "attribute",
        "--in",
        &d("p.csv"),
        "--out",
        &d("o.csv"),
        "--crs",
        "gcj02",
        "--lon-col",
        "lng",
    ]);
    assert_eq!(code, 0, "{err}");
    let summary: serde_json::Value = serde_json::from_str(out.trim()).expect("summary json");
    assert_eq!(summary["rows"], 2);
    assert_eq!(summary["inside_hubei"], 1);
    let text = std::fs::read_to_string(dir.path().join("o.csv")).expect("out");
    assert!(
        text.lines()
            .nth(1)
            .expect("row a")
            .starts_with("a,114.30768,30.54217,420106,420100,"),
        "{text}"
    );

    let (code, _, err) = liuyu(&["attribute", "--in", &d("p.csv"), "--out", &d("o.txt")]);
    assert_eq!(code, 2, "bad output extension is a usage error: {err}");

    let (code, out, err) = liuyu(&[
        "import",
        "--layer",
        "counties",
        "--from",
        &d("fgb/counties.fgb"),
        "--out",
        &d("ds"),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"source_crs\""), "{out}");
    let (code, out, err) = liuyu(&[
        "--data",
        &d("ds"),
        "locate",
        "--crs",
        "EPSG:4547",
        "529001.53",
        "3380525.02",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["county"]["name"], "武昌区");
    assert_eq!(v["crs"]["id"], "EPSG:4547");

    let (code, _, err) = liuyu(&["locate", "--crs", "EPSG:12", "1", "2"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = liuyu(&[
        "import",
        "--layer",
        "nope",
        "--from",
        &d("p.csv"),
        "--out",
        &d("z"),
    ]);
    assert_eq!(code, 2);
}

/// The exit-code contract of README ("Bad input exits with status 2 …, a
/// runtime failure with 1") for `liuyu import`: a file that is not valid
/// GeoJSON, and valid GeoJSON whose polygons would make an invalid dataset,
/// are bad input (2, nothing written); a file that cannot be read at all is a
/// runtime failure (1).
#[test]
fn import_exit_codes_follow_the_contract() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = |p: &str| dir.path().join(p).to_string_lossy().into_owned();
    std::fs::write(d("broken.geojson"), "{\"type\":\"Feature\n").expect("write");
    let square = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
        "properties":{"id":"420102","name":"江岸区"},
        "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]}"#;
    std::fs::write(d("elsewhere.geojson"), square).expect("write");
    let import = |from: &str| {
        liuyu(&[
            "import",
            "--layer",
            "counties",
            "--from",
            from,
            "--out",
            &d("out"),
        ])
    };
    let (code, _, err) = import(&d("broken.geojson"));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("{}: geojson: ", d("broken.geojson"))),
        "{err}"
    );
    let (code, _, err) = import(&d("elsewhere.geojson"));
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = import(&d("missing.geojson"));
    assert_eq!(code, 1, "{err}");
    assert!(!dir.path().join("out").exists(), "nothing written");
}
