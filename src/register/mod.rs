//! 登记簿 (the register): a system of record for the committee offices
//! (生态环境保护委员会办公室, clause 二十) — who filed the annual reports of
//! clauses 十一 and 十二, and the cross-boundary cases of 十三, 十四 and 十六 with
//! their append-only event log — in SQLite or PostgreSQL, behind bearer tokens
//! with roles and jurisdictions.
//!
//! Layout: [`store`] (database, migrations), [`token`] (bearer tokens),
//! [`scope`] (jurisdictions and roles), [`auth`] (the axum extractor and the
//! failed-authentication limiter), [`filing`] and [`case`] (the records),
//! [`backup`] (online backup, restore, check), [`http`] (routes) and [`cli`]
//! (`liuyu db ...`, `liuyu token ...`).

pub mod auth;
pub mod backup;
pub mod case;
pub mod cli;
pub mod filing;
pub mod http;
pub mod obligations;
pub mod scope;
pub mod store;
pub mod token;

use axum::http::StatusCode;

use crate::server::problem::Problem;

pub use scope::{Place, Role};
pub use store::{Backend, Location, Store, StoreError};

/// The register as the server holds it: the store and the limiter of failed
/// authentications.
#[derive(Debug)]
pub struct Register {
    store: Store,
    limiter: auth::FailureLimiter,
    disclose_filings: bool,
}

impl Register {
    /// A register over an opened (and migrated) store.
    pub fn new(store: Store) -> Self {
        Register {
            store,
            limiter: auth::FailureLimiter::default(),
            disclose_filings: false,
        }
    }

    /// The same register with another limit of failed authentications
    /// (`max` per peer per `window`; the default is 20 per minute).
    pub fn with_failure_limit(mut self, max: u32, window: std::time::Duration) -> Self {
        self.limiter = auth::FailureLimiter::new(max, window);
        self
    }

    /// The same register, showing filing records in `/v1/obligations` to
    /// callers without a token too (`--public-filings`).
    pub fn disclosing_filings(mut self, yes: bool) -> Self {
        self.disclose_filings = yes;
        self
    }

    /// Whether callers without a token see filing records in `/v1/obligations`.
    pub fn discloses_filings(&self) -> bool {
        self.disclose_filings
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The limiter of failed authentications.
    pub fn limiter(&self) -> &auth::FailureLimiter {
        &self.limiter
    }
}

/// Errors of the register, each mapped to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// Malformed input (400).
    #[error("{0}")]
    BadInput(String),
    /// The role may not do this here (403).
    #[error("{0}")]
    Forbidden(String),
    /// No such record, or not one the caller may see (404).
    #[error("{0}")]
    NotFound(String),
    /// The record exists already, or the status change is not allowed (409).
    #[error("{detail}")]
    Conflict {
        /// Explanation.
        detail: String,
        /// Extension members (allowed transitions, the existing record...).
        extra: serde_json::Map<String, serde_json::Value>,
    },
    /// `If-Match` does not match the current version (412).
    #[error("the case has changed since it was read (current ETag {current})")]
    PreconditionFailed {
        /// The current ETag.
        current: String,
    },
    /// A conditional header is required (428).
    #[error("{0}")]
    PreconditionRequired(String),
    /// Well-formed but refused by a rule (422).
    #[error("{0}")]
    Unprocessable(String),
    /// The body is not `application/json` (415).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// An answer of another domain (the analysis) passed on as is.
    #[error("{}", .0.detail)]
    Problem(Box<Problem>),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    /// Anything else that is our fault (500).
    #[error("{0}")]
    Internal(String),
}

impl RegisterError {
    /// A 409 with extension members.
    pub fn conflict(detail: impl Into<String>, extra: serde_json::Value) -> Self {
        RegisterError::Conflict {
            detail: detail.into(),
            extra: extra.as_object().cloned().unwrap_or_default(),
        }
    }

    /// The problem+json answer. Database details go to the log, not to the client.
    pub fn problem(self) -> Problem {
        match self {
            RegisterError::BadInput(d) => Problem::bad_request(d),
            RegisterError::Forbidden(d) => Problem::new(StatusCode::FORBIDDEN, "forbidden", d),
            RegisterError::NotFound(d) => Problem::not_found(d),
            RegisterError::Conflict { detail, extra } => {
                let mut p = Problem::new(StatusCode::CONFLICT, "conflict", detail);
                // The members of RFC 9457 itself are never overridden.
                let own = |k: &str| matches!(k, "type" | "title" | "status" | "detail");
                p.extensions
                    .extend(extra.into_iter().filter(|(k, _)| !own(k)));
                p
            }
            e @ RegisterError::PreconditionFailed { .. } => {
                let current = match &e {
                    RegisterError::PreconditionFailed { current } => current.clone(),
                    _ => String::new(),
                };
                Problem::new(StatusCode::PRECONDITION_FAILED, "stale-etag", e.to_string())
                    .with("current_etag", current)
            }
            RegisterError::PreconditionRequired(d) => {
                Problem::new(StatusCode::PRECONDITION_REQUIRED, "if-match-required", d)
            }
            RegisterError::Unprocessable(d) => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable", d)
            }
            RegisterError::UnsupportedMediaType(d) => Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                d,
            ),
            RegisterError::Problem(p) => *p,
            RegisterError::Db(e) => db_problem(&e),
            RegisterError::Internal(d) => {
                tracing::error!(error = %d, "register: internal error");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the register failed; see the server log",
                )
            }
        }
    }
}

/// A database failure: 503 (with `Retry-After`) when the database is out of
/// reach or busy, 500 otherwise; the error itself only in the log.
fn db_problem(e: &sqlx::Error) -> Problem {
    tracing::error!(error = %e, "register: database error");
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
            Problem::unavailable("the register database is unavailable; try again shortly")
                .with("retry_after_seconds", 5)
        }
        _ => Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the register database failed; see the server log",
        ),
    }
}

impl From<StoreError> for RegisterError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Db(e) => RegisterError::Db(e),
            other => RegisterError::Internal(other.to_string()),
        }
    }
}

impl axum::response::IntoResponse for RegisterError {
    fn into_response(self) -> axum::response::Response {
        let retry = matches!(
            &self,
            RegisterError::Db(sqlx::Error::PoolTimedOut | sqlx::Error::Io(_))
        );
        let mut res = self.problem().into_response();
        if retry {
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("5"),
            );
        }
        res
    }
}

/// Now, in microseconds since 1970-01-01 UTC (how the register stores times).
pub fn now() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}

/// A stored time as RFC 3339 (UTC).
pub fn rfc3339(micros: i64) -> String {
    jiff::Timestamp::from_microsecond(micros)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Checks a free-text field: non-empty after trimming, at most `max`
/// characters, no control characters other than line breaks and tabs.
pub fn text_field(name: &str, value: &str, max: usize) -> Result<(), RegisterError> {
    if value.trim().is_empty() {
        return Err(RegisterError::BadInput(format!(
            "`{name}` must not be empty"
        )));
    }
    if value.chars().count() > max {
        return Err(RegisterError::BadInput(format!(
            "`{name}` is longer than {max} characters"
        )));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(RegisterError::BadInput(format!(
            "`{name}` contains control characters"
        )));
    }
    Ok(())
}

/// Keyset paging (分页): at most `limit` records after the cursor, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Records per page (1..=500, default 50).
    pub limit: i64,
    /// The sort key of the last record of the previous page (time µs, id).
    pub after: Option<(i64, String)>,
}

impl Page {
    /// Largest page.
    pub const MAX: i64 = 500;

    /// Reads `limit` and `cursor` (an opaque string from a previous `next_cursor`).
    pub fn parse(limit: Option<&str>, cursor: Option<&str>) -> Result<Page, RegisterError> {
        let limit = match limit {
            None => 50,
            Some(l) => l
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=Self::MAX).contains(n))
                .ok_or_else(|| {
                    RegisterError::BadInput(format!("`limit` must be 1..{}", Self::MAX))
                })?,
        };
        let bad = || RegisterError::BadInput("`cursor` is not a cursor this server gave".into());
        let after = match cursor {
            None => None,
            Some(c) => {
                let (at, id) = c.split_once('.').ok_or_else(bad)?;
                let at: i64 = at.parse().map_err(|_| bad())?;
                let ok = !id.is_empty()
                    && id.len() <= 40
                    && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
                if !ok {
                    return Err(bad());
                }
                Some((at, id.to_string()))
            }
        };
        Ok(Page { limit, after })
    }

    /// Keeps the first `limit` of `items` (fetched with one extra) and the
    /// cursor of the next page when there is one.
    pub fn split<T>(&self, mut items: Vec<T>, keys: &[(i64, String)]) -> (Vec<T>, Option<String>) {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        if items.len() <= limit {
            return (items, None);
        }
        items.truncate(limit);
        let next = keys.get(limit - 1).map(|(at, id)| format!("{at}.{id}"));
        (items, next)
    }
}
