//! 备份与校验: online backup of the register into a self-contained SQLite file,
//! restore into an empty register, and a consistency check.
//!
//! One code path for both backends: a backup reads every table inside one
//! snapshot transaction (SQLite WAL read transaction; PostgreSQL `REPEATABLE
//! READ READ ONLY`) while the server keeps writing, and copies the rows into a
//! fresh, migrated SQLite file, written beside the target and renamed into
//! place when complete. A restore copies such a file into an empty register
//! of either backend (so a backup also moves a register from SQLite to
//! PostgreSQL or back). The records digest (SHA-256 over every row of every
//! table, in key order) is the same for a register, its backup and a restore.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::store::{Backend, Location, Store};
use super::RegisterError;

/// A column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Int,
}

/// A table, its columns (nullable ones too) and its key order.
struct Table {
    name: &'static str,
    cols: &'static [(&'static str, Kind)],
    key: &'static str,
}

use Kind::{Int, Text};

/// Every table of the register, parents before children.
const TABLES: [Table; 7] = [
    Table {
        name: "tokens",
        cols: &[
            ("id", Text),
            ("hash", Text),
            ("role", Text),
            ("jurisdiction", Text),
            ("department", Text),
            ("name", Text),
            ("created_at", Int),
            ("revoked_at", Int),
        ],
        key: "id",
    },
    Table {
        name: "filings",
        cols: &[
            ("id", Text),
            ("obligation", Text),
            ("year", Int),
            ("body_adcode", Text),
            ("body_prefecture", Text),
            ("body_id", Text),
            ("filed_on", Text),
            ("document_ref", Text),
            ("public_url", Text),
            ("recorded_by", Text),
            ("recorded_at", Int),
        ],
        key: "id",
    },
    Table {
        name: "cases",
        cols: &[
            ("id", Text),
            ("title", Text),
            ("description", Text),
            ("matter", Text),
            ("status", Text),
            ("version", Int),
            ("request", Text),
            ("analysis", Text),
            ("data_version", Text),
            ("created_by", Text),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        key: "id",
    },
    Table {
        name: "case_places",
        cols: &[
            ("case_id", Text),
            ("adcode", Text),
            ("prefecture", Text),
            ("role", Text),
        ],
        key: "case_id, role, adcode",
    },
    Table {
        name: "case_departments",
        cols: &[("case_id", Text), ("department", Text), ("adcode", Text)],
        key: "case_id, department, adcode",
    },
    Table {
        name: "case_events",
        cols: &[
            ("case_id", Text),
            ("seq", Int),
            ("at", Int),
            ("actor", Text),
            ("actor_name", Text),
            ("actor_role", Text),
            ("actor_jurisdiction", Text),
            ("from_status", Text),
            ("to_status", Text),
            ("note", Text),
        ],
        key: "case_id, seq",
    },
    Table {
        name: "idempotency_keys",
        cols: &[
            ("token_id", Text),
            ("key", Text),
            ("request_hash", Text),
            ("case_id", Text),
            ("created_at", Int),
        ],
        key: "token_id, key",
    },
];

/// One value of a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
enum Val {
    Text(Option<String>),
    Int(Option<i64>),
}

fn read_row(t: &Table, r: &AnyRow) -> Result<Vec<Val>, sqlx::Error> {
    t.cols
        .iter()
        .enumerate()
        .map(|(i, (_, k))| {
            Ok(match k {
                Kind::Text => Val::Text(r.try_get(i)?),
                Kind::Int => Val::Int(r.try_get(i)?),
            })
        })
        .collect()
}

const PAGE: i64 = 500;

/// One page of a table (key order) inside `tx`.
async fn read_page(
    tx: &mut Transaction<'static, Any>,
    t: &Table,
    offset: i64,
) -> Result<Vec<Vec<Val>>, RegisterError> {
    let cols: Vec<&str> = t.cols.iter().map(|(c, _)| *c).collect();
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {} LIMIT $1 OFFSET $2",
        cols.join(", "),
        t.name,
        t.key
    );
    let rows = sqlx::query(&sql)
        .bind(PAGE)
        .bind(offset)
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows
        .iter()
        .map(|r| read_row(t, r))
        .collect::<Result<Vec<_>, _>>()?)
}

async fn insert_rows(
    tx: &mut Transaction<'static, Any>,
    t: &Table,
    rows: &[Vec<Val>],
) -> Result<(), RegisterError> {
    let cols: Vec<&str> = t.cols.iter().map(|(c, _)| *c).collect();
    let params: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        t.name,
        cols.join(", "),
        params.join(", ")
    );
    for row in rows {
        let mut q = sqlx::query(&sql);
        for v in row {
            q = match v {
                Val::Text(s) => q.bind(s.clone()),
                Val::Int(i) => q.bind(*i),
            };
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Copies every table from a snapshot of `from` into `to` (one transaction),
/// a page at a time.
async fn copy_all(from: &Store, to: &Store) -> Result<Counts, RegisterError> {
    let mut src = from.begin_snapshot().await?;
    let mut dst = to.begin_write().await?;
    let mut counts = Counts::default();
    for t in &TABLES {
        let mut offset = 0;
        loop {
            let page = read_page(&mut src, t, offset).await?;
            insert_rows(&mut dst, t, &page).await?;
            offset += page.len() as i64;
            if (page.len() as i64) < PAGE {
                break;
            }
        }
        counts.set(t.name, u64::try_from(offset).unwrap_or(0));
    }
    dst.commit().await?;
    src.rollback().await?;
    Ok(counts)
}

/// Row counts per table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Tokens.
    pub tokens: u64,
    /// Filings.
    pub filings: u64,
    /// Cases.
    pub cases: u64,
    /// Case places.
    pub case_places: u64,
    /// Case departments.
    pub case_departments: u64,
    /// Case events.
    pub case_events: u64,
    /// Idempotency keys.
    pub idempotency_keys: u64,
}

impl Counts {
    fn set(&mut self, table: &str, n: u64) {
        match table {
            "tokens" => self.tokens = n,
            "filings" => self.filings = n,
            "cases" => self.cases = n,
            "case_places" => self.case_places = n,
            "case_departments" => self.case_departments = n,
            "case_events" => self.case_events = n,
            _ => self.idempotency_keys = n,
        }
    }
}

/// Opens (or creates) a backup file as a register store.
async fn open_file(path: &Path, create: bool) -> Result<Store, RegisterError> {
    Ok(Store::open_backup_file(path, create).await?)
}

fn partial_path(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_os_string();
    s.push(".partial");
    PathBuf::from(s)
}

/// Writes an online backup of `store` to `file` (which must not exist).
pub async fn backup(store: &Store, file: &Path) -> Result<Counts, RegisterError> {
    if file.exists() {
        return Err(RegisterError::BadInput(format!(
            "{} exists; a backup never overwrites a file",
            file.display()
        )));
    }
    let tmp = partial_path(file);
    let _ = std::fs::remove_file(&tmp);
    let result = async {
        let dst = open_file(&tmp, true).await?;
        dst.migrate().await?;
        let counts = copy_all(store, &dst).await?;
        dst.close().await;
        Ok::<_, RegisterError>(counts)
    }
    .await;
    let counts = match result {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .and_then(|_| std::fs::rename(&tmp, file))
        .map_err(|e| RegisterError::Internal(format!("finishing {}: {e}", file.display())))?;
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(counts)
}

/// Restores a backup file into `store`, which must hold no records.
pub async fn restore(store: &Store, file: &Path) -> Result<Counts, RegisterError> {
    if !file.is_file() {
        return Err(RegisterError::BadInput(format!(
            "{} is not a backup file",
            file.display()
        )));
    }
    let src = open_file(file, false).await?;
    let applied = src.applied().await.unwrap_or_default();
    if applied != Store::known() {
        return Err(RegisterError::BadInput(format!(
            "{} has schema versions {applied:?}; this liuyu writes {:?}",
            file.display(),
            Store::known()
        )));
    }
    let present = counts(store).await?;
    if present.tokens + present.filings + present.cases > 0 {
        return Err(RegisterError::BadInput(
            "the target register is not empty; restore only into a fresh one".into(),
        ));
    }
    let c = copy_all(&src, store).await;
    src.close().await;
    c
}

/// Row counts and the records digest, from one snapshot.
pub async fn digest(store: &Store) -> Result<(Counts, String), RegisterError> {
    let mut tx = store.begin_snapshot().await?;
    let mut h = Sha256::new();
    let mut counts = Counts::default();
    for t in &TABLES {
        h.update(t.name.as_bytes());
        h.update([0u8]);
        let mut offset = 0;
        loop {
            let page = read_page(&mut tx, t, offset).await?;
            for row in &page {
                let line = serde_json::to_string(row)
                    .map_err(|e| RegisterError::Internal(e.to_string()))?;
                h.update(line.as_bytes());
                h.update(b"\n");
            }
            offset += page.len() as i64;
            if (page.len() as i64) < PAGE {
                break;
            }
        }
        counts.set(t.name, u64::try_from(offset).unwrap_or(0));
    }
    tx.rollback().await?;
    Ok((counts, hex::encode(h.finalize())))
}

async fn counts(store: &Store) -> Result<Counts, RegisterError> {
    let mut c = Counts::default();
    for t in &TABLES {
        let n: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM {}", t.name))
            .fetch_one(store.reader())
            .await?
            .try_get(0)?;
        c.set(t.name, u64::try_from(n).unwrap_or(0));
    }
    Ok(c)
}

/// The answer of `liuyu db check`.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// The file, or the URL without password.
    pub location: String,
    /// Migrations applied to the database.
    pub applied_migrations: Vec<i64>,
    /// Migrations this binary carries.
    pub known_migrations: Vec<i64>,
    /// Rows per table.
    pub counts: Counts,
    /// SHA-256 over every row of every table, in key order.
    pub records_digest: String,
    /// Every inconsistency found (empty when the register is sound).
    pub problems: Vec<String>,
}

/// Consistency rules, each a query that returns offending case ids:
/// a case's version equals its number of events and its last event's seq;
/// its status is its last event's; the log starts with a creation into
/// `open` and each event starts from the status the previous one ended in;
/// every case has at least one place.
const INVARIANTS: [(&str, &str); 5] = [
    (
        "version differs from the number of events",
        "SELECT c.id FROM cases c WHERE c.version <> (SELECT COUNT(*) FROM case_events e WHERE e.case_id = c.id) \
         OR c.version <> (SELECT MAX(e.seq) FROM case_events e WHERE e.case_id = c.id)",
    ),
    (
        "status differs from the last event",
        "SELECT c.id FROM cases c JOIN case_events e ON e.case_id = c.id AND e.seq = c.version \
         WHERE e.to_status <> c.status",
    ),
    (
        "log does not start with the creation",
        "SELECT c.id FROM cases c LEFT JOIN case_events e ON e.case_id = c.id AND e.seq = 1 \
         WHERE e.seq IS NULL OR e.from_status IS NOT NULL OR e.to_status <> 'open'",
    ),
    (
        "an event does not start where the previous one ended",
        "SELECT a.case_id FROM case_events a JOIN case_events b ON b.case_id = a.case_id \
         AND b.seq = a.seq + 1 WHERE b.from_status IS NULL OR b.from_status <> a.to_status",
    ),
    (
        "case without places",
        "SELECT c.id FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_places p WHERE p.case_id = c.id)",
    ),
];

async fn engine_check(store: &Store) -> Result<Vec<String>, RegisterError> {
    let mut problems = Vec::new();
    if store.backend() == Backend::Sqlite {
        for pragma in ["PRAGMA integrity_check", "PRAGMA foreign_key_check"] {
            let rows = sqlx::query(pragma).fetch_all(store.reader()).await?;
            let texts: Vec<String> = rows
                .iter()
                .map(|r| r.try_get::<String, _>(0).unwrap_or_else(|_| "row".into()))
                .filter(|t| t != "ok")
                .collect();
            if !texts.is_empty() {
                problems.push(format!("{pragma}: {}", texts.join("; ")));
            }
        }
    }
    Ok(problems)
}

/// Checks the register: the engine's own check (SQLite), migrations, and the
/// invariants of the case log.
pub async fn check(store: &Store) -> Result<CheckReport, RegisterError> {
    let mut problems = engine_check(store).await?;
    let applied = store.applied().await.unwrap_or_default();
    let known = Store::known();
    if applied != known {
        problems.push(format!(
            "migrations applied {applied:?}, this liuyu carries {known:?} (run `liuyu db migrate`)"
        ));
        return Ok(CheckReport {
            backend: store.backend().name(),
            location: store.shown().to_string(),
            applied_migrations: applied,
            known_migrations: known,
            counts: Counts::default(),
            records_digest: String::new(),
            problems,
        });
    }
    for (what, sql) in INVARIANTS {
        let rows = sqlx::query(sql).fetch_all(store.reader()).await?;
        let mut ids: Vec<String> = rows.iter().filter_map(|r| r.try_get(0).ok()).collect();
        ids.sort();
        ids.dedup();
        if !ids.is_empty() {
            let shown: Vec<&str> = ids.iter().take(10).map(String::as_str).collect();
            problems.push(format!(
                "{what}: {} case(s), e.g. {}",
                ids.len(),
                shown.join(", ")
            ));
        }
    }
    let (counts, records_digest) = digest(store).await?;
    Ok(CheckReport {
        backend: store.backend().name(),
        location: store.shown().to_string(),
        applied_migrations: applied,
        known_migrations: known,
        counts,
        records_digest,
        problems,
    })
}

/// Opens a register location for the CLI (never creating a state directory
/// except for `migrate`).
pub async fn open(loc: &Location, create: bool) -> Result<Store, RegisterError> {
    Ok(Store::open(loc, create).await?)
}
