//! Company settings (the RBAC switch, limits that only tighten) and the
//! legacy role import with its preview.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use interim_policy::audit::{AuditAction, NewEvent};
use interim_policy::catalogue::{Access, Operation};
use interim_policy::email::same_email;
use interim_policy::legacy::preview_migration;
use interim_policy::limits::Limits;
use interim_policy::wire::{GroupMemberWire, LegacyUserWire, UserWire};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::app::{begin_as, new_id, require};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Params};
use crate::store::Settings;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/settings", get(read).put(write))
        .route("/api/v1/users/import", post(import))
}

fn settings_json(s: &Settings) -> Value {
    json!({ "companyId": s.company_id, "rbacEnabled": s.rbac_enabled, "limits": s.limits, "seedLimits": Limits::SEED })
}

#[utoipa::path(
    get,
    path = "/api/v1/settings",
    tag = "Settings",
    summary = "Company settings: RBAC and limits",
    responses((status = 200, description = "The settings", body = Object), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody))
)]
pub(crate) async fn read(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Value>> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    require(
        &snapshot,
        &actor,
        Operation::Organization,
        Access::View,
        None,
        now,
    )?;
    Ok(Json(settings_json(&state.store.settings().await?)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SettingsInput {
    #[serde(default)]
    rbac_enabled: Option<bool>,
    #[serde(default)]
    limits: Option<Limits>,
}

#[utoipa::path(
    put,
    path = "/api/v1/settings",
    tag = "Settings",
    summary = "Switch RBAC, tighten limits",
    request_body = SettingsInput,
    responses((status = 200, description = "The settings", body = Object), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody))
)]
pub(crate) async fn write(
    State(state): State<AppState>,
    actor: Actor,
    Body(input): Body<SettingsInput>,
) -> ApiResult<Json<Value>> {
    let (mut tx, _, now) = begin_as(
        &state,
        &actor,
        Operation::Organization,
        Access::Change,
        None,
    )
    .await?;
    let before = tx.settings().await?;
    let mut after = before.clone();
    if let Some(limits) = input.limits {
        after.limits = limits.validate().map_err(|v| {
            ApiError::violations(
                v.into_iter()
                    .map(|mut v| {
                        v.field = format!("limits.{}", v.field);
                        v
                    })
                    .collect(),
            )
        })?;
    }
    if let Some(rbac) = input.rbac_enabled {
        after.rbac_enabled = rbac;
    }
    if after != before {
        tx.put_settings(&after).await?;
        tx.audit(NewEvent {
            time: now,
            actor: actor.email.clone(),
            action: AuditAction::SettingsChanged,
            target: format!("company:{}", after.company_id),
            details: json!({ "before": settings_json(&before), "after": settings_json(&after) }),
            reason: None,
        })
        .await?;
    }
    tx.commit().await?;
    Ok(Json(settings_json(&after)))
}

/// `POST /api/v1/users/import?preview=true` previews; without it, applies.
#[utoipa::path(
    post,
    path = "/api/v1/users/import",
    tag = "Users",
    summary = "Import users from the legacy role system (preview with ?preview=true)",
    params(("preview" = Option<bool>, Query, description = "Only preview")),
    request_body = Vec<LegacyUserWire>,
    responses((status = 200, description = "What was (or would be) written", body = Object), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn import(
    State(state): State<AppState>,
    actor: Actor,
    params: Params,
    Body(entries): Body<Vec<LegacyUserWire>>,
) -> ApiResult<Json<Value>> {
    let now = state.clock.now();
    let preview_only = matches!(params.get("preview"), Some("true"));
    let mut tx = state.store.begin().await?;
    let snapshot = tx.snapshot(now).await?;
    require(
        &snapshot,
        &actor,
        Operation::Users,
        Access::Change,
        None,
        now,
    )?;
    let preview = preview_migration(&entries, Some(&snapshot));
    if preview_only {
        return Ok(Json(
            json!({ "users": preview.users, "errors": preview.errors }),
        ));
    }
    if !preview.errors.is_empty() {
        return Err(ApiError::violations(preview.errors));
    }
    let mut groups: Vec<interim_policy::wire::GroupWire> = state
        .store
        .groups()
        .await?
        .into_iter()
        .map(|g| g.wire)
        .collect();
    for u in &preview.users {
        let wire = UserWire {
            email: u.email.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            enabled: true,
            roles: u.roles.clone(),
        };
        match snapshot.user_idx(&u.email).and_then(|i| snapshot.user(i)) {
            Some(existing) => {
                let mut merged = wire.clone();
                merged.email = existing.email.clone();
                merged.enabled = existing.enabled;
                tx.update_user(&merged, now, &actor.email).await?;
                let before: Vec<interim_policy::Role> = existing.roles.iter().collect();
                crate::app::users::audit_roles(
                    &mut tx,
                    &actor,
                    now,
                    &merged.email,
                    &before,
                    &merged.roles,
                )
                .await?;
            }
            None => {
                tx.insert_user(&new_id()?, &wire, None, now, Some(&actor.email))
                    .await?;
                crate::app::users::audit_roles(&mut tx, &actor, now, &wire.email, &[], &wire.roles)
                    .await?;
            }
        }
        for gid in &u.group_admin_of {
            if let Some(g) = groups.iter_mut().find(|g| &g.id == gid) {
                match g
                    .members
                    .iter_mut()
                    .find(|m| same_email(&m.email, &u.email))
                {
                    Some(m) => m.group_admin = true,
                    None => g.members.push(GroupMemberWire {
                        email: u.email.clone(),
                        group_admin: true,
                        elevated_roles: Vec::new(),
                    }),
                }
            }
        }
    }
    for g in groups.iter().filter(|g| {
        preview
            .users
            .iter()
            .any(|u| u.group_admin_of.contains(&g.id))
    }) {
        tx.put_group(g, now, Some(&actor.email)).await?;
    }
    tx.audit(NewEvent {
        time: now,
        actor: actor.email.clone(),
        action: AuditAction::UsersImported,
        target: format!("company:{}", snapshot.company_id),
        details: json!({ "users": preview.users }),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(Json(json!({ "users": preview.users, "errors": [] })))
}
