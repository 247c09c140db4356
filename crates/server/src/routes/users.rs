//! `/api/v1/users`: users addressed by e-mail, roles by the vendor's names.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use interim_policy::answer::{ActivationLink, Page, User};
use interim_policy::role::Role;
use interim_policy::user::UserInput;

use crate::AppState;
use crate::app::{self, Actor};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Params, Path, ReadOnlyFields, VendorBody};

/// The vendor's `UserPublicDTO` beyond its create and update DTOs.
impl ReadOnlyFields for UserInput {
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "activationLink",
        "agentPoolPermissions",
        "createdBy",
        "createdDate",
        "enabled",
        "groupMemberships",
        "initialActionInserted",
        "lastLoginDate",
        "lastModifiedBy",
        "lastModifiedDate",
        "registerMethod",
        "userManagementType",
    ];
}

/// `includeAccessAndPermissions=true`: memberships and pool permissions too.
fn detail(params: &Params) -> ApiResult<bool> {
    params.flag("includeAccessAndPermissions")
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/users", get(list).post(create))
        .route("/api/v1/users/{email}", get(one).put(update).delete(remove))
        .route("/api/v1/users/{email}/disable", put(disable))
        .route(
            "/api/v1/users/{email}/activation-link",
            post(activation_link),
        )
        .route("/api/v1/users/{email}/enable", put(enable))
}

#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "Users",
    summary = "Users",
    params(("page" = Option<i64>, Query, description = "Zero-based page index (default 0)"), ("size" = Option<i64>, Query, description = "Page size (default 20)"), ("sort" = Option<Vec<String>>, Query, description = "property,(asc|desc); repeatable"), ("role" = Option<String>, Query, description = "Filter by role"), ("search" = Option<String>, Query, description = "Search by name or e-mail"), ("includeAccessAndPermissions" = Option<bool>, Query, description = "Add group memberships and pool permissions")),
    responses((status = 200, description = "A page of users", body = Page<User>), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    params: Params,
) -> ApiResult<Json<Page<User>>> {
    let paging = params.paging()?;
    let query = app::users::Query {
        sort: params.sort(app::users::SORTABLE, app::users::DEFAULT_SORT)?,
        detail: detail(&params)?,
        role: match params.get("role") {
            None => None,
            Some(r) => Some(Role::from_wire(r).ok_or_else(|| {
                ApiError::bad_request("query.value.invalid", "role", format!("unknown role “{r}”"))
            })?),
        },
        search: params.get("search").map(str::to_owned),
    };
    Ok(Json(
        paging.page(app::users::list(&state, &actor, &query).await?),
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/users/{email}",
    tag = "Users",
    summary = "One user",
    params(("email" = String, Path, description = "E-mail address (any letter case)"), ("includeAccessAndPermissions" = Option<bool>, Query, description = "Add group memberships and pool permissions")),
    responses((status = 200, description = "The user", body = User), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn one(
    State(state): State<AppState>,
    actor: Actor,
    Path(email): Path<String>,
    params: Params,
) -> ApiResult<Json<User>> {
    Ok(Json(
        app::users::one(&state, &actor, &email, detail(&params)?).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "Users",
    summary = "Create a user",
    request_body = UserInput,
    responses((status = 201, description = "Created", body = User), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 409, description = "Conflict", body = crate::error::ErrorBody))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    actor: Actor,
    VendorBody(input): VendorBody<UserInput>,
) -> ApiResult<(StatusCode, Json<User>)> {
    let user = app::users::create(&state, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[utoipa::path(
    put,
    path = "/api/v1/users/{email}",
    tag = "Users",
    summary = "Update a user's names, roles or password",
    params(("email" = String, Path, description = "E-mail address (any letter case)")),
    request_body = UserInput,
    responses((status = 200, description = "Updated", body = User), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody), (status = 409, description = "Conflict", body = crate::error::ErrorBody))
)]
pub(crate) async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(email): Path<String>,
    VendorBody(input): VendorBody<UserInput>,
) -> ApiResult<Json<User>> {
    Ok(Json(
        app::users::update(&state, &actor, &email, &input).await?,
    ))
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
    app::users::set_enabled(&state, &actor, &email, false).await?;
    Ok(StatusCode::NO_CONTENT)
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
    app::users::set_enabled(&state, &actor, &email, true).await?;
    Ok(StatusCode::NO_CONTENT)
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
    app::users::delete(&state, &actor, &email).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/api/v1/users/{email}/activation-link",
    tag = "Users",
    summary = "A new one-time activation link (7 days): the person sets a new password with it; earlier links end",
    params(("email" = String, Path, description = "E-mail address (any letter case)")),
    request_body = Option<LinkAsk>,
    responses((status = 200, description = "The link, shown this once", body = ActivationLink))
)]
pub(crate) async fn activation_link(
    State(state): State<AppState>,
    actor: Actor,
    Path(email): Path<String>,
    body: Option<Body<LinkAsk>>,
) -> ApiResult<Json<ActivationLink>> {
    let send = body.is_some_and(|Body(b)| b.send_email);
    Ok(Json(
        app::activation::reissue(&state, &actor, &email, send).await?,
    ))
}

/// How a new activation link goes to the person.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct LinkAsk {
    /// Also e-mail it to the person (needs the server's SMTP channel).
    #[serde(default)]
    pub send_email: bool,
}
