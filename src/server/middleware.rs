//! Cross-cutting middleware (中间件) run around every route: the request
//! deadline with its [`Work`] share of the pool, early refusal of oversized
//! requests, and request metrics. The router stacks them (see
//! [`super::router::router`]) together with CORS, `nosniff` and problem bodies.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::limits::Limits;
use super::metrics::Metrics;
use super::problem::Problem;
use super::work::{Work, WorkPool};
use crate::budget::Budget;

/// What the middleware needs: the limits, the pool and the metrics.
#[derive(Clone)]
pub struct Guards {
    /// The limits in force.
    pub limits: Arc<Limits>,
    /// The pool for CPU-heavy work.
    pub pool: Arc<WorkPool>,
    /// The metrics registry.
    pub metrics: Arc<Metrics>,
}

/// Every request gets a deadline (`request_timeout`): past it the answer is a
/// 504 problem and the request's budget is cancelled, which stops its work on
/// the pool. The budget is also cancelled when the request future is dropped
/// early (the client disconnected).
pub async fn deadline(State(g): State<Guards>, mut req: Request, next: Next) -> Response {
    let limit = g.limits.request_timeout;
    let budget = Budget::with_timeout(limit);
    let _cancel_when_done = budget.cancel_on_drop();
    req.extensions_mut()
        .insert(Work::new(g.pool.clone(), budget, limit));
    req.extensions_mut().insert(g.limits.clone());
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => close(Problem::deadline(limit).into_response()),
    }
}

/// Refuses what is too big before reading it: a request target over
/// `max_uri_bytes` (414), more than `max_headers` header fields or
/// `max_header_bytes` of them (431), a `Content-Length` over `body_limit` (413,
/// the body is never read and the connection is closed).
pub async fn refuse_oversized(State(g): State<Guards>, req: Request, next: Next) -> Response {
    if let Some(p) = oversized(&g.limits, &req) {
        super::body::linger(req.into_body());
        return close(p.into_response());
    }
    next.run(req).await
}

fn oversized(l: &Limits, req: &Request) -> Option<Problem> {
    let uri_len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri_len > l.max_uri_bytes {
        return Some(
            Problem::new(
                StatusCode::URI_TOO_LONG,
                "uri-too-long",
                format!(
                    "the request target is {uri_len} bytes; at most {} are accepted",
                    l.max_uri_bytes
                ),
            )
            .with("limit", l.max_uri_bytes),
        );
    }
    let h = req.headers();
    let bytes: usize = h.iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
    if h.len() > l.max_headers || bytes > l.max_header_bytes {
        return Some(Problem::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers-too-large",
            format!(
                "{} header fields, {bytes} bytes; at most {} fields and {} bytes are accepted",
                h.len(),
                l.max_headers,
                l.max_header_bytes
            ),
        ));
    }
    let declared = h
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(n) if n > l.body_limit as u64 => Some(
            Problem::too_large(format!(
                "the body declares {n} bytes; at most {} are accepted",
                l.body_limit
            ))
            .with("limit", l.body_limit),
        ),
        _ => None,
    }
}

/// Asks the client to close the connection after this answer (the rest of its
/// request may be unread, or the request was hostile).
pub fn close(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}

/// Counts the request by route template and status, times it, and tracks
/// requests in flight (see [`Metrics`]).
pub async fn measure(State(g): State<Guards>, req: Request<Body>, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |m| m.as_str())
        .to_string();
    let method = req.method().clone();
    let started = Instant::now();
    let _in_flight = g.metrics.in_flight();
    let res = next.run(req).await;
    g.metrics.observe_request(
        &route,
        method.as_str(),
        res.status().as_u16(),
        started.elapsed(),
    );
    res
}
