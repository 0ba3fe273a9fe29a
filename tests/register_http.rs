//! The register over HTTP (登记簿): the authorization matrix (every route ×
//! role × in/out of jurisdiction × no/invalid/revoked token), optimistic
//! concurrency, idempotent creation, the workflow, paging and filters, the
//! limiter of failed authentications — on SQLite, and on PostgreSQL when
//! `LIUYU_TEST_DATABASE_URL` is set.

mod common;
mod register_common;

use std::time::Duration;

use liuyu::register::scope::Role;
use liuyu::register::{Place, Register};
use register_common::Reg;
use serde_json::{json, Value};

/// A filing of the 十一 prefecture report for `adcode`'s `body` on 2025, filed
/// in January 2026 (dates in the past: a filing dated after today is refused).
fn prefecture_filing(adcode: &str, body: &str) -> Value {
    json!({
        "obligation": "prefecture_annual_report",
        "year": 2025,
        "body": {"adcode": adcode, "id": body},
        "filed_on": "2026-01-20",
        "document_ref": format!("{adcode}〔2026〕1号"),
        "public_url": "https://example.org/report.pdf",
    })
}

/// A filing of the 十二 local department report.
fn department_filing(adcode: &str, dept: &str, year: i64) -> Value {
    json!({
        "obligation": "local_department_annual_report",
        "year": year,
        "body": {"adcode": adcode, "id": dept},
        "filed_on": "2026-02-10",
        "document_ref": "环报〔2026〕2号",
    })
}

/// The fixtures of the matrix: two prefectures' cases and filings.
struct World {
    office_prov: String,
    office_ezhou: String,
    office_wuhan: String,
    office_hongshan: String,
    reader_ezhou: String,
    dept_ezhou: String,
    dept_wuhan: String,
    revoked: String,
    case_a: String,
    case_b: String,
    filing_a: String,
    filing_b: String,
}

async fn world(r: &Reg) -> World {
    let office_prov = r.token(Role::Office, "420000", None).await;
    let office_ezhou = r.token(Role::Office, "420700", None).await;
    let office_wuhan = r.token(Role::Office, "420100", None).await;
    let office_hongshan = r.token(Role::Office, "420111", None).await;
    let reader_ezhou = r.token(Role::Reader, "420700", None).await;
    let revoked = r.token(Role::Office, "420700", None).await;
    r.revoke(&revoked).await;
    // Case A: water across two counties of 鄂州; case B: across two of 武汉.
    let a = r.case(&office_ezhou, &["420702", "420704"], "water").await;
    let b = r.case(&office_wuhan, &["420111", "420115"], "water").await;
    // The department the analysis names as lead of case A, at its place.
    let lead = &a["analysis"]["lead_department"];
    let (dept, at) = (
        lead["id"].as_str().unwrap(),
        lead["place"]["adcode"].as_str().unwrap(),
    );
    assert_eq!(at, "420700", "{lead}");
    let dept_ezhou = r.token(Role::Department, at, Some(dept)).await;
    let dept_wuhan = r.token(Role::Department, "420100", Some(dept)).await;
    let fa = r
        .call(
            "POST",
            "/v1/filings",
            Some(&office_ezhou),
            Some(&prefecture_filing("420700", "government")),
            &[],
        )
        .await;
    assert_eq!(fa.status.as_u16(), 201, "{}", fa.text());
    let fb = r
        .call(
            "POST",
            "/v1/filings",
            Some(&office_wuhan),
            Some(&prefecture_filing("420100", "government")),
            &[],
        )
        .await;
    assert_eq!(fb.status.as_u16(), 201, "{}", fb.text());
    World {
        office_prov,
        office_ezhou,
        office_wuhan,
        office_hongshan,
        reader_ezhou,
        dept_ezhou,
        dept_wuhan,
        revoked,
        case_a: a["id"].as_str().unwrap().to_string(),
        case_b: b["id"].as_str().unwrap().to_string(),
        filing_a: fa.json()["id"].as_str().unwrap().to_string(),
        filing_b: fb.json()["id"].as_str().unwrap().to_string(),
    }
}

/// One request of the matrix.
struct Req {
    method: &'static str,
    uri: String,
    body: Option<Value>,
    if_match: bool,
}

fn get(uri: String) -> Req {
    Req {
        method: "GET",
        uri,
        body: None,
        if_match: false,
    }
}

fn post(uri: &str, body: Value) -> Req {
    Req {
        method: "POST",
        uri: uri.into(),
        body: Some(body),
        if_match: false,
    }
}

/// A status change; `send` picks a move the workflow allows from the current status.
fn patch(id: &str) -> Req {
    Req {
        method: "PATCH",
        uri: format!("/v1/cases/{id}"),
        body: None,
        if_match: true,
    }
}

fn new_case(places: &[&str]) -> Value {
    json!({"title": "t", "description": "d", "matter": "air", "places": places})
}

/// Sends a matrix request, reading the case's current ETag first for a PATCH
/// (as the provincial office, who sees every case).
async fn send(r: &Reg, w: &World, token: Option<&str>, q: &Req) -> (u16, Value) {
    let mut headers = Vec::new();
    let tag;
    let mut body = q.body.clone();
    if q.if_match {
        let cur = r.call("GET", &q.uri, Some(&w.office_prov), None, &[]).await;
        tag = cur.header("etag").unwrap_or("\"v0\"").to_string();
        headers.push(("if-match", tag.as_str()));
        let next = if cur.json()["status"] == "coordinating" {
            "escalated"
        } else {
            "coordinating"
        };
        body = Some(json!({"status": next, "note": "matrix"}));
    }
    let res = r
        .call(q.method, &q.uri, token, body.as_ref(), &headers)
        .await;
    if res.status.as_u16() >= 400 {
        assert!(
            res.content_type().starts_with("application/problem+json"),
            "{} {}: {} without problem+json",
            q.method,
            q.uri,
            res.status
        );
    }
    (res.status.as_u16(), res.json_or_null())
}

/// Every route, for one caller: (request, expected status).
fn routes_for(w: &World, who: &str) -> Vec<(Req, u16)> {
    let (a, b) = (w.case_a.as_str(), w.case_b.as_str());
    let (fa, fb) = (w.filing_a.as_str(), w.filing_b.as_str());
    // Expected: [me, GET case A, GET case B, events A, events B, PATCH A, PATCH B,
    //            POST case in 鄂州, POST case in 武汉, GET filing A, GET filing B,
    //            POST filing in 鄂州, POST filing in 武汉, list cases, list filings,
    //            list cases in 武汉, list filings in 武汉]
    let exp: [u16; 17] = match who {
        "office_prov" => [
            200, 200, 200, 200, 200, 200, 200, 201, 201, 200, 200, 201, 201, 200, 200, 200, 200,
        ],
        "office_ezhou" => [
            200, 200, 404, 200, 404, 200, 404, 201, 403, 200, 404, 201, 403, 200, 200, 403, 403,
        ],
        "office_hongshan" => [
            200, 404, 200, 404, 200, 404, 200, 403, 201, 404, 404, 403, 201, 200, 200, 200, 200,
        ],
        "office_wuhan" => [
            200, 404, 200, 404, 200, 404, 200, 403, 201, 404, 200, 403, 201, 200, 200, 200, 200,
        ],
        "reader_ezhou" => [
            200, 200, 404, 200, 404, 403, 404, 403, 403, 200, 404, 403, 403, 200, 200, 403, 403,
        ],
        "dept_ezhou" => [
            200, 200, 404, 200, 404, 403, 404, 403, 403, 404, 404, 201, 403, 200, 200, 403, 403,
        ],
        "dept_wuhan" => [
            200, 404, 200, 404, 200, 404, 403, 403, 403, 404, 404, 201, 201, 200, 200, 200, 200,
        ],
        _ => [401; 17],
    };
    // Filings each caller may make: a department its own body, offices bodies
    // they cover; a year per caller so that no two callers file the same report.
    let year = match who {
        "office_prov" => 2020,
        "office_ezhou" => 2021,
        "office_hongshan" => 2022,
        "reader_ezhou" => 2023,
        "dept_ezhou" => 2024,
        "dept_wuhan" => 2025,
        "office_wuhan" => 2018,
        _ => 2019,
    };
    let own = match who {
        "dept_ezhou" => department_filing("420700", "eco_environment", year),
        "dept_wuhan" => department_filing("420100", "eco_environment", year),
        _ => department_filing("420700", "water_resources", year),
    };
    let wuhan_filing = match who {
        "dept_wuhan" => department_filing("420100", "eco_environment", year - 10),
        "office_hongshan" => department_filing("420111", "water_resources", year),
        _ => department_filing("420100", "water_resources", year),
    };
    let reqs = vec![
        get("/v1/register/me".into()),
        get(format!("/v1/cases/{a}")),
        get(format!("/v1/cases/{b}")),
        get(format!("/v1/cases/{a}/events")),
        get(format!("/v1/cases/{b}/events")),
        patch(a),
        patch(b),
        post("/v1/cases", new_case(&["420702"])),
        post("/v1/cases", new_case(&["420111"])),
        get(format!("/v1/filings/{fa}")),
        get(format!("/v1/filings/{fb}")),
        post("/v1/filings", own),
        post("/v1/filings", wuhan_filing),
        get("/v1/cases".into()),
        get("/v1/filings".into()),
        get("/v1/cases?jurisdiction=420100".into()),
        get("/v1/filings?jurisdiction=420100".into()),
    ];
    reqs.into_iter().zip(exp).collect()
}

/// The caller's jurisdiction, to check that lists hold nothing outside it.
fn scope_of(who: &str) -> Option<&'static str> {
    match who {
        "office_prov" => Some("420000"),
        "office_ezhou" | "reader_ezhou" | "dept_ezhou" => Some("420700"),
        "office_hongshan" => Some("420111"),
        "dept_wuhan" | "office_wuhan" => Some("420100"),
        _ => None,
    }
}

/// Every case and filing in a list answer lies (at least partly) within `scope`.
fn assert_within(atlas: &liuyu::Atlas, scope: &str, v: &Value, what: &str) {
    let s = Place::resolve(atlas, scope).unwrap();
    for c in v["cases"].as_array().into_iter().flatten() {
        let places: Vec<&Value> = c["parties"]
            .as_array()
            .unwrap()
            .iter()
            .chain(c["counties"].as_array().unwrap())
            .collect();
        assert!(
            places.iter().any(|p| s.contains(
                p["adcode"].as_str().unwrap(),
                p["prefecture"].as_str().unwrap_or("")
            )),
            "{what}: case {} outside {scope}",
            c["id"]
        );
    }
    for f in v["filings"].as_array().into_iter().flatten() {
        let b = &f["body"];
        assert!(
            s.contains(
                b["adcode"].as_str().unwrap(),
                b["prefecture"].as_str().unwrap()
            ),
            "{what}: filing {} outside {scope}",
            f["id"]
        );
    }
}

#[tokio::test]
async fn authorization_matrix() {
    let atlas = liuyu::Atlas::embedded().unwrap();
    for r in register_common::backends("matrix").await {
        let w = world(&r).await;
        let malformed = "not-a-token".to_string();
        let unknown = format!("liuyu_{}", "ab".repeat(32));
        let callers: Vec<(&str, Option<&str>)> = vec![
            ("none", None),
            ("malformed", Some(&malformed)),
            ("unknown", Some(&unknown)),
            ("revoked", Some(&w.revoked)),
            ("office_prov", Some(&w.office_prov)),
            ("office_ezhou", Some(&w.office_ezhou)),
            ("office_hongshan", Some(&w.office_hongshan)),
            ("office_wuhan", Some(&w.office_wuhan)),
            ("reader_ezhou", Some(&w.reader_ezhou)),
            ("dept_ezhou", Some(&w.dept_ezhou)),
            ("dept_wuhan", Some(&w.dept_wuhan)),
        ];
        let mut checked = 0;
        for (who, tok) in &callers {
            for (q, expect) in routes_for(&w, who) {
                let (status, body) = send(&r, &w, *tok, &q).await;
                assert_eq!(
                    status, expect,
                    "[{}] {who}: {} {} -> {status}: {body}",
                    r.backend, q.method, q.uri
                );
                if status == 200 {
                    if let Some(s) = scope_of(who) {
                        assert_within(
                            &atlas,
                            s,
                            &body,
                            &format!("[{}] {who} {}", r.backend, q.uri),
                        );
                    }
                }
                checked += 1;
            }
        }
        assert_eq!(checked, callers.len() * 17);
        // The lists answer exactly the caller's records.
        let ids = |v: &Value, k: &str| -> Vec<String> {
            v[k].as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string())
                .collect()
        };
        let l = r
            .call("GET", "/v1/cases", Some(&w.dept_ezhou), None, &[])
            .await
            .json();
        assert_eq!(
            ids(&l, "cases"),
            std::slice::from_ref(&w.case_a),
            "[{}]",
            r.backend
        );
        let l = r
            .call("GET", "/v1/filings", Some(&w.dept_ezhou), None, &[])
            .await
            .json();
        assert!(l["filings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["body"]["id"] == "eco_environment" && f["body"]["adcode"] == "420700"));
        // 401s carry the Bearer challenge.
        let u = r.call("GET", "/v1/cases", None, None, &[]).await;
        assert!(u.header("www-authenticate").unwrap().starts_with("Bearer"));
        let u = r
            .call("GET", "/v1/cases", Some(&w.revoked), None, &[])
            .await;
        assert!(u
            .header("www-authenticate")
            .unwrap()
            .contains("invalid_token"));
        // Register answers are never cached.
        let ok = r
            .call("GET", "/v1/cases", Some(&w.office_prov), None, &[])
            .await;
        assert_eq!(ok.header("cache-control"), Some("no-store"));
    }
}

#[tokio::test]
async fn two_offices_with_stale_etags_one_412_and_the_log_intact() {
    for r in register_common::backends("etag").await {
        let ezhou = r.token(Role::Office, "420700", None).await;
        let huanggang = r.token(Role::Office, "421100", None).await;
        let c = r.case(&ezhou, &["420700", "421100"], "water").await;
        let id = c["id"].as_str().unwrap();
        let uri = format!("/v1/cases/{id}");
        // Both offices read the case (both are parties) and get the same ETag.
        let e1 = r.call("GET", &uri, Some(&ezhou), None, &[]).await;
        let e2 = r.call("GET", &uri, Some(&huanggang), None, &[]).await;
        let (t1, t2) = (
            e1.header("etag").unwrap().to_string(),
            e2.header("etag").unwrap().to_string(),
        );
        assert_eq!(t1, "\"v1\"");
        assert_eq!(t1, t2);
        // Both change it concurrently with that ETag: exactly one wins.
        let b1 = json!({"status": "coordinating", "note": "鄂州 takes it up"});
        let b2 = json!({"status": "escalated", "note": "黄冈 escalates"});
        let (h1, h2) = ([("if-match", t1.as_str())], [("if-match", t2.as_str())]);
        let (x, y) = tokio::join!(
            r.call("PATCH", &uri, Some(&ezhou), Some(&b1), &h1),
            r.call("PATCH", &uri, Some(&huanggang), Some(&b2), &h2),
        );
        let mut codes = [x.status.as_u16(), y.status.as_u16()];
        codes.sort();
        assert_eq!(
            codes,
            [200, 412],
            "[{}] {} / {}",
            r.backend,
            x.text(),
            y.text()
        );
        let lost = if x.status.as_u16() == 412 { &x } else { &y };
        assert_eq!(lost.json()["current_etag"], "\"v2\"");
        assert!(lost.content_type().starts_with("application/problem+json"));
        let won = if x.status.as_u16() == 200 { &x } else { &y };
        assert_eq!(won.header("etag"), Some("\"v2\""));
        // The log: the creation and exactly one change, from open, by the winner.
        let ev = r
            .call("GET", &format!("{uri}/events"), Some(&ezhou), None, &[])
            .await
            .json();
        let ev = ev["events"].as_array().unwrap();
        assert_eq!(ev.len(), 2, "[{}] {ev:?}", r.backend);
        assert_eq!(ev[0]["seq"], 1);
        assert_eq!(ev[0]["from"], Value::Null);
        assert_eq!(ev[0]["to"], "open");
        assert_eq!(ev[1]["seq"], 2);
        assert_eq!(ev[1]["from"], "open");
        assert_eq!(ev[1]["to"], won.json()["status"]);
        // The loser retries with the fresh ETag and succeeds (or meets the workflow).
        let again = r
            .call(
                "PATCH",
                &uri,
                Some(&huanggang),
                Some(&json!({"status": "resolved", "note": "done"})),
                &[("if-match", "\"v1\"")],
            )
            .await;
        assert_eq!(again.status.as_u16(), 412);
        let cur = r.call("GET", &uri, Some(&huanggang), None, &[]).await;
        let tag = cur.header("etag").unwrap().to_string();
        let again = r
            .call(
                "PATCH",
                &uri,
                Some(&huanggang),
                Some(&json!({"status": "resolved", "note": "done"})),
                &[("if-match", &tag)],
            )
            .await;
        assert_eq!(again.status.as_u16(), 200, "{}", again.text());
        assert_eq!(again.json()["version"], 3);
        let check = liuyu::register::backup::check(&r.store).await.unwrap();
        assert!(check.problems.is_empty(), "{:?}", check.problems);
        assert_eq!(check.counts.case_events, 3);
    }
}

#[tokio::test]
async fn conditional_requests_and_the_workflow() {
    for r in register_common::backends("workflow").await {
        let office = r.token(Role::Office, "420100", None).await;
        let c = r.case(&office, &["420111", "420115"], "noise").await;
        let uri = format!("/v1/cases/{}", c["id"].as_str().unwrap());
        assert_eq!(c["status"], "open");
        assert_eq!(c["version"], 1);
        assert_eq!(c["data_version"], c["analysis"]["data_version"]);
        assert_eq!(
            c["request"],
            json!({"matter": "noise", "places": ["420111", "420115"]})
        );
        // If-None-Match with the current ETag: 304.
        let nm = r
            .call(
                "GET",
                &uri,
                Some(&office),
                None,
                &[("if-none-match", "\"v1\"")],
            )
            .await;
        assert_eq!(nm.status.as_u16(), 304);
        let body = json!({"status": "resolved", "note": "n"});
        // No If-Match: 428; a status the workflow forbids: 409 listing the allowed ones.
        let p = r.call("PATCH", &uri, Some(&office), Some(&body), &[]).await;
        assert_eq!(p.status.as_u16(), 428);
        let p = r
            .call(
                "PATCH",
                &uri,
                Some(&office),
                Some(&body),
                &[("if-match", "\"v1\"")],
            )
            .await;
        assert_eq!(p.status.as_u16(), 409);
        assert_eq!(
            p.json()["allowed"],
            json!([
                "coordinating",
                "escalated",
                "referred_for_special_inspection"
            ])
        );
        assert_eq!(p.json()["current_status"], "open");
        assert_eq!(p.json()["status"], 409);
        // 十六: a case inside one prefecture is not eligible for a special inspection.
        assert_eq!(c["special_inspection_eligible"], false);
        let p = r
            .call(
                "PATCH",
                &uri,
                Some(&office),
                Some(&json!({"status": "referred_for_special_inspection", "note": "n"})),
                &[("if-match", "\"v1\"")],
            )
            .await;
        assert_eq!(p.status.as_u16(), 422, "{}", p.text());
        // Bad bodies: unknown status, empty note, unknown member, not JSON, wrong media type.
        for (b, code) in [
            (json!({"status": "closed", "note": "n"}), 400),
            (json!({"status": "coordinating", "note": " "}), 400),
            (json!({"status": "coordinating", "note": "n", "x": 1}), 400),
        ] {
            let p = r
                .call(
                    "PATCH",
                    &uri,
                    Some(&office),
                    Some(&b),
                    &[("if-match", "\"v1\"")],
                )
                .await;
            assert_eq!(p.status.as_u16(), code, "{b}: {}", p.text());
        }
        let p = r
            .call(
                "PATCH",
                &uri,
                Some(&office),
                None,
                &[("if-match", "\"v1\""), ("content-type", "text/plain")],
            )
            .await;
        assert_eq!(p.status.as_u16(), 415);
        // Nothing of that was written.
        let ev = r
            .call("GET", &format!("{uri}/events"), Some(&office), None, &[])
            .await
            .json();
        assert_eq!(ev["events"].as_array().unwrap().len(), 1);
        // The whole way round.
        let mut v = 1;
        for s in [
            "coordinating",
            "escalated",
            "coordinating",
            "resolved",
            "coordinating",
            "resolved",
        ] {
            let tag = format!("\"v{v}\"");
            let p = r
                .call(
                    "PATCH",
                    &uri,
                    Some(&office),
                    Some(&json!({"status": s, "note": format!("to {s}")})),
                    &[("if-match", &tag)],
                )
                .await;
            assert_eq!(p.status.as_u16(), 200, "{s}: {}", p.text());
            v += 1;
            assert_eq!(p.header("etag"), Some(format!("\"v{v}\"").as_str()));
        }
        let ev = r
            .call("GET", &format!("{uri}/events"), Some(&office), None, &[])
            .await
            .json();
        let ev = ev["events"].as_array().unwrap();
        assert_eq!(ev.len(), 7);
        for pair in ev.windows(2) {
            assert_eq!(pair[1]["from"], pair[0]["to"]);
            assert_eq!(
                pair[1]["seq"].as_i64().unwrap(),
                pair[0]["seq"].as_i64().unwrap() + 1
            );
        }
        assert!(ev.iter().all(|e| e["actor"]["jurisdiction"] == "420100"));
        // The log is append-only in the database itself.
        let upd = sqlx::query("UPDATE case_events SET note = 'rewritten'")
            .execute(r.store.reader())
            .await;
        assert!(upd.is_err(), "[{}] the log accepted an UPDATE", r.backend);
        let del = sqlx::query("DELETE FROM case_events")
            .execute(r.store.reader())
            .await;
        assert!(del.is_err(), "[{}] the log accepted a DELETE", r.backend);
    }
}

#[tokio::test]
async fn idempotent_creation() {
    for r in register_common::backends("idem").await {
        let office = r.token(Role::Office, "420700", None).await;
        let other = r.token(Role::Office, "420700", None).await;
        let body = json!({"title": "T", "description": "D", "matter": "water", "places": ["420700", "421100"]});
        let key = [("idempotency-key", "2027-01-10/ezhou/1")];
        let a = r
            .call("POST", "/v1/cases", Some(&office), Some(&body), &key)
            .await;
        assert_eq!(a.status.as_u16(), 201);
        assert_eq!(a.header("idempotent-replayed"), None);
        // The same request with the same key: the same case, no second one.
        let b = r
            .call("POST", "/v1/cases", Some(&office), Some(&body), &key)
            .await;
        assert_eq!(b.status.as_u16(), 201);
        assert_eq!(b.header("idempotent-replayed"), Some("true"));
        assert_eq!(a.json()["id"], b.json()["id"]);
        assert_eq!(b.header("location"), a.header("location"));
        // Concurrent retries with one fresh key: one case.
        let key2 = [("idempotency-key", "k2")];
        let (x, y, z) = tokio::join!(
            r.call("POST", "/v1/cases", Some(&office), Some(&body), &key2),
            r.call("POST", "/v1/cases", Some(&office), Some(&body), &key2),
            r.call("POST", "/v1/cases", Some(&office), Some(&body), &key2),
        );
        assert_eq!(x.json()["id"], y.json()["id"]);
        assert_eq!(y.json()["id"], z.json()["id"]);
        // The key with another request: 422. Keys are per token.
        let changed =
            json!({"title": "T2", "description": "D", "matter": "water", "places": ["420700"]});
        let c = r
            .call("POST", "/v1/cases", Some(&office), Some(&changed), &key)
            .await;
        assert_eq!(c.status.as_u16(), 422, "{}", c.text());
        let d = r
            .call("POST", "/v1/cases", Some(&other), Some(&body), &key)
            .await;
        assert_eq!(d.status.as_u16(), 201);
        assert_ne!(d.json()["id"], a.json()["id"]);
        let bad = r
            .call(
                "POST",
                "/v1/cases",
                Some(&office),
                Some(&body),
                &[("idempotency-key", "")],
            )
            .await;
        assert_eq!(bad.status.as_u16(), 400);
        let list = r
            .call("GET", "/v1/cases?limit=500", Some(&office), None, &[])
            .await
            .json();
        assert_eq!(
            list["cases"].as_array().unwrap().len(),
            3,
            "[{}]",
            r.backend
        );
    }
}

#[tokio::test]
async fn paging_and_filters() {
    for r in register_common::backends("paging").await {
        let prov = r.token(Role::Office, "420000", None).await;
        let ezhou = r.token(Role::Office, "420700", None).await;
        let mut made = Vec::new();
        for (places, matter) in [
            (vec!["420702", "420704"], "water"),
            (vec!["420700", "421100"], "water"),
            (vec!["420111", "420115"], "air"),
            (vec!["421102"], "noise"),
            (vec!["420702"], "air"),
        ] {
            made.push(
                r.case(&prov, &places, matter).await["id"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
        // Pages of two, newest first, together every case exactly once.
        let mut seen = Vec::new();
        let mut uri = "/v1/cases?limit=2".to_string();
        loop {
            let p = r.call("GET", &uri, Some(&prov), None, &[]).await.json();
            let page: Vec<String> = p["cases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string())
                .collect();
            assert!(page.len() <= 2);
            seen.extend(page);
            match p["next_cursor"].as_str() {
                Some(c) => uri = format!("/v1/cases?limit=2&cursor={c}"),
                None => break,
            }
        }
        made.reverse();
        assert_eq!(seen, made, "[{}]", r.backend);
        let ids = |q: &str, tok: &str| {
            let q = q.to_string();
            let tok = tok.to_string();
            let r = &r;
            async move {
                let v = r.call("GET", &q, Some(&tok), None, &[]).await;
                assert_eq!(v.status.as_u16(), 200, "{q}: {}", v.text());
                v.json()["cases"].as_array().unwrap().len()
            }
        };
        assert_eq!(ids("/v1/cases?matter=water", &prov).await, 2);
        assert_eq!(ids("/v1/cases?jurisdiction=420700", &prov).await, 3);
        assert_eq!(ids("/v1/cases?party=421100", &prov).await, 2);
        assert_eq!(ids("/v1/cases?party=421100&matter=noise", &prov).await, 1);
        assert_eq!(ids("/v1/cases?status=open", &prov).await, 5);
        assert_eq!(
            ids("/v1/cases?status=resolved,coordinating", &prov).await,
            0
        );
        assert_eq!(
            ids("/v1/cases?since=2000-01-01&until=9998-12-31", &prov).await,
            5
        );
        assert_eq!(ids("/v1/cases?until=2000-01-01", &prov).await, 0);
        assert_eq!(ids("/v1/cases", &ezhou).await, 3);
        // A jurisdiction wider than the token's narrows to the token's.
        assert_eq!(ids("/v1/cases?jurisdiction=420000", &ezhou).await, 3);
        for bad in [
            "/v1/cases?status=closed",
            "/v1/cases?limit=0",
            "/v1/cases?limit=501",
            "/v1/cases?cursor=x",
            "/v1/cases?since=2027-02-30",
            "/v1/cases?jurisdiction=110000",
            "/v1/cases?statuss=open",
            "/v1/filings?year=20x6",
        ] {
            let v = r.call("GET", bad, Some(&prov), None, &[]).await;
            assert_eq!(v.status.as_u16(), 400, "{bad}: {}", v.text());
            assert!(v.content_type().starts_with("application/problem+json"));
        }
    }
}

#[tokio::test]
async fn filings_are_checked_against_the_obligations() {
    for r in register_common::backends("filings").await {
        let prov = r.token(Role::Office, "420000", None).await;
        let ok = r
            .call(
                "POST",
                "/v1/filings",
                Some(&prov),
                Some(&prefecture_filing("420700", "party_committee")),
                &[],
            )
            .await;
        assert_eq!(ok.status.as_u16(), 201, "{}", ok.text());
        let f = ok.json();
        assert_eq!(f["deadline"], "2026-01-31");
        assert_eq!(f["on_time"], true);
        assert_eq!(f["basis"], json!(["十一"]));
        assert_eq!(f["body"]["name_zh"], "中共鄂州市委员会");
        assert_eq!(
            ok.header("location"),
            Some(format!("/v1/filings/{}", f["id"].as_str().unwrap()).as_str())
        );
        // The same body, obligation and year again: 409 naming the existing filing.
        let dup = r
            .call(
                "POST",
                "/v1/filings",
                Some(&prov),
                Some(&prefecture_filing("420700", "party_committee")),
                &[],
            )
            .await;
        assert_eq!(dup.status.as_u16(), 409);
        assert_eq!(dup.json()["existing"], ok.header("location").unwrap());
        // A late 十一 report is recorded as such; a 十二 report has no deadline.
        let mut late = prefecture_filing("420700", "government");
        late["filed_on"] = json!("2026-03-01");
        let l = r
            .call("POST", "/v1/filings", Some(&prov), Some(&late), &[])
            .await
            .json();
        assert_eq!(l["on_time"], false);
        let d = r
            .call(
                "POST",
                "/v1/filings",
                Some(&prov),
                Some(&department_filing("420111", "water_resources", 2026)),
                &[],
            )
            .await
            .json();
        assert_eq!(d["deadline"], Value::Null);
        assert_eq!(d["on_time"], Value::Null);
        for (bad, why) in [
            (
                json!({"obligation": "nope", "year": 2026, "body": {"adcode": "420700", "id": "government"}, "filed_on": "2026-01-02", "document_ref": "x"}),
                "unknown obligation",
            ),
            (
                prefecture_filing("420111", "government"),
                "a county is not a 十一 reporter",
            ),
            (
                prefecture_filing("420700", "eco_environment"),
                "a department is not the prefecture leadership",
            ),
            (
                department_filing("420000", "eco_environment", 2026),
                "the province is not a 十二 reporter",
            ),
            (
                department_filing("420700", "court", 2026),
                "a court is not a functional department",
            ),
            (
                json!({"obligation": "prefecture_annual_report", "year": 2025, "body": {"adcode": "420700", "id": "government"}, "filed_on": "2024-12-31", "document_ref": "x"}),
                "filed before the year",
            ),
            (
                json!({"obligation": "prefecture_annual_report", "year": 2026, "body": {"adcode": "420700", "id": "government"}, "filed_on": "9998-01-01", "document_ref": "x"}),
                "in the future",
            ),
            (
                json!({"obligation": "prefecture_annual_report", "year": 2026, "body": {"adcode": "420700", "id": "government"}, "filed_on": "2026-01-02", "document_ref": "x", "public_url": "javascript:alert(1)"}),
                "not an http URL",
            ),
            (
                json!({"obligation": "prefecture_annual_report", "year": 2026, "body": {"adcode": "420700", "id": "government"}, "filed_on": "2026-01-02", "document_ref": "x", "extra": 1}),
                "unknown member",
            ),
            (
                json!({"obligation": "prefecture_annual_report", "year": 2026, "body": {"adcode": "420700", "id": "government"}, "filed_on": "2026-01-02", "document_ref": "x".repeat(201)}),
                "reference too long",
            ),
        ] {
            let v = r
                .call("POST", "/v1/filings", Some(&prov), Some(&bad), &[])
                .await;
            assert_eq!(v.status.as_u16(), 400, "{why}: {}", v.text());
        }
        let y = r
            .call(
                "GET",
                "/v1/filings?year=2025&obligation=prefecture_annual_report",
                Some(&prov),
                None,
                &[],
            )
            .await
            .json();
        assert_eq!(y["filings"].as_array().unwrap().len(), 2);
        let y = r
            .call("GET", "/v1/filings?year=2024", Some(&prov), None, &[])
            .await
            .json();
        assert_eq!(y["filings"].as_array().unwrap().len(), 0);
    }
}

#[tokio::test]
async fn failed_authentication_is_rate_limited_and_logged_without_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let store = liuyu::register::Store::open(
        &liuyu::register::Location::StateDir(dir.path().join("s")),
        true,
    )
    .await
    .unwrap();
    store.migrate().await.unwrap();
    let reg = register_common::Reg {
        backend: "sqlite",
        location: liuyu::register::Location::StateDir(dir.path().join("s")),
        store: store.clone(),
        app: liuyu::server::router(
            common::embedded_state()
                .with_register(Register::new(store).with_failure_limit(3, Duration::from_secs(60))),
        ),
        dir: None,
    };
    let good = reg.token(Role::Reader, "420000", None).await;
    let bad = format!("liuyu_{}", "cd".repeat(32));
    // Missing tokens are not attempts; they never count.
    for _ in 0..5 {
        assert_eq!(
            reg.call("GET", "/v1/cases", None, None, &[])
                .await
                .status
                .as_u16(),
            401
        );
    }
    for _ in 0..3 {
        assert_eq!(
            reg.call("GET", "/v1/cases", Some(&bad), None, &[])
                .await
                .status
                .as_u16(),
            401
        );
    }
    let blocked = reg.call("GET", "/v1/cases", Some(&bad), None, &[]).await;
    assert_eq!(blocked.status.as_u16(), 429);
    assert!(
        blocked
            .header("retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert!(blocked
        .content_type()
        .starts_with("application/problem+json"));
    // While blocked, even a valid token waits (the limit is per address).
    assert_eq!(
        reg.call("GET", "/v1/cases", Some(&good), None, &[])
            .await
            .status
            .as_u16(),
        429
    );
}

#[tokio::test]
async fn without_a_register_the_routes_answer_501_and_lookups_stay_public() {
    let app = liuyu::server::router(common::embedded_state());
    for (m, uri) in liuyu::register::http::ROUTES {
        let uri = uri.replace("{id}", "case_0000000000000000");
        let req = axum::http::Request::builder()
            .method(m.to_uppercase().as_str())
            .uri(&uri)
            .body(axum::body::Body::empty())
            .unwrap();
        let r = common::send(app.clone(), req).await;
        assert_eq!(r.status.as_u16(), 501, "{m} {uri}");
        assert!(r.content_type().starts_with("application/problem+json"));
    }
    // With a register, lookups still need no token.
    let r = register_common::sqlite().await;
    for uri in [
        "/v1/locate?lon=114.2538&lat=30.6060",
        "/v1/profile?lon=114.2538&lat=30.6060&date=2027-01-10",
        "/health",
    ] {
        assert_eq!(
            r.call("GET", uri, None, None, &[]).await.status.as_u16(),
            200,
            "{uri}"
        );
    }
}

/// The per-body filing status of `obligation` in an obligations answer, for
/// the body `id` at `adcode` (on a single line, or among a line's departments).
fn body_filing(v: &Value, obligation: &str, adcode: &str, id: &str) -> Option<Value> {
    let o = v["obligations"]
        .as_array()?
        .iter()
        .find(|o| o["id"] == obligation)?;
    o["reports"].as_array()?.iter().find_map(|line| {
        let single = line.get("filing").into_iter();
        let many = line["filings"].as_array().into_iter().flatten();
        single
            .chain(many)
            .find(|f| f["body"]["adcode"] == adcode && f["body"]["id"] == id)
            .cloned()
    })
}

/// `/v1/obligations?prefecture=&date=` as `token`.
async fn obligations(r: &Reg, token: Option<&str>, prefecture: &str, date: &str) -> Value {
    let uri = match prefecture {
        "" => format!("/v1/obligations?date={date}"),
        p => format!("/v1/obligations?prefecture={p}&date={date}"),
    };
    let a = r.call("GET", &uri, token, None, &[]).await;
    assert_eq!(a.status.as_u16(), 200, "{uri}: {}", a.text());
    a.json()
}

#[tokio::test]
async fn obligations_say_filed_after_a_filing_and_overdue_only_past_the_deadline() {
    for r in register_common::backends("obligations").await {
        let ezhou = r.token(Role::Office, "420700", None).await;
        let huanggang = r.token(Role::Office, "421100", None).await;
        let prov = r.token(Role::Reader, "420000", None).await;
        let dept = r
            .token(Role::Department, "420700", Some("eco_environment"))
            .await;
        let st = |v: &Value, ob: &str, a: &str, id: &str| {
            body_filing(v, ob, a, id).map(|f| f["status"].clone())
        };
        const LEAD: &str = "prefecture_annual_report";
        // Before any filing: the 2025 reports are due up to 31 January 2026, overdue after.
        let before = obligations(&r, Some(&ezhou), "420700", "2026-01-31").await;
        assert_eq!(
            st(&before, LEAD, "420700", "government"),
            Some(json!("due"))
        );
        let after = obligations(&r, Some(&ezhou), "420700", "2026-02-01").await;
        assert_eq!(
            st(&after, LEAD, "420700", "government"),
            Some(json!("overdue"))
        );
        assert_eq!(after["filings"]["period"], 2025);
        // The government files on 20 January 2026; the party committee does not.
        let f = r
            .call(
                "POST",
                "/v1/filings",
                Some(&ezhou),
                Some(&prefecture_filing("420700", "government")),
                &[],
            )
            .await;
        assert_eq!(f.status.as_u16(), 201, "{}", f.text());
        let fid = f.json()["id"].clone();
        let d = department_filing("420700", "eco_environment", 2025);
        let f = r
            .call("POST", "/v1/filings", Some(&dept), Some(&d), &[])
            .await;
        assert_eq!(f.status.as_u16(), 201, "{}", f.text());
        for date in ["2026-01-25", "2026-02-01", "2026-12-31"] {
            let v = obligations(&r, Some(&ezhou), "420700", date).await;
            let g = body_filing(&v, LEAD, "420700", "government").unwrap();
            assert_eq!(
                (&g["status"], &g["filed"], &g["filing_id"], &g["on_time"]),
                (&json!("filed"), &json!("yes"), &fid, &json!(true)),
                "{date}"
            );
            let want = if date <= "2026-01-31" {
                "due"
            } else {
                "overdue"
            };
            assert_eq!(
                st(&v, LEAD, "420700", "party_committee"),
                Some(json!(want)),
                "{date}"
            );
            // 十二 sets no date: filed or not_fixed, never overdue.
            const LOCAL: &str = "local_department_annual_report";
            let eco = st(&v, LOCAL, "420700", "eco_environment");
            let want = if date >= "2026-02-10" {
                "filed"
            } else {
                "not_fixed"
            };
            assert_eq!(eco, Some(json!(want)), "{date}");
            assert_eq!(
                st(&v, LOCAL, "420704", "water_resources"),
                Some(json!("not_fixed"))
            );
        }
        // The obligation as a whole: one of the two bodies has not filed.
        let sched = |v: &Value, ob: &str| {
            let o = v["obligations"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["id"] == ob);
            let s = &o.unwrap()["schedule"];
            (s["status"].clone(), s["filed"].clone())
        };
        let v = obligations(&r, Some(&ezhou), "420700", "2026-02-01").await;
        assert_eq!(sched(&v, LEAD), (json!("overdue"), json!("no")));
        let v = obligations(&r, Some(&ezhou), "420700", "2026-01-25").await;
        assert_eq!(sched(&v, LEAD), (json!("due"), json!("no")));
        // Asked about a day before the filing, the government had not filed yet.
        let early = obligations(&r, Some(&ezhou), "420700", "2026-01-10").await;
        assert_eq!(st(&early, LEAD, "420700", "government"), Some(json!("due")));
        // A provincial reader sees the same; 黄冈's office sees nothing of 鄂州.
        let v = obligations(&r, Some(&prov), "420700", "2026-02-01").await;
        assert_eq!(st(&v, LEAD, "420700", "government"), Some(json!("filed")));
        let v = obligations(&r, Some(&huanggang), "420700", "2026-02-01").await;
        let g = body_filing(&v, LEAD, "420700", "government").unwrap();
        assert_eq!(g["filed"], "unknown");
        assert!(
            g.get("status").is_none() && g.get("filing_id").is_none(),
            "{g}"
        );
        // Without seeing every body, the obligation keeps the text-only answer.
        assert_eq!(
            sched(&v, LEAD),
            (json!("deadline_passed"), json!("unknown"))
        );
        let v = obligations(&r, Some(&huanggang), "421100", "2026-02-01").await;
        assert_eq!(sched(&v, LEAD), (json!("overdue"), json!("no")));
        assert_eq!(st(&v, LEAD, "421100", "government"), Some(json!("overdue")));
        // A department sees its own filing and nothing else.
        let v = obligations(&r, Some(&dept), "420700", "2026-03-01").await;
        let own = st(
            &v,
            "local_department_annual_report",
            "420700",
            "eco_environment",
        );
        assert_eq!(own, Some(json!("filed")));
        let g = body_filing(&v, LEAD, "420700", "government").unwrap();
        assert_eq!(g["filed"], "unknown");
        // Without a token the register is not consulted (and the answer varies by token).
        let anon = r
            .call(
                "GET",
                "/v1/obligations?prefecture=420700&date=2026-02-01",
                None,
                None,
                &[],
            )
            .await;
        assert_eq!(anon.header("vary"), Some("authorization"));
        let anon = anon.json();
        assert!(anon.get("filings").is_none());
        assert_eq!(
            sched(&anon, LEAD),
            (json!("deadline_passed"), json!("unknown"))
        );
        assert_eq!(body_filing(&anon, LEAD, "420700", "government"), None);
        // Once the party committee files too, the obligation is filed.
        let mut pc = prefecture_filing("420700", "party_committee");
        pc["filed_on"] = json!("2026-02-03");
        let f = r
            .call("POST", "/v1/filings", Some(&ezhou), Some(&pc), &[])
            .await;
        assert_eq!(f.status.as_u16(), 201, "{}", f.text());
        let v = obligations(&r, Some(&ezhou), "420700", "2026-02-04").await;
        assert_eq!(sched(&v, LEAD), (json!("filed"), json!("yes")));
        let pcf = body_filing(&v, LEAD, "420700", "party_committee").unwrap();
        assert_eq!(
            (&pcf["status"], &pcf["on_time"]),
            (&json!("filed"), &json!(false))
        );
        // The provincial departments (十一) are matched by name on the province's lines.
        let pd = json!({
            "obligation": "provincial_department_annual_report", "year": 2025,
            "body": {"adcode": "420000", "id": "eco_environment"},
            "filed_on": "2026-01-30", "document_ref": "鄂环〔2026〕3号",
        });
        let office = r.token(Role::Office, "420000", None).await;
        let f = r
            .call("POST", "/v1/filings", Some(&office), Some(&pd), &[])
            .await;
        assert_eq!(f.status.as_u16(), 201, "{}", f.text());
        let v = obligations(&r, Some(&office), "", "2026-02-01").await;
        const PROV: &str = "provincial_department_annual_report";
        assert_eq!(
            st(&v, PROV, "420000", "eco_environment"),
            Some(json!("filed"))
        );
        assert_eq!(
            st(&v, PROV, "420000", "water_resources"),
            Some(json!("overdue"))
        );
        // A bad token on this public route is refused like anywhere else.
        let bad = r
            .call(
                "GET",
                "/v1/obligations?date=2026-02-01",
                Some("liuyu_00"),
                None,
                &[],
            )
            .await;
        assert_eq!(bad.status.as_u16(), 401);
    }
}

#[tokio::test]
async fn public_filings_show_every_body_without_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let loc = liuyu::register::Location::StateDir(dir.path().join("state"));
    let store = liuyu::register::Store::open(&loc, true).await.unwrap();
    store.migrate().await.unwrap();
    let reg = Register::new(store.clone()).disclosing_filings(true);
    let app = liuyu::server::router(common::embedded_state().with_register(reg));
    let r = Reg {
        backend: "sqlite",
        location: loc,
        store,
        app,
        dir: Some(dir),
    };
    let office = r.token(Role::Office, "420700", None).await;
    let f = r
        .call(
            "POST",
            "/v1/filings",
            Some(&office),
            Some(&prefecture_filing("420700", "party_committee")),
            &[],
        )
        .await;
    assert_eq!(f.status.as_u16(), 201, "{}", f.text());
    let v = obligations(&r, None, "420700", "2026-02-01").await;
    let lead = "prefecture_annual_report";
    let pc = body_filing(&v, lead, "420700", "party_committee").unwrap();
    assert_eq!(pc["status"], "filed");
    let g = body_filing(&v, lead, "420700", "government").unwrap();
    assert_eq!(g["status"], "overdue");
}
