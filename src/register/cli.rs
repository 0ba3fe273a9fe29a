//! Command line of the register: `liuyu db migrate|backup|restore|check`,
//! `liuyu token create|list|revoke`, and the register options of `liuyu serve`.

use crate::cli::{fail, print_json};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::scope::Role;
use super::store::{Location, Store};
use super::token::TokenSpec;
use super::{backup, token, Register, RegisterError};
use crate::server::AppState;

/// Where the register lives.
#[derive(Debug, Clone, Default, Args)]
pub struct RegisterArgs {
    /// State directory of the embedded SQLite register (created on first start).
    #[arg(long, value_name = "DIR", env = "LIUYU_STATE", global = true)]
    pub state: Option<PathBuf>,
    /// Database URL instead: postgres://USER@HOST/DB (password from ~/.pgpass
    /// or the URL) or sqlite://FILE.
    #[arg(long, value_name = "URL", env = "LIUYU_DATABASE_URL", global = true)]
    pub database: Option<String>,
}

impl RegisterArgs {
    /// The location, if one was given; an error when both were.
    pub fn location(&self) -> Result<Option<Location>, String> {
        match (&self.state, &self.database) {
            (Some(_), Some(_)) => Err("give either --state or --database, not both".into()),
            (Some(d), None) => Ok(Some(Location::StateDir(d.clone()))),
            (None, Some(u)) => Ok(Some(Location::Url(u.clone()))),
            (None, None) => Ok(None),
        }
    }

    fn required(&self) -> Result<Location, String> {
        self.location()?
            .ok_or_else(|| "the register needs --state DIR or --database URL".into())
    }
}

/// Register options of `liuyu serve`.
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Where the register lives (none: the register routes answer 501 and
    /// `/v1/obligations` says `filed: "unknown"`).
    #[command(flatten)]
    pub at: RegisterArgs,
    /// Show filing records in `/v1/obligations` to callers without a token too
    /// (the reports themselves are public under 十一 and 十二).
    #[arg(long)]
    pub public_filings: bool,
}

impl ServeArgs {
    /// Opens and migrates the register (when one is configured) and attaches it.
    pub async fn attach(&self, state: AppState) -> Result<AppState, String> {
        let Some(loc) = self.at.location()? else {
            return Ok(state);
        };
        let store = Store::open(&loc, true).await.map_err(|e| e.to_string())?;
        let applied = store.migrate().await.map_err(|e| e.to_string())?;
        tracing::info!(
            backend = store.backend().name(),
            location = store.shown(),
            migrations_applied_now = ?applied,
            "register open"
        );
        Ok(state.with_register(Register::new(store).disclosing_filings(self.public_filings)))
    }
}

/// `liuyu db ...`.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// Where the register lives.
    #[command(flatten)]
    pub at: RegisterArgs,
    /// What to do.
    #[command(subcommand)]
    pub op: DbOp,
}

/// Database operations.
#[derive(Debug, Subcommand)]
pub enum DbOp {
    /// Create the register if needed and apply pending migrations.
    Migrate,
    /// Online backup into a new SQLite FILE (the server may keep running).
    Backup {
        /// The backup file (must not exist).
        file: PathBuf,
    },
    /// Restore a backup FILE into an empty register (a fresh --state DIR or database).
    Restore {
        /// The backup file.
        file: PathBuf,
    },
    /// Check the register: integrity, migrations, the case log's invariants;
    /// prints counts and the records digest.
    Check,
}

/// `liuyu token ...`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Where the register lives.
    #[command(flatten)]
    pub at: RegisterArgs,
    /// What to do.
    #[command(subcommand)]
    pub op: TokenOp,
}

/// Token operations.
#[derive(Debug, Subcommand)]
pub enum TokenOp {
    /// Create a token; prints it once (only its SHA-256 is stored).
    Create {
        /// office, department or reader.
        #[arg(long, value_parser = ["office", "department", "reader"])]
        role: String,
        /// Adcode of the jurisdiction (420000, a prefecture or a county).
        #[arg(long)]
        jurisdiction: String,
        /// Department id (department role only), e.g. eco_environment.
        #[arg(long)]
        department: Option<String>,
        /// Who holds it, e.g. 鄂州市生态环境保护委员会办公室.
        #[arg(long)]
        name: String,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by id (tok_...).
    Revoke {
        /// Token id.
        id: String,
    },
}

fn code_of(e: &RegisterError) -> u8 {
    match e {
        RegisterError::BadInput(_) | RegisterError::NotFound(_) => 2,
        _ => 1,
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(e, 1))
}

/// Opens the register, creating and migrating it when `create`.
async fn open(loc: &Location, create: bool) -> Result<Store, RegisterError> {
    let store = backup::open(loc, create).await?;
    if create {
        store.migrate().await?;
    }
    Ok(store)
}

/// Runs `liuyu db ...`.
pub fn run_db(args: DbArgs) -> ExitCode {
    let loc = match args.at.required() {
        Ok(l) => l,
        Err(e) => return fail(e, 2),
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(c) => return c,
    };
    rt.block_on(async move {
        let create = matches!(args.op, DbOp::Migrate | DbOp::Restore { .. });
        let store = match open(&loc, create).await {
            Ok(s) => s,
            Err(e) => return fail(e, 1),
        };
        let out = match &args.op {
            DbOp::Migrate => store.applied().await.map_err(RegisterError::from).map(|v| {
                serde_json::json!({"location": store.shown(), "backend": store.backend().name(), "applied_migrations": v})
            }),
            DbOp::Backup { file } => backup::backup(&store, file).await.map(|c| {
                serde_json::json!({"backup": file, "from": store.shown(), "counts": c})
            }),
            DbOp::Restore { file } => backup::restore(&store, file).await.map(|c| {
                serde_json::json!({"restored": file, "into": store.shown(), "counts": c})
            }),
            DbOp::Check => backup::check(&store).await.and_then(|r| {
                serde_json::to_value(&r).map_err(|e| RegisterError::Internal(e.to_string()))
            }),
        };
        store.close().await;
        match out {
            Ok(v) if v["problems"].as_array().is_some_and(|p| !p.is_empty()) => {
                print_json(&v);
                fail("the register has problems (listed above)", 1)
            }
            Ok(v) => print_json(&v),
            Err(e) => fail(&e, code_of(&e)),
        }
    })
}

fn spec(op: &TokenOp) -> Option<Result<TokenSpec, String>> {
    let TokenOp::Create {
        role,
        jurisdiction,
        department,
        name,
    } = op
    else {
        return None;
    };
    Some(
        Role::parse(role)
            .ok_or_else(|| format!("unknown role `{role}`"))
            .map(|role| TokenSpec {
                role,
                jurisdiction: jurisdiction.trim().to_string(),
                department: department.clone(),
                name: name.trim().to_string(),
            }),
    )
}

/// Runs `liuyu token ...` (`data`: the dataset that defines jurisdictions and departments).
pub fn run_token(args: TokenArgs, data: &Option<PathBuf>) -> ExitCode {
    let loc = match args.at.required() {
        Ok(l) => l,
        Err(e) => return fail(e, 2),
    };
    let place = match spec(&args.op) {
        None => None,
        Some(Err(e)) => return fail(e, 2),
        Some(Ok(s)) => match validate(&s, data) {
            Ok(_) => Some(s),
            Err((msg, code)) => return fail(msg, code),
        },
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(c) => return c,
    };
    rt.block_on(async move {
        let store = match open(&loc, true).await {
            Ok(s) => s,
            Err(e) => return fail(e, 1),
        };
        let code = match (&args.op, place) {
            (TokenOp::Create { .. }, Some(s)) => match token::create(&store, &s).await {
                Ok(t) => {
                    eprintln!("The token is shown once: store it now. Only its SHA-256 is kept.");
                    print_json(&t)
                }
                Err(e) => fail(&e, code_of(&e)),
            },
            (TokenOp::List, _) => match token::list(&store).await {
                Ok(ts) => print_json(&ts),
                Err(e) => fail(&e, code_of(&e)),
            },
            (TokenOp::Revoke { id }, _) => match token::revoke(&store, id).await {
                Ok(Some(t)) => print_json(&t),
                Ok(None) => fail(format!("no token `{id}`"), 2),
                Err(e) => fail(&e, code_of(&e)),
            },
            (TokenOp::Create { .. }, None) => fail("internal: unvalidated token", 1),
        };
        store.close().await;
        code
    })
}

fn validate(s: &TokenSpec, data: &Option<PathBuf>) -> Result<(), (String, u8)> {
    let source = match data {
        Some(d) => crate::server::DataSource::Dir(d.clone()),
        None => crate::server::DataSource::Embedded,
    };
    let atlas = source.load().map_err(|e| (e.to_string(), 1))?;
    let gov = crate::governance::Governance::for_source(&source).map_err(|e| (e.to_string(), 1))?;
    s.validate(&atlas, gov.rules())
        .map(|_| ())
        .map_err(|e| (e.to_string(), 2))
}
