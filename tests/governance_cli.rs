//! `liuyu profile`, `liuyu obligations` and `liuyu issue`: the same JSON as
//! the HTTP API, and exit code 2 with a message on bad input.

use std::io::Write;
use std::process::{Command, Stdio};

fn liuyu(args: &[&str], stdin: Option<&str>) -> (i32, serde_json::Value, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_liuyu"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_three_commands_answer() {
    let (code, v, err) = liuyu(
        &[
            "obligations",
            "--date",
            "2027-02-05",
            "--prefecture",
            "420700",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["obligations"][0]["schedule"]["status"], "deadline_passed");
    assert_eq!(
        v["obligations"][0]["schedule"]["next_deadline"],
        "2028-01-31"
    );

    let (code, v, err) = liuyu(
        &["profile", "114.2538", "30.6060", "--date", "2027-01-10"],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["county"]["name"], "江汉区");
    assert_eq!(
        v["governance"]["levels"][2]["government"]["name_zh"],
        "江汉区人民政府"
    );

    let (code, v, err) = liuyu(
        &["issue", "--matter", "water", "--places", "420700,421100"],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["coordinating_body"]["level"], "metro");

    let line = r#"{"type":"LineString","coordinates":[[110.79,32.63],[112.13,32.06]]}"#;
    let (code, v, err) = liuyu(&["issue", "--matter", "air", "--geojson", "-"], Some(line));
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["coordinating_body"]["level"], "province");
}

#[test]
fn bad_input_exits_2_with_a_message() {
    for (args, stdin, needle) in [
        (
            vec!["obligations", "--date", "2027-02-30"],
            None,
            "not a valid date",
        ),
        (
            vec!["obligations", "--prefecture", "999999"],
            None,
            "not a known prefecture",
        ),
        (vec!["profile", "114", "95"], None, "lat"),
        (vec!["issue", "--matter", "water"], None, "--geojson"),
        (
            vec!["issue", "--matter", "water", "--places", "nowhere"],
            None,
            "not a known place",
        ),
        (
            vec!["issue", "--matter", "water", "--geojson", "-"],
            Some("{not json"),
            "not valid JSON",
        ),
        (
            vec!["issue", "--matter", "water", "--geojson", "-"],
            Some(
                r#"{"type":"Polygon","coordinates":[[[114,30],[114.1,30],[114.1,30.1],[114,30.2]]]}"#,
            ),
            "not closed",
        ),
        (
            vec![
                "issue",
                "--matter",
                "water",
                "--geojson",
                "/nonexistent/x.geojson",
            ],
            None,
            "cannot read",
        ),
    ] {
        let (code, _, err) = liuyu(&args, stdin);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn crs_on_profile_and_issue() {
    use liuyu::crs::Crs;
    let (lon, lat) = (114.2538, 30.6060);
    let (code, want, err) = liuyu(
        &["profile", "114.2538", "30.6060", "--date", "2027-01-10"],
        None,
    );
    assert_eq!(code, 0, "{err}");
    for id in ["EPSG:4547", "gcj02", "BD09", "EPSG:3857", "EPSG:4490"] {
        let crs = Crs::parse(id).expect("crs");
        let (x, y) = crs.from_wgs84(lon, lat).expect("fwd");
        let (xs, ys) = (x.to_string(), y.to_string());
        let (code, v, err) = liuyu(
            &["profile", &xs, &ys, "--crs", id, "--date", "2027-01-10"],
            None,
        );
        assert_eq!(code, 0, "{id}: {err}");
        assert_eq!(v["crs"]["id"], crs.id().to_string(), "{id}");
        assert_eq!(v["county"], want["county"], "{id}");
        assert_eq!(v["governance"], want["governance"], "{id}");
        assert!((v["lon"].as_f64().unwrap() - lon).abs() < 1e-7, "{id}");
    }

    // The issue footprint in EPSG:4547 answers like the lon/lat one.
    let line = serde_json::json!({"type": "LineString", "coordinates": [[110.79, 32.63], [112.13, 32.06]]});
    let (code, want, err) = liuyu(
        &["issue", "--matter", "air", "--geojson", "-"],
        Some(&line.to_string()),
    );
    assert_eq!(code, 0, "{err}");
    let crs = Crs::parse("EPSG:4547").expect("crs");
    let coords: Vec<[f64; 2]> = [[110.79, 32.63], [112.13, 32.06]]
        .iter()
        .map(|p| {
            let (x, y) = crs.from_wgs84(p[0], p[1]).expect("fwd");
            [x, y]
        })
        .collect();
    let moved = serde_json::json!({"type": "LineString", "coordinates": coords});
    let (code, v, err) = liuyu(
        &[
            "issue",
            "--matter",
            "air",
            "--crs",
            "EPSG:4547",
            "--geojson",
            "-",
        ],
        Some(&moved.to_string()),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["crs"]["id"], "EPSG:4547");
    assert_eq!(v["coordinating_body"], want["coordinating_body"]);
    assert_eq!(
        v["jurisdictions"]["counties"].as_array().map(|a| a.len()),
        want["jurisdictions"]["counties"]
            .as_array()
            .map(|a| a.len())
    );
    for (a, b) in v["jurisdictions"]["counties"]
        .as_array()
        .into_iter()
        .flatten()
        .zip(
            want["jurisdictions"]["counties"]
                .as_array()
                .into_iter()
                .flatten(),
        )
    {
        assert_eq!(a["id"], b["id"]);
    }

    // Bad CRSs: a message and exit code 2.
    for (args, stdin, needle) in [
        (
            vec!["profile", "1", "2", "--crs", "EPSG:1"],
            None,
            "unknown or unsupported CRS",
        ),
        (
            vec!["profile", "1e12", "0", "--crs", "EPSG:3857"],
            None,
            "outside the valid range",
        ),
        (
            vec![
                "issue",
                "--matter",
                "air",
                "--crs",
                "nonsense",
                "--geojson",
                "-",
            ],
            Some(moved.to_string()),
            "unknown or unsupported CRS",
        ),
        (
            vec![
                "issue",
                "--matter",
                "air",
                "--crs",
                "EPSG:3857",
                "--geojson",
                "-",
            ],
            Some(serde_json::json!({"type": "Point", "coordinates": [1e12, 0]}).to_string()),
            "not a valid position in EPSG:3857",
        ),
    ] {
        let (code, _, err) = liuyu(&args, stdin.as_deref());
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn names_in_cli_arguments_and_the_places_command() {
    // `liuyu places` prints what GET /v1/places answers.
    let (code, v, err) = liuyu(&["places", "武汉", "--limit", "3"], None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["query"], "武汉");
    assert_eq!(v["places"][0]["id"], "420100");
    assert!(v["places"].as_array().unwrap().len() <= 3);
    // Names wherever an adcode is accepted.
    let (code, v, err) = liuyu(
        &[
            "obligations",
            "--date",
            "2027-12-31",
            "--prefecture",
            "武汉",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["prefecture"]["adcode"], "420100");
    assert_eq!(v["obligations"][0]["schedule"]["status"], "deadline_passed");
    let (code, v, err) = liuyu(
        &["issue", "--matter", "秸秆焚烧", "--places", "武汉市,江汉区"],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["matter"]["id"], "straw_burning");
    // An unknown or partial name: exit 2 with the candidates and their adcodes.
    let (code, _, err) = liuyu(&["obligations", "--prefecture", "武"], None);
    assert_eq!(code, 2);
    assert!(err.contains("武汉市 (420100)"), "{err}");
    let (code, _, err) = liuyu(&["issue", "--matter", "扬尘", "--places", "420100"], None);
    assert_eq!(code, 2);
    assert!(
        err.contains("construction_dust") && err.contains("transport_dust"),
        "{err}"
    );
    let (code, _, err) = liuyu(&["places", " "], None);
    assert_eq!(code, 2, "{err}");
}
