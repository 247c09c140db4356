//! Explanations (why does U have access to P, what may U do) and the company
//! snapshot every client validates against.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use interim_policy::catalogue::{Access, Operation};
use interim_policy::decision::{
    EffectivePermissions, PoolExplanation, effective_permissions, explain_pool,
};
use interim_policy::email::same_email;
use interim_policy::request::is_direct_reviewer;
use interim_policy::wire::{SnapshotWire, TempAccess, UserWire};
use serde_json::{Value, json};

use crate::AppState;
use crate::app::allowed;
use crate::auth::Actor;
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
        ApiError::bad_request("query.value.missing", key, format!("`{key}` is required"))
    })
}

/// Anyone may ask about themselves; about others needs to see users.
fn may_ask(
    snapshot: &interim_policy::Snapshot,
    actor: &Actor,
    user: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    if same_email(user, &actor.email) {
        return Ok(());
    }
    Ok(crate::app::require(
        snapshot,
        actor,
        Operation::Users,
        Access::View,
        None,
        now,
    )?)
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
) -> ApiResult<Json<Value>> {
    let now = state.clock.now();
    let user = params.get("user").unwrap_or(&actor.email).to_owned();
    let pool = required(&params, "pool")?;
    let snapshot = state.store.snapshot(now).await?;
    may_ask(&snapshot, &actor, &user, now)?;
    Ok(Json(json!(explain_pool(&snapshot, &user, pool, now))))
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
) -> ApiResult<Json<Value>> {
    let now = state.clock.now();
    let user = params.get("user").unwrap_or(&actor.email).to_owned();
    let snapshot = state.store.snapshot(now).await?;
    may_ask(&snapshot, &actor, &user, now)?;
    let u = snapshot
        .user_idx(&user)
        .ok_or_else(|| ApiError::not_found("user.email.unknown", format!("no user `{user}`")))?;
    Ok(Json(json!(effective_permissions(&snapshot, u, now))))
}

/// The company as the caller may see it. Those who read users and grants
/// (admins, viewers, grant managers) get it whole; others get themselves,
/// the pools, their groups, and every active grant's name and period with
/// whom and what it names hidden unless it names them.
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
    let now = state.clock.now();
    let s = state.store.snapshot(now).await?;
    let full = allowed(&s, &actor, Operation::Users, Access::View, now)
        && allowed(&s, &actor, Operation::TemporaryAccess, Access::View, now);
    // A reviewer picks a delegate among the enabled users (only they may
    // be delegated to): they see those addresses and names, not roles, and
    // nothing of disabled accounts.
    let directory = !full && is_direct_reviewer(&s, actor.idx);
    let users: Vec<UserWire> = s
        .users
        .iter()
        .filter(|u| full || (directory && u.enabled) || same_email(&u.email, &actor.email))
        .map(|u| UserWire {
            email: u.email.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            enabled: u.enabled,
            roles: if full || same_email(&u.email, &actor.email) {
                u.roles.iter().collect()
            } else {
                Vec::new()
            },
        })
        .collect();
    let pools_visible = allowed(&s, &actor, Operation::AgentPools, Access::View, now);
    let wire = state.store.snapshot_wire(now).await?;
    let grants: Vec<TempAccess> = s
        .active_grants(now, None)
        .map(|g| {
            let mut w = g.wire.clone();
            if !full && !w.user_emails.iter().any(|e| same_email(e, &actor.email)) {
                w.user_emails.clear();
                w.agent_pool_ids.clear();
                w.created_by = None;
                w.incident_id = None;
            }
            w
        })
        .collect();
    // My requests (every request for those who see everything), and the
    // delegations I give or receive: what the request and delegation forms
    // check against. Only items whose users and pool are in this snapshot.
    let has_user = |e: &str| users.iter().any(|u| same_email(&u.email, e));
    let agent_pools = if pools_visible {
        wire.agent_pools
    } else {
        Vec::new()
    };
    let requests = wire
        .requests
        .into_iter()
        .filter(|r| full || same_email(&r.requester, &actor.email))
        .filter(|r| has_user(&r.requester) && agent_pools.iter().any(|p| p.id == r.agent_pool_id))
        .collect();
    let delegations = wire
        .delegations
        .into_iter()
        .filter(|d| full || same_email(&d.from, &actor.email) || same_email(&d.to, &actor.email))
        .filter(|d| has_user(&d.from) && has_user(&d.to))
        .collect();
    Ok(Json(SnapshotWire {
        company_id: s.company_id.clone(),
        rbac_enabled: s.rbac_enabled,
        limits: s.limits,
        users,
        agent_pools,
        groups: wire
            .groups
            .into_iter()
            .filter(|g| full || g.members.iter().any(|m| same_email(&m.email, &actor.email)))
            .map(|mut g| {
                if !full {
                    g.members.retain(|m| same_email(&m.email, &actor.email));
                }
                g
            })
            .collect(),
        grants,
        requests,
        delegations,
    }))
}
