//! The hardened server (issue 12), each case of the "Why" list
//! reproduced against a real listening server (raw sockets, no mock): limits
//! and timeouts, the bounded work pool, cancellation, shutdown, reloads,
//! PMTiles checks and strict parsing. Socket floods, the load test and the
//! release-binary cases live in `.ci/checks/20-hostile.sh`.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use liuyu::server::{serve_on, AppState, DataSource, Limits};
use liuyu::Atlas;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A server on an ephemeral port; dropping `stop` shuts it down.
struct Server {
    addr: SocketAddr,
    state: AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<bool>,
}

impl Server {
    async fn start(state: AppState) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let st = state.clone();
        let done = tokio::spawn(async move {
            serve_on(listener, st, async {
                let _ = rx.await;
            })
            .await
        });
        Server {
            addr,
            state,
            stop: Some(tx),
            done,
        }
    }

    /// Stops accepting and returns whether every connection closed in time.
    async fn shutdown(mut self) -> bool {
        drop(self.stop.take());
        self.done.await.unwrap()
    }
}

fn limits() -> Limits {
    Limits {
        request_timeout: Duration::from_secs(20),
        body_timeout: Duration::from_millis(800),
        header_timeout: Duration::from_millis(800),
        shutdown_timeout: Duration::from_secs(2),
        ..Limits::default()
    }
}

fn state_with(limits: Limits) -> AppState {
    common::embedded_state().with_limits(limits)
}

/// One parsed response.
#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// A problem+json body with this status.
    fn assert_problem(&self, status: u16) {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "{self:?}"
        );
        assert_eq!(self.json()["status"], status, "{self:?}");
    }
}

fn parse(raw: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Answer {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// Whether `out` holds a whole response (head and `Content-Length` bytes).
fn complete(out: &[u8]) -> bool {
    let Some(end) = out.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let a = parse(&out[..end]);
    let len: usize = a
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    out.len() >= end + 4 + len
}

/// Writes raw bytes and reads one whole response, or until the server closes
/// (or `wait` passes).
async fn raw(addr: SocketAddr, bytes: &[u8], wait: Duration) -> Answer {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let read = async {
        let mut buf = [0u8; 65536];
        while !complete(&out) {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    };
    let _ = tokio::time::timeout(wait, read).await;
    parse(&out)
}

async fn get(addr: SocketAddr, path: &str, extra: &str) -> Answer {
    let req = format!("GET {path} HTTP/1.1\r\nHost: t\r\n{extra}Connection: close\r\n\r\n");
    raw(addr, req.as_bytes(), Duration::from_secs(30)).await
}

async fn post(addr: SocketAddr, path: &str, ctype: Option<&str>, body: &str) -> Answer {
    let ct = ctype
        .map(|c| format!("Content-Type: {c}\r\n"))
        .unwrap_or_default();
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: t\r\n{ct}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    raw(addr, req.as_bytes(), Duration::from_secs(60)).await
}

/// A long line across Hubei (a zigzag of `n` vertices): cheap to parse, and its
/// overlay clips it with every unit, checking the budget between units.
fn heavy_line(n: usize) -> String {
    let coords: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            let t = i as f64 / n as f64;
            let lon = 109.0 + 7.0 * t;
            let lat = if i % 2 == 0 { 29.8 } else { 32.8 };
            [(lon * 1e4).round() / 1e4, lat]
        })
        .collect();
    json!({"matter": "water", "footprint": {"type": "LineString", "coordinates": coords}})
        .to_string()
}

async fn wait_until(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_content_length_is_refused_before_the_body() {
    let srv = Server::start(state_with(limits())).await;
    let started = Instant::now();
    let a = raw(
        srv.addr,
        b"POST /v1/issues/analyze HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n{",
        Duration::from_secs(10),
    )
    .await;
    a.assert_problem(413);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered without reading a body"
    );
    assert_eq!(a.header("connection").as_deref(), Some("close"));
    srv.shutdown().await;
}

/// A client that sends its whole body before reading (as most simple clients
/// do) still reads the refusal: the server drains the refused body for a
/// while instead of resetting the connection under it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_body_is_drained_so_the_client_reads_the_refusal() {
    let srv = Server::start(state_with(limits())).await;
    for (ctype, len, status) in [
        ("application/json", 3 << 20, 413),
        ("text/plain", 900_000, 415),
    ] {
        let body = vec![b' '; len];
        let head = format!(
            "POST /v1/issues/analyze HTTP/1.1\r\nHost: t\r\nContent-Type: {ctype}\r\nContent-Length: {len}\r\n\r\n"
        );
        let mut s = TcpStream::connect(srv.addr).await.unwrap();
        s.write_all(head.as_bytes()).await.unwrap();
        s.write_all(&body)
            .await
            .expect("the whole body is accepted");
        let mut out = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut out)).await;
        parse(&out).assert_problem(status);
    }
    // Chunked, no Content-Length: refused when the limit is crossed, drained too.
    let mut s = TcpStream::connect(srv.addr).await.unwrap();
    s.write_all(b"POST /v1/issues/analyze HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        .await
        .unwrap();
    let chunk = format!("10000\r\n{}\r\n", " ".repeat(0x10000));
    for _ in 0..40 {
        s.write_all(chunk.as_bytes())
            .await
            .expect("the whole body is accepted");
    }
    s.write_all(b"0\r\n\r\n").await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut out)).await;
    parse(&out).assert_problem(413);
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_a_body_times_out_with_a_408() {
    let srv = Server::start(state_with(limits())).await;
    let started = Instant::now();
    let a = raw(
        srv.addr,
        b"POST /v1/issues/analyze HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"matter\":",
        Duration::from_secs(10),
    )
    .await;
    a.assert_problem(408);
    assert_eq!(a.json()["type"], "/problems/body-timeout");
    assert!(started.elapsed() < Duration::from_secs(5));
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfinished_heads_and_slowloris_connections_are_closed() {
    let srv = Server::start(state_with(limits())).await;
    // Half a header block, then silence: closed after the header timeout.
    let started = Instant::now();
    let a = raw(
        srv.addr,
        b"GET /health HTTP/1.1\r\nHost: t\r\n",
        Duration::from_secs(10),
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "held {:?}",
        started.elapsed()
    );
    assert_ne!(a.status, 200);
    // 40 slowloris connections, one header byte every 100 ms: all dropped.
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let addr = srv.addr;
        tasks.push(tokio::spawn(async move {
            let mut s = TcpStream::connect(addr).await.unwrap();
            let start = Instant::now();
            s.write_all(b"GET /health HTTP/1.1\r\n").await.unwrap();
            for b in b"X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".iter().cycle() {
                if s.write_all(&[*b]).await.is_err() || start.elapsed() > Duration::from_secs(10) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            start.elapsed()
        }));
    }
    for t in tasks {
        let held = t.await.unwrap();
        assert!(
            held < Duration::from_secs(5),
            "a slowloris connection was held {held:?}"
        );
    }
    assert_eq!(get(srv.addr, "/health", "").await.status, 200);
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_beyond_the_cap_do_not_stop_health() {
    let srv = Server::start(state_with(Limits {
        max_connections: 32,
        header_timeout: Duration::from_secs(30),
        ..limits()
    }))
    .await;
    let mut idle = Vec::new();
    for _ in 0..200 {
        idle.push(TcpStream::connect(srv.addr).await.unwrap());
    }
    for _ in 0..5 {
        let started = Instant::now();
        assert_eq!(get(srv.addr, "/health", "").await.status, 200);
        assert!(started.elapsed() < Duration::from_secs(2));
    }
    let m = get(srv.addr, "/metrics", "").await.body;
    let evicted = metric(&m, "liuyu_connections_evicted_total");
    assert!(
        evicted >= 150.0,
        "{evicted} idle connections closed to make room"
    );
    assert!(metric(&m, "liuyu_connections_open") <= 40.0);
    drop(idle);
    srv.shutdown().await;
}

/// The value of an unlabelled sample in an exposition text.
fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in\n{text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deadline_answers_504_and_stops_the_work() {
    let srv = Server::start(state_with(Limits {
        request_timeout: Duration::from_millis(300),
        ..limits()
    }))
    .await;
    let started = Instant::now();
    let a = post(
        srv.addr,
        "/v1/issues/analyze",
        Some("application/json"),
        &heavy_line(8_000),
    )
    .await;
    a.assert_problem(504);
    assert_eq!(a.json()["type"], "/problems/deadline-exceeded");
    assert!(started.elapsed() < Duration::from_secs(5));
    let pool = srv.state.pool().clone();
    wait_until("the work to stop", Duration::from_secs(10), || {
        pool.running() == 0
    })
    .await;
    let c = &pool.counts;
    assert_eq!(
        c.completed.load(Ordering::Relaxed),
        0,
        "the analysis was not run to its end"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_leaves_cancels_its_analysis() {
    let srv = Server::start(state_with(limits())).await;
    let body = heavy_line(40_000);
    let req = format!(
        "POST /v1/issues/analyze HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut s = TcpStream::connect(srv.addr).await.unwrap();
    s.write_all(req.as_bytes()).await.unwrap();
    let pool = srv.state.pool().clone();
    wait_until("the analysis to start", Duration::from_secs(20), || {
        pool.running() == 1
    })
    .await;
    drop(s);
    wait_until("the analysis to stop", Duration::from_secs(10), || {
        pool.running() == 0
    })
    .await;
    assert_eq!(
        pool.counts.cancelled.load(Ordering::Relaxed),
        1,
        "stopped by the cancellation"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_sheds_with_503_and_retry_after() {
    let srv = Server::start(state_with(Limits {
        heavy_workers: 1,
        heavy_queue: 0,
        ..limits()
    }))
    .await;
    let addr = srv.addr;
    let body = heavy_line(8_000);
    let b = body.clone();
    let first = tokio::spawn(async move {
        post(addr, "/v1/issues/analyze", Some("application/json"), &b).await
    });
    let pool = srv.state.pool().clone();
    wait_until(
        "the first analysis to start",
        Duration::from_secs(20),
        || pool.running() == 1,
    )
    .await;
    let a = post(addr, "/v1/issues/analyze", Some("application/json"), &body).await;
    a.assert_problem(503);
    assert_eq!(a.json()["type"], "/problems/overloaded");
    let retry: u64 = a.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry));
    // The cheap routes do not queue behind the heavy work.
    assert_eq!(get(addr, "/health", "").await.status, 200);
    assert_eq!(
        get(addr, "/v1/locate?lon=114.25&lat=30.6", "").await.status,
        200
    );
    assert_eq!(first.await.unwrap().status, 200);
    let m = get(addr, "/metrics", "").await.body;
    assert_eq!(metric(&m, "liuyu_work_shed_total"), 1.0);
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_within_its_deadline_and_cancels_the_work() {
    let srv = Server::start(state_with(Limits {
        shutdown_timeout: Duration::from_millis(300),
        ..limits()
    }))
    .await;
    let addr = srv.addr;
    let body = heavy_line(40_000);
    let _pending = tokio::spawn(async move {
        post(addr, "/v1/issues/analyze", Some("application/json"), &body).await
    });
    let pool = srv.state.pool().clone();
    wait_until("the analysis to start", Duration::from_secs(20), || {
        pool.running() == 1
    })
    .await;
    let started = Instant::now();
    let drained = srv.shutdown().await;
    assert!(!drained, "the analysis was still running at the deadline");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    wait_until("the work to be cancelled", Duration::from_secs(10), || {
        pool.running() == 0
    })
    .await;
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "no longer accepting"
    );
}

fn rule_file(name: &str) -> &'static str {
    liuyu::governance::rules::FILES
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap()
        .1
}

fn governance_copy(tag: &str) -> std::path::PathBuf {
    let dir = common::dataset_copy(tag);
    std::fs::create_dir_all(dir.join("governance")).unwrap();
    for (name, text) in liuyu::governance::rules::FILES {
        std::fs::write(dir.join("governance").join(name), text).unwrap();
    }
    dir
}

async fn ready_reload(addr: SocketAddr) -> Value {
    get(addr, "/ready", "").await.json()["reload"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_rules_file_fails_the_reload_and_the_old_rules_serve() {
    let dir = governance_copy("reload-corrupt");
    let state = AppState::load(DataSource::Dir(dir.clone()))
        .unwrap()
        .with_limits(limits());
    let srv = Server::start(state.clone()).await;
    let v0 = state.atlas().version().to_string();
    std::fs::write(dir.join("governance/matters.toml"), "[[matter]\nid = ").unwrap();
    let e = state.reload().unwrap_err().to_string();
    assert!(e.contains("matters.toml"), "{e}");
    for path in [
        "/v1/profile?lon=114.25&lat=30.6&date=2027-01-10",
        "/v1/obligations?date=2027-01-10",
        "/v1/governance",
    ] {
        assert_eq!(get(srv.addr, path, "").await.status, 200, "{path}");
    }
    let r = ready_reload(srv.addr).await;
    assert_eq!(r["last"]["result"], "failed");
    assert!(r["last"]["error"]
        .as_str()
        .unwrap()
        .contains("matters.toml"));
    assert!(r["last"]["at"].as_str().is_some());
    assert_eq!(r["failed"], 1);
    // A layer broken together with good rules: still nothing swapped.
    std::fs::write(
        dir.join("governance/matters.toml"),
        rule_file("matters.toml"),
    )
    .unwrap();
    std::fs::write(dir.join("layers/zones.geojson"), "{").unwrap();
    assert!(state.reload().is_err());
    assert_eq!(state.atlas().version(), v0);
    let m = get(srv.addr, "/metrics", "").await.body;
    assert!(
        m.contains("liuyu_reloads_total{result=\"failed\"} 2"),
        "{m}"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_rules_file_fails_the_reload_instead_of_falling_back() {
    let dir = governance_copy("reload-deleted");
    let state = AppState::load(DataSource::Dir(dir.clone())).unwrap();
    std::fs::remove_file(dir.join("governance/obligations.toml")).unwrap();
    let e = state.reload().unwrap_err().to_string();
    assert!(e.contains("obligations.toml") && e.contains("gone"), "{e}");
    // Restored: the reload succeeds.
    std::fs::write(
        dir.join("governance/obligations.toml"),
        rule_file("obligations.toml"),
    )
    .unwrap();
    state.reload().unwrap();
    assert_eq!(state.reload_status().1, 1);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_in_place_of_a_layer_fails_the_reload_at_once() {
    let dir = governance_copy("reload-fifo");
    let state = AppState::load(DataSource::Dir(dir.clone())).unwrap();
    let layer = dir.join("layers/counties.geojson");
    let saved = std::fs::read(&layer).unwrap();
    std::fs::remove_file(&layer).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&layer)
        .status()
        .unwrap();
    assert!(made.success());
    let started = Instant::now();
    let e = state
        .reload_within(Duration::from_secs(20))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("not a regular file"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(10));
    // A governance file replaced by a directory: refused too.
    std::fs::remove_file(&layer).unwrap();
    std::fs::write(&layer, saved).unwrap();
    std::fs::remove_file(dir.join("governance/bodies.toml")).unwrap();
    std::fs::create_dir(dir.join("governance/bodies.toml")).unwrap();
    assert!(state.reload_within(Duration::from_secs(20)).await.is_err());
    std::fs::remove_dir(dir.join("governance/bodies.toml")).unwrap();
    std::fs::write(dir.join("governance/bodies.toml"), rule_file("bodies.toml")).unwrap();
    // The next reload works: nothing is stuck.
    assert!(state.reload_within(Duration::from_secs(20)).await.is_ok());
    let (last, ok, failed) = state.reload_status();
    assert_eq!((last.unwrap().result, ok, failed), ("ok", 1, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_that_takes_too_long_is_abandoned() {
    let dir = governance_copy("reload-slow");
    let state = AppState::load(DataSource::Dir(dir)).unwrap();
    let before = state.snapshot().loaded_at();
    // Full validation of a dataset directory takes far more than a millisecond.
    let e = state
        .reload_within(Duration::from_millis(1))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("did not finish"), "{e}");
    assert_eq!(state.reload_status().0.unwrap().result, "timeout");
    // When the abandoned load finishes, its snapshot is dropped, not swapped in.
    let st = state.clone();
    wait_until(
        "the abandoned load to end",
        Duration::from_secs(120),
        || st.reloads_abandoned() == 1,
    )
    .await;
    assert_eq!(state.snapshot().loaded_at(), before);
    assert!(Atlas::embedded().is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_parsing_and_headers() {
    let srv = Server::start(state_with(limits())).await;
    let a = srv.addr;
    // Navigation modes exactly UM|UT|DM|DD; another case is a 301.
    let r = get(a, "/v1/navigate/um?lon=114.25&lat=30.57", "").await;
    assert_eq!(r.status, 301);
    assert_eq!(
        r.header("location").as_deref(),
        Some("/v1/navigate/UM?lon=114.25&lat=30.57")
    );
    get(a, "/v1/navigate/XX?lon=114.25&lat=30.57", "")
        .await
        .assert_problem(400);
    assert_eq!(
        get(a, "/v1/navigate/UM?lon=114.25&lat=30.57", "")
            .await
            .status,
        200
    );
    // OGC bbox: south above north is a 400; west east of east crosses the antimeridian.
    get(a, "/ogc/collections/counties/items?bbox=115,31,113,29", "")
        .await
        .assert_problem(400);
    let across = get(
        a,
        "/ogc/collections/counties/items?bbox=115,29,113,31&limit=1000",
        "",
    )
    .await
    .json();
    let inside = get(
        a,
        "/ogc/collections/counties/items?bbox=113,29,115,31&limit=1000",
        "",
    )
    .await
    .json();
    let ids = |v: &Value| -> Vec<String> {
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (across, inside) = (ids(&across), ids(&inside));
    assert!(
        !across.is_empty() && !across.contains(&"420103".to_string()),
        "{across:?}"
    );
    assert!(inside.contains(&"420103".to_string()));
    // Dates run through year 9999 (the last the calendar type holds); a
    // five-digit year is a 400 problem, never a 500.
    for date in ["9999-12-31", "9999-01-01"] {
        let r = get(
            a,
            &format!("/v1/profile?lon=114.25&lat=30.6&date={date}"),
            "",
        )
        .await;
        assert_eq!(r.status, 200, "date {date}");
        let r = get(a, &format!("/v1/obligations?date={date}"), "").await;
        assert_eq!(r.status, 200, "date {date}");
    }
    get(a, "/v1/profile?lon=114.25&lat=30.6&date=10000-01-01", "")
        .await
        .assert_problem(400);
    // POST bodies must say they are JSON.
    post(a, "/v1/issues/analyze", Some("text/plain"), "{}")
        .await
        .assert_problem(415);
    post(a, "/v1/issues/analyze", None, "{}")
        .await
        .assert_problem(415);
    // Oversized heads answer problem+json.
    let long = format!("/v1/locate?lon=114.25&lat=30.6&pad={}", "a".repeat(9000));
    get(a, &long, "").await.assert_problem(414);
    let many: String = (0..80).map(|i| format!("X-H{i}: v\r\n")).collect();
    get(a, "/health", &many).await.assert_problem(431);
    // nosniff everywhere; CORS on /v1 for allowed origins only.
    for path in [
        "/health",
        "/v1/locate?lon=114.25&lat=30.6",
        "/nope",
        "/tiles/hubei.json",
    ] {
        let r = get(a, path, "").await;
        assert_eq!(
            r.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
    }
    let r = get(
        a,
        "/v1/locate?lon=114.25&lat=30.6",
        "Origin: http://localhost:5173\r\n",
    )
    .await;
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some("http://localhost:5173")
    );
    let r = get(
        a,
        "/v1/locate?lon=114.25&lat=30.6",
        "Origin: http://evil.example\r\n",
    )
    .await;
    assert_eq!(r.header("access-control-allow-origin"), None);
    let pre = raw(
        a,
        b"OPTIONS /v1/issues/analyze HTTP/1.1\r\nHost: t\r\nOrigin: http://localhost:5173\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\nConnection: close\r\n\r\n",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(pre.status, 200);
    assert!(pre
        .header("access-control-allow-methods")
        .unwrap()
        .contains("POST"));
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_in_prometheus_text_format() {
    let srv = Server::start(state_with(limits())).await;
    get(srv.addr, "/v1/locate?lon=114.25&lat=30.6", "").await;
    get(srv.addr, "/tiles/hubei/7/104/53.mvt", "").await;
    get(srv.addr, "/tiles/hubei/7/104/53.mvt", "").await;
    let r = get(srv.addr, "/metrics", "").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let m = r.body;
    assert!(
        m.contains(
            "liuyu_http_requests_total{route=\"/v1/locate\",method=\"GET\",status=\"200\"} 1\n"
        ),
        "{m}"
    );
    assert!(m.contains(
        "liuyu_http_request_duration_seconds_bucket{route=\"/v1/locate\",le=\"+Inf\"} 1\n"
    ));
    assert!(m.contains("liuyu_http_requests_total{route=\"/tiles/{layers}/{z}/{x}/{y}\",method=\"GET\",status=\"200\"} 2\n"));
    assert_eq!(metric(&m, "liuyu_tile_cache_hits_total"), 1.0);
    assert_eq!(metric(&m, "liuyu_tile_cache_misses_total"), 1.0);
    assert_eq!(
        metric(&m, "liuyu_http_requests_in_flight"),
        1.0,
        "this scrape"
    );
    assert!(metric(&m, "liuyu_connections_open") >= 1.0);
    for family in [
        "liuyu_work_running",
        "liuyu_work_queued",
        "liuyu_work_shed_total",
        "liuyu_snapshot_loaded_timestamp_seconds",
        "liuyu_pmtiles_fallbacks_total",
    ] {
        assert!(m.contains(&format!("# TYPE {family} ")), "{family}");
    }
    srv.shutdown().await;
}

fn committed_archive() -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tiles/hubei.pmtiles"))
        .unwrap()
}

#[test]
fn serve_refuses_a_truncated_or_bit_flipped_archive_at_start() {
    use liuyu::tiles::pmtiles::{Archive, Header};
    let good = committed_archive();
    let h = Header::parse(&good).unwrap();
    let a = Archive::from_bytes(good.clone().into()).unwrap();
    let t = liuyu::tiles::TileId::new(7, 104, 53).unwrap();
    let tile = a.get(t).unwrap().unwrap();
    let at = good
        .windows(tile.len())
        .position(|w| w == &tile[..])
        .unwrap();
    let mut flipped = good.clone();
    flipped[at + tile.len() / 2] ^= 0x01;
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("pmtiles-bad");
    std::fs::create_dir_all(&dir).unwrap();
    let cut = (h.data.0 + h.data.1 / 2) as usize;
    for (name, bytes) in [
        ("truncated.pmtiles", &good[..cut]),
        ("flipped.pmtiles", &flipped[..]),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_liuyu"))
            .args(["serve", "--addr", "127.0.0.1:0", "--pmtiles"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--pmtiles") && err.contains(name), "{err}");
    }
}

#[test]
fn an_archive_read_error_falls_back_to_live_encoding() {
    use liuyu::server::MapsConfig;
    use liuyu::tiles::http::get_tile;
    use liuyu::tiles::pmtiles::Archive;
    use liuyu::tiles::service::MapsService;
    let good = committed_archive();
    let t = liuyu::tiles::TileId::new(7, 104, 53).unwrap();
    let tile = Archive::from_bytes(good.clone().into())
        .unwrap()
        .get(t)
        .unwrap()
        .unwrap();
    let at = good
        .windows(tile.len())
        .position(|w| w == &tile[..])
        .unwrap();
    let mut flipped = good;
    flipped[at + tile.len() / 2] ^= 0x01;
    let atlas = Atlas::embedded().unwrap();
    let source = liuyu::tiles::atlas::from_atlas(&atlas);
    let mut svc = MapsService::fixed(source, MapsConfig::default()).unwrap();
    // Parsed but not verified, as if the file had changed under a running server.
    svc.archive = Some(Archive::from_bytes(flipped.into()).unwrap());
    let src = svc.source();
    let layers: Vec<String> = src.layers.iter().map(|l| l.id.clone()).collect();
    let served = get_tile(&svc, &src, "hubei", &layers, t).expect("live encoding");
    let live = svc
        .tileset(&src)
        .render(&layers.iter().map(String::as_str).collect::<Vec<_>>(), t)
        .unwrap();
    assert_eq!(served.raw().unwrap(), live);
    assert_eq!(svc.archive_errors.load(Ordering::Relaxed), 1);
    // Cached: the broken archive is not read again for this tile.
    get_tile(&svc, &src, "hubei", &layers, t).unwrap();
    assert_eq!(svc.archive_errors.load(Ordering::Relaxed), 1);
}

/// The files under `dir` (recursively) ending in `.rs`, with their text.
fn rust_sources(dir: &std::path::Path) -> Vec<(std::path::PathBuf, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path, text));
        }
    }
    out
}

/// The "Layout" case: one server layer. `src/server/` holds state,
/// the problem type, middleware and the router; only its router names the
/// domains' HTTP modules, no domain reaches back into the router or the
/// middleware, the old `src/http` layer is gone, and `src/web` keeps only the
/// page, style, sprite and glyphs (no problem type, CORS or header layer of
/// its own).
#[test]
fn one_server_layer_with_dependencies_pointing_into_it() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for part in [
        "state.rs",
        "problem.rs",
        "middleware.rs",
        "router.rs",
        "work.rs",
        "conn.rs",
        "metrics.rs",
    ] {
        assert!(src.join("server").join(part).is_file(), "src/server/{part}");
    }
    let old = src.join("http");
    assert!(
        !old.exists() || rust_sources(&old).is_empty(),
        "src/http still holds Rust code"
    );
    const DOMAINS: [&str; 9] = [
        "locate",
        "governance",
        "hydro",
        "formats",
        "tiles",
        "ogc",
        "web",
        "crs",
        "attribute",
    ];
    for (path, text) in rust_sources(&src.join("server")) {
        if path.ends_with("router.rs") {
            continue;
        }
        for d in DOMAINS {
            for needle in [format!("crate::{d}::http"), format!("crate::{d}::routes")] {
                assert!(
                    !text.contains(&needle),
                    "{} names a domain's routes ({needle}); only router.rs may",
                    path.display()
                );
            }
        }
    }
    for (path, text) in rust_sources(&src) {
        if path.starts_with(src.join("server")) {
            continue;
        }
        for needle in ["server::router", "server::middleware", "crate::http::"] {
            assert!(
                !text.contains(needle),
                "{} reaches into {needle}: domains use the server layer's state, \
                 problem, work and parsing helpers only",
                path.display()
            );
        }
    }
    let mut web: Vec<String> = rust_sources(&src.join("web"))
        .into_iter()
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    web.sort();
    assert_eq!(web, ["glyphs.rs", "mod.rs", "sprite.rs", "style.rs"]);
    for (path, text) in rust_sources(&src.join("web")) {
        for needle in [
            "CorsLayer",
            "fn problem",
            "X_CONTENT_TYPE_OPTIONS",
            "struct Problem",
        ] {
            assert!(
                !text.contains(needle),
                "{} has its own {needle}; the server layer owns it",
                path.display()
            );
        }
    }
}
