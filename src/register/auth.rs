//! 身份验证: the axum extractors every register route uses ([`Caller`], and
//! [`MaybeCaller`] for public routes that show more to a signed-in caller),
//! and the limiter of failed authentications.
//!
//! A request carries `Authorization: Bearer liuyu_...`. No header → 401; a
//! malformed, unknown or revoked token → 401 with `error="invalid_token"`
//! (RFC 6750), logged with the peer, the route and the reason but never the
//! token, and counted against the peer: after [`FailureLimiter::max`] failures
//! within [`FailureLimiter::window`] every authenticated request from that peer
//! answers 429 with `Retry-After` until the window ends.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::scope::{Place, Role};
use super::token::{self, Token};
use super::Register;
use crate::server::problem::Problem;
use crate::server::AppState;

/// Realm named in `WWW-Authenticate`.
const REALM: &str = "liuyu register";

/// How many peers the limiter remembers at most (older windows are dropped first).
const MAX_PEERS: usize = 10_000;

/// Counts failed authentications per peer in fixed windows.
#[derive(Debug)]
pub struct FailureLimiter {
    max: u32,
    window: Duration,
    peers: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Default for FailureLimiter {
    /// 20 failures per peer per minute.
    fn default() -> Self {
        FailureLimiter::new(20, Duration::from_secs(60))
    }
}

impl FailureLimiter {
    /// A limiter allowing `max` failures per peer per `window`.
    pub fn new(max: u32, window: Duration) -> Self {
        FailureLimiter {
            max,
            window,
            peers: Mutex::new(HashMap::new()),
        }
    }

    /// Failures allowed per window.
    pub fn max(&self) -> u32 {
        self.max
    }

    /// The window.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// How long `peer` must wait, when it has used up its failures.
    pub fn blocked(&self, peer: &str) -> Option<Duration> {
        let peers = self.peers.lock().unwrap_or_else(|e| e.into_inner());
        let (start, n) = peers.get(peer)?;
        let left = self.window.checked_sub(start.elapsed())?;
        (*n >= self.max).then_some(left)
    }

    /// Records one failure of `peer`.
    pub fn record_failure(&self, peer: &str) {
        let mut peers = self.peers.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if peers.len() >= MAX_PEERS {
            peers.retain(|_, (start, _)| now.duration_since(*start) < self.window);
            if peers.len() >= MAX_PEERS {
                tracing::warn!("register: failed-authentication table full; forgetting it");
                peers.clear();
            }
        }
        let e = peers.entry(peer.to_string()).or_insert((now, 0));
        if now.duration_since(e.0) >= self.window {
            *e = (now, 0);
        }
        e.1 = e.1.saturating_add(1);
    }
}

/// An authenticated caller: its token and the place of its jurisdiction.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token (never the secret).
    pub token: Token,
    /// Its jurisdiction.
    pub place: Place,
    /// The register.
    pub register: Arc<Register>,
}

impl Caller {
    /// The role.
    pub fn role(&self) -> Role {
        self.token.role
    }
}

/// An optional caller: `None` without an `Authorization` header (or without a
/// register); a header with a bad token is still refused.
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Caller>);

/// Why authentication failed (logged; the token never is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    Missing,
    Malformed,
    Unknown,
    Revoked,
}

impl Failure {
    fn reason(self) -> &'static str {
        match self {
            Failure::Missing => "no bearer token",
            Failure::Malformed => "malformed bearer token",
            Failure::Unknown => "unknown token",
            Failure::Revoked => "revoked token",
        }
    }
}

fn unauthorized(f: Failure) -> Response {
    let challenge = match f {
        Failure::Missing => format!("Bearer realm=\"{REALM}\""),
        _ => format!(
            "Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description=\"{}\"",
            f.reason()
        ),
    };
    let detail = match f {
        Failure::Missing => {
            "this route needs `Authorization: Bearer <token>` (see `liuyu token create`)"
        }
        Failure::Malformed => "the bearer token is malformed",
        Failure::Unknown => "the bearer token is not known to this register",
        Failure::Revoked => "the bearer token has been revoked",
    };
    let mut res = Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", detail).into_response();
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    res
}

fn too_many(left: Duration) -> Response {
    let secs = left.as_secs().max(1);
    let mut res = Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too-many-failed-authentications",
        format!("too many failed authentications from this address; retry in {secs} s"),
    )
    .with("retry_after_seconds", secs)
    .into_response();
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    res
}

/// 501: this server runs without a register (no `--state` or `--database`).
pub fn no_register() -> Response {
    Problem::new(
        StatusCode::NOT_IMPLEMENTED,
        "no-register",
        "this server runs without a register; start it with --state DIR or --database URL",
    )
    .into_response()
}

/// The peer address (the key of the limiter), or `unknown` when the server
/// does not record connection info.
fn peer(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The bearer token of the request: `Ok(None)` without an `Authorization`
/// header, `Err` when the header is not a well-formed bearer token.
fn bearer(parts: &Parts) -> Result<Option<&str>, Failure> {
    let Some(v) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let v = v.to_str().map_err(|_| Failure::Malformed)?;
    let (scheme, rest) = v.trim().split_once(' ').ok_or(Failure::Malformed)?;
    let t = rest.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || !token::well_formed(t) {
        return Err(Failure::Malformed);
    }
    Ok(Some(t))
}

fn fail(reg: &Register, parts: &Parts, key: &str, f: Failure, id: Option<&str>) -> Response {
    reg.limiter().record_failure(key);
    tracing::warn!(
        peer = %key,
        method = %parts.method,
        path = %parts.uri.path(),
        reason = f.reason(),
        token_id = id.unwrap_or("-"),
        "register: authentication failed"
    );
    unauthorized(f)
}

/// Authenticates the request against the register; `Ok(None)` when it has no
/// `Authorization` header.
async fn authenticate(
    parts: &Parts,
    state: &AppState,
    reg: Arc<Register>,
) -> Result<Option<Caller>, Response> {
    let key = peer(parts);
    let presented = bearer(parts);
    if matches!(presented, Ok(None)) {
        return Ok(None);
    }
    if let Some(left) = reg.limiter().blocked(&key) {
        return Err(too_many(left));
    }
    let secret = presented.map_err(|f| fail(&reg, parts, &key, f, None))?;
    let secret = secret.unwrap_or_default();
    let found = token::find(reg.store(), secret)
        .await
        .map_err(IntoResponse::into_response)?;
    let Some(tok) = found else {
        return Err(fail(&reg, parts, &key, Failure::Unknown, None));
    };
    if tok.revoked_at.is_some() {
        return Err(fail(&reg, parts, &key, Failure::Revoked, Some(&tok.id)));
    }
    let place = Place::resolve(&state.atlas(), &tok.jurisdiction).ok_or_else(|| {
        Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the token's jurisdiction is not in the served dataset",
        )
        .into_response()
    })?;
    Ok(Some(Caller {
        token: tok,
        place,
        register: reg,
    }))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(reg) = state.register() else {
            return Err(no_register());
        };
        match authenticate(parts, state, reg.clone()).await? {
            Some(c) => Ok(c),
            None => Err(unauthorized(Failure::Missing)),
        }
    }
}

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(reg) = state.register() else {
            return Ok(MaybeCaller(None));
        };
        authenticate(parts, state, reg.clone())
            .await
            .map(MaybeCaller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_blocks_after_max_failures_and_forgets_after_the_window() {
        let l = FailureLimiter::new(3, Duration::from_millis(200));
        for _ in 0..2 {
            l.record_failure("a");
        }
        assert!(l.blocked("a").is_none());
        l.record_failure("a");
        assert!(l.blocked("a").is_some());
        assert!(l.blocked("b").is_none());
        std::thread::sleep(Duration::from_millis(250));
        assert!(l.blocked("a").is_none());
        l.record_failure("a");
        assert!(l.blocked("a").is_none());
    }
}
