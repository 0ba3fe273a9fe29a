//! Request/response header helpers shared by the map routes: the public base URL
//! behind proxies (反向代理), conditional requests (ETag / 304) and caching.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;

fn clean_host(h: &str) -> Option<&str> {
    let h = h.split(',').next()?.trim();
    let ok = !h.is_empty()
        && h.len() <= 255
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_'));
    ok.then_some(h)
}

/// `scheme://host` as the client sees it: `X-Forwarded-Proto`/`X-Forwarded-Host`
/// when a proxy sets them, else `Host`, else `localhost`. Unsafe values are ignored.
pub fn base_url(headers: &HeaderMap) -> String {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let proto = get("x-forwarded-proto")
        .and_then(|p| p.split(',').next())
        .map(str::trim)
        .filter(|p| matches!(*p, "http" | "https"))
        .unwrap_or("http");
    let host = get("x-forwarded-host")
        .and_then(clean_host)
        .or_else(|| get("host").and_then(clean_host))
        .unwrap_or("localhost");
    format!("{proto}://{host}")
}

/// Whether `If-None-Match` matches this (quoted, strong) ETag; weak forms compare equal.
pub fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',')
                .map(str::trim)
                .any(|t| t == "*" || t == etag || t.strip_prefix("W/") == Some(etag))
        })
}

/// Whether the client accepts gzip.
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',').any(|p| {
                let mut it = p.split(';');
                let name = it.next().unwrap_or("").trim();
                let q0 = it.any(|q| q.trim().replace(' ', "") == "q=0");
                (name == "gzip" || name == "*") && !q0
            })
        })
}

/// Cache policy of map responses: clients may reuse for 10 minutes, then revalidate by ETag.
pub const CACHE_CONTROL: &str = "public, max-age=600, must-revalidate";

/// A `200` with body, or `304 Not Modified` when the client's ETag matches.
pub fn conditional(
    req: &HeaderMap,
    etag: &str,
    content_type: &str,
    body: impl Into<Body>,
) -> Response {
    let mut b = Response::builder()
        .header(header::ETAG, etag)
        .header(header::CACHE_CONTROL, CACHE_CONTROL);
    if etag_matches(req, etag) {
        b = b.status(StatusCode::NOT_MODIFIED);
        return b.body(Body::empty()).unwrap_or_default();
    }
    b.status(StatusCode::OK)
        .header(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type)
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
        )
        .body(body.into())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.append(*k, HeaderValue::from_static(v));
        }
        m
    }

    #[test]
    fn base_url_honours_forwarded_headers_and_rejects_junk() {
        assert_eq!(
            base_url(&h(&[("host", "127.0.0.1:8080")])),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            base_url(&h(&[
                ("host", "a:1"),
                ("x-forwarded-host", "maps.example.org"),
                ("x-forwarded-proto", "https")
            ])),
            "https://maps.example.org"
        );
        assert_eq!(
            base_url(&h(&[("host", "ok.host"), ("x-forwarded-host", "evil\"/x")])),
            "http://ok.host"
        );
        assert_eq!(
            base_url(&h(&[("x-forwarded-proto", "javascript")])),
            "http://localhost"
        );
    }

    #[test]
    fn etag_and_gzip_negotiation() {
        assert!(etag_matches(
            &h(&[("if-none-match", "\"a\", \"b\"")]),
            "\"b\""
        ));
        assert!(etag_matches(&h(&[("if-none-match", "W/\"b\"")]), "\"b\""));
        assert!(!etag_matches(&h(&[("if-none-match", "\"c\"")]), "\"b\""));
        assert!(accepts_gzip(&h(&[("accept-encoding", "br, gzip;q=0.8")])));
        assert!(!accepts_gzip(&h(&[("accept-encoding", "gzip;q=0, br")])));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
