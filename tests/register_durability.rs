//! Durability of the register against the real server binary (持久性): 1,000
//! concurrent case creations and status changes, SIGKILL part-way through,
//! a restart on the same state, and then every write that was acknowledged
//! (2xx) is there and nothing is half-applied (`liuyu db check`: each case's
//! version equals its events, its status its last event, every case has its
//! creation event and places). Unacknowledged creations retried with their
//! `Idempotency-Key` after the restart give exactly one case each.
//!
//! SQLite always; PostgreSQL when `LIUYU_TEST_DATABASE_URL` is set.

mod common;
mod register_common;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use register_common::live::{at_args, cli_token, free_port, http, start, BIN};

/// Operations in the concurrent phase, and how many acknowledged writes before the kill.
const OPS: usize = 1_000;
const KILL_AFTER: usize = 400;
/// Cases created before the concurrent phase, for its status changes.
const TARGETS: usize = 100;

/// `liuyu db check` through the CLI: the report, and whether it exited 0.
fn db_check(at: &(String, String)) -> (Value, bool) {
    let out = Command::new(BIN)
        .args(["db", "check"])
        .args(at_args(at))
        .output()
        .unwrap();
    (
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        out.status.success(),
    )
}

const PLACES: [&[&str]; 4] = [
    &["420700", "421100"],
    &["420111", "420115"],
    &["420702", "420704"],
    &["420600", "420800"],
];

fn case_body(i: usize) -> Value {
    json!({"title": format!("durability {i}"), "description": "d", "matter": "water", "places": PLACES[i % PLACES.len()]})
}

/// What the clients saw acknowledged.
#[derive(Default)]
struct Acked {
    /// Idempotency key -> case id, for acknowledged creations.
    created: BTreeMap<String, String>,
    /// (case id, version) -> status, for acknowledged changes.
    changed: BTreeMap<(String, i64), String>,
    /// Keys of creations that got no 2xx.
    unacked: Vec<String>,
}

async fn create(addr: SocketAddr, auth: &str, i: usize, acked: &Mutex<Acked>, n: &AtomicUsize) {
    let key = format!("dur-{i}");
    let r = http(
        addr,
        "POST",
        "/v1/cases",
        &[("Authorization", auth), ("Idempotency-Key", &key)],
        Some(&case_body(i)),
    )
    .await;
    let mut a = acked.lock().unwrap();
    match r {
        Ok(r) if r.status == 201 => {
            a.created
                .insert(key, r.json()["id"].as_str().unwrap().to_string());
            n.fetch_add(1, Ordering::SeqCst);
        }
        Ok(r) if r.status < 500 && r.status != 503 => panic!(
            "create {i}: {} {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        ),
        _ => a.unacked.push(key),
    }
}

/// A status change as a client makes it: read the ETag, change, and on a
/// lost update (412) read again and retry, up to three times.
async fn change(addr: SocketAddr, auth: &str, id: &str, acked: &Mutex<Acked>, n: &AtomicUsize) {
    let path = format!("/v1/cases/{id}");
    for _ in 0..3 {
        let Ok(cur) = http(addr, "GET", &path, &[("Authorization", auth)], None).await else {
            return;
        };
        if cur.status != 200 {
            return;
        }
        let tag = cur.headers.get("etag").cloned().unwrap_or_default();
        let next = if cur.json()["status"] == "coordinating" {
            "escalated"
        } else {
            "coordinating"
        };
        let body = json!({"status": next, "note": format!("to {next}")});
        let Ok(r) = http(
            addr,
            "PATCH",
            &path,
            &[("Authorization", auth), ("If-Match", &tag)],
            Some(&body),
        )
        .await
        else {
            return;
        };
        match r.status {
            200 => {
                let v = r.json()["version"].as_i64().unwrap();
                acked
                    .lock()
                    .unwrap()
                    .changed
                    .insert((id.to_string(), v), next.to_string());
                n.fetch_add(1, Ordering::SeqCst);
                return;
            }
            412 => continue,
            503 => return,
            s => panic!("change {id}: {s} {}", String::from_utf8_lossy(&r.body)),
        }
    }
}

/// Checks every acknowledged write after the restart.
async fn verify(addr: SocketAddr, auth: &str, acked: &Acked) {
    for id in acked.created.values() {
        let r = http(
            addr,
            "GET",
            &format!("/v1/cases/{id}"),
            &[("Authorization", auth)],
            None,
        )
        .await
        .unwrap();
        assert_eq!(r.status, 200, "acknowledged case {id} lost");
    }
    let mut logs: HashMap<String, Vec<Value>> = HashMap::new();
    for ((id, version), status) in &acked.changed {
        if !logs.contains_key(id) {
            let r = http(
                addr,
                "GET",
                &format!("/v1/cases/{id}/events"),
                &[("Authorization", auth)],
                None,
            )
            .await
            .unwrap();
            logs.insert(id.clone(), r.json()["events"].as_array().unwrap().clone());
        }
        let ev = &logs[id];
        let e = ev
            .iter()
            .find(|e| e["seq"] == *version)
            .unwrap_or_else(|| panic!("acknowledged change {id} v{version} lost"));
        assert_eq!(e["to"], status.as_str(), "{id} v{version}");
    }
}

async fn run(at: (String, String), label: &str) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("server.log");
    let token = cli_token(&at, "office", "420000");
    let auth = format!("Bearer {token}");
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let mut server = start(&at, addr, &log).await;
    // A failed authentication is logged without the token.
    let bad = format!("liuyu_{}", "ef".repeat(32));
    let r = http(
        addr,
        "GET",
        "/v1/cases",
        &[("Authorization", &format!("Bearer {bad}"))],
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.status, 401);
    // Cases to change during the concurrent phase.
    let acked = Arc::new(Mutex::new(Acked::default()));
    let n = Arc::new(AtomicUsize::new(0));
    for i in 0..TARGETS {
        create(addr, &auth, 100_000 + i, &acked, &n).await;
    }
    let targets: Vec<String> = acked.lock().unwrap().created.values().cloned().collect();
    assert_eq!(targets.len(), TARGETS);
    n.store(0, Ordering::SeqCst);
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..OPS {
        let (acked, n, auth, targets) = (acked.clone(), n.clone(), auth.clone(), targets.clone());
        tasks.push(tokio::spawn(async move {
            // Arrivals spread over two seconds (deterministic), so that the kill
            // finds creations and changes alike in flight.
            tokio::time::sleep(Duration::from_millis(((i * 37) % 2000) as u64)).await;
            if i % 2 == 0 {
                create(addr, &auth, i, &acked, &n).await;
            } else {
                change(addr, &auth, &targets[i % targets.len()], &acked, &n).await;
            }
        }));
    }
    while n.load(Ordering::SeqCst) < KILL_AFTER && t0.elapsed() < Duration::from_secs(300) {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    server.kill().expect("SIGKILL");
    let _ = server.wait();
    let at_kill = n.load(Ordering::SeqCst);
    for t in tasks {
        t.await.unwrap();
    }
    let a = std::mem::take(&mut *acked.lock().unwrap());
    eprintln!(
        "[{label}] {OPS} operations, SIGKILL after {at_kill} acknowledged writes ({:.1} s); acknowledged: {} creations, {} changes; unacknowledged creations: {}",
        t0.elapsed().as_secs_f64(),
        a.created.len() - TARGETS,
        a.changed.len(),
        a.unacked.len()
    );
    assert!(
        at_kill >= KILL_AFTER,
        "the server was killed before {KILL_AFTER} acknowledged writes"
    );
    assert!(
        !a.unacked.is_empty(),
        "the kill came after every write: nothing was interrupted"
    );
    // Nothing half-applied: the register's own check, from the CLI, with the server down.
    let (report, ok) = db_check(&at);
    assert!(ok, "[{label}] db check after SIGKILL: {report}");
    assert!(report["problems"].as_array().unwrap().is_empty());
    let mut server = start(&at, addr, &log).await;
    verify(addr, &auth, &a).await;
    // Retrying the unacknowledged creations with their keys gives one case per key.
    let mut ids = std::collections::BTreeSet::new();
    let mut replayed = 0;
    for key in &a.unacked {
        let i: usize = key.trim_start_matches("dur-").parse().unwrap();
        let r = http(
            addr,
            "POST",
            "/v1/cases",
            &[("Authorization", &auth), ("Idempotency-Key", key)],
            Some(&case_body(i)),
        )
        .await
        .unwrap();
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        replayed += usize::from(r.headers.contains_key("idempotent-replayed"));
        ids.insert(r.json()["id"].as_str().unwrap().to_string());
    }
    assert_eq!(ids.len(), a.unacked.len());
    assert!(ids.iter().all(|id| !a.created.values().any(|c| c == id)));
    eprintln!("[{label}] after restart: every acknowledged write present; {replayed} of {} unacknowledged creations had been committed (replayed)", a.unacked.len());
    let total = (a.created.len() + a.unacked.len()) as u64;
    server.kill().unwrap();
    let _ = server.wait();
    let (report, ok) = db_check(&at);
    assert!(ok, "{report}");
    assert_eq!(report["counts"]["cases"], total);
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("authentication failed"),
        "the failed authentication was not logged"
    );
    assert!(
        !logged.contains(&bad) && !logged.contains(&token),
        "a token appears in the server log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    run(("--state".into(), state.display().to_string()), "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_survives_sigkill() {
    let Some(base) = register_common::pg_base() else {
        eprintln!(
            "postgres_survives_sigkill: skipped ({} not set)",
            register_common::PG_ENV
        );
        return;
    };
    let url = register_common::fresh_pg_database(&base, "durability").await;
    run(("--database".into(), url), "postgres").await;
}
