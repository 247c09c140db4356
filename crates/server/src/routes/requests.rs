//! Just-in-time access requests (SPEC §4): request, review, approve or
//! self-approve, deny, cancel, revoke; request settings on pools and on
//! group assignments; reviewers' delegations. Every rule is the policy's
//! (`validate_request`, `apply_action`, `who_can_approve`,
//! `validate_delegation`); the handlers load, ask, write and audit.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use interim_policy::audit::{AuditAction, NewEvent};
use interim_policy::catalogue::{Access, Operation};
use interim_policy::email::same_email;
use interim_policy::request::{
    RequestAction, RequestStatus, TransitionOutcome, apply_action, effective_status,
    pending_deadline, validate_delegation, validate_request, validate_request_settings,
    who_can_approve,
};
use interim_policy::snapshot::Snapshot;
use interim_policy::time::format_instant;
use interim_policy::wire::{
    AccessRequestInput, AccessRequestWire, AssignmentOverrideWire, DelegationInput, FormValue,
    RequestSettingsWire,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{begin_as, new_id, require};
use crate::AppState;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Params, Path};
use crate::notify::{self, Event};
use crate::store::WriteTx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/access-requests", get(list).post(create))
        .route("/api/v1/access-requests/{id}", get(one))
        .route("/api/v1/access-requests/{id}/reviewers", get(reviewers))
        .route("/api/v1/access-requests/{id}/approve", post(approve))
        .route("/api/v1/access-requests/{id}/deny", post(deny))
        .route("/api/v1/access-requests/{id}/cancel", post(cancel))
        .route("/api/v1/access-requests/{id}/revoke", post(revoke))
        .route(
            "/api/v1/agent-pools/{id}/request-settings",
            put(pool_settings),
        )
        .route(
            "/api/v1/groups/{id}/request-settings/{pool}",
            put(put_override).delete(remove_override),
        )
        .route("/api/v1/delegations", get(delegations).post(delegate))
        .route("/api/v1/reports/access", get(report))
        .route(
            "/api/v1/delegations/{id}",
            axum::routing::delete(end_delegation),
        )
}

/// A request as the API answers it: the stored request, its status at this
/// instant (a pending request past its 24 hours is `expired` before the
/// sweeper writes it), and until when it waits.
fn out(r: &AccessRequestWire, comment: Option<&str>, s: &Snapshot, now: DateTime<Utc>) -> Value {
    let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
    let live = s.request_idx(&r.id).and_then(|i| s.request(i));
    let effective = live.map_or(r.status, |req| effective_status(req, now));
    if let Value::Object(map) = &mut v {
        map.insert("effectiveStatus".into(), json!(effective));
        if let Some(req) = live.filter(|_| r.status == RequestStatus::Pending) {
            map.insert(
                "pendingUntil".into(),
                json!(format_instant(pending_deadline(req))),
            );
        }
        if let Some(c) = comment {
            map.insert("comment".into(), json!(c));
        }
    }
    v
}

async fn audit(
    tx: &mut WriteTx,
    actor: &str,
    now: DateTime<Utc>,
    action: AuditAction,
    target: String,
    details: Value,
    reason: Option<String>,
) -> ApiResult<()> {
    tx.audit(NewEvent {
        time: now,
        actor: actor.to_owned(),
        action,
        target,
        details,
        reason,
    })
    .await?;
    Ok(())
}

#[utoipa::path(
    post,
    path = "/api/v1/access-requests",
    tag = "Access Requests",
    summary = "Request access to a locked pool (auto-approved at once where the settings allow it and a reason is given)",
    request_body = AccessRequestInput,
    responses((status = 201, description = "Created: pending, or approved when auto-approved", body = Object), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 404, description = "Unknown pool", body = crate::error::ErrorBody), (status = 409, description = "A request or access already exists", body = crate::error::ErrorBody))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Body(input): Body<AccessRequestInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let snapshot = tx.snapshot(now).await?;
    let valid =
        validate_request(&snapshot, &actor.email, &input, now).map_err(ApiError::violations)?;
    let auto = valid.status == RequestStatus::Approved;
    let wire = AccessRequestWire {
        id: new_id()?,
        requester: valid.requester,
        agent_pool_id: valid.agent_pool_id,
        status: valid.status,
        approval: valid.approval,
        requested_minutes: valid.requested_minutes,
        reason: valid.reason,
        ticket_ref: valid.ticket_ref,
        created_at: valid.created_at,
        approved_at: valid.approved_at,
        ends_at: valid.ends_at,
        decided_by: auto.then(|| actor.email.clone()),
    };
    tx.insert_request(&wire).await?;
    let target = format!("request:{}", wire.id);
    let details = json!({"agentPoolId": wire.agent_pool_id, "minutes": wire.requested_minutes, "approval": wire.approval, "ticketRef": wire.ticket_ref});
    audit(
        &mut tx,
        &actor.email,
        now,
        AuditAction::RequestCreated,
        target.clone(),
        details,
        wire.reason.clone(),
    )
    .await?;
    if auto {
        let details = json!({"agentPoolId": wire.agent_pool_id, "selfApproved": true, "endsAt": wire.ends_at.map(format_instant)});
        audit(
            &mut tx,
            &actor.email,
            now,
            AuditAction::RequestApproved,
            target,
            details,
            wire.reason.clone(),
        )
        .await?;
    }
    let event = if auto {
        Event::Approved
    } else {
        Event::Created
    };
    let told =
        notify::enqueue(&mut tx, &state.channels, &snapshot, event, &wire, None, now).await?;
    let after = tx.snapshot(now).await?;
    tx.commit().await?;
    if told > 0 {
        notify::wake(&state.outbox);
    }
    Ok((StatusCode::CREATED, Json(out(&wire, None, &after, now))))
}

/// Whether `actor` reviews `r` now (the policy's list, delegates included).
fn reviews(s: &Snapshot, actor: &str, r: &AccessRequestWire, now: DateTime<Utc>) -> bool {
    match (s.user_idx(&r.requester), s.pool_idx(&r.agent_pool_id)) {
        (Some(u), Some(p)) => who_can_approve(s, u, p, now)
            .iter()
            .any(|rev| same_email(&rev.email, actor)),
        _ => false,
    }
}

/// May `actor` see every request? (Those who read the company's users.)
fn sees_all(s: &Snapshot, actor: &Actor, now: DateTime<Utc>) -> bool {
    require(s, actor, Operation::Users, Access::View, None, now).is_ok()
}

#[utoipa::path(
    get,
    path = "/api/v1/access-requests",
    tag = "Access Requests",
    summary = "Access requests: mine (default), the ones I review, or all",
    params(("scope" = Option<String>, Query, description = "mine | review | all"), ("status" = Option<String>, Query, description = "Filter by status at this instant: pending, approved, denied, cancelled, expired, revoked, ended")),
    responses((status = 200, description = "The requests, newest first", body = Object), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    params: Params,
) -> ApiResult<Json<Value>> {
    let now = state.clock.now();
    let snapshot = state.store.snapshot(now).await?;
    let scope = params.get("scope").unwrap_or("mine");
    if !matches!(scope, "mine" | "review" | "all") {
        return Err(ApiError::bad_request(
            "body.field.invalid_type",
            "scope",
            "`scope` is mine, review or all",
        ));
    }
    if scope == "all" {
        require(&snapshot, &actor, Operation::Users, Access::View, None, now)?;
    }
    let status = params.get("status").map(str::to_owned);
    let items: Vec<Value> = state
        .store
        .requests()
        .await?
        .iter()
        .filter(|(r, _)| match scope {
            "mine" => same_email(&r.requester, &actor.email),
            "review" => reviews(&snapshot, &actor.email, r, now),
            _ => true,
        })
        .map(|(r, c)| out(r, c.as_deref(), &snapshot, now))
        .filter(|v| {
            status
                .as_deref()
                .is_none_or(|s| v.get("effectiveStatus").and_then(Value::as_str) == Some(s))
        })
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

/// The stored request `id`, if the actor may see it.
async fn visible(
    state: &AppState,
    actor: &Actor,
    id: &str,
    s: &Snapshot,
    now: DateTime<Utc>,
) -> ApiResult<(AccessRequestWire, Option<String>)> {
    let found = state.store.request(id).await?.filter(|(r, _)| {
        same_email(&r.requester, &actor.email)
            || reviews(s, &actor.email, r, now)
            || sees_all(s, actor, now)
    });
    found.ok_or_else(|| {
        ApiError::not_found(
            "request.id.unknown",
            format!("no request `{id}` you may see"),
        )
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/access-requests/{id}",
    tag = "Access Requests",
    summary = "One access request",
    params(("id" = String, Path, description = "Request id")),
    responses((status = 200, description = "The request", body = Object), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn one(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let now = state.clock.now();
    let s = state.store.snapshot(now).await?;
    let (r, c) = visible(&state, &actor, &id, &s, now).await?;
    Ok(Json(out(&r, c.as_deref(), &s, now)))
}

#[utoipa::path(
    get,
    path = "/api/v1/access-requests/{id}/reviewers",
    tag = "Access Requests",
    summary = "Who may approve the request now, and why (delegates included)",
    params(("id" = String, Path, description = "Request id")),
    responses((status = 200, description = "The reviewers", body = Object), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn reviewers(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let now = state.clock.now();
    let s = state.store.snapshot(now).await?;
    let (r, _) = visible(&state, &actor, &id, &s, now).await?;
    let list = match (s.user_idx(&r.requester), s.pool_idx(&r.agent_pool_id)) {
        (Some(u), Some(p)) => who_can_approve(&s, u, p, now),
        _ => Vec::new(),
    };
    Ok(Json(json!({ "reviewers": list })))
}

/// What a reviewer or the requester sends with an action.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActionBody {
    /// Approve for a shorter period than asked (minutes).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    duration_minutes: Option<FormValue>,
    /// For the requester: required to deny, optional to approve or revoke.
    #[serde(default)]
    comment: Option<String>,
}

/// The optional body of an action: empty, or JSON of [`ActionBody`].
fn action_body(bytes: &[u8]) -> ApiResult<ActionBody> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(ActionBody::default());
    }
    let text = std::str::from_utf8(bytes).map_err(|_| {
        ApiError::bad_request("body.json.malformed", "", "the body is not UTF-8 text")
    })?;
    interim_policy::parse::from_json_str(text).map_err(ApiError::violation)
}

/// A request as it stands after a transition (what its notification tells).
pub(crate) fn transitioned(
    before: &AccessRequestWire,
    t: &TransitionOutcome,
    by: Option<&str>,
) -> AccessRequestWire {
    AccessRequestWire {
        status: t.to,
        approved_at: t.approved_at.or(before.approved_at),
        ends_at: t.ends_at.or(before.ends_at),
        decided_by: by.map(str::to_owned).or_else(|| before.decided_by.clone()),
        ..before.clone()
    }
}

/// Applies `action` to request `id` as the policy allows, and audits it.
async fn act(
    state: &AppState,
    actor: &Actor,
    id: &str,
    action: RequestAction,
    audited: AuditAction,
) -> ApiResult<Json<Value>> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let s = tx.snapshot(now).await?;
    let Some(ri) = s.request_idx(id) else {
        return Err(ApiError::not_found(
            "request.id.unknown",
            format!("no open request `{id}`"),
        ));
    };
    let t: TransitionOutcome =
        apply_action(&s, ri, Some(&actor.email), &action, now).map_err(ApiError::violations)?;
    if !tx.transition_request(&t, Some(&actor.email), now).await? {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "request.status.changed",
            "the request changed meanwhile: reload it",
        ));
    }
    let details = json!({"from": t.from, "to": t.to, "endsAt": t.ends_at.map(format_instant), "grantedMinutes": t.granted_minutes});
    audit(
        &mut tx,
        &actor.email,
        now,
        audited,
        format!("request:{id}"),
        details,
        t.comment.clone(),
    )
    .await?;
    let told = match (Event::of(t.to), s.request(ri)) {
        (Some(event), Some(before)) => {
            let now_stands = transitioned(&before.wire, &t, Some(&actor.email));
            notify::enqueue(
                &mut tx,
                &state.channels,
                &s,
                event,
                &now_stands,
                t.comment.as_deref(),
                now,
            )
            .await?
        }
        _ => 0,
    };
    let after = tx.snapshot(now).await?;
    tx.commit().await?;
    if told > 0 {
        notify::wake(&state.outbox);
    }
    let (r, c) =
        state.store.request(id).await?.ok_or_else(|| {
            ApiError::not_found("request.id.unknown", format!("no request `{id}`"))
        })?;
    Ok(Json(out(&r, c.as_deref(), &after, now)))
}

#[utoipa::path(
    post,
    path = "/api/v1/access-requests/{id}/approve",
    tag = "Access Requests",
    summary = "Approve a pending request, optionally for a shorter period (a reviewer; never the requester of a manual request)",
    params(("id" = String, Path, description = "Request id")),
    request_body = ActionBody,
    responses((status = 200, description = "Approved: access starts now", body = Object), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not a reviewer of this request", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Not pending", body = crate::error::ErrorBody))
)]
pub(crate) async fn approve(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<Value>> {
    let b = action_body(&body)?;
    let action = RequestAction::Approve {
        duration_minutes: b.duration_minutes,
        comment: b.comment,
    };
    act(&state, &actor, &id, action, AuditAction::RequestApproved).await
}

#[utoipa::path(
    post,
    path = "/api/v1/access-requests/{id}/deny",
    tag = "Access Requests",
    summary = "Deny a pending request, with a comment for the requester",
    params(("id" = String, Path, description = "Request id")),
    request_body = ActionBody,
    responses((status = 200, description = "Denied", body = Object), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not a reviewer of this request", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Not pending", body = crate::error::ErrorBody))
)]
pub(crate) async fn deny(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<Value>> {
    let b = action_body(&body)?;
    let action = RequestAction::Deny { comment: b.comment };
    act(&state, &actor, &id, action, AuditAction::RequestDenied).await
}

#[utoipa::path(
    post,
    path = "/api/v1/access-requests/{id}/cancel",
    tag = "Access Requests",
    summary = "Withdraw my pending request",
    params(("id" = String, Path, description = "Request id")),
    responses((status = 200, description = "Cancelled", body = Object), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not the requester", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Not pending", body = crate::error::ErrorBody))
)]
pub(crate) async fn cancel(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    act(
        &state,
        &actor,
        &id,
        RequestAction::Cancel,
        AuditAction::RequestCancelled,
    )
    .await
}

#[utoipa::path(
    post,
    path = "/api/v1/access-requests/{id}/revoke",
    tag = "Access Requests",
    summary = "End approved access at once (a reviewer of the pool)",
    params(("id" = String, Path, description = "Request id")),
    request_body = ActionBody,
    responses((status = 200, description = "Revoked", body = Object), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not a reviewer of this request", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Not approved", body = crate::error::ErrorBody))
)]
pub(crate) async fn revoke(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<Value>> {
    let b = action_body(&body)?;
    act(
        &state,
        &actor,
        &id,
        RequestAction::Revoke { comment: b.comment },
        AuditAction::RequestRevoked,
    )
    .await
}

#[utoipa::path(
    put,
    path = "/api/v1/agent-pools/{id}/request-settings",
    tag = "Access Requests",
    summary = "A pool's request settings: the default of every group assignment of the pool (null turns requests off)",
    params(("id" = String, Path, description = "Pool id")),
    request_body = Option<RequestSettingsWire>,
    responses((status = 200, description = "Saved", body = Object), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn pool_settings(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Body(settings): Body<Option<RequestSettingsWire>>,
) -> ApiResult<Json<Value>> {
    let (mut tx, _, now) = begin_as(
        &state,
        &actor,
        Operation::AccessRequestSettings,
        Access::Change,
        Some(&id),
    )
    .await?;
    let settings = settings
        .map(|s| validate_request_settings(&s))
        .transpose()
        .map_err(ApiError::violations)?;
    let mut pool = state
        .store
        .pools()
        .await?
        .into_iter()
        .find(|p| p.wire.id == id)
        .ok_or_else(|| ApiError::not_found("pool.id.unknown", format!("no agent pool `{id}`")))?
        .wire;
    pool.request_settings = settings;
    tx.put_pool(&pool, now, Some(&actor.email)).await?;
    let details = json!({"requestSettings": pool.request_settings});
    audit(
        &mut tx,
        &actor.email,
        now,
        AuditAction::PoolUpdated,
        format!("pool:{id}"),
        details,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(
        json!({"agentPoolId": id, "requestSettings": pool.request_settings}),
    ))
}

/// A group and one of its pools, for an assignment override.
async fn assignment(
    state: &AppState,
    id: &str,
    pool: &str,
) -> ApiResult<interim_policy::wire::GroupWire> {
    let group = state
        .store
        .groups()
        .await?
        .into_iter()
        .find(|g| g.wire.id == id)
        .ok_or_else(|| ApiError::not_found("group.id.unknown", format!("no group `{id}`")))?
        .wire;
    if !group.agent_pool_ids.iter().any(|p| p == pool) {
        return Err(ApiError::not_found(
            "group.agentPoolIds.unknown",
            format!("the group `{id}` does not hold the pool `{pool}`"),
        ));
    }
    Ok(group)
}

#[utoipa::path(
    put,
    path = "/api/v1/groups/{id}/request-settings/{pool}",
    tag = "Access Requests",
    summary = "Override the pool's request settings on one (group, pool) assignment",
    params(("id" = String, Path, description = "Group id"), ("pool" = String, Path, description = "Pool id")),
    request_body = RequestSettingsWire,
    responses((status = 200, description = "Saved", body = Object), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn put_override(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, pool)): Path<(String, String)>,
    Body(settings): Body<RequestSettingsWire>,
) -> ApiResult<Json<Value>> {
    let (mut tx, _, now) = begin_as(
        &state,
        &actor,
        Operation::AccessRequestSettings,
        Access::Change,
        Some(&pool),
    )
    .await?;
    let settings = validate_request_settings(&settings).map_err(ApiError::violations)?;
    let mut group = assignment(&state, &id, &pool).await?;
    group.request_overrides.retain(|o| o.agent_pool_id != pool);
    group.request_overrides.push(AssignmentOverrideWire {
        agent_pool_id: pool.clone(),
        request_settings: settings.clone(),
    });
    tx.put_group(&group, now, Some(&actor.email)).await?;
    let details = json!({"agentPoolId": pool, "requestSettings": settings});
    audit(
        &mut tx,
        &actor.email,
        now,
        AuditAction::GroupUpdated,
        format!("group:{id}"),
        details,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(
        json!({"groupId": id, "agentPoolId": pool, "requestSettings": settings}),
    ))
}

#[utoipa::path(
    delete,
    path = "/api/v1/groups/{id}/request-settings/{pool}",
    tag = "Access Requests",
    summary = "Remove an assignment's override: the pool's settings apply again",
    params(("id" = String, Path, description = "Group id"), ("pool" = String, Path, description = "Pool id")),
    responses((status = 204, description = "Removed"), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn remove_override(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, pool)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (mut tx, _, now) = begin_as(
        &state,
        &actor,
        Operation::AccessRequestSettings,
        Access::Change,
        Some(&pool),
    )
    .await?;
    let mut group = assignment(&state, &id, &pool).await?;
    let before = group.request_overrides.len();
    group.request_overrides.retain(|o| o.agent_pool_id != pool);
    if group.request_overrides.len() == before {
        return Err(ApiError::not_found(
            "group.requestOverrides.unknown",
            format!("no override for `{pool}` in `{id}`"),
        ));
    }
    tx.put_group(&group, now, Some(&actor.email)).await?;
    let details = json!({"agentPoolId": pool, "requestSettings": Value::Null});
    audit(
        &mut tx,
        &actor.email,
        now,
        AuditAction::GroupUpdated,
        format!("group:{id}"),
        details,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/v1/delegations",
    tag = "Access Requests",
    summary = "Live delegations I gave or received (all of them for those who read users)",
    responses((status = 200, description = "The delegations", body = Object), (status = 401, description = "Not signed in", body = crate::error::ErrorBody))
)]
pub(crate) async fn delegations(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<Value>> {
    let now = state.clock.now();
    let s = state.store.snapshot(now).await?;
    let all = sees_all(&s, &actor, now);
    let items: Vec<Value> = state
        .store
        .delegations(now)
        .await?
        .into_iter()
        .filter(|(_, d)| {
            all || same_email(&d.from, &actor.email) || same_email(&d.to, &actor.email)
        })
        .map(|(id, d)| {
            let mut v = serde_json::to_value(&d).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut v {
                m.insert("id".into(), json!(id));
            }
            v
        })
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

#[utoipa::path(
    post,
    path = "/api/v1/delegations",
    tag = "Access Requests",
    summary = "Delegate my reviewing to another user for a bounded period",
    request_body = DelegationInput,
    responses((status = 201, description = "Created", body = Object), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "I review nothing", body = crate::error::ErrorBody), (status = 404, description = "Unknown user", body = crate::error::ErrorBody))
)]
pub(crate) async fn delegate(
    State(state): State<AppState>,
    actor: Actor,
    Body(input): Body<DelegationInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let s = tx.snapshot(now).await?;
    let d = validate_delegation(&s, &actor.email, &input, now).map_err(ApiError::violations)?;
    let id = new_id()?;
    tx.insert_delegation(&id, &d, now).await?;
    let details = json!({"to": d.to, "startsAt": format_instant(d.starts_at), "endsAt": format_instant(d.ends_at)});
    audit(
        &mut tx,
        &actor.email,
        now,
        AuditAction::DelegationCreated,
        format!("delegation:{id}"),
        details,
        None,
    )
    .await?;
    tx.commit().await?;
    let mut v = serde_json::to_value(&d).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("id".into(), json!(id));
    }
    Ok((StatusCode::CREATED, Json(v)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/delegations/{id}",
    tag = "Access Requests",
    summary = "End a delegation now (its giver, or an admin)",
    params(("id" = String, Path, description = "Delegation id")),
    responses((status = 204, description = "Ended"), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn end_delegation(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let s = tx.snapshot(now).await?;
    let admin = require(&s, &actor, Operation::Users, Access::Change, None, now).is_ok();
    let found = state
        .store
        .delegations(now)
        .await?
        .into_iter()
        .find(|(i, d)| *i == id && (admin || same_email(&d.from, &actor.email)))
        .ok_or_else(|| {
            ApiError::not_found(
                "delegation.id.unknown",
                format!("no delegation `{id}` of yours"),
            )
        })?;
    tx.delete_delegation(&id, now).await?;
    let details = json!({"from": found.1.from, "to": found.1.to});
    audit(
        &mut tx,
        &actor.email,
        now,
        AuditAction::DelegationRevoked,
        format!("delegation:{id}"),
        details,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/access",
    tag = "Access Requests",
    summary = "The access summary: configuration and current access per pool, group or user, as JSON or CSV",
    params(("by" = Option<String>, Query, description = "pool (default), group or user"), ("format" = Option<String>, Query, description = "json (default) or csv")),
    responses((status = 200, description = "The report", body = interim_policy::report::AccessReport), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody))
)]
pub(crate) async fn report(
    State(state): State<AppState>,
    actor: Actor,
    params: Params,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    use interim_policy::report::{ReportBy, access_report, report_csv};
    let now = state.clock.now();
    let by = match params.get("by") {
        None => ReportBy::Pool,
        Some(text) => ReportBy::parse(text).ok_or_else(|| {
            ApiError::bad_request(
                "body.field.invalid_type",
                "by",
                format!("`by` is pool, group or user, not `{text}`"),
            )
        })?,
    };
    let csv = match params.get("format") {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::bad_request(
                "body.field.invalid_type",
                "format",
                format!("`format` is json or csv, not `{other}`"),
            ));
        }
    };
    let snapshot = state.store.snapshot(now).await?;
    require(&snapshot, &actor, Operation::Users, Access::View, None, now)?;
    let report = access_report(&snapshot, now, by);
    if csv {
        let name = format!(
            "attachment; filename=\"interim-access-by-{}.csv\"",
            match by {
                ReportBy::Pool => "pool",
                ReportBy::Group => "group",
                ReportBy::User => "user",
            }
        );
        Ok((
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "text/csv; charset=utf-8".to_owned(),
                ),
                (axum::http::header::CONTENT_DISPOSITION, name),
            ],
            report_csv(&report),
        )
            .into_response())
    } else {
        Ok(Json(report).into_response())
    }
}
