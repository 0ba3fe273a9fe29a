//! Request bodies (请求体): a JSON body is read whole, within the body-read
//! timeout and the size limit, and only when the request says it is JSON.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode};

use super::limits::Limits;
use super::problem::Problem;

/// The bytes of a JSON request body: `Content-Type` must be `application/json`
/// or another `+json` type (415 otherwise); the body must arrive within the
/// body timeout (408) and fit the body limit (413).
#[derive(Debug, Clone)]
pub struct JsonBody(pub Bytes);

/// Whether `Content-Type` names JSON (`application/json`, `application/geo+json`,
/// any `application/*+json`; parameters such as `charset` ignored).
pub fn is_json(headers: &HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn unsupported(headers: &HeaderMap) -> Problem {
    let given = headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    Problem::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
        match &given {
            Some(t) => format!("the body must be JSON (Content-Type: application/json), got `{t}`"),
            None => "the body must be JSON: send Content-Type: application/json".to_string(),
        },
    )
    .with("accept", "application/json")
}

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = Problem;

    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(unsupported(req.headers()));
        }
        let limits = req
            .extensions()
            .get::<Arc<Limits>>()
            .cloned()
            .unwrap_or_default();
        let read = axum::body::to_bytes(req.into_body(), limits.body_limit);
        match tokio::time::timeout(limits.body_timeout, read).await {
            Ok(Ok(bytes)) => Ok(JsonBody(bytes)),
            Ok(Err(e)) => Err(body_error(e, &limits)),
            Err(_) => Err(Problem::new(
                StatusCode::REQUEST_TIMEOUT,
                "body-timeout",
                format!(
                    "the request body did not arrive within {} ms",
                    limits.body_timeout.as_millis()
                ),
            )),
        }
    }
}

fn body_error(e: axum::Error, limits: &Limits) -> Problem {
    let inner = e.into_inner();
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(inner.as_ref());
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return Problem::too_large(format!(
                "the body is larger than {} bytes",
                limits.body_limit
            ))
            .with("limit", limits.body_limit);
        }
        source = err.source();
    }
    Problem::bad_request(format!("the request body could not be read: {inner}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn json_media_types() {
        let h = |v: &'static str| {
            let mut m = HeaderMap::new();
            m.insert(header::CONTENT_TYPE, HeaderValue::from_static(v));
            m
        };
        assert!(is_json(&h("application/json")));
        assert!(is_json(&h("Application/JSON; charset=utf-8")));
        assert!(is_json(&h("application/geo+json")));
        assert!(!is_json(&h("text/plain")));
        assert!(!is_json(&h("application/x-www-form-urlencoded")));
        assert!(!is_json(&h("text/json+xml")));
        assert!(!is_json(&HeaderMap::new()));
    }
}
