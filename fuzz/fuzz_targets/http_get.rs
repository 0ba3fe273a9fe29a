//! Every GET route through the real router (no socket): arbitrary paths and
//! query strings (lon/lat, crs, date, bbox, modes, ids...). A request may be
//! refused, but only with a 4xx problem+json (or a documented non-JSON answer
//! of a map route); never a panic and never a 5xx.
#![no_main]
use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tower::ServiceExt;

fn app() -> &'static axum::Router {
    static APP: OnceLock<axum::Router> = OnceLock::new();
    APP.get_or_init(|| {
        let atlas = liuyu::Atlas::embedded().expect("embedded atlas");
        let state = liuyu::server::AppState::new(atlas, liuyu::server::DataSource::Embedded);
        liuyu::server::router(state)
    })
}

fn rt() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    })
}

/// Known route prefixes, so most inputs reach a handler instead of the 404 fallback.
const ROUTES: &[&str] = &[
    "/v1/locate?",
    "/v1/profile?",
    "/v1/obligations?",
    "/v1/governance?",
    "/v1/navigate/DM?",
    "/v1/navigate/",
    "/v1/rivers/",
    "/v1/lakes?",
    "/v1/export/",
    "/ogc/collections/counties/items?",
    "/ogc/collections/",
    "/tiles/hubei/",
    "/fonts/",
    "/sprite/",
    "/",
];

fuzz_target!(init: { let _ = (app(), rt()); }, |data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Ok(tail) = std::str::from_utf8(rest) else {
        return;
    };
    let uri = format!("{}{}", ROUTES[sel as usize % ROUTES.len()], tail);
    let Ok(req) = Request::get(uri.as_str()).body(Body::empty()) else {
        return; // not a valid URI: the HTTP library refuses it before any handler
    };
    let res = rt().block_on(app().clone().oneshot(req)).expect("infallible router");
    let status = res.status();
    assert!(
        !status.is_server_error() || status.as_u16() == 503,
        "{uri} answered {status}"
    );
    if status.is_client_error() {
        let ct = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(ct.starts_with("application/problem+json"), "{uri}: {status} as {ct}");
    }
});
