//! The register's command line against the real binary: tokens (shown once,
//! stored hashed, listed, revoked), `db migrate`, `db check`, and an online
//! backup restored into a fresh state directory (and into PostgreSQL when
//! `LIUYU_TEST_DATABASE_URL` is set) giving identical records.

mod common;
mod register_common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use register_common::live::{cli, cli_token, free_port, http, start};
use serde_json::{json, Value};

fn state(dir: &std::path::Path, name: &str) -> (String, String) {
    ("--state".into(), dir.join(name).display().to_string())
}

fn args<'a>(at: &'a (String, String), rest: &[&'a str]) -> Vec<&'a str> {
    let mut v: Vec<&str> = rest.to_vec();
    v.push(&at.0);
    v.push(&at.1);
    v
}

#[test]
fn tokens_are_shown_once_stored_hashed_listed_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let at = state(dir.path(), "s");
    let (t, err, ok) = cli(&args(
        &at,
        &[
            "token",
            "create",
            "--role",
            "department",
            "--jurisdiction",
            "420700",
            "--department",
            "eco_environment",
            "--name",
            "鄂州市生态环境局",
        ],
    ));
    assert!(ok, "{err}");
    assert!(err.contains("shown once"));
    let secret = t["token"].as_str().unwrap();
    assert!(secret.starts_with("liuyu_") && secret.len() == 70);
    assert_eq!(t["role"], "department");
    assert_eq!(t["department"], "eco_environment");
    // The state directory holds the SHA-256, never the token.
    let db = std::fs::read(dir.path().join("s/register.sqlite3")).unwrap();
    let wal = std::fs::read(dir.path().join("s/register.sqlite3-wal")).unwrap_or_default();
    let hay = [db, wal].concat();
    let find = |needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    assert!(!find(secret.as_bytes()), "the token is stored in clear");
    let hash = liuyu::register::token::hash(secret);
    assert!(find(hash.as_bytes()), "the hash is not stored");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("s"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the state directory is readable by others: {mode:o}"
        );
    }
    let (list, _, ok) = cli(&args(&at, &["token", "list"]));
    assert!(ok);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(list[0].get("token").is_none() && list[0].get("hash").is_none());
    let id = t["id"].as_str().unwrap();
    let (r, _, ok) = cli(&args(&at, &["token", "revoke", id]));
    assert!(ok);
    assert!(r["revoked_at"].is_string());
    // Bad input: exit code 2 with a message.
    for bad in [
        vec![
            "token",
            "create",
            "--role",
            "department",
            "--jurisdiction",
            "420700",
            "--name",
            "x",
        ],
        vec![
            "token",
            "create",
            "--role",
            "office",
            "--jurisdiction",
            "420700",
            "--department",
            "eco_environment",
            "--name",
            "x",
        ],
        vec![
            "token",
            "create",
            "--role",
            "office",
            "--jurisdiction",
            "110000",
            "--name",
            "x",
        ],
        vec![
            "token",
            "create",
            "--role",
            "department",
            "--jurisdiction",
            "420700",
            "--department",
            "nope",
            "--name",
            "x",
        ],
        vec![
            "token",
            "create",
            "--role",
            "office",
            "--jurisdiction",
            "420700",
            "--name",
            " ",
        ],
        vec!["token", "revoke", "tok_0000000000000000"],
    ] {
        let out = std::process::Command::new(register_common::live::BIN)
            .args(args(&at, &bad))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{bad:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: "));
    }
    // Without --state or --database: exit 2.
    let out = std::process::Command::new(register_common::live::BIN)
        .args(["db", "check"])
        .env_remove("LIUYU_STATE")
        .env_remove("LIUYU_DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // db check on a state directory that does not exist: exit 1, nothing created.
    let (_, _, ok) = cli(&args(&state(dir.path(), "missing"), &["db", "check"]));
    assert!(!ok);
    assert!(!dir.path().join("missing").exists());
}

/// Writes through the running server: cases in three prefectures, status
/// changes, filings.
async fn populate(addr: SocketAddr, auth: &str, n: usize) {
    populate_keyed(addr, auth, n, None).await
}

/// [`populate`], creating each case `i` with `Idempotency-Key: {key}-{i}` when given.
async fn populate_keyed(addr: SocketAddr, auth: &str, n: usize, key: Option<&str>) {
    let places = [
        ["420700", "421100"],
        ["420111", "420115"],
        ["420600", "420800"],
    ];
    for i in 0..n {
        let body = json!({"title": format!("case {i}"), "description": "d", "matter": "water", "places": places[i % 3]});
        let k = key.map(|k| format!("{k}-{i}"));
        let mut h = vec![("Authorization", auth)];
        if let Some(k) = &k {
            h.push(("Idempotency-Key", k.as_str()));
        }
        let r = http(addr, "POST", "/v1/cases", &h, Some(&body))
            .await
            .unwrap();
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        if i % 2 == 0 {
            let id = r.json()["id"].as_str().unwrap().to_string();
            let c = json!({"status": "coordinating", "note": format!("n{i}")});
            let p = http(
                addr,
                "PATCH",
                &format!("/v1/cases/{id}"),
                &[("Authorization", auth), ("If-Match", "\"v1\"")],
                Some(&c),
            )
            .await
            .unwrap();
            assert_eq!(p.status, 200);
        }
    }
}

async fn filings(addr: SocketAddr, auth: &str) {
    for (i, adcode) in ["420100", "420700", "421100"].iter().enumerate() {
        let f = json!({"obligation": "prefecture_annual_report", "year": 2025 - i as i64, "body": {"adcode": adcode, "id": "government"}, "filed_on": "2026-01-20", "document_ref": "x"});
        let r = http(
            addr,
            "POST",
            "/v1/filings",
            &[("Authorization", auth)],
            Some(&f),
        )
        .await
        .unwrap();
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    }
}

/// Everything the API shows a provincial reader, for comparing two servers.
async fn everything(addr: SocketAddr, auth: &str) -> Value {
    let h = [("Authorization", auth)];
    let cases = http(addr, "GET", "/v1/cases?limit=500", &h, None)
        .await
        .unwrap()
        .json();
    let mut full = Vec::new();
    for c in cases["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let one = http(addr, "GET", &format!("/v1/cases/{id}"), &h, None)
            .await
            .unwrap()
            .json();
        let ev = http(addr, "GET", &format!("/v1/cases/{id}/events"), &h, None)
            .await
            .unwrap()
            .json();
        full.push(json!({"case": one, "events": ev}));
    }
    let filings = http(addr, "GET", "/v1/filings?limit=500", &h, None)
        .await
        .unwrap()
        .json();
    json!({"cases": cases, "full": full, "filings": filings})
}

fn check(at: &(String, String)) -> Value {
    let (v, err, ok) = cli(&args(at, &["db", "check"]));
    assert!(ok, "db check {at:?}: {v} {err}");
    assert!(v["problems"].as_array().unwrap().is_empty());
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn online_backup_restores_into_a_fresh_state_dir_with_identical_records() {
    let dir = tempfile::tempdir().unwrap();
    let a = state(dir.path(), "a");
    let (m, err, ok) = cli(&args(&a, &["db", "migrate"]));
    assert!(ok, "{err}");
    assert_eq!(m["applied_migrations"], json!([1]));
    let office = cli_token(&a, "office", "420000");
    let reader = cli_token(&a, "reader", "420000");
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let mut server = start(&a, addr, &dir.path().join("a.log")).await;
    let auth = format!("Bearer {office}");
    populate_keyed(addr, &auth, 30, Some("backup")).await;
    filings(addr, &auth).await;
    let first = http(
        addr,
        "GET",
        "/v1/cases?limit=500",
        &[("Authorization", &auth)],
        None,
    )
    .await
    .unwrap()
    .json();
    let first = first["cases"].as_array().unwrap().last().unwrap()["id"].clone();
    // Online: a backup taken while writes go on is a consistent snapshot.
    let busy = Arc::new(AtomicBool::new(true));
    let writer = {
        let (busy, auth) = (busy.clone(), auth.clone());
        tokio::spawn(async move {
            let mut i = 0;
            while busy.load(Ordering::SeqCst) {
                populate(addr, &auth, 3).await;
                i += 1;
            }
            i
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let during = dir.path().join("during.sqlite3");
    let (b, err, ok) = tokio::task::spawn_blocking({
        let (a, during) = (a.clone(), during.clone());
        move || cli(&args(&a, &["db", "backup", during.to_str().unwrap()]))
    })
    .await
    .unwrap();
    assert!(ok, "{err}");
    busy.store(false, Ordering::SeqCst);
    let rounds = writer.await.unwrap();
    assert!(rounds > 0);
    assert!(b["counts"]["cases"].as_u64().unwrap() >= 30);
    check(&(
        "--database".into(),
        format!("sqlite://{}", during.display()),
    ));
    // With writes stopped: back up, restore into a fresh state directory.
    let file = dir.path().join("backup.sqlite3");
    let (_, err, ok) = cli(&args(&a, &["db", "backup", file.to_str().unwrap()]));
    assert!(ok, "{err}");
    assert!(!dir.path().join("backup.sqlite3.partial").exists());
    assert!(
        !dir.path().join("backup.sqlite3-wal").exists(),
        "the backup is not self-contained"
    );
    let (_, err, ok) = cli(&args(&a, &["db", "backup", file.to_str().unwrap()]));
    assert!(!ok && err.contains("exists"), "a backup overwrote a file");
    let b_at = state(dir.path(), "b");
    let (r, err, ok) = cli(&args(&b_at, &["db", "restore", file.to_str().unwrap()]));
    assert!(ok, "{err}");
    assert_eq!(r["counts"]["tokens"], 2);
    assert_eq!(r["counts"]["idempotency_keys"], 30);
    // A second restore into the same (now full) register is refused.
    let (_, err, ok) = cli(&args(&b_at, &["db", "restore", file.to_str().unwrap()]));
    assert!(!ok && err.contains("not empty"), "{err}");
    // Identical records: the digests of the source, the backup and the restore.
    let (ca, cb) = (check(&a), check(&b_at));
    let cf = check(&("--database".into(), format!("sqlite://{}", file.display())));
    assert_eq!(ca["records_digest"], cb["records_digest"]);
    assert_eq!(ca["records_digest"], cf["records_digest"]);
    assert_eq!(ca["counts"], cb["counts"]);
    // Checking a backup leaves it as it was: a rollback-journal file (header
    // bytes 18-19 = 1, 1; WAL would be 2, 2), so it stays one self-contained file.
    let header = std::fs::read(&file).unwrap();
    assert_eq!(&header[18..20], &[1, 1]);
    // And the same answers from a server on the restored directory, the same tokens working.
    let rauth = format!("Bearer {reader}");
    let before = everything(addr, &rauth).await;
    server.kill().unwrap();
    let _ = server.wait();
    let addr_b: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let mut server_b = start(&b_at, addr_b, &dir.path().join("b.log")).await;
    let after = everything(addr_b, &rauth).await;
    assert_eq!(before, after);
    // The idempotency keys came along: a retry of the first creation replays it.
    let body = json!({"title": "case 0", "description": "d", "matter": "water", "places": ["420700", "421100"]});
    let h = [
        ("Authorization", auth.as_str()),
        ("Idempotency-Key", "backup-0"),
    ];
    let again = http(addr_b, "POST", "/v1/cases", &h, Some(&body))
        .await
        .unwrap();
    assert_eq!(again.status, 201);
    assert_eq!(
        again.headers.get("idempotent-replayed").map(String::as_str),
        Some("true")
    );
    assert_eq!(again.json()["id"], first);
    assert!(before["full"].as_array().unwrap().len() >= 30);
    server_b.kill().unwrap();
    let _ = server_b.wait();
    // Into PostgreSQL too, when configured: the same digest.
    if let Some(base) = register_common::pg_base() {
        let url = register_common::fresh_pg_database(&base, "restore").await;
        let pg = ("--database".to_string(), url);
        let (_, err, ok) = cli(&args(&pg, &["db", "restore", file.to_str().unwrap()]));
        assert!(ok, "{err}");
        assert_eq!(check(&pg)["records_digest"], ca["records_digest"]);
        // And back: a backup of PostgreSQL restores into SQLite with the same digest.
        let back = dir.path().join("from-pg.sqlite3");
        let (_, err, ok) = cli(&args(&pg, &["db", "backup", back.to_str().unwrap()]));
        assert!(ok, "{err}");
        let c = state(dir.path(), "c");
        let (_, err, ok) = cli(&args(&c, &["db", "restore", back.to_str().unwrap()]));
        assert!(ok, "{err}");
        assert_eq!(check(&c)["records_digest"], ca["records_digest"]);
    } else {
        eprintln!(
            "restore into PostgreSQL skipped ({} not set)",
            register_common::PG_ENV
        );
    }
}

#[test]
fn db_check_finds_a_half_applied_change() {
    // Tamper with a register behind the application's back (a status changed
    // without its event): `db check` must say so and exit 1.
    let dir = tempfile::tempdir().unwrap();
    let at = state(dir.path(), "s");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let r = register_common::open(
            "sqlite",
            liuyu::register::Location::StateDir(dir.path().join("s")),
            None,
        )
        .await;
        let tok = r.token(liuyu::register::Role::Office, "420700", None).await;
        r.case(&tok, &["420702", "420704"], "water").await;
        sqlx::query("UPDATE cases SET status = 'resolved'")
            .execute(r.store.reader())
            .await
            .unwrap();
        r.store.close().await;
    });
    let (v, _, ok) = cli(&args(&at, &["db", "check"]));
    assert!(!ok);
    let problems = v["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.as_str().unwrap().contains("status differs")),
        "{v}"
    );
}

/// Failed authentications against the real server: logged with the peer, the
/// route and the reason (and a revoked token's id), never with the token.
#[tokio::test]
async fn failed_authentication_is_logged_without_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let at = state(dir.path(), "s");
    let (made, err, ok) = cli(&args(
        &at,
        &[
            "token",
            "create",
            "--role",
            "office",
            "--jurisdiction",
            "420700",
            "--name",
            "old",
        ],
    ));
    assert!(ok, "{err}");
    let (revoked, revoked_id) = (
        made["token"].as_str().unwrap().to_string(),
        made["id"].as_str().unwrap().to_string(),
    );
    let (_, err, ok) = cli(&args(&at, &["token", "revoke", &revoked_id]));
    assert!(ok, "{err}");
    let good = cli_token(&at, "reader", "420700");
    let unknown = format!("liuyu_{}", "7e".repeat(32));
    let malformed = "liuyu_secret-looking-but-malformed";
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let log = dir.path().join("serve.log");
    let mut server = start(&at, addr, &log).await;
    for t in [&revoked, &unknown, &malformed.to_string(), &good] {
        let h = format!("Bearer {t}");
        let r = http(
            addr,
            "GET",
            "/v1/cases?status=open",
            &[("Authorization", &h)],
            None,
        )
        .await
        .unwrap();
        let want = if t == &good { 200 } else { 401 };
        assert_eq!(r.status, want, "{}", String::from_utf8_lossy(&r.body));
    }
    server.kill().unwrap();
    let _ = server.wait();
    let text = std::fs::read_to_string(&log).unwrap();
    let failed: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("authentication failed"))
        .collect();
    assert_eq!(failed.len(), 3, "{text}");
    for reason in ["revoked token", "unknown token", "malformed bearer token"] {
        assert!(
            failed.iter().any(|l| l.contains(reason)),
            "{reason}: {text}"
        );
    }
    assert!(failed
        .iter()
        .all(|l| l.contains("/v1/cases") && l.contains("127.0.0.1")));
    assert!(failed.iter().any(|l| l.contains(&revoked_id)), "{text}");
    // Neither the whole secret nor its random part appears anywhere in the log.
    for secret in [&revoked, &unknown, &good] {
        let random = secret.trim_start_matches("liuyu_");
        assert!(!text.contains(random), "a token is in the log:\n{text}");
    }
    assert!(!text.contains("secret-looking"), "{text}");
}
