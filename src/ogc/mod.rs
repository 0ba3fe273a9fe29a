//! OGC API - Features (要素服务), Part 1 Core and Part 2 CRS, under `/ogc`:
//! landing page, conformance, collections, items (bbox, limit/offset paging,
//! property filters, `crs`, `bbox-crs`, `Content-Crs`), single items; GeoJSON and HTML.

pub mod crs;
mod html;
pub mod items;
pub mod openapi;

use std::sync::Arc;

use axum::extract::{Extension, Path, RawQuery};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use crate::server::headers::base_url;
use crate::server::problem::Problem;
use crate::tiles::service::MapsService;
use crate::tiles::{MapLayer, MapSource};
pub use crs::Crs;
pub use items::{ItemsQuery, QueryError};

/// Conformance classes implemented.
pub const CONFORMANCE: [&str; 5] = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
];

/// GeoJSON media type.
pub const GEOJSON: &str = "application/geo+json";

/// The OGC API routes.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/ogc", get(landing))
        .route("/ogc/", get(landing))
        .route("/ogc/api", get(api))
        .route("/ogc/conformance", get(conformance))
        .route("/ogc/collections", get(collections))
        .route("/ogc/collections/{id}", get(collection))
        .route("/ogc/collections/{id}/items", get(items_handler))
        .route("/ogc/collections/{id}/items/{fid}", get(item_handler))
}

/// Output format chosen by `f=` or the `Accept` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON / GeoJSON.
    Json,
    /// HTML for browsers.
    Html,
}

fn format_of(query: Option<&str>, headers: &HeaderMap) -> Result<Format, String> {
    for (k, v) in form_pairs(query) {
        if k == "f" {
            return match v.as_str() {
                "json" | "geojson" | "application/json" | "application/geo+json" => {
                    Ok(Format::Json)
                }
                "html" | "text/html" => Ok(Format::Html),
                other => Err(format!("unsupported format f={other}; use json or html")),
            };
        }
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Ok(
        if accept.contains("text/html") && !accept.contains("json") {
            Format::Html
        } else {
            Format::Json
        },
    )
}

/// Decoded `key=value` pairs of a query string.
pub fn form_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query.map(url_decode_pairs).unwrap_or_default()
}

fn url_decode_pairs(q: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

fn link(href: String, rel: &str, typ: &str, title: &str) -> Value {
    json!({"href": href, "rel": rel, "type": typ, "title": title})
}

fn respond(
    fmt: Format,
    doc: Value,
    html: impl FnOnce(&Value) -> String,
    content_type: &str,
) -> Response {
    match fmt {
        Format::Json => ([(header::CONTENT_TYPE, content_type)], doc.to_string()).into_response(),
        Format::Html => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html(&doc),
        )
            .into_response(),
    }
}

fn bad_format(e: String) -> Response {
    Problem::new(StatusCode::BAD_REQUEST, "bad-request", e).into_response()
}

async fn landing(RawQuery(q): RawQuery, headers: HeaderMap) -> Response {
    let fmt = match format_of(q.as_deref(), &headers) {
        Ok(f) => f,
        Err(e) => return bad_format(e),
    };
    let b = base_url(&headers);
    let doc = json!({
        "title": "liuyu 流域 OGC API - Features",
        "description": "Hubei administrative units, basins and zones, metro areas, city clusters, corridors, rivers and lakes (湖北省行政区划、流域与片区、都市圈、城市群、大气污染传输通道、河流、湖泊)",
        "links": [
            link(format!("{b}/ogc?f=json"), "self", "application/json", "This document"),
            link(format!("{b}/ogc?f=html"), "alternate", "text/html", "This document as HTML"),
            link(format!("{b}/ogc/api"), "service-desc", openapi::OPENAPI_JSON, "The API definition (OpenAPI 3.0)"),
            link(format!("{b}/ogc/conformance"), "conformance", "application/json", "Conformance classes"),
            link(format!("{b}/ogc/collections"), "data", "application/json", "Collections"),
        ],
    });
    respond(fmt, doc, html::landing, "application/json")
}

async fn api(Extension(svc): Extension<Arc<MapsService>>, headers: HeaderMap) -> Response {
    let source = svc.source();
    let ids: Vec<&str> = ogc_layers(&source).map(|l| l.id.as_str()).collect();
    (
        [(header::CONTENT_TYPE, openapi::OPENAPI_JSON)],
        openapi::document(&base_url(&headers), &ids).to_string(),
    )
        .into_response()
}

async fn conformance(RawQuery(q): RawQuery, headers: HeaderMap) -> Response {
    let fmt = match format_of(q.as_deref(), &headers) {
        Ok(f) => f,
        Err(e) => return bad_format(e),
    };
    respond(
        fmt,
        json!({"conformsTo": CONFORMANCE}),
        html::conformance,
        "application/json",
    )
}

/// The collection description of a layer.
pub fn collection_doc(layer: &MapLayer, base: &str) -> Value {
    let bbox = layer
        .bbox()
        .map(|r| vec![r.min().x, r.min().y, r.max().x, r.max().y])
        .unwrap_or_default();
    let id = &layer.id;
    json!({
        "id": id,
        "title": format!("{} {}", layer.title_zh, layer.title),
        "description": format!("{} ({} features). Provenance: {}", layer.title, layer.features.len(),
            layer.provenance.get("status").and_then(Value::as_str).unwrap_or("see properties")),
        "itemType": "feature",
        "extent": {"spatial": {"bbox": [bbox], "crs": Crs::Crs84.uri()}},
        "crs": Crs::ALL.iter().map(|c| c.uri()).collect::<Vec<_>>(),
        "storageCrs": Crs::Crs84.uri(),
        "provenance": layer.provenance,
        "links": [
            link(format!("{base}/ogc/collections/{id}"), "self", "application/json", "This collection"),
            link(format!("{base}/ogc/collections/{id}/items?f=json"), "items", GEOJSON, "Items as GeoJSON"),
            link(format!("{base}/ogc/collections/{id}/items?f=html"), "items", "text/html", "Items as HTML"),
        ],
    })
}

fn ogc_layers(source: &MapSource) -> impl Iterator<Item = &MapLayer> {
    source.layers.iter().filter(|l| l.ogc)
}

async fn collections(
    Extension(svc): Extension<Arc<MapsService>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let fmt = match format_of(q.as_deref(), &headers) {
        Ok(f) => f,
        Err(e) => return bad_format(e),
    };
    let b = base_url(&headers);
    let source = svc.source();
    let doc = json!({
        "links": [
            link(format!("{b}/ogc/collections?f=json"), "self", "application/json", "Collections"),
            link(format!("{b}/ogc/collections?f=html"), "alternate", "text/html", "Collections as HTML"),
        ],
        "collections": ogc_layers(&source).map(|l| collection_doc(l, &b)).collect::<Vec<_>>(),
        "crs": Crs::ALL.iter().map(|c| c.uri()).collect::<Vec<_>>(),
    });
    respond(fmt, doc, html::collections, "application/json")
}

fn no_collection(id: &str, source: &MapSource) -> Response {
    let known: Vec<&str> = ogc_layers(source).map(|l| l.id.as_str()).collect();
    Problem::new(
        StatusCode::NOT_FOUND,
        "collection-not-found",
        format!("no collection '{id}'; collections: {}", known.join(", ")),
    )
    .into_response()
}

async fn collection(
    Extension(svc): Extension<Arc<MapsService>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let fmt = match format_of(q.as_deref(), &headers) {
        Ok(f) => f,
        Err(e) => return bad_format(e),
    };
    let source = svc.source();
    let Some(layer) = ogc_layers(&source).find(|l| l.id == id) else {
        return no_collection(&id, &source);
    };
    respond(
        fmt,
        collection_doc(layer, &base_url(&headers)),
        html::collection,
        "application/json",
    )
}

fn with_crs(mut resp: Response, crs: Crs) -> Response {
    if let Ok(v) = HeaderValue::from_str(&format!("<{}>", crs.uri())) {
        resp.headers_mut().insert("content-crs", v);
    }
    resp
}

async fn items_handler(
    Extension(svc): Extension<Arc<MapsService>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let fmt = match format_of(q.as_deref(), &headers) {
        Ok(f) => f,
        Err(e) => return bad_format(e),
    };
    let source = svc.source();
    let Some(layer) = ogc_layers(&source).find(|l| l.id == id) else {
        return no_collection(&id, &source);
    };
    let query = match ItemsQuery::parse(&form_pairs(q.as_deref()), layer) {
        Ok(q) => q,
        Err(e) => {
            return Problem::new(StatusCode::BAD_REQUEST, "bad-request", e.to_string())
                .into_response()
        }
    };
    let doc = items::items(layer, &query, &base_url(&headers), &source.version);
    with_crs(respond(fmt, doc, html::items, GEOJSON), query.crs)
}

async fn item_handler(
    Extension(svc): Extension<Arc<MapsService>>,
    Path((id, fid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let fmt = match format_of(q.as_deref(), &headers) {
        Ok(f) => f,
        Err(e) => return bad_format(e),
    };
    let source = svc.source();
    let Some(layer) = ogc_layers(&source).find(|l| l.id == id) else {
        return no_collection(&id, &source);
    };
    let mut crs = Crs::Crs84;
    for (k, v) in form_pairs(q.as_deref()) {
        match k.as_str() {
            "crs" => match Crs::parse(&v) {
                Some(c) => crs = c,
                None => {
                    return Problem::new(
                        StatusCode::BAD_REQUEST,
                        "bad-request",
                        format!("unsupported crs '{v}'"),
                    )
                    .into_response()
                }
            },
            "f" => {}
            other => {
                return Problem::new(
                    StatusCode::BAD_REQUEST,
                    "bad-request",
                    format!("unknown parameter '{other}'"),
                )
                .into_response()
            }
        }
    }
    let Some(f) = layer.get(&fid) else {
        return Problem::new(
            StatusCode::NOT_FOUND,
            "feature-not-found",
            format!("no feature '{fid}' in collection '{id}'"),
        )
        .into_response();
    };
    let b = base_url(&headers);
    let mut doc = items::feature_json(f, crs);
    doc["links"] = json!([
        link(
            format!("{b}/ogc/collections/{id}/items/{fid}?f=json"),
            "self",
            GEOJSON,
            "This feature"
        ),
        link(
            format!("{b}/ogc/collections/{id}/items/{fid}?f=html"),
            "alternate",
            "text/html",
            "This feature as HTML"
        ),
        link(
            format!("{b}/ogc/collections/{id}"),
            "collection",
            "application/json",
            "The collection"
        ),
    ]);
    with_crs(respond(fmt, doc, html::feature, GEOJSON), crs)
}
