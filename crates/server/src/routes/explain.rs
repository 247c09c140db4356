//! Explanations (why does U have access to P, what may U do) and the company
//! snapshot every client validates against.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use interim_policy::decision::{EffectivePermissions, PoolExplanation};
use interim_policy::wire::SnapshotWire;

use crate::AppState;
use crate::app::{self, Actor};
use crate::error::{ApiError, ApiResult};
use crate::extract::Params;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/explain/pool-access", get(pool_access))
        .route("/api/v1/explain/permissions", get(permissions))
        .route("/api/v1/snapshot", get(snapshot))
}

fn required<'a>(params: &'a Params, key: &str) -> ApiResult<&'a str> {
    params.get(key).ok_or_else(|| {
        ApiError::bad_request("query.value.missing", key, format!("“{key}” is required"))
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/explain/pool-access",
    tag = "Explain",
    summary = "Why does a user have (or not have) access to a pool",
    params(("user" = Option<String>, Query, description = "Default: me"), ("pool" = String, Query, description = "Pool id")),
    responses((status = 200, description = "The decisions and every source", body = PoolExplanation), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody))
)]
pub(crate) async fn pool_access(
    State(state): State<AppState>,
    actor: Actor,
    params: Params,
) -> ApiResult<Json<PoolExplanation>> {
    let pool = required(&params, "pool")?;
    let why = app::explain::pool_access(&state, &actor, params.get("user"), pool).await?;
    Ok(Json(why))
}

#[utoipa::path(
    get,
    path = "/api/v1/explain/permissions",
    tag = "Explain",
    summary = "What may a user do",
    params(("user" = Option<String>, Query, description = "Default: me")),
    responses((status = 200, description = "Effective permissions with reasons", body = EffectivePermissions), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn permissions(
    State(state): State<AppState>,
    actor: Actor,
    params: Params,
) -> ApiResult<Json<EffectivePermissions>> {
    Ok(Json(
        app::explain::permissions(&state, &actor, params.get("user")).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/snapshot",
    tag = "Explain",
    summary = "The company snapshot the portal and CLI validate against, filtered to what I may see",
    responses((status = 200, description = "The snapshot", body = SnapshotWire), (status = 401, description = "Not signed in", body = crate::error::ErrorBody))
)]
pub(crate) async fn snapshot(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<SnapshotWire>> {
    Ok(Json(app::explain::snapshot(&state, &actor).await?))
}
