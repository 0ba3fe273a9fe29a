//! The server's own routes: `/health` (the process answers) and `/ready` (the
//! served dataset).

use super::AppState;
use axum::extract::State;
use axum::Json;
use serde_json::json;

/// Handler of `/health`: the process answers.
pub async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// Handler of `/ready`: the served dataset, its version and layers.
pub async fn ready(State(state): State<AppState>) -> Json<serde_json::Value> {
    let a = state.atlas();
    Json(json!({
        "status": "ready",
        "dataset": a.dataset(),
        "data_version": a.version(),
        "layers": a.layers().iter().map(|l| json!({"id": l.kind.id(), "units": l.units.len(), "provenance": l.provenance.status})).collect::<Vec<_>>(),
    }))
}
