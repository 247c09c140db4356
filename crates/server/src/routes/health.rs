use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use interim_policy::answer::{Health, Readiness};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
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

#[utoipa::path(
    get,
    path = "/readyz",
    tag = "Operations",
    summary = "Readiness: the database answers and its schema is this release's",
    responses(
        (status = 200, description = "Ready for traffic", body = Readiness),
        (status = 503, description = "Not ready: send traffic elsewhere", body = Readiness)
    )
)]
pub(crate) async fn readyz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (StatusCode, Json<Readiness>) {
    let schema = state.store.schema_is_current().await;
    let database = schema.is_ok();
    let schema = schema.unwrap_or(false);
    let ready = database && schema;
    (
        if ready {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        Json(Readiness {
            status: if ready { "ready" } else { "not_ready" }.to_owned(),
            database,
            schema,
        }),
    )
}
