//! Just-in-time access requests (SPEC §4): request, review, approve or
//! self-approve, deny, cancel, revoke; request settings on pools and on
//! group assignments; reviewers' delegations. Every rule is the policy's
//! (`validate_request`, `apply_action`, `who_can_approve`,
//! `validate_delegation`); the handlers load, ask, write and audit.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use interim_policy::answer::{
    AccessRequest, AssignmentRequestSettings, Delegation, Listed, PoolRequestSettings, Reviewers,
};
use interim_policy::request::RequestAction;
use interim_policy::wire::{AccessRequestInput, DelegationInput, FormValue, RequestSettingsWire};
use serde::Deserialize;

use crate::AppState;
use crate::app::requests::Scope;
use crate::app::{self, Actor};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Params, Path};

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

#[utoipa::path(
    post,
    path = "/api/v1/access-requests",
    tag = "Access Requests",
    summary = "Request access to a locked pool (auto-approved at once where the settings allow it and a reason is given)",
    request_body = AccessRequestInput,
    responses((status = 201, description = "Created: pending, or approved when auto-approved", body = AccessRequest), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 404, description = "Unknown pool", body = crate::error::ErrorBody), (status = 409, description = "A request or access already exists", body = crate::error::ErrorBody))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Body(input): Body<AccessRequestInput>,
) -> ApiResult<(StatusCode, Json<AccessRequest>)> {
    let request = app::requests::create(&state, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(request)))
}

#[utoipa::path(
    get,
    path = "/api/v1/access-requests",
    tag = "Access Requests",
    summary = "Access requests: mine (default), the ones I review, or all",
    params(("scope" = Option<String>, Query, description = "mine | review | all"), ("status" = Option<String>, Query, description = "Filter by status at this instant: pending, approved, denied, cancelled, expired, revoked, ended")),
    responses((status = 200, description = "The requests, newest first", body = Listed<AccessRequest>), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    params: Params,
) -> ApiResult<Json<Listed<AccessRequest>>> {
    let asked = params.get("scope").unwrap_or("mine");
    let Some(scope) = Scope::NAMED
        .into_iter()
        .find_map(|(name, scope)| (name == asked).then_some(scope))
    else {
        return Err(ApiError::bad_request(
            "body.field.invalid_type",
            "scope",
            "“scope” is mine, review or all",
        ));
    };
    let items = app::requests::list(&state, &actor, scope, params.get("status")).await?;
    Ok(Json(Listed::of(items)))
}

#[utoipa::path(
    get,
    path = "/api/v1/access-requests/{id}",
    tag = "Access Requests",
    summary = "One access request",
    params(("id" = String, Path, description = "Request id")),
    responses((status = 200, description = "The request", body = AccessRequest), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn one(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<AccessRequest>> {
    Ok(Json(app::requests::one(&state, &actor, &id).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/access-requests/{id}/reviewers",
    tag = "Access Requests",
    summary = "Who may approve the request now, and why (delegates included)",
    params(("id" = String, Path, description = "Request id")),
    responses((status = 200, description = "The reviewers", body = Reviewers), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn reviewers(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<Reviewers>> {
    let reviewers = app::requests::reviewers(&state, &actor, &id).await?;
    Ok(Json(Reviewers { reviewers }))
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

/// Applies `action` to request `id` as the actor.
async fn act(
    state: &AppState,
    actor: &Actor,
    id: &str,
    action: RequestAction,
) -> ApiResult<Json<AccessRequest>> {
    Ok(Json(
        app::requests::transition(state, Some(actor), id, action).await?,
    ))
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

#[utoipa::path(
    post,
    path = "/api/v1/access-requests/{id}/approve",
    tag = "Access Requests",
    summary = "Approve a pending request, optionally for a shorter period (a reviewer; never the requester of a manual request)",
    params(("id" = String, Path, description = "Request id")),
    request_body = ActionBody,
    responses((status = 200, description = "Approved: access starts now", body = AccessRequest), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not a reviewer of this request", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Not pending", body = crate::error::ErrorBody))
)]
pub(crate) async fn approve(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<AccessRequest>> {
    let b = action_body(&body)?;
    let action = RequestAction::Approve {
        duration_minutes: b.duration_minutes,
        comment: b.comment,
    };
    act(&state, &actor, &id, action).await
}

#[utoipa::path(
    post,
    path = "/api/v1/access-requests/{id}/deny",
    tag = "Access Requests",
    summary = "Deny a pending request, with a comment for the requester",
    params(("id" = String, Path, description = "Request id")),
    request_body = ActionBody,
    responses((status = 200, description = "Denied", body = AccessRequest), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not a reviewer of this request", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Not pending", body = crate::error::ErrorBody))
)]
pub(crate) async fn deny(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<AccessRequest>> {
    let b = action_body(&body)?;
    let action = RequestAction::Deny { comment: b.comment };
    act(&state, &actor, &id, action).await
}

#[utoipa::path(
    post,
    path = "/api/v1/access-requests/{id}/cancel",
    tag = "Access Requests",
    summary = "Withdraw my pending request",
    params(("id" = String, Path, description = "Request id")),
    responses((status = 200, description = "Cancelled", body = AccessRequest), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not the requester", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Not pending", body = crate::error::ErrorBody))
)]
pub(crate) async fn cancel(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<AccessRequest>> {
    act(&state, &actor, &id, RequestAction::Cancel).await
}

#[utoipa::path(
    post,
    path = "/api/v1/access-requests/{id}/revoke",
    tag = "Access Requests",
    summary = "End approved access at once (a reviewer of the pool)",
    params(("id" = String, Path, description = "Request id")),
    request_body = ActionBody,
    responses((status = 200, description = "Revoked", body = AccessRequest), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not a reviewer of this request", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Not approved", body = crate::error::ErrorBody))
)]
pub(crate) async fn revoke(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<AccessRequest>> {
    let b = action_body(&body)?;
    act(
        &state,
        &actor,
        &id,
        RequestAction::Revoke { comment: b.comment },
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
    responses((status = 200, description = "Saved", body = PoolRequestSettings), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn pool_settings(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Body(settings): Body<Option<RequestSettingsWire>>,
) -> ApiResult<Json<PoolRequestSettings>> {
    let saved =
        app::request_settings::set_pool_default(&state, &actor, &id, settings.as_ref()).await?;
    Ok(Json(saved))
}

#[utoipa::path(
    put,
    path = "/api/v1/groups/{id}/request-settings/{pool}",
    tag = "Access Requests",
    summary = "Override the pool's request settings on one (group, pool) assignment",
    params(("id" = String, Path, description = "Group id"), ("pool" = String, Path, description = "Pool id")),
    request_body = RequestSettingsWire,
    responses((status = 200, description = "Saved", body = AssignmentRequestSettings), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn put_override(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, pool)): Path<(String, String)>,
    Body(settings): Body<RequestSettingsWire>,
) -> ApiResult<Json<AssignmentRequestSettings>> {
    let saved = app::request_settings::set_override(&state, &actor, &id, &pool, &settings).await?;
    Ok(Json(saved))
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
    app::request_settings::remove_override(&state, &actor, &id, &pool).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/v1/delegations",
    tag = "Access Requests",
    summary = "Live delegations I gave or received (all of them for those who read users)",
    responses((status = 200, description = "The delegations", body = Listed<Delegation>), (status = 401, description = "Not signed in", body = crate::error::ErrorBody))
)]
pub(crate) async fn delegations(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<Listed<Delegation>>> {
    let items = app::requests::delegations(&state, &actor).await?;
    Ok(Json(Listed::of(items)))
}

#[utoipa::path(
    post,
    path = "/api/v1/delegations",
    tag = "Access Requests",
    summary = "Delegate my reviewing to another user for a bounded period",
    request_body = DelegationInput,
    responses((status = 201, description = "Created", body = Delegation), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "I review nothing", body = crate::error::ErrorBody), (status = 404, description = "Unknown user", body = crate::error::ErrorBody))
)]
pub(crate) async fn delegate(
    State(state): State<AppState>,
    actor: Actor,
    Body(input): Body<DelegationInput>,
) -> ApiResult<(StatusCode, Json<Delegation>)> {
    let d = app::requests::delegate(&state, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(d)))
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
    app::requests::end_delegation(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/access",
    tag = "Access Requests",
    summary = "The access summary: configuration and current access per pool, group or user, as JSON or CSV",
    params(("by" = Option<String>, Query, description = "pool (default), group or user"), ("id" = Option<String>, Query, description = "One pool id, group id or user e-mail (by `by`) instead of all"), ("format" = Option<String>, Query, description = "json (default) or csv")),
    responses((status = 200, description = "The report", content((interim_policy::report::AccessReport = "application/json"), (String = "text/csv"))), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "No such pool, group or user", body = crate::error::ErrorBody))
)]
pub(crate) async fn report(
    State(state): State<AppState>,
    actor: Actor,
    params: Params,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    use interim_policy::report::{ReportBy, report_csv};
    let by = match params.get("by") {
        None => ReportBy::Pool,
        Some(text) => ReportBy::parse(text).ok_or_else(|| {
            ApiError::bad_request(
                "body.field.invalid_type",
                "by",
                format!("“by” is pool, group or user, not “{text}”"),
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
                format!("“format” is json or csv, not “{other}”"),
            ));
        }
    };
    let report = app::reports::access(&state, &actor, by, params.get("id")).await?;
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
