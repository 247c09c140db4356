//! API keys at the vendor's path. A key's secret is shown once; only its hash
//! is stored; requests with it act as its creator, with the creator's
//! rights at the time of the request, never more.

use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};
use interim_policy::answer::{ApiKeyChanged, ApiKeys, NewApiKey};
use serde::Deserialize;

use crate::AppState;
use crate::app::{self, Actor};
use crate::error::ApiResult;
use crate::extract::{Params, Path, ReadOnlyFields, VendorBody};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/access/company/{company}/system-api-key",
            get(list).post(create),
        )
        .route(
            "/api/v1/access/company/{company}/system-api-key/{id}",
            put(relabel).delete(revoke),
        )
}

#[utoipa::path(
    get,
    path = "/api/v1/access/company/{company}/system-api-key",
    tag = "System access API key",
    summary = "API keys (never their secrets)",
    params(("company" = String, Path, description = "This deployment's company id")),
    responses((status = 200, description = "The keys", body = ApiKeys), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Path(company): Path<String>,
) -> ApiResult<Json<ApiKeys>> {
    let items = app::keys::list(&state, &actor, &company).await?;
    Ok(Json(ApiKeys { items }))
}

#[utoipa::path(
    post,
    path = "/api/v1/access/company/{company}/system-api-key",
    tag = "System access API key",
    summary = "Create an API key: its secret is shown once",
    params(("company" = String, Path, description = "This deployment's company id"), ("expirationDays" = i64, Query, description = "Life in days, 1 to 365"), ("label" = Option<String>, Query, description = "Label"), ("scopes" = Option<Vec<String>>, Query, description = "COMPANY, DEV, SECURITY, CROSS_COMPANY")),
    responses((status = 200, description = "The secret, once", body = NewApiKey), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Path(company): Path<String>,
    params: Params,
) -> ApiResult<Json<NewApiKey>> {
    let ask = app::keys::NewKey {
        label: params.get("label"),
        expiration_days: params.get("expirationDays"),
        scopes: params.all("scopes").flat_map(|s| s.split(',')).collect(),
    };
    Ok(Json(
        app::keys::create(&state, &actor, &company, &ask).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Relabel {
    pub label: String,
}

/// The vendor's `SystemApiKeyReadDTO` beyond its update DTO.
impl ReadOnlyFields for Relabel {
    const READ_ONLY: &'static [&'static str] =
        &["id", "createdBy", "createdDate", "expirationDate", "scopes"];
}

#[utoipa::path(
    put,
    path = "/api/v1/access/company/{company}/system-api-key/{id}",
    tag = "System access API key",
    summary = "Change a key's label",
    params(("company" = String, Path, description = "This deployment's company id"), ("id" = String, Path, description = "API key id")),
    request_body = Relabel,
    responses((status = 200, description = "Relabelled", body = ApiKeyChanged), (status = 400, description = "Invalid input: every problem with its field", body = crate::error::ErrorBody), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn relabel(
    State(state): State<AppState>,
    actor: Actor,
    Path((company, id)): Path<(String, String)>,
    VendorBody(input): VendorBody<Relabel>,
) -> ApiResult<Json<ApiKeyChanged>> {
    let changed = app::keys::relabel(&state, &actor, &company, &id, &input.label).await?;
    Ok(Json(changed))
}

#[utoipa::path(
    delete,
    path = "/api/v1/access/company/{company}/system-api-key/{id}",
    tag = "System access API key",
    summary = "Revoke a key",
    params(("company" = String, Path, description = "This deployment's company id"), ("id" = String, Path, description = "API key id")),
    responses((status = 200, description = "Revoked", body = ApiKeyChanged), (status = 401, description = "Not signed in", body = crate::error::ErrorBody), (status = 403, description = "Not allowed: the policy's reason", body = crate::error::ErrorBody), (status = 404, description = "Not found", body = crate::error::ErrorBody))
)]
pub(crate) async fn revoke(
    State(state): State<AppState>,
    actor: Actor,
    Path((company, id)): Path<(String, String)>,
) -> ApiResult<Json<ApiKeyChanged>> {
    Ok(Json(
        app::keys::revoke(&state, &actor, &company, &id).await?,
    ))
}
