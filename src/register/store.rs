//! 存储: the register's database. SQLite (a file in a state directory, the
//! embedded default) or PostgreSQL (for several replicas), both through one
//! code path: sqlx's `Any` driver with the same SQL (numbered `$n`
//! parameters, portable types). Only the migrations differ per dialect
//! (`migrations/sqlite`, `migrations/postgres`, kept column for column in step).
//!
//! Durability: SQLite runs in WAL mode with `synchronous=FULL`, so a commit is
//! on disk before the request that made it is acknowledged; PostgreSQL commits
//! with its default `synchronous_commit=on`. SQLite writes go through a single
//! writer connection opened with `BEGIN IMMEDIATE` (no lock upgrades, so no
//! `SQLITE_BUSY` under load); PostgreSQL writes use a pool and rely on
//! conditional updates (`WHERE version = $n`) and primary keys.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{MigrateError, Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{Any, AnyPool, Executor, Transaction};

/// The file name of the SQLite register inside a state directory.
pub const SQLITE_FILE: &str = "register.sqlite3";

/// Which database holds the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file (embedded default).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Backend {
    /// `sqlite` or `postgres`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Where the register lives: a state directory (SQLite) or a database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// `--state DIR`: `DIR/register.sqlite3`, the directory created on first start.
    StateDir(PathBuf),
    /// `--database URL`: `postgres://...` or `sqlite://FILE`.
    Url(String),
}

/// Why the register could not be opened or used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The location is not usable (bad URL, unwritable directory...).
    #[error("{0}")]
    Config(String),
    /// The database answered with an error.
    #[error("register database: {0}")]
    Db(#[from] sqlx::Error),
    /// A migration failed or the database holds migrations this binary does not know.
    #[error("register migrations: {0}")]
    Migrate(#[from] MigrateError),
}

/// The register's database: a read pool and a write pool (the same pool on
/// PostgreSQL; one connection on SQLite).
#[derive(Debug, Clone)]
pub struct Store {
    backend: Backend,
    read: AnyPool,
    write: AnyPool,
    shown: String,
}

/// Percent-encodes a file path for an `sqlite://` URL (sqlx decodes it again).
fn sqlite_url(path: &Path) -> Result<String, StoreError> {
    let s = path
        .to_str()
        .ok_or_else(|| StoreError::Config(format!("{} is not a UTF-8 path", path.display())))?;
    let mut out = String::from("sqlite://");
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(out)
}

/// The URL with any password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (auth, host) = match rest.split_once('@') {
        Some((a, h)) if !a.contains('/') => (a, h),
        _ => return url.to_string(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

impl Location {
    /// The backend and the sqlx URL; creates a state directory (mode 0700) on first use.
    fn resolve(&self, create: bool) -> Result<(Backend, String, String), StoreError> {
        match self {
            Location::StateDir(dir) => {
                if create {
                    create_state_dir(dir)?;
                } else if !dir.is_dir() {
                    return Err(StoreError::Config(format!(
                        "the state directory {} does not exist",
                        dir.display()
                    )));
                }
                let dir = dir.canonicalize().map_err(|e| {
                    StoreError::Config(format!("state directory {}: {e}", dir.display()))
                })?;
                let file = dir.join(SQLITE_FILE);
                let url = format!(
                    "{}?mode={}",
                    sqlite_url(&file)?,
                    if create { "rwc" } else { "rw" }
                );
                Ok((Backend::Sqlite, url, file.display().to_string()))
            }
            Location::Url(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Ok((Backend::Postgres, u.clone(), redact(u)))
            }
            Location::Url(u) if u.starts_with("sqlite:") => {
                Ok((Backend::Sqlite, u.clone(), u.clone()))
            }
            Location::Url(u) => Err(StoreError::Config(format!(
                "unsupported database URL `{}`: use postgres://... or sqlite://FILE",
                redact(u).chars().take(80).collect::<String>()
            ))),
        }
    }
}

fn create_state_dir(dir: &Path) -> Result<(), StoreError> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir).map_err(|e| {
        StoreError::Config(format!(
            "cannot create the state directory {}: {e}",
            dir.display()
        ))
    })
}

/// SQLite's journal: WAL for a register that is written (readers never block
/// the writer), rollback-journal `DELETE` for a backup file (self-contained
/// once closed), or the file's own mode when only reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Journal {
    Wal,
    Delete,
    AsIs,
}

/// Per-connection settings on SQLite: the journal, `synchronous=FULL` (a
/// commit is on disk before it is acknowledged), foreign keys, a busy timeout.
async fn sqlite_pragmas(
    conn: &mut sqlx::AnyConnection,
    journal: Journal,
) -> Result<(), sqlx::Error> {
    let j = match journal {
        Journal::Wal => "PRAGMA journal_mode = WAL; ",
        Journal::Delete => "PRAGMA journal_mode = DELETE; ",
        Journal::AsIs => "",
    };
    conn.execute(
        format!(
            "{j}PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;"
        )
        .as_str(),
    )
    .await
    .map(|_| ())
}

fn pool_options(backend: Backend, max: u32, journal: Journal) -> AnyPoolOptions {
    let o = AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(10));
    match backend {
        Backend::Sqlite => o.after_connect(move |conn, _| Box::pin(sqlite_pragmas(conn, journal))),
        Backend::Postgres => o,
    }
}

impl Store {
    /// Opens the register at `loc`. With `create` (the register is to be
    /// written: serve, migrate, tokens, restore) a state directory and its file
    /// are created when missing and SQLite is switched to WAL; without, the
    /// file is used as it is (check, backup). Does not migrate: call
    /// [`Store::migrate`].
    pub async fn open(loc: &Location, create: bool) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, url, shown) = loc.resolve(create)?;
        let journal = if create { Journal::Wal } else { Journal::AsIs };
        let (read, write) = match backend {
            Backend::Sqlite => {
                let write = pool_options(backend, 1, journal).connect(&url).await?;
                let read = pool_options(backend, 4, journal).connect(&url).await?;
                (read, write)
            }
            Backend::Postgres => {
                let pool = pool_options(backend, 8, journal).connect(&url).await?;
                (pool.clone(), pool)
            }
        };
        Ok(Store {
            backend,
            read,
            write,
            shown,
        })
    }

    /// A single-connection SQLite store for a backup file: `create` makes a new
    /// one in rollback-journal mode (one self-contained file once closed);
    /// otherwise the file is opened read-only as it is. `path` is the file.
    pub async fn open_backup_file(path: &Path, create: bool) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let mode = if create { "rwc" } else { "ro" };
        let url = format!("{}?mode={mode}", sqlite_url(path)?);
        let journal = if create {
            Journal::Delete
        } else {
            Journal::AsIs
        };
        let pool = pool_options(Backend::Sqlite, 1, journal)
            .connect(&url)
            .await?;
        Ok(Store {
            backend: Backend::Sqlite,
            read: pool.clone(),
            write: pool,
            shown: path.display().to_string(),
        })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The location for messages (file path, or URL without password).
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The pool for reads.
    pub fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// A write transaction (`BEGIN IMMEDIATE` on SQLite).
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.write.begin().await,
        }
    }

    /// A read transaction that sees one consistent snapshot (for backups and checks).
    pub async fn begin_snapshot(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.read.begin().await,
            Backend::Postgres => {
                self.read
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await
            }
        }
    }

    /// Applies the pending migrations; returns the versions applied now.
    pub async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        let before = self.applied().await.unwrap_or_default();
        let m = Migrator::new(Embedded(self.backend)).await?;
        m.run(&self.write).await?;
        let after = self.applied().await?;
        Ok(after.into_iter().filter(|v| !before.contains(v)).collect())
    }

    /// Versions of the migrations applied to the database.
    pub async fn applied(&self) -> Result<Vec<i64>, sqlx::Error> {
        let rows: Vec<AnyRow> =
            sqlx::query("SELECT version FROM _sqlx_migrations WHERE success = $1 ORDER BY version")
                .bind(true)
                .fetch_all(&self.read)
                .await?;
        rows.iter()
            .map(|r| sqlx::Row::try_get::<i64, _>(r, 0))
            .collect()
    }

    /// Versions of the migrations this binary carries.
    pub fn known() -> Vec<i64> {
        migrations(Backend::Sqlite)
            .iter()
            .map(|m| m.version)
            .collect()
    }

    /// Closes both pools (waits for connections to be returned).
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

/// A value bound to a numbered parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Text.
    Text(String),
    /// An integer.
    Int(i64),
}

/// SQL built piece by piece with numbered parameters (`$1`, `$2`, ...), the
/// one spelling both SQLite and PostgreSQL accept.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    /// The text so far.
    pub text: String,
    args: Vec<Arg>,
}

impl Sql {
    /// Starts with `text`.
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_string(),
            args: Vec::new(),
        }
    }

    /// Adds a parameter and returns its placeholder.
    pub fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    /// Adds a text parameter and returns its placeholder.
    pub fn text_arg(&mut self, s: &str) -> String {
        self.arg(Arg::Text(s.to_string()))
    }

    /// Appends text.
    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// The query with its parameters bound.
    pub fn query(&self) -> sqlx::query::Query<'_, Any, sqlx::any::AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }
}

/// The migrations of one dialect, embedded in the binary.
fn migrations(backend: Backend) -> Vec<Migration> {
    let files: [(i64, &str, &str, &str); 1] = [(
        1,
        "register",
        include_str!("migrations/sqlite/0001_register.sql"),
        include_str!("migrations/postgres/0001_register.sql"),
    )];
    files
        .iter()
        .map(|(v, d, lite, pg)| {
            let sql = match backend {
                Backend::Sqlite => lite,
                Backend::Postgres => pg,
            };
            Migration::new(
                *v,
                Cow::Borrowed(d),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect()
}

/// A migration source over the embedded files.
#[derive(Debug)]
struct Embedded(Backend);

impl MigrationSource<'static> for Embedded {
    fn resolve(
        self,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<
                    Output = Result<Vec<Migration>, Box<dyn std::error::Error + Send + Sync>>,
                > + Send,
        >,
    > {
        Box::pin(async move { Ok(migrations(self.0)) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(table, [columns])` of every `CREATE TABLE` of a migration file.
    fn tables(sql: &str) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        for part in sql.split("CREATE TABLE ").skip(1) {
            let (name, body) = part.split_once('(').unwrap();
            let body = &body[..body.find("\n);").unwrap()];
            let cols = body
                .lines()
                .map(str::trim)
                .filter(|l| {
                    !l.is_empty()
                        && !l.starts_with("--")
                        && !l.starts_with("CHECK")
                        && !l.starts_with("UNIQUE")
                        && !l.starts_with("PRIMARY KEY")
                })
                .map(|l| l.split_whitespace().next().unwrap().to_string())
                .collect();
            out.push((name.trim().to_string(), cols));
        }
        out
    }

    #[test]
    fn both_dialects_declare_the_same_tables_and_columns() {
        let lite = tables(include_str!("migrations/sqlite/0001_register.sql"));
        let pg = tables(include_str!("migrations/postgres/0001_register.sql"));
        assert_eq!(lite.len(), 7);
        assert_eq!(lite, pg);
    }

    #[test]
    fn urls() {
        assert_eq!(
            sqlite_url(Path::new("/tmp/a b/ü?#")).unwrap(),
            "sqlite:///tmp/a%20b/%C3%BC%3F%23"
        );
        assert_eq!(
            redact("postgres://liuyu:s3cret@db:5432/reg"),
            "postgres://liuyu:***@db:5432/reg"
        );
        assert_eq!(redact("postgres://db/reg"), "postgres://db/reg");
        assert!(Location::Url("mysql://x".into()).resolve(false).is_err());
    }
}
