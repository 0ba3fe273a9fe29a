//! The server's own routes: `/health` (the process answers) and `/ready` (the
//! served snapshot, its parts, and the last reload's outcome).

use super::AppState;
use axum::extract::State;
use axum::Json;
use serde_json::json;

/// Handler of `/health`: the process answers.
pub async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// Handler of `/ready`: the served dataset, its version, layers and parts,
/// when it was loaded, and the last reload (time, result, error). `status`
/// is `degraded` when a part failed to load (only possible for a state built
/// leniently, never for `liuyu serve`, which refuses to start on bad data).
pub async fn ready(State(state): State<AppState>) -> Json<serde_json::Value> {
    let snap = state.snapshot();
    let a = snap.atlas();
    let parts = snap.part_status();
    let degraded = parts.iter().any(|(_, e)| e.is_some());
    let (last, ok, failed) = state.reload_status();
    Json(json!({
        "status": if degraded { "degraded" } else { "ready" },
        "dataset": a.dataset(),
        "data_version": a.version(),
        "loaded_at": snap.loaded_at().to_string(),
        "layers": a.layers().iter().map(|l| json!({"id": l.kind.id(), "units": l.units.len(), "provenance": l.provenance.status})).collect::<Vec<_>>(),
        "parts": parts.iter().map(|(n, e)| json!({"name": n, "ok": e.is_none(), "error": e})).collect::<Vec<_>>(),
        "reload": {"last": last, "succeeded": ok, "failed": failed},
    }))
}
