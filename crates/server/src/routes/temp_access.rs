//! `/api/v1/temp-access`: the vendor's temporary access API, plus an atomic
//! replace. Every rule comes from the policy crate, checked inside the write
//! transaction.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use interim_policy::audit::{AuditAction, NewEvent};
use interim_policy::catalogue::{Access, Operation};
use interim_policy::grant::{
    GrantContext, NewGrant, can_manage_grant, manages_grants, validate_grant,
};
use interim_policy::snapshot::{Snapshot, name_key};
use interim_policy::wire::{CreateTempAccess, TempAccess};
use serde_json::json;

use super::{allowed, new_id};
use crate::AppState;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Page, Params, Path};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/temp-access", get(list).post(create))
        .route(
            "/api/v1/temp-access/{id}",
            get(one).delete(remove).put(no_update).patch(no_update),
        )
        .route("/api/v1/temp-access/{id}/replace", post(replace))
}

/// Whether the actor manages grants at all (the policy's rule).
fn may_manage_some(snapshot: &Snapshot, actor: &Actor, now: DateTime<Utc>) -> bool {
    actor
        .in_scope(interim_policy::Category::CompanyConfig)
        .is_ok()
        && manages_grants(snapshot, &actor.email, now)
}

/// Grants the actor may see: all of them with R on temporary access, which
/// the policy also gives a Group Admin for the grant form.
fn visible(snapshot: &Snapshot, actor: &Actor, now: DateTime<Utc>) -> bool {
    allowed(
        snapshot,
        actor,
        Operation::TemporaryAccess,
        Access::View,
        now,
    )
}

fn refuse_view(snapshot: &Snapshot, actor: &Actor, now: DateTime<Utc>) -> ApiResult<()> {
    if allowed(
        snapshot,
        actor,
        Operation::TemporaryAccess,
        Access::View,
        now,
    ) || may_manage_some(snapshot, actor, now)
    {
        Ok(())
    } else {
        super::require(
            snapshot,
            actor,
            Operation::TemporaryAccess,
            Access::View,
            None,
            now,
        )
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/temp-access",
    tag = "Just-In-Time Access",
    summary = "Active temporary access grants",
    params(("page" = Option<i64>, Query, description = "Zero-based page index (default 0)"), ("size" = Option<i64>, Query, description = "Page size (default 20)"), ("sort" = Option<Vec<String>>, Query, description = "property,(asc|desc); repeatable")),
    responses((status = 200, description = "A page of active grants", body = Page<TempAccess>), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    params: Params,
) -> ApiResult<Json<Page<TempAccess>>> {
    let now = state.clock.now();
    let paging = params.paging()?;
    let sort = params.sort(
        &["name", "expirationDate", "createdAt"],
        ("expirationDate", true),
    )?;
    let snapshot = state.store.snapshot(now).await?;
    refuse_view(&snapshot, &actor, now)?;
    let mut grants: Vec<TempAccess> = snapshot
        .active_grants(now, None)
        .map(|g| g.wire.clone())
        .filter(|_| visible(&snapshot, &actor, now))
        .collect();
    grants.sort_by(|a, b| {
        for (field, asc) in &sort {
            let o = match field.as_str() {
                "name" => name_key(&a.name).cmp(&name_key(&b.name)),
                "createdAt" => a.created_at.cmp(&b.created_at),
                _ => a.expiration_date.cmp(&b.expiration_date),
            };
            let o = if *asc { o } else { o.reverse() };
            if o.is_ne() {
                return o;
            }
        }
        a.id.cmp(&b.id)
    });
    Ok(Json(paging.page(grants)))
}

#[utoipa::path(
    get,
    path = "/api/v1/temp-access/{id}",
    tag = "Just-In-Time Access",
    summary = "One active grant",
    params(("id" = String, Path, description = "Grant id")),
    responses((status = 200, description = "The grant", body = TempAccess), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn one(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<TempAccess>> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    refuse_view(&snapshot, &actor, now)?;
    snapshot
        .grant_idx(&id)
        .and_then(|g| snapshot.grant(g))
        .filter(|g| g.is_active(now) && visible(&snapshot, &actor, now))
        .map(|g| Json(g.wire.clone()))
        .ok_or_else(|| not_found(&id))
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(
        "grant.id.unknown",
        format!("no active temporary access `{id}`"),
    )
}

fn stored(g: NewGrant, id: String, actor: &Actor, now: DateTime<Utc>) -> TempAccess {
    TempAccess {
        id,
        name: g.name,
        agent_pool_ids: g.agent_pool_ids,
        user_emails: g.user_emails,
        roles: g.roles,
        expiration_date: g.expiration_date,
        created_at: now,
        incident_id: g.incident_id,
        created_by: Some(actor.email.clone()),
    }
}

fn created_event(
    g: &TempAccess,
    actor: &Actor,
    now: DateTime<Utc>,
    replaces: Option<&str>,
) -> NewEvent {
    NewEvent {
        time: now,
        actor: actor.email.clone(),
        action: AuditAction::GrantCreated,
        target: format!("grant:{}", g.id),
        details: json!({
            "name": g.name,
            "agentPoolIds": g.agent_pool_ids,
            "userEmails": g.user_emails,
            "roles": g.roles,
            "expirationDate": interim_policy::time::format_instant(g.expiration_date),
            "incidentId": g.incident_id,
            "replaces": replaces,
        }),
        reason: None,
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/temp-access",
    tag = "Just-In-Time Access",
    summary = "Grant temporary access to users on agent pools",
    request_body = CreateTempAccess,
    responses((status = 201, description = "Granted", body = TempAccess), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Conflict", body = crate::error::ErrorBody), (status = 413, description = "Body too large", body = crate::error::ErrorBody))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Body(input): Body<CreateTempAccess>,
) -> ApiResult<(StatusCode, Json<TempAccess>)> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let snapshot = tx.snapshot(now).await?;
    if !may_manage_some(&snapshot, &actor, now) {
        super::require(
            &snapshot,
            &actor,
            Operation::TemporaryAccess,
            Access::Change,
            None,
            now,
        )?;
    }
    let ctx = GrantContext {
        snapshot: &snapshot,
        actor: Some(&actor.email),
        replacing: None,
    };
    let valid = validate_grant(&input, now, Some(&ctx)).map_err(ApiError::violations)?;
    let grant = stored(valid, new_id()?, &actor, now);
    tx.insert_grant(&grant).await?;
    tx.audit(created_event(&grant, &actor, now, None)).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(grant)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/temp-access/{id}",
    tag = "Just-In-Time Access",
    summary = "Revoke temporary access",
    params(("id" = String, Path, description = "Grant id")),
    responses((status = 204, description = "Revoked"), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn remove(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    actor.in_scope(interim_policy::Category::CompanyConfig)?;
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let snapshot = tx.snapshot(now).await?;
    let grant = snapshot
        .grant_idx(&id)
        .and_then(|g| snapshot.grant(g))
        .filter(|g| g.is_active(now));
    let Some(grant) = grant else {
        refuse_view(&snapshot, &actor, now)?;
        return Err(not_found(&id));
    };
    can_manage_grant(&snapshot, &actor.email, &grant.wire.agent_pool_ids, now)
        .map_err(|v| ApiError::forbidden(v.code.as_str(), v.message))?;
    tx.delete_grant(&id, now, &actor.email).await?;
    tx.audit(NewEvent {
        time: now,
        actor: actor.email.clone(),
        action: AuditAction::GrantDeleted,
        target: format!("grant:{id}"),
        details: json!({ "name": grant.wire.name, "userEmails": grant.wire.user_emails, "agentPoolIds": grant.wire.agent_pool_ids }),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a grant and creates its replacement in one transaction: access
/// never has a gap, and the new grant is validated as if the old were gone.
#[utoipa::path(
    post,
    path = "/api/v1/temp-access/{id}/replace",
    tag = "Just-In-Time Access",
    summary = "Delete a grant and create its replacement in one step",
    params(("id" = String, Path, description = "Grant id")),
    request_body = CreateTempAccess,
    responses((status = 201, description = "Replaced", body = TempAccess), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Conflict", body = crate::error::ErrorBody))
)]
pub(crate) async fn replace(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Body(input): Body<CreateTempAccess>,
) -> ApiResult<(StatusCode, Json<TempAccess>)> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let snapshot = tx.snapshot(now).await?;
    if !may_manage_some(&snapshot, &actor, now) {
        super::require(
            &snapshot,
            &actor,
            Operation::TemporaryAccess,
            Access::Change,
            None,
            now,
        )?;
    }
    // The policy checks that the old grant is active and that the actor
    // manages its pools as well as the new ones.
    let ctx = GrantContext {
        snapshot: &snapshot,
        actor: Some(&actor.email),
        replacing: Some(&id),
    };
    let valid = validate_grant(&input, now, Some(&ctx)).map_err(ApiError::violations)?;
    let old_name = snapshot
        .grant_idx(&id)
        .and_then(|g| snapshot.grant(g))
        .map(|g| g.wire.name.clone())
        .unwrap_or_default();
    let grant = stored(valid, new_id()?, &actor, now);
    tx.delete_grant(&id, now, &actor.email).await?;
    tx.insert_grant(&grant).await?;
    tx.audit(NewEvent {
        time: now,
        actor: actor.email.clone(),
        action: AuditAction::GrantReplaced,
        target: format!("grant:{id}"),
        details: json!({ "name": old_name, "replacedBy": grant.id }),
        reason: None,
    })
    .await?;
    tx.audit(created_event(&grant, &actor, now, Some(&id)))
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(grant)))
}

#[utoipa::path(
    put,
    path = "/api/v1/temp-access/{id}",
    tag = "Just-In-Time Access",
    summary = "Not allowed: an active grant is never edited",
    params(("id" = String, Path, description = "Grant id")),
    responses((status = 405, description = "Delete and create, or replace", body = crate::error::ErrorBody))
)]
pub(crate) async fn no_update() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "grant.update.not_allowed",
        "an active grant is never edited: delete it and create a new one, or POST /api/v1/temp-access/{id}/replace to do both at once",
    )
}
