//! `/api/v1/groups`: access groups (environments), their pools, roles and
//! members, in the vendor's shapes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use interim_policy::answer::{Bulk, Group, Member, Page};
use interim_policy::user::GroupInput;

use crate::AppState;
use crate::app::groups::{MemberInput, MemberUpdate};
use crate::app::{self, Actor};
use crate::error::ApiResult;
use crate::extract::{Body, Params, Path, ReadOnlyFields, VendorBody};

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

/// The vendor's `UserGroupPublicDTO` beyond its write DTOs.
impl ReadOnlyFields for GroupInput {
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "createdBy",
        "createdDate",
        "default",
        "lastModifiedBy",
        "lastModifiedDate",
        "memberCount",
        "members",
    ];
}

/// The vendor's `UserGroupMemberPublicDTO` beyond its update DTO.
impl ReadOnlyFields for MemberUpdate {
    const READ_ONLY: &'static [&'static str] = &["email", "effectiveRoles"];
}

#[utoipa::path(
    get,
    path = "/api/v1/groups",
    tag = "User Groups",
    summary = "Access groups",
    params(("page" = Option<i64>, Query, description = "Zero-based page index (default 0)"), ("size" = Option<i64>, Query, description = "Page size (default 20)"), ("sort" = Option<Vec<String>>, Query, description = "property,(asc|desc); repeatable: name, createdDate, lastModifiedDate, memberCount"), ("agentPoolIds" = Option<String>, Query, description = "Groups with access to any of these agent pools (comma-separated ids)"), ("includeMembers" = Option<bool>, Query, description = "With the members (default false; memberCount is always given)"), ("name" = Option<String>, Query, description = "Filter by name")),
    responses((status = 200, description = "A page of groups", body = Page<Group>), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    params: Params,
) -> ApiResult<Json<Page<Group>>> {
    let paging = params.paging()?;
    let q = app::groups::Query {
        name: params.get("name").map(str::to_owned),
        agent_pool_ids: params
            .all("agentPoolIds")
            .flat_map(|s| s.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        include_members: params.flag("includeMembers")?,
        sort: params.sort(app::groups::SORTABLE, app::groups::DEFAULT_SORT)?,
    };
    let groups = app::groups::list(&state, &actor, &q).await?;
    Ok(Json(paging.page(groups)))
}

#[utoipa::path(
    get,
    path = "/api/v1/groups/{id}",
    tag = "User Groups",
    summary = "One group",
    params(("id" = String, Path, description = "Group id"), ("includeMembers" = Option<bool>, Query, description = "With the members (default false, as the vendor's; memberCount is always given)")),
    responses((status = 200, description = "The group", body = Group), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn one(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Group>> {
    let members = params.flag("includeMembers")?;
    Ok(Json(app::groups::one(&state, &actor, &id, members).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/groups",
    tag = "User Groups",
    summary = "Create a group",
    request_body = GroupInput,
    responses((status = 201, description = "Created", body = Group), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Conflict", body = crate::error::ErrorBody))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    actor: Actor,
    VendorBody(input): VendorBody<GroupInput>,
) -> ApiResult<(StatusCode, Json<Group>)> {
    let group = app::groups::create(&state, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(group)))
}

#[utoipa::path(
    put,
    path = "/api/v1/groups/{id}",
    tag = "User Groups",
    summary = "Update a group",
    params(("id" = String, Path, description = "Group id")),
    request_body = GroupInput,
    responses((status = 200, description = "Updated", body = Group), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Conflict", body = crate::error::ErrorBody))
)]
pub(crate) async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    VendorBody(input): VendorBody<GroupInput>,
) -> ApiResult<Json<Group>> {
    Ok(Json(
        app::groups::update(&state, &actor, &id, &input).await?,
    ))
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
    app::groups::delete(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 200 when every item succeeded, 207 when some failed.
fn bulk_status<S, F>(b: &Bulk<S, F>) -> StatusCode {
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
    request_body = Vec<MemberInput>,
    responses((status = 200, description = "All added", body = Bulk<Member, Member>), (status = 207, description = "Some failed", body = Bulk<Member, Member>), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn add_members(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Body(input): Body<Vec<MemberInput>>,
) -> ApiResult<(StatusCode, Json<Bulk<Member, Member>>)> {
    let bulk = app::groups::add_members(&state, &actor, &id, input).await?;
    Ok((bulk_status(&bulk), Json(bulk)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/groups/{id}/members",
    tag = "User Groups",
    summary = "Remove members",
    params(("id" = String, Path, description = "Group id")),
    request_body = Vec<String>,
    responses((status = 200, description = "All removed", body = Bulk<String, String>), (status = 207, description = "Some failed", body = Bulk<String, String>), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn remove_members(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Body(emails): Body<Vec<String>>,
) -> ApiResult<(StatusCode, Json<Bulk<String, String>>)> {
    let bulk = app::groups::remove_members(&state, &actor, &id, emails).await?;
    Ok((bulk_status(&bulk), Json(bulk)))
}

#[utoipa::path(
    put,
    path = "/api/v1/groups/{id}/members/{email}",
    tag = "User Groups",
    summary = "Update a member (group admin, elevated roles)",
    params(("id" = String, Path, description = "Group id"), ("email" = String, Path, description = "E-mail address (any letter case)")),
    request_body = MemberUpdate,
    responses((status = 200, description = "Updated", body = Member), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn update_member(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, email)): Path<(String, String)>,
    VendorBody(input): VendorBody<MemberUpdate>,
) -> ApiResult<Json<Member>> {
    Ok(Json(
        app::groups::update_member(&state, &actor, &id, &email, input).await?,
    ))
}
