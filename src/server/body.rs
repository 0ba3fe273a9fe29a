//! Request bodies (请求体): a JSON body is read whole, within the body-read
//! timeout and the size limit, and only when the request says it is JSON.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode};
use http_body_util::BodyExt;

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

/// How long a refused request's body is still read (and dropped) so that the
/// client, busy sending it, gets to read the refusal: closing at once would
/// make the client's kernel see a reset and lose the answer.
pub const LINGER: Duration = Duration::from_secs(5);
/// At most this much of a refused body is read and dropped.
pub const LINGER_BYTES: usize = 32 << 20;

/// Reads and drops what remains of a refused request's body, for at most
/// [`LINGER`] and [`LINGER_BYTES`], in the background (the answer is sent
/// meanwhile with `Connection: close`).
pub fn linger(mut body: Body) {
    tokio::spawn(async move {
        let drain = async {
            let mut n = 0usize;
            while let Some(Ok(frame)) = body.frame().await {
                n += frame.data_ref().map_or(0, Bytes::len);
                if n > LINGER_BYTES {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(LINGER, drain).await;
    });
}

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = Problem;

    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            let p = unsupported(req.headers());
            linger(req.into_body());
            return Err(p);
        }
        let limits = req
            .extensions()
            .get::<Arc<Limits>>()
            .cloned()
            .unwrap_or_default();
        let mut body = req.into_body();
        match tokio::time::timeout(
            limits.body_timeout,
            read_limited(&mut body, limits.body_limit),
        )
        .await
        {
            Ok(Ok(bytes)) => Ok(JsonBody(bytes)),
            Ok(Err(p)) => {
                linger(body);
                Err(p)
            }
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

/// The whole body; a 413 as soon as it passes `limit`, a 400 when it cannot
/// be read.
async fn read_limited(body: &mut Body, limit: usize) -> Result<Bytes, Problem> {
    let mut buf = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            Problem::bad_request(format!("the request body could not be read: {e}"))
        })?;
        if let Some(data) = frame.data_ref() {
            if buf.len() + data.len() > limit {
                return Err(
                    Problem::too_large(format!("the body is larger than {limit} bytes"))
                        .with("limit", limit),
                );
            }
            buf.extend_from_slice(data);
        }
    }
    Ok(Bytes::from(buf))
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
