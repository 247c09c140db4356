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
    let audit_verified = state.audit_verified();
    let ok = db && audit_verified != Some(false);
    Json(Health {
        status: if ok { "ok" } else { "degraded" }.to_owned(),
        database: db,
        audit_verified,
    })
}

#[utoipa::path(
    get,
    path = "/readyz",
    tag = "Operations",
    summary = "Readiness: the database answers, its schema is this release's, the audit log verified at start",
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
    // A log found broken at start-up keeps the server out of rotation
    // until someone looks: its decisions would rest on a tampered store.
    let audit = state.audit_verified() != Some(false);
    let ready = database && schema && audit;
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
            audit,
        }),
    )
}
