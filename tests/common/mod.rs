//! Helpers shared by the HTTP test binaries (测试公用): one request through the
//! real router (tower `oneshot`, no socket), and golden files that record the
//! status line, the headers and the body.
//!
//! Each test binary compiles its own copy and uses a subset, hence the
//! `dead_code` allowance.
#![allow(dead_code)]

pub mod seed;

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use liuyu::crs::CrsId;
use liuyu::server::{AppState, DataSource};
use liuyu::Atlas;
use serde_json::Value;
use tower::ServiceExt;

/// A fresh application state over the embedded dataset.
pub fn embedded_state() -> AppState {
    AppState::new(
        Atlas::embedded().expect("embedded atlas"),
        DataSource::Embedded,
    )
}

/// A response, read whole: headers sorted by name, `date` left out (it changes
/// every second and would make golden files flaky).
pub struct Reply {
    /// Status code.
    pub status: StatusCode,
    /// `(name, value)` pairs, sorted.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl Reply {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `content-type` header, or "".
    pub fn content_type(&self) -> String {
        self.header("content-type").unwrap_or("").to_string()
    }

    /// The body as JSON (`Null` when it is not JSON).
    pub fn json_or_null(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The body as JSON; panics with the body when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request through `app` and reads the whole response.
pub async fn send(app: axum::Router, req: Request<Body>) -> Reply {
    let res = app.oneshot(req).await.expect("the router is infallible");
    let status = res.status();
    let mut headers: Vec<(String, String)> = res
        .headers()
        .iter()
        .filter(|(k, _)| *k != "date")
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    headers.sort();
    let body = res
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

/// JSON pretty-printed (golden files stay readable and diff well); other
/// bodies unchanged.
pub fn pretty_or_raw(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_string())
}

/// Compares `HTTP <status>`, the headers and `body` with the golden file
/// `tests/golden/<name>` (`name` may include a sub-directory), or writes the
/// file when `UPDATE_GOLDEN` is set.
pub fn golden(name: &str, status: StatusCode, headers: &[(String, String)], body: &str) {
    let mut text = format!("HTTP {}\n", status.as_u16());
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\n"));
    }
    text.push('\n');
    text.push_str(body);
    text.push('\n');
    refuse_clock_dependence(name, &text);
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).expect("write golden file");
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing golden file {path:?}; run with UPDATE_GOLDEN=1"));
    assert_eq!(
        text, want,
        "golden {name} differs; rerun with UPDATE_GOLDEN=1 if the change is intended"
    );
}

/// The calendar dates "today" can mean to the service or the test machine:
/// yesterday, today and tomorrow in UTC, which covers today in China (UTC+8)
/// and on any machine's local clock.
pub fn dates_around_today() -> Vec<String> {
    let today = jiff::tz::offset(0)
        .to_datetime(jiff::Timestamp::now())
        .date();
    [-1i64, 0, 1]
        .into_iter()
        .filter_map(|d| today.checked_add(jiff::Span::new().days(d)).ok())
        .map(|d| d.to_string())
        .collect()
}

/// Refuses a golden answer that holds the current date: such an answer
/// depends on the clock (an omitted `date=`), so it would break on another
/// day for a user who changed nothing. Pass the date in the request instead.
pub fn refuse_clock_dependence(name: &str, text: &str) {
    for d in dates_around_today() {
        assert!(
            !text.contains(&d),
            "golden {name}: the answer contains {d}, a date around today; it depends on the \
             clock. Pass the date explicitly in the request (e.g. `date=2027-01-10`)."
        );
    }
}

/// Every CRS the default build supports for Hubei (坐标系): the geographic ones,
/// Web Mercator, GCJ-02, BD-09 and the CGCS2000 3-degree Gauss-Kruger zones
/// covering the province, with (4524-4527) and without (4545-4548) zone prefix.
pub fn hubei_crs_ids() -> Vec<CrsId> {
    let mut ids = vec![
        CrsId::Crs84,
        CrsId::Epsg4326,
        CrsId::Cgcs2000,
        CrsId::WebMercator,
        CrsId::Gcj02,
        CrsId::Bd09,
    ];
    for code in (4524..=4527).chain(4545..=4548) {
        ids.push(CrsId::from_epsg(code).expect("GK zone"));
    }
    ids
}

/// A fresh copy of the embedded dataset (`data/manifest.json` and
/// `data/layers/`) in a scratch directory named after `tag`, for tests that
/// edit, break or reload a dataset directory.
pub fn dataset_copy(tag: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let dst = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dataset-{tag}"));
    let _ = std::fs::remove_dir_all(&dst);
    std::fs::create_dir_all(dst.join("layers")).expect("scratch dir");
    std::fs::copy(src.join("manifest.json"), dst.join("manifest.json")).expect("manifest");
    for e in std::fs::read_dir(src.join("layers")).expect("data/layers") {
        let p = e.expect("entry").path();
        let name = p.file_name().expect("file name").to_owned();
        std::fs::copy(&p, dst.join("layers").join(name)).expect("copy layer");
    }
    dst
}
