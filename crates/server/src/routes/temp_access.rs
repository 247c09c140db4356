//! `/api/v1/temp-access`: the vendor's temporary access API, plus an atomic
//! replace. Every rule comes from the policy crate, checked inside the write
//! transaction.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use interim_policy::wire::{CreateTempAccess, TempAccess};

use crate::AppState;
use crate::app::{self, Actor};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Page, Params, Path, ReadOnlyFields, VendorBody};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/temp-access", get(list).post(create))
        .route(
            "/api/v1/temp-access/{id}",
            get(one).delete(remove).fallback(not_allowed),
        )
        .route("/api/v1/temp-access/{id}/replace", post(replace))
}

/// The vendor's `GetTempAccessPublicApiDTO` beyond its create DTO.
impl ReadOnlyFields for CreateTempAccess {
    const READ_ONLY: &'static [&'static str] = &["id"];
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
    let paging = params.paging()?;
    let sort = params.sort(app::grants::SORTABLE, app::grants::DEFAULT_SORT)?;
    let grants = app::grants::active(&state, &actor, &sort).await?;
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
    Ok(Json(app::grants::one(&state, &actor, &id).await?))
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
    VendorBody(input): VendorBody<CreateTempAccess>,
) -> ApiResult<(StatusCode, Json<TempAccess>)> {
    let grant = app::grants::create(&state, &actor, &input).await?;
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
    app::grants::delete(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

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
    VendorBody(input): VendorBody<CreateTempAccess>,
) -> ApiResult<(StatusCode, Json<TempAccess>)> {
    let grant = app::grants::replace(&state, &actor, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(grant)))
}

/// Any other method on a grant: 405 with `Allow` naming only what the
/// path takes (so `PUT` and `PATCH` are not in the document), and for an
/// attempt to edit, a message saying what to do instead.
pub(crate) async fn not_allowed(method: axum::http::Method) -> axum::response::Response {
    use axum::http::Method;
    let error = if method == Method::PUT || method == Method::PATCH {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "grant.update.not_allowed",
            "an active grant is never edited: delete it and create a new one, or POST /api/v1/temp-access/{id}/replace to do both at once",
        )
    } else {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "route.method.not_allowed",
            "this path does not take that method",
        )
    };
    let mut response = error.into_response();
    response.headers_mut().insert(
        axum::http::header::ALLOW,
        axum::http::HeaderValue::from_static("GET, HEAD, DELETE"),
    );
    response
}
