//! Helpers of the register tests (登记簿测试公用): a register on a fresh SQLite
//! state directory, or on a fresh PostgreSQL database when
//! `LIUYU_TEST_DATABASE_URL` is set (a role that may CREATE DATABASE), tokens,
//! and one request through the real router.
#![allow(dead_code)]

pub mod live;

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use liuyu::register::scope::Role;
use liuyu::register::token::{self, TokenSpec};
use liuyu::register::{Location, Register, Store};
use liuyu::server::AppState;
use serde_json::Value;

use crate::common::{self, Reply};

/// The environment variable naming a PostgreSQL server for the tests.
pub const PG_ENV: &str = "LIUYU_TEST_DATABASE_URL";

/// A register under test.
pub struct Reg {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Where it lives.
    pub location: Location,
    /// The store.
    pub store: Store,
    /// The router with the register attached.
    pub app: axum::Router,
    /// Keeps a state directory alive.
    pub dir: Option<tempfile::TempDir>,
}

/// A fresh PostgreSQL database on the server of `LIUYU_TEST_DATABASE_URL`, by URL.
pub async fn fresh_pg_database(base: &str, tag: &str) -> String {
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let name = format!(
        "liuyu_{tag}_{}",
        liuyu::register::token::random_hex(6).unwrap()
    );
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(base)
        .await
        .expect("connect to LIUYU_TEST_DATABASE_URL");
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("CREATE DATABASE");
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (base, String::new()),
    };
    let after_scheme = head.find("://").map(|i| i + 3).unwrap_or(0);
    let head = match head[after_scheme..].find('/') {
        Some(i) => &head[..after_scheme + i],
        None => head,
    };
    format!("{head}/{name}{query}")
}

/// The PostgreSQL base URL, when the tests should use PostgreSQL too.
pub fn pg_base() -> Option<String> {
    std::env::var(PG_ENV).ok().filter(|s| !s.trim().is_empty())
}

/// Opens, migrates and attaches a register at `location`.
pub async fn open(
    backend: &'static str,
    location: Location,
    dir: Option<tempfile::TempDir>,
) -> Reg {
    let store = Store::open(&location, true).await.expect("open register");
    store.migrate().await.expect("migrate");
    let reg = Register::new(store.clone()).with_failure_limit(100_000, Duration::from_secs(60));
    let state: AppState = common::embedded_state().with_register(reg);
    Reg {
        backend,
        location,
        store,
        app: liuyu::server::router(state),
        dir,
    }
}

/// A register on a fresh SQLite state directory.
pub async fn sqlite() -> Reg {
    let dir = tempfile::tempdir().expect("tempdir");
    let loc = Location::StateDir(dir.path().join("state"));
    open("sqlite", loc, Some(dir)).await
}

/// A register on a fresh PostgreSQL database, when `LIUYU_TEST_DATABASE_URL` is set.
pub async fn postgres(tag: &str) -> Option<Reg> {
    let base = pg_base()?;
    let url = fresh_pg_database(&base, tag).await;
    Some(open("postgres", Location::Url(url), None).await)
}

/// SQLite, and PostgreSQL when configured (a note on stderr when it is not).
pub async fn backends(tag: &str) -> Vec<Reg> {
    let mut v = vec![sqlite().await];
    match postgres(tag).await {
        Some(r) => v.push(r),
        None => eprintln!("{tag}: PostgreSQL skipped ({PG_ENV} not set)"),
    }
    v
}

impl Reg {
    /// A token straight from the library (as `liuyu token create` makes it).
    pub async fn token(&self, role: Role, jurisdiction: &str, department: Option<&str>) -> String {
        let spec = TokenSpec {
            role,
            jurisdiction: jurisdiction.into(),
            department: department.map(str::to_string),
            name: format!(
                "{} {jurisdiction} {}",
                role.as_str(),
                department.unwrap_or("")
            ),
        };
        token::create(&self.store, &spec)
            .await
            .expect("token")
            .token
    }

    /// Revokes the token with this secret.
    pub async fn revoke(&self, secret: &str) {
        let t = token::find(&self.store, secret).await.unwrap().unwrap();
        token::revoke(&self.store, &t.id).await.unwrap();
    }

    /// One request: `token` as a bearer token, a JSON body, extra headers.
    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        if body.is_some() {
            b = b.header("content-type", "application/json");
        }
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let body = match body {
            Some(v) => Body::from(v.to_string()),
            None => Body::empty(),
        };
        common::send(self.app.clone(), b.body(body).unwrap()).await
    }

    /// Creates a case as `token`; panics unless 201. Returns the case JSON.
    pub async fn case(&self, token: &str, places: &[&str], matter: &str) -> Value {
        let body = serde_json::json!({
            "title": format!("{matter} across {}", places.join("+")),
            "description": "test case",
            "matter": matter,
            "places": places,
        });
        let r = self
            .call("POST", "/v1/cases", Some(token), Some(&body), &[])
            .await;
        assert_eq!(r.status.as_u16(), 201, "{}", r.text());
        r.json()
    }
}
