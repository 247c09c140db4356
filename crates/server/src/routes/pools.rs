//! `/api/v1/agent-pools` (and the seed's `/api/v1/agent-pool`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use interim_policy::answer::{Page, Pool};
use interim_policy::user::PoolInput;

use crate::AppState;
use crate::app::{self, Actor};
use crate::error::ApiResult;
use crate::extract::{Params, Path, ReadOnlyFields, VendorBody};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/agent-pools", get(list).post(create))
        .route("/api/v1/agent-pool", get(list))
        .route(
            "/api/v1/agent-pools/{id}",
            get(one).put(update).delete(remove),
        )
        .route("/api/v1/agent-pools/{id}/detach-agents", put(detach_agents))
        .route("/api/v1/agent-pools/{id}/enable-agents", put(enable_agents))
}

/// The vendor's `AgentPoolPublicApiDTO` beyond its write DTO.
impl ReadOnlyFields for PoolInput {
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "agentsEnabled",
        "createdBy",
        "createdDate",
        "liveAgentsCount",
    ];
}

#[utoipa::path(
    get,
    path = "/api/v1/agent-pools",
    tag = "Agent Pools",
    summary = "Agent pools (also at /api/v1/agent-pool)",
    params(("page" = Option<i64>, Query, description = "Zero-based page index (default 0)"), ("size" = Option<i64>, Query, description = "Page size (default 20)"), ("sort" = Option<Vec<String>>, Query, description = "property,(asc|desc); repeatable"), ("name" = Option<String>, Query, description = "Filter by name")),
    responses((status = 200, description = "A page of pools", body = Page<Pool>), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    params: Params,
) -> ApiResult<Json<Page<Pool>>> {
    let paging = params.paging()?;
    let sort = params.sort(app::pools::SORTABLE, app::pools::DEFAULT_SORT)?;
    let pools = app::pools::list(&state, &actor, params.get("name"), &sort).await?;
    Ok(Json(paging.page(pools)))
}

#[utoipa::path(
    get,
    path = "/api/v1/agent-pools/{id}",
    tag = "Agent Pools",
    summary = "One agent pool",
    params(("id" = String, Path, description = "Pool id")),
    responses((status = 200, description = "The pool", body = Pool), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn one(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<Pool>> {
    Ok(Json(app::pools::one(&state, &actor, &id).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/agent-pools",
    tag = "Agent Pools",
    summary = "Create an agent pool",
    request_body = PoolInput,
    responses((status = 201, description = "Created", body = Pool), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 409, description = "Conflict", body = crate::error::ErrorBody))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    actor: Actor,
    VendorBody(input): VendorBody<PoolInput>,
) -> ApiResult<(StatusCode, Json<Pool>)> {
    let pool = app::pools::create(&state, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(pool)))
}

#[utoipa::path(
    put,
    path = "/api/v1/agent-pools/{id}",
    tag = "Agent Pools",
    summary = "Update an agent pool",
    params(("id" = String, Path, description = "Pool id")),
    request_body = PoolInput,
    responses((status = 200, description = "Updated", body = Pool), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Conflict", body = crate::error::ErrorBody))
)]
pub(crate) async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    VendorBody(input): VendorBody<PoolInput>,
) -> ApiResult<Json<Pool>> {
    Ok(Json(app::pools::update(&state, &actor, &id, &input).await?))
}

#[utoipa::path(
    delete,
    path = "/api/v1/agent-pools/{id}",
    tag = "Agent Pools",
    summary = "Delete an agent pool that nothing uses",
    params(("id" = String, Path, description = "Pool id")),
    responses((status = 204, description = "Deleted"), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Conflict", body = crate::error::ErrorBody))
)]
pub(crate) async fn remove(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    app::pools::delete(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    put,
    path = "/api/v1/agent-pools/{id}/detach-agents",
    tag = "Agent Pools",
    summary = "Detach (disable) the pool's agents: active agents are disconnected, new ones refused",
    params(("id" = String, Path, description = "Agent pool id")),
    responses((status = 204, description = "Agents detached"))
)]
pub(crate) async fn detach_agents(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    app::pools::set_agents(&state, &actor, &id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    put,
    path = "/api/v1/agent-pools/{id}/enable-agents",
    tag = "Agent Pools",
    summary = "Enable the pool's agents again",
    params(("id" = String, Path, description = "Agent pool id")),
    responses((status = 204, description = "Agents enabled"))
)]
pub(crate) async fn enable_agents(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    app::pools::set_agents(&state, &actor, &id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}
