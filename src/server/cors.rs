//! CORS (跨域) for every route (`/v1`, maps, OGC): same origin and localhost
//! always, plus a configurable allow-list (`--cors-origin`); responses carry
//! `Vary: Origin`. JSON POSTs are allowed (`Content-Type` in preflights).

use axum::http::{request::Parts, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

fn is_localhost(origin: &str) -> bool {
    let rest = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .unwrap_or("");
    let host = if rest.starts_with('[') {
        rest.split(']')
            .next()
            .map(|h| format!("{h}]"))
            .unwrap_or_default()
    } else {
        rest.split(':').next().unwrap_or("").to_string()
    };
    matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]")
}

/// Whether `origin` may read responses for a request with these parts.
pub fn allowed(origin: &str, parts_host: Option<&str>, allow_list: &[String]) -> bool {
    if allow_list.iter().any(|a| a == "*" || a == origin) || is_localhost(origin) {
        return true;
    }
    // Same origin: the Origin's host equals the Host the request was sent to.
    let host = origin.split_once("://").map(|(_, h)| h);
    host.is_some() && host == parts_host
}

/// The CORS layer for an allow-list.
pub fn layer(allow_list: &[String]) -> CorsLayer {
    let list = allow_list.to_vec();
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(
            move |origin: &HeaderValue, parts: &Parts| {
                let host = parts.headers.get("host").and_then(|h| h.to_str().ok());
                origin.to_str().is_ok_and(|o| allowed(o, host, &list))
            },
        ))
        .allow_methods([Method::GET, Method::HEAD, Method::POST, Method::OPTIONS])
        .allow_headers([
            axum::http::header::CONTENT_TYPE,
            axum::http::header::IF_NONE_MATCH,
        ])
        .expose_headers([
            axum::http::header::ETAG,
            axum::http::header::CONTENT_LENGTH,
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderName::from_static("content-crs"),
            axum::http::HeaderName::from_static("x-liuyu-crs"),
        ])
        .vary([axum::http::header::ORIGIN])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy() {
        let none: Vec<String> = vec![];
        assert!(allowed("http://localhost:5173", None, &none));
        assert!(allowed("http://127.0.0.1:3000", None, &none));
        assert!(allowed("http://[::1]:8080", None, &none));
        assert!(allowed(
            "http://maps.example.org",
            Some("maps.example.org"),
            &none
        ));
        assert!(!allowed(
            "http://evil.example",
            Some("maps.example.org"),
            &none
        ));
        assert!(!allowed("http://localhost.evil.example", None, &none));
        assert!(allowed(
            "https://gis.example.cn",
            None,
            &["https://gis.example.cn".to_string()]
        ));
        assert!(allowed("https://any.example", None, &["*".to_string()]));
    }
}
