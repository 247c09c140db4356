use axum::routing::get;
use axum::{Json, Router};
use interim_policy::answer::Health;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

#[utoipa::path(
    get,
    path = "/healthz",
    tag = "Operations",
    summary = "Liveness and database",
    responses((status = 200, description = "Status", body = Health))
)]
pub(crate) async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Json<Health> {
    let db = state.store.is_initialized().await.is_ok();
    Json(Health {
        status: if db { "ok" } else { "degraded" }.to_owned(),
        database: db,
    })
}
