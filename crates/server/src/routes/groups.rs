//! `/api/v1/groups`: access groups (environments), their pools, roles and
//! members, in the vendor's shapes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use interim_policy::audit::{AuditAction, NewEvent};
use interim_policy::catalogue::{Access, Operation};
use interim_policy::email::same_email;
use interim_policy::role::PoolLevel;
use interim_policy::time::format_instant;
use interim_policy::user::{GroupInput, validate_group, validate_member};
use interim_policy::wire::{GroupMemberWire, GroupWire};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::AppState;
use crate::app::{begin_as, new_id, require};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Page, Params, Path};
use crate::store::{GroupRecord, WriteTx, from_ms};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/groups", get(list).post(create))
        .route("/api/v1/groups/{id}", get(one).put(update).delete(remove))
        .route(
            "/api/v1/groups/{id}/members",
            post(add_members).delete(remove_members),
        )
        .route("/api/v1/groups/{id}/members/{email}", put(update_member))
}

/// The vendor's `UserGroupMemberPublicDTO`.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MemberDto {
    email: String,
    #[serde(default)]
    group_admin: bool,
    #[serde(default)]
    elevated_roles: Vec<PoolLevel>,
    /// Read-only: the group's roles and the elevated ones.
    #[serde(default)]
    effective_roles: Vec<PoolLevel>,
}

/// The vendor's `UserGroupPublicDTO`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupOut {
    id: String,
    name: String,
    agent_pool_ids: Vec<String>,
    roles: Vec<PoolLevel>,
    members: Vec<MemberDto>,
    member_count: usize,
    default: bool,
    created_by: Option<String>,
    created_date: String,
    last_modified_by: Option<String>,
    last_modified_date: String,
}

fn member_out(g: &GroupWire, m: &GroupMemberWire) -> MemberDto {
    let mut effective: Vec<PoolLevel> = g.roles.iter().chain(&m.elevated_roles).copied().collect();
    effective.sort_unstable();
    effective.dedup();
    MemberDto {
        email: m.email.clone(),
        group_admin: m.group_admin,
        elevated_roles: m.elevated_roles.clone(),
        effective_roles: effective,
    }
}

fn out(r: GroupRecord) -> GroupOut {
    let members: Vec<MemberDto> = r
        .wire
        .members
        .iter()
        .map(|m| member_out(&r.wire, m))
        .collect();
    GroupOut {
        member_count: members.len(),
        members,
        id: r.wire.id,
        name: r.wire.name,
        agent_pool_ids: r.wire.agent_pool_ids,
        roles: r.wire.roles,
        default: false,
        created_by: r.created_by,
        created_date: format_instant(from_ms(r.created_ms)),
        last_modified_by: r.modified_by,
        last_modified_date: format_instant(from_ms(r.modified_ms)),
    }
}

async fn find(state: &AppState, id: &str) -> ApiResult<GroupRecord> {
    state
        .store
        .groups()
        .await?
        .into_iter()
        .find(|g| g.wire.id == id)
        .ok_or_else(|| ApiError::not_found("group.id.unknown", format!("no group `{id}`")))
}

async fn gate(state: &AppState, actor: &Actor, access: Access) -> ApiResult<()> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    Ok(require(
        &snapshot,
        actor,
        Operation::AccessGroups,
        access,
        None,
        now,
    )?)
}

#[utoipa::path(
    get,
    path = "/api/v1/groups",
    tag = "User Groups",
    summary = "Access groups",
    params(("page" = Option<i64>, Query, description = "Zero-based page index (default 0)"), ("size" = Option<i64>, Query, description = "Page size (default 20)"), ("sort" = Option<Vec<String>>, Query, description = "property,(asc|desc); repeatable"), ("name" = Option<String>, Query, description = "Filter by name")),
    responses((status = 200, description = "A page of groups", body = Page<GroupOut>), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    params: Params,
) -> ApiResult<Json<Page<GroupOut>>> {
    gate(&state, &actor, Access::View).await?;
    let paging = params.paging()?;
    let asc = params
        .sort(&["name"], ("name", true))?
        .first()
        .is_none_or(|(_, asc)| *asc);
    let name = params.get("name").map(str::to_lowercase);
    let mut groups: Vec<GroupRecord> = state
        .store
        .groups()
        .await?
        .into_iter()
        .filter(|g| {
            name.as_ref()
                .is_none_or(|n| g.wire.name.to_lowercase().contains(n.as_str()))
        })
        .collect();
    groups.sort_by(|a, b| {
        let o = a.wire.name.to_lowercase().cmp(&b.wire.name.to_lowercase());
        if asc { o } else { o.reverse() }
    });
    Ok(Json(paging.page(groups.into_iter().map(out).collect())))
}

#[utoipa::path(
    get,
    path = "/api/v1/groups/{id}",
    tag = "User Groups",
    summary = "One group",
    params(("id" = String, Path, description = "Group id")),
    responses((status = 200, description = "The group", body = GroupOut), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn one(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<GroupOut>> {
    gate(&state, &actor, Access::View).await?;
    Ok(Json(out(find(&state, &id).await?)))
}

async fn save(
    tx: &mut WriteTx,
    actor: &Actor,
    now: DateTime<Utc>,
    action: AuditAction,
    group: &GroupWire,
    details: Value,
) -> ApiResult<()> {
    tx.put_group(group, now, Some(&actor.email)).await?;
    tx.audit(NewEvent {
        time: now,
        actor: actor.email.clone(),
        action,
        target: format!("group:{}", group.id),
        details,
        reason: None,
    })
    .await?;
    Ok(())
}

#[utoipa::path(
    post,
    path = "/api/v1/groups",
    tag = "User Groups",
    summary = "Create a group",
    request_body = GroupInput,
    responses((status = 201, description = "Created", body = GroupOut), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Conflict", body = crate::error::ErrorBody))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Body(input): Body<GroupInput>,
) -> ApiResult<(StatusCode, Json<GroupOut>)> {
    let (mut tx, snapshot, now) = begin_as(
        &state,
        &actor,
        Operation::AccessGroups,
        Access::Change,
        None,
    )
    .await?;
    let valid = validate_group(Some(&snapshot), None, &input).map_err(ApiError::violations)?;
    let group = GroupWire {
        id: new_id()?,
        name: valid.name,
        agent_pool_ids: valid.agent_pool_ids,
        roles: valid.roles,
        members: Vec::new(),
        request_overrides: Vec::new(),
    };
    save(
        &mut tx,
        &actor,
        now,
        AuditAction::GroupCreated,
        &group,
        json!({"name": group.name, "agentPoolIds": group.agent_pool_ids, "roles": group.roles}),
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(out(find(&state, &group.id).await?)),
    ))
}

#[utoipa::path(
    put,
    path = "/api/v1/groups/{id}",
    tag = "User Groups",
    summary = "Update a group",
    params(("id" = String, Path, description = "Group id")),
    request_body = GroupInput,
    responses((status = 200, description = "Updated", body = GroupOut), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Conflict", body = crate::error::ErrorBody))
)]
pub(crate) async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Body(input): Body<GroupInput>,
) -> ApiResult<Json<GroupOut>> {
    let (mut tx, snapshot, now) = begin_as(
        &state,
        &actor,
        Operation::AccessGroups,
        Access::Change,
        None,
    )
    .await?;
    let mut group = find(&state, &id).await?.wire;
    let valid = validate_group(Some(&snapshot), Some(&id), &input).map_err(ApiError::violations)?;
    group.name = valid.name;
    group.agent_pool_ids = valid.agent_pool_ids;
    group.roles = valid.roles;
    group
        .request_overrides
        .retain(|o| group.agent_pool_ids.contains(&o.agent_pool_id));
    save(
        &mut tx,
        &actor,
        now,
        AuditAction::GroupUpdated,
        &group,
        json!({"name": group.name, "agentPoolIds": group.agent_pool_ids, "roles": group.roles}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(out(find(&state, &id).await?)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/groups/{id}",
    tag = "User Groups",
    summary = "Delete a group",
    params(("id" = String, Path, description = "Group id")),
    responses((status = 204, description = "Deleted"), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn remove(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let (mut tx, _, now) = begin_as(
        &state,
        &actor,
        Operation::AccessGroups,
        Access::Change,
        None,
    )
    .await?;
    let group = find(&state, &id).await?.wire;
    tx.delete_group(&id).await?;
    tx.audit(NewEvent {
        time: now,
        actor: actor.email.clone(),
        action: AuditAction::GroupDeleted,
        target: format!("group:{id}"),
        details: json!({"name": group.name, "members": group.members.len()}),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Failure<T: Serialize> {
    message: String,
    payload: T,
    status: u16,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Bulk<S: Serialize, F: Serialize> {
    successes: Vec<S>,
    failures: Vec<Failure<F>>,
}

/// 200 when every item succeeded, 207 when some failed.
fn bulk_status<S: Serialize, F: Serialize>(b: &Bulk<S, F>) -> StatusCode {
    if b.failures.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::MULTI_STATUS
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/groups/{id}/members",
    tag = "User Groups",
    summary = "Add members",
    params(("id" = String, Path, description = "Group id")),
    request_body = Vec<MemberDto>,
    responses((status = 200, description = "All added", body = Object), (status = 207, description = "Some failed", body = Object), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn add_members(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Body(input): Body<Vec<MemberDto>>,
) -> ApiResult<(StatusCode, Json<Bulk<MemberDto, MemberDto>>)> {
    let (mut tx, snapshot, now) = begin_as(
        &state,
        &actor,
        Operation::AccessGroups,
        Access::Change,
        None,
    )
    .await?;
    let mut group = find(&state, &id).await?.wire;
    let mut bulk = Bulk {
        successes: Vec::new(),
        failures: Vec::new(),
    };
    for m in input {
        match validate_member(&snapshot, &m.email) {
            Err(v) => bulk.failures.push(Failure {
                message: v.message,
                payload: m,
                status: 404,
            }),
            Ok(u) => {
                let email = snapshot.user(u).map(|u| u.email.clone()).unwrap_or(m.email);
                let member = GroupMemberWire {
                    email: email.clone(),
                    group_admin: m.group_admin,
                    elevated_roles: m.elevated_roles,
                };
                group.members.retain(|x| !same_email(&x.email, &email));
                bulk.successes.push(member_out(&group, &member));
                group.members.push(member);
            }
        }
    }
    if !bulk.successes.is_empty() {
        let added: Vec<&str> = bulk.successes.iter().map(|m| m.email.as_str()).collect();
        save(
            &mut tx,
            &actor,
            now,
            AuditAction::GroupUpdated,
            &group,
            json!({"membersAdded": added}),
        )
        .await?;
        tx.commit().await?;
    }
    Ok((bulk_status(&bulk), Json(bulk)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/groups/{id}/members",
    tag = "User Groups",
    summary = "Remove members",
    params(("id" = String, Path, description = "Group id")),
    request_body = Vec<String>,
    responses((status = 200, description = "All removed", body = Object), (status = 207, description = "Some failed", body = Object), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn remove_members(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Body(emails): Body<Vec<String>>,
) -> ApiResult<(StatusCode, Json<Bulk<String, String>>)> {
    let (mut tx, _, now) = begin_as(
        &state,
        &actor,
        Operation::AccessGroups,
        Access::Change,
        None,
    )
    .await?;
    let mut group = find(&state, &id).await?.wire;
    let mut bulk = Bulk {
        successes: Vec::new(),
        failures: Vec::new(),
    };
    for email in emails {
        let before = group.members.len();
        group.members.retain(|m| !same_email(&m.email, &email));
        if group.members.len() < before {
            bulk.successes.push(email);
        } else {
            bulk.failures.push(Failure {
                message: format!("`{email}` is not a member"),
                payload: email,
                status: 404,
            });
        }
    }
    if !bulk.successes.is_empty() {
        save(
            &mut tx,
            &actor,
            now,
            AuditAction::GroupUpdated,
            &group,
            json!({"membersRemoved": bulk.successes}),
        )
        .await?;
        tx.commit().await?;
    }
    Ok((bulk_status(&bulk), Json(bulk)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct MemberUpdate {
    #[serde(default)]
    elevated_roles: Vec<PoolLevel>,
    #[serde(default)]
    group_admin: bool,
}

#[utoipa::path(
    put,
    path = "/api/v1/groups/{id}/members/{email}",
    tag = "User Groups",
    summary = "Update a member (group admin, elevated roles)",
    params(("id" = String, Path, description = "Group id"), ("email" = String, Path, description = "E-mail address (any letter case)")),
    request_body = MemberUpdate,
    responses((status = 200, description = "Updated", body = MemberDto), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn update_member(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, email)): Path<(String, String)>,
    Body(input): Body<MemberUpdate>,
) -> ApiResult<Json<MemberDto>> {
    let (mut tx, _, now) = begin_as(
        &state,
        &actor,
        Operation::AccessGroups,
        Access::Change,
        None,
    )
    .await?;
    let mut group = find(&state, &id).await?.wire;
    let Some(member) = group
        .members
        .iter_mut()
        .find(|m| same_email(&m.email, &email))
    else {
        return Err(ApiError::not_found(
            "group.members.unknown",
            format!("`{email}` is not a member of this group"),
        ));
    };
    member.group_admin = input.group_admin;
    member.elevated_roles = input.elevated_roles;
    let updated = GroupMemberWire {
        email: member.email.clone(),
        group_admin: member.group_admin,
        elevated_roles: member.elevated_roles.clone(),
    };
    save(&mut tx, &actor, now, AuditAction::GroupUpdated, &group, json!({"member": updated.email, "groupAdmin": updated.group_admin, "elevatedRoles": updated.elevated_roles})).await?;
    tx.commit().await?;
    Ok(Json(member_out(&group, &updated)))
}
