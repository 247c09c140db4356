//! `/api/v1/users`: users addressed by e-mail, roles by the vendor's names.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use interim_policy::audit::{AuditAction, NewEvent};
use interim_policy::catalogue::{Access, Operation};
use interim_policy::decision::effective_permissions;
use interim_policy::email::same_email;
use interim_policy::role::Role;
use interim_policy::snapshot::Snapshot;
use interim_policy::time::format_instant;
use interim_policy::user::{UserInput, validate_disable, validate_new_user, validate_user_update};
use interim_policy::wire::UserWire;
use serde::Serialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::app::{begin_as, new_id, require};
use crate::auth::{Actor, hash_password};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Page, Params, Path};
use crate::store::{UserRecord, WriteTx, from_ms};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/users", get(list).post(create))
        .route("/api/v1/users/{email}", get(one).put(update).delete(remove))
        .route("/api/v1/users/{email}/disable", put(disable))
        .route("/api/v1/users/{email}/enable", put(enable))
}

/// The vendor's `UserPublicDTO`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserOut {
    id: String,
    email: String,
    first_name: String,
    last_name: String,
    roles: Vec<Role>,
    /// Roles recorded but giving nothing while RBAC is off.
    inert_roles: Vec<Role>,
    enabled: bool,
    created_date: String,
    created_by: Option<String>,
    last_modified_date: String,
    last_modified_by: Option<String>,
    last_login_date: Option<String>,
    register_method: &'static str,
    user_management_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_memberships: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    agent_pool_permissions: Option<Vec<Value>>,
}

fn out(u: UserRecord, snapshot: &Snapshot, detail: bool, now: DateTime<Utc>) -> UserOut {
    let idx = snapshot.user_idx(&u.wire.email);
    let (memberships, permissions) = match (detail, idx) {
        (true, Some(i)) => {
            let memberships = snapshot
                .groups
                .iter()
                .filter_map(|g| {
                    g.members
                        .iter()
                        .find(|m| m.user == i)
                        .map(|m| json!({"email": u.wire.email, "groupId": g.id, "groupAdmin": m.group_admin}))
                })
                .collect();
            let pools = effective_permissions(snapshot, i, now)
                .map(|p| p.pools.into_iter().map(|p| json!({"agentPoolId": p.agent_pool_id, "permissions": p.permissions})).collect())
                .unwrap_or_default();
            (Some(memberships), Some(pools))
        }
        _ => (None, None),
    };
    UserOut {
        id: u.id,
        inert_roles: interim_policy::user::inert_roles(&u.wire.roles, snapshot.rbac_enabled),
        roles: u.wire.roles,
        email: u.wire.email,
        first_name: u.wire.first_name,
        last_name: u.wire.last_name,
        enabled: u.wire.enabled,
        created_date: format_instant(from_ms(u.created_ms)),
        created_by: u.created_by,
        last_modified_date: format_instant(from_ms(u.modified_ms)),
        last_modified_by: u.modified_by,
        last_login_date: u.last_login_ms.map(|t| format_instant(from_ms(t))),
        register_method: "USER_PASS",
        user_management_type: "SYSTEM",
        group_memberships: memberships,
        agent_pool_permissions: permissions,
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "Users",
    summary = "Users",
    params(("page" = Option<i64>, Query, description = "Zero-based page index (default 0)"), ("size" = Option<i64>, Query, description = "Page size (default 20)"), ("sort" = Option<Vec<String>>, Query, description = "property,(asc|desc); repeatable"), ("role" = Option<String>, Query, description = "Filter by role"), ("search" = Option<String>, Query, description = "Search by name or e-mail"), ("includeAccessAndPermissions" = Option<bool>, Query, description = "Add group memberships and pool permissions")),
    responses((status = 200, description = "A page of users", body = Page<UserOut>), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    params: Params,
) -> ApiResult<Json<Page<UserOut>>> {
    let now = state.clock.now();
    let paging = params.paging()?;
    let sort = params.sort(
        &["email", "firstName", "lastName", "createdDate"],
        ("email", true),
    )?;
    let detail = matches!(params.get("includeAccessAndPermissions"), Some("true"));
    let role = match params.get("role") {
        None => None,
        Some(r) => Some(Role::from_wire(r).ok_or_else(|| {
            ApiError::bad_request("query.value.invalid", "role", format!("unknown role `{r}`"))
        })?),
    };
    let search = params.get("search").map(str::to_lowercase);
    let snapshot = state.store.snapshot(now).await?;
    require(&snapshot, &actor, Operation::Users, Access::View, None, now)?;
    let mut users: Vec<UserRecord> = state
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| role.is_none_or(|r| u.wire.roles.contains(&r)))
        .filter(|u| {
            search.as_ref().is_none_or(|s| {
                u.wire.email.to_lowercase().contains(s.as_str())
                    || format!("{} {}", u.wire.first_name, u.wire.last_name)
                        .to_lowercase()
                        .contains(s.as_str())
            })
        })
        .collect();
    users.sort_by(|a, b| {
        for (field, asc) in &sort {
            let o = match field.as_str() {
                "firstName" => a
                    .wire
                    .first_name
                    .to_lowercase()
                    .cmp(&b.wire.first_name.to_lowercase()),
                "lastName" => a
                    .wire
                    .last_name
                    .to_lowercase()
                    .cmp(&b.wire.last_name.to_lowercase()),
                "createdDate" => a.created_ms.cmp(&b.created_ms),
                _ => a
                    .wire
                    .email
                    .to_lowercase()
                    .cmp(&b.wire.email.to_lowercase()),
            };
            let o = if *asc { o } else { o.reverse() };
            if o.is_ne() {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    });
    Ok(Json(
        paging.page(
            users
                .into_iter()
                .map(|u| out(u, &snapshot, detail, now))
                .collect(),
        ),
    ))
}

async fn find(state: &AppState, email: &str) -> ApiResult<UserRecord> {
    state
        .store
        .user(&email.to_lowercase())
        .await?
        .ok_or_else(|| ApiError::not_found("user.email.unknown", format!("no user `{email}`")))
}

#[utoipa::path(
    get,
    path = "/api/v1/users/{email}",
    tag = "Users",
    summary = "One user",
    params(("email" = String, Path, description = "E-mail address (any letter case)")),
    responses((status = 200, description = "The user", body = UserOut), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn one(
    State(state): State<AppState>,
    actor: Actor,
    Path(email): Path<String>,
    params: Params,
) -> ApiResult<Json<UserOut>> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    if !same_email(&email, &actor.email) {
        require(&snapshot, &actor, Operation::Users, Access::View, None, now)?;
    }
    let detail = matches!(params.get("includeAccessAndPermissions"), Some("true"));
    Ok(Json(out(
        find(&state, &email).await?,
        &snapshot,
        detail,
        now,
    )))
}

/// Audits the roles added and removed.
pub(crate) async fn audit_roles(
    tx: &mut WriteTx,
    actor: &Actor,
    now: DateTime<Utc>,
    email: &str,
    before: &[Role],
    after: &[Role],
) -> ApiResult<()> {
    for (list, other, action) in [
        (after, before, AuditAction::RoleAssigned),
        (before, after, AuditAction::RoleRemoved),
    ] {
        for role in list.iter().filter(|r| !other.contains(r)) {
            tx.audit(NewEvent {
                time: now,
                actor: actor.email.clone(),
                action,
                target: format!("user:{email}"),
                details: json!({ "role": role }),
                reason: None,
            })
            .await?;
        }
    }
    Ok(())
}

#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "Users",
    summary = "Create a user",
    request_body = UserInput,
    responses((status = 201, description = "Created", body = UserOut), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 409, description = "Conflict", body = crate::error::ErrorBody))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Body(input): Body<UserInput>,
) -> ApiResult<(StatusCode, Json<UserOut>)> {
    let (mut tx, snapshot, now) =
        begin_as(&state, &actor, Operation::Users, Access::Change, None).await?;
    let valid = validate_new_user(Some(&snapshot), &input).map_err(ApiError::violations)?;
    let hash = match &input.password {
        Some(p) => Some(hash_password(p)?),
        None => None,
    };
    let wire = UserWire {
        email: valid.email.clone(),
        first_name: valid.first_name,
        last_name: valid.last_name,
        enabled: true,
        roles: valid.roles,
    };
    let id = new_id()?;
    tx.insert_user(&id, &wire, hash.as_deref(), now, Some(&actor.email))
        .await?;
    tx.audit(NewEvent {
        time: now,
        actor: actor.email.clone(),
        action: AuditAction::UserCreated,
        target: format!("user:{}", wire.email),
        details: json!({ "firstName": wire.first_name, "lastName": wire.last_name, "passwordSet": hash.is_some() }),
        reason: None,
    })
    .await?;
    audit_roles(&mut tx, &actor, now, &wire.email, &[], &wire.roles).await?;
    tx.commit().await?;
    let snapshot = state.store.snapshot(now).await?;
    Ok((
        StatusCode::CREATED,
        Json(out(find(&state, &wire.email).await?, &snapshot, false, now)),
    ))
}

#[utoipa::path(
    put,
    path = "/api/v1/users/{email}",
    tag = "Users",
    summary = "Update a user's names, roles or password",
    params(("email" = String, Path, description = "E-mail address (any letter case)")),
    request_body = UserInput,
    responses((status = 200, description = "Updated", body = UserOut), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Conflict", body = crate::error::ErrorBody))
)]
pub(crate) async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(email): Path<String>,
    Body(input): Body<UserInput>,
) -> ApiResult<Json<UserOut>> {
    let (mut tx, snapshot, now) =
        begin_as(&state, &actor, Operation::Users, Access::Change, None).await?;
    let record = find(&state, &email).await?;
    let u = snapshot
        .user_idx(&email)
        .ok_or_else(|| ApiError::not_found("user.email.unknown", format!("no user `{email}`")))?;
    let valid = validate_user_update(&snapshot, u, &input).map_err(ApiError::violations)?;
    let before = record.wire.roles.clone();
    let wire = UserWire {
        email: record.wire.email.clone(),
        first_name: valid.first_name,
        last_name: valid.last_name,
        enabled: record.wire.enabled,
        roles: valid.roles,
    };
    tx.update_user(&wire, now, &actor.email).await?;
    if let Some(p) = &input.password {
        tx.set_password(&wire.email.to_lowercase(), &hash_password(p)?)
            .await?;
    }
    tx.audit(NewEvent {
        time: now,
        actor: actor.email.clone(),
        action: AuditAction::UserUpdated,
        target: format!("user:{}", wire.email),
        details: json!({ "firstName": wire.first_name, "lastName": wire.last_name, "passwordSet": input.password.is_some() }),
        reason: None,
    })
    .await?;
    audit_roles(&mut tx, &actor, now, &wire.email, &before, &wire.roles).await?;
    tx.commit().await?;
    let snapshot = state.store.snapshot(now).await?;
    Ok(Json(out(
        find(&state, &email).await?,
        &snapshot,
        false,
        now,
    )))
}

async fn set_enabled(
    state: AppState,
    actor: Actor,
    email: String,
    enabled: bool,
) -> ApiResult<StatusCode> {
    let (mut tx, snapshot, now) =
        begin_as(&state, &actor, Operation::Users, Access::Change, None).await?;
    let mut record = find(&state, &email).await?;
    if !enabled {
        let u = snapshot.user_idx(&email).ok_or_else(|| {
            ApiError::not_found("user.email.unknown", format!("no user `{email}`"))
        })?;
        validate_disable(&snapshot, u).map_err(ApiError::violation)?;
    }
    if record.wire.enabled != enabled {
        record.wire.enabled = enabled;
        tx.update_user(&record.wire, now, &actor.email).await?;
        tx.audit(NewEvent {
            time: now,
            actor: actor.email.clone(),
            action: if enabled {
                AuditAction::UserEnabled
            } else {
                AuditAction::UserDisabled
            },
            target: format!("user:{}", record.wire.email),
            details: json!({}),
            reason: None,
        })
        .await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    put,
    path = "/api/v1/users/{email}/disable",
    tag = "Users",
    summary = "Disable a user",
    params(("email" = String, Path, description = "E-mail address (any letter case)")),
    responses((status = 204, description = "Disabled"), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Conflict", body = crate::error::ErrorBody))
)]
pub(crate) async fn disable(
    State(state): State<AppState>,
    actor: Actor,
    Path(email): Path<String>,
) -> ApiResult<StatusCode> {
    set_enabled(state, actor, email, false).await
}

#[utoipa::path(
    put,
    path = "/api/v1/users/{email}/enable",
    tag = "Users",
    summary = "Enable a user",
    params(("email" = String, Path, description = "E-mail address (any letter case)")),
    responses((status = 204, description = "Enabled"), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn enable(
    State(state): State<AppState>,
    actor: Actor,
    Path(email): Path<String>,
) -> ApiResult<StatusCode> {
    set_enabled(state, actor, email, true).await
}

#[utoipa::path(
    delete,
    path = "/api/v1/users/{email}",
    tag = "Users",
    summary = "Delete a user",
    params(("email" = String, Path, description = "E-mail address (any letter case)")),
    responses((status = 204, description = "Deleted"), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Conflict", body = crate::error::ErrorBody))
)]
pub(crate) async fn remove(
    State(state): State<AppState>,
    actor: Actor,
    Path(email): Path<String>,
) -> ApiResult<StatusCode> {
    let (mut tx, snapshot, now) =
        begin_as(&state, &actor, Operation::Users, Access::Change, None).await?;
    let record = find(&state, &email).await?;
    let u = snapshot
        .user_idx(&email)
        .ok_or_else(|| ApiError::not_found("user.email.unknown", format!("no user `{email}`")))?;
    validate_disable(&snapshot, u).map_err(ApiError::violation)?;
    tx.delete_user(&email.to_lowercase(), now).await?;
    tx.audit(NewEvent {
        time: now,
        actor: actor.email.clone(),
        action: AuditAction::UserDeleted,
        target: format!("user:{}", record.wire.email),
        details: json!({}),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
