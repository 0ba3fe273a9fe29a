//! The web map page (网页地图) at `/`, its style at `/style.json`, the embedded
//! MapLibre bundle, the page's web font, the sprite and the label glyph ranges. The server's router
//! puts these routes together with the tile and OGC routes behind CORS.
//!
//! Choice: MapLibre GL JS from npm, bundled by `cd web && npm ci && npm run build`
//! into `src/web/assets/` (committed, so `cargo build` needs no npm). It renders
//! our vector tiles directly and is what the map users run; a home-made
//! renderer would be a second, weaker map client to maintain.

pub mod glyphs;
pub mod sprite;
pub mod style;

use std::sync::Arc;

use axum::extract::Extension;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::server::headers;
use crate::server::problem::Problem;
use crate::tiles::service::MapsService;

/// The page.
pub const INDEX_HTML: &str = include_str!("index.html");
/// The bundle: maplibre-gl plus our page script (built by web/build.mjs).
pub const BUNDLE_JS: &[u8] = include_bytes!("assets/liuyu-map.js");
/// The bundle's CSS.
pub const BUNDLE_CSS: &[u8] = include_bytes!("assets/liuyu-map.css");
/// The page's web font: Noto Sans SC (SIL OFL 1.1) subset to the characters of
/// the data and the page (`tools/build-glyphs.sh`), so panels read the same on
/// a machine with no CJK font.
pub const UI_FONT: &[u8] = include_bytes!("fonts/noto-sans-sc-ui.woff2");

fn static_etag(bytes: &[u8]) -> String {
    crate::tiles::cache::etag("static", bytes)
}

async fn index(headers: HeaderMap) -> Response {
    headers::conditional(
        &headers,
        &static_etag(INDEX_HTML.as_bytes()),
        "text/html; charset=utf-8",
        INDEX_HTML,
    )
}

async fn bundle_js(headers: HeaderMap) -> Response {
    headers::conditional(
        &headers,
        &static_etag(BUNDLE_JS),
        "text/javascript; charset=utf-8",
        BUNDLE_JS,
    )
}

async fn bundle_css(headers: HeaderMap) -> Response {
    headers::conditional(
        &headers,
        &static_etag(BUNDLE_CSS),
        "text/css; charset=utf-8",
        BUNDLE_CSS,
    )
}

async fn ui_font(headers: HeaderMap) -> Response {
    headers::conditional(&headers, &static_etag(UI_FONT), "font/woff2", UI_FONT)
}

async fn style_json(Extension(svc): Extension<Arc<MapsService>>, headers: HeaderMap) -> Response {
    let source = svc.source();
    let doc = style::style(&source, &headers::base_url(&headers));
    let body = doc.to_string();
    let mut resp = headers::conditional(
        &headers,
        &static_etag(body.as_bytes()),
        "application/json",
        body,
    );
    resp.headers_mut().insert(
        header::VARY,
        header::HeaderValue::from_static("Host, X-Forwarded-Host, X-Forwarded-Proto"),
    );
    resp
}

/// Glyph ranges (`/fonts/{stack}/{first}-{last}.pbf`) of the embedded label
/// font ([`glyphs`]): 404 problem for a stack that does not name it or a
/// malformed range; an empty but valid range where the font has no glyphs.
async fn glyph_range(
    axum::extract::Path((stack, range)): axum::extract::Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if !glyphs::known_stack(&stack) {
        return Problem::new(
            StatusCode::NOT_FOUND,
            "unknown-font-stack",
            format!(
                "no font stack '{stack}'; this server has '{}'",
                glyphs::FONT_STACK
            ),
        )
        .into_response();
    }
    let Some(first) = glyphs::parse_range(&range) else {
        return Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("no glyph range '{range}'; ranges are FIRST-LAST.pbf with FIRST a multiple of 256 and LAST = FIRST + 255"),
        )
        .into_response();
    };
    let body = glyphs::range_pbf(first);
    let mut resp = headers::conditional(
        &headers,
        &static_etag(&body),
        "application/x-protobuf",
        body.into_owned(),
    );
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("public, max-age=86400"),
    );
    resp
}

/// The sprite: `liuyu.json`, `liuyu.png`, `liuyu@2x.json`, `liuyu@2x.png`.
async fn sprite_file(
    axum::extract::Path(file): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    let (ratio, ext) = match file.as_str() {
        "liuyu.json" => (1, "json"),
        "liuyu.png" => (1, "png"),
        "liuyu@2x.json" => (2, "json"),
        "liuyu@2x.png" => (2, "png"),
        _ => {
            return Problem::new(
                StatusCode::NOT_FOUND,
                "not-found",
                format!("no sprite file '{file}'"),
            )
            .into_response()
        }
    };
    if ext == "json" {
        let body = sprite::index(ratio).to_string();
        headers::conditional(
            &headers,
            &static_etag(body.as_bytes()),
            "application/json",
            body,
        )
    } else {
        let body = sprite::image(ratio);
        headers::conditional(&headers, &static_etag(&body), "image/png", body)
    }
}

/// The page routes: page, bundle, style, glyphs and sprite (they read the
/// [`MapsService`] from an `Extension` the router adds).
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        .route("/style.json", get(style_json))
        .route("/assets/liuyu-map.js", get(bundle_js))
        .route("/assets/liuyu-map.css", get(bundle_css))
        .route("/assets/noto-sans-sc-ui.woff2", get(ui_font))
        .route("/fonts/{stack}/{range}", get(glyph_range))
        .route("/sprite/{file}", get(sprite_file))
}
