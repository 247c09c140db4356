//! `/api/v1/agent-pools` (and the seed's `/api/v1/agent-pool`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use interim_policy::audit::{AuditAction, NewEvent};
use interim_policy::catalogue::{Access, Operation};
use interim_policy::time::format_instant;
use interim_policy::user::{PoolInput, validate_pool};
use interim_policy::wire::AgentPoolWire;
use serde::Serialize;
use serde_json::json;

use crate::AppState;
use crate::app::{begin_as, new_id, require};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Page, Params, Path};
use crate::store::{PoolRecord, from_ms};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/agent-pools", get(list).post(create))
        .route("/api/v1/agent-pool", get(list))
        .route(
            "/api/v1/agent-pools/{id}",
            get(one).put(update).delete(remove),
        )
}

/// The vendor's `AgentPoolPublicApiDTO`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PoolOut {
    id: String,
    name: String,
    description: String,
    created_by: Option<String>,
    created_date: String,
    agents_enabled: bool,
    live_agents_count: i64,
}

fn out(p: PoolRecord) -> PoolOut {
    PoolOut {
        id: p.wire.id,
        name: p.wire.name,
        description: p.wire.description,
        created_by: p.created_by,
        created_date: format_instant(from_ms(p.created_ms)),
        agents_enabled: true,
        live_agents_count: 0,
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/agent-pools",
    tag = "Agent Pools",
    summary = "Agent pools (also at /api/v1/agent-pool)",
    params(("page" = Option<i64>, Query, description = "Zero-based page index (default 0)"), ("size" = Option<i64>, Query, description = "Page size (default 20)"), ("sort" = Option<Vec<String>>, Query, description = "property,(asc|desc); repeatable"), ("name" = Option<String>, Query, description = "Filter by name")),
    responses((status = 200, description = "A page of pools", body = Page<PoolOut>), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    params: Params,
) -> ApiResult<Json<Page<PoolOut>>> {
    let now = state.clock.now();
    let paging = params.paging()?;
    let sort = params.sort(
        &[
            "name",
            "description",
            "createdBy",
            "createdDate",
            "agentsEnabled",
        ],
        ("name", true),
    )?;
    let snapshot = state.store.snapshot(now).await?;
    require(
        &snapshot,
        &actor,
        Operation::AgentPools,
        Access::View,
        None,
        now,
    )?;
    let filter = params.get("name").map(str::to_lowercase);
    let mut pools: Vec<PoolRecord> = state
        .store
        .pools()
        .await?
        .into_iter()
        .filter(|p| {
            filter
                .as_ref()
                .is_none_or(|f| p.wire.name.to_lowercase().contains(f.as_str()))
        })
        .collect();
    pools.sort_by(|a, b| {
        for (field, asc) in &sort {
            let o = match field.as_str() {
                "description" => a.wire.description.cmp(&b.wire.description),
                "createdBy" => a.created_by.cmp(&b.created_by),
                "createdDate" => a.created_ms.cmp(&b.created_ms),
                "agentsEnabled" => std::cmp::Ordering::Equal,
                _ => a.wire.name.to_lowercase().cmp(&b.wire.name.to_lowercase()),
            };
            let o = if *asc { o } else { o.reverse() };
            if o.is_ne() {
                return o;
            }
        }
        a.wire.id.cmp(&b.wire.id)
    });
    Ok(Json(paging.page(pools.into_iter().map(out).collect())))
}

async fn find(state: &AppState, id: &str) -> ApiResult<PoolRecord> {
    state
        .store
        .pools()
        .await?
        .into_iter()
        .find(|p| p.wire.id == id)
        .ok_or_else(|| ApiError::not_found("agentPool.id.unknown", format!("no agent pool `{id}`")))
}

#[utoipa::path(
    get,
    path = "/api/v1/agent-pools/{id}",
    tag = "Agent Pools",
    summary = "One agent pool",
    params(("id" = String, Path, description = "Pool id")),
    responses((status = 200, description = "The pool", body = PoolOut), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn one(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<PoolOut>> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    require(
        &snapshot,
        &actor,
        Operation::AgentPools,
        Access::View,
        Some(&id),
        now,
    )?;
    Ok(Json(out(find(&state, &id).await?)))
}

fn event(actor: &Actor, now: DateTime<Utc>, action: AuditAction, pool: &AgentPoolWire) -> NewEvent {
    NewEvent {
        time: now,
        actor: actor.email.clone(),
        action,
        target: format!("pool:{}", pool.id),
        details: json!({ "name": pool.name, "description": pool.description }),
        reason: None,
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/agent-pools",
    tag = "Agent Pools",
    summary = "Create an agent pool",
    request_body = PoolInput,
    responses((status = 201, description = "Created", body = PoolOut), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 409, description = "Conflict", body = crate::error::ErrorBody))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Body(input): Body<PoolInput>,
) -> ApiResult<(StatusCode, Json<PoolOut>)> {
    let (mut tx, snapshot, now) =
        begin_as(&state, &actor, Operation::AgentPools, Access::Change, None).await?;
    let (name, description) =
        validate_pool(Some(&snapshot), None, &input).map_err(ApiError::violations)?;
    let pool = AgentPoolWire {
        id: new_id()?,
        name,
        description,
        request_settings: None,
        access_reviewers: Vec::new(),
    };
    tx.put_pool(&pool, now, Some(&actor.email)).await?;
    tx.audit(event(&actor, now, AuditAction::PoolCreated, &pool))
        .await?;
    tx.commit().await?;
    let record = PoolRecord {
        wire: pool,
        created_ms: now.timestamp_millis(),
        created_by: Some(actor.email),
    };
    Ok((StatusCode::CREATED, Json(out(record))))
}

#[utoipa::path(
    put,
    path = "/api/v1/agent-pools/{id}",
    tag = "Agent Pools",
    summary = "Update an agent pool",
    params(("id" = String, Path, description = "Pool id")),
    request_body = PoolInput,
    responses((status = 200, description = "Updated", body = PoolOut), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Conflict", body = crate::error::ErrorBody))
)]
pub(crate) async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Body(input): Body<PoolInput>,
) -> ApiResult<Json<PoolOut>> {
    let (mut tx, snapshot, now) = begin_as(
        &state,
        &actor,
        Operation::AgentPools,
        Access::Change,
        Some(&id),
    )
    .await?;
    let mut record = find(&state, &id).await?;
    let (name, description) =
        validate_pool(Some(&snapshot), Some(&id), &input).map_err(ApiError::violations)?;
    record.wire.name = name;
    record.wire.description = description;
    tx.put_pool(&record.wire, now, Some(&actor.email)).await?;
    tx.audit(event(&actor, now, AuditAction::PoolUpdated, &record.wire))
        .await?;
    tx.commit().await?;
    Ok(Json(out(record)))
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
    let (mut tx, snapshot, now) = begin_as(
        &state,
        &actor,
        Operation::AgentPools,
        Access::Change,
        Some(&id),
    )
    .await?;
    let record = find(&state, &id).await?;
    let Some(p) = snapshot.pool_idx(&id) else {
        return Err(ApiError::not_found(
            "agentPool.id.unknown",
            format!("no agent pool `{id}`"),
        ));
    };
    let in_grant = snapshot
        .active_grants(now, None)
        .any(|g| g.pools.contains(&p));
    let in_group = snapshot.groups.iter().find(|g| g.pools.contains(&p));
    if in_grant || in_group.is_some() {
        let why = match in_group {
            Some(g) => format!("group `{}` holds it", g.name),
            None => "an active grant names it".to_owned(),
        };
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "agentPool.id.in_use",
            format!("the pool is in use: {why}"),
        ));
    }
    tx.delete_pool(&id).await?;
    tx.audit(event(&actor, now, AuditAction::PoolDeleted, &record.wire))
        .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
