//! The `liuyu` binary: answers, exit codes and messages on bad input.
use std::process::Command;
use std::time::Instant;

fn liuyu(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_liuyu"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn locate_prints_the_answer() {
    let t = Instant::now();
    let (code, out, err) = liuyu(&["locate", "114.2538", "30.6060"]);
    eprintln!("cold `liuyu locate` (debug build) took {:?}", t.elapsed());
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["county"]["name"], "江汉区");
    assert_eq!(v["prefecture"]["name"], "武汉市");
    assert_eq!(v["basin"]["name"], "汉江");
    assert_eq!(v["zone"]["id"], "H7");
    assert_eq!(v["metro_areas"][0]["name"], "武汉都市圈");
}

#[test]
fn negative_coordinates_parse_and_answer_outside() {
    let (code, out, _) = liuyu(&["locate", "-73.98", "-40.7"]);
    assert_eq!(code, 0);
    assert!(out.contains("\"inside_hubei\": false"));
}

#[test]
fn bad_input_is_a_message_and_nonzero_exit() {
    for (args, code, msg) in [
        (vec!["locate", "NaN", "30"], 2, "finite"),
        (vec!["locate", "114", "95"], 2, "lat must be within"),
        (vec!["locate", "abc", "30"], 2, "invalid value"),
        (vec!["locate", "114"], 2, "required"),
        (
            vec!["--data", "/nonexistent/liuyu", "locate", "114", "30"],
            1,
            "cannot read",
        ),
        (vec!["frobnicate"], 2, "unrecognized subcommand"),
    ] {
        let (c, out, err) = liuyu(&args);
        assert_eq!(c, code, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?} printed to stdout: {out}");
        assert!(err.contains(msg), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn data_validate_reports_the_embedded_dataset_valid() {
    let (code, out, err) = liuyu(&["data", "validate"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("valid: dataset hubei-default"));
}

#[test]
fn trace_with_crs_adds_xy_and_echoes() {
    use liuyu::crs::Crs;
    let (code, out, err) = liuyu(&["trace", "DM", "112.15", "32.03", "--distance-km", "200"]);
    assert_eq!(code, 0, "{err}");
    let want: serde_json::Value = serde_json::from_str(&out).unwrap();
    for id in ["EPSG:4547", "GCJ02", "EPSG:3857"] {
        let crs = Crs::parse(id).unwrap();
        let (x, y) = crs.from_wgs84(112.15, 32.03).unwrap();
        let (code, out, err) = liuyu(&[
            "trace",
            "DM",
            &x.to_string(),
            &y.to_string(),
            "--distance-km",
            "200",
            "--crs",
            id,
        ]);
        assert_eq!(code, 0, "{id}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["crs"]["id"], crs.id().to_string());
        assert_eq!(v["snapped"]["edge"], want["snapped"]["edge"], "{id}");
        assert_eq!(
            v["counties"].as_array().map(Vec::len),
            want["counties"].as_array().map(Vec::len)
        );
        let (sx, sy) = (
            v["snapped"]["x"].as_f64().unwrap(),
            v["snapped"]["y"].as_f64().unwrap(),
        );
        let (blon, blat) = crs.to_wgs84(sx, sy).unwrap();
        assert!(
            (blon - want["snapped"]["lon"].as_f64().unwrap()).abs() < 1e-7,
            "{id}"
        );
        assert!(
            (blat - want["snapped"]["lat"].as_f64().unwrap()).abs() < 1e-7,
            "{id}"
        );
    }
    let (code, out, err) = liuyu(&["trace", "DM", "1", "2", "--crs", "EPSG:1"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("unknown or unsupported CRS"), "{err}");
}

/// A reader that stops early (`liuyu locate … | head`) closes the pipe before
/// the answer is written: the command ends quietly with success instead of
/// panicking on the broken pipe (exit 101). The pipe is closed before the
/// binary has loaded its data, so the write always meets a closed pipe.
#[test]
fn a_closed_stdout_pipe_is_not_a_panic() {
    for args in [
        &["locate", "114.2538", "30.6060"][..],
        &["issue", "--matter", "water", "--places", "鄂州,黄冈"][..],
        &[
            "downwind",
            "112.2",
            "31.0",
            "--wind-from",
            "0",
            "--speed",
            "5",
            "--hours",
            "3",
        ][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_liuyu"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}
