//! `GET /v1/export/{layer}.{fgb|parquet|geojson}[?crs=]`: layer downloads
//! (图层下载) for QGIS, PostGIS and distributed engines.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::{atlas_layer, export_layer_bytes, Format};
use crate::server::problem::Problem;
use crate::server::{AppState, Work};
use crate::LayerKind;

/// Routes of this module (merged into the main router).
pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/export/{file}", get(export))
}

async fn export(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    work: Work,
) -> Result<Response, Problem> {
    let (layer, ext) = file.rsplit_once('.').ok_or_else(|| {
        Problem::not_found(format!(
            "expected /v1/export/LAYER.fgb or .parquet, got {file}"
        ))
    })?;
    let kind = LayerKind::from_id(layer)
        .ok_or_else(|| Problem::not_found(format!("no layer `{layer}`")).with("layer", layer))?;
    let format = match ext {
        "fgb" => Format::FlatGeobuf,
        "parquet" => Format::GeoParquet,
        "geojson" => Format::GeoJson,
        other => {
            return Err(Problem::not_found(format!(
                "no export format `.{other}`: use .fgb, .parquet or .geojson"
            )))
        }
    };
    let crs = crate::crs::http::crs_param(&q)?;
    let atlas = state.atlas();
    // Encoding a layer is CPU-heavy: it runs on the server's bounded pool.
    let bytes = work
        .run(move |_| {
            export_layer_bytes(&atlas_layer(&atlas, kind), format, crs)
                .map(|b| (b, atlas.version().to_string()))
        })
        .await?
        .map_err(|e| Problem::bad_request(e.to_string()))?;
    let (body, version) = bytes;
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.media_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{layer}.{ext}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!(
        "\"{version}-{}-{ext}\"",
        crs.to_string().replace(':', "_")
    )) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&crs.to_string()) {
        h.insert("x-liuyu-crs", v);
    }
    Ok(res)
}
