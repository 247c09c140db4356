use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

#[utoipa::path(
    get,
    path = "/healthz",
    tag = "Operations",
    summary = "Liveness and database",
    responses((status = 200, description = "Status", body = Object))
)]
pub(crate) async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Json<Value> {
    let db = state.store.is_initialized().await.is_ok();
    Json(json!({ "status": if db { "ok" } else { "degraded" }, "database": db }))
}
